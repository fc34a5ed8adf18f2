//! `comparison.parquet`: one row per variant x outcome x scope with the
//! paired difference against the first variant and its 95 % interval; with
//! parameter sets, also its spread across plausible worlds (null without).
//! The rows ([`Difference`]) are computed by [`crate::compare`].

use std::path::Path;

use super::error::OutputError;
use super::parquet::FileMeta;
use super::summary::write_table;
use super::tables::{Col, Get, Table, table};
use crate::metrics::groups::TrustGroup;
use crate::metrics::{Better, Metric, Scope};

/// Conventional file name of the comparison table.
pub const COMPARISON_FILE: &str = "comparison.parquet";
/// The comparison table as CSV (with `--csv`).
pub const COMPARISON_CSV: &str = "comparison.csv";
/// What a comparison folder holds: its variants and how they were run.
pub use super::manifest::COMPARISON_MANIFEST;

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
    /// Files of the comparison folder (not the variants' folders, which
    /// have their own manifests), with size and checksum.
    #[serde(default)]
    pub files: Vec<crate::files::FileEntry>,
    /// Files the command that wrote this record may be writing.
    #[serde(default)]
    pub pending: Vec<String>,
    /// The plausible parameter sets every variant used (`--parameter-sets`):
    /// replication `i` of every variant used set `i mod M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_sets: Option<super::parameter_sets::SetsRecord>,
    /// What the reference variant simulates (trusts, staff scale, whether
    /// it is the full England baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::model::params::RunScope>,
}

/// Writes `comparison.json` atomically, sealed.
pub fn write_comparison_manifest(path: &Path, m: &ComparisonManifest) -> Result<(), OutputError> {
    super::manifest::write_sealed(path, m)
}

/// The paired difference of one outcome between a variant and the first variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub variant: String,
    pub baseline: String,
    pub outcome: &'static Metric,
    pub scope: Scope,
    pub n: u32,
    pub baseline_mean: f64,
    pub variant_mean: f64,
    /// Mean of variant minus baseline over replications.
    pub mean_difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Share of replications in which the variant did better.
    pub share_better: f64,
    /// Standard deviation of the reference's values across replications
    /// (to express a difference in standard deviations).
    pub baseline_sd: f64,
    /// The spread across plausible worlds, with parameter sets.
    pub worlds: Option<Worlds>,
    /// Which trusts: all (national), or the trusts the variant's targeted
    /// policy is for, or the others.
    pub trusts: TrustGroup,
    /// Mean number of trusts in the group per replication (none for all).
    pub group_trusts: Option<f64>,
}

/// A paired difference across plausible worlds: each replication is one
/// world (a parameter set and a draw of chance).
#[derive(Debug, Clone, PartialEq)]
pub struct Worlds {
    /// 2.5th percentile of the paired differences across replications.
    pub low: f64,
    /// 97.5th percentile of the paired differences across replications.
    pub high: f64,
    /// The mean paired difference over the replications of each set, by
    /// set number (the sets the replications used: `0..M`).
    pub set_means: Vec<f64>,
    /// Sets whose mean paired difference is an improvement.
    pub sets_better: u32,
}

impl Worlds {
    /// Number of sets the replications used (M).
    pub fn sets(&self) -> u32 {
        self.set_means.len() as u32
    }
}

impl Difference {
    /// The mean difference in standard deviations of the reference.
    pub fn standardised(&self) -> (f64, f64, f64) {
        let s = self.baseline_sd;
        if s > 0.0 {
            (self.mean_difference / s, self.ci_low / s, self.ci_high / s)
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        }
    }

    /// Whether the 95 % interval excludes no difference.
    pub fn clear(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }
}

/// The provenance line of a comparison's charts and report.
pub fn provenance(record: &ComparisonManifest) -> String {
    format!(
        "Variants: {}; {} replications each, {}{}; trustsim {}",
        record.variants.join(", "),
        record.replications,
        if record.common_random_numbers {
            format!("common random numbers from seed {}", record.seed)
        } else {
            "independent seeds".into()
        },
        record
            .parameter_sets
            .as_ref()
            .map_or(String::new(), |s| format!(
                "; {} plausible parameter sets (cycled) from {}",
                s.used, s.path
            )),
        record.trustsim_version
    ) + &record
        .scope
        .map_or(String::new(), |s| format!("; {}", s.describe()))
}

/// Reads `comparison.json`.
pub fn read_comparison_manifest(path: &Path) -> Result<ComparisonManifest, OutputError> {
    super::manifest::read_sealed(path, "a comparison record")
}

