//! The trust: its state and the processes that run inside it each month
//! (engagement, sickness and leaving, the leader pipeline, development,
//! friction, finance, outcomes, oversight, ratings and the CEO's exit draw).
//! Everything that crosses trusts (the CEO labour market) lives in
//! [`super::market`].

use rand::RngExt;
use rand_distr::{Distribution, LogNormal, Normal, StandardNormal};

use super::ceo::{self, Ceo, CeoContext};
use super::development::DevelopmentLedger;
use super::environment::Environment;
use super::leaders::{Enrolment, Executive, Leader};
use super::params::{Params, TrustTypeParams};
use super::rng::{Stream, StreamName, stream};
use super::staff::{HazardTables, StaffPool};
use super::{ExitRoute, Pathway, Rating, TrustType};

/// A team: a contiguous run of staff posts and its leader.
#[derive(Debug, Clone)]
pub struct Team {
    pub start: u32,
    pub end: u32,
    pub leader: Leader,
    /// Mean engagement of the team last month (for social influence).
    pub mean_engagement: f64,
}

/// The random streams one trust draws from, one per process.
#[derive(Debug, Clone)]
pub struct TrustStreams {
    pub staff: Stream,
    pub recruitment: Stream,
    pub leaders: Stream,
    pub board: Stream,
    pub ceo_exit: Stream,
    pub friction: Stream,
    pub finance: Stream,
    pub oversight: Stream,
    pub outcomes: Stream,
    pub development: Stream,
}

impl TrustStreams {
    fn new(seed: u64, replication: u32, trust: u64) -> Self {
        let s = |n| stream(seed, replication, n, trust);
        TrustStreams {
            staff: s(StreamName::Staff),
            recruitment: s(StreamName::Recruitment),
            leaders: s(StreamName::Leaders),
            board: s(StreamName::Board),
            ceo_exit: s(StreamName::CeoExit),
            friction: s(StreamName::Friction),
            finance: s(StreamName::Finance),
            oversight: s(StreamName::Oversight),
            outcomes: s(StreamName::Outcomes),
            development: s(StreamName::Development),
        }
    }
}

/// What happened in a trust this month, for reporting.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthTally {
    pub engagement: f64,
    pub sickness_rate: f64,
    pub leaver_rate: f64,
    pub vacancy_rate: f64,
    pub in_post: u32,
    pub development_spend_gbp: f64,
    pub agency_spend_gbp: f64,
    pub mean_leader_capability: f64,
    pub leader_exits: u32,
}

/// One NHS trust.
#[derive(Debug, Clone)]
pub struct Trust {
    pub index: u32,
    pub kind: TrustType,
    pub establishment: u32,
    pub staff: StaffPool,
    pub teams: Vec<Team>,
    pub executives: Vec<Executive>,
    pub ceo: Ceo,
    /// Month the interim hands over to a permanent appointee.
    pub interim_until: Option<u32>,
    /// Month of the last change of CEO (permanent or interim).
    pub last_ceo_change: Option<u32>,
    pub friction: f64,
    pub improvement: f64,
    pub culture: f64,
    pub efficiency: f64,
    pub quality_shock: f64,
    pub oversight_level: u8,
    pub performance_score: f64,
    pub rating: Rating,
    pub quality: f64,
    pub experience: f64,
    pub mortality: f64,
    /// Surplus this month as a share of income.
    pub surplus_share: f64,
    income_12: [f64; 12],
    surplus_12: [f64; 12],
    quality_12: [f64; 12],
    leader_exits_12: [u32; 12],
    pub development: DevelopmentLedger,
    pub tally: MonthTally,
    pub streams: TrustStreams,
}

fn normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

/// Establishment (FTE posts) drawn for a trust of type `t`.
pub fn draw_establishment(
    t: &TrustTypeParams,
    staff_scale: f64,
    team_size: u32,
    rng: &mut Stream,
) -> u32 {
    let fte = LogNormal::new(t.staff_median_fte.ln(), t.staff_sigma_log)
        .map_or(t.staff_median_fte, |d| d.sample(rng))
        .clamp(t.staff_min_fte, t.staff_max_fte);
    ((fte * staff_scale).round() as u32).max(team_size)
}

