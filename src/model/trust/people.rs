//! The people of a trust each month: staff engagement, sickness, leaving and
//! recruitment (through the team leaders who buffer what comes from the
//! top), the team-leader pipeline, the executive board with its vacancies
//! and interims, and development places.

use std::cell::RefCell;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::{EndedExec, ExecExit, Trust};
use crate::model::environment::Environment;
use crate::model::leaders::{Enrolment, Executive, Leader};
use crate::model::params::Params;
use crate::model::rng::Stream;
use crate::model::staff::{MonthConstants, StaffTally, TeamStep, team_step};
use crate::model::{Pathway, Rating};

thread_local! {
    /// A thread's scratch for a trust-month's team steps and tallies.
    static TEAM_SCRATCH: RefCell<(Vec<TeamStep>, Vec<StaffTally>)> = RefCell::default();
}

/// A geometric number of months with mean `mean` (at least 1).
pub fn geometric_months(mean: f64, rng: &mut Stream) -> u32 {
    let q = 1.0 / mean.max(1.0);
    if q >= 1.0 {
        return 1;
    }
    let u: f64 = rng.random::<f64>().max(1e-12);
    1 + (u.ln() / (1.0 - q).ln()).floor() as u32
}

/// Mean compassion of a trust's team leaders, and the shares of them in
/// hybrid roles and with joint development.
pub(super) type LeaderMix = (f64, f64, f64);

/// The sums behind a [`LeaderMix`], leader by leader in team order. The
/// hybrid and joint shares are counted in integers (a sum of ones in
/// `f64` is the count exactly): summed as `f64`, the choice of 1 or 0
/// compiled to a branch on each leader's pathway, which goes each way from
/// leader to leader, and the loop ran a third slower.
#[derive(Default)]
struct MixSums {
    compassion: f64,
    hybrid: u32,
    joint: u32,
}

impl MixSums {
    fn add(&mut self, leader: &Leader) {
        self.compassion += f64::from(leader.compassion);
        self.hybrid += u32::from(leader.pathway == Pathway::Hybrid);
        self.joint += u32::from(leader.joint_done);
    }

    fn mean(&self, n: f64) -> LeaderMix {
        (
            self.compassion / n,
            f64::from(self.hybrid) / n,
            f64::from(self.joint) / n,
        )
    }
}

impl Trust {
    /// The engagement target shared by every team, before its leader's
    /// contribution and before disruption: workload, friction, the CEO's
    /// influence on the climate (built up slowly) and local culture.
    fn trust_target(&mut self, month: u32, workload: f64, p: &Params) -> f64 {
        let s = &p.staff;
        let z: f64 = StandardNormal.sample(&mut self.streams.outcomes);
        self.culture = s.culture_persistence * self.culture + s.culture_noise_sd * z;
        let ceo_q = self
            .ceo
            .quality(month, &p.ceo, p.leaders.compassion_quality_weight);
        self.climate += (s.ceo_weight * (ceo_q - 0.5) - self.climate) / s.climate_months;
        s.engagement_base
            - p.trusts.of(self.kind).job_demands
            - s.workload_weight * workload
            - s.friction_weight * (self.friction - p.friction.reference)
            + self.climate
            + self.culture
    }

