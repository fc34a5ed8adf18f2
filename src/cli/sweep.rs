//! `trustsim sweep` and `trustsim merge`: run a sweep's units (all, or one
//! shard's), resumably, and combine the parts into one file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use super::interrupt;
use super::run::Bar;
use crate::runner::{self, Cancel, Progress, Silent, folder, preflight};
use crate::sweep::store::{self, Ledger};
use crate::sweep::{Shard, Sweep};

/// Command-line options of `sweep` and `sensitivity`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// Sweep or sensitivity file (TOML with a [sweep] or [sensitivity] table).
    pub file: PathBuf,
    /// Run only the units whose index is I mod N: `I/N`, or `auto/N` to take
    /// I from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or
    /// AWS_BATCH_JOB_ARRAY_INDEX.
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Plausible parameter sets (parquet, as `trustsim calibrate` writes
    /// them; `sweep` only): replication i of every design point uses set i
    /// mod M (cycled). The sets may not give a parameter the sweep varies.
    #[arg(long, value_name = "FILE")]
    pub parameter_sets: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run without asking even if the estimate is over --ask-over.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Ask (or, without a terminal, refuse unless --yes) when the sweep is
    /// estimated to take longer than this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = 1.0)]
    pub ask_over: f64,
}

impl SweepArgs {
    /// The shard to run (all units without `--shard`).
    pub fn shard(&self) -> Result<Shard> {
        match &self.shard {
            Some(s) => Shard::parse(s, &|k| std::env::var(k).ok()).map_err(anyhow::Error::msg),
            None => Ok(Shard::ALL),
        }
    }
}

pub fn sweep(args: SweepArgs) -> Result<()> {
    let sweep = with_sets(Sweep::load(&args.file)?, args.parameter_sets.as_deref())?;
    run_sweep(&sweep, &args)?;
    Ok(())
}

/// `sweep` with the parameter sets at `path`, if given.
pub fn with_sets(sweep: Sweep, path: Option<&Path>) -> Result<Sweep> {
    Ok(match path {
        Some(path) => {
            let file = super::run::open_sets(path, sweep.replications)?;
            sweep.with_parameter_sets(file)?
        }
        None => sweep,
    })
}

/// Runs the units of `sweep` that `args` ask for (all, or one shard's) into
/// the folder they name; returns that folder and its record.
pub fn run_sweep(sweep: &Sweep, args: &SweepArgs) -> Result<(PathBuf, store::SweepRecord)> {
    let shard = args.shard()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&sweep.name));
    let threads = preflight::threads(args.threads).map_err(anyhow::Error::msg)?;
    let record = run_units(sweep, &dir, shard, threads, args)?;
    Ok((dir, record))
}

/// One shard's share of a sweep, and what runs it.
struct Units<'a> {
    sweep: &'a Sweep,
    dir: &'a Path,
    shard: Shard,
    threads: usize,
    /// How the messages name the sweep (and the shard).
    label: String,
    /// The units of the shard, done or not.
    mine: Vec<usize>,
    pool: rayon::ThreadPool,
    cancel: Cancel,
}

