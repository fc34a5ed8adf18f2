//! One-file HTML report of one or more runs (placeholder).

use std::path::{Path, PathBuf};

/// Writes the report of `runs` to `out`.
pub fn write_report(runs: &[PathBuf], out: &Path) -> Result<(), crate::charts::ChartError> {
    let _ = (runs, out);
    Ok(())
}
