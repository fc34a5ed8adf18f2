//! `comparison.parquet`: one row per variant x outcome x scope with the
//! paired difference against the first variant and its 95 % interval.

use std::path::Path;

use super::error::OutputError;
use super::parquet::FileMeta;
use super::summary::write_table;
use super::tables::{Col, Get, Table, table};
use crate::compare::Difference;
use crate::metrics::{Better, ReplicationMetrics, Scope, Values};

/// Conventional file name of the comparison table.
pub const COMPARISON_FILE: &str = "comparison.parquet";
/// The comparison table as CSV (with `--csv`).
pub const COMPARISON_CSV: &str = "comparison.csv";
/// What a comparison folder holds: its variants and how they were run.
pub const COMPARISON_MANIFEST: &str = "comparison.json";

/// The record of a comparison (`comparison.json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ComparisonManifest {
    pub trustsim_version: String,
    pub name: String,
    /// Variant names, the reference first; each variant's run is in the
    /// subfolder of that name.
    pub variants: Vec<String>,
    pub scenario_hashes: Vec<String>,
    pub replications: u32,
    pub seed: u64,
    /// Common random numbers (false with `--independent-seeds`).
    pub common_random_numbers: bool,
    /// Parameters whose values differ between variants: `key: v1 | v2 | ...`.
    pub differences: Vec<String>,
    /// Command-line settings applied to every variant.
    pub settings: Vec<String>,
    pub complete: bool,
}

/// Writes `comparison.json` atomically.
pub fn write_comparison_manifest(path: &Path, m: &ComparisonManifest) -> Result<(), OutputError> {
    super::atomic::write_json(path, m)
}

/// Paired differences of every variant against the first, for both scopes,
/// from each variant's `replications.parquet` in `dir/<variant>/`.
pub fn read_differences(dir: &Path, names: &[String]) -> Result<Vec<Difference>, OutputError> {
    let per_variant: Vec<Vec<ReplicationMetrics>> = names
        .iter()
        .map(|n| super::replications::read(&dir.join(n).join(super::REPLICATIONS_FILE)))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for scope in [Scope::FinalYear, Scope::WholeRun] {
        let values: Vec<(String, Vec<Values>)> = names
            .iter()
            .zip(&per_variant)
            .map(|(n, reps)| {
                (
                    n.clone(),
                    reps.iter().map(|r| r.scope(scope).clone()).collect(),
                )
            })
            .collect();
        rows.extend(crate::compare::paired_differences(&values, scope));
    }
    Ok(rows)
}

/// The provenance line of a comparison's charts and report.
pub fn provenance(record: &ComparisonManifest) -> String {
    format!(
        "Variants: {}; {} replications each, {}; trustsim {}",
        record.variants.join(", "),
        record.replications,
        if record.common_random_numbers {
            format!("common random numbers from seed {}", record.seed)
        } else {
            "independent seeds".into()
        },
        record.trustsim_version
    )
}

/// Reads `comparison.json`.
pub fn read_comparison_manifest(path: &Path) -> Result<ComparisonManifest, OutputError> {
    super::atomic::read_json(path)
}

table! {
    /// One row per variant, outcome and scope: the paired difference against the first variant.
    pub static COMPARISON: Table<Difference> = "comparison.parquet";
    pub mod col {
        VARIANT = "variant", "", Get::Str(|d| &d.variant), "Variant (scenario name).";
        BASELINE = "baseline", "", Get::Str(|d| &d.baseline), "The reference variant (the first).";
        OUTCOME = "outcome", "", Get::Str(|d| d.outcome.key), "Metric key.";
        LABEL = "label", "", Get::Str(|d| d.outcome.label), "What the outcome measures.";
        UNIT = "unit", "", Get::Str(|d| d.outcome.unit.label()), "Unit of the means and differences (% means a fraction: values are stored as fractions).";
        SCOPE = "scope", "", Get::Enum(|d| d.scope.as_str(), &Scope::LABELS), "final_year: the last 12 reported months; whole_run: every reported month.";
        BETTER = "better", "", Get::Enum(|d| better(d.outcome.better), &["higher", "lower", "neither"]), "Which direction is an improvement.";
        N = "n", "replications", Get::U32(|d| d.n), "Paired replications.";
        BASELINE_MEAN = "baseline_mean", "outcome unit", Get::F64(|d| d.baseline_mean), "Mean of the reference across replications.";
        VARIANT_MEAN = "variant_mean", "outcome unit", Get::F64(|d| d.variant_mean), "Mean of the variant across replications.";
        MEAN_DIFFERENCE = "mean_difference", "outcome unit", Get::F64(|d| d.mean_difference), "Mean paired difference, variant minus reference.";
        CI_LOW = "ci_low", "outcome unit", Get::F64(|d| d.ci_low), "Lower end of the 95 % t interval of the mean difference.";
        CI_HIGH = "ci_high", "outcome unit", Get::F64(|d| d.ci_high), "Upper end of the 95 % t interval of the mean difference.";
        SHARE_BETTER = "share_better", "fraction (0-1)", Get::F64(|d| d.share_better), "Share of replications in which the variant did better.";
        BASELINE_SD = "baseline_sd", "outcome unit", Get::F64(|d| d.baseline_sd), "SD of the reference across replications (a difference divided by it is in SD units).";
    }
}

fn better(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher",
        Better::Lower => "lower",
        Better::Neither => "neither",
    }
}

/// Writes the paired differences to `path` (atomically).
pub fn write_comparison(
    path: &Path,
    rows: &[Difference],
    meta: &FileMeta,
) -> Result<(), OutputError> {
    write_table(path, &COMPARISON, rows, meta)
}