impl Trust {
    /// Builds trust `index` of type `kind` at month 0 of burn-in.
    pub fn new(
        index: u32,
        kind: TrustType,
        p: &Params,
        replication: u32,
        next_ceo_id: &mut u64,
    ) -> Trust {
        let tp = p.trusts.all()[kind as usize];
        let mut rng = stream(p.run.seed, replication, StreamName::Init, u64::from(index));
        let n = draw_establishment(tp, p.run.staff_scale, p.staff.team_size, &mut rng);
        let staff = StaffPool::new(
            n as usize,
            tp.clinician_share,
            p.workforce.initial_vacancy_rate,
            p.staff.engagement_base - 0.2,
            &mut rng,
        );
        let ts = p.staff.team_size;
        let l = &p.leaders;
        let mut teams = Vec::with_capacity(n.div_ceil(ts) as usize);
        let mut start = 0;
        while start < n {
            let end = (start + ts).min(n);
            let clinical_post = rng.random::<f64>() < l.clinical_leader_share;
            let (mut leader, _) = Leader::appoint(clinical_post, l, &p.development, &mut rng);
            let months = rng.random_range(0..96u16);
            let ceiling = l.experience_ceiling as f32;
            if leader.capability < ceiling {
                let keep = (1.0 - l.experience_rate as f32).powi(i32::from(months));
                leader.capability = ceiling - (ceiling - leader.capability) * keep;
            }
            leader.tenure_months = months;
            let mean = staff_mean(&staff, start, end);
            teams.push(Team {
                start,
                end,
                leader,
                mean_engagement: mean,
            });
            start = end;
        }
        let executives = (0..p.board.executives)
            .map(|_| {
                let mut e = Executive::appoint(&p.board, l, &mut rng);
                e.tenure_months = rng.random_range(0..96);
                e
            })
            .collect();
        // The sitting CEO: elapsed tenure is a uniform share of a baseline
        // Weibull spell, so burn-in starts near the steady state.
        let spell = p.ceo.hazard_scale_months
            * (-rng.random::<f64>().max(1e-12).ln()).powf(1.0 / p.ceo.hazard_shape);
        let elapsed = (rng.random::<f64>() * spell).min(180.0);
        let age = (p.ceo.first_appointment_age + 3.0 + p.ceo.appointment_age_sd * normal(&mut rng))
            .clamp(35.0, 64.0);
        let clinical = rng.random::<f64>() < p.board.clinician_share;
        let cap =
            (p.ceo.experienced_capability + p.ceo.capability_sd * normal(&mut rng)).clamp(0.0, 1.0);
        let ceo = Ceo {
            id: *next_ceo_id,
            pathway: if clinical {
                Pathway::Clinical
            } else {
                Pathway::GeneralManagement
            },
            capability: cap as f32,
            compassion: (l.compassion_mean + l.compassion_sd * normal(&mut rng)).clamp(0.0, 1.0)
                as f32,
            age_at_start: age as f32,
            start_month: -(elapsed.round() as i32),
            interim: false,
            internal: rng.random::<f64>() < 0.3,
            first_time: rng.random::<f64>() < 0.5,
        };
        *next_ceo_id += 1;
        let s = &p.staff;
        let culture_sd = if s.culture_persistence < 1.0 {
            s.culture_noise_sd / (1.0 - s.culture_persistence * s.culture_persistence).sqrt()
        } else {
            s.culture_noise_sd
        };
        let culture = culture_sd * normal(&mut rng);
        let efficiency = p.finance.efficiency_sd * normal(&mut rng);
        let tally = MonthTally {
            engagement: p.staff.engagement_base - 0.2,
            sickness_rate: 0.045,
            leaver_rate: 0.009,
            vacancy_rate: p.workforce.initial_vacancy_rate,
            in_post: n,
            mean_leader_capability: teams
                .iter()
                .map(|t| f64::from(t.leader.capability))
                .sum::<f64>()
                / teams.len().max(1) as f64,
            ..MonthTally::default()
        };
        Trust {
            index,
            kind,
            establishment: n,
            staff,
            teams,
            executives,
            ceo,
            interim_until: None,
            last_ceo_change: None,
            friction: p.friction.reference,
            improvement: 0.5,
            culture,
            efficiency,
            quality_shock: 0.0,
            oversight_level: 1,
            performance_score: 0.0,
            rating: Rating::Good,
            quality: p.outcomes.quality_base,
            experience: p.outcomes.experience_base,
            mortality: 1.0,
            surplus_share: 0.0,
            income_12: [0.0; 12],
            surplus_12: [0.0; 12],
            quality_12: [p.outcomes.quality_base; 12],
            leader_exits_12: [0; 12],
            development: DevelopmentLedger::default(),
            tally,
            streams: TrustStreams::new(p.run.seed, replication, u64::from(index)),
        }
    }

