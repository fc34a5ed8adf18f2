//! Points in the sequences that write and delete files, where a test can
//! stop the process exactly as a kill would. With `TRUSTSIM_FAILPOINT=N` in
//! the environment, the process aborts (no destructor runs, nothing is
//! flushed or cleaned up) when it passes its N-th point, counting from 1:
//! every file renamed into place and every file removed is a point.
//! `tests/integrity.rs` kills a run at every point in turn and checks that
//! the same command, or `--force`, always completes it. Without the
//! variable a point costs one atomic load; points are never in a hot loop.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

static PASSED: AtomicU64 = AtomicU64::new(0);
static TARGET: OnceLock<Option<u64>> = OnceLock::new();

/// Passes the point `_name` (a label for reading the code: points are
/// counted, not named, so that a test can walk every one in turn).
#[inline]
pub fn hit(_name: &str) {
    let target = TARGET.get_or_init(|| {
        std::env::var("TRUSTSIM_FAILPOINT")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(t) = *target
        && PASSED.fetch_add(1, Ordering::SeqCst) + 1 == t
    {
        std::process::abort();
    }
}
