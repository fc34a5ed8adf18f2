//! Board-paper charts drawn from a run's parquet files (placeholder).

use std::path::{Path, PathBuf};

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(pub String);

/// Draws every chart of `runs` (overlaid when several) into `out_dir`, as PNG
/// and SVG; returns the files written.
pub fn render_run_charts(runs: &[PathBuf], out_dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    let _ = (runs, out_dir);
    Ok(Vec::new())
}
