//! Outcome metrics of one replication, the calibration targets of the brief,
//! and the virtual trials that measure development effects in standard
//! deviations. Pure functions of model results; the CLI prints the tables.

use crate::model::leaders::{Enrolment, Leader};
use crate::model::params::Params;
use crate::model::rng::{StreamName, stream};
use crate::model::staff::{HazardTables, StaffPool};
use crate::model::{ReplicationResult, TrustMonth};
use crate::stats::{self, Observation};

/// A metric computed per replication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDef {
    pub key: &'static str,
    pub label: &'static str,
    /// How to print it: a share shown as a percentage, or a number.
    pub percent: bool,
    /// Shown in the headline table printed after a run.
    pub headline: bool,
}

const fn m(key: &'static str, label: &'static str, percent: bool, headline: bool) -> MetricDef {
    MetricDef {
        key,
        label,
        percent,
        headline,
    }
}

/// Every metric in the summary, in print order.
pub const METRICS: &[MetricDef] = &[
    m("engagement_mean", "Staff engagement (0-10)", false, true),
    m(
        "engagement_final_year",
        "Staff engagement, final year",
        false,
        true,
    ),
    m("leaver_rate_annual", "Staff leaving per year", true, true),
    m("sickness_rate", "Sickness absence", true, true),
    m("vacancy_rate", "Vacancy rate", true, true),
    m("quality_index", "Quality index (0-100)", false, true),
    m(
        "patient_experience",
        "Patient experience (0-10)",
        false,
        true,
    ),
    m("mortality_ratio", "Mortality ratio", false, true),
    m("surplus_pct", "Surplus (% of income)", false, true),
    m("deficit_share", "Trusts in deficit", true, true),
    m("friction", "Manager-clinician friction (0-1)", false, true),
    m(
        "improvement_capability",
        "Improvement capability (0-1)",
        false,
        false,
    ),
    m(
        "mean_leader_capability",
        "Team-leader capability (0-1)",
        false,
        true,
    ),
    m(
        "development_spend_gbp_m",
        "Development spend per year (GBP m)",
        false,
        false,
    ),
    m(
        "agency_spend_gbp_m",
        "Agency spend per year (GBP m)",
        false,
        false,
    ),
    m(
        "oversight_level_mean",
        "Oversight level (1-4)",
        false,
        false,
    ),
    m(
        "rated_good_or_better",
        "Rated good or outstanding",
        true,
        false,
    ),
    m(
        "ceo_tenure_median_years",
        "CEO tenure, KM median (years)",
        false,
        true,
    ),
    m(
        "ceo_change_rate",
        "Trusts changing CEO per year",
        true,
        true,
    ),
    m(
        "ceo_weibull_shape",
        "CEO exit hazard, Weibull shape",
        false,
        false,
    ),
    m(
        "ceo_over_10y_share",
        "Sitting CEOs in post over 10 years",
        true,
        false,
    ),
    m(
        "no_permanent_ceo_share",
        "Trusts without a permanent CEO",
        true,
        true,
    ),
    m(
        "ceo_internal_share",
        "CEO appointments that are internal",
        true,
        false,
    ),
    m(
        "ceo_first_time_share",
        "CEO appointments that are first-time",
        true,
        false,
    ),
    m(
        "ceo_dismissal_share",
        "CEO exits that are dismissals",
        true,
        false,
    ),
    m(
        "engagement_sd_between_trusts",
        "Engagement SD between trusts",
        false,
        false,
    ),
    m(
        "engagement_year_correlation",
        "Engagement year-to-year correlation",
        false,
        false,
    ),
    m(
        "training_effect_sd",
        "Formal training effect on capability (SD)",
        false,
        false,
    ),
    m(
        "coaching_effect_sd",
        "Coaching effect on team engagement (SD)",
        false,
        false,
    ),
];

/// A calibration target from the model brief.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub key: &'static str,
    pub evidence: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub source: &'static str,
}

const fn t(
    key: &'static str,
    evidence: &'static str,
    lo: f64,
    hi: f64,
    source: &'static str,
) -> Target {
    Target {
        key,
        evidence,
        lo,
        hi,
        source,
    }
}

