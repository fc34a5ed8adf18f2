//! Processes 2 and 3: staff engagement, sickness, leaving and recruitment.
//!
//! Staff live in a struct of arrays, one slot per funded post. Teams are
//! contiguous runs of slots. A vacant slot is a vacancy; recruitment fills it
//! with a new starter. The monthly pass over a trust's staff is the model's
//! hot loop: it does no allocation and looks leaving and sickness
//! probabilities up in small tables built once per trust-month.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

use super::params::StaffParams;
use super::rng::Stream;

/// Engagement is bucketed in tenths of a point for the probability tables.
pub const BUCKETS: usize = 101;

/// Staff slots of one trust.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StaffPool {
    /// Engagement (0-10), meaningful only where `filled`.
    pub engagement: Vec<f32>,
    /// Whether the post is filled.
    pub filled: Vec<bool>,
    /// Whether the post holder is off sick this month.
    pub sick: Vec<bool>,
    /// Whether the post is a clinical one.
    pub clinician: Vec<bool>,
    /// Months in post (saturates).
    pub tenure_months: Vec<u16>,
}

/// Per-trust, per-month inputs of the staff pass.
#[derive(Debug, Clone, Copy)]
pub struct StaffConditions {
    /// Engagement target before the team leader's contribution.
    pub trust_target: f64,
    /// Workload (0 = none; about 0.2 in an average trust).
    pub workload: f64,
    /// Monthly probability that a vacancy is filled.
    pub fill_probability: f64,
}

/// Counts from one monthly pass.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StaffTally {
    pub in_post: u32,
    pub sick: u32,
    pub leavers: u32,
    pub joiners: u32,
    pub engagement_sum: f64,
}

/// Probability tables by engagement bucket, as thresholds on a `u32` draw.
#[derive(Debug, Clone)]
pub struct HazardTables {
    pub sickness_onset: [u32; BUCKETS],
    pub leave: [u32; BUCKETS],
    pub recovery: u32,
}

fn threshold(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * f64::from(u32::MAX)) as u32
}

/// Monthly sickness-onset probability at engagement `e` and workload `w`.
pub fn sickness_onset_probability(s: &StaffParams, e: f64, w: f64) -> f64 {
    (s.sickness_onset_base
        * (s.sickness_engagement_slope * (7.0 - e)).exp()
        * (1.0 + s.sickness_workload_slope * w))
        .min(1.0)
}

/// Monthly leaving probability at engagement `e` and workload `w`.
pub fn leave_probability(s: &StaffParams, e: f64, w: f64) -> f64 {
    (s.leave_base_monthly
        * (s.leave_engagement_slope * (7.0 - e)).exp()
        * (1.0 + s.leave_workload_slope * w))
        .min(1.0)
}

impl HazardTables {
    pub fn new(s: &StaffParams, workload: f64) -> Self {
        let mut t = HazardTables {
            sickness_onset: [0; BUCKETS],
            leave: [0; BUCKETS],
            recovery: threshold(s.sickness_recovery),
        };
        for b in 0..BUCKETS {
            let e = b as f64 / 10.0;
            t.sickness_onset[b] = threshold(sickness_onset_probability(s, e, workload));
            t.leave[b] = threshold(leave_probability(s, e, workload));
        }
        t
    }
}

impl StaffPool {
    /// `n` posts split into teams of `team_size`; a share `vacancy_rate` start vacant.
    pub fn new(
        n: usize,
        clinician_share: f64,
        vacancy_rate: f64,
        engagement: f64,
        rng: &mut Stream,
    ) -> Self {
        let mut pool = StaffPool {
            engagement: vec![engagement as f32; n],
            filled: vec![true; n],
            sick: vec![false; n],
            clinician: vec![false; n],
            tenure_months: vec![0; n],
        };
        for i in 0..n {
            pool.clinician[i] = rng.random::<f64>() < clinician_share;
            pool.filled[i] = rng.random::<f64>() >= vacancy_rate;
            let z: f64 = StandardNormal.sample(rng);
            pool.engagement[i] = (engagement + 0.8 * z).clamp(0.0, 10.0) as f32;
            pool.tenure_months[i] = rng.random_range(0..120);
        }
        pool
    }

    pub fn len(&self) -> usize {
        self.filled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filled.is_empty()
    }

