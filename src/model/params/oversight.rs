//! `[oversight]` and `[outcomes]`: quarterly oversight in four segments and
//! the outcomes of care (quality, experience, the rating cut-offs the
//! regulator applies to domain scores, improvement capability).

use super::schema::{num, section, unit};

const QP: &str = unit::QUALITY_POINTS;

section! {
    /// Oversight of trusts (quarterly), in four segments like NHS Improvement's
    /// Single Oversight Framework; 4 is special measures.
    pub struct OversightParams {
        /// Regulator style: 0 = fully supportive, 1 = fully punitive.
        pub punitiveness: f64 = 0.7, num(0.0, 1.0, unit::SCORE01);
        /// Concern score below which a trust needs targeted support (segment 2 at least).
        pub targeted_concern_below: f64 = -1.0, num(-100.0, 100.0, "score points");
        /// Concern score below which support is mandated (segment 3 at least).
        pub mandated_concern_below: f64 = -4.0, num(-100.0, 100.0, "score points");
        /// Deficit over the last 12 months (share of income) beyond which support is mandated (segment 3).
        pub mandated_deficit_share: f64 = 0.03, num(0.0, 1.0, "share of income");
        /// Deficit over the last 12 months (share of income) that puts a trust into financial special measures.
        pub financial_special_measures_deficit_share: f64 = 0.1, num(0.0, 1.0, "share of income");
        /// Probability per quarter that a trust rated inadequate (or in deep deficit) enters special measures.
        pub special_measures_probability: f64 = 0.6, num(0.0, 1.0, "probability per quarter");
        /// Probability per quarter of moving up to the segment the trust's position calls for.
        pub escalate_probability: f64 = 0.7, num(0.0, 1.0, "probability per quarter");
        /// Probability per quarter of moving down one segment when the position allows.
        pub deescalate_probability: f64 = 0.3, num(0.0, 1.0, "probability per quarter");
        /// Weight of finance (surplus per cent of income over 12 months) in the concern score.
        pub finance_weight: f64 = 0.3, num(0.0, 10.0, "score points per % of income");
        /// Weight of monitored quality (indicator points from the base) in the concern score.
        pub quality_weight: f64 = 0.15, num(0.0, 10.0, "score points per quality point");
        /// Weight of the published mortality ratio above 1 in the concern score (per 0.1).
        pub mortality_weight: f64 = 0.5, num(0.0, 10.0, "score points per 0.1 of ratio");
        /// Improvement support per oversight level above 1 under supportive style.
        pub support_improvement: f64 = 0.002, num(0.0, 0.1, "improvement capability per month");
    }
}

section! {
    /// Quality, experience, rating cut-offs and improvement capability.
    pub struct OutcomeParams {
        /// Quality index (0-100) with average conditions.
        pub quality_base: f64 = 70.0, num(0.0, 100.0, QP);
        /// Quality points per engagement point above 6.9.
        pub quality_engagement: f64 = 6.0, num(0.0, 100.0, QP);
        /// Quality points per unit of improvement capability above 0.5.
        pub quality_improvement: f64 = 8.0, num(0.0, 100.0, QP);
        /// Quality points lost per unit of workload.
        pub quality_workload: f64 = 10.0, num(0.0, 100.0, QP);
        /// Quality points lost per unit of friction above reference.
        pub quality_friction: f64 = 15.0, num(0.0, 100.0, QP);
        /// Quality points per unit of mean team-leader capability above 0.5.
        pub quality_leadership: f64 = 10.0, num(0.0, 100.0, QP);
        /// Standard deviation of the monthly quality shock.
        pub quality_noise_sd: f64 = 1.0, num(0.0, 100.0, QP);
        /// Monthly persistence of the quality shock (AR(1) coefficient).
        pub quality_persistence: f64 = 0.9, num(0.0, 1.0, unit::COEFFICIENT);
        /// Standard deviation across trusts of a persistent quality effect (clinical culture, estate, specialism).
        pub quality_trust_sd: f64 = 1.5, num(0.0, 50.0, QP);
        /// Patient experience (0-10) with average conditions.
        pub experience_base: f64 = 8.0, num(0.0, 10.0, "experience points (0-10 scale)");
        /// Experience points per engagement point above 6.9.
        pub experience_engagement: f64 = 0.6, num(0.0, 10.0, "experience points");
        /// Experience points lost per unit of rising expectations above 1.
        pub experience_expectations: f64 = 1.0, num(0.0, 10.0, "experience points");
        /// Standard deviation of the monthly patient-experience noise.
        pub experience_noise_sd: f64 = 0.05, num(0.0, 5.0, "experience points");
        /// Rating cut-off (domain score, quality points) for outstanding.
        pub outstanding_above: f64 = 77.5, num(0.0, 100.0, QP);
        /// Rating cut-off for good.
        pub good_above: f64 = 67.0, num(0.0, 100.0, QP);
        /// Rating cut-off for requires improvement (below: inadequate).
        pub requires_improvement_above: f64 = 59.8, num(0.0, 100.0, QP);
        /// Monthly decay of improvement capability.
        pub improvement_decay: f64 = 0.01, num(0.0, 1.0, "share per month");
        /// Improvement capability built per month per unit of leader capability.
        pub improvement_build: f64 = 0.01, num(0.0, 1.0, "capability per month");
        /// Improvement capability added per GBP 1,000 of development spend per 1,000 staff.
        pub improvement_per_development: f64 = 0.0005, num(0.0, 1.0, "capability per GBP 1,000 per 1,000 staff");
        /// Relative rise in improvement building per unit of national technology pressure above 1.
        pub technology_improvement: f64 = 0.5, num(0.0, 10.0, unit::COEFFICIENT);
    }
}
