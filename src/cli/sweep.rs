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
    let sweep = Sweep::load(&args.file)?;
    let shard = args.shard()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&sweep.name));
    let threads = preflight::threads(args.threads).map_err(anyhow::Error::msg)?;
    run_units(&sweep, &dir, shard, threads, &args)?;
    Ok(())
}

/// Runs every unit of `shard` that is not done yet; returns the folder's record.
pub fn run_units(
    sweep: &Sweep,
    dir: &Path,
    shard: Shard,
    threads: usize,
    args: &SweepArgs,
) -> Result<store::SweepRecord> {
    let label = if shard == Shard::ALL {
        sweep.name.clone()
    } else {
        format!("{} (shard {}/{})", sweep.name, shard.index, shard.count)
    };
    let mine: Vec<usize> = (0..sweep.units()).filter(|u| shard.owns(*u)).collect();
    let pending = |done: &std::collections::BTreeSet<usize>| -> Vec<usize> {
        mine.iter().copied().filter(|u| !done.contains(u)).collect()
    };
    let pool = runner::pool(threads)?;
    let cancel = Cancel::from_flag(interrupt::flag());
    // Pre-flight before anything is written: time one replication, then
    // ask before a long sweep starts.
    let todo = pending(&store::done_units(dir));
    if let Some(&first) = todo.first() {
        let seconds = estimate(sweep, first, todo.len(), threads, &pool, &cancel)?;
        println!(
            "{label}: {} of {} units to run ({} already done) x {} replications = {} runs; estimated {} on {threads} threads and {} of disk -> {}",
            todo.len(),
            mine.len(),
            mine.len() - todo.len(),
            sweep.replications,
            todo.len() * sweep.replications as usize,
            preflight::human_seconds(seconds),
            preflight::human_bytes(part_bytes(sweep) * todo.len() as f64),
            dir.display()
        );
        let flags = super::run::RunFlags {
            yes: args.yes,
            ask_over: args.ask_over,
            ..super::run::RunFlags::none()
        };
        super::run::confirm_duration(&format!("sweep {}", sweep.name), seconds, &flags)?;
    }
    let _lock = folder::Lock::acquire(
        &dir.join(format!(".lock-shard-{}-of-{}", shard.index, shard.count)),
    )?;
    let record = store::prepare(dir, sweep)?;
    let todo = pending(&store::done_units(dir));
    if todo.is_empty() {
        println!(
            "{label}: all {} units already done in {}",
            mine.len(),
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
    let ledger = Mutex::new(Ledger::open(dir, shard)?);
    pool.install(|| {
        todo.par_iter().try_for_each(|&unit| -> Result<()> {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let p = sweep.point_params(unit).map_err(anyhow::Error::msg)?;
            // A unit's replications run one after another on this worker;
            // units run side by side.
            let reps = 0..sweep.replications;
            let Some(metrics) = runner::run_metrics_serial(&p, reps, &cancel, &bar) else {
                return Ok(());
            };
            store::write_part(dir, &record, unit, &metrics)?;
            ledger
                .lock()
                .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?
                .record(unit)
                .map_err(Into::into)
        })
    })?;
    bar.finish();
    let now = store::done_units(dir).len();
    if cancel.is_cancelled() {
        return Err(interrupt::Interrupted(format!(
            "{now} of {} units done in {}; run the same command again to resume",
            sweep.units(),
            dir.display()
        ))
        .into());
    }
    println!(
        "{label}: finished; {now} of {} units done in {}",
        sweep.units(),
        dir.display()
    );
    Ok(record)
}

/// Seconds for `units` units: one replication of unit `first` is timed
/// (Ctrl-C stops it too).
fn estimate(
    sweep: &Sweep,
    first: usize,
    units: usize,
    threads: usize,
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
) -> Result<f64> {
    let p = sweep.point_params(first).map_err(anyhow::Error::msg)?;
    let t = Instant::now();
    if pool
        .install(|| runner::run_metrics(&p, 0..1, cancel, &Silent))
        .is_none()
    {
        return Err(interrupt::Interrupted("nothing was run".into()).into());
    }
    let per_run = t.elapsed().as_secs_f64();
    Ok(per_run * (units * sweep.replications as usize) as f64 / threads as f64)
}

/// Bytes of one unit's part: a footer and one value per replication and column.
fn part_bytes(sweep: &Sweep) -> f64 {
    let columns = 2 + sweep.parameters.len() + crate::metrics::METRICS.len();
    2_000.0 + 8.0 * (columns * sweep.replications as usize) as f64
}

pub fn merge(dir: &Path) -> Result<()> {
    let (path, rows) = store::merge(dir)?;
    println!("merged {rows} rows into {}", path.display());
    Ok(())
}
