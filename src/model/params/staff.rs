//! `[staff]` and `[workforce]`: individual staff (engagement, sickness,
//! leaving) and the labour supply around them (recruitment, agency cover).

use super::schema::{int, num, section, unit};

const EP: &str = unit::ENGAGEMENT_POINTS;

section! {
    /// Individual staff: engagement, sickness and leaving.
    pub struct StaffParams {
        /// Staff per team (team-leader span of control).
        pub team_size: u32 = 25, int(2, 500, unit::COUNT);
        /// Engagement target of a team with average conditions (0-10).
        pub engagement_base: f64 = 6.82, num(0.0, 10.0, EP);
        /// Share of the gap to the target closed each month.
        pub engagement_adjust_rate: f64 = 0.12, num(0.0, 1.0, "share per month");
        /// Pull toward the team's mean engagement last month (social influence).
        pub peer_weight: f64 = 0.05, num(0.0, 1.0, "share per month");
        /// Standard deviation of the monthly individual engagement shock.
        pub engagement_noise_sd: f64 = 0.45, num(0.0, 5.0, EP);
        /// Engagement points per unit of team-leader quality above average.
        pub leader_weight: f64 = 1.6, num(0.0, 10.0, EP);
        /// Engagement points lost per unit of workload.
        pub workload_weight: f64 = 1.5, num(0.0, 10.0, EP);
        /// Engagement points lost per unit of friction above its reference.
        pub friction_weight: f64 = 1.0, num(0.0, 10.0, EP);
        /// Engagement points lost in the months after a CEO change (decays), before team leaders buffer it.
        pub instability_weight: f64 = 0.04, num(0.0, 10.0, EP);
        /// Share of trust-level disruption a team leader of quality 1 keeps from the team (distributed leadership).
        pub leader_buffer: f64 = 0.7, num(0.0, 1.0, unit::SHARE);
        /// Engagement points lost while an interim CEO is in post.
        pub interim_weight: f64 = 0.03, num(0.0, 10.0, EP);
        /// Engagement points per unit of CEO quality above average, once it has shaped the trust's climate.
        pub ceo_weight: f64 = 0.4, num(0.0, 10.0, EP);
        /// Months for a CEO's influence on the staff climate to close the gap by e (culture changes slowly).
        pub climate_months: f64 = 36.0, num(0.1, 600.0, unit::MONTHS);
        /// Standard deviation of a trust's local-culture shock per month.
        pub culture_noise_sd: f64 = 0.4, num(0.0, 2.0, EP);
        /// Monthly persistence of local culture (AR(1) coefficient).
        pub culture_persistence: f64 = 0.3, num(0.0, 1.0, unit::COEFFICIENT);
        /// Engagement of a new starter (0-10).
        pub new_starter_engagement: f64 = 7.2, num(0.0, 10.0, EP);
        /// Monthly probability that a well staff member starts a sickness spell at reference engagement and no workload.
        pub sickness_onset_base: f64 = 0.0198, num(0.0, 1.0, unit::PER_MONTH);
        /// Log-odds-like slope of sickness onset per engagement point below 7.
        pub sickness_engagement_slope: f64 = 0.18, num(0.0, 2.0, "log rate per engagement point");
        /// Relative rise in sickness onset per unit of workload.
        pub sickness_workload_slope: f64 = 1.0, num(0.0, 10.0, unit::COEFFICIENT);
        /// Monthly probability that a sick staff member returns.
        pub sickness_recovery: f64 = 0.55, num(0.01, 1.0, unit::PER_MONTH);
        /// Monthly leaving probability at reference engagement and no workload.
        pub leave_base_monthly: f64 = 0.0072, num(0.0, 1.0, unit::PER_MONTH);
        /// Slope of leaving per engagement point below 7 (exponential).
        pub leave_engagement_slope: f64 = 0.25, num(0.0, 2.0, "log rate per engagement point");
        /// Relative rise in leaving per unit of workload.
        pub leave_workload_slope: f64 = 1.2, num(0.0, 10.0, unit::COEFFICIENT);
        /// Log sickness onset per standard deviation of the local population's ill health (staff live where the trust serves).
        pub sickness_population_slope: f64 = 0.1, num(-2.0, 2.0, "log factor per SD");
        /// Standard deviation of a trust's persistent log sickness-onset factor from its own causes (estate, occupational health, management of absence).
        pub sickness_trust_sd: f64 = 0.08, num(0.0, 2.0, "log factor");
    }
}

section! {
    /// Recruitment and agency cover.
    pub struct WorkforceParams {
        /// Monthly probability that a vacancy is filled when labour supply is normal.
        pub fill_rate_monthly: f64 = 0.117, num(0.0, 1.0, unit::PER_MONTH);
        /// Share of posts vacant at the start.
        pub initial_vacancy_rate: f64 = 0.08, num(0.0, 0.9, unit::SHARE);
        /// Workload per unit of vacancy rate.
        pub vacancy_workload: f64 = 1.0, num(0.0, 10.0, unit::COEFFICIENT);
        /// Workload per unit of sickness rate.
        pub sickness_workload: f64 = 1.0, num(0.0, 10.0, unit::COEFFICIENT);
        /// Workload per standard deviation of the local population's ill health (demand).
        pub population_workload: f64 = 0.03, num(0.0, 10.0, unit::COEFFICIENT);
        /// Workload per unit of national technology pressure above 1 (disruption of adoption).
        pub technology_workload: f64 = 0.05, num(0.0, 10.0, unit::COEFFICIENT);
        /// Share of vacant and sick posts covered by agency or bank staff.
        pub agency_cover_share: f64 = 0.7, num(0.0, 1.0, unit::SHARE);
        /// Agency cost premium over the substantive pay rate.
        pub agency_premium: f64 = 0.6, num(0.0, 5.0, "share of pay");
        /// Standard deviation of a trust's persistent log labour-market factor: a tight local market (competing employers, cost of living, commuting) raises leaving and slows filling a vacancy by the same factor.
        pub labour_market_sd: f64 = 0.13, num(0.0, 2.0, "log factor");
        /// Log labour-market factor added for register trusts in the London region.
        pub london_labour_market: f64 = 0.2, num(-2.0, 2.0, "log factor");
        /// Standard deviation of a trust's persistent log factor on the cost of its temporary cover (bank and agency): the mix of bank and agency staff, the rates paid and how it rosters; the factor has mean one, so the national spend does not move with it.
        pub temporary_staffing_sd: f64 = 0.35, num(0.0, 1.5, "log factor");
        /// Standard deviation of a trust's persistent log factor on the establishment it records (how it sets and records its planned and funded posts), which the published vacancy rate is counted against; the staffing gap the model's processes use is the real one, and the factor's inverse has mean one, so the national published rate does not move with it.
        pub establishment_recording_sd: f64 = 0.04, num(0.0, 0.5, "log factor");
    }
}
