//! Paired comparison of policy variants. Every variant runs the same
//! replication seeds (common random numbers), so replication `r` of two
//! variants differs only through the policy; the difference is computed per
//! replication and summarised with a t interval. The compared outcomes are
//! the registry's metrics marked `compare`.
//!
//! With plausible parameter sets (`--parameter-sets`), replication `r` of
//! every variant uses set `r mod M` and the same streams, so each
//! replication is one world (a set and a draw of chance) and its paired
//! difference is "same world, same chance, different policy". Each
//! difference then also carries its spread across worlds ([`Worlds`]): the
//! 2.5th to 97.5th percentile of the paired differences, the mean paired
//! difference within each set, and in how many sets the policy did better.

pub mod file;
pub mod study;

use std::path::Path;

use crate::metrics::groups::TrustGroup;
use crate::metrics::{self, Metric, ReplicationMetrics, Scope, Values};
use crate::output::{self, OutputError};
use crate::stats;

pub use crate::output::comparison::{Difference, Worlds};
pub use crate::scenario::keys::{differing_parameters, is_structural, timed_changes};

/// The compared metrics, in registry order.
pub fn outcomes() -> impl Iterator<Item = &'static Metric> {
    metrics::METRICS.iter().filter(|m| m.compare)
}

/// Paired differences of every variant against the first, for one scope.
/// `variants[k] = (name, values per replication)`; replication `r` of each
/// variant is paired with replication `r` of the first.
pub fn paired_differences(variants: &[(String, Vec<Values>)], scope: Scope) -> Vec<Difference> {
    paired_differences_in_worlds(variants, None, scope)
}

/// As [`paired_differences`], with the parameter set of each replication
/// (`sets[r]`, the same in every variant) if the variants ran with
/// parameter sets: each difference then carries its [`Worlds`].
pub fn paired_differences_in_worlds(
    variants: &[(String, Vec<Values>)],
    sets: Option<&[u32]>,
    scope: Scope,
) -> Vec<Difference> {
    let Some((base_name, base)) = variants.first() else {
        return vec![];
    };
    let mut out = vec![];
    for (name, values) in &variants[1..] {
        let n = values.len().min(base.len());
        for outcome in outcomes() {
            let a: Vec<f64> = base[..n].iter().map(|v| v.get(outcome.key)).collect();
            let b: Vec<f64> = values[..n].iter().map(|v| v.get(outcome.key)).collect();
            let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
            let (mean_difference, ci_low, ci_high) = stats::mean_ci(&d, 0.95);
            let better = d.iter().filter(|x| outcome.improves(**x)).count();
            out.push(Difference {
                variant: name.clone(),
                baseline: base_name.clone(),
                outcome,
                scope,
                n: n as u32,
                baseline_mean: stats::mean(&a),
                variant_mean: stats::mean(&b),
                mean_difference,
                ci_low,
                ci_high,
                share_better: if n > 0 {
                    better as f64 / n as f64
                } else {
                    f64::NAN
                },
                baseline_sd: stats::sd(&a),
                worlds: sets.map(|s| worlds(outcome, &d, s)),
                trusts: TrustGroup::All,
                group_trusts: None,
            });
        }
    }
    out
}

/// The spread of the paired differences `d` (replication `r` in set
/// `sets[r]`) across worlds.
fn worlds(outcome: &Metric, d: &[f64], sets: &[u32]) -> Worlds {
    let v = stats::sorted(d);
    let m = d.len().min(sets.len());
    let count = sets[..m].iter().max().map_or(0, |s| *s as usize + 1);
    let set_means: Vec<f64> = (0..count)
        .map(|s| {
            let mine: Vec<f64> = (0..m)
                .filter(|&r| sets[r] as usize == s)
                .map(|r| d[r])
                .filter(|x| x.is_finite())
                .collect();
            stats::mean(&mine)
        })
        .collect();
    Worlds {
        low: stats::quantile(&v, 0.025),
        high: stats::quantile(&v, 0.975),
        sets_better: set_means.iter().filter(|x| outcome.improves(**x)).count() as u32,
        set_means,
    }
}