    /// Surplus over the last 12 months as a share of income.
    pub fn surplus_share_12(&self) -> f64 {
        let inc: f64 = self.income_12.iter().sum();
        if inc > 0.0 {
            self.surplus_12.iter().sum::<f64>() / inc
        } else {
            0.0
        }
    }

    /// Mean quality index over the last 12 months.
    pub fn quality_12(&self) -> f64 {
        self.quality_12.iter().sum::<f64>() / 12.0
    }

    /// Workload from last month's vacancies and sickness and this month's demand.
    pub fn workload(&self, env: &Environment, p: &Params) -> f64 {
        let tp = p.trusts.all()[self.kind as usize];
        (p.workforce.vacancy_workload * self.tally.vacancy_rate
            + p.workforce.sickness_workload * self.tally.sickness_rate
            + tp.demand_sensitivity * (env.demand - 1.0)
            + p.workforce.technology_workload * (env.technology - 1.0))
            .max(0.0)
    }

    /// Instability felt after a CEO change (1 at the change, decaying).
    pub fn instability(&self, month: u32, p: &Params) -> f64 {
        self.last_ceo_change.map_or(0.0, |c| {
            (-(f64::from(month - c)) / p.ceo.instability_months).exp()
        })
    }

    /// Share of the last oversight score below zero.
    pub fn performance_shortfall(&self) -> f64 {
        (-self.performance_score).max(0.0)
    }

    /// Runs every within-trust process for `month`; returns a CEO exit if one
    /// was drawn.
    pub fn step(&mut self, month: u32, env: &Environment, p: &Params) -> Option<ExitRoute> {
        let workload = self.workload(env, p);
        self.step_staff(month, workload, env, p);
        self.step_leaders(month, workload, p);
        self.step_board(month, p);
        let spend = self.step_development(month, p);
        self.step_friction(env, p);
        self.step_finance(month, env, p, spend);
        self.step_outcomes(month, workload, env, p, spend);
        if month % 3 == 2 {
            self.step_oversight(p);
        }
        if month % 12 == 11 {
            self.rating = rate(self.quality_12(), p);
        }
        if self.ceo.interim {
            return None;
        }
        let ctx = CeoContext {
            oversight_level: self.oversight_level,
            performance_shortfall: self.performance_shortfall(),
            friction: self.friction,
        };
        ceo::draw_exit(
            &self.ceo,
            month,
            ctx,
            &p.ceo,
            &p.oversight,
            p.friction.reference,
            &mut self.streams.ceo_exit,
        )
    }

