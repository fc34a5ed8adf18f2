//! A calibration file (`[calibration]`): the base scenario, the uncertain
//! parameters with their prior ranges, the targets with their observation
//! uncertainty, and the settings of the history matching (waves, design
//! points, replications, cut-off).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::metrics::{METRICS, Metric, metric};
use crate::model::Params;
use crate::scenario;
use crate::sweep::{Varied, ranged};

/// Why a calibration file cannot be used (the message names the file and key).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read calibration file {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// A key or value that is not allowed: `reason` names the key and what
    /// is allowed.
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    calibration: RawCalibration,
}

/// How the parameter space is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// History matching with Gaussian-process emulators, in waves.
    HistoryMatching,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    name: Option<String>,
    base: String,
    method: Option<Method>,
    replications: Option<u32>,
    waves: Option<usize>,
    points: Option<usize>,
    candidates: Option<usize>,
    cutoff: Option<f64>,
    seed: Option<u64>,
    parameters: BTreeMap<String, RawRange>,
    targets: BTreeMap<String, RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    min: f64,
    max: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    value: Option<f64>,
    sd: Option<f64>,
    discrepancy_sd: Option<f64>,
}

/// One target: the observed value of a metric, the standard deviation of
/// its observation error, and of the model's discrepancy from reality.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TargetSpec {
    /// Metric key.
    pub key: String,
    pub value: f64,
    /// Observation error SD; by default a quarter of the registry range's
    /// width (the range read as a 95 % interval).
    pub sd: f64,
    /// Model discrepancy SD (0 unless stated).
    pub discrepancy_sd: f64,
    /// Where the value comes from: the registry's evidence, or "stated in
    /// the calibration file".
    pub source: String,
}

impl TargetSpec {
    /// Observation plus discrepancy variance.
    pub fn fixed_variance(&self) -> f64 {
        self.sd * self.sd + self.discrepancy_sd * self.discrepancy_sd
    }

    pub fn metric(&self) -> &'static Metric {
        metric(&self.key).expect("target keys are checked when the plan is loaded")
    }
}

/// A validated calibration.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub file: PathBuf,
    pub base: Params,
    pub method: Method,
    pub parameters: Vec<Varied>,
    pub targets: Vec<TargetSpec>,
    /// Replications of each design point (at least 2, for the model's own
    /// stochastic variance).
    pub replications: u32,
    /// Most waves run.
    pub waves: usize,
    /// Design points per wave.
    pub points: usize,
    /// Candidate points screened by the emulators when choosing a wave.
    pub candidates: usize,
    /// Implausibility cut-off.
    pub cutoff: f64,
    pub seed: u64,
}

/// Largest number of design points per wave (the emulator's cost grows with
/// the cube of the points it is fitted to).
pub const MAX_POINTS: usize = 400;

/// Reads and validates a calibration file; its base scenario is relative to it.
pub fn load(path: &Path) -> Result<Plan, PlanError> {
    let bad = |reason: String| PlanError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let text = crate::files::read_text(
        path,
        crate::files::limits::TEXT_FILE_BYTES,
        "a calibration file",
    )
    .map_err(|e| PlanError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| crate::scenario::keys::line_col(&text, s.start));
        let loc = at.map_or(String::new(), |(l, c)| format!("{l}:{c}: "));
        bad(format!("{loc}{}", e.message().trim_end()))
    })?;
    let r = raw.calibration;
    let parameters = varied(&r.parameters).map_err(&bad)?;
    let targets = targets(&r.targets).map_err(&bad)?;
    let settings = settings(&r).map_err(&bad)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let base = scenario::load(&dir.join(&r.base))
        .map_err(|e| bad(format!("calibration.base: {e}")))?
        .params;
    if let Some(n) = &r.name {
        crate::files::names::check("calibration.name", n).map_err(&bad)?;
    }
    let name = r
        .name
        .unwrap_or_else(|| crate::files::names::from_stem(path, "calibration"));
    Ok(Plan {
        name,
        file: path.to_path_buf(),
        base,
        method: r.method.unwrap_or(Method::HistoryMatching),
        parameters,
        targets,
        replications: settings.0,
        waves: settings.1,
        points: settings.2,
        candidates: settings.3,
        cutoff: settings.4,
        seed: r.seed.unwrap_or(1),
    })
}

