//! Cancellation: a flag that the runner checks before every replication and
//! every simulated month, so a stop request takes effect within about a
//! month of simulation (milliseconds), whatever the replication count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared stop request.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A request that is never made (until [`Cancel::cancel`]).
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Shares an existing flag (e.g. one set by a signal handler).
    pub fn from_flag(flag: Arc<AtomicBool>) -> Self {
        Cancel(flag)
    }

    /// Asks the work in flight to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
