//! The command-line interface: argument parsing, progress, printed tables
//! and the wiring of scenario -> runner -> output. Only this layer prints.

#[macro_use]
pub mod out;

mod calibrate;
mod columns;
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
use clap::{CommandFactory, Parser, Subcommand};

use crate::output::{self, Manifest};
use crate::scenario;

/// The version with the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("TRUSTSIM_COMMIT"),
    ")"
);

/// Agent-based simulator of leadership turnover, staff engagement and
/// outcomes in NHS trusts.
#[derive(Debug, Parser)]
#[command(name = "trustsim", version = VERSION, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's ensemble and write parquet results to output/<name>/.
    Run(run::RunArgs),
    /// Validate a scenario file without running it and print the resolved scenario.
    Check {
        /// Scenario file (TOML).
        file: PathBuf,
        /// Settings to layer over the file, as `run` takes them.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// List every parameter with its default (or a scenario's value),
    /// allowed range, unit and description.
    Params(params::ParamsArgs),
    /// The data dictionary: every output table and column with its type,
    /// unit and description.
    Columns(columns::ColumnsArgs),
    /// Every metric key (summary, replications, comparisons, sensitivity
    /// outputs, calibration targets) with its label, unit, how it is
    /// measured and its target.
    Metrics(columns::MetricsArgs),
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
    #[command(mut_arg("file", |a| a.help("Sweep file (TOML with a [sweep] table)")))]
    Sweep(sweep::SweepArgs),
    /// Morris screening or Sobol indices of chosen outputs (runs as a
    /// resumable, shardable sweep, then analyses).
    #[command(
        mut_arg("file", |a| a.help("Sensitivity file (TOML with a [sensitivity] table)")),
        mut_arg("parameter_sets", |a| a.help(
            "Not taken by a sensitivity analysis: its design varies the parameters itself \
             (give plausible parameter sets to run, compare or sweep)"
        )),
    )]
    Sensitivity(sweep::SweepArgs),
    /// History matching of a calibration file's uncertain parameters
    /// against its targets, in waves of runs (each a resumable, shardable
    /// sweep) screened by Gaussian-process emulators; writes the plausible
    /// parameter sets for `--parameter-sets`.
    #[command(
        mut_arg("file", |a| a.help("Calibration file (TOML with a [calibration] table: base scenario, parameters with prior ranges, targets)")),
        mut_arg("parameter_sets", |a| a.help(
            "Not taken by a calibration: it searches its parameters itself and writes the plausible sets \
             to OUT/parameter_sets.parquet, which run, compare and sweep take"
        )),
    )]
    Calibrate(calibrate::CalibrateArgs),
    /// Write a SLURM job-array script for a sweep (one task per shard) and a
    /// merge job that runs when every task succeeded; for a calibration, one
    /// array per wave, chained until the results are written.
    Slurm(slurm::SlurmArgs),
    /// Combine a sweep's parts into sweep.parquet; lists what is missing.
    Merge {
        /// Sweep folder.
        dir: PathBuf,
    },
    /// (Re)draw the charts of one or more runs from their parquet files;
    /// several runs are overlaid, one colour per scenario. Given a
    /// comparison folder, redraws its forest and difference charts.
    Plot {
        /// Run folders written by `trustsim run` (or one comparison folder
        /// written by `trustsim compare`).
        #[arg(required = true)]
        run_dirs: Vec<PathBuf>,
        /// Folder for the charts (default: RUN_DIR/charts for one run).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Draw the trust view of the trust with this code (see
        /// trusts.parquet), or the one trust whose name contains this text
        /// (any case), into RUN_DIR/charts/trust-CODE/ instead.
        #[arg(long, value_name = "CODE")]
        trust: Option<String>,
    },
    /// Write a self-contained HTML report of one or more runs, or of a
    /// comparison folder written by `trustsim compare`.
    Report {
        /// Run folders written by `trustsim run`, or one comparison folder.
        #[arg(required = true)]
        run_dirs: Vec<PathBuf>,
        /// Report file (default: DIR/report.html for one folder, or
        /// DIR/report-CODE.html with --trust).
        #[arg(long)]
        out: Option<PathBuf>,
        /// End the report of one run with the trust view of the trust with
        /// this code (see trusts.parquet), or of the one trust whose name
        /// contains this text (any case); for a comparison folder, report
        /// that trust in each policy's world against its own baseline world.
        #[arg(long, value_name = "CODE")]
        trust: Option<String>,
        /// Paper the report is laid out for when printed.
        #[arg(long, value_enum, default_value_t = PaperSize::A4)]
        paper: PaperSize,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions { shell: clap_complete::Shell },
}

