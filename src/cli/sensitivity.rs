//! `trustsim sensitivity`: Morris screening or Sobol indices of chosen
//! outputs. The design points run as a sweep (resumable and shardable);
//! once every unit is done the indices are computed from the mean of each
//! point's replications, with bootstrap intervals, and written to
//! `sensitivity.parquet` and one chart per output.

use anyhow::Result;

use super::sweep::{SweepArgs, run_sweep};
use crate::api::sensitivity as analysis;
use crate::output::indices::INDICES_FILE;
use crate::sensitivity::study;
use crate::sweep::store;

pub fn sensitivity(args: SweepArgs) -> Result<()> {
    if args.parameter_sets.is_some() {
        anyhow::bail!(
            "--parameter-sets is for run, compare and sweep; a sensitivity analysis varies the parameters itself"
        );
    }
    let plan = study::load(&args.file)?;
    let (dir, record) = run_sweep(&plan.sweep, &args)?;
    let done = store::done_units(&dir).len();
    if done < record.units {
        outln!(
            "{done} of {} units done: rerun without --shard (or after every shard) to compute the indices",
            record.units
        );
        return Ok(());
    }
    let rows = analysis::analyse_folder(&plan, &dir, &record)?;
    outln!();
    outln!(
        "{:<28} {:<42} {:<12} estimate [95 % CI]",
        "output",
        "parameter",
        "index"
    );
    for r in &rows {
        let ci = if r.low.is_finite() {
            format!(" [{:.4}, {:.4}]", r.low, r.high)
        } else {
            String::new()
        };
        outln!(
            "{:<28} {:<42} {:<12} {:.4}{ci}",
            r.output,
            r.parameter,
            r.index,
            r.estimate
        );
    }
    outln!("-> {}", dir.join(INDICES_FILE).display());
    Ok(())
}
