//! Model parameters: every number the model uses, grouped as the scenario file
//! groups them, with the defaults of the calibrated England baseline.
//!
//! The structs derive serde so that scenario files can fill them, but nothing
//! here reads a file. Range and cross-field checks live in [`Params::check`],
//! which reports every violation through a [`RangeSink`] so the scenario layer
//! can attach file names and line numbers. Each default's source or assumption
//! is listed in `docs/ODD.md` under the same dotted key.

use serde::{Deserialize, Serialize};

/// The full parameter set of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub run: RunParams,
    pub trusts: TrustTypes,
    pub staff: StaffParams,
    pub workforce: WorkforceParams,
    pub leaders: LeaderParams,
    pub board: BoardParams,
    pub ceo: CeoParams,
    pub friction: FrictionParams,
    pub finance: FinanceParams,
    pub oversight: OversightParams,
    pub outcomes: OutcomeParams,
    pub development: DevelopmentParams,
    pub pressures: Pressures,
}

/// Run control: what to simulate and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// Scenario name; also the default output folder name.
    pub name: String,
    /// One line saying what the scenario is for.
    pub description: String,
    /// Base seed of every random stream.
    pub seed: u64,
    /// Number of replications in the ensemble.
    pub replications: u32,
    /// Reported horizon in months (after burn-in).
    pub months: u32,
    /// Months simulated before reporting starts.
    pub burn_in_months: u32,
    /// Multiplier on every trust's staff establishment (1.0 = full England).
    pub staff_scale: f64,
}

/// The four trust types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustTypes {
    pub acute: TrustTypeParams,
    pub mental_health: TrustTypeParams,
    pub community: TrustTypeParams,
    pub ambulance: TrustTypeParams,
}

/// Size and character of one trust type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustTypeParams {
    /// Number of trusts of this type.
    pub count: u32,
    /// Median staff establishment (FTE) before `run.staff_scale`.
    pub staff_median_fte: f64,
    /// Standard deviation of log establishment.
    pub staff_sigma_log: f64,
    /// Smallest establishment drawn (FTE).
    pub staff_min_fte: f64,
    /// Largest establishment drawn (FTE).
    pub staff_max_fte: f64,
    /// Share of staff who are clinicians.
    pub clinician_share: f64,
    /// How strongly national demand pressure loads this type's workload.
    pub demand_sensitivity: f64,
}

/// Individual staff: engagement, sickness and leaving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffParams {
    /// Staff per team (team-leader span of control).
    pub team_size: u32,
    /// Engagement target of a team with average conditions (0-10).
    pub engagement_base: f64,
    /// Share of the gap to the target closed each month.
    pub engagement_adjust_rate: f64,
    /// Pull toward the team's mean engagement last month (social influence).
    pub peer_weight: f64,
    /// Standard deviation of the monthly individual engagement shock.
    pub engagement_noise_sd: f64,
    /// Engagement points per unit of team-leader quality above average.
    pub leader_weight: f64,
    /// Engagement points lost per unit of workload.
    pub workload_weight: f64,
    /// Engagement points lost per unit of friction above its reference.
    pub friction_weight: f64,
    /// Engagement points lost in the months after a CEO change (decays).
    pub instability_weight: f64,
    /// Engagement points lost while an interim CEO is in post.
    pub interim_weight: f64,
    /// Engagement points per unit of CEO quality above average.
    pub ceo_weight: f64,
    /// Standard deviation of a trust's local-culture shock per month.
    pub culture_noise_sd: f64,
    /// Monthly persistence of local culture (AR(1) coefficient).
    pub culture_persistence: f64,
    /// Engagement of a new starter (0-10).
    pub new_starter_engagement: f64,
    /// Monthly probability that a well staff member starts a sickness spell at reference engagement and no workload.
    pub sickness_onset_base: f64,
    /// Log-odds-like slope of sickness onset per engagement point below 7.
    pub sickness_engagement_slope: f64,
    /// Relative rise in sickness onset per unit of workload.
    pub sickness_workload_slope: f64,
    /// Monthly probability that a sick staff member returns.
    pub sickness_recovery: f64,
    /// Monthly leaving probability at reference engagement and no workload.
    pub leave_base_monthly: f64,
    /// Slope of leaving per engagement point below 7 (exponential).
    pub leave_engagement_slope: f64,
    /// Relative rise in leaving per unit of workload.
    pub leave_workload_slope: f64,
}

/// Recruitment and agency cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkforceParams {
    /// Monthly probability that a vacancy is filled when labour supply is normal.
    pub fill_rate_monthly: f64,
    /// Share of posts vacant at the start.
    pub initial_vacancy_rate: f64,
    /// Workload per unit of vacancy rate.
    pub vacancy_workload: f64,
    /// Workload per unit of sickness rate.
    pub sickness_workload: f64,
    /// Workload per unit of national technology pressure above 1 (disruption of adoption).
    pub technology_workload: f64,
    /// Share of vacant and sick posts covered by agency or bank staff.
    pub agency_cover_share: f64,
    /// Agency cost premium over the substantive pay rate.
    pub agency_premium: f64,
}

/// Team leaders: clinical leaders and middle managers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderParams {
    /// Share of team leaders who are clinical leaders (the rest are middle managers).
    pub clinical_leader_share: f64,
    /// Share of clinical leaders in hybrid roles (clinical and managerial).
    pub hybrid_share: f64,
    /// Annual leaving rate of team leaders with no stress.
    pub leave_annual: f64,
    /// Relative rise in leader leaving per unit of stress.
    pub stress_leave_slope: f64,
    /// Share of vacant clinical-leader posts filled by promoting a clinician from the team.
    pub internal_promotion_share: f64,
    /// Share of promotions prepared (developed) before taking the role.
    pub prepared_share: f64,
    /// Mean starting capability (0-1) of an unprepared promotion.
    pub unprepared_capability: f64,
    /// Mean starting capability (0-1) of a prepared promotion or an external hire.
    pub prepared_capability: f64,
    /// Standard deviation of starting capability.
    pub capability_sd: f64,
    /// Share of the gap to full capability closed per month by experience.
    pub experience_rate: f64,
    /// Capability reachable by experience alone (0-1).
    pub experience_ceiling: f64,
    /// Mean compassion (0 = command-and-control, 1 = compassionate) of a new leader.
    pub compassion_mean: f64,
    /// Standard deviation of compassion.
    pub compassion_sd: f64,
    /// Weight of compassion in a leader's quality as staff feel it.
    pub compassion_quality_weight: f64,
    /// Monthly adjustment of stress toward workload plus friction.
    pub stress_adjust_rate: f64,
    /// Stress at which a leader's leaving rate equals `leave_annual`.
    pub stress_reference: f64,
    /// Share of a leader's attributable improvement capability lost when they leave.
    pub capability_loss_on_exit: f64,
}