/// The paper sizes `report --paper` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PaperSize {
    /// ISO A4 (210 x 297 mm), as NHS board papers are printed.
    A4,
    /// US Letter (8.5 x 11 in).
    Letter,
}

impl From<PaperSize> for crate::report::Paper {
    fn from(p: PaperSize) -> Self {
        match p {
            PaperSize::A4 => crate::report::Paper::A4,
            PaperSize::Letter => crate::report::Paper::Letter,
        }
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> Result<()> {
    let cli = Cli::parse();
    // A check, not a setting: the staff loop gives the same bits either way.
    match std::env::var("TRUSTSIM_KERNEL").as_deref() {
        Ok("portable") => {
            crate::model::staff::set_kernel_width(crate::model::staff::Width::Portable)
        }
        Ok("avx2") => crate::model::staff::set_kernel_width(crate::model::staff::Width::Avx2),
        Ok(other) => errln!(
            "warning: TRUSTSIM_KERNEL={other:?} is not a staff-loop width (\"avx2\" or \"portable\"); the widest runs"
        ),
        Err(_) => {}
    }
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check { file, set } => check(&file, &set),
        Command::Params(a) => params::params(a),
        Command::Columns(a) => columns::columns(a),
        Command::Metrics(a) => columns::metrics(a),
        Command::Validate { run_dir } => validate(&run_dir),
        Command::Plot {
            run_dirs,
            out,
            trust: None,
        } => plot::plot(&run_dirs, out),
        Command::Plot {
            run_dirs,
            out,
            trust: Some(code),
        } => plot::plot_trust(&run_dirs, &code, out),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge { dir } => sweep::merge(&dir),
        Command::Slurm(a) => slurm::slurm(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Calibrate(a) => calibrate::calibrate(a),
        Command::Compare(a) => compare::compare(a),
        Command::Report {
            run_dirs,
            out,
            trust,
            paper,
        } => plot::report(&run_dirs, out, trust.as_deref(), paper.into()),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "trustsim", &mut script);
            out::write_out_bytes(&script);
            Ok(())
        }
    }
}

fn check(file: &Path, set: &[String]) -> Result<()> {
    let settings: Vec<scenario::Setting> = set.iter().map(|s| scenario::Setting::set(s)).collect();
    let s = scenario::load_with(file, &settings)?;
    let chain: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
    outln!(
        "# {} is valid (extends chain: {})",
        file.display(),
        chain.join(" <- ")
    );
    outln!("# scenario hash: {}", scenario::scenario_hash(&s.params));
    let cal = s.params.run.calendar();
    outln!(
        "# calendar: reported months 1 to {} are {}; the burn-in runs from {}",
        s.params.run.months,
        crate::model::calendar::period(cal.start, s.params.run.months),
        cal.simulated(0).long()
    );
    if let Some(note) = register_note(&s.params.trusts) {
        outln!("# {note}");
    }
    run::warn_levers(&s.params);
    print_changes(&s.params);
    out!("{}", scenario::resolved_toml(&s.params));
    Ok(())
}

/// The timed changes of a scenario as comment lines: each change's month
/// and every key it sets with its value before and after.
fn print_changes(p: &crate::model::Params) {
    let burn_in = p.run.burn_in_months;
    for c in p.changes() {
        outln!(
            "# from reported month {} (simulated month {}){}:",
            c.month,
            burn_in + c.month - 1,
            if c.description.is_empty() {
                String::new()
            } else {
                format!(", {}", c.description)
            }
        );
        let start = burn_in + c.month - 1;
        let was = if start == 0 {
            p.describe()
        } else {
            p.at(start - 1).describe()
        };
        for (k, v) in &c.set {
            let before = was
                .iter()
                .find(|i| i.key == *k)
                .map_or("?", |i| i.value.as_str());
            outln!("#   {k} = {v} (was {before})");
        }
    }
    for line in targeted_lines(p) {
        outln!("# {line}");
    }
}

