//! `[ceo]`: the chief executive's exit hazard, succession and the CEO labour
//! market.

use super::schema::{int, num, section, unit};

section! {
    /// The chief executive and the CEO market.
    pub struct CeoParams {
        /// Log-logistic shape of the baseline exit hazard (above 1: the hazard rises to a peak, then falls for CEOs who have established themselves).
        pub hazard_shape: f64 = 2.4, num(0.1, 10.0, "log-logistic shape");
        /// Log-logistic scale of the baseline exit hazard, in months (with a level of 1, the median time to exit).
        pub hazard_scale_months: f64 = 64.0, num(1.0, 10_000.0, unit::MONTHS);
        /// Level of the baseline exit hazard: the cumulative hazard is `level * ln(1 + (t / scale)^shape)`.
        pub hazard_level: f64 = 0.25, num(0.01, 100.0, "multiplier");
        /// Log hazard ratio per oversight level above 1, scaled by `oversight.punitiveness`.
        pub oversight_log_hr: f64 = 0.25, num(-5.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio per unit of the regulator's concern score below 0.
        pub performance_log_hr: f64 = 0.1, num(-5.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio while the published rating is requires improvement.
        pub requires_improvement_log_hr: f64 = 0.65, num(-5.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio while the published rating is inadequate.
        pub inadequate_log_hr: f64 = 2.2, num(-5.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio in the year after a published downgrade of the overall rating.
        pub downgrade_log_hr: f64 = 0.9, num(-5.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio per 1 % of income of deficit over the last 12 months.
        pub deficit_log_hr: f64 = 0.05, num(-5.0, 5.0, unit::LOG_HR);
        /// Months after appointment with a lower hazard (a new CEO is given time).
        pub honeymoon_months: f64 = 12.0, num(0.0, 120.0, unit::MONTHS);
        /// Hazard ratio during the honeymoon.
        pub honeymoon_hr: f64 = 1.0, num(0.0, 1.0, "hazard ratio");
        /// Log hazard ratio per unit of friction above its reference.
        pub friction_log_hr: f64 = 2.0, num(-10.0, 10.0, unit::LOG_HR);
        /// Share of non-retirement exits that are dismissals or pushed resignations at oversight level 4.
        pub dismissal_share_at_level4: f64 = 0.6, num(0.0, 1.0, unit::SHARE);
        /// Same share at oversight level 1.
        pub dismissal_share_at_level1: f64 = 0.1, num(0.0, 1.0, unit::SHARE);
        /// Age from which a CEO may retire.
        pub retirement_age_min: f64 = 58.0, num(30.0, 80.0, unit::YEARS);
        /// Monthly retirement probability per year of age beyond the minimum.
        pub retirement_hazard_per_year: f64 = 0.0016, num(0.0, 1.0, "probability per month per year of age");
        /// Mean age at a first CEO appointment.
        pub first_appointment_age: f64 = 50.0, num(25.0, 75.0, unit::YEARS);
        /// Standard deviation of age at appointment.
        pub appointment_age_sd: f64 = 4.0, num(0.0, 20.0, unit::YEARS);
        /// Probability that a vacancy is filled without an interim (planned handover).
        pub direct_succession_share: f64 = 0.66, num(0.0, 1.0, unit::SHARE);
        /// Mean months an interim stays before the permanent appointment.
        pub interim_months_mean: f64 = 7.0, num(1.0, 60.0, unit::MONTHS);
        /// Extra chance of a direct handover per unit of succession pipeline strength (share of the remaining gap).
        pub pipeline_direct_succession: f64 = 0.5, num(0.0, 1.0, unit::SHARE);
        /// An interim's capability as a share of the best executive's.
        pub interim_capability_factor: f64 = 0.9, num(0.0, 1.0, unit::SHARE);
        /// Selection weight of an internal successor with no pipeline.
        pub internal_weight: f64 = 0.2, num(0.0, 100.0, unit::WEIGHT);
        /// Extra internal weight per unit of succession pipeline strength.
        pub pipeline_internal_weight: f64 = 0.3, num(0.0, 100.0, unit::WEIGHT);
        /// Capability bonus of a CEO-ready executive when the board picks an internal successor.
        pub ready_executive_bonus: f64 = 0.1, num(0.0, 1.0, unit::SCORE01);
        /// Selection weight of an experienced CEO moving from another trust.
        pub move_weight: f64 = 1.0, num(0.0, 100.0, unit::WEIGHT);
        /// Selection weight of an experienced CEO returning from outside a post.
        pub returner_weight: f64 = 0.25, num(0.0, 100.0, unit::WEIGHT);
        /// Years a returning experienced CEO is older than a first-time appointee.
        pub returner_extra_age: f64 = 5.0, num(0.0, 30.0, unit::YEARS);
        /// Selection weight of a first-time external CEO.
        pub first_time_weight: f64 = 0.35, num(0.0, 100.0, unit::WEIGHT);
        /// Attractiveness of a CEO post per unit of log establishment above 4,000 FTE, about the median (bigger trusts attract).
        pub attract_size_weight: f64 = 0.6, num(0.0, 5.0, unit::COEFFICIENT);
        /// Attractiveness per rating step (outstanding 1, good 0.5, requires improvement -0.5, inadequate -1).
        pub attract_rating_weight: f64 = 0.25, num(0.0, 5.0, unit::COEFFICIENT);
        /// Attractiveness lost per oversight level above 1.
        pub attract_segment_weight: f64 = 0.12, num(0.0, 5.0, unit::COEFFICIENT);
        /// Attractiveness lost per CEO or interim appointed in the last 36 months.
        pub attract_churn_weight: f64 = 0.04, num(0.0, 5.0, unit::COEFFICIENT);
        /// Weight of attractiveness in the chance of a planned handover (0: none, 1: proportional).
        pub struggle_direct_succession: f64 = 0.3, num(0.0, 1.0, unit::SHARE);
        /// Extra interim length at an unattractive post, per unit of (1 - attractiveness).
        pub struggle_interim_extension: f64 = 1.0, num(0.0, 20.0, unit::COEFFICIENT);
        /// Capability below the candidate mean of an appointee per unit of (1 - attractiveness).
        pub struggle_capability_penalty: f64 = 0.12, num(0.0, 1.0, unit::SCORE01);
        /// Power of attractiveness on the weight of experienced candidates (movers and returners).
        pub struggle_experienced_power: f64 = 1.0, num(0.0, 10.0, unit::COEFFICIENT);
        /// Log weight of a mover per unit of log establishment gained (CEOs move to bigger trusts).
        pub move_size_gradient: f64 = 1.5, num(0.0, 20.0, unit::COEFFICIENT);
        /// Log weight of a mover per rating step of their current trust (a good record is sought).
        pub move_rating_weight: f64 = 0.5, num(0.0, 20.0, unit::COEFFICIENT);
        /// Minimum months in post before a sitting CEO can be recruited away.
        pub move_min_tenure_months: u32 = 24, int(0, 600, unit::MONTHS);
        /// Mean capability of a first-time CEO (0-1).
        pub first_time_capability: f64 = 0.5, num(0.0, 1.0, unit::SCORE01);
        /// Mean capability of an experienced CEO (0-1).
        pub experienced_capability: f64 = 0.62, num(0.0, 1.0, unit::SCORE01);
        /// Standard deviation of CEO capability.
        pub capability_sd: f64 = 0.1, num(0.0, 1.0, unit::SCORE01);
        /// Share of capability not yet effective on the first day (learning curve).
        pub learning_curve_depth: f64 = 0.3, num(0.0, 1.0, unit::SHARE);
        /// Months for the learning-curve gap to shrink by e.
        pub learning_curve_months: f64 = 12.0, num(0.1, 600.0, unit::MONTHS);
        /// Probability that an external appointee restructures.
        pub restructure_probability: f64 = 0.4, num(0.0, 1.0, unit::SHARE);
        /// Friction added by a restructure.
        pub restructure_friction: f64 = 0.05, num(0.0, 1.0, "friction (0-1)");
        /// Months over which a CEO change unsettles staff (instability decay).
        pub instability_months: f64 = 12.0, num(0.1, 600.0, unit::MONTHS);
        /// Mean time in post of the sitting CEOs at the start of burn-in (elapsed tenure is geometric, as under a constant hazard).
        pub initial_tenure_mean_months: f64 = 48.0, num(1.0, 240.0, unit::MONTHS);
    }
}