/// The files `compare` writes into the comparison folder (the variants'
/// folders aside), relative to it: the table, its CSV with `csv`, and the
/// charts it draws (`charts`, relative to the folder).
pub fn planned_files(csv: bool, charts: &[String]) -> Vec<String> {
    let mut v = vec![COMPARISON_FILE.to_string()];
    if csv {
        v.push(COMPARISON_CSV.into());
    }
    v.extend(charts.iter().cloned());
    v
}

table! {
    /// One row per variant, outcome and scope: the paired difference against the first variant.
    pub static COMPARISON: Table<Difference> = "comparison.parquet";
    pub mod col {
        VARIANT = "variant", "", Get::Str(|d| &d.variant), "Variant (scenario name).";
        BASELINE = "baseline", "", Get::Str(|d| &d.baseline), "The reference variant (the first).";
        OUTCOME = "outcome", "", Get::Str(|d| d.outcome.key), "Metric key.";
        LABEL = "label", "", Get::Str(|d| d.outcome.label), "What the outcome measures.";
        UNIT = "unit", "", Get::Str(|d| d.outcome.unit.stored_label()), "Unit of the means as stored: a share is a fraction (0-1), so 0.134 means 13.4 %; differences are in the same unit (-0.0046 is -0.46 percentage points).";
        SCOPE = "scope", "", Get::Enum(|d| d.scope.as_str(), &Scope::LABELS), "final_year: the last 12 reported months; whole_run: every reported month.";
        BETTER = "better", "", Get::Enum(|d| better(d.outcome.better), &["higher", "lower", "neither"]), "Which direction is an improvement.";
        N = "n", "replications", Get::U32(|d| d.n), "Paired replications.";
        BASELINE_MEAN = "baseline_mean", "outcome unit", Get::F64(|d| d.baseline_mean), "Mean of the reference across replications.";
        VARIANT_MEAN = "variant_mean", "outcome unit", Get::F64(|d| d.variant_mean), "Mean of the variant across replications.";
        MEAN_DIFFERENCE = "mean_difference", "outcome unit", Get::F64(|d| d.mean_difference), "Mean paired difference, variant minus reference.";
        CI_LOW = "ci_low", "outcome unit", Get::F64(|d| d.ci_low), "Lower end of the 95 % t interval of the mean difference.";
        CI_HIGH = "ci_high", "outcome unit", Get::F64(|d| d.ci_high), "Upper end of the 95 % t interval of the mean difference.";
        SHARE_BETTER = "share_better", "fraction (0-1)", Get::F64(|d| d.share_better), "Share of replications in which the variant did better (with parameter sets: the probability that the variant is better, over plausible worlds).";
        BASELINE_SD = "baseline_sd", "outcome unit", Get::F64(|d| d.baseline_sd), "SD of the reference across replications (a difference divided by it is in SD units).";
        PARAMETER_SETS = "parameter_sets", "sets", Get::U32OrNull(|d| d.worlds.as_ref().map(|w| w.sets())), "Plausible parameter sets the replications used (M; replication i used set i mod M); null without parameter sets.";
        WORLD_LOW = "world_low", "outcome unit", Get::F64OrNull(|d| d.worlds.as_ref().map_or(f64::NAN, |w| w.low)), "2.5th percentile of the paired differences across replications, each one plausible world (a parameter set and a draw of chance); null without parameter sets.";
        WORLD_HIGH = "world_high", "outcome unit", Get::F64OrNull(|d| d.worlds.as_ref().map_or(f64::NAN, |w| w.high)), "97.5th percentile of the paired differences across replications (plausible worlds); null without parameter sets.";
        SETS_BETTER = "sets_better", "sets", Get::U32OrNull(|d| d.worlds.as_ref().map(|w| w.sets_better)), "Parameter sets whose mean paired difference is an improvement (\"in N of M plausible worlds\"); null without parameter sets.";
        SET_MEANS = "set_means", "outcome unit", Get::F64ListOrNull(|d| d.worlds.as_ref().map(|w| w.set_means.as_slice())), "Mean paired difference over the replications of each parameter set, by set number; null without parameter sets.";
        TRUSTS = "trusts", "", Get::Enum(|d| d.trusts.as_str(), &TrustGroup::LABELS), "Which trusts: all (national); for a variant with a targeted policy also targeted (the trusts it is for, decided as it starts) and untargeted (the others: spill-over).";
        GROUP_TRUSTS = "group_trusts", "trusts", Get::F64OrNull(|d| d.group_trusts.unwrap_or(f64::NAN)), "Mean number of trusts in the group per replication (null for all trusts).";
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
