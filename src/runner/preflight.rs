//! Pre-flight estimates: how long a run will take and how much disk it
//! needs at its peak, so that the command line can refuse or ask before
//! hours of work start.

use std::path::Path;

use crate::model::Params;

/// Nanoseconds of one thread per simulated staff-agent-month, measured
/// with `cargo bench --bench throughput` (release build, about 91 M
/// staff-agent-months per second on one core), rounded up.
pub const NS_PER_STAFF_MONTH: f64 = 12.0;
/// Debug builds check every invariant each month and are slower.
const DEBUG_SLOWDOWN: f64 = 3.0;
/// Bytes of output per trust-month over every table (zstd parquet, about
/// 2.3 MB per full-England replication), rounded up.
pub const BYTES_PER_TRUST_MONTH: u64 = 110;
/// Bytes of a kept replication per trust-month (its records, uncompressed:
/// about 4.1 MB per full-England replication of 201 trusts and 120 months,
/// measured), rounded up.
pub const KEPT_BYTES_PER_TRUST_MONTH: u64 = 180;
/// Charts, summary and manifest, a fixed allowance.
pub const FIXED_BYTES: u64 = 20_000_000;

/// Staff-agent-months simulated by one replication (burn-in included).
pub fn staff_months(p: &Params) -> f64 {
    let per_type: f64 = p
        .trusts
        .all()
        .iter()
        .map(|t| f64::from(t.count) * t.staff_median_fte * (t.staff_sigma_log.powi(2) / 2.0).exp())
        .sum();
    per_type * p.run.staff_scale * f64::from(p.run.burn_in_months + p.run.months)
}

/// Seconds for `replications` replications of `p` on `threads` threads.
pub fn seconds(p: &Params, replications: u32, threads: usize) -> f64 {
    let slow = if cfg!(debug_assertions) {
        DEBUG_SLOWDOWN
    } else {
        1.0
    };
    let per_rep = staff_months(p) * NS_PER_STAFF_MONTH * 1e-9 * slow;
    // Replications run side by side; a single one still uses every thread
    // for its trusts, less efficiently.
    let parallel = (threads as f64)
        .min(f64::from(replications).max(1.0))
        .max(1.0);
    let within = if replications < threads as u32 {
        (threads as f64 / parallel).sqrt()
    } else {
        1.0
    };
    f64::from(replications) * per_rep / parallel / within + START_SECONDS
}

/// Seconds a run takes whatever its size (an allowance for starting and
/// closing).
const START_SECONDS: f64 = 1.0;

/// Bytes of one replication's saved state per staff post (about 7 MB for a
/// full-scale replication of about a million posts, measured).
pub const STATE_BYTES_PER_POST: f64 = 7.0;

/// Peak bytes of the saved states of a run of `p` (kept per replication
/// and then copied into the state file).
pub fn state_bytes(p: &Params) -> u64 {
    let posts: f64 = p
        .trusts
        .all()
        .iter()
        .map(|t| f64::from(t.count) * t.staff_median_fte * p.run.staff_scale)
        .sum();
    (2.0 * f64::from(p.run.replications) * posts * STATE_BYTES_PER_POST) as u64
}

/// Bytes the run needs at its peak: the kept replications and the
/// assembled tables exist side by side just before the kept ones are
/// removed. `kept` is what an interrupted run already holds.
pub fn peak_bytes(p: &Params, kept: u64) -> u64 {
    let trust_months =
        u64::from(p.run.replications) * u64::from(p.trusts.total()) * u64::from(p.run.months);
    (trust_months * (KEPT_BYTES_PER_TRUST_MONTH + BYTES_PER_TRUST_MONTH) + FIXED_BYTES)
        .saturating_sub(kept)
}

/// Free bytes on the file system holding `path` (or its nearest existing
/// ancestor); `None` if it cannot be told.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path;
    while !p.exists() {
        p = p.parent()?;
    }
    let p = if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    };
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    // The field types differ between platforms (u32 or u64).
    #[allow(clippy::useless_conversion)]
    (rc == 0).then(|| u64::from(s.f_bavail) * u64::from(s.f_frsize))
}

/// A duration as people say it: `45 s`, `12 min`, `3.2 h`.
pub fn human_seconds(s: f64) -> String {
    match s {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 5400.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// A size as people say it: `640 kB`, `12.5 MB`, `3.1 GB`.
pub fn human_bytes(b: f64) -> String {
    match b {
        b if b < 1e6 => format!("{:.0} kB", b / 1e3),
        b if b < 1e9 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.1} GB", b / 1e9),
    }
}

/// The threads to use: `asked`, or every core; more than the cores
/// available to this process is refused, naming the cap.
pub fn threads(asked: Option<usize>) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match asked {
        None => Ok(cores),
        Some(t) if (1..=cores).contains(&t) => Ok(t),
        Some(t) => Err(format!(
            "--threads {t} is out of range; allowed: 1 to {cores} (the cores available to this process)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_scale_with_the_work_and_the_threads() {
        let p = Params::default();
        // The work part (above the fixed start), which a release build's
        // shorter replications leave closer to the start.
        let work = |reps, threads| seconds(&p, reps, threads) - START_SECONDS;
        assert!(work(20, 1) > 15.0 * work(1, 1));
        assert!(work(20, 2) < 0.6 * work(20, 1));
        assert!(seconds(&p, 1, 1) > START_SECONDS);
        // About a million staff over 180 months.
        let sm = staff_months(&p);
        assert!((1.5e8..2.5e8).contains(&sm), "{sm}");
        assert!(peak_bytes(&p, 0) > 2 * 20 * 210 * 120 * 100);
        assert!(peak_bytes(&p, u64::MAX) == 0);
    }

    #[test]
    fn threads_are_capped_at_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads(None), Ok(cores));
        assert_eq!(threads(Some(1)), Ok(1));
        let err = threads(Some(100_000)).unwrap_err();
        assert!(err.contains(&format!("allowed: 1 to {cores}")), "{err}");
        assert!(threads(Some(0)).is_err());
    }
}