    fn step_staff(&mut self, month: u32, workload: f64, env: &Environment, p: &Params) {
        let s = &p.staff;
        self.culture = s.culture_persistence * self.culture
            + s.culture_noise_sd * normal(&mut self.streams.outcomes);
        let ceo_q = self
            .ceo
            .quality(month, &p.ceo, p.leaders.compassion_quality_weight);
        let trust_target = s.engagement_base
            - s.workload_weight * workload
            - s.friction_weight * (self.friction - p.friction.reference)
            - s.instability_weight * self.instability(month, p)
            - if self.ceo.interim {
                s.interim_weight
            } else {
                0.0
            }
            + s.ceo_weight * (ceo_q - 0.5)
            + self.culture;
        let tables = HazardTables::new(s, workload);
        let fill =
            (p.workforce.fill_rate_monthly / env.workforce_shortage.max(1e-6)).clamp(0.0, 1.0);
        let fill_threshold = (fill * f64::from(u32::MAX)) as u32;
        let mut total = super::staff::StaffTally::default();
        for team in &mut self.teams {
            let target = trust_target + s.leader_weight * (team.leader.quality(&p.leaders) - 0.5);
            let t = self.staff.step_team(
                team.start as usize..team.end as usize,
                target,
                team.mean_engagement,
                s,
                &tables,
                fill_threshold,
                s.new_starter_engagement as f32,
                &mut self.streams.staff,
                &mut self.streams.recruitment,
            );
            if t.in_post > 0 {
                team.mean_engagement = t.engagement_sum / f64::from(t.in_post);
            }
            total.in_post += t.in_post;
            total.sick += t.sick;
            total.leavers += t.leavers;
            total.joiners += t.joiners;
            total.engagement_sum += t.engagement_sum;
        }
        let n = f64::from(total.in_post.max(1));
        self.tally.engagement = total.engagement_sum / n;
        self.tally.sickness_rate = f64::from(total.sick) / n;
        self.tally.leaver_rate =
            f64::from(total.leavers) / f64::from((total.in_post + total.leavers).max(1));
        self.tally.in_post = total.in_post + total.joiners;
        self.tally.vacancy_rate =
            1.0 - f64::from(self.tally.in_post) / f64::from(self.establishment.max(1));
    }

    fn step_leaders(&mut self, month: u32, workload: f64, p: &Params) {
        let l = &p.leaders;
        let rng = &mut self.streams.leaders;
        let stress_target = workload + self.friction;
        let n_leaders = self.teams.len().max(1) as f64;
        let mut exits = 0;
        let mut cap_sum = 0.0;
        for team in &mut self.teams {
            team.leader.learn(month, stress_target, l, &p.development);
            if rng.random::<f64>() < team.leader.leave_probability(l) {
                exits += 1;
                // A developed leader takes their share of improvement capability along.
                if team.leader.formal_done + team.leader.practical_done > 0 {
                    self.improvement -= l.capability_loss_on_exit * self.improvement / n_leaders;
                }
                let clinical_post = team.leader.pathway.is_clinical();
                let (leader, promoted) = Leader::appoint(clinical_post, l, &p.development, rng);
                team.leader = leader;
                if promoted {
                    self.staff
                        .promote_out(team.start as usize..team.end as usize, rng);
                }
            }
            cap_sum += f64::from(team.leader.capability);
        }
        self.improvement = self.improvement.max(0.0);
        self.tally.mean_leader_capability = cap_sum / n_leaders;
        self.tally.leader_exits = exits;
        self.leader_exits_12[(month % 12) as usize] = exits;
    }

    fn step_board(&mut self, month: u32, p: &Params) {
        let since = self.last_ceo_change.map_or(u32::MAX, |c| month - c);
        let pl = Executive::leave_probability(&p.board, since);
        let rng = &mut self.streams.board;
        for e in &mut self.executives {
            e.learn(month, &p.development);
            if rng.random::<f64>() < pl {
                *e = Executive::appoint(&p.board, &p.leaders, rng);
            }
        }
    }

    /// Buys development places and assigns them; returns this month's spend.
    fn step_development(&mut self, month: u32, p: &Params) -> f64 {
        let d = &p.development;
        let paybill = f64::from(self.establishment) * p.finance.pay_per_fte_gbp;
        let purchase = self.development.buy(d, paybill, self.establishment);
        let mut spend = purchase.spend_gbp;
        let rng = &mut self.streams.development;
        for (k, iv) in d.interventions().iter().enumerate() {
            for placed in 0..purchase.places[k] {
                let en = Enrolment {
                    intervention: k as u8,
                    effect_month: month + iv.duration_months + iv.lag_months,
                    joint: rng.random::<f64>() < d.joint_share,
                };
                let mut done = false;
                if iv.executive {
                    if let Some(e) = self
                        .executives
                        .iter_mut()
                        .find(|e| !e.ready && e.enrolment.is_none())
                    {
                        e.enrolment = Some(en);
                        done = true;
                    }
                }
                if !done && !self.teams.is_empty() {
                    let n = self.teams.len();
                    let off = rng.random_range(0..n);
                    for j in 0..n.min(64) {
                        let team = &mut self.teams[(off + j * 7919) % n];
                        if team.leader.enrolment.is_none() {
                            team.leader.enrolment = Some(en);
                            team.leader.invested_gbp += iv.cost_gbp as f32;
                            done = true;
                            break;
                        }
                    }
                }
                if !done {
                    let unplaced = purchase.places[k] - placed;
                    self.development.refund(d, k, unplaced);
                    spend -= f64::from(unplaced) * iv.cost_gbp;
                    break;
                }
            }
        }
        self.tally.development_spend_gbp = spend;
        spend
    }