/// Paired differences of every variant against the first, for both scopes,
/// from each variant's `replications.parquet` in `dir/<variant>/`. If the
/// variants ran with parameter sets, each difference carries its spread
/// across worlds; every variant's replication must then have used the same
/// set as the reference's.
pub fn read_differences(dir: &Path, names: &[String]) -> Result<Vec<Difference>, OutputError> {
    let per_variant: Vec<Vec<ReplicationMetrics>> = names
        .iter()
        .map(|n| output::replications::read(&dir.join(n).join(output::REPLICATIONS_FILE)))
        .collect::<Result<_, _>>()?;
    let sets = worlds_of(dir, names, &per_variant)?;
    let mut rows = Vec::new();
    for scope in [Scope::FinalYear, Scope::WholeRun] {
        let values: Vec<(String, Vec<Values>)> = names
            .iter()
            .zip(&per_variant)
            .map(|(n, reps)| {
                (
                    n.clone(),
                    reps.iter().map(|r| r.scope(scope).clone()).collect(),
                )
            })
            .collect();
        rows.extend(paired_differences_in_worlds(
            &values,
            sets.as_deref(),
            scope,
        ));
    }
    rows.extend(group_differences(names, &per_variant, sets.as_deref()));
    Ok(rows)
}

/// The values of the group `trusts` of policy `policy` in each
/// replication (`None` where the replication did not measure it or the
/// group held no trust), and its size.
fn group_values(
    reps: &[ReplicationMetrics],
    policy: &str,
    trusts: TrustGroup,
    scope: Scope,
) -> Vec<Option<(Values, u32)>> {
    reps.iter()
        .map(|r| {
            let g = r
                .groups
                .iter()
                .find(|g| g.policy == policy && g.trusts == trusts && g.count > 0)?;
            Some((g.scope(scope).clone(), g.count))
        })
        .collect()
}

/// Paired differences for the targeted and the other trusts of each
/// variant with a targeted policy (the same trusts in both worlds), over
/// the replications in which the group held at least one trust.
fn group_differences(
    names: &[String],
    per_variant: &[Vec<ReplicationMetrics>],
    sets: Option<&[u32]>,
) -> Vec<Difference> {
    let (Some(base_name), Some(base)) = (names.first(), per_variant.first()) else {
        return vec![];
    };
    let mut out = vec![];
    for (name, reps) in names.iter().zip(per_variant).skip(1) {
        for scope in [Scope::FinalYear, Scope::WholeRun] {
            for trusts in [TrustGroup::Targeted, TrustGroup::Untargeted] {
                let a = group_values(base, name, trusts, scope);
                let b = group_values(reps, name, trusts, scope);
                let (mut va, mut vb, mut counts, mut kept_sets) = (vec![], vec![], vec![], vec![]);
                for (r, (x, y)) in a.into_iter().zip(b).enumerate() {
                    if let (Some((x, _)), Some((y, n))) = (x, y) {
                        va.push(x);
                        vb.push(y);
                        counts.push(f64::from(n));
                        if let Some(s) = sets.and_then(|s| s.get(r)) {
                            kept_sets.push(*s);
                        }
                    }
                }
                if va.is_empty() {
                    continue;
                }
                let pair = [(base_name.clone(), va), (name.clone(), vb)];
                let sets = sets.map(|_| kept_sets.as_slice());
                out.extend(
                    paired_differences_in_worlds(&pair, sets, scope)
                        .into_iter()
                        .map(|d| Difference {
                            trusts,
                            group_trusts: Some(stats::mean(&counts)),
                            ..d
                        }),
                );
            }
        }
    }
    out
}

