//! `[development]`: the development budget, its mix over interventions and
//! succession planning.

use super::schema::{int, nested, num, section, switch, unit};

section! {
    /// One kind of development intervention.
    pub struct Intervention {
        /// Share of the development budget spent on this intervention.
        pub budget_share: f64 = 0.0, num(0.0, 1.0, unit::SHARE);
        /// Cost per place (GBP).
        pub cost_gbp: f64 = 1_000.0, num(1.0, 1_000_000.0, unit::GBP);
        /// Months from start to completion.
        pub duration_months: u32 = 6, int(1, 120, unit::MONTHS);
        /// Months after completion before the effect shows.
        pub lag_months: u32 = 1, int(0, 120, unit::MONTHS);
        /// Most places a trust can fill per year, per 1,000 staff.
        pub places_per_1000_staff: f64 = 1.0, num(0.0, 1_000.0, "places per year per 1,000 staff");
        /// Share of the gap to full capability closed on completion.
        pub capability_effect: f64 = 0.0, num(0.0, 1.0, unit::SHARE);
        /// Share of the gap to full compassion closed on completion.
        pub compassion_effect: f64 = 0.0, num(0.0, 1.0, unit::SHARE);
        /// Whether this is formal learning (true) or practical experience (false).
        pub formal: bool = false, switch();
        /// Whether the intervention can target the CEO and executive pipeline.
        pub executive: bool = false, switch();
    }
}

/// The seven interventions, in scenario-key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterventionKind {
    MarySeacole,
    ElizabethGarrettAnderson,
    Coaching,
    Mentoring,
    ActionLearning,
    Secondment,
    CompassionTraining,
}

impl InterventionKind {
    pub const ALL: [InterventionKind; 7] = [
        InterventionKind::MarySeacole,
        InterventionKind::ElizabethGarrettAnderson,
        InterventionKind::Coaching,
        InterventionKind::Mentoring,
        InterventionKind::ActionLearning,
        InterventionKind::Secondment,
        InterventionKind::CompassionTraining,
    ];

    /// Index into [`DevelopmentParams::interventions`].
    pub fn index(self) -> u8 {
        self as u8
    }
}

#[allow(clippy::too_many_arguments)]
fn iv(
    budget_share: f64,
    cost_gbp: f64,
    duration_months: u32,
    lag_months: u32,
    places_per_1000_staff: f64,
    capability_effect: f64,
    compassion_effect: f64,
    formal: bool,
    executive: bool,
) -> Intervention {
    Intervention {
        budget_share,
        cost_gbp,
        duration_months,
        lag_months,
        places_per_1000_staff,
        capability_effect,
        compassion_effect,
        formal,
        executive,
    }
}

section! {
    /// Leadership development investment.
    pub struct DevelopmentParams {
        /// Annual development budget as a share of the pay bill.
        pub budget_share_of_paybill: f64 = 0.0002, num(0.0, 0.2, "share of pay bill per year");
        /// Extra share of promotions prepared per unit of succession planning (0-1).
        pub succession_planning: f64 = 0.0, num(0.0, 1.0, unit::SCORE01);
        /// Extra capability multiplier when a leader has both formal and practical development.
        pub combination_bonus: f64 = 0.3, num(0.0, 5.0, unit::COEFFICIENT);
        /// Share of places reserved for joint manager-clinician cohorts.
        pub joint_share: f64 = 0.1, num(0.0, 1.0, unit::SHARE);
        /// Mary Seacole programme (national, about GBP 995 and 6 months).
        pub mary_seacole: Intervention = iv(0.25, 995.0, 6, 3, 6.0, 0.13, 0.05, true, false), nested();
        /// Elizabeth Garrett Anderson programme (national, about GBP 6,000 and 24 months).
        pub elizabeth_garrett_anderson: Intervention = iv(0.2, 6_000.0, 24, 3, 0.9, 0.3, 0.05, true, true), nested();
        /// Coaching.
        pub coaching: Intervention = iv(0.2, 1_500.0, 6, 1, 3.0, 0.14, 0.1, false, true), nested();
        /// Mentoring.
        pub mentoring: Intervention = iv(0.1, 500.0, 12, 1, 6.0, 0.06, 0.05, false, false), nested();
        /// Action learning sets.
        pub action_learning: Intervention = iv(0.1, 800.0, 9, 2, 4.5, 0.1, 0.05, false, false), nested();
        /// Secondments and stretch assignments.
        pub secondment: Intervention = iv(0.1, 4_000.0, 6, 0, 0.9, 0.15, 0.0, false, true), nested();
        /// Compassionate-leadership training.
        pub compassion_training: Intervention = iv(0.05, 400.0, 3, 1, 6.0, 0.02, 0.25, true, false), nested();
    }
}

impl DevelopmentParams {
    /// The seven interventions in [`InterventionKind::ALL`] order.
    pub fn interventions(&self) -> [&Intervention; 7] {
        [
            &self.mary_seacole,
            &self.elizabeth_garrett_anderson,
            &self.coaching,
            &self.mentoring,
            &self.action_learning,
            &self.secondment,
            &self.compassion_training,
        ]
    }

    /// One intervention.
    pub fn intervention(&self, k: InterventionKind) -> &Intervention {
        self.interventions()[k as usize]
    }
}
