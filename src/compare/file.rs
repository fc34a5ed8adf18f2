//! Comparison files: `[compare] variants = ["a.toml", "b.toml"]`, with an
//! optional folder name, replication count and seed. [`read`] reads one
//! (bounded, regular files only), checks its name by the rule for names
//! that become paths, and resolves the variants relative to it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A comparison file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareFile {
    compare: CompareSection,
}

/// The `[compare]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSection {
    /// Output folder name (default: from the variant names).
    pub name: Option<String>,
    /// Scenario files, the first being the reference; relative to this file.
    pub variants: Vec<String>,
    pub replications: Option<u32>,
    pub seed: Option<u64>,
}

/// Why a comparison file cannot be used; the message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CompareFileError {
    pub message: String,
}

/// The variant files of the comparison file at `path` (relative to it) and
/// its `[compare]` table.
pub fn read(path: &Path) -> Result<(Vec<PathBuf>, CompareSection), CompareFileError> {
    let shown = path.display();
    let err = |message: String| CompareFileError { message };
    let text = crate::files::read_text(
        path,
        crate::files::limits::TEXT_FILE_BYTES,
        "a comparison file",
    )
    .map_err(|e| err(format!("cannot read comparison file {shown}: {e}")))?;
    let parsed: CompareFile = toml::from_str(&text).map_err(|e| {
        err(format!(
            "{shown}: not a comparison file ([compare] with variants = [...]): {}",
            e.message()
        ))
    })?;
    if let Some(name) = &parsed.compare.name {
        crate::files::names::check("compare.name", name)
            .map_err(|m| err(format!("{shown}: {m}")))?;
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let files: Vec<PathBuf> = parsed
        .compare
        .variants
        .iter()
        .map(|v| dir.join(v))
        .collect();
    if files.len() < 2 {
        return Err(err(format!(
            "{shown}: compare.variants needs at least two scenario files"
        )));
    }
    Ok((files, parsed.compare))
}