/// The brief's calibration targets (pre-2020 England).
pub const TARGETS: &[Target] = &[
    t(
        "ceo_tenure_median_years",
        "about 3.0 years",
        2.5,
        3.0,
        "King's Fund / NHS Providers 2018",
    ),
    t(
        "ceo_change_rate",
        "20-24 % a year",
        0.20,
        0.24,
        "HSJ CEO-change counts 2017, 2022",
    ),
    t(
        "ceo_weibull_shape",
        "about 0.7 (falling)",
        0.6,
        0.85,
        "HSJ/Capsticks time in post, fitted",
    ),
    t(
        "ceo_over_10y_share",
        "about 10 %",
        0.07,
        0.13,
        "HSJ/Capsticks",
    ),
    t(
        "no_permanent_ceo_share",
        "7-8 %",
        0.06,
        0.09,
        "King's Fund 2014, 2018",
    ),
    t(
        "engagement_mean",
        "6.8-7.0",
        6.8,
        7.0,
        "NHS Staff Survey 2018-2023",
    ),
    t(
        "engagement_sd_between_trusts",
        "0.15-0.25",
        0.15,
        0.25,
        "NHS Staff Survey trust results",
    ),
    t(
        "engagement_year_correlation",
        "about 0.7",
        0.6,
        0.8,
        "NHS Staff Survey trust results",
    ),
    t(
        "sickness_rate",
        "4-5 %",
        0.04,
        0.05,
        "NHS Digital via Nuffield Trust",
    ),
    t(
        "leaver_rate_annual",
        "10-12 %",
        0.10,
        0.12,
        "Health Foundation / NHS Digital",
    ),
    t(
        "vacancy_rate",
        "about 8 %",
        0.07,
        0.09,
        "NHS Digital vacancy statistics 2019",
    ),
    t(
        "deficit_share",
        "about 25 %",
        0.20,
        0.30,
        "King's Fund 2019/20",
    ),
    t(
        "training_effect_sd",
        "0.7-0.8 SD, smaller in practice",
        0.5,
        0.8,
        "Lacerenza et al. 2017",
    ),
    t(
        "coaching_effect_sd",
        "about 0.36 SD",
        0.25,
        0.45,
        "Jones et al. 2016",
    ),
];

/// A value as tables print it: a share as a percentage with one decimal,
/// large numbers with one decimal, others with two; `-` when not finite.
pub fn format_value(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        "-".into()
    } else if percent {
        format!("{:.1} %", 100.0 * v)
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub fn metric(key: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.key == key)
}

/// Mean of `f` over reported trust-months, weighted by `w`.
pub(crate) fn weighted(
    rows: &[TrustMonth],
    f: impl Fn(&TrustMonth) -> f64,
    w: impl Fn(&TrustMonth) -> f64,
) -> f64 {
    let (mut s, mut n) = (0.0, 0.0);
    for r in rows {
        s += f(r) * w(r);
        n += w(r);
    }
    if n > 0.0 { s / n } else { f64::NAN }
}

/// Per trust and reported year, the mean of `f` (trusts x years, row-major).
fn trust_year_means(
    rows: &[TrustMonth],
    n_trusts: usize,
    years: usize,
    f: impl Fn(&TrustMonth) -> f64,
) -> Vec<Vec<f64>> {
    let mut sum = vec![vec![0.0; years]; n_trusts];
    let mut cnt = vec![vec![0.0; years]; n_trusts];
    for r in rows {
        let y = ((r.month - 1) / 12) as usize;
        if y < years {
            sum[r.trust_id as usize][y] += f(r);
            cnt[r.trust_id as usize][y] += 1.0;
        }
    }
    for (s, c) in sum.iter_mut().zip(&cnt) {
        for (x, n) in s.iter_mut().zip(c) {
            *x = if *n > 0.0 { *x / n } else { f64::NAN };
        }
    }
    sum
}

