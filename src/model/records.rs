//! The records one replication produces: one row per trust and reported
//! month, and one per CEO or interim spell that overlaps the reported
//! horizon. Plain data; [`crate::output`] defines how they become tables.
//!
//! **Month convention.** Every month in a record is a reported month:
//! 1 is the first month after burn-in and `run.months` the last. Burn-in
//! months are 0 and below (0 is the last burn-in month). A spell covers
//! `start_month..=end_month`, so a CEO whose spell starts at month 25 is the
//! one recorded in `trust_months` for month 25.

use super::{ExitRoute, Pathway, Rating, TrustType};

/// One trust in one reported month.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustMonth {
    pub replication: u32,
    pub trust_id: u32,
    pub trust_type: TrustType,
    /// Reported month, 1 to `run.months` (see [`CeoSpell`] for the convention).
    pub month: u32,
    pub establishment: u32,
    pub staff_in_post: u32,
    pub engagement: f64,
    pub sickness_rate: f64,
    pub leaver_rate: f64,
    pub vacancy_rate: f64,
    pub friction: f64,
    pub quality_index: f64,
    pub patient_experience: f64,
    pub mortality_ratio: f64,
    /// Surplus (negative: deficit) as a share of income this month.
    pub surplus_share: f64,
    pub oversight_level: u8,
    pub rating: Rating,
    pub ceo_id: u64,
    pub ceo_tenure_months: u32,
    pub interim: bool,
    pub mean_leader_capability: f64,
    pub improvement_capability: f64,
    pub development_spend_gbp: f64,
    pub agency_spend_gbp: f64,
}

/// One CEO or interim spell that overlaps the reported horizon.
#[derive(Debug, Clone, PartialEq)]
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
    pub censored: bool,
    pub exit_route: ExitRoute,
    pub pathway: Pathway,
    pub internal: bool,
    pub first_time: bool,
    pub interim: bool,
}

impl CeoSpell {
    /// Months in post, counting both the first and the last.
    pub fn duration_months(&self) -> i32 {
        self.end_month - self.start_month + 1
    }

    /// Whether the spell covers reported month `month`.
    pub fn covers(&self, month: u32) -> bool {
        let m = month as i32;
        self.start_month <= m && m <= self.end_month
    }
}

/// Everything one replication produces.
#[derive(Debug, Clone, Default)]
pub struct ReplicationResult {
    pub replication: u32,
    pub trust_months: Vec<TrustMonth>,
    pub spells: Vec<CeoSpell>,
    /// Staff-agent-months simulated (including burn-in), for throughput.
    pub staff_months: u64,
}