/// The parameter set of each of the reference's replications, if it ran
/// with sets; an error if another variant's replication used another set.
fn worlds_of(
    dir: &Path,
    names: &[String],
    per_variant: &[Vec<ReplicationMetrics>],
) -> Result<Option<Vec<u32>>, OutputError> {
    let Some(reference) = per_variant.first() else {
        return Ok(None);
    };
    for (name, reps) in names.iter().zip(per_variant).skip(1) {
        for (a, b) in reference.iter().zip(reps) {
            if a.parameter_set != b.parameter_set {
                let shown = |s: Option<u32>| s.map_or("none".to_string(), |s| s.to_string());
                return Err(OutputError::invalid(
                    &dir.join(name).join(output::REPLICATIONS_FILE),
                    format!(
                        "replication {} used parameter set {} and the reference's used {}; the variants of a comparison use the same set in each replication",
                        b.replication,
                        shown(b.parameter_set),
                        shown(a.parameter_set)
                    ),
                ));
            }
        }
    }
    Ok(reference
        .iter()
        .map(|m| m.parameter_set)
        .collect::<Option<Vec<u32>>>())
}

/// The national rows (all trusts) of `rows`.
pub fn national(rows: &[Difference]) -> Vec<Difference> {
    rows.iter()
        .filter(|d| d.trusts == TrustGroup::All)
        .cloned()
        .collect()
}

/// Whether `variant` has rows for its targeted trusts.
pub fn is_targeted(rows: &[Difference], variant: &str) -> bool {
    rows.iter()
        .any(|d| d.variant == variant && d.trusts == TrustGroup::Targeted)
}

/// For a variant with a targeted policy and one scope: per compared
/// outcome, its difference for the targeted trusts, the other trusts and
/// all trusts (each `None` where there is no row).
pub fn by_trusts<'a>(
    rows: &'a [Difference],
    variant: &str,
    scope: Scope,
) -> Vec<(&'static Metric, [Option<&'a Difference>; 3])> {
    outcomes()
        .map(|o| {
            let find = |g: TrustGroup| {
                rows.iter().find(|d| {
                    d.variant == variant && d.scope == scope && d.trusts == g && d.outcome == o
                })
            };
            (
                o,
                [
                    find(TrustGroup::Targeted),
                    find(TrustGroup::Untargeted),
                    find(TrustGroup::All),
                ],
            )
        })
        .filter(|(_, r)| r.iter().any(Option::is_some))
        .collect()
}

/// The board-paper sentences for a variant's targeted trusts, the others
/// and all trusts over `scope`: for each headline outcome, the three
/// differences with their intervals (and, with parameter sets, in how many
/// plausible worlds the policy did better for each group).
pub fn targeted_words(rows: &[Difference], variant: &str, scope: Scope) -> Vec<String> {
    let table = by_trusts(rows, variant, scope);
    let mut out = vec![];
    for (o, [t, u, a]) in table.iter().filter(|(o, _)| o.headline) {
        let (Some(t), Some(a)) = (t, a) else { continue };
        let unit = o.unit;
        let part = |d: &Difference| {
            let worlds = d.worlds.as_ref().map_or(String::new(), |w| {
                format!(
                    ", better in {} of {} plausible worlds",
                    w.sets_better,
                    w.sets()
                )
            });
            format!(
                "{} (95 % interval {} to {}{worlds})",
                unit.format_difference(d.mean_difference),
                unit.format_difference(d.ci_low),
                unit.format_difference(d.ci_high)
            )
        };
        let others = u.map_or(String::new(), |u| {
            format!(", at the other trusts {}", part(u))
        });
        out.push(format!(
            "{}: at the targeted trusts {}{others}, nationally {}",
            o.label,
            part(t),
            part(a)
        ));
    }
    if let Some((_, [Some(t), u, _])) = table.first() {
        let count = |d: &Difference| d.group_trusts.map_or(0.0, |c| c);
        out.insert(
            0,
            format!(
                "Where {variant} acts, over the {} ({} paired replications): its targeted trusts ({}) against the same trusts in {}{}:",
                scope.label(),
                t.n,
                trusts_count(count(t)),
                t.baseline,
                u.map_or(String::new(), |u| format!(
                    ", and the other {} (spill-over, e.g. through the shared CEO labour market)",
                    trusts_count(count(u))
                ))
            ),
        );
    }
    out
}