/// The board of executive directors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// Executive directors per board (excluding the CEO).
    pub executives: u32,
    /// Mean share of executive posts held by clinicians.
    pub clinician_share: f64,
    /// Annual leaving rate of executive directors.
    pub leave_annual: f64,
    /// Extra annual leaving rate in the year after a CEO change.
    pub leave_after_ceo_change: f64,
    /// Mean capability of a newly appointed executive (0-1).
    pub capability_mean: f64,
    /// Standard deviation of executive capability.
    pub capability_sd: f64,
}

/// The chief executive and the CEO labour market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CeoParams {
    /// Weibull shape of the baseline exit hazard (below 1: falling with time in post).
    pub hazard_shape: f64,
    /// Weibull scale of the baseline exit hazard, in months.
    pub hazard_scale_months: f64,
    /// Log hazard ratio per oversight level above 1, scaled by `oversight.punitiveness`.
    pub oversight_log_hr: f64,
    /// Log hazard ratio per unit of performance shortfall.
    pub performance_log_hr: f64,
    /// Log hazard ratio per unit of friction above its reference.
    pub friction_log_hr: f64,
    /// Share of non-retirement exits that are dismissals or pushed resignations at oversight level 4.
    pub dismissal_share_at_level4: f64,
    /// Same share at oversight level 1.
    pub dismissal_share_at_level1: f64,
    /// Age from which a CEO may retire.
    pub retirement_age_min: f64,
    /// Monthly retirement probability per year of age beyond the minimum.
    pub retirement_hazard_per_year: f64,
    /// Mean age at a first CEO appointment.
    pub first_appointment_age: f64,
    /// Standard deviation of age at appointment.
    pub appointment_age_sd: f64,
    /// Probability that a vacancy is filled without an interim (planned handover).
    pub direct_succession_share: f64,
    /// Mean months an interim stays before the permanent appointment.
    pub interim_months_mean: f64,
    /// Extra chance of a direct handover per unit of succession pipeline strength (share of the remaining gap).
    pub pipeline_direct_succession: f64,
    /// An interim's capability as a share of the best executive's.
    pub interim_capability_factor: f64,
    /// Selection weight of an internal successor with no pipeline.
    pub internal_weight: f64,
    /// Extra internal weight per unit of succession pipeline strength.
    pub pipeline_internal_weight: f64,
    /// Capability bonus of a CEO-ready executive when the board picks an internal successor.
    pub ready_executive_bonus: f64,
    /// Selection weight of an experienced CEO moving from another trust.
    pub move_weight: f64,
    /// Selection weight of an experienced CEO returning from outside a post.
    pub returner_weight: f64,
    /// Years a returning experienced CEO is older than a first-time appointee.
    pub returner_extra_age: f64,
    /// Selection weight of a first-time external CEO.
    pub first_time_weight: f64,
    /// Minimum months in post before a sitting CEO can be recruited away.
    pub move_min_tenure_months: u32,
    /// Mean capability of a first-time CEO (0-1).
    pub first_time_capability: f64,
    /// Mean capability of an experienced CEO (0-1).
    pub experienced_capability: f64,
    /// Standard deviation of CEO capability.
    pub capability_sd: f64,
    /// Share of capability not yet effective on the first day (learning curve).
    pub learning_curve_depth: f64,
    /// Months for the learning-curve gap to shrink by e.
    pub learning_curve_months: f64,
    /// Probability that an external appointee restructures.
    pub restructure_probability: f64,
    /// Friction added by a restructure.
    pub restructure_friction: f64,
    /// Months over which a CEO change unsettles staff (instability decay).
    pub instability_months: f64,
}

/// Manager-clinician friction (0-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrictionParams {
    /// Friction with average conditions.
    pub base: f64,
    /// Reference friction for effects on engagement and the CEO hazard.
    pub reference: f64,
    /// Monthly share of the gap to target friction closed.
    pub adjust_rate: f64,
    /// Per unit of financial pressure (deficit as share of income, scaled).
    pub finance_weight: f64,
    /// Per unit of punitive oversight (level above 1 times punitiveness).
    pub oversight_weight: f64,
    /// Per unit of command-and-control style among leaders (1 - compassion).
    pub command_style_weight: f64,
    /// Per unit of board clinician share below one half.
    pub board_weight: f64,
    /// Per unit of annual leadership churn.
    pub churn_weight: f64,
    /// Reduction per unit of the share of team leaders in hybrid roles.
    pub hybrid_weight: f64,
    /// Reduction per unit of joint (managers with clinicians) development coverage.
    pub joint_development_weight: f64,
    /// Per unit of national integration pressure above 1.
    pub integration_weight: f64,
    /// Standard deviation of the monthly friction shock.
    pub noise_sd: f64,
}

/// Trust finances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceParams {
    /// Annual pay per FTE (GBP).
    pub pay_per_fte_gbp: f64,
    /// Income per funded FTE as a multiple of pay (covers non-pay costs).
    pub income_to_pay_ratio: f64,
    /// Non-pay costs as a share of income at demand pressure 1.
    pub non_pay_share: f64,
    /// Non-pay cost rise per unit of demand pressure above 1.
    pub demand_cost_slope: f64,
    /// Standard deviation of a trust's persistent cost efficiency (share of income).
    pub efficiency_sd: f64,
    /// Standard deviation of the monthly financial shock (share of income).
    pub noise_sd: f64,
    /// Surplus gained per unit of CEO capability above average (share of income).
    pub ceo_capability_effect: f64,
    /// Surplus gained per unit of improvement capability (share of income).
    pub improvement_effect: f64,
}

