//! `[survey]`: the staff survey's advocacy items beside engagement: "I
//! would recommend my organisation as a place to work" and "if a friend or
//! relative needed treatment I would be happy with the standard of care".

use super::schema::{num, section};

const L: &str = "logit";

section! {
    /// The two advocacy items of the staff survey (shares agreeing).
    pub struct SurveyParams {
        /// Log-odds of recommending the trust as a place to work at engagement 7 and average conditions.
        pub work_base: f64 = 0.2, num(-10.0, 10.0, L);
        /// Log-odds per engagement point above 7.
        pub work_engagement: f64 = 1.7, num(0.0, 20.0, L);
        /// Log-odds lost per unit of workload above 0.2.
        pub work_workload: f64 = 2.0, num(0.0, 20.0, L);
        /// Log-odds per unit of mean team-leader quality above 0.5.
        pub work_leadership: f64 = 2.0, num(0.0, 20.0, L);
        /// Log-odds of being happy with the standard of care at engagement 7 and base quality.
        pub care_base: f64 = 1.0, num(-10.0, 10.0, L);
        /// Log-odds per quality point above the base (staff see the care given).
        pub care_quality: f64 = 0.06, num(0.0, 5.0, L);
        /// Log-odds per engagement point above 7.
        pub care_engagement: f64 = 1.6, num(0.0, 20.0, L);
        /// Log-odds lost per unit of vacancy rate above 0.08.
        pub care_staffing: f64 = 4.0, num(0.0, 50.0, L);
        /// Standard deviation of a trust's persistent survey culture (log-odds, both items).
        pub culture_sd: f64 = 0.25, num(0.0, 5.0, L);
        /// Standard deviation of the monthly sampling noise of each item (log-odds).
        pub noise_sd: f64 = 0.05, num(0.0, 5.0, L);
    }
}
