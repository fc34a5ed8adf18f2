//! `[leaders]` and `[board]`: team leaders (clinical leaders and middle
//! managers) and the board of executive directors.

use super::schema::{int, num, section, unit};

const S: &str = unit::SCORE01;

section! {
    /// Team leaders: clinical leaders and middle managers.
    pub struct LeaderParams {
        /// Share of team leaders who are clinical leaders (the rest are middle managers).
        pub clinical_leader_share: f64 = 0.7, num(0.0, 1.0, unit::SHARE);
        /// Share of clinical leaders in hybrid roles (clinical and managerial).
        pub hybrid_share: f64 = 0.2, num(0.0, 1.0, unit::SHARE);
        /// Annual leaving rate of team leaders with no stress.
        pub leave_annual: f64 = 0.1, num(0.0, 1.0, unit::PER_YEAR);
        /// Relative rise in leader leaving per unit of stress.
        pub stress_leave_slope: f64 = 1.0, num(0.0, 10.0, unit::COEFFICIENT);
        /// Share of vacant clinical-leader posts filled by promoting a clinician from the team.
        pub internal_promotion_share: f64 = 0.8, num(0.0, 1.0, unit::SHARE);
        /// Share of promotions prepared (developed) before taking the role.
        pub prepared_share: f64 = 0.25, num(0.0, 1.0, unit::SHARE);
        /// Mean starting capability (0-1) of an unprepared promotion.
        pub unprepared_capability: f64 = 0.35, num(0.0, 1.0, S);
        /// Mean starting capability (0-1) of a prepared promotion or an external hire.
        pub prepared_capability: f64 = 0.5, num(0.0, 1.0, S);
        /// Standard deviation of starting capability.
        pub capability_sd: f64 = 0.1, num(0.0, 1.0, S);
        /// Share of the gap to full capability closed per month by experience.
        pub experience_rate: f64 = 0.015, num(0.0, 1.0, "share per month");
        /// Capability reachable by experience alone (0-1).
        pub experience_ceiling: f64 = 0.7, num(0.0, 1.0, S);
        /// Mean compassion (0 = command-and-control, 1 = compassionate) of a new leader.
        pub compassion_mean: f64 = 0.55, num(0.0, 1.0, S);
        /// Standard deviation of compassion.
        pub compassion_sd: f64 = 0.15, num(0.0, 1.0, S);
        /// Weight of compassion in a leader's quality as staff feel it.
        pub compassion_quality_weight: f64 = 0.4, num(0.0, 1.0, unit::SHARE);
        /// Monthly adjustment of stress toward workload plus friction.
        pub stress_adjust_rate: f64 = 0.1, num(0.0, 1.0, "share per month");
        /// Stress at which a leader's leaving rate equals `leave_annual`.
        pub stress_reference: f64 = 0.5, num(0.0, 1.0, S);
        /// Share of a leader's attributable improvement capability lost when they leave.
        pub capability_loss_on_exit: f64 = 1.0, num(0.0, 1.0, unit::SHARE);
    }
}

section! {
    /// The board of executive directors.
    pub struct BoardParams {
        /// Executive directors per board (excluding the CEO).
        pub executives: u32 = 7, int(1, 20, unit::COUNT);
        /// Mean share of executive posts held by clinicians.
        pub clinician_share: f64 = 0.35, num(0.0, 1.0, unit::SHARE);
        /// Annual leaving rate of executive directors at a trust in segment 1.
        pub leave_annual: f64 = 0.12, num(0.0, 1.0, unit::PER_YEAR);
        /// Hazard ratio of executive leaving in the months after a CEO change (a new CEO builds a team).
        pub leave_after_ceo_change_hr: f64 = 1.6, num(1.0, 20.0, "hazard ratio");
        /// Months after a CEO change during which executives leave faster.
        pub after_ceo_change_months: f64 = 24.0, num(0.0, 120.0, unit::MONTHS);
        /// Log hazard ratio of executive leaving per oversight level above 1.
        pub leave_log_hr_per_level: f64 = 0.35, num(0.0, 5.0, unit::LOG_HR);
        /// Log hazard ratio of executive leaving while the published rating is inadequate.
        pub leave_inadequate_log_hr: f64 = 0.6, num(0.0, 5.0, unit::LOG_HR);
        /// Mean months an executive post is covered by an interim before a substantive appointment.
        pub vacancy_months_mean: f64 = 3.5, num(1.0, 60.0, unit::MONTHS);
        /// Extra vacancy length at an unattractive trust, per unit of (1 - attractiveness).
        pub vacancy_struggle_extension: f64 = 0.5, num(0.0, 20.0, unit::COEFFICIENT);
        /// An interim executive's capability as a share of that of a newly drawn substantive appointee.
        pub interim_capability_factor: f64 = 0.85, num(0.0, 1.0, unit::SHARE);
        /// Mean capability of a newly appointed executive (0-1).
        pub capability_mean: f64 = 0.6, num(0.0, 1.0, S);
        /// Standard deviation of executive capability.
        pub capability_sd: f64 = 0.1, num(0.0, 1.0, S);
    }
}
