//! The run manifest (`manifest.json`): what was run (version, scenario and
//! its hash, seed, sizes), how (threads, wall time), whether it completed,
//! which files it produced (each with its size and SHA-256) and which it is
//! writing. Written as sealed JSON (its own checksum in its last field,
//! see `files::sealed`), atomically; read back only if the seal holds.
//!
//! The manifest is how trustsim knows what is its own in a folder: a file
//! in `files` that still matches its checksum, or a name in `pending` (a
//! file being written by an unfinished command). Nothing else is ever
//! deleted.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::error::OutputError;
use crate::files::{FileEntry, limits, read_bounded, sealed};
use crate::model::Params;

/// Conventional file name of the manifest inside a run folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The record of a comparison folder: its variants and how they were run
/// ([`super::comparison::ComparisonManifest`]).
pub const COMPARISON_MANIFEST: &str = "comparison.json";

/// Description of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub trustsim_version: String,
    /// The build that wrote the run (its commit): a finished variant of an
    /// interrupted comparison is taken as it is only from this same build,
    /// as kept replications are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    pub scenario_name: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub months: u32,
    pub burn_in_months: u32,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub complete: bool,
    /// Output files, relative to the run folder, with size and checksum;
    /// readers check a file against its entry before using it.
    pub files: Vec<FileEntry>,
    /// Files the command that wrote this manifest may be writing (names
    /// relative to the folder): trustsim's whatever their content, so an
    /// interrupted command can always be completed or replaced.
    #[serde(default)]
    pub pending: Vec<String>,
    /// Command-line settings layered over the scenario file (`--set`,
    /// `--months`, ...), as given.
    #[serde(default)]
    pub settings: Vec<String>,
    /// The resolved scenario (checked again when read).
    pub scenario: Params,
    /// The plausible parameter sets the run used (`--parameter-sets`), if
    /// any: replication `i` used set `i mod M` (cycled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_sets: Option<super::parameter_sets::SetsRecord>,
    /// The state file the run continued from (`run --from-state`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_state: Option<String>,
}

/// Writes `manifest` to `path` as pretty JSON (with a trailing newline),
/// atomically.
pub fn write_manifest(path: &Path, manifest: &Manifest) -> Result<(), OutputError> {
    write_sealed(path, manifest)
}

/// Reads a manifest written by [`write_manifest`], checking its seal.
pub fn read_manifest(path: &Path) -> Result<Manifest, OutputError> {
    read_sealed(path, "a manifest")
}

impl Manifest {
    /// The entry of the file `name`, if the manifest lists it.
    pub fn entry(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Writes `value` to `path` as sealed JSON, atomically.
pub fn write_sealed<T: Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    let bytes = sealed::seal(value).map_err(|e| OutputError::invalid(path, e.to_string()))?;
    write_atomic(path, &bytes)
}

/// Reads sealed JSON written by [`write_sealed`]: bounded, seal checked,
/// then parsed. `what` names the kind of file ("a manifest").
pub fn read_sealed<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, OutputError> {
    let bytes =
        read_bounded(path, limits::RECORD_BYTES, what).map_err(|p| OutputError::Unreadable {
            path: path.to_path_buf(),
            problem: p,
        })?;
    sealed::open(&bytes).map_err(|e| OutputError::invalid(path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    #[test]
    fn manifest_round_trip() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        let m = Manifest {
            trustsim_version: "0.1.0".into(),
            build: Some("abc1234".into()),
            scenario_name: "baseline".into(),
            scenario_hash: "abc123".into(),
            seed: 42,
            replications: 10,
            months: 120,
            burn_in_months: 24,
            threads: 4,
            wall_time_seconds: 1.5,
            complete: true,
            files: vec![FileEntry::of("trust_months.parquet", b"x")],
            pending: vec![],
            settings: vec!["--months 120".into()],
            scenario: Params::default(),
            parameter_sets: None,
            from_state: None,
        };
        write_manifest(&path, &m).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\n  \"seed\": 42,"), "{text}");
        assert!(text.ends_with("}\n"));
        assert_eq!(read_manifest(&path).unwrap(), m);
    }

    #[test]
    fn missing_manifest_names_the_file() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("missing.json");
        let err = read_manifest(&path).unwrap_err().to_string();
        assert!(err.starts_with("cannot read `"), "{err}");
        assert!(
            err.contains("missing.json") && err.ends_with("file not found"),
            "{err}"
        );
    }

    #[test]
    fn bad_manifest_is_a_parse_error() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        std::fs::write(&path, "{ not json").unwrap();
        let err = read_manifest(&path).unwrap_err().to_string();
        assert!(err.contains("carries no checksum"), "{err}");
    }
}