/// Every metric of [`METRICS`] for one replication, in that order.
pub fn replication_metrics(r: &ReplicationResult, p: &Params) -> Vec<f64> {
    let rows = &r.trust_months;
    let n_trusts = rows
        .iter()
        .map(|r| r.trust_id as usize + 1)
        .max()
        .unwrap_or(0);
    let months = p.run.months as usize;
    let years = (months / 12).max(1);
    let staff = |r: &TrustMonth| f64::from(r.staff_in_post);
    let est = |r: &TrustMonth| f64::from(r.establishment);
    let one = |_: &TrustMonth| 1.0;
    let last_year: Vec<TrustMonth> = rows
        .iter()
        .filter(|r| r.month as usize > months.saturating_sub(12))
        .cloned()
        .collect();

    let eng = trust_year_means(rows, n_trusts, years, |r| r.engagement);
    let mut between = vec![];
    let mut corr = vec![];
    for y in 0..years {
        let col: Vec<f64> = eng.iter().map(|t| t[y]).collect();
        between.push(stats::sd(&col));
        if y > 0 {
            let prev: Vec<f64> = eng.iter().map(|t| t[y - 1]).collect();
            corr.push(stats::correlation(&prev, &col));
        }
    }
    let surplus = trust_year_means(rows, n_trusts, years, |r| r.surplus_pct);
    let deficit_years = surplus.iter().flatten().filter(|s| **s < 0.0).count() as f64;
    let trust_years = (n_trusts * years).max(1) as f64;

    // CEO spells: permanent spells for tenure; all spells for changes.
    let horizon = months as f64;
    let permanent: Vec<Observation> = r
        .spells
        .iter()
        .filter(|s| !s.interim)
        .map(|s| {
            let entry = f64::from((-s.start_month).max(0));
            let exit = (f64::from(s.duration_months()) + 0.5).max(entry + 0.5);
            Observation {
                entry,
                exit,
                event: !s.censored,
            }
        })
        .collect();
    let km = stats::kaplan_meier(&permanent);
    let tenure_median = km.median().map_or(f64::NAN, |m| m / 12.0);
    let shape = stats::weibull_fit(&permanent).map_or(f64::NAN, |(k, _)| k);
    let starts: Vec<_> = r
        .spells
        .iter()
        .filter(|s| s.start_month >= 0 && f64::from(s.start_month) < horizon)
        .collect();
    let mut changed = vec![vec![false; years]; n_trusts];
    for s in &starts {
        let y = (s.start_month / 12) as usize;
        if y < years {
            changed[s.trust_id as usize][y] = true;
        }
    }
    let change_rate = changed.iter().flatten().filter(|c| **c).count() as f64 / trust_years;
    let appointments: Vec<_> = starts.iter().filter(|s| !s.interim).collect();
    let share = |f: &dyn Fn(&&&crate::model::CeoSpell) -> bool, v: &[&&crate::model::CeoSpell]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().filter(|s| f(s)).count() as f64 / v.len() as f64
        }
    };
    let internal = share(&|s| s.internal, &appointments);
    let first_time = share(&|s| s.first_time, &appointments);
    let exits: Vec<_> = r
        .spells
        .iter()
        .filter(|s| !s.interim && !s.censored && s.end_month >= 0)
        .collect();
    let dismissals = if exits.is_empty() {
        f64::NAN
    } else {
        exits
            .iter()
            .filter(|s| s.exit_route == crate::model::ExitRoute::Dismissed)
            .count() as f64
            / exits.len() as f64
    };
    let year_ends: Vec<&TrustMonth> = rows
        .iter()
        .filter(|r| r.month % 12 == 0 && !r.interim)
        .collect();
    let over_10y = if year_ends.is_empty() {
        f64::NAN
    } else {
        year_ends
            .iter()
            .filter(|r| r.ceo_tenure_months > 120)
            .count() as f64
            / year_ends.len() as f64
    };
    let yearly_gbp_m = |f: &dyn Fn(&TrustMonth) -> f64| {
        rows.iter().map(f).sum::<f64>() / (months as f64 / 12.0) / 1e6
    };
    let (training, coaching) = virtual_trials(p, r.replication);

    let values = [
        ("engagement_mean", weighted(rows, |r| r.engagement, staff)),
        (
            "engagement_final_year",
            weighted(&last_year, |r| r.engagement, staff),
        ),
        (
            "leaver_rate_annual",
            12.0 * weighted(rows, |r| r.leaver_rate, staff),
        ),
        ("sickness_rate", weighted(rows, |r| r.sickness_rate, staff)),
        ("vacancy_rate", weighted(rows, |r| r.vacancy_rate, est)),
        ("quality_index", weighted(rows, |r| r.quality_index, one)),
        (
            "patient_experience",
            weighted(rows, |r| r.patient_experience, one),
        ),
        (
            "mortality_ratio",
            weighted(rows, |r| r.mortality_ratio, one),
        ),
        ("surplus_pct", weighted(rows, |r| r.surplus_pct, est)),
        ("deficit_share", deficit_years / trust_years),
        ("friction", weighted(rows, |r| r.friction, one)),
        (
            "improvement_capability",
            weighted(rows, |r| r.improvement_capability, one),
        ),
        (
            "mean_leader_capability",
            weighted(rows, |r| r.mean_leader_capability, one),
        ),
        (
            "development_spend_gbp_m",
            yearly_gbp_m(&|r| r.development_spend_gbp),
        ),
        ("agency_spend_gbp_m", yearly_gbp_m(&|r| r.agency_spend_gbp)),
        (
            "oversight_level_mean",
            weighted(rows, |r| f64::from(r.oversight_level), one),
        ),
        (
            "rated_good_or_better",
            weighted(
                rows,
                |r| f64::from(u8::from(r.rating <= crate::model::Rating::Good)),
                one,
            ),
        ),
        ("ceo_tenure_median_years", tenure_median),
        ("ceo_change_rate", change_rate),
        ("ceo_weibull_shape", shape),
        ("ceo_over_10y_share", over_10y),
        (
            "no_permanent_ceo_share",
            weighted(rows, |r| f64::from(u8::from(r.interim)), one),
        ),
        ("ceo_internal_share", internal),
        ("ceo_first_time_share", first_time),
        ("ceo_dismissal_share", dismissals),
        (
            "engagement_sd_between_trusts",
            stats::mean(
                &between
                    .into_iter()
                    .filter(|x| x.is_finite())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "engagement_year_correlation",
            stats::mean(
                &corr
                    .into_iter()
                    .filter(|x| x.is_finite())
                    .collect::<Vec<_>>(),
            ),
        ),
        ("training_effect_sd", training),
        ("coaching_effect_sd", coaching),
    ];
    debug_assert!(values.iter().zip(METRICS).all(|((k, _), m)| *k == m.key));
    values.iter().map(|(_, v)| *v).collect()
}