/// "1 trust", "12 trusts", "12.4 trusts on average".
pub fn trusts_count(c: f64) -> String {
    if (c - c.round()).abs() < 1e-9 {
        format!(
            "{} trust{}",
            c.round(),
            if c.round() == 1.0 { "" } else { "s" }
        )
    } else {
        format!("{c:.1} trusts on average")
    }
}

/// What a board paper can quote: for one variant and scope, the outcomes
/// the variant clearly changed (95 % interval excluding no change), with
/// the size in natural units, then those it did not clearly change.
pub fn plain_words(rows: &[Difference], variant: &str, scope: Scope) -> Vec<String> {
    let mine: Vec<&Difference> = rows
        .iter()
        .filter(|d| d.variant == variant && d.scope == scope && d.trusts == TrustGroup::All)
        .collect();
    let Some(first) = mine.first() else {
        return vec![];
    };
    let mut out = vec![];
    for d in mine.iter().filter(|d| d.clear()) {
        let u = d.outcome.unit;
        let size = u.format_difference(d.mean_difference.abs());
        let size = size.trim_start_matches('+');
        let verb = if d.mean_difference > 0.0 {
            "raised"
        } else {
            "lowered"
        };
        let judgement = if d.outcome.improves(d.mean_difference) {
            "better"
        } else {
            "worse"
        };
        out.push(format!(
            "{variant} {verb} {} by {size} (95 % interval {} to {}; {judgement} in {} of {} paired replications)",
            lower_first(d.outcome.label),
            u.format_difference(d.ci_low),
            u.format_difference(d.ci_high),
            (d.share_better * f64::from(d.n)).round(),
            d.n
        ));
    }
    for d in &mine {
        if let Some(line) = worlds_line(d) {
            out.push(line);
        }
    }
    let unclear: Vec<String> = mine
        .iter()
        .filter(|d| !d.clear())
        .map(|d| lower_first(d.outcome.label))
        .collect();
    if !unclear.is_empty() {
        out.push(format!(
            "{variant} made no clear difference to {} (95 % intervals include no change)",
            unclear.join(", ")
        ));
    }
    let sets = first.worlds.as_ref().map_or(String::new(), |w| {
        format!(
            ", {} plausible parameter sets (cycled), so chance and parameter uncertainty together",
            w.sets()
        )
    });
    out.insert(
        0,
        format!(
            "Compared with {} over the {} ({} paired replications, common random numbers{sets}):",
            first.baseline,
            scope.label(),
            first.n
        ),
    );
    out
}

