//! Printing that a closed pipe cannot stop. `trustsim ... | head -1` closes
//! standard output after one line; the work (a run, a comparison, a sweep)
//! must still finish and write its files. Every line the command line
//! prints goes through [`write_out`] or [`write_err`] (the `outln!`,
//! `out!`, `errln!` and `eout!` macros): a write that fails marks the stream
//! closed and later writes are dropped, so printing never panics and never
//! ends the work. `clippy.toml` bans `println!` and friends elsewhere.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static OUT_CLOSED: AtomicBool = AtomicBool::new(false);
static ERR_CLOSED: AtomicBool = AtomicBool::new(false);

fn write_to(closed: &AtomicBool, w: &mut dyn Write, args: fmt::Arguments) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    if w.write_fmt(args).and_then(|()| w.flush()).is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Writes to standard output unless it has been closed.
pub fn write_out(args: fmt::Arguments) {
    write_to(&OUT_CLOSED, &mut std::io::stdout().lock(), args);
}

/// Writes to standard error unless it has been closed.
pub fn write_err(args: fmt::Arguments) {
    write_to(&ERR_CLOSED, &mut std::io::stderr().lock(), args);
}

/// Writes bytes to standard output unless it has been closed.
pub fn write_out_bytes(bytes: &[u8]) {
    if OUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut o = std::io::stdout().lock();
    if o.write_all(bytes).and_then(|()| o.flush()).is_err() {
        OUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` that survives a closed standard output.
macro_rules! outln {
    () => { $crate::cli::out::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that survives a closed standard output.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::write_out(format_args!($($arg)*)) };
}

/// `eprintln!` that survives a closed standard error.
macro_rules! errln {
    () => { $crate::cli::out::write_err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that survives a closed standard error.
macro_rules! eout {
    ($($arg:tt)*) => { $crate::cli::out::write_err(format_args!($($arg)*)) };
}
