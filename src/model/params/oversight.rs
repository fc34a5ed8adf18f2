//! `[oversight]` and `[outcomes]`: the regulator's quarterly oversight and
//! the outcomes of care (quality, experience, mortality, ratings,
//! improvement capability).

use super::schema::{num, section, unit};

const QP: &str = unit::QUALITY_POINTS;

section! {
    /// Regulator oversight (quarterly) and its style.
    pub struct OversightParams {
        /// Regulator style: 0 = fully supportive, 1 = fully punitive.
        pub punitiveness: f64 = 0.7, num(0.0, 1.0, unit::SCORE01);
        /// Performance score below which oversight escalates.
        pub escalate_below: f64 = -1.0, num(-100.0, 100.0, "score points");
        /// Performance score above which oversight de-escalates.
        pub deescalate_above: f64 = 0.0, num(-100.0, 100.0, "score points");
        /// Probability of escalating when below the threshold.
        pub escalate_probability: f64 = 0.5, num(0.0, 1.0, "probability per quarter");
        /// Probability of de-escalating when above the threshold.
        pub deescalate_probability: f64 = 0.3, num(0.0, 1.0, "probability per quarter");
        /// Weight of finance (surplus per cent) in the performance score.
        pub finance_weight: f64 = 0.3, num(0.0, 10.0, "score points per % of income");
        /// Weight of quality (index points from 70) in the performance score.
        pub quality_weight: f64 = 0.15, num(0.0, 10.0, "score points per quality point");
        /// Improvement support per oversight level above 1 under supportive style.
        pub support_improvement: f64 = 0.002, num(0.0, 0.1, "improvement capability per month");
    }
}

section! {
    /// Quality, experience, mortality and ratings.
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
        /// Patient experience (0-10) with average conditions.
        pub experience_base: f64 = 8.0, num(0.0, 10.0, "experience points (0-10 scale)");
        /// Experience points per engagement point above 6.9.
        pub experience_engagement: f64 = 0.6, num(0.0, 10.0, "experience points");
        /// Experience points lost per unit of rising expectations above 1.
        pub experience_expectations: f64 = 1.0, num(0.0, 10.0, "experience points");
        /// Standard deviation of the monthly patient-experience noise.
        pub experience_noise_sd: f64 = 0.05, num(0.0, 5.0, "experience points");
        /// Mortality ratio change per quality point below the base.
        pub mortality_per_quality_point: f64 = 0.006, num(0.0, 0.1, "ratio per quality point");
        /// Standard deviation of the monthly mortality-ratio noise.
        pub mortality_noise_sd: f64 = 0.01, num(0.0, 0.5, "ratio");
        /// Rating cut-off (quality points) for outstanding.
        pub outstanding_above: f64 = 74.0, num(0.0, 100.0, QP);
        /// Rating cut-off for good.
        pub good_above: f64 = 68.0, num(0.0, 100.0, QP);
        /// Rating cut-off for requires improvement (below: inadequate).
        pub requires_improvement_above: f64 = 62.0, num(0.0, 100.0, QP);
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
