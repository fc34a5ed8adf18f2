//! Process 8 (continued), the CEO labour market: vacancies, interims and
//! appointments. It runs once a month after every trust has stepped, in trust
//! order, from one replication-wide stream, so its outcome does not depend on
//! how the trusts were scheduled.
//!
//! A vacancy is filled at once (planned succession) or by an interim for a
//! geometric number of months. The permanent appointee is an internal
//! successor from the board, an experienced CEO moving from another trust
//! (whose trust then has a vacancy: a chain), an experienced returner, or a
//! first-time external CEO, chosen by weights. How attractive the post is
//! (the trust's size, rating, oversight and recent churn) shapes all of
//! this: a struggling trust has fewer planned handovers and longer interims,
//! draws fewer experienced candidates and weaker appointees, and movers go
//! to bigger trusts from trusts with good records.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::ceo::Ceo;
use super::leaders::Executive;
use super::params::{CeoParams, Params};
use super::regulator::rating_score;
use super::rng::Stream;
use super::trust::{Trust, draw_capability};
use super::{ExitRoute, Pathway};

/// A spell that ended this month, before conversion into an output record.
#[derive(Debug, Clone)]
pub struct EndedSpell {
    pub trust: u32,
    pub ceo: Ceo,
    pub end_month: u32,
    pub route: ExitRoute,
}

/// Source of a permanent appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Internal,
    Move,
    Returner,
    FirstTime,
}

/// The replication-wide CEO labour market.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Market {
    pub next_id: u64,
    rng: Stream,
}

impl Market {
    pub fn new(next_id: u64, rng: Stream) -> Self {
        Market { next_id, rng }
    }

    fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Handles this month's exits (`exits[i]` for trust `i`) and interims
    /// that are due to hand over, each post with the parameters of its
    /// trust (`ps[i]`, which differ between trusts only under a targeted
    /// policy). Ended spells are pushed to `ended`.
    pub fn step(
        &mut self,
        month: u32,
        trusts: &mut [Trust],
        exits: &[Option<ExitRoute>],
        ps: &[&Params],
        ended: &mut Vec<EndedSpell>,
    ) {
        let mut vacancies: VecDeque<usize> = VecDeque::new();
        for (i, e) in exits.iter().enumerate() {
            if let Some(route) = e {
                ended.push(EndedSpell {
                    trust: i as u32,
                    ceo: trusts[i].ceo.clone(),
                    end_month: month,
                    route: *route,
                });
                vacancies.push_back(i);
            }
        }
        for i in 0..trusts.len() {
            if trusts[i].interim_until == Some(month) {
                ended.push(EndedSpell {
                    trust: i as u32,
                    ceo: trusts[i].ceo.clone(),
                    end_month: month,
                    route: ExitRoute::InterimEnded,
                });
                self.appoint(i, month, trusts, ps[i], ended, &mut vacancies);
            }
        }
        while let Some(i) = vacancies.pop_front() {
            let p = ps[i];
            let c = &p.ceo;
            let pipeline = trusts[i].pipeline_strength(p);
            let planned = c.direct_succession_share
                + (1.0 - c.direct_succession_share) * c.pipeline_direct_succession * pipeline;
            let a = trusts[i].attractiveness(month, p);
            let direct = planned * (1.0 - c.struggle_direct_succession * (1.0 - a));
            if self.rng.random::<f64>() < direct {
                self.appoint(i, month, trusts, p, ended, &mut vacancies);
            } else {
                self.start_interim(i, month, trusts, p);
            }
        }
    }

