//! The staff loop as it was before the counter-based kernel: per-slot
//! branches, a ziggurat normal from PCG-64 and hazard tables by engagement
//! bucket. Kept (for tests only) as the reference the kernel's
//! distributions are checked against.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{StaffTally, leave_probability, sickness_onset_probability};
use crate::model::params::StaffParams;
use crate::model::rng::Stream;

pub const BUCKETS: usize = 101;

fn threshold(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * f64::from(u32::MAX)) as u32
}

pub struct HazardTables {
    pub sickness_onset: [u32; BUCKETS],
    pub leave: [u32; BUCKETS],
    pub recovery: u32,
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

/// The old pool: one vector per attribute.
pub struct OldPool {
    pub engagement: Vec<f32>,
    pub filled: Vec<bool>,
    pub sick: Vec<bool>,
}

impl OldPool {
    #[allow(clippy::too_many_arguments)]
    pub fn step_team(
        &mut self,
        range: std::ops::Range<usize>,
        team_target: f64,
        peer_mean: f64,
        s: &StaffParams,
        tables: &HazardTables,
        fill_probability: f64,
        rng: &mut Stream,
        recruit_rng: &mut Stream,
    ) -> StaffTally {
        let fill_threshold = threshold(fill_probability);
        let new_starter = s.new_starter_engagement as f32;
        let a = s.engagement_adjust_rate as f32;
        let p = s.peer_weight as f32;
        let noise = s.engagement_noise_sd as f32;
        let target = team_target as f32;
        let peer = peer_mean as f32;
        let mut t = StaffTally::default();
        for i in range {
            if !self.filled[i] {
                if recruit_rng.next_u32() < fill_threshold {
                    self.filled[i] = true;
                    self.engagement[i] = new_starter;
                    self.sick[i] = false;
                    t.joiners += 1;
                }
                continue;
            }
            let z: f32 = StandardNormal.sample(rng);
            let mut e = self.engagement[i];
            e += a * (target - e) + p * (peer - e) + noise * z;
            e = e.clamp(0.0, 10.0);
            self.engagement[i] = e;
            let b = (e * 10.0) as usize;
            let r = rng.next_u64();
            let (u1, u2) = (r as u32, (r >> 32) as u32);
            if u2 < tables.leave[b] {
                self.filled[i] = false;
                self.sick[i] = false;
                t.leavers += 1;
                continue;
            }
            self.sick[i] = if self.sick[i] {
                u1 >= tables.recovery
            } else {
                u1 < tables.sickness_onset[b]
            };
            t.in_post += 1;
            t.sick += u32::from(self.sick[i]);
            t.engagement_sum += f64::from(e);
        }
        t
    }
}