/// The board-paper sentence of a difference across plausible worlds: "In N
/// of M plausible worlds VARIANT lowered OUTCOME", worded by the direction
/// that is better, with the spread across worlds and the probability of
/// doing better; `None` without parameter sets.
pub fn worlds_line(d: &Difference) -> Option<String> {
    let w = d.worlds.as_ref()?;
    let u = d.outcome.unit;
    let verb = match d.outcome.better {
        crate::metrics::Better::Lower => "lowered",
        _ => "raised",
    };
    Some(format!(
        "In {} of {} plausible worlds {} {verb} {} (mean paired difference {}, 95 % of worlds {} to {}; probability of doing better {:.0} %)",
        w.sets_better,
        w.sets(),
        d.variant,
        lower_first(d.outcome.label),
        u.format_difference(d.mean_difference),
        u.format_difference(w.low),
        u.format_difference(w.high),
        100.0 * d.share_better
    ))
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if s.chars().nth(1).is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(engagement: &[f64]) -> Vec<Values> {
        engagement
            .iter()
            .map(|e| {
                let mut v = Values::default();
                for m in outcomes() {
                    v.insert(m.key, 0.0);
                }
                v.insert("engagement_mean", *e);
                v
            })
            .collect()
    }

    #[test]
    fn differences_are_paired_by_replication() {
        // The variant is exactly 0.1 above the baseline in every replication,
        // though replications scatter widely: a paired interval is exact.
        let base = values(&[6.0, 7.0, 8.0, 6.5]);
        let var = values(&[6.1, 7.1, 8.1, 6.6]);
        let d = paired_differences(&[("a".into(), base), ("b".into(), var)], Scope::FinalYear);
        let e = d
            .iter()
            .find(|d| d.outcome.key == "engagement_mean")
            .unwrap();
        assert_eq!((e.variant.as_str(), e.baseline.as_str()), ("b", "a"));
        assert!((e.mean_difference - 0.1).abs() < 1e-12);
        assert!((e.ci_high - e.ci_low).abs() < 1e-9);
        assert_eq!(e.share_better, 1.0);
        assert!(e.clear());
        // Leaving is better when lower: no change is never better.
        let l = d
            .iter()
            .find(|d| d.outcome.key == "leaver_rate_annual")
            .unwrap();
        assert_eq!(l.share_better, 0.0);
    }

    #[test]
    fn plain_words_name_clear_changes_in_natural_units_and_the_rest_as_unclear() {
        let base = values(&[6.0, 7.0, 8.0, 6.5]);
        let var = values(&[6.1, 7.1, 8.1, 6.6]);
        let d = paired_differences(&[("a".into(), base), ("b".into(), var)], Scope::FinalYear);
        let words = plain_words(&d, "b", Scope::FinalYear);
        assert!(
            words[0].starts_with("Compared with a over the final year"),
            "{words:?}"
        );
        assert!(
            words
                .iter()
                .any(|w| w.starts_with("b raised staff engagement (0-10) by 0.100")),
            "{words:?}"
        );
        assert!(
            words.last().unwrap().contains("no clear difference"),
            "{words:?}"
        );
    }

    #[test]
    fn worlds_summarise_each_set_and_count_the_sets_that_improve() {
        // Sets 0 and 1 alternate; the variant lowers leaving in set 0
        // (-0.02, -0.04) and raises it in set 1 (+0.01, +0.03).
        let leaving = |v: &[f64]| -> Vec<Values> {
            v.iter()
                .map(|x| {
                    let mut v = Values::default();
                    for m in outcomes() {
                        v.insert(m.key, 0.0);
                    }
                    v.insert("leaver_rate_annual", *x);
                    v
                })
                .collect()
        };
        let base = leaving(&[0.10, 0.10, 0.10, 0.10]);
        let var = leaving(&[0.08, 0.11, 0.06, 0.13]);
        let sets = [0, 1, 0, 1];
        let d = paired_differences_in_worlds(
            &[("a".into(), base), ("b".into(), var)],
            Some(&sets),
            Scope::FinalYear,
        );
        let l = d
            .iter()
            .find(|d| d.outcome.key == "leaver_rate_annual")
            .unwrap();
        let w = l.worlds.as_ref().unwrap();
        assert_eq!(w.sets(), 2);
        assert!((w.set_means[0] + 0.03).abs() < 1e-12 && (w.set_means[1] - 0.02).abs() < 1e-12);
        assert_eq!(w.sets_better, 1);
        assert!(w.low < -0.035 && w.high > 0.025, "{w:?}");
        assert_eq!(l.share_better, 0.5);
        let line = worlds_line(l).unwrap();
        assert!(
            line.starts_with("In 1 of 2 plausible worlds b lowered"),
            "{line}"
        );
        let words = plain_words(&d, "b", Scope::FinalYear);
        assert!(
            words[0].contains("2 plausible parameter sets (cycled)"),
            "{words:?}"
        );
        assert!(paired_differences(&[("a".into(), leaving(&[0.1]))], Scope::WholeRun).is_empty());
    }

    #[test]
    fn a_single_variant_has_nothing_to_compare() {
        assert!(paired_differences(&[("a".into(), values(&[1.0]))], Scope::WholeRun).is_empty());
    }
}
