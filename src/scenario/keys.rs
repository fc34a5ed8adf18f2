//! Dotted parameter keys (`oversight.punitiveness`): the one home of what
//! every input that names a parameter needs (scenarios, `--set`, sweeps,
//! sensitivity and calibration files, parameter sets, timed changes and
//! comparisons): the numeric keys, "did you mean", line and column of a
//! key in a file, and the parameters in which scenarios differ.

use std::collections::BTreeMap;

use crate::model::Params;
use crate::model::params::ParamInfo;

/// The candidate closest to `key` by normalised Damerau-Levenshtein
/// similarity, if any is at least 0.7 similar (for "did you mean").
pub fn closest<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let score = |k: &str| strsim::normalized_damerau_levenshtein(k, key);
    candidates
        .into_iter()
        .filter(|k| score(k) >= 0.7)
        .max_by(|a, b| score(a).total_cmp(&score(b)))
}

/// Line and column (1-based) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// Numeric leaves of the parameter tree: key -> whether it is an integer.
pub fn parameter_keys() -> BTreeMap<String, bool> {
    fn walk(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, bool>) {
        match v {
            toml::Value::Table(t) => {
                for (k, c) in t {
                    walk(
                        &if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        },
                        c,
                        out,
                    );
                }
            }
            toml::Value::Integer(_) => {
                out.insert(prefix.to_string(), true);
            }
            toml::Value::Float(_) => {
                out.insert(prefix.to_string(), false);
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    if let Ok(tree) = toml::Value::try_from(Params::default()) {
        walk("", &tree, &mut out);
    }
    out
}

/// Whether `key` names a numeric parameter, and if so whether it is an
/// integer; otherwise a message with the closest key.
pub fn numeric_key(keys: &BTreeMap<String, bool>, key: &str) -> Result<bool, String> {
    if let Some(&integer) = keys.get(key) {
        return Ok(integer);
    }
    let close = closest(key, keys.keys().map(String::as_str));
    Err(match close {
        Some(c) => format!("unknown parameter `{key}`; did you mean `{c}`?"),
        None => format!(
            "unknown parameter `{key}`; allowed: a numeric key such as `oversight.punitiveness`"
        ),
    })
}

/// Parameters whose values differ between variants, as
/// `key: value1 | value2 | ...` (run name and description left out; the
/// timed changes, when they differ, as `changes: ...`).
pub fn differing_parameters(variants: &[&Params]) -> Vec<String> {
    differing(variants).iter().map(|d| d.to_string()).collect()
}

/// A parameter whose value differs between variants, or `changes` when
/// their timed changes differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differing {
    /// The dotted key, or `changes`.
    pub key: String,
    /// Its value in each variant, as shown.
    pub values: Vec<String>,
}

impl std::fmt::Display for Differing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.values.join(" | "))
    }
}

/// The key whose timed changes differ in [`differing`].
pub const CHANGES: &str = "changes";

/// Parameters whose values differ between variants (run name and
/// description left out), then [`CHANGES`] if their timed changes differ.
pub fn differing(variants: &[&Params]) -> Vec<Differing> {
    let described: Vec<Vec<ParamInfo>> = variants.iter().map(|p| p.describe()).collect();
    let Some(first) = described.first() else {
        return vec![];
    };
    let mut out = vec![];
    for (i, info) in first.iter().enumerate() {
        if ["run.name", "run.description"].contains(&info.key.as_str()) {
            continue;
        }
        let values: Vec<&str> = described.iter().map(|d| d[i].value.as_str()).collect();
        if values.iter().any(|v| *v != values[0]) {
            out.push(Differing {
                key: info.key.clone(),
                values: values.iter().map(|v| v.to_string()).collect(),
            });
        }
    }
    let changes: Vec<String> = variants.iter().map(|p| timed_changes(p)).collect();
    if changes.iter().any(|c| *c != changes[0]) {
        out.push(Differing {
            key: CHANGES.into(),
            values: changes,
        });
    }
    out
}

/// A scenario's timed changes in one line: `from month 24: key = value, ...;
/// ...`, or `none`.
pub fn timed_changes(p: &Params) -> String {
    if p.changes().is_empty() && p.targeted().is_empty() {
        return "none".into();
    }
    let national = p.changes().iter().map(|c| {
        let set: Vec<String> = c.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let date = p.run.calendar().reported(i64::from(c.month));
        format!("from month {} ({date}): {}", c.month, set.join(", "))
    });
    let targeted = p.targeted().iter().map(|e| {
        let set: Vec<String> = e.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let when = if e.month == 0 {
            "whole run".to_string()
        } else {
            format!(
                "from month {} ({})",
                e.month,
                p.run.calendar().reported(i64::from(e.month))
            )
        };
        format!("{when} for {}: {}", e.target.describe(), set.join(", "))
    });
    national.chain(targeted).collect::<Vec<_>>().join("; ")
}

/// Parameters that make variants different worlds rather than different
/// policies: trust counts and sizes, staff scale, months and burn-in.
pub fn is_structural(key: &str) -> bool {
    key.starts_with("trusts.")
        || ["run.staff_scale", "run.months", "run.burn_in_months"].contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differing_parameters_list_only_what_differs() {
        let a = Params::default();
        let b = crate::model::params::edited(|p| {
            p.run.name = "other".into();
            p.oversight.punitiveness = 0.2;
        });
        assert_eq!(
            differing_parameters(&[&a, &b]),
            ["oversight.punitiveness: 0.7 | 0.2"]
        );
        assert!(is_structural("trusts.acute.count") && !is_structural("oversight.punitiveness"));
    }
}