fn cohen_d(t: &[f64], c: &[f64]) -> f64 {
    let (st, sc) = (stats::sd(t), stats::sd(c));
    let pooled = ((st * st + sc * sc) / 2.0).sqrt();
    (stats::mean(t) - stats::mean(c)) / pooled
}

/// Virtual randomised trials run with the model's own leader and staff
/// processes: returns (formal training effect on leader capability,
/// coaching effect on team engagement), both as Cohen's d.
///
/// Training: newly appointed team leaders are randomised to the Mary Seacole
/// programme or not; capability is compared 12 months after the effect is due.
/// Coaching: teams whose leader is randomised to coaching or not run for 24
/// months through the staff process; team mean engagement is compared.
pub fn virtual_trials(p: &Params, replication: u32) -> (f64, f64) {
    let mut rng = stream(p.run.seed, replication, StreamName::Trial, 0);
    let d = &p.development;
    let l = &p.leaders;
    let n = 2_000;
    let mut arms = |intervention: u8, months: u32, teams: bool| -> (Vec<f64>, Vec<f64>) {
        let (mut treat, mut control) = (vec![], vec![]);
        let tables = HazardTables::new(&p.staff, 0.2);
        let fill = (p.workforce.fill_rate_monthly * f64::from(u32::MAX)) as u32;
        let ts = p.staff.team_size as usize;
        let mut staff_rng = stream(p.run.seed, replication, StreamName::Trial, 1);
        for i in 0..2 * n {
            let (mut leader, _) = Leader::appoint(true, l, d, &mut rng);
            let treated = i % 2 == 0;
            let iv = d.interventions()[usize::from(intervention)];
            if treated {
                leader.enrolment = Some(Enrolment {
                    intervention,
                    effect_month: iv.duration_months + iv.lag_months,
                    joint: false,
                });
            }
            let outcome = if teams {
                let mut pool =
                    StaffPool::new(ts, 0.7, 0.0, p.staff.engagement_base, &mut staff_rng);
                let mut mean = pool.team_mean(0..ts).0;
                for month in 0..months {
                    leader.learn(month, 0.5, l, d);
                    let target =
                        p.staff.engagement_base + p.staff.leader_weight * (leader.quality(l) - 0.5);
                    let tally = pool.step_team(
                        0..ts,
                        target,
                        mean,
                        &p.staff,
                        &tables,
                        fill,
                        p.staff.new_starter_engagement as f32,
                        &mut staff_rng,
                        &mut rng,
                    );
                    if tally.in_post > 0 {
                        mean = tally.engagement_sum / f64::from(tally.in_post);
                    }
                }
                pool.team_mean(0..ts).0
            } else {
                for month in 0..months {
                    leader.learn(month, 0.5, l, d);
                }
                f64::from(leader.capability)
            };
            if treated {
                treat.push(outcome)
            } else {
                control.push(outcome)
            }
        }
        (treat, control)
    };
    let ms = &d.mary_seacole;
    let (t, c) = arms(0, ms.duration_months + ms.lag_months + 12, false);
    let training = cohen_d(&t, &c);
    let co = &d.coaching;
    let (t, c) = arms(2, co.duration_months + co.lag_months + 12, true);
    (training, cohen_d(&t, &c))
}

