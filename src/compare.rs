//! Paired comparison of policy variants. Every variant runs the same
//! replication seeds (common random numbers), so replication `r` of two
//! variants differs only through the policy; the difference is computed per
//! replication and summarised with a t interval.

use crate::calibration::weighted;
use crate::model::{ReplicationResult, TrustMonth};
use crate::stats;

/// A key outcome compared between variants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub key: &'static str,
    pub label: &'static str,
    pub higher_is_better: bool,
    pub percent: bool,
}

const fn o(
    key: &'static str,
    label: &'static str,
    higher_is_better: bool,
    percent: bool,
) -> Outcome {
    Outcome {
        key,
        label,
        higher_is_better,
        percent,
    }
}

/// The compared outcomes, in print order.
pub const OUTCOMES: &[Outcome] = &[
    o("engagement", "Staff engagement (0-10)", true, false),
    o("leaver_rate_annual", "Staff leaving per year", false, true),
    o("sickness_rate", "Sickness absence", false, true),
    o("vacancy_rate", "Vacancy rate", false, true),
    o("quality_index", "Quality index (0-100)", true, false),
    o(
        "patient_experience",
        "Patient experience (0-10)",
        true,
        false,
    ),
    o("mortality_ratio", "Mortality ratio", false, false),
    o("surplus_pct", "Surplus (% of income)", true, false),
    o("friction", "Manager-clinician friction", false, false),
    o(
        "mean_leader_capability",
        "Team-leader capability",
        true,
        false,
    ),
    o(
        "ceo_change_rate",
        "Trusts changing CEO per year",
        false,
        true,
    ),
    o(
        "no_permanent_ceo_share",
        "Trusts without a permanent CEO",
        false,
        true,
    ),
];

/// Where in time an outcome is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The final 12 reported months.
    Horizon,
    /// Every reported month.
    RunMean,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::Horizon, Scope::RunMean];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Horizon => "horizon",
            Scope::RunMean => "run_mean",
        }
    }
}

/// Every outcome of one replication for one scope, in [`OUTCOMES`] order.
pub fn outcome_values(r: &ReplicationResult, months: u32, scope: Scope) -> Vec<f64> {
    let first = match scope {
        Scope::Horizon => months.saturating_sub(12) + 1,
        Scope::RunMean => 1,
    };
    // Trust-months are recorded month by month, so a scope is a suffix.
    let rows = &r.trust_months[r.trust_months.partition_point(|m| m.month < first)..];
    let staff = |m: &TrustMonth| f64::from(m.staff_in_post);
    let est = |m: &TrustMonth| f64::from(m.establishment);
    let one = |_: &TrustMonth| 1.0;
    let trusts = rows.iter().map(|m| m.trust_id + 1).max().unwrap_or(0) as f64;
    let years = f64::from(months + 1 - first) / 12.0;
    // Trust-years in which a new CEO (permanent or interim) took post, as in
    // the calibration metric; years counted from the first reported month.
    let changed: std::collections::BTreeSet<(u32, i32)> = r
        .spells
        .iter()
        .filter(|s| s.start_month >= first as i32 - 1 && s.start_month < months as i32)
        .map(|s| (s.trust_id, s.start_month.div_euclid(12)))
        .collect();
    let starts = changed.len() as f64;
    vec![
        weighted(rows, |m| m.engagement, staff),
        12.0 * weighted(rows, |m| m.leaver_rate, staff),
        weighted(rows, |m| m.sickness_rate, staff),
        weighted(rows, |m| m.vacancy_rate, est),
        weighted(rows, |m| m.quality_index, one),
        weighted(rows, |m| m.patient_experience, one),
        weighted(rows, |m| m.mortality_ratio, one),
        weighted(rows, |m| m.surplus_pct, est),
        weighted(rows, |m| m.friction, one),
        weighted(rows, |m| m.mean_leader_capability, one),
        if trusts > 0.0 {
            starts / trusts / years
        } else {
            f64::NAN
        },
        weighted(rows, |m| f64::from(u8::from(m.interim)), one),
    ]
}

/// The paired difference of one outcome between a variant and the first variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub variant: String,
    pub baseline: String,
    pub outcome: &'static Outcome,
    pub scope: Scope,
    pub n: u32,
    pub baseline_mean: f64,
    pub variant_mean: f64,
    /// Mean of variant minus baseline over replications.
    pub mean_difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Share of replications in which the variant did better.
    pub share_better: f64,
}

/// Per-replication outcome values of one variant and scope: `[replication][outcome]`.
pub type Values = Vec<Vec<f64>>;

/// Paired differences of every variant against the first, for one scope.
/// `variants[k] = (name, values)`; replication `r` of each variant is paired.
pub fn paired_differences(variants: &[(String, Values)], scope: Scope) -> Vec<Difference> {
    let Some((base_name, base)) = variants.first() else {
        return vec![];
    };
    let mut out = vec![];
    for (name, values) in &variants[1..] {
        let n = values.len().min(base.len());
        for (k, outcome) in OUTCOMES.iter().enumerate() {
            let a: Vec<f64> = base[..n].iter().map(|v| v[k]).collect();
            let b: Vec<f64> = values[..n].iter().map(|v| v[k]).collect();
            let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
            let (mean_difference, ci_low, ci_high) = stats::mean_ci(&d, 0.95);
            let better = d
                .iter()
                .filter(|x| {
                    if outcome.higher_is_better {
                        **x > 0.0
                    } else {
                        **x < 0.0
                    }
                })
                .count();
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
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(rows: &[[f64; 1]]) -> Values {
        rows.iter()
            .map(|r| {
                let mut v = vec![0.0; OUTCOMES.len()];
                v[0] = r[0];
                v
            })
            .collect()
    }

    #[test]
    fn differences_are_paired_by_replication() {
        // The variant is exactly 0.1 above the baseline in every replication,
        // though replications scatter widely: a paired interval is exact.
        let base = values(&[[6.0], [7.0], [8.0], [6.5]]);
        let var = values(&[[6.1], [7.1], [8.1], [6.6]]);
        let d = paired_differences(&[("a".into(), base), ("b".into(), var)], Scope::Horizon);
        let e = &d[0];
        assert_eq!(
            (e.variant.as_str(), e.baseline.as_str(), e.outcome.key),
            ("b", "a", "engagement")
        );
        assert!((e.mean_difference - 0.1).abs() < 1e-12);
        assert!((e.ci_high - e.ci_low).abs() < 1e-9);
        assert_eq!(e.share_better, 1.0);
        // Leaving is better when lower: the same +0.0 shift is never better.
        assert_eq!(d[1].share_better, 0.0);
    }

    #[test]
    fn a_single_variant_has_nothing_to_compare() {
        assert!(paired_differences(&[("a".into(), values(&[[1.0]]))], Scope::RunMean).is_empty());
    }
}
