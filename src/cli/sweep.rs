//! `trustsim sweep` and `trustsim merge`: run a sweep's units (all, or one
//! shard's), resumably, and combine the parts into one file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::interrupt;
use super::run::Bar;
use crate::api::{self, Execution};
use crate::runner::{Cancel, preflight};
use crate::sweep::exec::ExecError;
use crate::sweep::store;
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
    /// them): replication i of every design point uses set i mod M
    /// (cycled). The sets may not give a parameter the sweep varies.
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
            let file = super::run::open_sets(path)?;
            super::run::print_notes(&file.notes(sweep.replications));
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

/// Runs every unit of `shard` that is not done yet, after asking before a
/// long sweep starts; returns the folder's record.
fn run_units(
    sweep: &Sweep,
    dir: &Path,
    shard: Shard,
    threads: usize,
    args: &SweepArgs,
) -> Result<store::SweepRecord> {
    let options = api::StudyOptions {
        shard: Some(shard),
        threads: Some(threads),
        out: Some(dir.to_path_buf()),
    };
    let exec = api::plan_sweep(sweep, &options, &Cancel::from_flag(interrupt::flag()))
        .map_err(super::run::api_error)?;
    let bar = Bar::new(args.quiet, "runs");
    let todo = exec.pending(&bar);
    confirm(&exec, sweep, &todo, args)?;
    let label = exec.label();
    let done = exec.execute(&bar).map_err(interrupted)?;
    if done.ran == 0 {
        outln!(
            "{label}: all {} units already done in {}",
            done.mine,
            dir.display()
        );
    } else {
        outln!(
            "{label}: finished; {} of {} units done in {}",
            done.done,
            done.units,
            dir.display()
        );
    }
    Ok(done.record)
}

/// Turns a cancelled sweep into the interrupted error (exit code 130).
pub fn interrupted(e: ExecError) -> anyhow::Error {
    match e {
        ExecError::Interrupted { .. } => interrupt::Interrupted(e.to_string()).into(),
        ExecError::Run(e) => super::run::interrupted(e),
        other => other.into(),
    }
}

/// Pre-flight before anything is written: times one replication of the
/// first unit of `todo`, then asks before a long sweep starts.
fn confirm(exec: &Execution, sweep: &Sweep, todo: &[usize], args: &SweepArgs) -> Result<()> {
    if todo.is_empty() {
        return Ok(());
    }
    let seconds = exec.estimate(todo).map_err(interrupted)?;
    let bytes = exec.part_bytes(todo.len())?;
    outln!(
        "{}: {} of {} units to run ({} already done) x {} replications = {} runs; estimated {} on {} threads and {} of disk -> {}",
        exec.label(),
        todo.len(),
        exec.mine(),
        exec.mine() - todo.len(),
        sweep.replications,
        todo.len() * sweep.replications as usize,
        preflight::human_seconds(seconds),
        exec.threads(),
        preflight::human_bytes(bytes),
        exec.dir().display()
    );
    let flags = super::run::RunFlags {
        yes: args.yes,
        ask_over: args.ask_over,
        ..super::run::RunFlags::none()
    };
    super::run::confirm_duration(&format!("sweep {}", sweep.name), seconds, &flags)
}

pub fn merge(dir: &Path) -> Result<()> {
    let (path, rows) = store::merge(dir)?;
    outln!("merged {rows} rows into {}", path.display());
    Ok(())
}
