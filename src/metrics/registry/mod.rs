//! The registry itself: every metric, in the order tables print them.

mod evidence;
mod types;

use std::sync::LazyLock;

use super::patterns as pat;
use super::window::Window;
use super::{Better, Compute, Metric, Period, Target, TargetKind, Trials, Unit};
use crate::model::{ExitRoute, Rating, TrustType};

/// HSJ's count of acute trusts' CEOs from April 2017 to April 2022.
pub(super) const FIVE_YEARS_2017_22: Period = Period {
    from: (2017, 4),
    to: (2022, 3),
    label: "April 2017 to April 2022",
    scenario: "scenarios/england_2017_23.toml",
};

/// HSJ's list of trust CEOs in August 2023.
pub(super) const SNAPSHOT_2023: Period = Period {
    from: (2023, 8),
    to: (2023, 8),
    label: "August 2023",
    scenario: "scenarios/england_2017_23.toml",
};

/// The HSJ/Capsticks survey of acute trusts' chief executives (autumn 2013).
pub(super) const SNAPSHOT_2013: Period = Period {
    from: (2013, 10),
    to: (2013, 10),
    label: "October 2013",
    scenario: "scenarios/england_2013.toml",
};

const fn pattern(evidence: &'static str, lo: f64, hi: f64, source: &'static str) -> Target {
    Target {
        kind: TargetKind::Pattern,
        evidence,
        lo,
        hi,
        source,
        known_gap: None,
        period: None,
    }
}

/// Evidence of one period: measured on those months of a run that covers
/// them.
const fn dated(t: Target, period: Period) -> Target {
    Target {
        period: Some(period),
        ..t
    }
}

/// A pattern metric: measured over a window, checked against `t`.
const fn checked(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    description: &'static str,
    f: fn(&Window) -> f64,
    t: Target,
) -> Metric {
    with_target(measure(key, label, unit, description, f), t)
}

const fn calibration(evidence: &'static str, lo: f64, hi: f64, source: &'static str) -> Target {
    Target {
        kind: TargetKind::Calibration,
        evidence,
        lo,
        hi,
        source,
        known_gap: None,
        period: None,
    }
}

/// A metric measured over a window, compared between policies.
const fn outcome(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    description: &'static str,
    better: Better,
    headline: bool,
    f: fn(&Window) -> f64,
) -> Metric {
    Metric {
        key,
        label,
        unit,
        description,
        better,
        headline,
        compare: true,
        target: None,
        compute: Compute::Window(f),
    }
}

/// A metric measured over a window, not compared between policies.
const fn measure(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    description: &'static str,
    f: fn(&Window) -> f64,
) -> Metric {
    Metric {
        key,
        label,
        unit,
        description,
        better: Better::Neither,
        headline: false,
        compare: false,
        target: None,
        compute: Compute::Window(f),
    }
}

const fn headline(m: Metric) -> Metric {
    Metric {
        headline: true,
        ..m
    }
}

const fn with_target(m: Metric, t: Target) -> Metric {
    Metric {
        target: Some(t),
        ..m
    }
}

const fn trial(
    key: &'static str,
    label: &'static str,
    description: &'static str,
    f: fn(&Trials) -> f64,
    t: Target,
) -> Metric {
    Metric {
        key,
        label,
        unit: Unit::EffectSd,
        description,
        better: Better::Neither,
        headline: false,
        compare: false,
        target: Some(t),
        compute: Compute::Trial(f),
    }
}

fn share_of(v: &[bool]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().filter(|x| **x).count() as f64 / v.len() as f64
    }
}

fn deficit_share(w: &Window) -> f64 {
    let by_trust = w.trust_years(|m| m.surplus_share);
    let v: Vec<bool> = by_trust.iter().flatten().map(|s| *s < 0.0).collect();
    share_of(&v)
}

fn ceo_change_rate(w: &Window) -> f64 {
    share_of(&pat::changes(w).concat())
}