/// Regulator oversight (quarterly) and its style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OversightParams {
    /// Regulator style: 0 = fully supportive, 1 = fully punitive.
    pub punitiveness: f64,
    /// Performance score below which oversight escalates.
    pub escalate_below: f64,
    /// Performance score above which oversight de-escalates.
    pub deescalate_above: f64,
    /// Probability of escalating when below the threshold.
    pub escalate_probability: f64,
    /// Probability of de-escalating when above the threshold.
    pub deescalate_probability: f64,
    /// Weight of finance (surplus per cent) in the performance score.
    pub finance_weight: f64,
    /// Weight of quality (index points from 70) in the performance score.
    pub quality_weight: f64,
    /// Improvement support per oversight level above 1 under supportive style.
    pub support_improvement: f64,
}

/// Quality, experience, mortality and ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeParams {
    /// Quality index (0-100) with average conditions.
    pub quality_base: f64,
    /// Quality points per engagement point above 6.9.
    pub quality_engagement: f64,
    /// Quality points per unit of improvement capability above 0.5.
    pub quality_improvement: f64,
    /// Quality points lost per unit of workload.
    pub quality_workload: f64,
    /// Quality points lost per unit of friction above reference.
    pub quality_friction: f64,
    /// Quality points per unit of mean team-leader capability above 0.5.
    pub quality_leadership: f64,
    /// Standard deviation of the monthly quality shock.
    pub quality_noise_sd: f64,
    /// Monthly persistence of the quality shock (AR(1) coefficient).
    pub quality_persistence: f64,
    /// Patient experience (0-10) with average conditions.
    pub experience_base: f64,
    /// Experience points per engagement point above 6.9.
    pub experience_engagement: f64,
    /// Experience points lost per unit of rising expectations above 1.
    pub experience_expectations: f64,
    /// Standard deviation of the monthly patient-experience noise.
    pub experience_noise_sd: f64,
    /// Mortality ratio change per quality point below the base.
    pub mortality_per_quality_point: f64,
    /// Standard deviation of the monthly mortality-ratio noise.
    pub mortality_noise_sd: f64,
    /// Rating cut-off (quality points) for outstanding.
    pub outstanding_above: f64,
    /// Rating cut-off for good.
    pub good_above: f64,
    /// Rating cut-off for requires improvement (below: inadequate).
    pub requires_improvement_above: f64,
    /// Monthly decay of improvement capability.
    pub improvement_decay: f64,
    /// Improvement capability built per month per unit of leader capability.
    pub improvement_build: f64,
    /// Improvement capability added per GBP 1,000 of development spend per 1,000 staff.
    pub improvement_per_development: f64,
    /// Relative rise in improvement building per unit of national technology pressure above 1.
    pub technology_improvement: f64,
}

/// Leadership development investment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevelopmentParams {
    /// Annual development budget as a share of the pay bill.
    pub budget_share_of_paybill: f64,
    /// Extra share of promotions prepared per unit of succession planning (0-1).
    pub succession_planning: f64,
    /// Extra capability multiplier when a leader has both formal and practical development.
    pub combination_bonus: f64,
    /// Share of places reserved for joint manager-clinician cohorts.
    pub joint_share: f64,
    pub mary_seacole: Intervention,
    pub elizabeth_garrett_anderson: Intervention,
    pub coaching: Intervention,
    pub mentoring: Intervention,
    pub action_learning: Intervention,
    pub secondment: Intervention,
    pub compassion_training: Intervention,
}

/// One kind of development intervention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// Share of the development budget spent on this intervention.
    pub budget_share: f64,
    /// Cost per place (GBP).
    pub cost_gbp: f64,
    /// Months from start to completion.
    pub duration_months: u32,
    /// Months after completion before the effect shows.
    pub lag_months: u32,
    /// Most places a trust can fill per year, per 1,000 staff.
    pub places_per_1000_staff: f64,
    /// Share of the gap to full capability closed on completion.
    pub capability_effect: f64,
    /// Share of the gap to full compassion closed on completion.
    pub compassion_effect: f64,
    /// Whether this is formal learning (true) or practical experience (false).
    pub formal: bool,
    /// Whether the intervention can target the CEO and executive pipeline.
    pub executive: bool,
}

/// The six national pressures, each an index that starts near 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pressures {
    /// Ageing population: raises demand and workload.
    pub demand: Pressure,
    /// Workforce shortage: lowers the vacancy fill rate.
    pub workforce_shortage: Pressure,
    /// Financial constraint: income growth below cost growth.
    pub financial_constraint: Pressure,
    /// Rising public expectations: lowers patient experience.
    pub expectations: Pressure,
    /// Technological change: raises improvement building and workload (disruption).
    pub technology: Pressure,
    /// Integration pressure: cross-boundary work raises friction.
    pub integration: Pressure,
}

/// A national pressure index over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pressure {
    /// Level at the first month of burn-in.
    pub start: f64,
    /// Growth per year (0.02 = 2 % a year), used when `schedule` is empty.
    pub trend_annual: f64,
    /// Optional schedule of `[year, level]` points (years from the start of
    /// burn-in), interpolated linearly and held flat beyond the last point.
    pub schedule: Vec<[f64; 2]>,
}

impl Pressure {
    fn flat(start: f64, trend_annual: f64) -> Self {
        Pressure {
            start,
            trend_annual,
            schedule: Vec::new(),
        }
    }