    pub(super) fn step_staff(&mut self, month: u32, workload: f64, env: &Environment, p: &Params) {
        let s = &p.staff;
        let trust_target = self.trust_target(month, workload, p);
        // Disruption from the top (a new CEO, an interim) reaches a team
        // only as far as its leader lets it.
        let disruption = s.instability_weight * self.instability(month, p)
            + if self.ceo.interim {
                s.interim_weight
            } else {
                0.0
            };
        // The type's exposure and labour market, and the trust's own.
        let tp = p.trusts.of(self.kind);
        let market = self.traits.labour_market.exp();
        let fill = (p.workforce.fill_rate_monthly * tp.recruitment
            / (market * env.workforce_shortage.max(1e-6)))
        .clamp(0.0, 1.0);
        let sickness = env.sickness * tp.sickness_exposure * self.traits.sickness.exp();
        let leaving = tp.leave_market * market;
        let k = MonthConstants::in_season(s, workload, fill, sickness, leaving);
        let mut total = StaffTally::default();
        // The teams' steps and tallies in the thread's scratch, reused from
        // trust to trust (two allocations a trust-month otherwise).
        TEAM_SCRATCH.with_borrow_mut(|(steps, tallies)| {
            steps.clear();
            steps.extend(self.teams.iter().map(|team| {
                let q = team.leader.quality(&p.leaders);
                let target = trust_target + s.leader_weight * (q - 0.5)
                    - disruption * (1.0 - s.leader_buffer * q);
                team_step(
                    s,
                    team.start as usize..team.end as usize,
                    target,
                    team.mean_engagement,
                )
            }));
            self.staff.step_month(month, steps, &k, tallies);
            self.close_staff_month(tallies, &mut total);
        });
        let n = f64::from(total.in_post.max(1));
        self.tally.engagement = total.engagement_sum / n;
        self.tally.sickness_rate = f64::from(total.sick) / n;
        self.tally.leaver_rate =
            f64::from(total.leavers) / f64::from((total.in_post + total.leavers).max(1));
        self.tally.in_post = total.in_post + total.joiners;
        self.tally.vacancy_rate =
            1.0 - f64::from(self.tally.in_post) / f64::from(self.establishment.max(1));
    }

    /// Each team's mean engagement from its tally of the month (unchanged
    /// where nobody stayed), and the trust's totals.
    fn close_staff_month(&mut self, tallies: &[StaffTally], total: &mut StaffTally) {
        for (team, t) in self.teams.iter_mut().zip(tallies) {
            if t.in_post > 0 {
                team.mean_engagement = t.engagement_sum / f64::from(t.in_post);
            }
            total.in_post += t.in_post;
            total.sick += t.sick;
            total.leavers += t.leavers;
            total.joiners += t.joiners;
            total.engagement_sum += t.engagement_sum;
        }
    }