impl Units<'_> {
    /// The units of the shard not done yet.
    fn pending(&self) -> Vec<usize> {
        let (done, damaged) = store::inspect_units(self.dir);
        for u in damaged.iter().filter(|u| self.mine.contains(u)) {
            errln!(
                "note: the part of unit {u} does not match its ledger (damaged or missing); running it again"
            );
        }
        self.mine
            .iter()
            .copied()
            .filter(|u| !done.contains(u))
            .collect()
    }

    /// Pre-flight before anything is written: times one replication of the
    /// first unit of `todo`, then asks before a long sweep starts.
    fn confirm(&self, todo: &[usize], args: &SweepArgs) -> Result<()> {
        let Some(&first) = todo.first() else {
            return Ok(());
        };
        let (sweep, threads) = (self.sweep, self.threads);
        let seconds = self.estimate(first, todo.len())?;
        outln!(
            "{}: {} of {} units to run ({} already done) x {} replications = {} runs; estimated {} on {threads} threads and {} of disk -> {}",
            self.label,
            todo.len(),
            self.mine.len(),
            self.mine.len() - todo.len(),
            sweep.replications,
            todo.len() * sweep.replications as usize,
            preflight::human_seconds(seconds),
            preflight::human_bytes(part_bytes(sweep) * todo.len() as f64),
            self.dir.display()
        );
        let flags = super::run::RunFlags {
            yes: args.yes,
            ask_over: args.ask_over,
            ..super::run::RunFlags::none()
        };
        super::run::confirm_duration(&format!("sweep {}", sweep.name), seconds, &flags)
    }

    /// Seconds for `units` units: one replication of unit `first` per
    /// thread is timed, side by side as the units run (replications running
    /// together share the memory bandwidth and are slower than one alone;
    /// Ctrl-C stops them too).
    fn estimate(&self, first: usize, units: usize) -> Result<f64> {
        let p = self.sweep.point_params(first).map_err(anyhow::Error::msg)?;
        let side_by_side = self.threads.min(units.max(1)) as u32;
        let t = Instant::now();
        if self
            .pool
            .install(|| runner::run_metrics(&p, 0..side_by_side, &self.cancel, &Silent))
            .is_none()
        {
            return Err(interrupt::Interrupted("nothing was run".into()).into());
        }
        // Units run side by side, each one's replications in turn.
        let rounds = units.div_ceil(side_by_side as usize) * self.sweep.replications as usize;
        Ok(t.elapsed().as_secs_f64() * rounds as f64)
    }

    /// Runs the units of `todo` side by side (a unit's replications one
    /// after another), writing each one's part and then recording it in the
    /// shard's ledger; stops early when cancelled.
    fn run(&self, todo: &[usize], record: &store::SweepRecord, bar: &Bar) -> Result<()> {
        let ledger = Mutex::new(Ledger::open(self.dir, self.shard)?);
        self.pool.install(|| {
            todo.par_iter().try_for_each(|&unit| -> Result<()> {
                if self.cancel.is_cancelled() {
                    return Ok(());
                }
                let p = self.sweep.point_params(unit).map_err(anyhow::Error::msg)?;
                let worlds = self.sweep.point_worlds(unit).map_err(anyhow::Error::msg)?;
                // A unit's replications run one after another on this worker;
                // units run side by side.
                let reps = 0..self.sweep.replications;
                let Some(metrics) =
                    runner::run_metrics_serial(&p, &worlds, reps, &self.cancel, bar)
                else {
                    return Ok(());
                };
                let entry = store::write_part(self.dir, record, unit, &metrics)?;
                ledger
                    .lock()
                    .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?
                    .record(unit, &entry)
                    .map_err(Into::into)
            })
        })
    }
}

/// Runs every unit of `shard` that is not done yet; returns the folder's record.
fn run_units(
    sweep: &Sweep,
    dir: &Path,
    shard: Shard,
    threads: usize,
    args: &SweepArgs,
) -> Result<store::SweepRecord> {
    let units = Units {
        sweep,
        dir,
        shard,
        threads,
        label: if shard == Shard::ALL {
            sweep.name.clone()
        } else {
            format!("{} (shard {}/{})", sweep.name, shard.index, shard.count)
        },
        mine: (0..sweep.units()).filter(|u| shard.owns(*u)).collect(),
        pool: runner::pool(threads)?,
        cancel: Cancel::from_flag(interrupt::flag()),
    };
    units.confirm(&units.pending(), args)?;
    let _lock = folder::Lock::acquire(
        &dir.join(format!(".lock-shard-{}-of-{}", shard.index, shard.count)),
    )?;
    let record = store::prepare(dir, sweep)?;
    let todo = units.pending();
    if todo.is_empty() {
        outln!(
            "{}: all {} units already done in {}",
            units.label,
            units.mine.len(),
            dir.display()
        );
        return Ok(record);
    }
    let bar = Bar::new(args.quiet, "runs");
    bar.start(
        &sweep.name,
        (todo.len() * sweep.replications as usize) as u64,
        0,
    );
    units.run(&todo, &record, &bar)?;
    bar.finish();
    let now = store::done_units(dir).len();
    if units.cancel.is_cancelled() {
        return Err(interrupt::Interrupted(format!(
            "{now} of {} units done in {}; run the same command again to resume",
            sweep.units(),
            dir.display()
        ))
        .into());
    }
    outln!(
        "{}: finished; {now} of {} units done in {}",
        units.label,
        sweep.units(),
        dir.display()
    );
    Ok(record)
}

/// Bytes of one unit's part: a footer and one value per replication and column.
fn part_bytes(sweep: &Sweep) -> f64 {
    let columns = 2 + sweep.parameters.len() + crate::metrics::METRICS.len();
    2_000.0 + 8.0 * (columns * sweep.replications as usize) as f64
}

pub fn merge(dir: &Path) -> Result<()> {
    let (path, rows) = store::merge(dir)?;
    outln!("merged {rows} rows into {}", path.display());
    Ok(())
}