    /// Level at `month` (counted from the start of burn-in).
    pub fn level(&self, month: u32) -> f64 {
        let years = f64::from(month) / 12.0;
        if self.schedule.is_empty() {
            return self.start * (1.0 + self.trend_annual).powf(years);
        }
        let pts = &self.schedule;
        if years <= pts[0][0] {
            return pts[0][1];
        }
        for w in pts.windows(2) {
            let ([x0, y0], [x1, y1]) = (w[0], w[1]);
            if years <= x1 {
                let t = if x1 > x0 {
                    (years - x0) / (x1 - x0)
                } else {
                    1.0
                };
                return y0 + t * (y1 - y0);
            }
        }
        pts[pts.len() - 1][1]
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            run: RunParams {
                name: "baseline".into(),
                description: "England before 2020".into(),
                seed: 20_260_101,
                replications: 20,
                months: 120,
                burn_in_months: 60,
                staff_scale: 1.0,
            },
            trusts: TrustTypes {
                acute: TrustTypeParams {
                    count: 135,
                    staff_median_fte: 4_800.0,
                    staff_sigma_log: 0.55,
                    staff_min_fte: 1_500.0,
                    staff_max_fte: 18_000.0,
                    clinician_share: 0.68,
                    demand_sensitivity: 1.0,
                },
                mental_health: TrustTypeParams {
                    count: 50,
                    staff_median_fte: 3_300.0,
                    staff_sigma_log: 0.45,
                    staff_min_fte: 1_000.0,
                    staff_max_fte: 9_000.0,
                    clinician_share: 0.65,
                    demand_sensitivity: 0.9,
                },
                community: TrustTypeParams {
                    count: 15,
                    staff_median_fte: 2_600.0,
                    staff_sigma_log: 0.45,
                    staff_min_fte: 800.0,
                    staff_max_fte: 7_000.0,
                    clinician_share: 0.62,
                    demand_sensitivity: 0.8,
                },
                ambulance: TrustTypeParams {
                    count: 10,
                    staff_median_fte: 4_500.0,
                    staff_sigma_log: 0.35,
                    staff_min_fte: 2_000.0,
                    staff_max_fte: 9_000.0,
                    clinician_share: 0.75,
                    demand_sensitivity: 1.2,
                },
            },
            staff: StaffParams {
                team_size: 25,
                engagement_base: 7.0,
                engagement_adjust_rate: 0.12,
                peer_weight: 0.05,
                engagement_noise_sd: 0.45,
                leader_weight: 1.6,
                workload_weight: 1.5,
                friction_weight: 1.0,
                instability_weight: 0.25,
                interim_weight: 0.15,
                ceo_weight: 0.6,
                culture_noise_sd: 0.4,
                culture_persistence: 0.3,
                new_starter_engagement: 7.2,
                sickness_onset_base: 0.021,
                sickness_engagement_slope: 0.18,
                sickness_workload_slope: 1.0,
                sickness_recovery: 0.55,
                leave_base_monthly: 0.0072,
                leave_engagement_slope: 0.25,
                leave_workload_slope: 1.2,
            },
            workforce: WorkforceParams {
                fill_rate_monthly: 0.115,
                initial_vacancy_rate: 0.08,
                vacancy_workload: 1.0,
                sickness_workload: 1.0,
                technology_workload: 0.05,
                agency_cover_share: 0.7,
                agency_premium: 0.6,
            },
            leaders: LeaderParams {
                clinical_leader_share: 0.7,
                hybrid_share: 0.2,
                leave_annual: 0.1,
                stress_leave_slope: 1.0,
                internal_promotion_share: 0.8,
                prepared_share: 0.25,
                unprepared_capability: 0.35,
                prepared_capability: 0.5,
                capability_sd: 0.1,
                experience_rate: 0.015,
                experience_ceiling: 0.7,
                compassion_mean: 0.55,
                compassion_sd: 0.15,
                compassion_quality_weight: 0.4,
                stress_adjust_rate: 0.1,
                stress_reference: 0.5,
                capability_loss_on_exit: 1.0,
            },
            board: BoardParams {
                executives: 7,
                clinician_share: 0.35,
                leave_annual: 0.12,
                leave_after_ceo_change: 0.15,
                capability_mean: 0.6,
                capability_sd: 0.1,
            },
            ceo: CeoParams {
                hazard_shape: 0.35,
                hazard_scale_months: 85.0,
                oversight_log_hr: 0.25,
                performance_log_hr: 0.2,
                friction_log_hr: 2.0,
                dismissal_share_at_level4: 0.6,
                dismissal_share_at_level1: 0.1,
                retirement_age_min: 58.0,
                retirement_hazard_per_year: 0.0015,
                first_appointment_age: 50.0,
                appointment_age_sd: 4.0,
                direct_succession_share: 0.1,
                interim_months_mean: 8.0,
                pipeline_direct_succession: 0.5,
                interim_capability_factor: 0.9,
                internal_weight: 0.2,
                pipeline_internal_weight: 0.3,
                ready_executive_bonus: 0.1,
                move_weight: 0.3,
                returner_weight: 0.1,
                returner_extra_age: 5.0,
                first_time_weight: 0.35,
                move_min_tenure_months: 24,
                first_time_capability: 0.5,
                experienced_capability: 0.62,
                capability_sd: 0.1,
                learning_curve_depth: 0.3,
                learning_curve_months: 12.0,
                restructure_probability: 0.4,
                restructure_friction: 0.05,
                instability_months: 12.0,
            },
            friction: FrictionParams {
                base: 0.16,
                reference: 0.35,
                adjust_rate: 0.15,
                finance_weight: 1.5,
                oversight_weight: 0.06,
                command_style_weight: 0.3,
                board_weight: 0.3,
                churn_weight: 0.3,
                hybrid_weight: 0.2,
                joint_development_weight: 0.5,
                integration_weight: 0.1,
                noise_sd: 0.02,
            },
            finance: FinanceParams {
                pay_per_fte_gbp: 42_000.0,
                income_to_pay_ratio: 1.585,
                non_pay_share: 0.31,
                demand_cost_slope: 0.3,
                efficiency_sd: 0.022,
                noise_sd: 0.01,
                ceo_capability_effect: 0.03,
                improvement_effect: 0.01,
            },
            oversight: OversightParams {
                punitiveness: 0.7,
                escalate_below: -1.0,
                deescalate_above: 0.0,
                escalate_probability: 0.5,
                deescalate_probability: 0.3,
                finance_weight: 0.3,
                quality_weight: 0.15,
                support_improvement: 0.002,
            },
            outcomes: OutcomeParams {
                quality_base: 70.0,
                quality_engagement: 6.0,
                quality_improvement: 8.0,
                quality_workload: 10.0,
                quality_friction: 15.0,
                quality_leadership: 10.0,
                quality_noise_sd: 1.0,
                quality_persistence: 0.9,
                experience_base: 8.0,
                experience_engagement: 0.6,
                experience_expectations: 1.0,
                experience_noise_sd: 0.05,
                mortality_per_quality_point: 0.006,
                mortality_noise_sd: 0.01,
                outstanding_above: 74.0,
                good_above: 68.0,
                requires_improvement_above: 62.0,
                improvement_decay: 0.01,
                improvement_build: 0.01,
                improvement_per_development: 0.0005,
                technology_improvement: 0.5,
            },
            development: DevelopmentParams {
                budget_share_of_paybill: 0.0002,
                succession_planning: 0.0,
                combination_bonus: 0.3,
                joint_share: 0.1,
                mary_seacole: Intervention {
                    budget_share: 0.25,
                    cost_gbp: 995.0,
                    duration_months: 6,
                    lag_months: 3,
                    places_per_1000_staff: 6.0,
                    capability_effect: 0.13,
                    compassion_effect: 0.05,
                    formal: true,
                    executive: false,
                },
                elizabeth_garrett_anderson: Intervention {
                    budget_share: 0.2,
                    cost_gbp: 6_000.0,
                    duration_months: 24,
                    lag_months: 3,
                    places_per_1000_staff: 0.9,
                    capability_effect: 0.3,
                    compassion_effect: 0.05,
                    formal: true,
                    executive: true,
                },
                coaching: Intervention {
                    budget_share: 0.2,
                    cost_gbp: 1_500.0,
                    duration_months: 6,
                    lag_months: 1,
                    places_per_1000_staff: 3.0,
                    capability_effect: 0.14,
                    compassion_effect: 0.1,
                    formal: false,
                    executive: true,
                },
                mentoring: Intervention {
                    budget_share: 0.1,
                    cost_gbp: 500.0,
                    duration_months: 12,
                    lag_months: 1,
                    places_per_1000_staff: 6.0,
                    capability_effect: 0.06,
                    compassion_effect: 0.05,
                    formal: false,
                    executive: false,
                },
                action_learning: Intervention {
                    budget_share: 0.1,
                    cost_gbp: 800.0,
                    duration_months: 9,
                    lag_months: 2,
                    places_per_1000_staff: 4.5,
                    capability_effect: 0.1,
                    compassion_effect: 0.05,
                    formal: false,
                    executive: false,
                },
                secondment: Intervention {
                    budget_share: 0.1,
                    cost_gbp: 4_000.0,
                    duration_months: 6,
                    lag_months: 0,
                    places_per_1000_staff: 0.9,
                    capability_effect: 0.15,
                    compassion_effect: 0.0,
                    formal: false,
                    executive: true,
                },
                compassion_training: Intervention {
                    budget_share: 0.05,
                    cost_gbp: 400.0,
                    duration_months: 3,
                    lag_months: 1,
                    places_per_1000_staff: 6.0,
                    capability_effect: 0.02,
                    compassion_effect: 0.25,
                    formal: true,
                    executive: false,
                },
            },
            pressures: Pressures {
                demand: Pressure::flat(1.0, 0.01),
                workforce_shortage: Pressure::flat(1.0, 0.0),
                financial_constraint: Pressure::flat(1.0, 0.0),
                expectations: Pressure::flat(1.0, 0.005),
                technology: Pressure::flat(1.0, 0.0),
                integration: Pressure::flat(1.0, 0.0),
            },
        }
    }
}

