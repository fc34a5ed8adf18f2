//! Parameter sweeps: a base scenario, parameters to vary and a design (full
//! grid, Latin hypercube or Sobol sequence). Each design point is one unit of
//! work: all its replications, run with the base seed (so points share their
//! random streams, as in a comparison). Units are numbered from 0 and a shard
//! `I/N` runs the units whose index is `I` modulo `N`.
//!
//! This module owns the sweep definition, its validation and the mapping of
//! design points onto [`Params`]; [`store`] owns the files.

pub mod exec;
pub mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::design;
use crate::model::Params;
use crate::model::params::RawParams;
use crate::output::parameter_sets::ParameterSetsFile;
use crate::scenario;

/// Why a sweep file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("cannot read sweep file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    Scenario(#[from] scenario::ScenarioError),
}

/// How design points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Grid,
    Lhs,
    Sobol,
    /// Saltelli sampling for Sobol indices (built by `trustsim sensitivity`).
    Saltelli,
    /// Morris trajectories (built by `trustsim sensitivity`).
    Morris,
    /// Points of a history-matching wave (built by `trustsim calibrate`).
    Calibration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    sweep: RawSweep,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    base: String,
    design: Design,
    replications: Option<u32>,
    points: Option<usize>,
    seed: Option<u64>,
    parameters: BTreeMap<String, RawRange>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRange {
    Values(Vec<f64>),
    Range {
        min: f64,
        max: f64,
        levels: Option<usize>,
    },
}

/// A varied parameter and its range or values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Varied {
    /// Dotted scenario key, e.g. `oversight.punitiveness`.
    pub key: String,
    pub min: f64,
    pub max: f64,
    /// Grid values (for a grid design).
    pub values: Vec<f64>,
    /// Whether the parameter is an integer (values are rounded).
    pub integer: bool,
}

/// A validated sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    pub file: PathBuf,
    pub base: Params,
    pub design: Design,
    pub replications: u32,
    pub parameters: Vec<Varied>,
    /// Parameter values of every design point, in unit order.
    pub points: Vec<Vec<f64>>,
    /// Plausible parameter sets (`--parameter-sets`): replication `i` of
    /// every design point uses set `i mod M`.
    pub parameter_sets: Option<Arc<ParameterSetsFile>>,
}

pub use crate::scenario::keys::{numeric_key, parameter_keys};

/// The parameters of a `[SECTION.parameters]` table of `(key, min, max)`
/// ranges (at least one): numeric keys, each with `min` below `max`; a
/// message naming `section` if not.
pub fn ranged<'a>(
    section: &str,
    ranges: impl IntoIterator<Item = (&'a String, f64, f64)>,
) -> Result<Vec<Varied>, String> {
    let keys = parameter_keys();
    let mut parameters = Vec::new();
    for (key, min, max) in ranges {
        let integer = numeric_key(&keys, key).map_err(|m| format!("{section}.parameters: {m}"))?;
        if !(min.is_finite() && max.is_finite() && min < max) {
            return Err(format!(
                "{section}.parameters.\"{key}\": min must be below max (got {min} and {max})"
            ));
        }
        parameters.push(Varied {
            key: key.clone(),
            min,
            max,
            values: vec![],
            integer,
        });
    }
    if parameters.is_empty() {
        return Err(format!(
            "{section}.parameters: name at least one parameter with {{ min, max }}"
        ));
    }
    Ok(parameters)
}

