//! The command-line interface: argument parsing, progress, printed tables and
//! the wiring of scenario -> ensemble -> output. Only this layer prints.

mod compare;
pub mod interrupt;
mod params;
mod plot;
mod run;
mod sensitivity;
mod slurm;
mod sweep;
mod table;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::calibration;
use crate::model::Params;
use crate::output::{self, SummaryRow};
use crate::scenario;

/// Agent-based simulator of leadership turnover, staff engagement and
/// outcomes in NHS trusts.
#[derive(Debug, Parser)]
#[command(name = "trustsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's ensemble and write parquet results to output/<name>/.
    Run(RunArgs),
    /// Validate a scenario file without running it and print the resolved scenario.
    Check {
        /// Scenario file (TOML).
        file: PathBuf,
    },
    /// List every parameter with its default (or a scenario's value),
    /// allowed range, unit and description.
    Params(params::ParamsArgs),
    /// Print the calibration table of a finished run.
    Validate {
        /// Run folder written by `trustsim run`.
        run_dir: PathBuf,
    },
    /// Run policy variants with common random numbers and report paired
    /// differences against the first.
    Compare(compare::CompareArgs),
    /// Run a parameter sweep (grid, Latin hypercube or Sobol design), or one
    /// shard of it; rerunning skips finished units.
    Sweep(sweep::SweepArgs),
    /// Morris screening or Sobol indices of chosen outputs (runs as a
    /// resumable, shardable sweep, then analyses).
    Sensitivity(sweep::SweepArgs),
    /// Write a SLURM job-array script for a sweep (one task per shard) and a
    /// merge job that runs when every task succeeded.
    Slurm(slurm::SlurmArgs),
    /// Combine a sweep's parts into sweep.parquet; lists what is missing.
    Merge {
        /// Sweep folder.
        dir: PathBuf,
    },
    /// (Re)draw the charts of one or more runs from their parquet files;
    /// several runs are overlaid, one colour per scenario.
    Plot {
        /// Run folders written by `trustsim run`.
        #[arg(required = true)]
        run_dirs: Vec<PathBuf>,
        /// Folder for the charts (default: RUN_DIR/charts for one run).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a self-contained HTML report of one or more runs.
    Report {
        /// Run folders written by `trustsim run`.
        #[arg(required = true)]
        run_dirs: Vec<PathBuf>,
        /// Report file (default: RUN_DIR/report.html for one run).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    #[command(flatten)]
    flags: run::RunFlags,
    /// Check the model invariants of every replication and stop at the first
    /// violation (always on in debug builds).
    #[arg(long)]
    check_invariants: bool,
    /// Run even if the pre-flight estimate says the output will not fit on the disk.
    #[arg(long)]
    force: bool,
}

/// Parses the arguments and runs the command.
pub fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check { file } => check(&file),
        Command::Params(a) => params::params(a),
        Command::Validate { run_dir } => validate(&run_dir),
        Command::Plot { run_dirs, out } => plot::plot(&run_dirs, out),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge { dir } => sweep::merge(&dir),
        Command::Slurm(a) => slurm::slurm(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Compare(a) => compare::compare(a),
        Command::Report { run_dirs, out } => plot::report(&run_dirs, out),
    }
}

fn load(file: &Path) -> Result<Params> {
    Ok(scenario::load(file)?.params)
}

fn check(file: &Path) -> Result<()> {
    let s = scenario::load(file)?;
    let chain: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
    println!(
        "# {} is valid (extends chain: {})",
        file.display(),
        chain.join(" <- ")
    );
    println!("# scenario hash: {}", scenario::scenario_hash(&s.params));
    print!("{}", scenario::resolved_toml(&s.params));
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
    let mut p = load(&args.file)?;
    let f = &args.flags;
    run::apply_overrides(&mut p, f.replications, f.seed, f.months)?;
    let opts = run::RunOptions {
        threads: run::threads(f.threads)?,
        quiet: f.quiet,
        charts: !f.no_charts,
        check_invariants: args.check_invariants,
        force: args.force,
        resume: true,
    };
    let dir = f
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&p.run.name));
    let report = run::run_to_dir(&p, &dir, &opts, &mut |_| {})?;
    println!(
        "{}: {} replications x {} trusts x {} months in {:.1} s ({:.1} M staff-agent-months/s; writing {:.0} % of run time) -> {}",
        p.run.name,
        p.run.replications,
        p.trusts.all().iter().map(|t| t.count).sum::<u32>(),
        p.run.months,
        report.wall_seconds,
        report.staff_months as f64 / report.wall_seconds / 1e6,
        100.0 * report.write_seconds / report.wall_seconds,
        dir.display()
    );
    println!();
    print!("{}", table::headline(&report.rows));
    println!();
    print!(
        "{}",
        table::calibration(&calibration::check(quantile_lookup(&report.rows)))
    );
    Ok(())
}

fn validate(dir: &Path) -> Result<()> {
    let path = dir.join("summary.parquet");
    let rows = output::read_summary(&path)?;
    if let Ok(m) = output::read_manifest(&dir.join("manifest.json")) {
        println!(
            "{}: {} replications, seed {}, scenario hash {}",
            m.scenario_name,
            m.replications,
            m.seed,
            &m.scenario_hash[..m.scenario_hash.len().min(12)]
        );
        println!();
    }
    let checks = calibration::check(quantile_lookup(&rows));
    print!("{}", table::calibration(&checks));
    let failed = checks.iter().filter(|c| !c.pass).count();
    if failed > 0 {
        println!();
        println!(
            "{failed} of {} targets outside their evidence range",
            checks.len()
        );
    }
    Ok(())
}

fn quantile_lookup(rows: &[SummaryRow]) -> impl Fn(&str) -> Option<(f64, f64, f64)> + '_ {
    |k| {
        rows.iter()
            .find(|r| r.metric == k)
            .map(|r| (r.p05, r.p50, r.p95))
    }
}
