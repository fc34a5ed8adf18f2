//! The records one replication produces: one row per trust and reported
//! month, one per CEO or interim spell and one per executive's spell in
//! post at any time in the reported horizon, and one per published
//! inspection. Plain data; [`crate::output`] defines how they become tables.
//!
//! **Month convention.** Every month in a record is a reported month:
//! 1 is the first month after burn-in and `run.months` the last. Burn-in
//! months are 0 and below (0 is the last burn-in month). A spell covers
//! `start_month..=end_month`, so a CEO whose spell starts at month 25 is the
//! one recorded in `trust_months` for month 25.

use super::calendar::{Calendar, YearMonth};
use super::params::TrustRow;
use super::regulator::{Inspection, InspectionKind};
use super::trust::{ExecExit, Trust};
use super::{ExitRoute, Pathway, Rating, TrustType};

/// One trust in one reported month.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrustMonth {
    pub replication: u32,
    pub trust_id: u32,
    pub trust_type: TrustType,
    /// Reported month, 1 to `run.months` (see [`CeoSpell`] for the convention).
    pub month: u32,
    /// The calendar month of `month` (`run.start` is month 1).
    pub date: YearMonth,
    pub establishment: u32,
    pub staff_in_post: u32,
    pub engagement: f64,
    pub sickness_rate: f64,
    pub leaver_rate: f64,
    /// The published vacancy rate, counted against the establishment the
    /// trust records; the real staffing gap is `1 - staff_in_post /
    /// establishment`.
    pub vacancy_rate: f64,
    pub friction: f64,
    pub quality_index: f64,
    pub patient_experience: f64,
    /// Published 12-month mortality ratio (acute trusts; NaN otherwise).
    pub mortality_ratio: f64,
    /// Deaths expected and observed this month (acute trusts; 0 otherwise).
    pub expected_deaths: f64,
    pub observed_deaths: f64,
    /// Staff survey: share who would recommend the trust as a place to work.
    pub recommend_work: f64,
    /// Staff survey: share who would be happy with the standard of care for
    /// a friend or relative.
    pub recommend_care: f64,
    /// Surplus (negative: deficit) as a share of income this month.
    pub surplus_share: f64,
    pub oversight_level: u8,
    pub rating: Rating,
    pub ceo_id: u64,
    pub ceo_tenure_months: u32,
    pub interim: bool,
    /// Share of executive posts held by interims.
    pub exec_vacancy_share: f64,
    pub mean_leader_capability: f64,
    pub improvement_capability: f64,
    pub development_spend_gbp: f64,
    pub agency_spend_gbp: f64,
    /// Whether a targeted entry (`[[for_trusts]]`, or a `[[changes]]` entry
    /// with `trusts` or `where`) reached the trust this month.
    pub targeted: bool,
}

impl TrustMonth {
    /// The record of trust `t` at the end of simulated month `month`
    /// (reported month `reported`).
    pub fn of(
        t: &Trust,
        replication: u32,
        reported: u32,
        date: YearMonth,
        month: u32,
    ) -> TrustMonth {
        TrustMonth {
            replication,
            trust_id: t.index,
            trust_type: t.kind,
            month: reported,
            date,
            establishment: t.establishment,
            staff_in_post: t.tally.in_post,
            engagement: t.tally.engagement,
            sickness_rate: t.tally.sickness_rate,
            leaver_rate: t.tally.leaver_rate,
            vacancy_rate: t.published_vacancy_rate(),
            friction: t.friction,
            quality_index: t.quality,
            patient_experience: t.experience,
            mortality_ratio: t.mortality.ratio(),
            expected_deaths: t.tally.expected_deaths,
            observed_deaths: t.tally.observed_deaths,
            recommend_work: t.recommend_work,
            recommend_care: t.recommend_care,
            surplus_share: t.surplus_share,
            oversight_level: t.oversight_level,
            rating: t.regulator.overall,
            ceo_id: t.ceo.id,
            ceo_tenure_months: t.ceo.tenure_months(month + 1),
            interim: t.ceo.interim,
            // After the market: an interim covering a post vacated this month counts.
            exec_vacancy_share: t.exec_vacancy_share(),
            mean_leader_capability: t.tally.mean_leader_capability,
            improvement_capability: t.improvement,
            development_spend_gbp: t.tally.development_spend_gbp,
            agency_spend_gbp: t.tally.agency_spend_gbp,
            targeted: false,
        }
    }
}

/// One CEO or interim spell that overlaps the reported horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CeoSpell {
    pub replication: u32,
    pub trust_id: u32,
    pub ceo_id: u64,
    /// First month in post, on the reported-month scale of
    /// [`TrustMonth::month`] (1 is the first reported month; 0 and below are
    /// burn-in months, 0 being the last of them).
    pub start_month: i32,
    /// Last month in post on the same scale (the last reported month if
    /// censored). The spell covers `start_month..=end_month`.
    pub end_month: i32,
    /// Calendar months of `start_month` and `end_month`.
    pub start_date: YearMonth,
    pub end_date: YearMonth,
    pub censored: bool,
    pub exit_route: ExitRoute,
    pub pathway: Pathway,
    pub internal: bool,
    pub first_time: bool,
    pub interim: bool,
}

/// A spell in a post, from its first to its last month in post (reported
/// months, both included).
pub trait Spell {
    fn months(&self) -> (i32, i32);