/// The value of the numeric parameter `key` in `p`.
pub fn value_of(p: &RawParams, key: &str) -> Option<f64> {
    let tree = toml::Value::try_from(p).ok()?;
    let mut cur = &tree;
    for part in key.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// `p` with the parameter `key` set to `value` (rounded for integers).
pub fn with_value(p: &RawParams, key: &str, value: f64) -> Result<RawParams, String> {
    with_values(p, &[(key, value)])
}

/// `p` with each parameter `key` set to its `value` (rounded for
/// integers), in one pass through the parameter tree: the same parameters
/// as setting them one after another, which took a pass each. A value the
/// tree refuses is named with its key.
pub fn with_values(p: &RawParams, values: &[(&str, f64)]) -> Result<RawParams, String> {
    let mut tree = toml::Value::try_from(p).map_err(|e| e.to_string())?;
    for &(key, value) in values {
        set_number(&mut tree, key, value)?;
    }
    tree.try_into().map_err(|e: toml::de::Error| match values {
        [(key, value)] => format!("{key} = {value}: {}", e.message()),
        // Which value was refused: the first that is refused alone.
        _ => values
            .iter()
            .find_map(|&(key, value)| with_value(p, key, value).err())
            .unwrap_or_else(|| e.message().to_string()),
    })
}

/// Sets the numeric parameter `key` in `tree` to `value` (rounded for an
/// integer).
fn set_number(tree: &mut toml::Value, key: &str, value: f64) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = tree;
    for part in &parts[..parts.len() - 1] {
        cur = cur
            .get_mut(*part)
            .ok_or_else(|| format!("unknown parameter `{key}`"))?;
    }
    let leaf = parts[parts.len() - 1];
    let table = cur
        .as_table_mut()
        .ok_or_else(|| format!("unknown parameter `{key}`"))?;
    let new = match table.get(leaf) {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(value.round() as i64),
        Some(toml::Value::Float(_)) => toml::Value::Float(value),
        _ => return Err(format!("`{key}` is not a numeric parameter")),
    };
    table.insert(leaf.to_string(), new);
    Ok(())
}

/// Points of the unit cube scaled to each parameter's range.
fn scale(parameters: &[Varied], unit: &[Vec<f64>]) -> Vec<Vec<f64>> {
    unit.iter()
        .map(|u| {
            parameters
                .iter()
                .zip(u)
                .map(|(v, x)| v.min + (v.max - v.min) * x)
                .collect()
        })
        .collect()
}

/// The `[sweep]` table of the file at `path`, whose design must be one a
/// sweep file may name.
fn read_raw(path: &Path) -> Result<RawSweep, SweepError> {
    let shown = path.display().to_string();
    let text = crate::files::read_text(path, crate::files::limits::TEXT_FILE_BYTES, "a sweep file")
        .map_err(|e| SweepError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| crate::scenario::keys::line_col(&text, s.start));
        let loc = at.map_or(String::new(), |(l, c)| format!("{l}:{c}: "));
        SweepError::Invalid {
            path: shown.clone(),
            message: format!("{loc}{}", e.message().trim_end()),
        }
    })?;
    let raw = raw.sweep;
    if matches!(
        raw.design,
        Design::Saltelli | Design::Morris | Design::Calibration
    ) {
        return Err(SweepError::Invalid {
            path: shown,
            message: format!(
                "sweep.design: {:?} designs belong to sensitivity or calibration files; allowed here: grid, lhs, sobol",
                raw.design
            )
            .to_lowercase(),
        });
    }
    Ok(raw)
}

/// The parameter `key` varied as its `[sweep.parameters]` entry says: a list
/// of values (grid designs only) or a range; a message if it cannot be.
fn varied(key: &str, range: &RawRange, design: Design, integer: bool) -> Result<Varied, String> {
    let (min, max, values) = match range {
        RawRange::Values(values) => {
            if design != Design::Grid {
                return Err(format!(
                    "sweep.parameters.\"{key}\": a {:?} design needs {{ min = .., max = .. }}, not a list of values",
                    design
                ).to_lowercase());
            }
            if values.is_empty() {
                return Err(format!(
                    "sweep.parameters.\"{key}\": the list of values is empty"
                ));
            }
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, max, values.clone())
        }
        RawRange::Range { min, max, levels } => {
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return Err(format!(
                    "sweep.parameters.\"{key}\": min must not exceed max (got {min} and {max})"
                ));
            }
            (*min, *max, range_values(key, *min, *max, *levels, design)?)
        }
    };
    Ok(Varied {
        key: key.to_string(),
        min,
        max,
        values,
        integer,
    })
}

