//! A sensitivity study file (`[sensitivity]`): the base scenario, the
//! method (Morris or Sobol), the parameters and their ranges, the outputs,
//! and the design points it implies, run as a sweep.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::metrics::{METRICS, metric};
use crate::scenario;
use crate::sweep::{Design, Sweep, Varied, ranged};

/// Why a sensitivity file cannot be used (the message names the file and key).
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("cannot read sensitivity file {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// A key or value that is not allowed: `reason` names the key and what
    /// is allowed.
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    /// The base scenario cannot be used.
    #[error(transparent)]
    Base(#[from] crate::scenario::ScenarioError),
    #[error(transparent)]
    Sweep(#[from] crate::sweep::SweepError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    sensitivity: RawSensitivity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Morris,
    Sobol,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    name: Option<String>,
    base: String,
    method: Method,
    /// Saltelli base samples N, or Morris trajectories r.
    samples: usize,
    /// Morris grid levels.
    levels: Option<usize>,
    replications: Option<u32>,
    bootstrap: Option<usize>,
    seed: Option<u64>,
    outputs: Vec<String>,
    parameters: BTreeMap<String, RawRange>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    min: f64,
    max: f64,
}

pub struct Study {
    /// The design points, run as a sweep.
    pub sweep: Sweep,
    pub method: Method,
    /// Saltelli base samples, or Morris trajectories.
    pub samples: usize,
    /// Bootstrap resamples of the intervals.
    pub bootstrap: usize,
    pub seed: u64,
    /// Metric keys analysed.
    pub outputs: Vec<String>,
}

/// Reads and validates a sensitivity file; its base scenario is relative to it.
pub fn load(path: &Path) -> Result<Study, StudyError> {
    let bad = |reason: String| StudyError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let text = crate::files::read_text(
        path,
        crate::files::limits::TEXT_FILE_BYTES,
        "a sensitivity file",
    )
    .map_err(|e| StudyError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| bad(e.message().trim_end().into()))?;
    let r = raw.sensitivity;
    let parameters = varied(&r.parameters).map_err(&bad)?;
    check_outputs(&r.outputs).map_err(&bad)?;
    let seed = r.seed.unwrap_or(1);
    let (design, unit) = unit_design(&r, parameters.len(), seed).map_err(&bad)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let base = scenario::load(&dir.join(&r.base))?.params;
    let replications = r.replications.unwrap_or(base.run.replications);
    if let Some(n) = &r.name {
        crate::files::names::check("sensitivity.name", n).map_err(&bad)?;
    }
    let name = r
        .name
        .unwrap_or_else(|| crate::files::names::from_stem(path, "sensitivity"));
    let sweep = Sweep::from_unit_points(name, path, base, design, replications, parameters, &unit)?;
    Ok(Study {
        sweep,
        method: r.method,
        samples: r.samples,
        bootstrap: r.bootstrap.unwrap_or(500),
        seed,
        outputs: r.outputs,
    })
}

/// The varied parameters (at least one): numeric keys, each with a range of
/// `min` below `max`.
fn varied(ranges: &BTreeMap<String, RawRange>) -> Result<Vec<Varied>, String> {
    ranged("sensitivity", ranges.iter().map(|(k, r)| (k, r.min, r.max)))
}

/// Checks that the outputs name at least one metric, and only metrics.
fn check_outputs(outputs: &[String]) -> Result<(), String> {
    if outputs.is_empty() {
        return Err("sensitivity.outputs: name at least one output metric".into());
    }
    for o in outputs {
        if metric(o).is_none() {
            let allowed: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
            return Err(format!(
                "sensitivity.outputs: unknown metric `{o}`; allowed: {}",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

/// The design of `r`'s method for `k` parameters and its points on the unit
/// cube: Saltelli sampling for Sobol indices, or Morris trajectories.
fn unit_design(r: &RawSensitivity, k: usize, seed: u64) -> Result<(Design, Vec<Vec<f64>>), String> {
    if r.samples < 2 {
        return Err(
            "sensitivity.samples: at least 2 (Saltelli base samples or Morris trajectories)".into(),
        );
    }
    let points = match r.method {
        Method::Sobol => r.samples.checked_mul(k + 2),
        Method::Morris => r.samples.checked_mul(k + 1),
    };
    if points.is_none_or(|n| n > crate::files::limits::DESIGN_UNITS) {
        return Err(format!(
            "sensitivity.samples: {} {} for {k} parameters make more than {} design points; allowed: at most {}",
            r.samples,
            match r.method {
                Method::Sobol => "base samples (each makes k + 2 points)",
                Method::Morris => "trajectories (each makes k + 1 points)",
            },
            crate::files::limits::DESIGN_UNITS,
            crate::files::limits::DESIGN_UNITS
        ));
    }
    if let Some(b) = r.bootstrap
        && b > crate::files::limits::BOOTSTRAP
    {
        return Err(format!(
            "sensitivity.bootstrap: {b}; allowed: at most {} resamples",
            crate::files::limits::BOOTSTRAP
        ));
    }
    match r.method {
        Method::Sobol => {
            if 2 * k > crate::design::MAX_SOBOL_DIMS {
                return Err(format!(
                    "sensitivity.parameters: Sobol indices support at most {} parameters",
                    crate::design::MAX_SOBOL_DIMS / 2
                ));
            }
            Ok((Design::Saltelli, super::saltelli_design(k, r.samples)))
        }
        Method::Morris => {
            let levels = r.levels.unwrap_or(4);
            if !(2..=crate::files::limits::MORRIS_LEVELS).contains(&levels) || levels % 2 == 1 {
                return Err(format!(
                    "sensitivity.levels: an even number from 2 to {} (got {levels})",
                    crate::files::limits::MORRIS_LEVELS
                ));
            }
            Ok((
                Design::Morris,
                super::morris_design(k, r.samples, levels, seed),
            ))
        }
    }
}
