//! Differences: between the four trust types (sickness, engagement,
//! leaving, vacancies, ratings, deficits), between London and the rest, and
//! between trusts of the same type (spread and persistence). Those that a
//! type's or the trusts' parameters were set against are calibration
//! targets; the rest are patterns the mechanisms must produce.

use super::*;
use crate::model::TrustMonth;
use crate::model::TrustType::{self, Acute, Ambulance, Community, MentalHealth};

fn sickness(m: &TrustMonth) -> f64 {
    m.sickness_rate
}

fn leaving(m: &TrustMonth) -> f64 {
    m.leaver_rate
}

fn engagement(m: &TrustMonth) -> f64 {
    m.engagement
}

fn vacancy(m: &TrustMonth) -> f64 {
    m.vacancy_rate
}

/// Bank and agency spend per funded post (GBP a month).
fn temporary_staffing(m: &TrustMonth) -> f64 {
    m.agency_spend_gbp / f64::from(m.establishment.max(1))
}

fn surplus(m: &TrustMonth) -> f64 {
    m.surplus_share
}

fn good_or_better(m: &TrustMonth) -> bool {
    m.rating <= Rating::Good
}

/// Mean of `f` at trusts of type `a` over that at acute trusts, weighted by
/// staff in post (`per_post`: by establishment).
fn over_acute(w: &Window, a: TrustType, f: fn(&TrustMonth) -> f64, per_post: bool) -> f64 {
    pat::type_mean(w, a, f, per_post) / pat::type_mean(w, Acute, f, per_post)
}

/// Share of trust-months rated good or outstanding at type `a` over that at
/// acute trusts.
fn good_over_acute(w: &Window, a: TrustType) -> f64 {
    pat::type_share(w, a, good_or_better) / pat::type_share(w, Acute, good_or_better)
}

/// Share of trust-years in deficit (mean monthly surplus below zero) at
/// acute trusts over that at trusts of the other types.
fn deficit_acute_over_other(w: &Window) -> f64 {
    let (mut acute, mut other) = (vec![], vec![]);
    for (t, years) in w.trust_years(|m| m.surplus_share).iter().enumerate() {
        let Some(kind) = w.at(t as u32, w.first).map(|m| m.trust_type) else {
            continue;
        };
        let v = if kind == Acute {
            &mut acute
        } else {
            &mut other
        };
        v.extend(years.iter().filter(|s| !s.is_nan()).map(|s| *s < 0.0));
    }
    let other = share_of(&other);
    if other > 0.0 {
        share_of(&acute) / other
    } else {
        f64::NAN
    }
}

/// National engagement (weighted by staff in post) minus that of type `a`.
fn engagement_gap(w: &Window, a: TrustType) -> f64 {
    w.per_staff(engagement) - pat::type_mean(w, a, engagement, false)
}

const QUALITYWATCH: &str = "NHS Digital sickness absence rates by organisation type (monthly, 2010-2016), as charted by QualityWatch (Nuffield Trust, Health Foundation): 2015/16 means 3.96 % acute, 4.78 % mental health, 4.59 % community, 5.51 % ambulance; the ratio is our calculation";

const SICKNESS_BY_TRUST: &str = "NHS Digital, NHS Sickness Absence Rates (January 2023 release, monthly rates by organisation from April 2013), acute trusts by their estates-return type; annual means, SD and correlations are our calculation";

