//! Ctrl-C and SIGTERM: the first signal asks the work in flight to stop
//! (the runner checks before every simulated month, so it stops within
//! about a second) and keeps what is finished; a second one ends the
//! process at once with exit code 130, after ending the progress bar's
//! line. Finished files are whole and unfinished ones stay hidden as
//! `.NAME.partial`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Exit code of an interrupted command (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The error of a command stopped by a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(pub String);

const FIRST: &[u8] =
    b"\ninterrupted: stopping; finished work is kept (press Ctrl-C again to quit at once)\n";
/// Ends the progress bar's line and shows the cursor again (the bar hides
/// it) on a terminal; only the newline elsewhere.
const SECOND_TERMINAL: &[u8] = b"\n\x1b[?25h";
const SECOND: &[u8] = b"\n";

/// Installs the handlers once and returns the flag they set.
pub fn flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let f = Arc::new(AtomicBool::new(false));
        // Decided here: the handler may only call async-signal-safe functions.
        let second = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            SECOND_TERMINAL
        } else {
            SECOND
        };
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let f = f.clone();
            // SAFETY: the handler only touches an atomic and calls the
            // async-signal-safe write(2) and _exit(2).
            let _ = unsafe {
                signal_hook::low_level::register(sig, move || {
                    let again = f.swap(true, Ordering::SeqCst);
                    let msg = if again { second } else { FIRST };
                    libc::write(2, msg.as_ptr().cast(), msg.len());
                    if again {
                        libc::_exit(i32::from(EXIT_INTERRUPTED));
                    }
                })
            };
        }
        f
    })
    .clone()
}

/// Whether a stop was asked for.
pub fn requested(f: &AtomicBool) -> bool {
    f.load(Ordering::Relaxed)
}
