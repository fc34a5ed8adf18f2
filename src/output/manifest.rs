//! The run manifest (`manifest.json`): what was run (version, scenario and
//! its hash, seed, sizes), how (threads, wall time), whether it completed and
//! which files it produced. Written as pretty JSON, atomically.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::atomic::{read_json, write_json};
use super::error::OutputError;
use crate::model::Params;

/// Conventional file name of the manifest inside a run folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Description of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub trustsim_version: String,
    pub scenario_name: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub months: u32,
    pub burn_in_months: u32,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub complete: bool,
    /// Output files, relative to the run folder.
    pub files: Vec<String>,
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
    write_json(path, manifest)
}

/// Reads a manifest written by [`write_manifest`].
pub fn read_manifest(path: &Path) -> Result<Manifest, OutputError> {
    read_json(path)
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
            scenario_name: "baseline".into(),
            scenario_hash: "abc123".into(),
            seed: 42,
            replications: 10,
            months: 120,
            burn_in_months: 24,
            threads: 4,
            wall_time_seconds: 1.5,
            complete: true,
            files: vec!["trust_months.parquet".into(), "ceo_spells.parquet".into()],
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
        assert!(err.contains("missing.json"), "{err}");
    }

    #[test]
    fn bad_manifest_is_a_parse_error() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        std::fs::write(&path, "{ not json").unwrap();
        let err = read_manifest(&path).unwrap_err().to_string();
        assert!(err.starts_with("cannot parse JSON file `"), "{err}");
    }
}