/// Replications, waves, points, candidates and cut-off, checked.
fn settings(r: &RawCalibration) -> Result<(u32, usize, usize, usize, f64), String> {
    let replications = r.replications.unwrap_or(3);
    if !(2..=1000).contains(&replications) {
        return Err(format!(
            "calibration.replications: from 2 to 1000 (the model's own variance is estimated from them; got {replications})"
        ));
    }
    let waves = r.waves.unwrap_or(3);
    if !(1..=20).contains(&waves) {
        return Err(format!("calibration.waves: from 1 to 20 (got {waves})"));
    }
    let k = r.parameters.len();
    let points = r.points.unwrap_or(10 * k.max(1));
    if !(4..=MAX_POINTS).contains(&points) || points <= k + 1 {
        return Err(format!(
            "calibration.points: from {} to {MAX_POINTS} design points per wave (more than the parameters plus one; got {points})",
            (k + 2).max(4)
        ));
    }
    let candidates = r.candidates.unwrap_or(20_000);
    if !(points..=10_000_000).contains(&candidates) {
        return Err(format!(
            "calibration.candidates: from the points per wave ({points}) to 10000000 (got {candidates})"
        ));
    }
    let cutoff = r.cutoff.unwrap_or(3.0);
    if !(cutoff.is_finite() && cutoff > 0.0) {
        return Err(format!(
            "calibration.cutoff: a positive number, usually 3 (Pukelsheim's three-sigma rule; got {cutoff})"
        ));
    }
    Ok((replications, waves, points, candidates, cutoff))
}

/// The uncertain parameters (at least one): numeric keys, each with a prior
/// range of `min` below `max`.
fn varied(ranges: &BTreeMap<String, RawRange>) -> Result<Vec<Varied>, String> {
    let parameters = ranged("calibration", ranges.iter().map(|(k, r)| (k, r.min, r.max)))?;
    if parameters.len() > 12 {
        return Err(format!(
            "calibration.parameters: at most 12 parameters (got {}); screen them first with `trustsim sensitivity`",
            parameters.len()
        ));
    }
    Ok(parameters)
}

/// The targets (at least one): metric keys, each with the registry's
/// evidence or a stated value and SD.
fn targets(raw: &BTreeMap<String, RawTarget>) -> Result<Vec<TargetSpec>, String> {
    let mut out = Vec::new();
    for (key, t) in raw {
        let m = metric(key).ok_or_else(|| unknown_metric(key))?;
        let evidence = m.target;
        let value = match (t.value, evidence) {
            (Some(v), _) => v,
            (None, Some(e)) => 0.5 * (e.lo + e.hi),
            (None, None) => {
                return Err(format!(
                    "calibration.targets.{key}: the metric has no evidence in the registry; give {{ value = .., sd = .. }}"
                ));
            }
        };
        let sd = match (t.sd, evidence) {
            (Some(sd), _) => sd,
            (None, Some(e)) if t.value.is_none() => (e.hi - e.lo) / 4.0,
            _ => {
                return Err(format!(
                    "calibration.targets.{key}: a stated value needs its observation `sd`"
                ));
            }
        };
        let discrepancy_sd = t.discrepancy_sd.unwrap_or(0.0);
        if !(value.is_finite() && sd.is_finite() && sd > 0.0) {
            return Err(format!(
                "calibration.targets.{key}: value must be a number and sd above 0 (got {value} and {sd})"
            ));
        }
        if !(discrepancy_sd.is_finite() && discrepancy_sd >= 0.0) {
            return Err(format!(
                "calibration.targets.{key}.discrepancy_sd: 0 or more (got {discrepancy_sd})"
            ));
        }
        let source = match (t.value, evidence) {
            (None, Some(e)) => format!(
                "{} ({}), range read as a 95 % interval",
                e.evidence, e.source
            ),
            _ => "stated in the calibration file".to_string(),
        };
        out.push(TargetSpec {
            key: key.clone(),
            value,
            sd,
            discrepancy_sd,
            source,
        });
    }
    if out.is_empty() {
        return Err(
            "calibration.targets: name at least one target metric, e.g. `ceo_change_rate = {}`"
                .into(),
        );
    }
    Ok(out)
}

fn unknown_metric(key: &str) -> String {
    let close = crate::scenario::keys::closest(key, METRICS.iter().map(|m| m.key));
    match close {
        Some(c) => format!("calibration.targets: unknown metric `{key}`; did you mean `{c}`?"),
        None => format!(
            "calibration.targets: unknown metric `{key}`; allowed: a metric of `trustsim columns`, e.g. `ceo_change_rate`"
        ),
    }
}

impl Plan {
    /// A hash of everything that determines the calibration's results.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(scenario::identity_toml(&self.base).as_bytes());
        // Plain data with string keys: serialising cannot fail, and a
        // failure must not pass as an empty string that other plans share.
        h.update(
            serde_json::to_string(&self.parameters).expect("calibration parameters serialise"),
        );
        h.update(serde_json::to_string(&self.targets).expect("calibration targets serialise"));
        h.update(
            format!(
                "{} {} {} {} {} {}",
                self.replications, self.waves, self.points, self.candidates, self.cutoff, self.seed
            )
            .as_bytes(),
        );
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parameter keys, in order.
    pub fn keys(&self) -> Vec<String> {
        self.parameters.iter().map(|v| v.key.clone()).collect()
    }
}

/// The folder of wave `w` (1-based) of the calibration in `dir`.
pub fn wave_dir(dir: &Path, w: usize) -> PathBuf {
    dir.join("waves").join(format!("wave-{w}"))
}