/// The grid values of a range: `levels` values evenly spaced from `min` to
/// `max` (for a grid, which needs them); none for a sampled design.
fn range_values(
    key: &str,
    min: f64,
    max: f64,
    levels: Option<usize>,
    design: Design,
) -> Result<Vec<f64>, String> {
    match (design, levels) {
        (Design::Grid, Some(n)) if n > crate::files::limits::DESIGN_UNITS => Err(format!(
            "sweep.parameters.\"{key}\": {n} levels; allowed: at most {} design points in all",
            crate::files::limits::DESIGN_UNITS
        )),
        (Design::Grid, Some(n)) if n >= 1 => Ok((0..n)
            .map(|i| {
                if n == 1 {
                    min
                } else {
                    min + (max - min) * i as f64 / (n - 1) as f64
                }
            })
            .collect()),
        (Design::Grid, _) => Err(format!(
            "sweep.parameters.\"{key}\": a grid needs `levels = N` (at least 1) with min and max, or a list of values"
        )),
        _ => Ok(Vec::new()),
    }
}

/// The design points of `raw`'s design over `parameters`: the grid of their
/// values, or `points` sampled points scaled to their ranges.
fn design_points(raw: &RawSweep, parameters: &[Varied]) -> Result<Vec<Vec<f64>>, String> {
    match raw.design {
        Design::Grid => {
            let size = parameters
                .iter()
                .try_fold(1usize, |acc, v| acc.checked_mul(v.values.len()))
                .filter(|n| *n <= crate::files::limits::DESIGN_UNITS);
            if size.is_none() {
                return Err(format!(
                    "sweep.parameters: the grid has more than {} points (the product of the values of each parameter); allowed: at most {} design points",
                    crate::files::limits::DESIGN_UNITS,
                    crate::files::limits::DESIGN_UNITS
                ));
            }
            Ok(design::grid(
                &parameters
                    .iter()
                    .map(|v| v.values.clone())
                    .collect::<Vec<_>>(),
            ))
        }
        Design::Lhs | Design::Sobol | Design::Saltelli | Design::Morris | Design::Calibration => {
            let n = raw.points.filter(|n| *n >= 1).ok_or_else(|| {
                "sweep.points: a Latin hypercube or Sobol design needs `points = N` (at least 1)"
                    .to_string()
            })?;
            if n > crate::files::limits::DESIGN_UNITS {
                return Err(format!(
                    "sweep.points: {n}; allowed: at most {} design points",
                    crate::files::limits::DESIGN_UNITS
                ));
            }
            let unit = if raw.design == Design::Lhs {
                design::latin_hypercube(n, parameters.len(), raw.seed.unwrap_or(1))
            } else {
                if parameters.len() > design::MAX_SOBOL_DIMS {
                    return Err(format!(
                        "sweep.parameters: a Sobol design supports at most {} parameters",
                        design::MAX_SOBOL_DIMS
                    ));
                }
                design::sobol(n, parameters.len())
            };
            Ok(scale(parameters, &unit))
        }
    }
}

impl Sweep {
    /// A sweep over explicit points in the unit cube, scaled to each
    /// parameter's range; every point is validated.
    pub fn from_unit_points(
        name: String,
        file: &Path,
        base: Params,
        design: Design,
        replications: u32,
        parameters: Vec<Varied>,
        unit: &[Vec<f64>],
    ) -> Result<Sweep, SweepError> {
        let points = scale(&parameters, unit);
        let sweep = Sweep {
            name,
            file: file.to_path_buf(),
            base,
            design,
            replications,
            parameters,
            points,
            parameter_sets: None,
        };
        sweep.check_points()?;
        Ok(sweep)
    }