    fn step_friction(&mut self, env: &Environment, p: &Params) {
        let f = &p.friction;
        let n = self.teams.len().max(1) as f64;
        let (mut comp, mut hybrid, mut joint) = (0.0, 0.0, 0.0);
        for t in &self.teams {
            comp += f64::from(t.leader.compassion);
            hybrid += f64::from(u8::from(t.leader.pathway == Pathway::Hybrid));
            joint += f64::from(u8::from(t.leader.joint_done));
        }
        let board_clin = self.executives.iter().filter(|e| e.clinical).count() as f64
            / self.executives.len().max(1) as f64;
        let churn = self.leader_exits_12.iter().sum::<u32>() as f64 / n;
        let target = f.base
            + f.finance_weight * (-self.surplus_share_12()).max(0.0)
            + f.oversight_weight * p.oversight.punitiveness * f64::from(self.oversight_level - 1)
            + f.command_style_weight * (1.0 - comp / n)
            + f.board_weight * (0.5 - board_clin).max(0.0)
            + f.churn_weight * churn
            - f.hybrid_weight * hybrid / n
            - f.joint_development_weight * joint / n
            + f.integration_weight * (env.integration - 1.0);
        self.friction += f.adjust_rate * (target - self.friction)
            + f.noise_sd * normal(&mut self.streams.friction);
        self.friction = self.friction.clamp(0.0, 1.0);
    }

    fn step_finance(&mut self, month: u32, env: &Environment, p: &Params, dev_spend: f64) {
        let fi = &p.finance;
        let tp = p.trusts.all()[self.kind as usize];
        let pay_month = fi.pay_per_fte_gbp / 12.0;
        let n = f64::from(self.establishment);
        let income = n * pay_month * fi.income_to_pay_ratio / env.financial_constraint.max(1e-6);
        let filled = f64::from(self.tally.in_post);
        let vacant = (n - filled).max(0.0);
        let sick = filled * self.tally.sickness_rate;
        let agency = (vacant + sick)
            * p.workforce.agency_cover_share
            * pay_month
            * (1.0 + p.workforce.agency_premium);
        let base_income = n * pay_month * fi.income_to_pay_ratio;
        let non_pay = base_income
            * fi.non_pay_share
            * (1.0 + fi.demand_cost_slope * tp.demand_sensitivity * (env.demand - 1.0));
        let ceo_cap = if self.ceo.interim {
            f64::from(self.ceo.capability)
        } else {
            self.ceo.effective_capability(month, &p.ceo)
        };
        let adjust = income
            * (self.efficiency
                + fi.ceo_capability_effect * (ceo_cap - 0.5)
                + fi.improvement_effect * (self.improvement - 0.5)
                + fi.noise_sd * normal(&mut self.streams.finance));
        let surplus = income - filled * pay_month - agency - non_pay - dev_spend + adjust;
        self.surplus_share = surplus / income;
        let k = (month % 12) as usize;
        self.income_12[k] = income;
        self.surplus_12[k] = surplus;
        self.tally.agency_spend_gbp = agency;
    }