pub(super) const TYPES: &[Metric] = &[
    checked(
        "sickness_ratio_ambulance_vs_acute",
        "Sickness absence, ambulance over acute trusts",
        Unit::Times,
        "Sickness rate of ambulance trusts over that of acute trusts (each weighted by staff in post).",
        |w| over_acute(w, Ambulance, sickness, false),
        calibration(
            "about 1.4 (5.51 % vs 3.96 %, 2015/16)",
            1.25,
            1.55,
            QUALITYWATCH,
        ),
    ),
    checked(
        "sickness_ratio_mental_health_vs_acute",
        "Sickness absence, mental health over acute trusts",
        Unit::Times,
        "Sickness rate of mental health trusts over that of acute trusts (each weighted by staff in post).",
        |w| over_acute(w, MentalHealth, sickness, false),
        calibration(
            "about 1.2 (4.78 % vs 3.96 %, 2015/16)",
            1.1,
            1.35,
            QUALITYWATCH,
        ),
    ),
    checked(
        "sickness_ratio_community_vs_acute",
        "Sickness absence, community over acute trusts",
        Unit::Times,
        "Sickness rate of community trusts over that of acute trusts (each weighted by staff in post).",
        |w| over_acute(w, Community, sickness, false),
        calibration(
            "about 1.16 (4.59 % vs 3.96 %, 2015/16)",
            1.05,
            1.3,
            QUALITYWATCH,
        ),
    ),
    checked(
        "engagement_gap_ambulance",
        "Engagement, national minus ambulance trusts",
        Unit::Score10,
        "National engagement minus that of ambulance trusts (each weighted by staff in post).",
        |w| engagement_gap(w, Ambulance),
        calibration(
            "about 1.0 (3.39 vs 3.78 on the 1-5 scale, 2015)",
            0.6,
            1.4,
            "NHS Staff Survey 2015 (national engagement 3.78: IPA 2016; ambulance trusts' average 3.39: East of England Ambulance Service 2016; Picker 2016: ambulance results typically much poorer); the 0-10 gap is our conversion (x 2.5)",
        ),
    ),
    checked(
        "engagement_gap_mental_health",
        "Engagement, national minus mental health trusts",
        Unit::Score10,
        "National engagement minus that of mental health trusts (each weighted by staff in post).",
        |w| engagement_gap(w, MentalHealth),
        pattern(
            "about 0 (3.80 vs 3.78 on the 1-5 scale)",
            -0.4,
            0.4,
            "NHS Staff Survey 2015-2017 (East London NHS Foundation Trust 2017: group average 3.80; IPA 2016); the range (0.16 on the 1-5 scale) is our allowance for the different years",
        ),
    ),
    checked(
        "engagement_gap_community",
        "Engagement, national minus community trusts",
        Unit::Score10,
        "National engagement minus that of community trusts (each weighted by staff in post).",
        |w| engagement_gap(w, Community),
        pattern(
            "about 0 (3.78 vs 3.78 on the 1-5 scale)",
            -0.4,
            0.4,
            "NHS Staff Survey 2015-2017 (Central London Community Healthcare 2018: community trusts' average 3.78; IPA 2016); the range is our allowance for the different years",
        ),
    ),
    checked(
        "leaver_ratio_community_vs_acute",
        "Staff leaving, community over acute trusts",
        Unit::Times,
        "Leaver rate of community trusts over that of acute trusts (each weighted by staff in post).",
        |w| over_acute(w, Community, leaving, false),
        calibration(
            "about 1.4 (stability 79 % vs 85 %, 2017/18)",
            1.2,
            2.0,
            "Health Foundation, A critical moment (2019) and Falling short (2019); the ratio of leavers (21 % vs 15 %) is our calculation",
        ),
    ),
    checked(
        "leaver_ratio_mental_health_vs_acute",
        "Staff leaving, mental health over acute trusts",
        Unit::Times,
        "Leaver rate of mental health trusts over that of acute trusts (each weighted by staff in post).",
        |w| over_acute(w, MentalHealth, leaving, false),
        calibration(
            "about 1.1 (turnover 13.4-14.3 % vs 11.9-12.5 %)",
            1.0,
            1.35,
            "NHS Improvement retention programme, reported by HSJ 2019; the ratio is our calculation",
        ),
    ),
    checked(
        "vacancy_ratio_mental_health_vs_acute",
        "Vacancies, mental health over acute trusts",
        Unit::Times,
        "Vacancy rate of mental health trusts over that of acute trusts (each weighted by establishment).",
        |w| {
            pat::type_mean(w, MentalHealth, vacancy, true) / pat::type_mean(w, Acute, vacancy, true)
        },
        calibration(
            "above 1 (nurses in London: 16.7 % vs 14.4 %)",
            1.0,
            1.5,
            "NHS Improvement vacancy data Q3 2017/18, reported by HSJ 2018; RCN 2019 (shortages far bigger in mental health); the ratio 1.16 is our calculation",
        ),
    ),
    checked(
        "vacancy_ratio_london",
        "Vacancies, London over all trusts",
        Unit::Times,
        "Vacancy rate of the trusts in the London region over that of all trusts (weighted by establishment; register trusts).",
        pat::vacancy_ratio_london,
        calibration(
            "about 1.4 (nurses: 14.4 % vs 10.3 %, 2017/18)",
            1.2,
            1.7,
            "NHS Improvement vacancy data Q3 2017/18, reported by HSJ 2018; the ratio is our calculation",
        ),
    ),
    checked(
        "rated_good_ratio_mental_health_vs_acute",
        "Rated good or better, mental health over acute",
        Unit::Times,
        "Share of trust-months rated good or outstanding at mental health trusts over that at acute trusts.",
        |w| good_over_acute(w, MentalHealth),
        calibration(
            "above 1 (trusts 2016: 38 % vs 22 %)",
            1.05,
            1.8,
            "CQC ratings of trusts, April 2016 (National Health Executive); CQC State of Care 2019/20 (core services); the ratios are our calculation",
        ),
    ),
    checked(
        "rated_good_ratio_community_vs_acute",
        "Rated good or better, community over acute",
        Unit::Times,
        "Share of trust-months rated good or outstanding at community trusts over that at acute trusts.",
        |w| good_over_acute(w, Community),
        pattern(
            "above 1 (core services 2020: 87 % vs 75 %)",
            1.05,
            2.0,
            "CQC State of Care 2019/20 (core services); CQC ratings of trusts, April 2016 (National Health Executive); the ratios are our calculation",
        ),
    ),
    checked(
        "deficit_ratio_acute_vs_other",
        "Trusts in deficit, acute over other types",
        Unit::Times,
        "Share of trust-years in deficit (mean monthly surplus below zero) at acute trusts over that at ambulance, mental health and community trusts.",
        deficit_acute_over_other,
        calibration(
            "about 3-5 times (2016/17-2017/18)",
            2.0,
            6.0,
            "The King's Fund, NHS in a nutshell: trusts in deficit (NHS Improvement data: 44 % of about 234 trusts in deficit in 2016/17 and 2017/18, acute trusts nearly 80 % and just under 90 % of them, over 60 % of acute trusts in deficit in 2016/17); the ratios (about 2.9 and 5.5) and the range are our calculation",
        ),
    ),
    checked(
        "leaver_cv_between_trusts",
        "Staff leaving, spread between trusts (CV)",
        Unit::Ratio,
        "Per year, the SD over the mean across acute and mental health trusts of their annual leaver rates; mean over years.",
        |w| pat::cv_between_trusts(w, &[Acute, MentalHealth], leaving),
        calibration(
            "about 0.2 (nurses: 9-43 %, mean 16 %, 2016)",
            0.12,
            0.3,
            "Nursing Times 2017 (NHS Digital, 160 foundation and mental health trusts, year to May 2016); the CV is our reading of that distribution",
        ),
    ),
    checked(
        "sickness_sd_between_acute_trusts",
        "Sickness absence, SD between acute trusts",
        Unit::Share,
        "Per year, the SD across acute trusts of their annual sickness rates; mean over years.",
        |w| pat::sd_between_trusts(w, Acute, sickness),
        calibration(
            "0.57-0.66 points (2016/17-2019)",
            0.0045,
            0.008,
            SICKNESS_BY_TRUST,
        ),
    ),
    checked(
        "sickness_year_correlation_acute",
        "Sickness year-to-year correlation, acute trusts",
        Unit::Correlation,
        "Per year, the correlation across acute trusts of their annual sickness rates with the year before's; mean over years.",
        |w| pat::year_on_year_correlation(w, Acute, sickness),
        pattern("0.94 (2017/18 to 2018/19)", 0.85, 0.98, SICKNESS_BY_TRUST),
    ),
    checked(
        "vacancy_10_percent_or_more_share",
        "Trusts with vacancies of 10 % or more",
        Unit::Share,
        "Share of trust-months with a published vacancy rate (all staff) of 10 % or more.",
        |w| w.share(|m| m.vacancy_rate >= 0.10),
        pattern(
            "37 % (79 of 212 trusts, December 2021)",
            0.28,
            0.46,
            "NHS England vacancy data, December 2021, reported by PA (Chad, 2022: \"Of 212 trusts across England, 79 - 37 per cent - had a vacancy rate of 10 per cent or more\"; the national rate was 7.6 % in June 2021 and 9.7 % in June 2022, Department of Health and Social Care, February 2023); the range (the 95 % sampling interval for 212 trusts, widened for the national rate's distance from the baseline's 8 %) is our calculation",
        ),
    ),
    checked(
        "temporary_staffing_max_over_mean_acute",
        "Bank and agency spend, highest acute trust over mean",
        Unit::Times,
        "Per year, the highest bank and agency spend per funded post among acute trusts over the mean across them; mean over years.",
        |w| pat::max_over_mean_between_trusts(w, Acute, temporary_staffing),
        pattern(
            "about 3 (up to 29 % of nursing spend, mean 9.4 %, 2004-05)",
            2.2,
            4.0,
            "National Audit Office 2006, Improving the use of temporary nursing staff in NHS acute and foundation trusts (temporary nursing staff, bank and agency, in 2004-05: 9.4 % of nursing expenditure, ranging from less than 5 % to as much as 29 % between trusts); the ratio (about 3.1) and the range are our calculation",
        ),
    ),
    checked(
        "surplus_sd_between_acute_trusts",
        "Surplus, SD between acute trusts",
        Unit::Share,
        "Per year, the SD across acute trusts of their annual surplus as a share of income; mean over years.",
        |w| pat::sd_between_trusts(w, Acute, surplus),
        pattern(
            "about 4 % of income (2014-15)",
            0.028,
            0.055,
            "National Audit Office 2015, Sustainability and financial performance of acute hospital trusts (60 % of acute hospital trusts in deficit in 2014-15); Public Accounts Committee 2017, Financial sustainability of the NHS (26 acute hospital trusts with deficits greater than 5 % of their income in 2014-15, 56 in 2015-16); the SD (about 4.1 % of income, about 158 acute trusts, a normal spread assumed) and the range are our calculation",
        ),
    ),
];
