//! `trustsim run` and what the commands that run scenarios share: their
//! flags, the settings those flags stand for, the progress bar, the
//! pre-flight question, and the printed account of a finished run.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::{interrupt, table};

use std::sync::Arc;

use crate::api;
use crate::model::Params;
use crate::output::parameter_sets::ParameterSetsFile;
use crate::runner::{self, Progress, RunReport, preflight};
use crate::scenario::{Setting, Source};

/// Command-line flags shared by the commands that run scenarios.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Number of replications (sets run.replications).
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub replications: Option<String>,
    /// Base seed (sets run.seed).
    #[arg(long, allow_negative_numbers = true, value_name = "S")]
    pub seed: Option<String>,
    /// Reported months after burn-in (sets run.months).
    #[arg(long, allow_negative_numbers = true, value_name = "M")]
    pub months: Option<String>,
    /// Set any parameter, validated like the scenario file and recorded in
    /// the manifest (repeatable): `--set staff.leave_base_monthly=0.008`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Plausible parameter sets (parquet: a `set` column and one column per
    /// dotted parameter key, as `trustsim calibrate` writes them).
    /// Replication i uses set i mod M (cycled) on top of the scenario's
    /// values and keeps its random streams, so summaries and charts show
    /// chance and parameter uncertainty together.
    #[arg(long, value_name = "FILE")]
    pub parameter_sets: Option<PathBuf>,
    /// Worker threads (default: every core; at most the cores available).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write the summary (and a comparison) as CSV.
    #[arg(long)]
    pub csv: bool,
    /// Run without asking even if the estimate is over --ask-over.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Ask (or, without a terminal, refuse unless --yes) when the run is
    /// estimated to take longer than this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = 1.0)]
    pub ask_over: f64,
}

impl RunFlags {
    /// No flags given (for commands with their own options).
    pub fn none() -> RunFlags {
        RunFlags {
            replications: None,
            seed: None,
            months: None,
            set: vec![],
            parameter_sets: None,
            threads: None,
            out: None,
            quiet: false,
            no_charts: false,
            csv: false,
            yes: false,
            ask_over: 1.0,
        }
    }

    /// The command-line settings, in the order they apply.
    pub fn settings(&self) -> Vec<Setting> {
        let mut v = Vec::new();
        for (flag, key, value) in [
            ("--replications", "run.replications", &self.replications),
            ("--seed", "run.seed", &self.seed),
            ("--months", "run.months", &self.months),
        ] {
            if let Some(value) = value {
                v.push(Setting::flag(flag, key, value));
            }
        }
        v.extend(self.set.iter().map(|s| Setting::set(s)));
        v
    }

    pub fn threads(&self) -> Result<usize> {
        preflight::threads(self.threads).map_err(anyhow::Error::msg)
    }

    /// The parameter-sets file given with `--parameter-sets`, read and
    /// checked (see [`open_sets`]).
    pub fn sets_file(&self) -> Result<Option<Arc<ParameterSetsFile>>> {
        self.parameter_sets.as_deref().map(open_sets).transpose()
    }
}

/// Reads and checks the parameter sets at `path`, saying how they will be
/// used (cycled); what to know about them for the run at hand comes with
/// its plan ([`print_notes`]).
pub fn open_sets(path: &Path) -> Result<Arc<ParameterSetsFile>> {
    let file = api::parameter_sets(path)?;
    let m = file.sets.len();
    outln!(
        "parameter sets: {m} plausible sets of {} parameters from {}; replication i uses set i mod {m} (cycled)",
        file.sets.keys.len(),
        path.display()
    );
    Ok(file)
}

/// Prints what a plan says about its parameter sets (no checksum, sets
/// unused), one line each.
pub fn print_notes(notes: &[String]) {
    for n in notes {
        errln!("{n}");
    }
}