    /// One month for the team in slots `range`: engagement moves toward
    /// `team_target` and the team's mean last month, then sickness, leaving and
    /// recruitment. Returns the team's tally.
    #[allow(clippy::too_many_arguments)]
    pub fn step_team(
        &mut self,
        range: std::ops::Range<usize>,
        team_target: f64,
        peer_mean: f64,
        s: &StaffParams,
        tables: &HazardTables,
        fill_threshold: u32,
        new_starter_engagement: f32,
        rng: &mut Stream,
        recruit_rng: &mut Stream,
    ) -> StaffTally {
        let a = s.engagement_adjust_rate as f32;
        let p = s.peer_weight as f32;
        let noise = s.engagement_noise_sd as f32;
        let target = team_target as f32;
        let peer = peer_mean as f32;
        let mut t = StaffTally::default();
        let eng = &mut self.engagement[range.clone()];
        let filled = &mut self.filled[range.clone()];
        let sick = &mut self.sick[range.clone()];
        let tenure = &mut self.tenure_months[range];
        for i in 0..eng.len() {
            if !filled[i] {
                if recruit_rng.next_u32() < fill_threshold {
                    filled[i] = true;
                    eng[i] = new_starter_engagement;
                    sick[i] = false;
                    tenure[i] = 0;
                    t.joiners += 1;
                }
                continue;
            }
            let z: f32 = StandardNormal.sample(rng);
            let mut e = eng[i];
            e += a * (target - e) + p * (peer - e) + noise * z;
            e = e.clamp(0.0, 10.0);
            eng[i] = e;
            let b = (e * 10.0) as usize;
            let r = rng.next_u64();
            let (u1, u2) = (r as u32, (r >> 32) as u32);
            if u2 < tables.leave[b] {
                filled[i] = false;
                sick[i] = false;
                t.leavers += 1;
                continue;
            }
            sick[i] = if sick[i] {
                u1 >= tables.recovery
            } else {
                u1 < tables.sickness_onset[b]
            };
            tenure[i] = tenure[i].saturating_add(1);
            t.in_post += 1;
            t.sick += u32::from(sick[i]);
            t.engagement_sum += f64::from(e);
        }
        t
    }

    /// Empties one filled clinical post in `range` (a promotion out of the
    /// team), scanning from a random offset. Returns whether one was found.
    pub fn promote_out(&mut self, range: std::ops::Range<usize>, rng: &mut Stream) -> bool {
        let n = range.len();
        if n == 0 {
            return false;
        }
        let off = rng.random_range(0..n);
        for k in 0..n {
            let i = range.start + (off + k) % n;
            if self.filled[i] && self.clinician[i] {
                self.filled[i] = false;
                self.sick[i] = false;
                return true;
            }
        }
        false
    }

    /// Mean engagement and head count of filled posts in `range`.
    pub fn team_mean(&self, range: std::ops::Range<usize>) -> (f64, u32) {
        let mut sum = 0.0;
        let mut n = 0;
        for i in range {
            if self.filled[i] {
                sum += f64::from(self.engagement[i]);
                n += 1;
            }
        }
        (if n > 0 { sum / f64::from(n) } else { 0.0 }, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Params;
    use crate::model::rng::from_u64;

    fn run_months(target: f64, months: u32) -> (StaffPool, StaffTally) {
        let p = Params::default();
        let mut rng = from_u64(1);
        let mut rr = from_u64(2);
        let mut pool = StaffPool::new(2_000, 0.7, 0.0, 7.0, &mut rng);
        let tables = HazardTables::new(&p.staff, 0.2);
        let mut last = StaffTally::default();
        let mut mean = 7.0;
        for _ in 0..months {
            last = pool.step_team(
                0..2_000,
                target,
                mean,
                &p.staff,
                &tables,
                threshold(0.1),
                7.2,
                &mut rng,
                &mut rr,
            );
            mean = last.engagement_sum / f64::from(last.in_post);
        }
        (pool, last)
    }

    #[test]
    fn engagement_converges_to_the_team_target() {
        let (_, t) = run_months(5.0, 120);
        let mean = t.engagement_sum / f64::from(t.in_post);
        // Low-engagement staff leave more and new starters arrive engaged, so
        // the mean sits a little above the target.
        assert!(mean > 5.0 && mean < 5.35, "mean {mean}");
    }

    #[test]
    fn low_engagement_raises_leaving_and_sickness() {
        let p = crate::model::params::RawParams::default().staff;
        assert!(leave_probability(&p, 4.0, 0.2) > 2.0 * leave_probability(&p, 7.0, 0.2));
        assert!(
            sickness_onset_probability(&p, 4.0, 0.2) > sickness_onset_probability(&p, 7.0, 0.2)
        );
        assert!(leave_probability(&p, 7.0, 0.5) > leave_probability(&p, 7.0, 0.0));
        let (_, low) = run_months(4.0, 60);
        let (_, high) = run_months(8.0, 60);
        assert!(
            low.leavers > high.leavers,
            "{} vs {}",
            low.leavers,
            high.leavers
        );
    }

    #[test]
    fn vacancies_are_refilled_and_counts_stay_consistent() {
        let (pool, t) = run_months(7.0, 36);
        let filled = pool.filled.iter().filter(|f| **f).count() as u32;
        assert_eq!(filled, t.in_post + t.joiners);
        assert!(pool.engagement.iter().all(|e| (0.0..=10.0).contains(e)));
    }

    #[test]
    fn promotion_empties_a_clinical_post() {
        let mut rng = from_u64(3);
        let mut pool = StaffPool::new(30, 1.0, 0.0, 7.0, &mut rng);
        let before = pool.filled.iter().filter(|f| **f).count();
        assert!(pool.promote_out(0..30, &mut rng));
        assert_eq!(pool.filled.iter().filter(|f| **f).count(), before - 1);
        let mut none = StaffPool::new(5, 0.0, 0.0, 7.0, &mut rng);
        assert!(!none.promote_out(0..5, &mut rng));
    }
}
