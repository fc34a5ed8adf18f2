//! `[finance]`: income, costs and the surplus or deficit.

use super::schema::{num, section, unit};

const SI: &str = "share of income";

section! {
    /// Trust finances.
    pub struct FinanceParams {
        /// Annual pay per FTE (GBP).
        pub pay_per_fte_gbp: f64 = 42_000.0, num(1_000.0, 1_000_000.0, unit::GBP);
        /// Income per funded FTE as a multiple of pay (covers non-pay costs).
        pub income_to_pay_ratio: f64 = 1.56, num(0.5, 5.0, unit::COEFFICIENT);
        /// Non-pay costs as a share of income at demand pressure 1.
        pub non_pay_share: f64 = 0.31, num(0.0, 0.9, SI);
        /// Non-pay cost rise per unit of demand pressure above 1.
        pub demand_cost_slope: f64 = 0.3, num(0.0, 5.0, unit::COEFFICIENT);
        /// Standard deviation of a trust's persistent cost efficiency (share of income).
        pub efficiency_sd: f64 = 0.01, num(0.0, 0.5, SI);
        /// Standard deviation of the monthly financial shock (share of income).
        pub noise_sd: f64 = 0.01, num(0.0, 0.5, SI);
        /// Surplus gained per unit of CEO capability above average (share of income).
        pub ceo_capability_effect: f64 = 0.03, num(0.0, 1.0, SI);
        /// Surplus gained per unit of improvement capability (share of income).
        pub improvement_effect: f64 = 0.01, num(0.0, 1.0, SI);
    }
}