    fn start_interim(&mut self, i: usize, month: u32, trusts: &mut [Trust], p: &Params) {
        let a = trusts[i].attractiveness(month, p);
        let mean = p.ceo.interim_months_mean * (1.0 + p.ceo.struggle_interim_extension * (1.0 - a));
        let months = super::trust::geometric_months(mean, &mut self.rng);
        let id = self.new_id();
        let t = &mut trusts[i];
        let (cap, comp, clinical) = t
            .executives
            .iter()
            .filter(|e| !e.is_acting())
            .max_by(|a, b| a.capability.total_cmp(&b.capability))
            .map_or(
                (
                    p.ceo.first_time_capability as f32,
                    p.leaders.compassion_mean as f32,
                    false,
                ),
                |e| {
                    (
                        e.capability * p.ceo.interim_capability_factor as f32,
                        e.compassion,
                        e.clinical,
                    )
                },
            );
        t.ceo = Ceo {
            id,
            pathway: if clinical {
                Pathway::Clinical
            } else {
                Pathway::GeneralManagement
            },
            capability: cap,
            compassion: comp,
            age_at_start: p.ceo.first_appointment_age as f32,
            start_month: month as i32,
            interim: true,
            internal: true,
            first_time: false,
        };
        t.interim_until = Some(month + months.max(1));
        t.note_ceo_start(month);
    }