/// The targeted entries of a scenario in words: when, for which trusts
/// (those it reaches by who they are, listed when few), and each value it
/// sets with the national value it replaces.
pub fn targeted_lines(p: &crate::model::Params) -> Vec<String> {
    let facts = p.trust_facts();
    let names: Vec<String> = if p.trusts.rows.is_empty() {
        crate::model::params::TrustFacts::drawn_names(&facts)
    } else {
        p.trusts.rows.iter().map(|r| r.name.clone()).collect()
    };
    let cal = p.run.calendar();
    let burn_in = p.run.burn_in_months;
    let mut out = vec![];
    for (k, e) in p.targeted().iter().enumerate() {
        let when = if e.month == 0 {
            "for the whole run".to_string()
        } else {
            format!(
                "from reported month {} ({}, simulated month {})",
                e.month,
                cal.reported(i64::from(e.month)),
                burn_in + e.month - 1
            )
        };
        let reach = p.reach_of(k);
        let n = reach.len();
        let plural = if n == 1 { "" } else { "s" };
        let who = if !e.target.is_dynamic() {
            format!("{n} trust{plural}")
        } else if n == facts.len() {
            format!(
                "those of all {n} trusts that meet it at the end of the month before (decided during the run)"
            )
        } else {
            format!(
                "those of these {n} trust{plural} that meet it at the end of the month before (decided during the run)"
            )
        };
        let list: Vec<String> = reach
            .iter()
            .take(12)
            .map(|&t| format!("{} {}", facts[t as usize].code, names[t as usize]))
            .collect();
        let list = match n {
            _ if e.target.is_dynamic() && n == facts.len() => String::new(),
            0..=12 => format!(" ({})", list.join("; ")),
            _ => format!(" ({}; and {} more)", list.join("; "), n - 12),
        };
        out.push(format!(
            "{when}{}, for {}: reaches {who}{list}",
            if e.description.is_empty() {
                String::new()
            } else {
                format!(", {}", e.description)
            },
            e.target.describe(),
        ));
        let was = p.at(e.start(burn_in)).describe();
        for (key, v) in &e.set {
            let before = was
                .iter()
                .find(|i| i.key == *key)
                .map_or("?", |i| i.value.as_str());
            out.push(format!(
                "  {key} = {v} for these trusts (elsewhere {before})"
            ));
        }
    }
    out
}

/// What a trust register sets, for `check` and `params` (`None` without one).
pub fn register_note(t: &crate::model::params::TrustTypes) -> Option<String> {
    if t.rows.is_empty() {
        return None;
    }
    let by_type: Vec<String> = crate::model::TrustType::LABELS
        .iter()
        .zip(t.all())
        .map(|(name, tp)| format!("{} {name}", tp.count))
        .collect();
    Some(format!(
        "trust register {}: {} trusts ({}); it sets trusts.*.count, overriding any count set in the files",
        t.register,
        t.rows.len(),
        by_type.join(", ")
    ))
}

/// The manifest of a finished run folder, or an error that says what the
/// folder is instead (missing, a comparison, an unfinished run).
pub fn finished_run(dir: &Path) -> Result<Manifest> {
    Ok(crate::api::publish::finished_run(dir)?)
}

fn validate(dir: &Path) -> Result<()> {
    let m = finished_run(dir)?;
    let rows = output::read_summary(&dir.join(output::SUMMARY_FILE))?;
    outln!(
        "{}: {} replications, seed {}, scenario hash {}",
        m.scenario_name,
        m.replications,
        m.seed,
        &m.scenario_hash[..m.scenario_hash.len().min(12)]
    );
    outln!();
    out!(
        "{}",
        table::all_checks(
            &rows,
            Some(&crate::model::params::RunScope::of(&m.scenario))
        )
    );
    Ok(())
}