    fn step_outcomes(
        &mut self,
        month: u32,
        workload: f64,
        env: &Environment,
        p: &Params,
        dev_spend: f64,
    ) {
        let q = &p.outcomes;
        let rng = &mut self.streams.outcomes;
        let per_1000 = f64::from(self.establishment) / 1_000.0;
        self.improvement = (self.improvement * (1.0 - q.improvement_decay)
            + q.improvement_build
                * (1.0 + q.technology_improvement * (env.technology - 1.0)).max(0.0)
                * self.tally.mean_leader_capability
                * (1.0 - self.friction)
            + q.improvement_per_development * (dev_spend / 1_000.0) / per_1000.max(1e-9)
            + p.oversight.support_improvement
                * f64::from(self.oversight_level - 1)
                * (1.0 - p.oversight.punitiveness))
            .clamp(0.0, 1.0);
        self.quality_shock =
            q.quality_persistence * self.quality_shock + q.quality_noise_sd * normal(rng);
        self.quality = (q.quality_base
            + q.quality_engagement * (self.tally.engagement - 6.9)
            + q.quality_improvement * (self.improvement - 0.5)
            - q.quality_workload * workload
            - q.quality_friction * (self.friction - p.friction.reference)
            + q.quality_leadership * (self.tally.mean_leader_capability - 0.5)
            + self.quality_shock)
            .clamp(0.0, 100.0);
        self.quality_12[(month % 12) as usize] = self.quality;
        self.experience = (q.experience_base
            + q.experience_engagement * (self.tally.engagement - 6.9)
            - q.experience_expectations * (env.expectations - 1.0)
            + q.experience_noise_sd * normal(rng))
        .clamp(0.0, 10.0);
        self.mortality = (1.0
            + q.mortality_per_quality_point * (q.quality_base - self.quality)
            + q.mortality_noise_sd * normal(rng))
        .clamp(0.5, 2.0);
    }

    fn step_oversight(&mut self, p: &Params) {
        let o = &p.oversight;
        self.performance_score = o.finance_weight * 100.0 * self.surplus_share_12()
            + o.quality_weight * (self.quality_12() - p.outcomes.quality_base);
        let rng = &mut self.streams.oversight;
        let u: f64 = rng.random();
        if self.performance_score < o.escalate_below
            && self.oversight_level < 4
            && u < o.escalate_probability
        {
            self.oversight_level += 1;
        } else if self.performance_score > o.deescalate_above
            && self.oversight_level > 1
            && u < o.deescalate_probability
        {
            self.oversight_level -= 1;
        }
    }

    /// Number of team leaders.
    pub fn leaders(&self) -> usize {
        self.teams.len()
    }

    /// Share of executives developed for a CEO post, plus succession planning.
    pub fn pipeline_strength(&self, p: &Params) -> f64 {
        let ready = self.executives.iter().filter(|e| e.ready).count() as f64
            / self.executives.len().max(1) as f64;
        (ready + p.development.succession_planning).min(1.0)
    }
}

fn staff_mean(s: &StaffPool, start: u32, end: u32) -> f64 {
    s.team_mean(start as usize..end as usize).0
}

/// The rating for a 12-month mean quality index.
pub fn rate(quality: f64, p: &Params) -> Rating {
    let q = &p.outcomes;
    if quality >= q.outstanding_above {
        Rating::Outstanding
    } else if quality >= q.good_above {
        Rating::Good
    } else if quality >= q.requires_improvement_above {
        Rating::RequiresImprovement
    } else {
        Rating::Inadequate
    }
}