/// Where range violations go; the scenario layer adds file and line.
pub trait RangeSink {
    /// `key` is the dotted scenario key; `allowed` says what is allowed.
    fn violation(&mut self, key: &str, value: String, allowed: &str);
}

struct Check<'a> {
    sink: &'a mut dyn RangeSink,
}

impl Check<'_> {
    fn f(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.sink
                .violation(key, format!("{v}"), &format!("a number from {lo} to {hi}"));
        }
    }
    fn u(&mut self, key: &str, v: u64, lo: u64, hi: u64) {
        if v < lo || v > hi {
            self.sink.violation(
                key,
                format!("{v}"),
                &format!("an integer from {lo} to {hi}"),
            );
        }
    }
}

/// Names of the seven interventions in scenario-key order.
pub const INTERVENTION_NAMES: [&str; 7] = [
    "mary_seacole",
    "elizabeth_garrett_anderson",
    "coaching",
    "mentoring",
    "action_learning",
    "secondment",
    "compassion_training",
];

/// Names of the four trust types in scenario-key order.
pub const TRUST_TYPE_NAMES: [&str; 4] = ["acute", "mental_health", "community", "ambulance"];

/// Names of the six pressures in scenario-key order.
pub const PRESSURE_NAMES: [&str; 6] = [
    "demand",
    "workforce_shortage",
    "financial_constraint",
    "expectations",
    "technology",
    "integration",
];

impl TrustTypes {
    pub fn all(&self) -> [&TrustTypeParams; 4] {
        [
            &self.acute,
            &self.mental_health,
            &self.community,
            &self.ambulance,
        ]
    }
}

impl DevelopmentParams {
    pub fn interventions(&self) -> [&Intervention; 7] {
        [
            &self.mary_seacole,
            &self.elizabeth_garrett_anderson,
            &self.coaching,
            &self.mentoring,
            &self.action_learning,
            &self.secondment,
            &self.compassion_training,
        ]
    }
}

impl Pressures {
    pub fn all(&self) -> [&Pressure; 6] {
        [
            &self.demand,
            &self.workforce_shortage,
            &self.financial_constraint,
            &self.expectations,
            &self.technology,
            &self.integration,
        ]
    }
}