/// One line of the calibration table.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub target: Target,
    pub label: &'static str,
    pub percent: bool,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    pub pass: bool,
}

/// Compares per-metric quantiles across replications with the targets; a
/// target passes when the median across replications lies in its range.
pub fn check(quantiles: impl Fn(&str) -> Option<(f64, f64, f64)>) -> Vec<CheckRow> {
    TARGETS
        .iter()
        .map(|t| {
            let def = metric(t.key).expect("every target is a metric");
            let (p05, median, p95) = quantiles(t.key).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            CheckRow {
                target: *t,
                label: def.label,
                percent: def.percent,
                median,
                p05,
                p95,
                pass: median >= t.lo && median <= t.hi,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_names_a_metric_and_ranges_are_ordered() {
        for t in TARGETS {
            assert!(metric(t.key).is_some(), "{}", t.key);
            assert!(t.lo <= t.hi);
        }
    }

    #[test]
    fn virtual_trials_show_positive_effects_that_vanish_without_the_intervention() {
        let p = Params::default();
        let (training, coaching) = virtual_trials(&p, 0);
        assert!(training > 0.3, "training {training}");
        assert!(coaching > 0.1, "coaching {coaching}");
        let q = crate::model::params::edited(|q| {
            q.development.mary_seacole.capability_effect = 0.0;
            q.development.mary_seacole.compassion_effect = 0.0;
            q.development.coaching.capability_effect = 0.0;
            q.development.coaching.compassion_effect = 0.0;
        });
        let (t0, c0) = virtual_trials(&q, 0);
        assert!(t0.abs() < 0.2 && c0.abs() < 0.2, "{t0} {c0}");
    }

    #[test]
    fn check_passes_inside_and_fails_outside_the_range() {
        let rows = check(|k| {
            if k == "sickness_rate" {
                Some((0.04, 0.045, 0.05))
            } else {
                Some((0.0, 100.0, 200.0))
            }
        });
        let s = rows
            .iter()
            .find(|r| r.target.key == "sickness_rate")
            .unwrap();
        assert!(s.pass);
        assert!(
            !rows
                .iter()
                .find(|r| r.target.key == "vacancy_rate")
                .unwrap()
                .pass
        );
    }
}
