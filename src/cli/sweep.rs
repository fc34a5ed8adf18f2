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
    let _lock = folder::Lock::acquire(
        &dir.join(format!(".lock-shard-{}-of-{}", shard.index, shard.count)),
    )?;
    let record = store::prepare(dir, sweep)?;
    let done = store::done_units(dir);
    let mine: Vec<usize> = (0..sweep.units()).filter(|u| shard.owns(*u)).collect();
    let pending: Vec<usize> = mine.iter().copied().filter(|u| !done.contains(u)).collect();
    let reps = sweep.replications;
    let shard_label = if shard == Shard::ALL {
        String::new()
    } else {
        format!(" (shard {}/{})", shard.index, shard.count)
    };
    if pending.is_empty() {
        println!(
            "{}{shard_label}: all {} units already done in {}",
            sweep.name,
            mine.len(),
            dir.display()
        );
        return Ok(record);
    }
    let pool = runner::pool(threads)?;

    // Pre-flight: time one replication of the first pending point (which a
    // Ctrl-C stops too), then ask before a long sweep starts.
    let cancel = Cancel::from_flag(interrupt::flag());
    let first = sweep.point_params(pending[0]).map_err(anyhow::Error::msg)?;
    let t = Instant::now();
    let probe = pool.install(|| runner::run_metrics(&first, 0..1, &cancel, &Silent));
    let per_run = t.elapsed().as_secs_f64();
    let Some(probe) = probe else {
        return Err(interrupt::Interrupted("nothing was run".into()).into());
    };
    let part = store::part_frame(&record, pending[0], &vec![probe[0].clone(); reps as usize])?;
    let part_bytes = 2_000.0 + part.estimated_size() as f64;
    let runs = pending.len() * reps as usize;
    let seconds = per_run * runs as f64 / threads as f64;
    println!(
        "{}{shard_label}: {} of {} units to run ({} already done) x {reps} replications = {runs} runs; estimated {} on {threads} threads and {} of disk (probe: one replication in {:.2} s) -> {}",
        sweep.name,
        pending.len(),
        mine.len(),
        mine.len() - pending.len(),
        preflight::human_seconds(seconds),
        preflight::human_bytes(part_bytes * pending.len() as f64),
        per_run,
        dir.display()
    );
    let flags = super::run::RunFlags {
        yes: args.yes,
        ask_over: args.ask_over,
        ..super::run::RunFlags::none()
    };
    super::run::confirm_duration(&format!("sweep {}", sweep.name), seconds, &flags)?;

    let ledger = Mutex::new(Ledger::open(dir, shard)?);
    let bar = Bar::new(args.quiet, "runs");
    bar.start(&sweep.name, runs as u64, 0);
    pool.install(|| {
        pending.par_iter().try_for_each(|&unit| -> Result<()> {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let p = sweep.point_params(unit).map_err(anyhow::Error::msg)?;
            // Replications of a unit run one after another on this worker;
            // units run side by side.
            let Some(metrics) = runner::run_metrics_serial(&p, 0..reps, &cancel, &bar) else {
                return Ok(());
            };
            store::write_part(dir, &record, unit, &metrics)?;
            ledger
                .lock()
                .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?
                .record(unit)?;
            Ok(())
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
        "{}{shard_label}: finished; {now} of {} units done in {}",
        sweep.name,
        sweep.units(),
        dir.display()
    );
    Ok(record)
}

pub fn merge(dir: &Path) -> Result<()> {
    let (path, rows) = store::merge(dir)?;
    println!("merged {rows} rows into {}", path.display());
    Ok(())
}
