//! Running the variants of a comparison from a shared history. Variants
//! that use common random numbers and have the same parameters up to some
//! month (a policy switched on in month 24) simulate the same numbers up to
//! that month, so each replication's history is simulated once and every
//! variant continues from a copy of it. The files are byte-identical to
//! running each variant on its own; only the work differs: for four
//! variants of 60 + 120 months branching at the end of burn-in, the
//! 60-month prefix is simulated once instead of four times (a quarter less
//! work in all).

use std::time::Instant;

use rayon::prelude::*;

use super::{Cancel, Opened, Progress, RunError, RunReport, RunSpec, close, open, pool, usable};
use crate::metrics::evaluate_replication;
use crate::model::ReplicationState;
use crate::output::batches;

/// How much work the shared history saved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sharing {
    /// The first simulated month (0-based, burn-in included) in which some
    /// variant's parameters differ from the first variant's: months before
    /// it are simulated once per replication.
    pub branch_month: u32,
    /// Simulated months per replication, burn-in included.
    pub total_months: u32,
    /// Replication-months (one replication's trusts for one month)
    /// simulated by this command.
    pub months_simulated: u64,
    /// Replication-months that running each variant on its own would have
    /// simulated for the same work.
    pub months_unshared: u64,
}

impl Sharing {
    /// The share of the unshared work that was not needed.
    pub fn saving(&self) -> f64 {
        if self.months_unshared == 0 {
            0.0
        } else {
            1.0 - self.months_simulated as f64 / self.months_unshared as f64
        }
    }
}

/// The month from which the variants' parameters first differ (the total
/// if they never do). With parameter sets, replication `r` of every
/// variant uses the same set, so the history is shared up to the first
/// month in which the variants differ in any set.
pub fn branch_month(specs: &[RunSpec]) -> u32 {
    let p0 = &specs[0].params;
    let total = p0.run.burn_in_months + p0.run.months;
    let worlds = specs[0].sets.as_ref().map_or(1, |s| s.len() as u32);
    (0..worlds)
        .flat_map(|w| {
            let p0 = specs[0].params_for(w);
            specs[1..]
                .iter()
                .map(move |s| p0.first_difference(s.params_for(w)).unwrap_or(total))
        })
        .min()
        .unwrap_or(total)
}

