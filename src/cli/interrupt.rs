//! Ctrl-C and SIGTERM: the first signal asks the work in flight to stop at the
//! next safe point (between batches of a run, between units of a sweep); a
//! second one ends the process at once (exit code 130). Finished files are
//! whole and unfinished ones stay hidden as `.NAME.partial`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code of an interrupted command (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The error of a command stopped by a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(pub String);

/// Installs the handlers once and returns the flag they set.
pub fn flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let f = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // Order matters: the conditional shutdown sees the flag as it was
            // before this signal set it.
            let _ = signal_hook::flag::register_conditional_shutdown(
                sig,
                i32::from(EXIT_INTERRUPTED),
                f.clone(),
            );
            let _ = signal_hook::flag::register(sig, f.clone());
        }
        f
    })
    .clone()
}

/// Whether a stop was asked for.
pub fn requested(f: &AtomicBool) -> bool {
    f.load(Ordering::Relaxed)
}