    /// The team leaders' month; returns the mix of leaders it leaves
    /// (as [`Trust::leader_mix`] gives it, summed with their mean
    /// capability and quality).
    pub(super) fn step_leaders(&mut self, month: u32, workload: f64, p: &Params) -> LeaderMix {
        let l = &p.leaders;
        let rng = &mut self.streams.leaders;
        let stress_target = workload + self.friction;
        let n_leaders = self.teams.len().max(1) as f64;
        let mut exits = 0;
        let (mut cap_sum, mut quality_sum) = (0.0, 0.0);
        let mut mix = MixSums::default();
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
        }
        // The sums in a loop of their own: in the loop above they loaded
        // capability and compassion as one 8-byte word just after `learn`
        // had stored capability as 4 bytes, which the processor cannot
        // forward from the store (a stall at every team).
        for team in &self.teams {
            cap_sum += f64::from(team.leader.capability);
            quality_sum += team.leader.quality(l);
            mix.add(&team.leader);
        }
        self.improvement = self.improvement.max(0.0);
        self.tally.mean_leader_capability = cap_sum / n_leaders;
        self.tally.mean_leader_quality = quality_sum / n_leaders;
        self.tally.leader_exits = exits;
        self.leader_exits_12[(month % 12) as usize] = exits;
        mix.mean(n_leaders)
    }

    /// Executives: development effects land; a substantive executive leaves
    /// with a hazard raised after a CEO change and under heavy oversight,
    /// leaving the post to an interim until a substantive appointee starts,
    /// later at an unattractive trust.
    pub(super) fn step_board(&mut self, month: u32, p: &Params) {
        let b = &p.board;
        let since = self.last_ceo_change.map_or(u32::MAX, |c| month - c);
        let inadequate = self.regulator.overall == Rating::Inadequate;
        let pl = Executive::leave_probability(b, since, self.oversight_level, inadequate);
        let vacancy_mean = self.exec_vacancy_months_mean(month, p);
        let rng = &mut self.streams.board;
        for (post, e) in self.executives.iter_mut().enumerate() {
            e.learn(month, &p.development);
            let ended = match e.acting_until {
                Some(until) if until <= month => {
                    let next = Executive::appoint(b, &p.leaders, month as i32, rng);
                    Some((std::mem::replace(e, next), ExecExit::InterimEnded))
                }
                Some(_) => None,
                None if rng.random::<f64>() < pl => {
                    let until = month + geometric_months(vacancy_mean, rng);
                    let next = Executive::acting(b, &p.leaders, month, until, rng);
                    Some((std::mem::replace(e, next), ExecExit::Left))
                }
                None => None,
            };
            if let Some((holder, route)) = ended {
                self.events.exec_ended.push(EndedExec {
                    post: post as u8,
                    holder,
                    end_month: month,
                    route,
                });
            }
        }
    }

    /// Mean months an executive post stays covered by an acting interim:
    /// longer at a trust that struggles to attract.
    fn exec_vacancy_months_mean(&self, month: u32, p: &Params) -> f64 {
        let b = &p.board;
        b.vacancy_months_mean
            * (1.0 + b.vacancy_struggle_extension * (1.0 - self.attractiveness(month, p)))
    }

    /// Moves the executive in `post` up to CEO; an acting interim covers the
    /// post they leave (stream `board`).
    pub fn promote_executive(&mut self, post: usize, month: u32, p: &Params) {
        let b = &p.board;
        let vacancy_mean = self.exec_vacancy_months_mean(month, p);
        let rng = &mut self.streams.board;
        let until = month + geometric_months(vacancy_mean, rng);
        let next = Executive::acting(b, &p.leaders, month, until, rng);
        let holder = std::mem::replace(&mut self.executives[post], next);
        self.events.exec_ended.push(EndedExec {
            post: post as u8,
            holder,
            end_month: month,
            route: ExecExit::Promoted,
        });
    }

    /// Buys development places for the trust's real size and assigns them.
    /// An executive intervention's places go first to the executives (the
    /// board is simulated whole, at every staff scale). A team leader's
    /// place falls on one of the simulated leaders with probability
    /// `run.staff_scale`, the share of the real trust's leaders the
    /// simulation holds, and otherwise on a leader outside it. Returns this
    /// month's spend: the simulated share (`run.staff_scale`) of the real
    /// trust's, as the pay bill and income are.
    pub(super) fn step_development(&mut self, month: u32, p: &Params) -> f64 {
        let d = &p.development;
        let scale = p.run.staff_scale;
        let real = self.real_size(p);
        let purchase = self.development.buy(
            d,
            p.finance.pay_per_fte_gbp,
            real,
            &mut self.streams.development_purchase,
        );
        let mut spend = purchase.spend_gbp;
        for (k, iv) in d.interventions().iter().enumerate() {
            for placed in 0..purchase.places[k] {
                let en = Enrolment {
                    intervention: k as u8,
                    effect_month: month + iv.duration_months + iv.lag_months,
                    joint: self.streams.development.random::<f64>() < d.joint_share,
                };
                let mut done = false;
                if iv.executive
                    && let Some(e) = self
                        .executives
                        .iter_mut()
                        .find(|e| !e.ready && e.enrolment.is_none() && !e.is_acting())
                {
                    e.enrolment = Some(en);
                    done = true;
                }
                if !done && self.streams.development_purchase.random::<f64>() >= scale {
                    // A leader of the real trust outside the simulated share.
                    continue;
                }
                if !done && !self.teams.is_empty() {
                    let rng = &mut self.streams.development;
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
        let spend = spend * scale;
        self.tally.development_spend_gbp = spend;
        spend
    }

    /// Mean compassion of the team leaders, and the shares in hybrid roles
    /// and with joint development.
    pub(super) fn leader_mix(&self) -> LeaderMix {
        let mut mix = MixSums::default();
        for t in &self.teams {
            mix.add(&t.leader);
        }
        mix.mean(self.teams.len().max(1) as f64)
    }
}
