//! `comparison.parquet`: one row per variant x outcome x scope with the
//! paired difference against the first variant and its 95 % interval.

use std::path::Path;

use polars::prelude::*;

use super::error::OutputError;
use super::parquet::FileMeta;
use super::summary::write_table;
use crate::compare::Difference;

/// Conventional file name of the comparison table.
pub const COMPARISON_FILE: &str = "comparison.parquet";

/// Writes the paired differences to `path` (atomically).
pub fn write_comparison(
    path: &Path,
    rows: &[Difference],
    meta: &FileMeta,
) -> Result<(), OutputError> {
    let s = |f: &dyn Fn(&Difference) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    let x = |f: &dyn Fn(&Difference) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let mut df = DataFrame::new(
        rows.len(),
        vec![
            Column::new("variant".into(), s(&|d| &d.variant)),
            Column::new("baseline".into(), s(&|d| &d.baseline)),
            Column::new("outcome".into(), s(&|d| d.outcome.key)),
            Column::new("scope".into(), s(&|d| d.scope.as_str())),
            Column::new(
                "higher_is_better".into(),
                rows.iter()
                    .map(|d| d.outcome.higher_is_better)
                    .collect::<Vec<bool>>(),
            ),
            Column::new("n".into(), rows.iter().map(|d| d.n).collect::<Vec<u32>>()),
            Column::new("baseline_mean".into(), x(&|d| d.baseline_mean)),
            Column::new("variant_mean".into(), x(&|d| d.variant_mean)),
            Column::new("mean_difference".into(), x(&|d| d.mean_difference)),
            Column::new("ci_low".into(), x(&|d| d.ci_low)),
            Column::new("ci_high".into(), x(&|d| d.ci_high)),
            Column::new("share_better".into(), x(&|d| d.share_better)),
        ],
    )
    .map_err(|e| OutputError::parquet_write(path, e))?;
    write_table(path, &mut df, meta)
}