/// Runs every variant of `specs` (same replication count; threads from the
/// first) into its folder, simulating each replication's shared history
/// once. Resumes per variant and replication like [`super::run`].
pub fn run_branched(
    specs: &[RunSpec],
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<(Vec<RunReport>, Sharing), RunError> {
    let branch = branch_month(specs);
    let p0 = &specs[0].params;
    let total_months = p0.run.burn_in_months + p0.run.months;
    // Variants that finished before an interruption are taken as they are
    // (their folders locked while the others run, as an opened folder is);
    // the others are opened to run or resume.
    let finished: Vec<Option<(super::folder::Lock, RunReport)>> = specs
        .iter()
        .map(|s| super::finished(s, progress))
        .collect::<Result<_, _>>()?;
    let opened: Vec<Option<Opened>> = specs
        .iter()
        .zip(&finished)
        .map(|(s, f)| match f {
            Some(_) => Ok(None),
            None => open(s, progress).map(Some),
        })
        .collect::<Result<_, _>>()?;
    let reps = p0.run.replications;
    let needs: Vec<(u32, Vec<usize>)> = (0..reps)
        .map(|r| {
            let ks = (0..specs.len())
                .filter(|&k| opened[k].as_ref().is_some_and(|o| !o.kept.contains(&r)))
                .collect();
            (r, ks)
        })
        .filter(|(_, ks): &(u32, Vec<usize>)| !ks.is_empty())
        .collect();
    let kept: u64 = opened
        .iter()
        .zip(&finished)
        .map(|(o, f)| match (o, f) {
            (Some(o), _) => o.kept.len() as u64,
            (None, Some(_)) => u64::from(reps),
            (None, None) => 0,
        })
        .sum();
    let units = specs.len() as u64 * u64::from(reps);
    progress.start("variants", units, kept);
    let outcome = pool(specs[0].threads)?.install(|| {
        needs
            .par_iter()
            .map(|(r, ks)| branch_one(specs, &opened, *r, branch, ks, progress, cancel))
            .collect::<Result<Vec<_>, _>>()
    });
    progress.finish();
    let done = match outcome {
        Ok(d) if d.iter().all(Option::is_some) => d.into_iter().flatten().collect::<Vec<_>>(),
        Ok(_) => return Err(interrupted(specs, &opened)),
        Err(e) => return Err(e),
    };
    // The variants close side by side, one a thread on as many threads as
    // the run has: each close (reading its kept replications, writing its
    // tables, drawing its charts) runs mostly on one core. Plain threads,
    // not the pool: a pool's thread waiting inside one close (on its
    // charts) would start another, holding more variants' tables at once.
    // The finished variants' folders stay locked (`finished` holds their
    // locks) until every close is done.
    let close_one = |k: usize| -> Result<Option<RunReport>, RunError> {
        let Some(o) = &opened[k] else {
            return Ok(None);
        };
        let mine = done.iter().flat_map(|d| d.iter().filter(|w| w.0 == k));
        let (n, staff, secs) = mine.fold((0, 0, 0.0), |a, w| (a.0 + 1, a.1 + w.1, a.2 + w.2));
        // The variants' simulation is shared (the months before the
        // branch), so none has simulating seconds of its own.
        let done = super::Simulated {
            replications: n,
            staff_months: staff,
            write_seconds: secs,
            simulate_seconds: 0.0,
        };
        close(&specs[k], o, done, None, progress).map(Some)
    };
    let closed = side_by_side(specs.len(), specs[0].threads, &close_one)?;
    let reports: Vec<RunReport> = closed
        .into_iter()
        .zip(finished)
        .map(|(c, f)| c.unwrap_or_else(|| f.expect("a variant not opened has finished").1))
        .collect();
    let pairs: u64 = needs.iter().map(|(_, ks)| ks.len() as u64).sum();
    let sharing = Sharing {
        branch_month: branch,
        total_months,
        months_simulated: needs
            .iter()
            .map(|(_, ks)| u64::from(branch) + ks.len() as u64 * u64::from(total_months - branch))
            .sum(),
        months_unshared: pairs * u64::from(total_months),
    };
    Ok((reports, sharing))
}

/// The interruption of a branched run: the replications kept across every
/// variant (in the comparison folder).
fn interrupted(specs: &[RunSpec], opened: &[Option<Opened>]) -> RunError {
    let done = specs
        .iter()
        .zip(opened)
        .map(|(s, o)| {
            o.as_ref()
                .map_or(s.params.run.replications, |o| usable(s, &o.meta))
        })
        .sum();
    let total = specs.iter().map(|s| s.params.run.replications).sum();
    let kept = specs[0]
        .dir
        .parent()
        .map_or_else(|| specs[0].dir.clone(), std::path::Path::to_path_buf);
    RunError::Interrupted { done, total, kept }
}

/// (variant, staff-agent-months, seconds writing) of one replication's
/// variants.
type Work = Vec<(usize, u64, f64)>;

/// Simulates replication `r`'s shared history once and continues each
/// variant in `ks` from a copy of it; `None` if cancelled.
fn branch_one(
    specs: &[RunSpec],
    opened: &[Option<Opened>],
    r: u32,
    branch: u32,
    ks: &[usize],
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Option<Work>, RunError> {
    let stop = || cancel.is_cancelled();
    // The shared history, if there is one (with none, each variant builds
    // its own trusts: its seed and starting values may differ).
    let mut shared = None;
    if branch > 0 {
        let p0 = specs[0].params_for(r);
        let mut s = ReplicationState::new(p0, r);
        if !s.advance(p0, branch, &stop) {
            return Ok(None);
        }
        shared = Some(s);
    }
    let mut work = Vec::new();
    for (i, &k) in ks.iter().enumerate() {
        let p = specs[k].params_for(r);
        // The last variant continues the shared history itself, the others
        // a copy of it.
        let mut s = match &mut shared {
            None => ReplicationState::new(p, r),
            Some(h) if i + 1 < ks.len() => h.clone(),
            Some(_) => shared.take().expect("the shared history"),
        };
        if !s.advance(p, s.total(p), &stop) {
            return Ok(None);
        }
        let result = s.finish(p);
        let mut metrics = evaluate_replication(&result, p);
        metrics.parameter_set = specs[k].set_of(r);
        metrics.groups = crate::metrics::groups::evaluate(&result, &specs[k].groups);
        let t = Instant::now();
        let o = opened[k].as_ref().expect("a variant to run is opened");
        let bytes = batches::write(&specs[k].dir, &result, &metrics, None, &o.meta)?;
        work.push((k, result.staff_months, t.elapsed().as_secs_f64()));
        o.held.offer(result, metrics, bytes);
        progress.advance(1);
    }
    Ok(Some(work))
}

/// `f(0)` to `f(n - 1)` on up to `threads` threads, each taking the next
/// index in turn; the results in index order, or the first error by index.
fn side_by_side<T: Send, E: Send>(
    n: usize,
    threads: usize,
    f: &(dyn Fn(usize) -> Result<T, E> + Sync),
) -> Result<Vec<T>, E> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<T, E>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, n.max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= n {
                            return mine;
                        }
                        mine.push((k, f(k)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod side_by_side_tests {
    use super::side_by_side;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Every index once, results in index order, never more at once than
    /// the threads given, and the first error by index.
    #[test]
    fn side_by_side_runs_each_index_once_in_order_on_bounded_threads() {
        for threads in [1, 2, 3, 8] {
            let (now, most, calls) = (
                AtomicUsize::new(0),
                AtomicUsize::new(0),
                AtomicUsize::new(0),
            );
            let f = |k: usize| -> Result<usize, String> {
                let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(running, Ordering::SeqCst);
                calls.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(5));
                now.fetch_sub(1, Ordering::SeqCst);
                Ok(k * 10)
            };
            let out = side_by_side(5, threads, &f).expect("no errors");
            assert_eq!(out, vec![0, 10, 20, 30, 40]);
            assert_eq!(calls.load(Ordering::SeqCst), 5);
            assert!(
                most.load(Ordering::SeqCst) <= threads.min(5),
                "threads {threads}"
            );
        }
        let f = |k: usize| -> Result<usize, String> {
            if k % 2 == 1 {
                Err(format!("failed {k}"))
            } else {
                Ok(k)
            }
        };
        assert_eq!(side_by_side(4, 2, &f), Err("failed 1".to_string()));
        let none = side_by_side(0, 2, &f).expect("nothing to do");
        assert!(none.is_empty());
    }
}
