//! Plausible parameter sets applied to a scenario (`--parameter-sets
//! FILE`): each set's values go on top of the scenario's starting values,
//! the result is checked again and the scenario's timed changes are
//! re-applied (a change that sets the same key wins from its month on).
//! Replication `i` of a run uses set `i mod M` (cycled) and keeps its own
//! random streams, so replication `i` of every variant of a comparison, or
//! of every design point of a sweep, is the same world (set `i mod M`) with
//! the same chance.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::model::Params;
use crate::output::parameter_sets::{ParameterSets, ParameterSetsFile};
use crate::scenario;

/// A scenario with every parameter set applied: `worlds[s]` is the scenario
/// in set `s`.
#[derive(Debug, Clone)]
pub struct AppliedSets {
    pub file: Arc<ParameterSetsFile>,
    pub worlds: Vec<Params>,
}

impl AppliedSets {
    /// Applies every set of `file` to `p`; the error names the file, the set
    /// and the key whose value the scenario's checks refuse.
    pub fn new(p: &Params, file: &Arc<ParameterSetsFile>) -> Result<AppliedSets, String> {
        Ok(AppliedSets {
            file: file.clone(),
            worlds: apply_all(
                p,
                &file.sets,
                &file.path.display().to_string(),
                p.run.replications as usize,
            )?,
        })
    }

    /// Number of sets (M).
    pub fn len(&self) -> usize {
        self.worlds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.worlds.is_empty()
    }

    /// The set replication `r` uses: `r mod M`.
    pub fn set_of(&self, r: u32) -> u32 {
        r % (self.worlds.len().max(1) as u32)
    }

    /// The parameters replication `r` runs with.
    pub fn params(&self, r: u32) -> &Params {
        &self.worlds[self.set_of(r) as usize]
    }
}

/// `p` with each set of `sets` that `replications` replications use
/// applied (the first `min(M, replications)`: replication `r` uses set `r
/// mod M`, which is then `r mod` the number of worlds), in set order;
/// `shown` names the file in errors. Sets no replication uses are not
/// checked.
pub fn apply_all(
    p: &Params,
    sets: &ParameterSets,
    shown: &str,
    replications: usize,
) -> Result<Vec<Params>, String> {
    let kinds = crate::scenario::keys::parameter_keys();
    (0..sets.len().min(replications))
        .map(|s| apply(p, sets, s, &kinds, shown))
        .collect()
}

/// `p` with set `s` applied.
fn apply(
    p: &Params,
    sets: &ParameterSets,
    s: usize,
    kinds: &std::collections::BTreeMap<String, bool>,
    shown: &str,
) -> Result<Params, String> {
    let settings: Vec<(String, toml::Value)> = sets
        .keys
        .iter()
        .zip(&sets.values[s])
        .map(|(k, &v)| {
            let value = if kinds.get(k).copied().unwrap_or(false) {
                toml::Value::Integer(v.round() as i64)
            } else {
                toml::Value::Float(v)
            };
            (k.clone(), value)
        })
        .collect();
    let at = format!("{shown}: set {s}");
    let raw = p
        .to_raw()
        .with_settings(&settings)
        .map_err(|e| format!("({at}) {e}"))?;
    scenario::rebuild(p, raw, &at).map_err(|e| e.to_string())
}

/// The identity of a run of scenario hash `scenario_hash` with `sets`:
/// unchanged without sets, otherwise a hash of both, so that a folder run
/// with other sets (or none) is a different run.
pub fn run_hash(scenario_hash: &str, sets: Option<&ParameterSets>) -> String {
    match sets {
        None => scenario_hash.to_string(),
        Some(s) => {
            let digest = Sha256::digest(
                format!("{scenario_hash}\nparameter sets {}", s.content_hash()).as_bytes(),
            );
            digest.iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// Keys of `sets` that the scenarios `variants` differ in, at the start or
/// through timed changes that differ between them: a set giving one of
/// them would overwrite the policy being compared.
pub fn conflicts(sets: &ParameterSets, variants: &[&Params]) -> Vec<String> {
    use crate::scenario::keys;
    let differing = keys::differing(variants);
    let mut differ: Vec<String> = differing
        .iter()
        .filter(|d| d.key != keys::CHANGES)
        .map(|d| d.key.clone())
        .collect();
    if differing.iter().any(|d| d.key == keys::CHANGES) {
        for p in variants {
            for c in p.changes() {
                differ.extend(c.set.iter().map(|(k, _)| k.clone()));
            }
            for e in p.targeted() {
                differ.extend(e.set.iter().map(|(k, _)| k.clone()));
            }
        }
    }
    sets.keys
        .iter()
        .filter(|k| differ.contains(k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(keys: &[&str], values: Vec<Vec<f64>>) -> ParameterSets {
        ParameterSets {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            values,
        }
    }

    #[test]
    fn each_set_goes_on_top_of_the_scenario_and_integers_are_rounded() {
        let p = Params::default();
        let s = sets(
            &["oversight.punitiveness", "trusts.acute.count"],
            vec![vec![0.2, 3.4], vec![0.9, 5.6]],
        );
        let w = apply_all(&p, &s, "f.parquet", usize::MAX).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].oversight.punitiveness, w[0].trusts.acute.count),
            (0.2, 3)
        );
        assert_eq!(
            (w[1].oversight.punitiveness, w[1].trusts.acute.count),
            (0.9, 6)
        );
        assert_eq!(w[1].run.name, p.run.name);
    }

    #[test]
    fn a_value_the_checks_refuse_names_the_file_set_and_key() {
        let s = sets(&["oversight.punitiveness"], vec![vec![0.2], vec![1.5]]);
        let e = apply_all(&Params::default(), &s, "f.parquet", usize::MAX).unwrap_err();
        assert!(
            e.contains("(f.parquet: set 1) oversight.punitiveness = 1.5 is out of range"),
            "{e}"
        );
    }

    #[test]
    fn the_run_hash_is_the_scenario_hash_without_sets_and_differs_with_them() {
        let a = sets(&["oversight.punitiveness"], vec![vec![0.2]]);
        let b = sets(&["oversight.punitiveness"], vec![vec![0.3]]);
        assert_eq!(run_hash("abc", None), "abc");
        assert_ne!(run_hash("abc", Some(&a)), run_hash("abc", Some(&b)));
        assert_ne!(run_hash("abc", Some(&a)), "abc");
    }

    #[test]
    fn keys_the_variants_differ_in_conflict() {
        let a = Params::default();
        let b = crate::model::params::edited(|p| {
            p.run.name = "b".into();
            p.oversight.punitiveness = 0.2;
        });
        let s = sets(
            &["oversight.punitiveness", "leaders.prepared_share"],
            vec![vec![0.5, 0.3]],
        );
        assert_eq!(conflicts(&s, &[&a, &b]), ["oversight.punitiveness"]);
        assert!(conflicts(&s, &[&a, &a]).is_empty());
    }
}
