//! `trustsim plot` and `trustsim report`: the command-line front of
//! [`crate::api::publish`].

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::api::publish;

/// Draws the charts of one or more runs (overlaid when several).
pub fn plot(runs: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let files = publish::plot(runs, out)?;
    let out = files
        .first()
        .and_then(|f| f.parent())
        .unwrap_or(Path::new("."));
    outln!(
        "{} charts ({} files, PNG and SVG) -> {}",
        files.len() / 2,
        files.len(),
        out.display()
    );
    Ok(())
}

/// Draws the trust view of trust `code` of one run.
pub fn plot_trust(runs: &[PathBuf], code: &str, out: Option<PathBuf>) -> Result<()> {
    let (code, files) = publish::plot_trust(runs, code, out)?;
    let folder = files
        .first()
        .and_then(|f| f.parent())
        .unwrap_or(Path::new("."));
    outln!(
        "trust {code}: {} charts ({} files, PNG and SVG) -> {}",
        files.len() / 2,
        files.len(),
        folder.display()
    );
    Ok(())
}

/// Writes the one-file HTML report of one or more runs, or of a
/// comparison folder.
pub fn report(
    runs: &[PathBuf],
    out: Option<PathBuf>,
    trust: Option<&str>,
    paper: crate::report::Paper,
) -> Result<()> {
    let out = publish::report(runs, out, trust, paper)?;
    outln!("report -> {}", out.display());
    Ok(())
}