/// The progress bar on standard error (nothing when quiet or not a terminal).
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub fn new(quiet: bool, unit: &str) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        let template = format!(
            "{{prefix}} {{bar:40}} {{pos}}/{{len}} {unit}  {{elapsed}} elapsed, ETA {{eta}} {{msg}}"
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Bar(Some(bar))
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total: u64, done: u64) {
        if let Some(b) = &self.0 {
            b.set_prefix(label.to_string());
            b.set_length(total);
            b.set_position(done);
            b.reset_eta();
        }
    }
    fn advance(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
    fn phase(&self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_string());
        }
    }
    fn note(&self, what: &str) {
        match &self.0 {
            Some(b) => b.suspend(|| errln!("note: {what}")),
            None => errln!("note: {what}"),
        }
    }
    fn say(&self, line: &str) {
        match &self.0 {
            Some(b) => b.suspend(|| outln!("{line}")),
            None => outln!("{line}"),
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Refuses, or asks on a terminal, when `seconds` is over the limit.
pub fn confirm_duration(what: &str, seconds: f64, flags: &RunFlags) -> Result<()> {
    if seconds <= flags.ask_over * 3600.0 || flags.yes {
        return Ok(());
    }
    let estimate = preflight::human_seconds(seconds);
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        eout!("{what} is estimated to take about {estimate}; continue? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return Ok(());
        }
        bail!("not started; nothing was written");
    }
    bail!(
        "{what} is estimated to take about {estimate}, over the {} h limit; pass --yes to run it anyway, or --ask-over HOURS to raise the limit",
        flags.ask_over
    )
}

/// Turns a cancelled run into the interrupted error (exit code 130).
pub fn interrupted(e: runner::RunError) -> anyhow::Error {
    match e {
        runner::RunError::Interrupted { .. } => interrupt::Interrupted(e.to_string()).into(),
        other => other.into(),
    }
}

/// Command-line options of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Check the model invariants of every replication and stop at the first
    /// violation (always on in debug builds).
    #[arg(long)]
    pub check_invariants: bool,
    /// Replace the results of another run found in the output folder, and
    /// run even if the pre-flight estimate says the output will not fit.
    #[arg(long)]
    pub force: bool,
    /// Also save every replication's full simulation state at the start of
    /// this reported month (its date is printed), into
    /// RUN_DIR/state-month-MONTH.tsstate (the run still goes to the end).
    #[arg(long, value_name = "MONTH")]
    pub save_state: Option<u32>,
    /// Continue every replication from a state file saved by `--save-state`
    /// (the scenario may differ only in timed changes from the saved month on).
    #[arg(long, value_name = "FILE")]
    pub from_state: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> Result<()> {
    let f = &args.flags;
    let source = Source::File(args.file.clone());
    let options = api::RunOptions {
        settings: f.settings(),
        threads: Some(f.threads()?),
        out: f.out.clone(),
        no_charts: f.no_charts,
        csv: f.csv,
        force: args.force,
        check_invariants: args.check_invariants,
        save_state: args.save_state,
        from_state: args.from_state.clone(),
        parameter_sets: f.sets_file()?,
    };
    let planned = api::plan_run(&source, &options)?;
    print_notes(&planned.notes);
    for w in &planned.warnings {
        errln!("warning: {w}");
    }
    confirm_duration(
        &format!("this run of {}", planned.params.run.name),
        planned.seconds,
        f,
    )?;
    let cancel = runner::Cancel::from_flag(interrupt::flag());
    let done = planned
        .execute(&Bar::new(f.quiet, "replications"), &cancel)
        .map_err(api_error)?;
    let (p, report, dir) = (&done.params, &done.report, &done.dir);
    if let Some(what) = &report.replaced {
        outln!("replaced in {}: {what}", dir.display());
    }
    outln!("{}", account(p, report, dir));
    if let Some(m) = args.save_state {
        outln!(
            "saved every replication's state at the start of month {m} ({}) in {}",
            p.run.calendar().reported(i64::from(m)).long(),
            dir.join(crate::output::state::state_file_name(m)).display()
        );
    }
    outln!();
    out!("{}", table::headline(&report.rows));
    outln!();
    out!(
        "{}",
        table::all_checks(&report.rows, Some(&crate::model::params::RunScope::of(p)))
    );
    Ok(())
}

/// A library error as the command line reports it (an interrupted job
/// exits with 130).
pub fn api_error(e: api::Error) -> anyhow::Error {
    if e.is_interrupted() {
        interrupt::Interrupted(e.to_string()).into()
    } else {
        e.into()
    }
}

/// Warns, on standard error, of every policy lever that cannot act in a
/// run of `p` (a whole-unit purchase its budget does not reach), naming it.
pub fn warn_levers(p: &Params) {
    for w in api::lever_warnings(p) {
        errln!("warning: {w}");
    }
}

/// One line saying what was run, with honest counts after a resume.
pub fn account(p: &Params, r: &RunReport, dir: &Path) -> String {
    let n = p.run.replications;
    let noun = if n == 1 {
        "replication"
    } else {
        "replications"
    };
    let reps = if r.resumed > 0 {
        format!(
            "{n} {noun} ({} kept from an interrupted run, {} simulated now)",
            r.resumed, r.simulated
        )
    } else {
        format!("{n} {noun}")
    };
    let speed = if r.staff_months > 0 {
        format!(
            "{:.1} M staff-agent-months/s; ",
            r.staff_months as f64 / r.wall_seconds / 1e6
        )
    } else {
        String::new()
    };
    let share = |seconds: f64| 100.0 * seconds / r.wall_seconds.max(1e-9);
    let mut parts = Vec::new();
    if r.simulate_seconds > 0.0 {
        parts.push(format!("simulating {:.0} %", share(r.simulate_seconds)));
    }
    parts.push(format!("writing {:.0} %", share(r.write_seconds)));
    if r.chart_seconds > 0.0 {
        parts.push(format!("drawing charts {:.0} %", share(r.chart_seconds)));
    }
    let last = parts.pop().unwrap_or_default();
    let shares = if parts.is_empty() {
        last
    } else {
        format!("{} and {last}", parts.join(", "))
    };
    format!(
        "{}: {reps} x {} trusts x {} months in {} ({speed}{shares} of run time) -> {}",
        p.run.name,
        p.trusts.total(),
        p.run.months,
        wall_time(r.wall_seconds),
        dir.display()
    )
}

/// A run's wall time as the account gives it: milliseconds under a second
/// (a small run is not "0.0 s"), else seconds to a tenth.
pub fn wall_time(seconds: f64) -> String {
    if seconds < 0.9995 {
        format!("{:.0} ms", seconds * 1e3)
    } else {
        format!("{seconds:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(wall_seconds: f64, write_seconds: f64) -> RunReport {
        RunReport {
            rows: vec![],
            simulated: 1,
            resumed: 0,
            wall_seconds,
            write_seconds,
            chart_seconds: 0.0,
            simulate_seconds: 0.0,
            staff_months: 1_000_000,
            replaced: None,
            taken_as_it_was: false,
        }
    }

    /// A small run's account gives its time in milliseconds (not "0.0 s")
    /// and one replication in the singular.
    #[test]
    fn the_account_of_a_small_run_reads_right() {
        let one = crate::model::params::edited(|q| q.run.replications = 1);
        let line = account(&one, &report(0.045, 0.0225), Path::new("out"));
        assert!(line.contains(": 1 replication x "), "{line}");
        assert!(line.contains(" in 45 ms ("), "{line}");
        assert!(line.contains("writing 50 % of run time"), "{line}");
        // (simulating, writing, charts) seconds of 45 ms: the shares given.
        for ((simulate, write, chart), shares) in [
            ((0.0, 0.0045, 0.036), "writing 10 % and drawing charts 80 %"),
            ((0.027, 0.0135, 0.0), "simulating 60 % and writing 30 %"),
            (
                (0.0036, 0.0045, 0.036),
                "simulating 8 %, writing 10 % and drawing charts 80 %",
            ),
        ] {
            let r = RunReport {
                simulate_seconds: simulate,
                chart_seconds: chart,
                ..report(0.045, write)
            };
            let line = account(&one, &r, Path::new("out"));
            assert!(line.contains(&format!("; {shares} of run time)")), "{line}");
        }
        let four = crate::model::params::edited(|q| q.run.replications = 4);
        let line = account(&four, &report(12.34, 0.5), Path::new("out"));
        assert!(line.contains(": 4 replications x "), "{line}");
        assert!(line.contains(" in 12.3 s ("), "{line}");
        assert_eq!(wall_time(0.9996), "1.0 s");
        assert_eq!(wall_time(0.9994), "999 ms");
    }
}