    /// Reads and validates a sweep file; the base scenario is relative to it.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let shown = path.display().to_string();
        let invalid = |message: String| SweepError::Invalid {
            path: shown.clone(),
            message,
        };
        let raw = read_raw(path)?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let base = scenario::load(&dir.join(&raw.base))?.params;
        let keys = parameter_keys();
        let mut parameters = Vec::new();
        for (key, range) in &raw.parameters {
            let integer =
                numeric_key(&keys, key).map_err(|m| invalid(format!("sweep.parameters: {m}")))?;
            parameters.push(varied(key, range, raw.design, integer).map_err(&invalid)?);
        }
        if parameters.is_empty() {
            return Err(invalid(
                "sweep.parameters: name at least one parameter to vary".into(),
            ));
        }
        let points = design_points(&raw, &parameters).map_err(&invalid)?;
        let replications = raw.replications.unwrap_or(base.run.replications);
        if let Some(n) = &raw.name {
            crate::files::names::check("sweep.name", n).map_err(&invalid)?;
        }
        let name = raw
            .name
            .unwrap_or_else(|| crate::files::names::from_stem(path, "sweep"));
        let sweep = Sweep {
            name,
            file: path.to_path_buf(),
            base,
            design: raw.design,
            replications,
            parameters,
            points,
            parameter_sets: None,
        };
        sweep.check_points()?;
        Ok(sweep)
    }

    /// Checks that every design point is a valid scenario; the error names
    /// the file and the point.
    fn check_points(&self) -> Result<(), SweepError> {
        let shown = self.file.display().to_string();
        for i in 0..self.points.len() {
            let p = self.point_raw(i).map_err(|message| SweepError::Invalid {
                path: shown.clone(),
                message: format!("design point {i}: {message}"),
            })?;
            scenario::rebuild(&self.base, p, &format!("{shown}: design point {i}"))?;
        }
        Ok(())
    }

    /// This sweep with plausible parameter sets: replication `i` of every
    /// design point uses set `i mod M`. Refuses sets that give a parameter
    /// the sweep varies (a set would overwrite the design) and any design
    /// point and set whose values the scenario's checks refuse.
    pub fn with_parameter_sets(
        mut self,
        file: Arc<ParameterSetsFile>,
    ) -> Result<Sweep, SweepError> {
        let shown = file.path.display().to_string();
        let swept: Vec<&str> = file
            .sets
            .keys
            .iter()
            .filter(|k| self.parameters.iter().any(|v| &v.key == *k))
            .map(String::as_str)
            .collect();
        if !swept.is_empty() {
            return Err(SweepError::Invalid {
                path: shown,
                message: format!(
                    "the sweep varies {}, which the parameter sets also give; a set would overwrite the design, so leave {} out of the parameter sets or out of the sweep",
                    swept
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if swept.len() == 1 { "it" } else { "them" }
                ),
            });
        }
        self.parameter_sets = Some(file);
        for i in 0..self.points.len() {
            self.point_worlds(i)
                .map_err(|message| SweepError::Invalid {
                    path: shown.clone(),
                    message: format!("design point {i}: {message}"),
                })?;
        }
        Ok(self)
    }

    /// The parameters of design point `i` with each parameter set applied,
    /// in set order (empty without parameter sets).
    pub fn point_worlds(&self, i: usize) -> Result<Vec<Params>, String> {
        let Some(file) = &self.parameter_sets else {
            return Ok(vec![]);
        };
        let p = self.point_params(i)?;
        crate::runner::sets::apply_all(
            &p,
            &file.sets,
            &file.path.display().to_string(),
            self.replications as usize,
        )
    }

    /// The design points mapped back onto the unit cube.
    pub fn unit_points(&self) -> Vec<Vec<f64>> {
        self.points
            .iter()
            .map(|p| {
                self.parameters
                    .iter()
                    .zip(p)
                    .map(|(v, x)| {
                        if v.max > v.min {
                            (x - v.min) / (v.max - v.min)
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Number of units (design points).
    pub fn units(&self) -> usize {
        self.points.len()
    }

    /// The parameter tree of design point `i`, not yet validated.
    fn point_raw(&self, i: usize) -> Result<RawParams, String> {
        let values: Vec<(&str, f64)> = self
            .parameters
            .iter()
            .zip(&self.points[i])
            .map(|(v, x)| (v.key.as_str(), *x))
            .collect();
        let mut p = with_values(&self.base.to_raw(), &values)?;
        p.run.replications = self.replications;
        p.run.name = format!("{}-point-{i}", self.name);
        Ok(p)
    }

    /// The parameters of design point `i` (validated when the sweep was
    /// loaded, so this fails only if the sweep was built by hand).
    pub fn point_params(&self, i: usize) -> Result<Params, String> {
        let raw = self.point_raw(i)?;
        scenario::rebuild(&self.base, raw, &format!("design point {i}")).map_err(|e| e.to_string())
    }

    /// A hash of everything that determines the results: the base scenario,
    /// the design points, the replications and the parameter sets.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(scenario::resolved_toml(&self.base).as_bytes());
        h.update(self.replications.to_le_bytes());
        for v in &self.parameters {
            h.update(v.key.as_bytes());
        }
        for p in &self.points {
            for x in p {
                h.update(x.to_le_bytes());
            }
        }
        if let Some(f) = &self.parameter_sets {
            h.update(b"parameter sets ");
            h.update(f.sets.content_hash().as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A shard `I/N`: this process runs the units whose index is `I` mod `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N`; `auto/N` takes `I` from the environment of an array runner
    /// (`SLURM_ARRAY_TASK_ID`, `JOB_COMPLETION_INDEX`, `AWS_BATCH_JOB_ARRAY_INDEX`).
    pub fn parse(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected I/N with 0 <= I < N, or auto/N");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        let index: usize = if i.trim() == "auto" {
            let var = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"]
                .iter()
                .find_map(|k| env(k).map(|v| (*k, v)))
                .ok_or_else(|| {
                    format!("--shard {s}: no array index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX)")
                })?;
            var.1
                .trim()
                .parse()
                .map_err(|_| format!("--shard {s}: {} = {:?} is not an index", var.0, var.1))?
        } else {
            i.trim().parse().map_err(|_| bad())?
        };
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn owns(&self, unit: usize) -> bool {
        unit % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn base(dir: &Path) {
        let quick = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
        write(
            dir,
            "base.toml",
            &format!("extends = {:?}\n", quick.display().to_string()),
        );
    }

    fn err(text: &str) -> String {
        let dir = tempfile::TempDir::new().unwrap();
        base(dir.path());
        let f = write(dir.path(), "s.toml", text);
        Sweep::load(&f)
            .unwrap_err()
            .to_string()
            .replace(&dir.path().display().to_string(), "D")
    }

    #[test]
    fn a_grid_is_the_product_of_the_values() {
        let dir = tempfile::TempDir::new().unwrap();
        base(dir.path());
        let f = write(
            dir.path(),
            "s.toml",
            "[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\nreplications = 2\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.9]\n\"trusts.acute.count\" = { min = 2, max = 4, levels = 3 }\n",
        );
        let s = Sweep::load(&f).unwrap();
        assert_eq!(s.units(), 6);
        assert_eq!(s.name, "s");
        let p = s.point_params(5).unwrap();
        assert_eq!(
            (
                p.oversight.punitiveness,
                p.trusts.acute.count,
                p.run.replications
            ),
            (0.9, 4, 2)
        );
        assert_eq!(s.parameters[1].key, "trusts.acute.count");
        assert!(s.parameters[1].integer);
    }

    /// Values set in one pass through the parameter tree are those set one
    /// after another, integers rounded; a refused value is named by its key
    /// wherever it comes.
    #[test]
    fn values_set_in_one_pass_are_those_set_one_at_a_time() {
        let raw = crate::scenario::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/quick.toml"
        )))
        .unwrap()
        .params
        .to_raw();
        let values = [
            ("oversight.punitiveness", 0.73),
            ("trusts.acute.count", 3.6),
            ("staff.engagement_base", 6.9),
            ("development.budget_share_of_paybill", 0.0004),
            ("ceo.hazard_level", 0.31),
        ];
        let together = with_values(&raw, &values).unwrap();
        let mut one_by_one = raw.clone();
        for (key, value) in values {
            one_by_one = with_value(&one_by_one, key, value).unwrap();
        }
        assert_eq!(together, one_by_one);
        assert_ne!(together, raw);
        assert_eq!(
            (
                together.oversight.punitiveness,
                together.trusts.acute.count,
                together.staff.engagement_base
            ),
            (0.73, 4, 6.9)
        );
        // A count cannot be negative: the message names it, not the first key.
        let e = with_values(
            &raw,
            &[
                ("oversight.punitiveness", 0.5),
                ("trusts.acute.count", -3.0),
            ],
        )
        .unwrap_err();
        assert!(e.starts_with("trusts.acute.count = -3: "), "{e}");
        let e = with_values(&raw, &[("ceo.hazard_level", 0.3), ("nope.x", 1.0)]).unwrap_err();
        assert_eq!(e, "unknown parameter `nope.x`");
        let e = with_values(&raw, &[("ceo.hazard_level", 0.3), ("staff.nope", 1.0)]).unwrap_err();
        assert_eq!(e, "`staff.nope` is not a numeric parameter");
    }

    #[test]
    fn sampled_designs_stay_in_their_ranges() {
        let dir = tempfile::TempDir::new().unwrap();
        base(dir.path());
        for design in ["lhs", "sobol"] {
            let f = write(
                dir.path(),
                "s.toml",
                &format!(
                    "[sweep]\nbase = \"base.toml\"\ndesign = \"{design}\"\npoints = 8\n[sweep.parameters]\n\"oversight.punitiveness\" = {{ min = 0.2, max = 0.9 }}\n\"development.budget_share_of_paybill\" = {{ min = 0.0, max = 0.006 }}\n"
                ),
            );
            let s = Sweep::load(&f).unwrap();
            assert_eq!(s.units(), 8);
            for p in &s.points {
                assert!(
                    (0.0..=0.006).contains(&p[0]) && (0.2..=0.9).contains(&p[1]),
                    "{p:?}"
                );
            }
        }
    }

    #[test]
    fn bad_sweep_files_name_the_problem() {
        assert_eq!(
            err(
                "[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\n[sweep.parameters]\n\"oversight.punitivenes\" = [0.1]\n"
            ),
            "D/s.toml: sweep.parameters: unknown parameter `oversight.punitivenes`; did you mean `oversight.punitiveness`?"
        );
        assert_eq!(
            err(
                "[sweep]\nbase = \"base.toml\"\ndesign = \"lhs\"\n[sweep.parameters]\n\"oversight.punitiveness\" = { min = 0.1, max = 0.5 }\n"
            ),
            "D/s.toml: sweep.points: a Latin hypercube or Sobol design needs `points = N` (at least 1)"
        );
        assert_eq!(
            err(
                "[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.1, 1.5]\n"
            ),
            "(D/s.toml: design point 1) oversight.punitiveness = 1.5 is out of range; allowed: a number from 0 to 1"
        );
        assert!(
            err("[sweep]\nbase = \"base.toml\"\ndesign = \"cube\"\n")
                .starts_with("D/s.toml: 3:10: unknown variant `cube`")
        );
        assert_eq!(
            err("[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\n[sweep.parameters]\n"),
            "D/s.toml: sweep.parameters: name at least one parameter to vary"
        );
    }

    #[test]
    fn shards_split_units_and_auto_reads_the_array_index() {
        let none = |_: &str| None;
        assert_eq!(Shard::parse("2/8", &none), Ok(Shard { index: 2, count: 8 }));
        assert!(Shard::parse("8/8", &none).is_err());
        assert!(Shard::parse("x", &none).is_err());
        let slurm = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "3".to_string());
        assert_eq!(
            Shard::parse("auto/4", &slurm),
            Ok(Shard { index: 3, count: 4 })
        );
        assert!(
            Shard::parse("auto/4", &none)
                .unwrap_err()
                .contains("no array index")
        );
        let s = Shard { index: 1, count: 3 };
        assert_eq!(
            (0..9).filter(|u| s.owns(*u)).collect::<Vec<_>>(),
            vec![1, 4, 7]
        );
    }
}
