//! The command-line interface: argument parsing, progress, printed tables and
//! the wiring of scenario -> ensemble -> output. Only this layer prints.

mod plot;
mod table;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::calibration::{self, METRICS};
use crate::ensemble::{Finished, run_ensemble};
use crate::model::{Params, ReplicationResult};
use crate::output::{self, FileMeta, Manifest, ResultWriter, SummaryRow};
use crate::scenario;
use crate::stats;

/// Replications per batch (one parquet row group per batch).
pub const BATCH_REPLICATIONS: usize = 16;

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
    /// Print the calibration table of a finished run.
    Validate {
        /// Run folder written by `trustsim run`.
        run_dir: PathBuf,
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
    /// Number of replications (overrides run.replications).
    #[arg(long)]
    replications: Option<u32>,
    /// Base seed (overrides run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Reported months after burn-in (overrides run.months).
    #[arg(long)]
    months: Option<u32>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Do not draw charts into RUN_DIR/charts.
    #[arg(long)]
    no_charts: bool,
}

/// Parses the arguments and runs the command.
pub fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check { file } => check(&file),
        Command::Validate { run_dir } => validate(&run_dir),
        Command::Plot { run_dirs, out } => plot::plot(&run_dirs, out),
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
    if let Some(r) = args.replications {
        p.run.replications = r;
    }
    if let Some(s) = args.seed {
        p.run.seed = s;
    }
    if let Some(m) = args.months {
        p.run.months = m;
    }
    scenario::validate(&p, "command line")?;
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&p.run.name));
    let hash = scenario::scenario_hash(&p);
    let meta = FileMeta {
        scenario_hash: hash.clone(),
        seed: p.run.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: p.run.name.clone(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;

    let started = Instant::now();
    let mut writer = ResultWriter::create(&dir, &meta)?;
    let reps = p.run.replications;
    let bar = progress_bar(reps, args.quiet);
    let done = AtomicU32::new(0);
    let staff_months = std::sync::atomic::AtomicU64::new(0);
    let on_done = |f: &Finished| {
        done.fetch_add(1, Ordering::Relaxed);
        staff_months.fetch_add(f.result.staff_months, Ordering::Relaxed);
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let mut write_secs = 0.0;
    // A fixed batch size: row groups, and so the bytes of every file, must not
    // depend on the thread count.
    let batch = BATCH_REPLICATIONS;
    let metrics = pool.install(|| {
        run_ensemble(
            &p,
            0..reps,
            batch,
            &on_done,
            &|| false,
            &mut |b: &[Finished]| {
                let t = Instant::now();
                let results: Vec<&ReplicationResult> = b.iter().map(|f| &f.result).collect();
                let r = writer.write(&results);
                write_secs += t.elapsed().as_secs_f64();
                r
            },
        )
    })?;
    let t = Instant::now();
    writer.finish()?;
    let rows = summarize(&metrics);
    output::write_summary(&dir.join("summary.parquet"), &rows, &meta)?;
    write_secs += t.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let wall = started.elapsed().as_secs_f64();
    let manifest = Manifest {
        trustsim_version: meta.version.clone(),
        scenario_name: p.run.name.clone(),
        scenario_hash: hash,
        seed: p.run.seed,
        replications: reps,
        months: p.run.months,
        burn_in_months: p.run.burn_in_months,
        threads,
        wall_time_seconds: wall,
        complete: true,
        files: vec![
            "trust_months.parquet".into(),
            "ceo_spells.parquet".into(),
            "summary.parquet".into(),
        ],
        scenario: serde_json::to_value(&p).context("cannot describe the scenario")?,
    };
    output::write_manifest(&dir.join("manifest.json"), &manifest)?;
    if !args.no_charts {
        crate::charts::render_run_charts(std::slice::from_ref(&dir), &dir.join("charts"))?;
    }

    let sm = staff_months.load(Ordering::Relaxed) as f64;
    println!(
        "{}: {} replications x {} trusts x {} months in {:.1} s ({:.1} M staff-agent-months/s; writing {:.0} % of run time) -> {}",
        p.run.name,
        reps,
        p.trusts.all().iter().map(|t| t.count).sum::<u32>(),
        p.run.months,
        wall,
        sm / wall / 1e6,
        100.0 * write_secs / wall,
        dir.display()
    );
    println!();
    print!("{}", table::headline(&rows));
    println!();
    print!(
        "{}",
        table::calibration(&calibration::check(quantile_lookup(&rows)))
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

/// Quantiles across replications of every metric.
pub fn summarize(metrics: &[Vec<f64>]) -> Vec<SummaryRow> {
    METRICS
        .iter()
        .enumerate()
        .map(|(k, def)| {
            let values: Vec<f64> = metrics.iter().map(|m| m[k]).collect();
            let v = stats::sorted(&values);
            SummaryRow {
                metric: def.key.to_string(),
                n: v.len() as u32,
                mean: stats::mean(&v),
                sd: stats::sd(&v),
                p05: stats::quantile(&v, 0.05),
                p25: stats::quantile(&v, 0.25),
                p50: stats::quantile(&v, 0.5),
                p75: stats::quantile(&v, 0.75),
                p95: stats::quantile(&v, 0.95),
            }
        })
        .collect()
}

fn progress_bar(n: u32, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(u64::from(n));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} replications  {elapsed} elapsed, ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}
