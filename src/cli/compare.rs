//! `trustsim compare`: runs policy variants with common random numbers
//! (each variant a resumable run in its own subfolder) and reports paired
//! differences against the first variant. The comparison itself is
//! [`crate::compare::study`]; this is its command-line front.

use std::path::PathBuf;

use anyhow::Result;

use super::run::{self, Bar, RunFlags};
use super::{interrupt, table};
use crate::api;
use crate::compare::study::{CompareError, Request};
use crate::metrics::Scope;
use crate::model::Params;
use crate::runner;
use crate::scenario::Source;

/// Command-line options of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Two or more scenario files (the first is the reference), or one
    /// comparison file with `[compare] variants = [...]`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Give each variant its own seed instead of common random numbers (to
    /// see what common random numbers buy).
    #[arg(long)]
    pub independent_seeds: bool,
    /// Compare variants that differ in structure (trust counts or sizes,
    /// staff scale, months, burn-in), which are different worlds rather
    /// than different policies.
    #[arg(long)]
    pub allow_structural: bool,
    /// Replace the results of another comparison found in the output folder.
    #[arg(long)]
    pub force: bool,
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let (files, section) = if let [file] = args.files.as_slice() {
        let (files, section) = crate::compare::file::read(file)?;
        (files, Some(section))
    } else {
        (args.files.clone(), None)
    };
    // The sets are read (and their use explained) once the replication
    // count is known: the first variant's, or the comparison file's.
    let request = Request {
        variants: files.into_iter().map(Source::File).collect(),
        section,
        settings: args.flags.settings(),
        independent_seeds: args.independent_seeds,
        allow_structural: args.allow_structural,
        force: args.force,
        parameter_sets: args.flags.sets_file()?,
        out: args.flags.out.clone(),
        threads: args.flags.threads()?,
        csv: args.flags.csv,
        charts: !args.flags.no_charts,
    };
    let planned = api::plan_compare(&request).map_err(run::api_error)?;
    run::print_notes(&planned.notes);
    for w in &planned.warnings {
        errln!("warning: {w}");
    }
    run::confirm_duration(
        &format!("this comparison of {} variants", planned.variants.len()),
        planned.seconds,
        &args.flags,
    )?;
    let variants = planned.variants.clone();
    let cancel = runner::Cancel::from_flag(interrupt::flag());
    let started = std::time::Instant::now();
    let outcome = planned
        .execute(&Bar::new(args.flags.quiet, "variant-replications"), &cancel)
        .map_err(failed)?;
    let wall = started.elapsed().as_secs_f64();
    for (p, report) in variants.iter().zip(&outcome.reports) {
        let resumed = if report.taken_as_it_was {
            " (finished before an interruption, taken as it was)".to_string()
        } else if report.resumed > 0 {
            format!(" ({} kept from an interrupted run)", report.resumed)
        } else {
            String::new()
        };
        let n = p.run.replications;
        outln!(
            "{}: {n} {}{resumed} x {} trusts x {} months -> {}",
            p.run.name,
            if n == 1 {
                "replication"
            } else {
                "replications"
            },
            p.trusts.total(),
            p.run.months,
            outcome.dir.join(&p.run.name).display()
        );
    }
    outln!(
        "{} variants in {}; {}",
        variants.len(),
        run::wall_time(wall),
        sharing_line(&variants[0], &outcome.sharing)
    );
    let rows = &outcome.rows;
    outln!();
    out!("{}", table::comparison(rows));
    if outcome.record.parameter_sets.is_some() {
        outln!();
        out!("{}", table::set_means(rows, Scope::FinalYear));
    }
    for v in &outcome.record.variants[1..] {
        if crate::compare::is_targeted(rows, v) {
            outln!();
            out!("{}", table::by_trusts(rows, v, Scope::FinalYear));
        }
    }
    for v in &outcome.record.variants[1..] {
        outln!();
        for line in crate::compare::plain_words(rows, v, Scope::FinalYear) {
            outln!("{line}");
        }
        for line in crate::compare::targeted_words(rows, v, Scope::FinalYear) {
            outln!("{line}");
        }
    }
    Ok(())
}

/// A comparison's failure as the command line reports it (an interrupted
/// run exits with 130).
fn failed(e: CompareError) -> anyhow::Error {
    match e {
        CompareError::Run(e) => run::interrupted(e),
        other => other.into(),
    }
}

/// What the shared history saved, in words.
fn sharing_line(p: &Params, s: &runner::Sharing) -> String {
    let burn_in = p.run.burn_in_months;
    let shared = if s.branch_month >= s.total_months {
        "the variants never differ, so each replication was simulated once".to_string()
    } else if s.branch_month == 0 {
        "the variants differ from the start (or use independent seeds), so nothing is shared"
            .to_string()
    } else if s.branch_month <= burn_in {
        format!(
            "the variants share their first {} simulated months (burn-in), simulated once per replication",
            s.branch_month
        )
    } else {
        format!(
            "the variants share their history up to reported month {} ({} simulated months), simulated once per replication",
            s.branch_month - burn_in,
            s.branch_month
        )
    };
    if s.months_unshared == 0 {
        return format!("{shared}: nothing left to simulate");
    }
    format!(
        "{shared}: {} replication-months simulated instead of {} ({:.0} % less work)",
        s.months_simulated,
        s.months_unshared,
        100.0 * s.saving()
    )
}
