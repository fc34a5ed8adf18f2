//! `trustsim sensitivity`: Morris screening or Sobol indices of chosen
//! outputs. The design points run as a sweep (resumable and shardable);
//! once every unit is done the indices are computed from the mean of each
//! point's replications, with bootstrap intervals, and written to
//! `sensitivity.parquet` and one chart per output.

use std::path::Path;

use anyhow::Result;

use super::sweep::{SweepArgs, run_sweep};
use crate::charts::indices::{self, Indices};
use crate::metrics::metric;
use crate::output::FileMeta;
use crate::output::indices::{INDICES_FILE, IndexRow, write_indices};
use crate::sensitivity::study::{self, Method, Study};
use crate::sensitivity::{self, MorrisIndex, SobolIndex};
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
    let provenance = format!(
        "{} of {} parameters; {} design points x {} replications, seed {}; trustsim {}",
        if plan.method == Method::Sobol {
            "Sobol indices (Saltelli sampling)"
        } else {
            "Morris elementary effects"
        },
        plan.sweep.parameters.len(),
        record.units,
        record.replications,
        record.seed,
        env!("CARGO_PKG_VERSION")
    );
    let mut rows = Vec::new();
    for output in &plan.outputs {
        let y = store::point_means(&dir, record.units, output)?;
        rows.extend(analyse(&plan, output, &y, &dir, &provenance)?);
    }
    let meta = FileMeta {
        scenario_hash: record.hash.clone(),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
        parameter_sets: None,
    };
    write_indices(&dir.join(INDICES_FILE), &rows, &meta)?;
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

/// The indices of one output (and its chart).
fn analyse(
    plan: &Study,
    output: &str,
    y: &[f64],
    dir: &Path,
    provenance: &str,
) -> Result<Vec<IndexRow>> {
    let m = metric(output).expect("outputs were checked when the study was loaded");
    let names: Vec<String> = plan
        .sweep
        .parameters
        .iter()
        .map(|v| v.key.clone())
        .collect();
    let k = names.len();
    let title = format!("What drives {}", m.label.to_lowercase());
    let row = |p: &str, index: &'static str, e: f64, lo: f64, hi: f64| IndexRow {
        output: m.key,
        parameter: p.to_string(),
        index,
        estimate: e,
        low: lo,
        high: hi,
    };
    let chart = |method: &str, idx: Indices| {
        indices::render_indices(
            &dir.join("charts"),
            &format!("{method}_{output}"),
            &title,
            &names,
            idx,
            provenance,
        )
    };
    let mut rows = Vec::new();
    match plan.method {
        Method::Sobol => {
            let idx: Vec<SobolIndex> =
                sensitivity::sobol_analyse(y, k, plan.samples, plan.bootstrap, plan.seed);
            for (n, i) in names.iter().zip(&idx) {
                rows.push(row(n, "first_order", i.first, i.first_low, i.first_high));
                rows.push(row(n, "total", i.total, i.total_low, i.total_high));
            }
            chart("sobol", Indices::Sobol(&idx))?;
        }
        Method::Morris => {
            let idx: Vec<MorrisIndex> = sensitivity::morris_analyse(
                &plan.sweep.unit_points(),
                y,
                k,
                plan.samples,
                plan.bootstrap,
                plan.seed,
            );
            for (n, i) in names.iter().zip(&idx) {
                rows.push(row(n, "mu_star", i.mu_star, i.mu_star_low, i.mu_star_high));
                rows.push(row(n, "mu", i.mu, f64::NAN, f64::NAN));
                rows.push(row(n, "sigma", i.sigma, f64::NAN, f64::NAN));
            }
            chart("morris", Indices::Morris(&idx))?;
        }
    }
    Ok(rows)
}
