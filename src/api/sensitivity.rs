//! The indices of a finished sensitivity study: computed from the mean of
//! each design point's replications, with bootstrap intervals, written to
//! `sensitivity.parquet` with one chart per output.

use std::path::Path;

use crate::charts::indices::{self, Indices};
use crate::metrics::metric;
use crate::output::FileMeta;
use crate::output::indices::{INDICES_FILE, IndexRow, write_indices};
use crate::sensitivity::study::{Method, Study};
use crate::sensitivity::{self, MorrisIndex, SobolIndex};
use crate::sweep::store::{self, SweepRecord};

/// Why the indices cannot be computed or written.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Charts(#[from] crate::charts::ChartError),
}

/// Computes and writes the indices of every output of `plan` from the
/// finished sweep in `dir` (`record` its record); returns their rows.
pub fn analyse_folder(
    plan: &Study,
    dir: &Path,
    record: &SweepRecord,
) -> Result<Vec<IndexRow>, AnalysisError> {
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
        let y = store::point_means(dir, record.units, output)?;
        rows.extend(analyse(plan, output, &y, dir, &provenance)?);
    }
    let meta = FileMeta {
        scenario_hash: record.hash.clone(),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
        parameter_sets: None,
        scope: None,
    };
    write_indices(&dir.join(INDICES_FILE), &rows, &meta)?;
    Ok(rows)
}

/// The indices of one output (and its chart).
fn analyse(
    plan: &Study,
    output: &str,
    y: &[f64],
    dir: &Path,
    provenance: &str,
) -> Result<Vec<IndexRow>, AnalysisError> {
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
