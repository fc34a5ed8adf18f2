//! How the runner reports progress: a trait the caller implements (the
//! command line draws a progress bar; tests and libraries stay silent).

/// Receives progress of a run. Called from worker threads.
pub trait Progress: Sync {
    /// Work of `total` units starts, `done` of which were kept from an
    /// interrupted run.
    fn start(&self, _label: &str, _total: u64, _done: u64) {}
    /// `n` more units finished.
    fn advance(&self, _n: u64) {}
    /// A step after the simulation, e.g. "writing tables".
    fn phase(&self, _what: &str) {}
    /// Something the user should know about the work, e.g. a kept
    /// replication that failed its checksum and is simulated again.
    fn note(&self, _what: &str) {}
    /// A line of account of the work as it goes (e.g. "wave 2 of at most
    /// 4: 60 points"), which a command-line front prints.
    fn say(&self, _line: &str) {}
    /// The work stopped (finished or not).
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
