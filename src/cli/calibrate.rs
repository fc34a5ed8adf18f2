//! `trustsim calibrate`: history matching of a calibration file's
//! parameters against its targets. Each wave runs as a sweep in
//! `OUT/waves/wave-N/` (resumable; with `--shard` a process runs its share
//! of the current wave and stops); once the last wave is done, the results
//! are written to `OUT/`: `runs.parquet`, `parameter_sets.parquet`,
//! `calibration.json` and the charts.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use super::interrupt;
use super::sweep::SweepArgs;
use crate::api;
use crate::calibrate::plan::{self, Plan};
use crate::calibrate::run::{self, Outcome, Progress};
use crate::calibrate::store;
use crate::runner::{Cancel, preflight};
use crate::sweep::store as sweep_store;

/// Command-line options of `calibrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub sweep: SweepArgs,
    /// Print where the calibration stands and run nothing: `done` when every
    /// wave is, otherwise `wave N: D of U units done` (for job scripts).
    #[arg(long)]
    pub status: bool,
}

pub fn calibrate(args: CalibrateArgs) -> Result<()> {
    let status = args.status;
    let args = args.sweep;
    let plan = plan::load(&args.file)?;
    if args.parameter_sets.is_some() {
        bail!(
            "--parameter-sets: a calibration searches the parameters itself; give the sets to run, compare or sweep"
        );
    }
    let shard = args.shard()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&plan.name));
    if status {
        return print_status(&plan, &dir);
    }
    let threads = preflight::threads(args.threads).map_err(anyhow::Error::msg)?;
    confirm(&plan, &dir, threads, &args)?;
    let started = Instant::now();
    let cancel = Cancel::from_flag(interrupt::flag());
    let bar = super::run::Bar::new(args.quiet, "runs");
    let options = api::StudyOptions {
        shard: Some(shard),
        threads: Some(threads),
        out: Some(dir.clone()),
    };
    let (_, reached) =
        api::calibrate(&plan, &options, &bar, &cancel).map_err(super::run::api_error)?;
    let outcome = match reached {
        api::Calibration::Done { outcome, .. } => outcome,
        api::Calibration::Incomplete { wave } => {
            outln!(
                "wave {wave}: this shard's share is done; once every shard has run, run the shards again for the next wave, or `trustsim calibrate {}` without --shard to run the rest here",
                args.file.display()
            );
            return Ok(());
        }
        api::Calibration::WavesDone => {
            outln!(
                "every wave is done; run `trustsim calibrate {}` without --shard to write the results",
                args.file.display()
            );
            return Ok(());
        }
    };
    report(&plan, &dir, &outcome, started.elapsed().as_secs_f64());
    if outcome.sets.is_empty() {
        bail!(
            "no parameter set is plausible: no run of the last wave met every target within the cut-off {}; see {}",
            plan.cutoff,
            dir.join(store::SUMMARY_FILE).display()
        );
    }
    Ok(())
}

/// Prints `done`, or the first wave not finished and how far it has got;
/// runs nothing and writes nothing. A folder holding this calibration's
/// results without its wave runs (as `scenarios/calibration/` does) is
/// done; a note on standard error says what it holds.
fn print_status(plan: &Plan, dir: &Path) -> Result<()> {
    let results = store::read_results(dir);
    if let Some(r) = &results
        && r.hash == plan.hash()
        && !crate::calibrate::plan::wave_dir(dir, 1).exists()
    {
        outln!("done");
        errln!(
            "{} holds the results of this calibration ({} plausible parameter sets, {} of the prior space left; {} and {}) without its wave runs; running it again into this folder would run every wave again",
            dir.display(),
            r.sets,
            space_left(r.space_after),
            store::SUMMARY_FILE,
            store::SETS_FILE
        );
        return Ok(());
    }
    if let Some(r) = results.filter(|r| r.hash != plan.hash()) {
        errln!(
            "note: {} holds the results of another calibration ({} of `{}`, plan hash {}), or of this file before it or its base scenario changed",
            dir.display(),
            store::SUMMARY_FILE,
            r.name,
            &r.hash[..r.hash.len().min(12)]
        );
    }
    match run::status(plan, dir)? {
        (Progress::Done(_), _, _) => outln!("done"),
        (Progress::Incomplete { wave }, done, units) => {
            outln!("wave {wave}: {done} of {units} units done")
        }
    }
    Ok(())
}