/// Draws a CEO capability around `mean`.
pub fn draw_capability(mean: f64, sd: f64, rng: &mut Stream) -> f32 {
    let v = if sd > 0.0 {
        Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
    } else {
        mean
    };
    v.clamp(0.0, 1.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Params {
        crate::model::params::edited(|p| p.run.staff_scale = 0.05)
    }

    #[test]
    fn a_new_trust_is_consistent() {
        let p = small();
        let mut id = 0;
        let t = Trust::new(3, TrustType::Acute, &p, 0, &mut id);
        assert_eq!(t.staff.len() as u32, t.establishment);
        assert_eq!(t.teams.first().unwrap().start, 0);
        assert_eq!(t.teams.last().unwrap().end, t.establishment);
        assert!(t.teams.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(t.executives.len() as u32, p.board.executives);
        assert_eq!(id, 1);
    }

    #[test]
    fn ratings_follow_the_cut_offs() {
        let p = Params::default();
        assert_eq!(rate(80.0, &p), Rating::Outstanding);
        assert_eq!(rate(70.0, &p), Rating::Good);
        assert_eq!(rate(65.0, &p), Rating::RequiresImprovement);
        assert_eq!(rate(50.0, &p), Rating::Inadequate);
    }

    #[test]
    fn high_friction_and_deficit_push_oversight_up() {
        let p = small();
        let mut id = 0;
        let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        t.surplus_12 = [-0.05; 12];
        t.income_12 = [1.0; 12];
        t.quality_12 = [60.0; 12];
        for _ in 0..40 {
            t.step_oversight(&p);
        }
        assert_eq!(t.oversight_level, 4);
    }

    #[test]
    fn friction_rises_under_punitive_oversight_and_deficit() {
        let p = small();
        let env = Environment::at(&p.pressures, 0);
        let mut id = 0;
        let mut calm = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        let mut hot = calm.clone();
        hot.oversight_level = 4;
        hot.surplus_12 = [-0.05; 12];
        hot.income_12 = [1.0; 12];
        for _ in 0..60 {
            calm.step_friction(&env, &p);
            hot.step_friction(&env, &p);
        }
        assert!(
            hot.friction > calm.friction + 0.1,
            "{} vs {}",
            hot.friction,
            calm.friction
        );
    }

    #[test]
    fn vacancies_and_financial_constraint_erode_the_surplus() {
        let p = small();
        let mut id = 0;
        let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        let env = Environment::at(&p.pressures, 0);
        let surplus = |t: &Trust, env: &Environment, in_post: u32| {
            let mut t = t.clone();
            t.tally.in_post = in_post;
            t.efficiency = 0.0;
            t.step_finance(0, env, &p, 0.0);
            100.0 * t.surplus_share
        };
        let full = surplus(&t, &env, t.establishment);
        let short = surplus(&t, &env, t.establishment * 8 / 10);
        assert!(
            short < full,
            "agency cover at a premium costs more: {short} vs {full}"
        );
        let tight = Environment {
            financial_constraint: 1.1,
            ..env
        };
        assert!(surplus(&t, &tight, t.establishment) < full - 5.0);
    }

    #[test]
    fn friction_and_workload_lower_quality() {
        let p = small();
        let mut id = 0;
        let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        let env = Environment::at(&p.pressures, 0);
        let quality = |friction: f64, workload: f64| {
            let mut t = t.clone();
            t.friction = friction;
            t.streams.outcomes = crate::model::rng::from_u64(1);
            t.step_outcomes(0, workload, &env, &p, 0.0);
            (t.quality, t.mortality)
        };
        let (q0, m0) = quality(0.3, 0.1);
        let (q1, m1) = quality(0.6, 0.1);
        let (q2, _) = quality(0.3, 0.5);
        assert!(q1 < q0 && q2 < q0 && m1 > m0);
    }

    #[test]
    fn technology_pressure_adds_workload_and_improvement() {
        let p = small();
        let mut id = 0;
        let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        let flat = Environment::at(&p.pressures, 0);
        let tech = Environment {
            technology: 2.0,
            ..flat
        };
        assert!(t.workload(&tech, &p) > t.workload(&flat, &p));
        let (mut a, mut b) = (t.clone(), t.clone());
        for m in 0..24 {
            a.step_outcomes(m, 0.2, &flat, &p, 0.0);
            b.step_outcomes(m, 0.2, &tech, &p, 0.0);
        }
        assert!(b.improvement > a.improvement);
    }

    #[test]
    fn a_trust_month_keeps_every_quantity_in_range() {
        let p = small();
        let mut id = 0;
        let mut t = Trust::new(1, TrustType::MentalHealth, &p, 0, &mut id);
        for m in 0..36 {
            let env = Environment::at(&p.pressures, m);
            let _ = t.step(m, &env, &p);
            assert!((0.0..=10.0).contains(&t.tally.engagement));
            assert!((0.0..=1.0).contains(&t.tally.sickness_rate));
            assert!((0.0..=1.0).contains(&t.friction));
            assert!((1..=4).contains(&t.oversight_level));
            assert!(t.tally.in_post <= t.establishment);
            assert!(t.surplus_share.is_finite());
        }
    }
}
