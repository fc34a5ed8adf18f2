//! `[friction]`: manager-clinician friction.

use super::schema::{num, section};

const F: &str = "friction (0-1)";
const W: &str = "friction per unit";

section! {
    /// Manager-clinician friction (0-1).
    pub struct FrictionParams {
        /// Friction with average conditions.
        pub base: f64 = 0.16, num(0.0, 1.0, F);
        /// Reference friction for effects on engagement and the CEO hazard.
        pub reference: f64 = 0.35, num(0.0, 1.0, F);
        /// Monthly share of the gap to target friction closed.
        pub adjust_rate: f64 = 0.15, num(0.0, 1.0, "share per month");
        /// Per unit of financial pressure (deficit as share of income, scaled).
        pub finance_weight: f64 = 0.6, num(0.0, 10.0, W);
        /// Per unit of punitive oversight (level above 1 times punitiveness).
        pub oversight_weight: f64 = 0.06, num(0.0, 10.0, W);
        /// Per unit of command-and-control style among leaders (1 - compassion).
        pub command_style_weight: f64 = 0.3, num(0.0, 10.0, W);
        /// Per unit of board clinician share below one half.
        pub board_weight: f64 = 0.3, num(0.0, 10.0, W);
        /// Per unit of annual leadership churn.
        pub churn_weight: f64 = 0.3, num(0.0, 10.0, W);
        /// Reduction per unit of the share of team leaders in hybrid roles.
        pub hybrid_weight: f64 = 0.2, num(0.0, 10.0, W);
        /// Reduction per unit of joint (managers with clinicians) development coverage.
        pub joint_development_weight: f64 = 0.5, num(0.0, 10.0, W);
        /// Per unit of national integration pressure above 1.
        pub integration_weight: f64 = 0.1, num(0.0, 10.0, W);
        /// Standard deviation of the monthly friction shock.
        pub noise_sd: f64 = 0.02, num(0.0, 1.0, F);
    }
}
