//! `[regulator]`: the quality regulator (CQC-like): inspections on a
//! risk-based cycle, five rated domains with inspector noise, and the
//! overall rating aggregated from the domains.

use super::schema::{num, section, switch, unit};

const QP: &str = unit::QUALITY_POINTS;

section! {
    /// The quality regulator: inspections, domain ratings and their aggregation.
    pub struct RegulatorParams {
        /// Domain score of "safe" relative to the quality index (negative: rated more harshly).
        pub safe_offset: f64 = -4.0, num(-50.0, 50.0, QP);
        /// Safe-domain points lost per unit of vacancy plus sickness rate above 0.12 (staffing).
        pub safe_staffing_weight: f64 = 40.0, num(0.0, 500.0, QP);
        /// Domain score of "effective" relative to the quality index.
        pub effective_offset: f64 = -1.5, num(-50.0, 50.0, QP);
        /// Domain score of "caring" relative to the quality index.
        pub caring_offset: f64 = 4.0, num(-50.0, 50.0, QP);
        /// Caring-domain points per patient-experience point above its base.
        pub caring_experience_weight: f64 = 4.0, num(0.0, 50.0, QP);
        /// Domain score of "responsive" relative to the quality index.
        pub responsive_offset: f64 = -2.5, num(-50.0, 50.0, QP);
        /// Responsive-domain points lost per unit of workload above 0.2 (access and waiting).
        pub responsive_workload_weight: f64 = 10.0, num(0.0, 200.0, QP);
        /// Domain score of "well-led" relative to the quality index.
        pub well_led_offset: f64 = -1.8, num(-50.0, 50.0, QP);
        /// Well-led points per unit of effective CEO capability above 0.5.
        pub well_led_ceo_weight: f64 = 6.0, num(0.0, 100.0, QP);
        /// Well-led points lost per unit of the share of executive posts vacant or held by an interim.
        pub well_led_vacancy_weight: f64 = 5.0, num(0.0, 200.0, QP);
        /// Well-led points per unit of the staff survey's "recommend as a place to work" share above 0.62.
        pub well_led_survey_weight: f64 = 10.0, num(0.0, 200.0, QP);
        /// Well-led points lost per unit of friction above its reference.
        pub well_led_friction_weight: f64 = 10.0, num(0.0, 200.0, QP);
        /// Well-led points between a new (or interim) chief executive and one in post for `well_led_stability_years` or more (a stable, established leadership).
        pub well_led_stability_weight: f64 = 7.5, num(0.0, 100.0, QP);
        /// Years of the CEO's time in post over which the well-led credit for stable leadership builds (linearly).
        pub well_led_stability_years: f64 = 6.0, num(0.1, 40.0, unit::YEARS);
        /// Standard deviation of an inspection team's judgement of a domain (inspector noise).
        pub inspector_noise_sd: f64 = 2.0, num(0.0, 50.0, QP);
        /// Longest interval before re-inspecting a trust rated outstanding.
        pub interval_outstanding_months: f64 = 36.0, num(1.0, 240.0, unit::MONTHS);
        /// Longest interval before re-inspecting a trust rated good.
        pub interval_good_months: f64 = 30.0, num(1.0, 240.0, unit::MONTHS);
        /// Longest interval before re-inspecting a trust rated requires improvement.
        pub interval_requires_improvement_months: f64 = 20.0, num(1.0, 240.0, unit::MONTHS);
        /// Shortest interval as a share of the longest (the next inspection falls uniformly between).
        pub interval_min_share: f64 = 0.5, num(0.0, 1.0, unit::SHARE);
        /// Longest interval before re-inspecting a trust rated inadequate (the follow-up inspection).
        pub reinspect_inadequate_months: f64 = 12.0, num(1.0, 60.0, unit::MONTHS);
        /// Regulator's concern score below which it brings an inspection forward.
        pub concern_below: f64 = -3.0, num(-100.0, 100.0, "score points");
        /// Probability per quarter of a responsive inspection while the concern lasts.
        pub responsive_probability: f64 = 0.25, num(0.0, 1.0, "probability per quarter");
        /// Standard deviation of the noise in the regulator's monitoring view of quality (indicators are imperfect).
        pub monitoring_noise_sd: f64 = 2.0, num(0.0, 50.0, QP);
        /// Whether routine (scheduled and follow-up) inspections take place; when false, only responsive inspections do, and a routine inspection that falls due is put off by 1 to 12 months at a time (a pause such as the one of March 2020).
        pub routine_inspections: bool = true, switch();
    }
}