/// A share of the prior space as every calibration table and sentence
/// prints it.
pub fn space_left(share: f64) -> String {
    format!("{:.1} %", 100.0 * share)
}

/// Pre-flight: times one replication of the base scenario and estimates the
/// waves still to run; asks before a long calibration starts.
fn confirm(plan: &Plan, dir: &Path, threads: usize, args: &SweepArgs) -> Result<()> {
    let done = (1..=plan.waves)
        .take_while(|&w| {
            let wdir = crate::calibrate::plan::wave_dir(dir, w);
            sweep_store::read_record(&wdir)
                .is_ok_and(|r| sweep_store::done_units(&wdir).len() == r.units)
        })
        .count();
    let todo = plan.waves - done;
    if todo == 0 {
        return Ok(());
    }
    let cancel = Cancel::from_flag(interrupt::flag());
    let Some((per_run, runs, seconds)) = run::estimate(plan, todo, threads, &cancel)? else {
        return Err(interrupt::Interrupted("nothing was run".into()).into());
    };
    outln!(
        "{}: {} parameters, {} targets; {todo} of {} waves to run ({done} done) x {} points x {} replications = {runs} runs; estimated {} on {threads} threads ({threads} replications side by side took {:.1} s) -> {}",
        plan.name,
        plan.parameters.len(),
        plan.targets.len(),
        plan.waves,
        plan.points,
        plan.replications,
        preflight::human_seconds(seconds),
        per_run,
        dir.display()
    );
    let flags = super::run::RunFlags {
        yes: args.yes,
        ask_over: args.ask_over,
        ..super::run::RunFlags::none()
    };
    super::run::confirm_duration(&format!("calibration {}", plan.name), seconds, &flags)
}

/// The table of waves: points, plausible points and the space left after
/// each wave, then the sentence on the space left after the last, from the
/// same figures ([`run::space_left_after`]).
pub fn wave_table(plan: &Plan, outcome: &Outcome) -> String {
    let left = run::space_left_after(outcome);
    let mut out = format!(
        "{:<6} {:>7} {:>12} {:>24}\n",
        "wave", "points", "plausible", "space left after it"
    );
    for (w, rec) in outcome.waves.iter().enumerate() {
        let plausible = outcome.implausibility[w]
            .iter()
            .filter(|i| i.iter().all(|v| *v <= plan.cutoff))
            .count();
        out += &format!(
            "{:<6} {:>7} {:>12} {:>24}\n",
            rec.wave,
            rec.points,
            plausible,
            space_left(left[w])
        );
    }
    out += &format!(
        "after the last wave: {} of the prior space is not ruled out\n",
        space_left(left.last().copied().unwrap_or(outcome.space_after))
    );
    out
}

/// Prints what the calibration found.
fn report(plan: &Plan, dir: &Path, outcome: &Outcome, seconds: f64) {
    outln!();
    out!("{}", wave_table(plan, outcome));
    if let Some(why) = &outcome.stopped_early {
        outln!("{why}");
    }
    match outcome.base_implausibility {
        Some(i) => outln!(
            "the base scenario's own values: largest implausibility {i:.2} under the emulators ({})",
            if i <= plan.cutoff {
                "not ruled out"
            } else {
                "ruled out"
            }
        ),
        None => outln!("the base scenario's own values lie outside the prior ranges"),
    }
    outln!();
    outln!(
        "{:<36} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "parameter",
        "base",
        "prior min",
        "prior max",
        "sets min",
        "sets max"
    );
    for (k, v) in plan.parameters.iter().enumerate() {
        let vals: Vec<f64> = outcome.sets.iter().map(|s| s[k]).collect();
        let lo = vals.iter().copied().fold(f64::NAN, f64::min);
        let hi = vals.iter().copied().fold(f64::NAN, f64::max);
        outln!(
            "{:<36} {:>10} {:>10} {:>10} {:>10} {:>10}",
            v.key,
            short(outcome.base_values.get(k).copied().unwrap_or(f64::NAN)),
            short(v.min),
            short(v.max),
            short(lo),
            short(hi)
        );
    }
    outln!();
    outln!(
        "{} plausible parameter sets -> {} ({})",
        outcome.sets.len(),
        dir.join(store::SETS_FILE).display(),
        preflight::human_seconds(seconds)
    );
}

/// A parameter value in at most 10 characters, with 4 significant digits.
fn short(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let digits = if v == 0.0 {
        0
    } else {
        (3 - v.abs().log10().floor() as i32).max(0) as usize
    };
    format!("{v:.digits$}")
}