impl Params {
    /// Reports every out-of-range value and cross-field inconsistency.
    pub fn check(&self, sink: &mut dyn RangeSink) {
        let mut c = Check { sink };
        let r = &self.run;
        if r.name.trim().is_empty()
            || !r
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
            || r.name.starts_with('.')
        {
            c.sink.violation(
                "run.name",
                format!("{:?}", r.name),
                "a non-empty name of letters, digits, '-', '_' or '.' (it names the output folder)",
            );
        }
        c.u("run.replications", r.replications.into(), 1, 100_000);
        c.u("run.months", r.months.into(), 12, 1_200);
        c.u("run.burn_in_months", r.burn_in_months.into(), 0, 1_200);
        c.f("run.staff_scale", r.staff_scale, 0.001, 1.0);

        let mut total_trusts = 0u64;
        for (name, t) in TRUST_TYPE_NAMES.iter().zip(self.trusts.all()) {
            let k = |f: &str| format!("trusts.{name}.{f}");
            c.u(&k("count"), t.count.into(), 0, 2_000);
            total_trusts += u64::from(t.count);
            c.f(&k("staff_median_fte"), t.staff_median_fte, 50.0, 100_000.0);
            c.f(&k("staff_sigma_log"), t.staff_sigma_log, 0.0, 2.0);
            c.f(&k("staff_min_fte"), t.staff_min_fte, 50.0, 100_000.0);
            c.f(&k("staff_max_fte"), t.staff_max_fte, 50.0, 200_000.0);
            if t.staff_max_fte < t.staff_min_fte {
                c.sink.violation(
                    &k("staff_max_fte"),
                    format!("{}", t.staff_max_fte),
                    &format!(
                        "a number no smaller than trusts.{name}.staff_min_fte ({})",
                        t.staff_min_fte
                    ),
                );
            }
            c.f(&k("clinician_share"), t.clinician_share, 0.0, 1.0);
            c.f(&k("demand_sensitivity"), t.demand_sensitivity, 0.0, 5.0);
        }
        if total_trusts == 0 {
            c.sink.violation(
                "trusts.acute.count",
                "0".into(),
                "at least one trust across trusts.*.count",
            );
        }

        let s = &self.staff;
        c.u("staff.team_size", s.team_size.into(), 2, 500);
        c.f("staff.engagement_base", s.engagement_base, 0.0, 10.0);
        c.f(
            "staff.engagement_adjust_rate",
            s.engagement_adjust_rate,
            0.0,
            1.0,
        );
        c.f("staff.peer_weight", s.peer_weight, 0.0, 1.0);
        if s.engagement_adjust_rate + s.peer_weight > 1.0 {
            c.sink.violation(
                "staff.peer_weight",
                format!("{}", s.peer_weight),
                "a value with staff.engagement_adjust_rate + staff.peer_weight at most 1",
            );
        }
        c.f("staff.engagement_noise_sd", s.engagement_noise_sd, 0.0, 5.0);
        for (k, v) in [
            ("staff.leader_weight", s.leader_weight),
            ("staff.workload_weight", s.workload_weight),
            ("staff.friction_weight", s.friction_weight),
            ("staff.instability_weight", s.instability_weight),
            ("staff.interim_weight", s.interim_weight),
            ("staff.ceo_weight", s.ceo_weight),
        ] {
            c.f(k, v, 0.0, 10.0);
        }
        c.f("staff.culture_noise_sd", s.culture_noise_sd, 0.0, 2.0);
        c.f("staff.culture_persistence", s.culture_persistence, 0.0, 1.0);
        c.f(
            "staff.new_starter_engagement",
            s.new_starter_engagement,
            0.0,
            10.0,
        );
        c.f("staff.sickness_onset_base", s.sickness_onset_base, 0.0, 1.0);
        c.f(
            "staff.sickness_engagement_slope",
            s.sickness_engagement_slope,
            0.0,
            2.0,
        );
        c.f(
            "staff.sickness_workload_slope",
            s.sickness_workload_slope,
            0.0,
            10.0,
        );
        c.f("staff.sickness_recovery", s.sickness_recovery, 0.01, 1.0);
        c.f("staff.leave_base_monthly", s.leave_base_monthly, 0.0, 1.0);
        c.f(
            "staff.leave_engagement_slope",
            s.leave_engagement_slope,
            0.0,
            2.0,
        );
        c.f(
            "staff.leave_workload_slope",
            s.leave_workload_slope,
            0.0,
            10.0,
        );

        let w = &self.workforce;
        c.f("workforce.fill_rate_monthly", w.fill_rate_monthly, 0.0, 1.0);
        c.f(
            "workforce.initial_vacancy_rate",
            w.initial_vacancy_rate,
            0.0,
            0.9,
        );
        c.f("workforce.vacancy_workload", w.vacancy_workload, 0.0, 10.0);
        c.f(
            "workforce.sickness_workload",
            w.sickness_workload,
            0.0,
            10.0,
        );
        c.f(
            "workforce.agency_cover_share",
            w.agency_cover_share,
            0.0,
            1.0,
        );
        c.f("workforce.agency_premium", w.agency_premium, 0.0, 5.0);
        c.f(
            "workforce.technology_workload",
            w.technology_workload,
            0.0,
            10.0,
        );

        let l = &self.leaders;
        for (k, v) in [
            ("leaders.clinical_leader_share", l.clinical_leader_share),
            ("leaders.hybrid_share", l.hybrid_share),
            ("leaders.leave_annual", l.leave_annual),
            (
                "leaders.internal_promotion_share",
                l.internal_promotion_share,
            ),
            ("leaders.prepared_share", l.prepared_share),
            ("leaders.unprepared_capability", l.unprepared_capability),
            ("leaders.prepared_capability", l.prepared_capability),
            ("leaders.capability_sd", l.capability_sd),
            ("leaders.experience_rate", l.experience_rate),
            ("leaders.experience_ceiling", l.experience_ceiling),
            ("leaders.compassion_mean", l.compassion_mean),
            ("leaders.compassion_sd", l.compassion_sd),
            (
                "leaders.compassion_quality_weight",
                l.compassion_quality_weight,
            ),
            ("leaders.stress_adjust_rate", l.stress_adjust_rate),
            ("leaders.stress_reference", l.stress_reference),
            ("leaders.capability_loss_on_exit", l.capability_loss_on_exit),
        ] {
            c.f(k, v, 0.0, 1.0);
        }
        c.f(
            "leaders.stress_leave_slope",
            l.stress_leave_slope,
            0.0,
            10.0,
        );

        let b = &self.board;
        c.u("board.executives", b.executives.into(), 1, 20);
        c.f("board.clinician_share", b.clinician_share, 0.0, 1.0);
        c.f("board.leave_annual", b.leave_annual, 0.0, 1.0);
        c.f(
            "board.leave_after_ceo_change",
            b.leave_after_ceo_change,
            0.0,
            1.0,
        );
        c.f("board.capability_mean", b.capability_mean, 0.0, 1.0);
        c.f("board.capability_sd", b.capability_sd, 0.0, 1.0);

        let e = &self.ceo;
        c.f("ceo.hazard_shape", e.hazard_shape, 0.1, 5.0);
        c.f(
            "ceo.hazard_scale_months",
            e.hazard_scale_months,
            1.0,
            10_000.0,
        );
        c.f("ceo.oversight_log_hr", e.oversight_log_hr, -5.0, 5.0);
        c.f("ceo.performance_log_hr", e.performance_log_hr, -5.0, 5.0);
        c.f("ceo.friction_log_hr", e.friction_log_hr, -10.0, 10.0);
        c.f(
            "ceo.dismissal_share_at_level4",
            e.dismissal_share_at_level4,
            0.0,
            1.0,
        );
        c.f(
            "ceo.dismissal_share_at_level1",
            e.dismissal_share_at_level1,
            0.0,
            1.0,
        );
        c.f("ceo.retirement_age_min", e.retirement_age_min, 30.0, 80.0);
        c.f(
            "ceo.retirement_hazard_per_year",
            e.retirement_hazard_per_year,
            0.0,
            1.0,
        );
        c.f(
            "ceo.first_appointment_age",
            e.first_appointment_age,
            25.0,
            75.0,
        );
        c.f("ceo.appointment_age_sd", e.appointment_age_sd, 0.0, 20.0);
        c.f(
            "ceo.direct_succession_share",
            e.direct_succession_share,
            0.0,
            1.0,
        );
        c.f("ceo.interim_months_mean", e.interim_months_mean, 1.0, 60.0);
        c.f(
            "ceo.pipeline_direct_succession",
            e.pipeline_direct_succession,
            0.0,
            1.0,
        );
        c.f(
            "ceo.interim_capability_factor",
            e.interim_capability_factor,
            0.0,
            1.0,
        );
        c.f(
            "ceo.ready_executive_bonus",
            e.ready_executive_bonus,
            0.0,
            1.0,
        );
        c.f("ceo.returner_extra_age", e.returner_extra_age, 0.0, 30.0);
        for (k, v) in [
            ("ceo.internal_weight", e.internal_weight),
            ("ceo.pipeline_internal_weight", e.pipeline_internal_weight),
            ("ceo.move_weight", e.move_weight),
            ("ceo.returner_weight", e.returner_weight),
            ("ceo.first_time_weight", e.first_time_weight),
        ] {
            c.f(k, v, 0.0, 100.0);
        }
        if e.internal_weight + e.move_weight + e.returner_weight + e.first_time_weight <= 0.0 {
            c.sink.violation(
                "ceo.first_time_weight",
                format!("{}", e.first_time_weight),
                "weights with ceo.internal_weight + move_weight + returner_weight + first_time_weight above 0",
            );
        }
        c.u(
            "ceo.move_min_tenure_months",
            e.move_min_tenure_months.into(),
            0,
            600,
        );
        c.f(
            "ceo.first_time_capability",
            e.first_time_capability,
            0.0,
            1.0,
        );
        c.f(
            "ceo.experienced_capability",
            e.experienced_capability,
            0.0,
            1.0,
        );
        c.f("ceo.capability_sd", e.capability_sd, 0.0, 1.0);
        c.f("ceo.learning_curve_depth", e.learning_curve_depth, 0.0, 1.0);
        c.f(
            "ceo.learning_curve_months",
            e.learning_curve_months,
            0.1,
            600.0,
        );
        c.f(
            "ceo.restructure_probability",
            e.restructure_probability,
            0.0,
            1.0,
        );
        c.f("ceo.restructure_friction", e.restructure_friction, 0.0, 1.0);
        c.f("ceo.instability_months", e.instability_months, 0.1, 600.0);

        let f = &self.friction;
        c.f("friction.base", f.base, 0.0, 1.0);
        c.f("friction.reference", f.reference, 0.0, 1.0);
        c.f("friction.adjust_rate", f.adjust_rate, 0.0, 1.0);
        for (k, v) in [
            ("friction.finance_weight", f.finance_weight),
            ("friction.oversight_weight", f.oversight_weight),
            ("friction.command_style_weight", f.command_style_weight),
            ("friction.board_weight", f.board_weight),
            ("friction.churn_weight", f.churn_weight),
            ("friction.hybrid_weight", f.hybrid_weight),
            (
                "friction.joint_development_weight",
                f.joint_development_weight,
            ),
            ("friction.integration_weight", f.integration_weight),
        ] {
            c.f(k, v, 0.0, 10.0);
        }
        c.f("friction.noise_sd", f.noise_sd, 0.0, 1.0);

        let fi = &self.finance;
        c.f(
            "finance.pay_per_fte_gbp",
            fi.pay_per_fte_gbp,
            1_000.0,
            1_000_000.0,
        );
        c.f(
            "finance.income_to_pay_ratio",
            fi.income_to_pay_ratio,
            0.5,
            5.0,
        );
        c.f("finance.non_pay_share", fi.non_pay_share, 0.0, 0.9);
        c.f("finance.demand_cost_slope", fi.demand_cost_slope, 0.0, 5.0);
        c.f("finance.efficiency_sd", fi.efficiency_sd, 0.0, 0.5);
        c.f("finance.noise_sd", fi.noise_sd, 0.0, 0.5);
        c.f(
            "finance.ceo_capability_effect",
            fi.ceo_capability_effect,
            0.0,
            1.0,
        );
        c.f(
            "finance.improvement_effect",
            fi.improvement_effect,
            0.0,
            1.0,
        );

        let o = &self.oversight;
        c.f("oversight.punitiveness", o.punitiveness, 0.0, 1.0);
        c.f("oversight.escalate_below", o.escalate_below, -100.0, 100.0);
        c.f(
            "oversight.deescalate_above",
            o.deescalate_above,
            -100.0,
            100.0,
        );
        if o.deescalate_above < o.escalate_below {
            c.sink.violation(
                "oversight.deescalate_above",
                format!("{}", o.deescalate_above),
                &format!(
                    "a number no smaller than oversight.escalate_below ({})",
                    o.escalate_below
                ),
            );
        }
        c.f(
            "oversight.escalate_probability",
            o.escalate_probability,
            0.0,
            1.0,
        );
        c.f(
            "oversight.deescalate_probability",
            o.deescalate_probability,
            0.0,
            1.0,
        );
        c.f("oversight.finance_weight", o.finance_weight, 0.0, 10.0);
        c.f("oversight.quality_weight", o.quality_weight, 0.0, 10.0);
        c.f(
            "oversight.support_improvement",
            o.support_improvement,
            0.0,
            0.1,
        );

        let q = &self.outcomes;
        c.f("outcomes.quality_base", q.quality_base, 0.0, 100.0);
        for (k, v) in [
            ("outcomes.quality_engagement", q.quality_engagement),
            ("outcomes.quality_improvement", q.quality_improvement),
            ("outcomes.quality_workload", q.quality_workload),
            ("outcomes.quality_friction", q.quality_friction),
            ("outcomes.quality_leadership", q.quality_leadership),
            ("outcomes.quality_noise_sd", q.quality_noise_sd),
        ] {
            c.f(k, v, 0.0, 100.0);
        }
        c.f(
            "outcomes.quality_persistence",
            q.quality_persistence,
            0.0,
            1.0,
        );
        c.f(
            "outcomes.experience_noise_sd",
            q.experience_noise_sd,
            0.0,
            5.0,
        );
        c.f(
            "outcomes.technology_improvement",
            q.technology_improvement,
            0.0,
            10.0,
        );
        c.f("outcomes.experience_base", q.experience_base, 0.0, 10.0);
        c.f(
            "outcomes.experience_engagement",
            q.experience_engagement,
            0.0,
            10.0,
        );
        c.f(
            "outcomes.experience_expectations",
            q.experience_expectations,
            0.0,
            10.0,
        );
        c.f(
            "outcomes.mortality_per_quality_point",
            q.mortality_per_quality_point,
            0.0,
            0.1,
        );
        c.f(
            "outcomes.mortality_noise_sd",
            q.mortality_noise_sd,
            0.0,
            0.5,
        );
        c.f(
            "outcomes.outstanding_above",
            q.outstanding_above,
            0.0,
            100.0,
        );
        c.f("outcomes.good_above", q.good_above, 0.0, 100.0);
        c.f(
            "outcomes.requires_improvement_above",
            q.requires_improvement_above,
            0.0,
            100.0,
        );
        if !(q.requires_improvement_above <= q.good_above && q.good_above <= q.outstanding_above) {
            c.sink.violation(
                "outcomes.good_above",
                format!("{}", q.good_above),
                "cut-offs with requires_improvement_above <= good_above <= outstanding_above",
            );
        }
        c.f("outcomes.improvement_decay", q.improvement_decay, 0.0, 1.0);
        c.f("outcomes.improvement_build", q.improvement_build, 0.0, 1.0);
        c.f(
            "outcomes.improvement_per_development",
            q.improvement_per_development,
            0.0,
            1.0,
        );

        let d = &self.development;
        c.f(
            "development.budget_share_of_paybill",
            d.budget_share_of_paybill,
            0.0,
            0.2,
        );
        c.f(
            "development.succession_planning",
            d.succession_planning,
            0.0,
            1.0,
        );
        c.f(
            "development.combination_bonus",
            d.combination_bonus,
            0.0,
            5.0,
        );
        c.f("development.joint_share", d.joint_share, 0.0, 1.0);
        let mut share_sum = 0.0;
        for (name, i) in INTERVENTION_NAMES.iter().zip(d.interventions()) {
            let k = |f: &str| format!("development.{name}.{f}");
            c.f(&k("budget_share"), i.budget_share, 0.0, 1.0);
            share_sum += i.budget_share;
            c.f(&k("cost_gbp"), i.cost_gbp, 1.0, 1_000_000.0);
            c.u(&k("duration_months"), i.duration_months.into(), 1, 120);
            c.u(&k("lag_months"), i.lag_months.into(), 0, 120);
            c.f(
                &k("places_per_1000_staff"),
                i.places_per_1000_staff,
                0.0,
                1_000.0,
            );
            c.f(&k("capability_effect"), i.capability_effect, 0.0, 1.0);
            c.f(&k("compassion_effect"), i.compassion_effect, 0.0, 1.0);
        }
        if share_sum > 1.0 + 1e-9 {
            c.sink.violation(
                "development.mary_seacole.budget_share",
                format!("{share_sum} in total"),
                "budget shares of the seven interventions summing to at most 1",
            );
        }

        for (name, p) in PRESSURE_NAMES.iter().zip(self.pressures.all()) {
            let k = |f: &str| format!("pressures.{name}.{f}");
            c.f(&k("start"), p.start, 0.0, 10.0);
            c.f(&k("trend_annual"), p.trend_annual, -0.5, 0.5);
            let mut last = f64::NEG_INFINITY;
            for [x, y] in &p.schedule {
                if !(x.is_finite()
                    && *x >= 0.0
                    && *x > last
                    && y.is_finite()
                    && *y >= 0.0
                    && *y <= 10.0)
                {
                    c.sink.violation(
                        &k("schedule"),
                        format!("[{x}, {y}]"),
                        "[year, level] points with years >= 0 strictly increasing and levels from 0 to 10",
                    );
                    break;
                }
                last = *x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<String>);
    impl RangeSink for Collect {
        fn violation(&mut self, key: &str, value: String, allowed: &str) {
            self.0.push(format!("{key}={value}: {allowed}"));
        }
    }

    #[test]
    fn defaults_are_valid() {
        let mut c = Collect(vec![]);
        Params::default().check(&mut c);
        assert!(c.0.is_empty(), "{:?}", c.0);
    }

    #[test]
    fn out_of_range_values_are_reported_by_key() {
        let mut p = Params::default();
        p.staff.sickness_recovery = 0.0;
        p.run.staff_scale = f64::NAN;
        let mut c = Collect(vec![]);
        p.check(&mut c);
        assert_eq!(c.0.len(), 2, "{:?}", c.0);
        assert!(c.0[0].starts_with("run.staff_scale=NaN"));
        assert!(c.0[1].starts_with("staff.sickness_recovery=0"));
    }

    #[test]
    fn pressure_schedule_interpolates_and_holds() {
        let p = Pressure {
            start: 1.0,
            trend_annual: 0.0,
            schedule: vec![[0.0, 1.0], [10.0, 2.0]],
        };
        assert_eq!(p.level(0), 1.0);
        assert!((p.level(60) - 1.5).abs() < 1e-12);
        assert_eq!(p.level(240), 2.0);
        let g = Pressure::flat(1.0, 0.1);
        assert!((g.level(24) - 1.21).abs() < 1e-12);
    }
}
