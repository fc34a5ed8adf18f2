//! `trustsim sweep` and `trustsim merge`: run a sweep's units (all, or one
//! shard's), resumably, and combine the parts into one file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::run;
use crate::calibration::replication_metrics;
use crate::ensemble::run_ensemble;
use crate::model::run_replication;
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

fn human_seconds(s: f64) -> String {
    match s {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 5400.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

fn human_bytes(b: f64) -> String {
    match b {
        b if b < 1e6 => format!("{:.0} kB", b / 1e3),
        b if b < 1e9 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.1} GB", b / 1e9),
    }
}

pub fn sweep(args: SweepArgs) -> Result<()> {
    let sweep = Sweep::load(&args.file)?;
    let shard = args.shard()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&sweep.name));
    run_units(&sweep, &dir, shard, run::threads(args.threads)?, args.quiet)?;
    Ok(())
}

/// Runs every unit of `shard` that is not done yet; returns the folder's record.
pub fn run_units(
    sweep: &Sweep,
    dir: &Path,
    shard: Shard,
    threads: usize,
    quiet: bool,
) -> Result<store::SweepRecord> {
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;

    // Pre-flight: time one replication of the first pending point.
    let first = sweep.point_params(pending[0]).map_err(anyhow::Error::msg)?;
    let t = Instant::now();
    let probe = pool.install(|| replication_metrics(&run_replication(&first, 0), &first));
    let per_run = t.elapsed().as_secs_f64();
    let part = store::part_frame(&record, pending[0], &vec![probe; reps as usize])?;
    let part_bytes = 2_000.0 + part.estimated_size() as f64;
    let runs = pending.len() * reps as usize;
    println!(
        "{}{shard_label}: {} of {} units to run ({} already done) x {reps} replications = {runs} runs; estimated {} on {threads} threads and {} of disk (probe: one replication in {:.2} s) -> {}",
        sweep.name,
        pending.len(),
        mine.len(),
        mine.len() - pending.len(),
        human_seconds(per_run * runs as f64 / threads as f64),
        human_bytes(part_bytes * pending.len() as f64),
        per_run,
        dir.display()
    );

    let ledger = Mutex::new(Ledger::open(dir, shard)?);
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(runs as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs  {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let stop = super::interrupt::flag();
    pool.install(|| {
        pending.par_iter().try_for_each(|&unit| -> Result<()> {
            if super::interrupt::requested(&stop) {
                return Ok(());
            }
            let p = sweep.point_params(unit).map_err(anyhow::Error::msg)?;
            let metrics = run_ensemble::<std::convert::Infallible>(
                &p,
                0..reps,
                reps as usize,
                &|_| {
                    if let Some(b) = &bar {
                        b.inc(1);
                    }
                },
                &|| false,
                &mut |_| Ok(()),
            )
            .unwrap_or_else(|e| match e {});
            store::write_part(dir, &record, unit, &metrics)?;
            ledger
                .lock()
                .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))?
                .record(unit)?;
            Ok(())
        })
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let now = store::done_units(dir).len();
    if super::interrupt::requested(&stop) {
        return Err(super::interrupt::Interrupted(format!(
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
