//! `trustsim plot` and `trustsim report` (placeholder).

use std::path::PathBuf;

use anyhow::Result;

/// Draws the charts of one or more runs.
pub fn plot(runs: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let _ = (runs, out);
    Ok(())
}

/// Writes the one-file HTML report of one or more runs.
pub fn report(runs: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let _ = (runs, out);
    Ok(())
}
