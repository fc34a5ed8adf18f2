//! Catching a panic inside a third-party decoder fed with untrusted bytes.
//! The parquet reader can panic on a damaged file instead of returning an
//! error; [`catch`] turns such a panic into an error phrase, and keeps the
//! default panic message off the terminal for the panics it catches (on the
//! calling thread, where the decoding runs).

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`, turning a panic into `Err` with its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_and_the_hook_stays_for_others() {
        assert_eq!(catch(|| 2 + 2), Ok(4));
        let e = catch(|| -> u32 { panic!("start + length <= len") }).unwrap_err();
        assert_eq!(e, "start + length <= len");
        assert!(!QUIET.with(Cell::get));
    }
}