fn appointment_share(w: &Window, f: fn(&crate::model::CeoSpell) -> bool) -> f64 {
    let v: Vec<bool> = w.starts().filter(|s| !s.interim).map(f).collect();
    share_of(&v)
}

fn yearly_gbp_m(w: &Window, f: fn(&crate::model::TrustMonth) -> f64) -> f64 {
    let months = f64::from(w.last + 1 - w.first);
    w.rows.iter().map(f).sum::<f64>() / (months / 12.0) / 1e6
}

/// Every metric, in print order: the outcomes and the brief's targets, the
/// patterns and evidence levels of [`evidence`], the differences between
/// trust types and trusts of [`types`], then the virtual trials.
pub static METRICS: LazyLock<Vec<Metric>> =
    LazyLock::new(|| [CORE, evidence::EVIDENCE, types::TYPES, TRIALS].concat());

/// Outcomes, with the brief's calibration targets where it sets one.
const CORE: &[Metric] = &[
    with_target(
        outcome(
            "engagement_mean",
            "Staff engagement (0-10)",
            Unit::Score10,
            "Mean trust engagement over trust-months, weighted by staff in post.",
            Better::Higher,
            true,
            |w| w.per_staff(|m| m.engagement),
        ),
        calibration("6.8-7.0", 6.8, 7.0, "NHS Staff Survey 2018-2023"),
    ),
    headline(measure(
        "engagement_final_year",
        "Staff engagement, final year",
        Unit::Score10,
        "As engagement_mean, over the last 12 reported months.",
        |w| w.final_year().per_staff(|m| m.engagement),
    )),
    with_target(
        outcome(
            "leaver_rate_annual",
            "Staff leaving per year",
            Unit::Share,
            "12 times the monthly leaver rate, weighted by staff in post.",
            Better::Lower,
            true,
            |w| 12.0 * w.per_staff(|m| m.leaver_rate),
        ),
        calibration("10-12 %", 0.10, 0.12, "Health Foundation / NHS Digital"),
    ),
    with_target(
        outcome(
            "sickness_rate",
            "Sickness absence",
            Unit::Share,
            "Monthly share of staff in post off sick, weighted by staff in post.",
            Better::Lower,
            true,
            |w| w.per_staff(|m| m.sickness_rate),
        ),
        calibration("4-5 %", 0.04, 0.05, "NHS Digital via Nuffield Trust"),
    ),
    with_target(
        outcome(
            "vacancy_rate",
            "Vacancy rate",
            Unit::Share,
            "Published vacancy rate (vacant share of the establishment each trust records), weighted by establishment.",
            Better::Lower,
            true,
            |w| w.per_post(|m| m.vacancy_rate),
        ),
        calibration(
            "about 8 %",
            0.07,
            0.09,
            "NHS Digital vacancy statistics 2019",
        ),
    ),
    outcome(
        "quality_index",
        "Quality index (0-100)",
        Unit::Index100,
        "Plain mean over trust-months of the quality index.",
        Better::Higher,
        true,
        |w| w.mean(|m| m.quality_index),
    ),
    outcome(
        "patient_experience",
        "Patient experience (0-10)",
        Unit::Score10,
        "Plain mean over trust-months of patient experience.",
        Better::Higher,
        true,
        |w| w.mean(|m| m.patient_experience),
    ),
    outcome(
        "mortality_ratio",
        "Mortality ratio",
        Unit::Ratio,
        "Mean over acute trust-months of the published 12-month mortality ratio (observed over expected deaths).",
        Better::Lower,
        true,
        |w| w.mean_finite(|m| m.mortality_ratio),
    ),
    outcome(
        "surplus_share",
        "Surplus (share of income)",
        Unit::Share,
        "Surplus (negative: deficit) as a share of income, weighted by establishment.",
        Better::Higher,
        true,
        |w| w.per_post(|m| m.surplus_share),
    ),
    with_target(
        outcome(
            "deficit_share",
            "Trusts in deficit",
            Unit::Share,
            "Share of trust-years whose mean monthly surplus is negative.",
            Better::Lower,
            true,
            deficit_share,
        ),
        calibration("about 25 %", 0.20, 0.30, "King's Fund 2019/20"),
    ),
    outcome(
        "friction",
        "Manager-clinician friction (0-1)",
        Unit::Score01,
        "Plain mean over trust-months of manager-clinician friction.",
        Better::Lower,
        true,
        |w| w.mean(|m| m.friction),
    ),
    measure(
        "improvement_capability",
        "Improvement capability (0-1)",
        Unit::Score01,
        "Plain mean over trust-months of improvement capability.",
        |w| w.mean(|m| m.improvement_capability),
    ),
    outcome(
        "mean_leader_capability",
        "Team-leader capability (0-1)",
        Unit::Score01,
        "Plain mean over trust-months of mean team-leader capability.",
        Better::Higher,
        true,
        |w| w.mean(|m| m.mean_leader_capability),
    ),
    measure(
        "development_spend_gbp_m",
        "Development spend per year (GBP m)",
        Unit::GbpMillions,
        "Development spend of all trusts per year (scales with run.staff_scale).",
        |w| yearly_gbp_m(w, |m| m.development_spend_gbp),
    ),
    measure(
        "agency_spend_gbp_m",
        "Bank and agency spend per year (GBP m)",
        Unit::GbpMillions,
        "Bank and agency (temporary staffing) spend of all trusts per year: the share of vacant and sick posts covered, at the premium over substantive pay (scales with run.staff_scale).",
        |w| yearly_gbp_m(w, |m| m.agency_spend_gbp),
    ),
    measure(
        "oversight_level_mean",
        "Oversight level (1-4)",
        Unit::Level,
        "Plain mean over trust-months of the oversight level.",
        |w| w.mean(|m| f64::from(m.oversight_level)),
    ),
    measure(
        "rated_good_or_better",
        "Rated good or outstanding",
        Unit::Share,
        "Share of trust-months rated good or outstanding.",
        |w| w.share(|m| m.rating <= Rating::Good),
    ),
    headline(measure(
        "ceo_tenure_median_years",
        "CEO tenure, KM median (years)",
        Unit::Years,
        "Kaplan-Meier median of permanent CEO spells, with delayed entry for spells begun in burn-in and censoring of spells still in post.",
        |w| super::ceo_tenure_median_years(&w.tenure_observations()),
    )),
    with_target(
        headline(measure(
            "ceo_time_in_post_median_years",
            "Sitting CEOs' time in post, median (years)",
            Unit::Years,
            "At each reported year end, the median time in post of the permanent CEOs in post (all trusts), averaged over years.",
            pat::sitting_ceo_median_years,
        )),
        calibration(
            "about 2-3 years",
            2.0,
            3.0,
            "HSJ/Capsticks 2013 (median time in post 24 months, acute trusts); King's Fund / NHS Providers 2018 (average tenure of chief executives in post 2.5 years in 2014, 3 years in 2017)",
        ),
    ),
    with_target(
        outcome(
            "ceo_change_rate",
            "Trusts changing CEO per year",
            Unit::Share,
            "Share of trust-years in which at least one CEO or interim spell starts.",
            Better::Lower,
            true,
            ceo_change_rate,
        ),
        calibration(
            "20-24 % a year",
            0.20,
            0.24,
            "HSJ CEO-change counts 2017, 2022",
        ),
    ),
    with_target(
        measure(
            "ceo_weibull_shape",
            "CEO time in post, Weibull shape",
            Unit::Shape,
            "Maximum-likelihood Weibull shape fitted to the time in post of the permanent CEOs of acute trusts in post in October 2013 (the survey's snapshot), as the source fitted it.",
            pat::time_in_post_weibull_shape,
        ),
        dated(
            calibration(
                "about 0.7 (falling)",
                0.6,
                0.85,
                "HSJ/Capsticks time-in-post snapshot (autumn 2013), fitted",
            ),
            SNAPSHOT_2013,
        ),
    ),
    with_target(
        measure(
            "ceo_over_10y_share",
            "Sitting CEOs in post over 10 years",
            Unit::Share,
            "At each reported year end, share of trusts with a permanent CEO in post over 120 months.",
            |w| {
                let v: Vec<bool> = w
                    .rows
                    .iter()
                    .filter(|m| m.month % 12 == 0 && !m.interim)
                    .map(|m| m.ceo_tenure_months > 120)
                    .collect();
                share_of(&v)
            },
        ),
        calibration("about 10 %", 0.07, 0.13, "HSJ/Capsticks"),
    ),
    with_target(
        outcome(
            "no_permanent_ceo_share",
            "Trusts without a permanent CEO",
            Unit::Share,
            "Share of trust-months with an interim CEO in post.",
            Better::Lower,
            true,
            |w| w.share(|m| m.interim),
        ),
        calibration("7-8 %", 0.06, 0.09, "King's Fund 2014, 2018"),
    ),
    measure(
        "ceo_internal_share",
        "CEO appointments that are internal",
        Unit::Share,
        "Share of permanent CEO appointments in the window promoted from the trust's own board.",
        |w| appointment_share(w, |s| s.internal),
    ),
    with_target(
        measure(
            "ceo_first_time_share",
            "CEO appointments that are first-time",
            Unit::Share,
            "Share of permanent CEO appointments in the window that are a first CEO post (internal appointees included).",
            |w| appointment_share(w, |s| s.first_time),
        ),
        pattern(
            "about 65 % of recent appointments",
            0.5,
            0.8,
            "HSJ 2023 (40 of 62 appointments since February 2022)",
        ),
    ),
    measure(
        "ceo_dismissal_share",
        "CEO exits that are dismissals",
        Unit::Share,
        "Share of permanent CEO exits in the window that are dismissals or pushed resignations.",
        |w| {
            let v: Vec<bool> = w
                .exits()
                .filter(|s| !s.interim)
                .map(|s| s.exit_route == ExitRoute::Dismissed)
                .collect();
            share_of(&v)
        },
    ),
    with_target(
        measure(
            "engagement_sd_between_trusts",
            "Engagement SD between acute trusts",
            Unit::Score10,
            "Per reported year, SD across acute trusts of each trust's annual mean engagement; averaged over years (the gaps between types are patterns of their own).",
            |w| pat::sd_between_trusts(w, crate::model::TrustType::Acute, |m| m.engagement),
        ),
        calibration(
            "0.15-0.25",
            0.15,
            0.25,
            "NHS Staff Survey trust results (acute trusts, motivation items 2013-2017: SD 0.06-0.09 on the 1-5 scale, 0.15-0.23 on 0-10 by our conversion)",
        ),
    ),
    with_target(
        measure(
            "engagement_year_correlation",
            "Engagement year-to-year correlation, acute trusts",
            Unit::Correlation,
            "Pearson correlation across acute trusts of annual mean engagement in consecutive years; averaged over year pairs.",
            |w| pat::year_on_year_correlation(w, crate::model::TrustType::Acute, |m| m.engagement),
        ),
        calibration(
            "about 0.7",
            0.6,
            0.8,
            "NHS Staff Survey trust results (acute trusts, motivation items: 0.64-0.80 between consecutive years 2012-2017, our calculation)",
        ),
    ),
];

/// The virtual trials of the brief's effect-size targets.
const TRIALS: &[Metric] = &[
    trial(
        "training_effect_sd",
        "Formal training effect on capability (SD)",
        "Training virtual trial: Cohen's d on leader capability.",
        |t| t.training,
        calibration(
            "0.7-0.8 SD, smaller in practice",
            0.5,
            0.8,
            "Lacerenza et al. 2017",
        ),
    ),
    trial(
        "coaching_effect_sd",
        "Coaching effect on team engagement (SD)",
        "Coaching virtual trial: Cohen's d on team engagement.",
        |t| t.coaching,
        calibration(
            "about 0.36 SD on coachees' own outcomes",
            0.25,
            0.45,
            "Jones et al. 2016 (meta-analysis, coachees' outcomes pooled); applying it to their teams' engagement is our assumption",
        ),
    ),
];
