//! `[mortality]`: a SHMI-like mortality ratio of acute trusts, with its own
//! causes: case mix and coding, population health, chance, and a small
//! share of deaths that quality and staffing can prevent.

use super::schema::{num, section, unit};

section! {
    /// Deaths within 30 days of discharge, observed against expected.
    pub struct MortalityParams {
        /// Expected deaths per month per 1,000 funded posts of an acute trust (at full staff scale).
        pub expected_deaths_per_1000_staff: f64 = 38.0, num(0.0, 1_000.0, "deaths per month per 1,000 posts");
        /// Standard deviation across trusts of the persistent case-mix and coding effect (log ratio).
        pub case_mix_sd: f64 = 0.07, num(0.0, 1.0, "log ratio");
        /// Log ratio per standard deviation of population ill health (deprivation, region).
        pub population_weight: f64 = 0.035, num(0.0, 1.0, "log ratio");
        /// Monthly persistence of the slow drift in a trust's ratio (AR(1) coefficient).
        pub drift_persistence: f64 = 0.97, num(0.0, 1.0, unit::COEFFICIENT);
        /// Standard deviation of the drift's monthly shock (log ratio).
        pub drift_noise_sd: f64 = 0.008, num(0.0, 1.0, "log ratio");
        /// Log ratio per quality point below the base (avoidable deaths).
        pub quality_weight: f64 = 0.003, num(0.0, 0.1, "log ratio per quality point");
        /// Log ratio per unit of vacancy rate above 0.08 (nurse staffing).
        pub staffing_weight: f64 = 0.3, num(0.0, 10.0, "log ratio per unit of vacancy rate");
    }
}
