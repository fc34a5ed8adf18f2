//! `[trusts.*]`: how many trusts of each type, their size and character.

use super::register::TrustRow;
use super::schema::{Param, Rule, Visitor, int, nested, num, section, text, unit};
use crate::model::TrustType;

section! {
    /// Size and character of one trust type.
    pub struct TrustTypeParams {
        /// Number of trusts of this type.
        pub count: u32 = 0, int(0, 2_000, unit::COUNT);
        /// Median staff establishment (FTE) before `run.staff_scale`.
        pub staff_median_fte: f64 = 4_000.0, num(50.0, 100_000.0, unit::FTE);
        /// Standard deviation of log establishment.
        pub staff_sigma_log: f64 = 0.5, num(0.0, 2.0, "log FTE");
        /// Smallest establishment drawn (FTE).
        pub staff_min_fte: f64 = 1_000.0, num(50.0, 100_000.0, unit::FTE);
        /// Largest establishment drawn (FTE).
        pub staff_max_fte: f64 = 10_000.0, num(50.0, 200_000.0, unit::FTE);
        /// Share of staff who are clinicians.
        pub clinician_share: f64 = 0.65, num(0.0, 1.0, unit::SHARE);
        /// How strongly national demand pressure loads this type's workload.
        pub demand_sensitivity: f64 = 1.0, num(0.0, 5.0, unit::COEFFICIENT);
        /// Quality points of this type's care relative to the base (complexity of acute care).
        pub quality_offset: f64 = 0.0, num(-20.0, 20.0, unit::QUALITY_POINTS);
        /// Relative sickness onset from the exposure of the type's work (round-the-clock shifts, physical work, violence and aggression, emotional demands); 1 = acute.
        pub sickness_exposure: f64 = 1.0, num(0.1, 10.0, unit::COEFFICIENT);
        /// Engagement points lost to the type's job demands (time pressure, control over shifts and breaks, lone working), beside workload.
        pub job_demands: f64 = 0.0, num(-5.0, 5.0, unit::ENGAGEMENT_POINTS);
        /// Relative leaving hazard from the labour market of the type's staff groups (employers nearby to move to); 1 = acute.
        pub leave_market: f64 = 1.0, num(0.1, 10.0, unit::COEFFICIENT);
        /// Relative speed of filling a vacancy (supply of the type's professions); 1 = acute.
        pub recruitment: f64 = 1.0, num(0.1, 10.0, unit::COEFFICIENT);
        /// Income above (or below) the type's costs from how it is paid (activity tariff or block contract), as a share of income.
        pub payment_margin: f64 = 0.0, num(-0.5, 0.5, "share of income");
    }
}

fn acute() -> TrustTypeParams {
    TrustTypeParams {
        count: 135,
        staff_median_fte: 4_800.0,
        staff_sigma_log: 0.55,
        staff_min_fte: 1_500.0,
        staff_max_fte: 18_000.0,
        clinician_share: 0.68,
        demand_sensitivity: 1.0,
        quality_offset: -1.0,
        sickness_exposure: 1.0,
        job_demands: 0.0,
        leave_market: 1.0,
        recruitment: 1.0,
        payment_margin: -0.007,
    }
}

fn mental_health() -> TrustTypeParams {
    TrustTypeParams {
        count: 50,
        staff_median_fte: 3_300.0,
        staff_sigma_log: 0.45,
        staff_min_fte: 1_000.0,
        staff_max_fte: 9_000.0,
        clinician_share: 0.65,
        demand_sensitivity: 0.9,
        quality_offset: 2.0,
        sickness_exposure: 1.21,
        job_demands: 0.0,
        leave_market: 1.1,
        recruitment: 0.9,
        payment_margin: 0.035,
    }
}

fn community() -> TrustTypeParams {
    TrustTypeParams {
        count: 15,
        staff_median_fte: 2_600.0,
        staff_sigma_log: 0.45,
        staff_min_fte: 800.0,
        staff_max_fte: 7_000.0,
        clinician_share: 0.62,
        demand_sensitivity: 0.8,
        quality_offset: 2.0,
        sickness_exposure: 1.16,
        job_demands: 0.0,
        leave_market: 1.4,
        recruitment: 1.0,
        payment_margin: 0.035,
    }
}

fn ambulance() -> TrustTypeParams {
    TrustTypeParams {
        count: 10,
        staff_median_fte: 4_500.0,
        staff_sigma_log: 0.35,
        staff_min_fte: 2_000.0,
        staff_max_fte: 9_000.0,
        clinician_share: 0.75,
        demand_sensitivity: 1.2,
        quality_offset: 0.0,
        sickness_exposure: 1.16,
        job_demands: 0.95,
        leave_market: 0.8,
        recruitment: 1.0,
        payment_margin: 0.035,
    }
}

section! {
    /// The four trust types.
    pub struct TrustTypes {
        /// Acute trusts.
        pub acute: TrustTypeParams = acute(), nested();
        /// Mental health trusts.
        pub mental_health: TrustTypeParams = mental_health(), nested();
        /// Community trusts.
        pub community: TrustTypeParams = community(), nested();
        /// Ambulance trusts.
        pub ambulance: TrustTypeParams = ambulance(), nested();
        /// CSV trust register, one row per trust (path relative to the scenario file that sets it; empty: no register). With a register the trusts are its rows and trusts.*.count is set from it.
        pub register: String = String::new(), text(|_| true, "the path of a CSV file, or empty");
        /// The register's rows, read from `register` by the scenario loader.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub rows: Vec<TrustRow> = Vec::new(), nested();
    }
}

/// The rows are data, not parameters: listings show `trusts.register` and
/// the counts it sets, and the rows are checked by [`TrustRow::problems`].
impl Param for Vec<TrustRow> {
    fn visit_param(&self, _: &mut dyn Visitor, _: &str, _: &Rule, _: &str) {}
}

impl TrustTypes {
    /// The four types in [`TrustType::ALL`] order.
    pub fn all(&self) -> [&TrustTypeParams; 4] {
        [
            &self.acute,
            &self.mental_health,
            &self.community,
            &self.ambulance,
        ]
    }

    /// The parameters of one type.
    pub fn of(&self, t: TrustType) -> &TrustTypeParams {
        self.all()[t as usize]
    }

    /// Trusts of every type.
    pub fn total(&self) -> u32 {
        self.all().iter().map(|t| t.count).sum()
    }
}
