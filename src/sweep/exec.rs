//! Running a sweep's units: all of them, or one shard's, resumably, side by
//! side on a thread pool. Sweeps, sensitivity studies and calibration waves
//! all run through [`Execution`]; it prints nothing (what a user should
//! know goes to the [`Progress`] passed in) and stops within a simulated
//! month of a [`Cancel`], keeping every finished unit.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use super::store::{self, Ledger, StoreError, SweepRecord};
use super::{Shard, Sweep};
use crate::runner::{self, Cancel, Progress, Silent, folder};

/// Why a sweep's units did not all run.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Folder(#[from] folder::FolderError),
    #[error(transparent)]
    Run(#[from] runner::RunError),
    /// A design point whose parameters cannot be built.
    #[error("{0}")]
    Point(String),
    #[error(
        "stopped: {done} of {total} units done in {}; run the same command again to resume",
        dir.display()
    )]
    Interrupted {
        done: usize,
        total: usize,
        dir: PathBuf,
    },
}

/// One shard's share of a sweep in the folder `dir`, and what runs it.
pub struct Execution<'a> {
    sweep: &'a Sweep,
    dir: PathBuf,
    shard: Shard,
    threads: usize,
    /// The units of the shard, done or not.
    mine: Vec<usize>,
    pool: rayon::ThreadPool,
    cancel: Cancel,
}

/// What a call of [`Execution::execute`] did.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The folder's record of the sweep.
    pub record: SweepRecord,
    /// Units run by this call.
    pub ran: usize,
    /// Units done in the folder, by every shard.
    pub done: usize,
    /// Units in the sweep.
    pub units: usize,
    /// Units of this shard.
    pub mine: usize,
}

impl Executed {
    /// Whether every unit of the sweep is done.
    pub fn complete(&self) -> bool {
        self.done == self.units
    }
}

impl<'a> Execution<'a> {
    /// The units of `shard` of `sweep`, to run in `dir` on `threads`
    /// threads, stopping when `cancel` is set.
    pub fn new(
        sweep: &'a Sweep,
        dir: &Path,
        shard: Shard,
        threads: usize,
        cancel: Cancel,
    ) -> Result<Execution<'a>, ExecError> {
        Ok(Execution {
            sweep,
            dir: dir.to_path_buf(),
            shard,
            threads,
            mine: (0..sweep.units()).filter(|u| shard.owns(*u)).collect(),
            pool: runner::pool(threads)?,
            cancel,
        })
    }

    /// How messages name the sweep (and the shard).
    pub fn label(&self) -> String {
        if self.shard == Shard::ALL {
            self.sweep.name.clone()
        } else {
            format!(
                "{} (shard {}/{})",
                self.sweep.name, self.shard.index, self.shard.count
            )
        }
    }

    /// The folder the units are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Units of this shard, done or not.
    pub fn mine(&self) -> usize {
        self.mine.len()
    }

    /// The units of the shard not done yet; a part that does not match its
    /// ledger is not done, and `progress` hears of it.
    pub fn pending(&self, progress: &dyn Progress) -> Vec<usize> {
        let (done, damaged) = store::inspect_units(&self.dir);
        for u in damaged.iter().filter(|u| self.mine.contains(u)) {
            progress.note(&format!(
                "the part of unit {u} does not match its ledger (damaged or missing); running it again"
            ));
        }
        self.mine
            .iter()
            .copied()
            .filter(|u| !done.contains(u))
            .collect()
    }

    /// Seconds to run the units `todo`: one replication of the first is
    /// timed per thread, side by side as the units run (replications
    /// running together share the memory bandwidth and are slower than one
    /// alone). Nothing is written; a cancel stops the timing.
    pub fn estimate(&self, todo: &[usize]) -> Result<f64, ExecError> {
        let Some(&first) = todo.first() else {
            return Ok(0.0);
        };
        let p = self.sweep.point_params(first).map_err(ExecError::Point)?;
        let side_by_side = self.threads.min(todo.len().max(1)) as u32;
        let t = Instant::now();
        if self
            .pool
            .install(|| runner::run_metrics(&p, 0..side_by_side, &self.cancel, &Silent))
            .is_none()
        {
            return Err(self.interrupted());
        }
        // Units run side by side, each one's replications in turn.
        let rounds = todo.len().div_ceil(side_by_side as usize) * self.sweep.replications as usize;
        Ok(t.elapsed().as_secs_f64() * rounds as f64)
    }

    /// Bytes on disk of `units` units' parts, each a part of one row as it
    /// is encoded (its footer is most of a small part) and 8 bytes a value
    /// for every further replication ([`store::part_bytes`]).
    pub fn part_bytes(&self, units: usize) -> Result<f64, ExecError> {
        let one = store::part_bytes(&store::SweepRecord::of(self.sweep))?;
        Ok(units as f64 * one as f64)
    }

    /// Runs every unit of the shard not done yet, writing each one's part
    /// and then recording it in the shard's ledger. Holds the shard's lock
    /// while it runs. A cancel ends it with [`ExecError::Interrupted`]
    /// after the units in flight stop; finished units are kept.
    pub fn execute(&self, progress: &dyn Progress) -> Result<Executed, ExecError> {
        let _lock = folder::Lock::acquire(&self.dir.join(format!(
            ".lock-shard-{}-of-{}",
            self.shard.index, self.shard.count
        )))?;
        let record = store::prepare(&self.dir, self.sweep)?;
        let todo = self.pending(progress);
        let executed = |ran| Executed {
            record: record.clone(),
            ran,
            done: store::done_units(&self.dir).len(),
            units: self.sweep.units(),
            mine: self.mine.len(),
        };
        if todo.is_empty() {
            return Ok(executed(0));
        }
        progress.start(
            &self.sweep.name,
            (todo.len() * self.sweep.replications as usize) as u64,
            0,
        );
        let result = self.run(&todo, &record, progress);
        progress.finish();
        let ran = result?;
        if self.cancel.is_cancelled() {
            return Err(self.interrupted());
        }
        Ok(executed(ran))
    }

    fn interrupted(&self) -> ExecError {
        ExecError::Interrupted {
            done: store::done_units(&self.dir).len(),
            total: self.sweep.units(),
            dir: self.dir.clone(),
        }
    }

    /// Runs the units of `todo` side by side (a unit's replications one
    /// after another); returns how many finished.
    fn run(
        &self,
        todo: &[usize],
        record: &SweepRecord,
        progress: &dyn Progress,
    ) -> Result<usize, ExecError> {
        let ledger = Mutex::new(Ledger::open(&self.dir, self.shard)?);
        let finished = std::sync::atomic::AtomicUsize::new(0);
        self.pool.install(|| {
            todo.par_iter()
                .try_for_each(|&unit| -> Result<(), ExecError> {
                    if self.cancel.is_cancelled() {
                        return Ok(());
                    }
                    let p = self.sweep.point_params(unit).map_err(ExecError::Point)?;
                    let worlds = self.sweep.point_worlds(unit).map_err(ExecError::Point)?;
                    let reps = 0..self.sweep.replications;
                    let Some(metrics) =
                        runner::run_metrics_serial(&p, &worlds, reps, &self.cancel, progress)
                    else {
                        return Ok(());
                    };
                    let entry = store::write_part(&self.dir, record, unit, &metrics)?;
                    // A poisoned lock means another unit panicked while
                    // recording; the ledger itself is append-only and whole.
                    let mut ledger = ledger.lock().unwrap_or_else(|e| e.into_inner());
                    ledger.record(unit, &entry)?;
                    finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Ok(())
                })
        })?;
        Ok(finished.into_inner())
    }
}