    /// Months in post, counting both the first and the last.
    fn duration_months(&self) -> i32 {
        let (start, end) = self.months();
        end - start + 1
    }

    /// Whether the holder is in post in reported month `month`.
    fn covers(&self, month: u32) -> bool {
        let (start, end) = self.months();
        (start..=end).contains(&(month as i32))
    }
}

impl Spell for CeoSpell {
    fn months(&self) -> (i32, i32) {
        (self.start_month, self.end_month)
    }
}

/// One executive director's spell in a post (substantive or interim).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExecSpell {
    pub replication: u32,
    pub trust_id: u32,
    /// Board post (0 to `board.executives` - 1).
    pub post: u8,
    /// First and last month in post, on the reported-month scale (as
    /// [`CeoSpell`]).
    pub start_month: i32,
    pub end_month: i32,
    /// Calendar months of `start_month` and `end_month`.
    pub start_date: YearMonth,
    pub end_date: YearMonth,
    pub censored: bool,
    /// An interim covering a vacant post.
    pub interim: bool,
    pub clinical: bool,
    pub exit_route: ExecExit,
}

impl Spell for ExecSpell {
    fn months(&self) -> (i32, i32) {
        (self.start_month, self.end_month)
    }
}

/// One published inspection.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InspectionRecord {
    pub replication: u32,
    pub trust_id: u32,
    /// Reported month of publication (the rating applies from this month).
    pub month: i32,
    /// The calendar month of `month`.
    pub date: YearMonth,
    pub kind: InspectionKind,
    /// Domain ratings: safe, effective, caring, responsive, well-led.
    pub domains: [Rating; 5],
    pub overall: Rating,
    /// The overall rating it replaced.
    pub previous: Rating,
}

impl InspectionRecord {
    pub fn of(i: &Inspection, replication: u32, trust_id: u32, cal: Calendar) -> Self {
        let month = i.month as i32 - cal.burn_in as i32 + 1;
        InspectionRecord {
            replication,
            trust_id,
            month,
            date: cal.reported(month.into()),
            kind: i.kind,
            domains: i.domains,
            overall: i.overall,
            previous: i.previous,
        }
    }
}

/// One trust of a replication: who it is (from the trust register, or
/// generated for drawn trusts) and its size.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrustRecord {
    pub replication: u32,
    pub trust_id: u32,
    /// Register code, or `T001`, `T002`, ... (trust_id + 1) for drawn trusts.
    pub code: String,
    /// Register name, or e.g. `Acute trust 3` (numbered within its type).
    pub name: String,
    pub trust_type: TrustType,
    /// Region and integrated care board (register trusts; none for drawn ones).
    pub region: Option<String>,
    pub icb: Option<String>,
    pub establishment: u32,
    pub from_register: bool,
}

impl TrustRecord {
    /// The records of a replication's trusts, built at month 0.
    pub fn all(trusts: &[Trust], rows: &[TrustRow], replication: u32) -> Vec<TrustRecord> {
        let mut seen = [0u32; 4];
        trusts
            .iter()
            .map(|t| {
                seen[t.kind as usize] += 1;
                let row = rows.get(t.index as usize);
                TrustRecord {
                    replication,
                    trust_id: t.index,
                    code: row.map_or_else(|| synthetic_code(t.index), |r| r.code.clone()),
                    name: row.map_or_else(
                        || format!("{} trust {}", t.kind.title(), seen[t.kind as usize]),
                        |r| r.name.clone(),
                    ),
                    trust_type: t.kind,
                    region: row.map(|r| r.region.clone()),
                    icb: row.and_then(|r| r.icb.clone()),
                    establishment: t.establishment,
                    from_register: row.is_some(),
                }
            })
            .collect()
    }
}

pub use super::params::register::synthetic_code;

/// Everything one replication produces.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ReplicationResult {
    pub replication: u32,
    /// One record per trust.
    pub trusts: Vec<TrustRecord>,
    pub trust_months: Vec<TrustMonth>,
    pub spells: Vec<CeoSpell>,
    pub exec_spells: Vec<ExecSpell>,
    pub inspections: Vec<InspectionRecord>,
    /// Staff-agent-months simulated (including burn-in), for throughput.
    pub staff_months: u64,
}

#[cfg(test)]
mod tests {
    use super::TrustMonth;
    use crate::model::TrustType;
    use crate::model::calendar::YearMonth;
    use crate::model::trust::Trust;

    #[test]
    fn a_record_carries_the_published_vacancy_rate_and_the_real_gap_beside_it() {
        let p = crate::model::params::edited(|p| p.run.staff_scale = 0.01);
        let mut id = 0;
        let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        t.tally.vacancy_rate = 0.08;
        t.tally.in_post = t.establishment - t.establishment * 8 / 100;
        t.traits.establishment_recording = 1.1f64.ln();
        let m = TrustMonth::of(&t, 0, 1, YearMonth::new(2020, 4).unwrap(), 0);
        assert!((m.vacancy_rate - (1.0 - 0.92 / 1.1)).abs() < 1e-12);
        // The real gap stays readable from the record's own columns.
        let real = 1.0 - f64::from(m.staff_in_post) / f64::from(m.establishment);
        assert!(
            real < m.vacancy_rate && (real - 0.08).abs() < 0.02,
            "{real}"
        );
    }
}