    /// Chooses the source of a permanent appointment.
    pub fn choose_source(
        &mut self,
        internal_w: f64,
        move_w: f64,
        returner_w: f64,
        p: &Params,
    ) -> Source {
        let w = [internal_w, move_w, returner_w, p.ceo.first_time_weight];
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return Source::FirstTime;
        }
        let mut u = self.rng.random::<f64>() * total;
        for (k, wk) in w.iter().enumerate() {
            if u < *wk {
                return [
                    Source::Internal,
                    Source::Move,
                    Source::Returner,
                    Source::FirstTime,
                ][k];
            }
            u -= wk;
        }
        Source::FirstTime
    }

    /// Weights of the four sources for a post of attractiveness `a` at
    /// trust `i`, given whether any sitting CEO could be recruited away.
    fn source_weights(
        &self,
        t: &Trust,
        month: u32,
        a: f64,
        movers: bool,
        p: &Params,
    ) -> (f64, f64, f64) {
        let c = &p.ceo;
        let substantive = t.executives.iter().filter(|e| e.promotable(month)).count();
        let internal = if substantive == 0 {
            0.0
        } else {
            (c.internal_weight + c.pipeline_internal_weight * t.pipeline_strength(p))
                * substantive as f64
                / t.executives.len().max(1) as f64
        };
        let experienced = a.powf(c.struggle_experienced_power);
        let mover = if movers {
            c.move_weight * experienced
        } else {
            0.0
        };
        (internal, mover, c.returner_weight * experienced)
    }

    /// Chooses the sitting CEO recruited to trust `i`: CEOs move to bigger
    /// trusts, and a good record (their trust's rating) is sought.
    fn choose_mover(
        &mut self,
        i: usize,
        eligible: &[usize],
        trusts: &[Trust],
        p: &Params,
    ) -> usize {
        let size_i = trusts[i].real_size(p);
        let weights: Vec<f64> = eligible
            .iter()
            .map(|&j| {
                let t = &trusts[j];
                (p.ceo.move_size_gradient * (size_i / t.real_size(p)).ln()
                    + p.ceo.move_rating_weight * rating_score(t.regulator.overall))
                .exp()
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let mut u = self.rng.random::<f64>() * total;
        for (k, w) in weights.iter().enumerate() {
            if u < *w {
                return eligible[k];
            }
            u -= w;
        }
        eligible[eligible.len() - 1]
    }

    fn appoint(
        &mut self,
        i: usize,
        month: u32,
        trusts: &mut [Trust],
        p: &Params,
        ended: &mut Vec<EndedSpell>,
        vacancies: &mut VecDeque<usize>,
    ) {
        let c = &p.ceo;
        let a = trusts[i].attractiveness(month, p);
        let eligible = movable(i, month, trusts, vacancies, c);
        let (internal_w, move_w, returner_w) =
            self.source_weights(&trusts[i], month, a, !eligible.is_empty(), p);
        let source = self.choose_source(internal_w, move_w, returner_w, p);
        let id = self.new_id();
        let age_draw: f64 = StandardNormal.sample(&mut self.rng);
        let mut new = Ceo {
            id,
            pathway: Pathway::GeneralManagement,
            capability: 0.0,
            compassion: 0.0,
            age_at_start: (c.first_appointment_age + c.appointment_age_sd * age_draw)
                .clamp(30.0, 70.0) as f32,
            start_month: month as i32,
            interim: false,
            internal: false,
            first_time: true,
        };
        match source {
            Source::Internal => self.promote(i, month, &mut new, trusts, p),
            Source::Move => {
                let j = self.choose_mover(i, &eligible, trusts, p);
                let old = trusts[j].ceo.clone();
                new.pathway = old.pathway;
                new.capability = old.capability;
                new.compassion = old.compassion;
                new.age_at_start = old.age_at_start + old.tenure_months(month) as f32 / 12.0;
                new.first_time = false;
                ended.push(EndedSpell {
                    trust: j as u32,
                    ceo: old,
                    end_month: month,
                    route: ExitRoute::Moved,
                });
                // Trust j now has a vacancy: the chain continues.
                vacancies.push_back(j);
            }
            Source::Returner | Source::FirstTime => {
                self.draw_outsider(&mut new, source == Source::Returner, a, p);
            }
        }
        let restructure = !new.internal && self.rng.random::<f64>() < c.restructure_probability;
        let t = &mut trusts[i];
        if restructure {
            t.friction = (t.friction + c.restructure_friction).min(1.0);
        }
        t.ceo = new;
        t.interim_until = None;
        t.note_ceo_start(month);
    }

    /// An appointee from outside the trust's board: a returner (an
    /// experienced CEO not in post) or a first-time CEO, weaker where the
    /// post attracts less (`a`).
    fn draw_outsider(&mut self, new: &mut Ceo, experienced: bool, a: f64, p: &Params) {
        let c = &p.ceo;
        let mean = if experienced {
            c.experienced_capability
        } else {
            c.first_time_capability
        } - c.struggle_capability_penalty * (1.0 - a);
        new.capability = draw_capability(mean, c.capability_sd, &mut self.rng);
        new.compassion = draw_capability(
            p.leaders.compassion_mean,
            p.leaders.compassion_sd,
            &mut self.rng,
        );
        new.pathway = if self.rng.random::<f64>() < p.board.clinician_share {
            Pathway::Clinical
        } else {
            Pathway::GeneralManagement
        };
        if experienced {
            new.first_time = false;
            new.age_at_start += c.returner_extra_age as f32;
        }
    }

    /// The board's strongest substantive executive (a CEO-ready one
    /// preferred) becomes CEO; their post goes to an interim.
    fn promote(&mut self, i: usize, month: u32, new: &mut Ceo, trusts: &mut [Trust], p: &Params) {
        let bonus = p.ceo.ready_executive_bonus as f32;
        let t = &mut trusts[i];
        let score = |e: &Executive| e.capability + if e.ready { bonus } else { 0.0 };
        let best = (0..t.executives.len())
            .filter(|&k| t.executives[k].promotable(month))
            .max_by(|a, b| score(&t.executives[*a]).total_cmp(&score(&t.executives[*b])))
            .unwrap_or(0);
        let e = t.executives[best].clone();
        new.pathway = if e.clinical {
            Pathway::Clinical
        } else {
            Pathway::GeneralManagement
        };
        new.capability = e.capability;
        new.compassion = e.compassion;
        new.internal = true;
        t.promote_executive(best, month, p);
    }
}

/// Sitting permanent CEOs of other trusts who could be recruited away by
/// trust `i`; a trust still waiting in the vacancy queue has a CEO on the way
/// out.
fn movable(
    i: usize,
    month: u32,
    trusts: &[Trust],
    vacancies: &VecDeque<usize>,
    c: &CeoParams,
) -> Vec<usize> {
    let min = c.move_min_tenure_months.max(1);
    trusts
        .iter()
        .enumerate()
        .filter(|(j, t)| {
            *j != i
                && !vacancies.contains(j)
                && !t.ceo.interim
                && t.interim_until.is_none()
                && t.ceo.tenure_months(month) >= min
        })
        .map(|(j, _)| j)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TrustType;
    use crate::model::rng::from_u64;

    fn world(
        n: u32,
        edit: impl FnOnce(&mut crate::model::params::RawParams),
    ) -> (Params, Vec<Trust>, u64) {
        let p = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.01;
            edit(p);
        });
        let mut id = 0;
        let trusts = (0..n)
            .map(|i| Trust::new(i, TrustType::Acute, &p, 0, &mut id))
            .collect();
        (p, trusts, id)
    }

    fn only_moves(p: &mut crate::model::params::RawParams) {
        p.ceo.internal_weight = 0.0;
        p.ceo.pipeline_internal_weight = 0.0;
        p.ceo.returner_weight = 0.0;
        p.ceo.first_time_weight = 0.0;
        p.ceo.move_min_tenure_months = 0;
    }

    #[test]
    fn every_exit_is_followed_by_an_interim_or_appointment() {
        let (p, mut trusts, id) = world(10, |p| p.ceo.direct_succession_share = 0.0);
        let mut m = Market::new(id, from_u64(1));
        let mut ended = vec![];
        let mut exits = vec![None; 10];
        exits[3] = Some(ExitRoute::Dismissed);
        let old = trusts[3].ceo.id;
        m.step(100, &mut trusts, &exits, &[&p; 10], &mut ended);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].ceo.id, old);
        assert!(trusts[3].ceo.interim && trusts[3].interim_until.unwrap() > 100);
        let due = trusts[3].interim_until.unwrap();
        let interim = trusts[3].ceo.id;
        ended.clear();
        m.step(due, &mut trusts, &[None; 10], &[&p; 10], &mut ended);
        assert!(
            ended
                .iter()
                .any(|e| e.ceo.id == interim && e.route == ExitRoute::InterimEnded)
        );
        assert!(!trusts[3].ceo.interim && trusts[3].interim_until.is_none());
    }

    #[test]
    fn a_move_opens_a_vacancy_at_the_source_trust() {
        let (p, mut trusts, id) = world(5, |p| {
            only_moves(p);
            p.ceo.direct_succession_share = 1.0;
        });
        let mut m = Market::new(id, from_u64(2));
        let mut ended = vec![];
        let mut exits = vec![None; 5];
        exits[0] = Some(ExitRoute::Retired);
        m.step(200, &mut trusts, &exits, &[&p; 10], &mut ended);
        // With only moves allowed and direct succession, the chain runs until
        // nobody is eligible; every ended spell after the first is a move.
        assert!(ended.len() >= 2);
        assert!(ended[1..].iter().all(|e| e.route == ExitRoute::Moved));
        let ids: std::collections::BTreeSet<u64> = trusts.iter().map(|t| t.ceo.id).collect();
        assert_eq!(ids.len(), 5, "a CEO is in post at two trusts");
    }

    #[test]
    fn a_ceo_leaving_this_month_cannot_also_be_recruited_away() {
        // Regression: a retiring CEO was poached in the same month by a trust
        // whose interim handed over, leaving two spells and a CEO in two posts.
        let (p, mut trusts, id) = world(2, only_moves);
        trusts[0].ceo.start_month = 0;
        trusts[1].ceo.interim = true;
        trusts[1].interim_until = Some(100);
        let mut m = Market::new(id, from_u64(4));
        let mut ended = vec![];
        let exits = [Some(ExitRoute::Retired), None];
        m.step(100, &mut trusts, &exits, &[&p; 10], &mut ended);
        let retiring: Vec<_> = ended.iter().filter(|e| e.trust == 0).collect();
        assert_eq!(
            retiring.len(),
            1,
            "{:?}",
            ended.iter().map(|e| (e.trust, e.route)).collect::<Vec<_>>()
        );
        assert_eq!(retiring[0].route, ExitRoute::Retired);
    }

    #[test]
    fn source_weights_are_respected() {
        let p = Params::default();
        let mut m = Market::new(0, from_u64(3));
        let n = 10_000;
        let internal = (0..n)
            .filter(|_| m.choose_source(1.0, 0.0, p.ceo.returner_weight, &p) == Source::Internal)
            .count();
        let share = internal as f64 / n as f64;
        let expect = 1.0 / (1.0 + p.ceo.returner_weight + p.ceo.first_time_weight);
        assert!((share - expect).abs() < 0.02, "{share} vs {expect}");
    }
}
