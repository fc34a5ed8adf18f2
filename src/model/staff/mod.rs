//! Processes 2 and 3: staff engagement, sickness, leaving and recruitment.
//!
//! Staff live in a struct of arrays, one slot per funded post: engagement
//! (`f32`) and three flags in one byte (filled, sick, clinical), five bytes
//! a slot. Teams are contiguous runs of slots. A
//! vacant slot is a vacancy; recruitment fills it with a new starter. The
//! monthly pass over a trust's staff is the model's hot loop
//! ([`kernel`]): it allocates nothing, draws from generator lanes
//! ([`xoshiro`]) seeded for every pool and month by a counter-based
//! generator ([`philox`]), and computes the hazards with fixed-order
//! approximations ([`approx`]).

mod approx;
pub mod kernel;
mod philox;
#[cfg(test)]
mod reference;
mod xoshiro;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

pub use kernel::{LANES, MonthConstants, TeamStep, Width};

use super::params::StaffParams;
use super::rng::Stream;

/// Flag bits of a slot.
pub const FILLED: u8 = 1;
pub const SICK: u8 = 2;
pub const CLINICIAN: u8 = 4;

/// Staff slots of one trust, padded by [`LANES`] permanently empty slots at
/// the end (the kernel's blocks may run into them).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StaffPool {
    /// Engagement (0-10), meaningful only where filled.
    engagement: Vec<f32>,
    /// [`FILLED`], [`SICK`] and [`CLINICIAN`] bits.
    flags: Vec<u8>,
    /// Posts (slots before the padding).
    n: u32,
    /// Key of the pool's draws: slot `i` in month `m` draws from counter
    /// `(i, m, 0, 0)` under this key.
    key: [u32; 2],
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

impl MonthConstants {
    /// The month's constants at workload `workload`, with monthly fill
    /// probability `fill_probability`. The hazards are those of
    /// [`leave_probability`] and [`sickness_onset_probability`] at the
    /// bottom of the engagement bucket (a tenth of a point).
    pub fn new(s: &StaffParams, workload: f64, fill_probability: f64) -> Self {
        Self::in_season(s, workload, fill_probability, 1.0, 1.0)
    }

    /// [`MonthConstants::new`] with the sickness-onset hazard multiplied by
    /// `sickness_factor` (the season's, the trust type's exposure and the
    /// trust's own) and the leaving hazard by `leave_factor` (the labour
    /// markets of the type and the trust).
    pub fn in_season(
        s: &StaffParams,
        workload: f64,
        fill_probability: f64,
        sickness_factor: f64,
        leave_factor: f64,
    ) -> Self {
        let log2e = std::f64::consts::LOG2_E;
        let at0 = |base: f64, slope: f64, w_slope: f64| {
            (base * (1.0 + w_slope * workload)).log2() + slope * 7.0 * log2e
        };
        MonthConstants {
            keep: (1.0 - s.engagement_adjust_rate - s.peer_weight) as f32,
            noise: s.engagement_noise_sd as f32,
            leave0: (at0(
                s.leave_base_monthly,
                s.leave_engagement_slope,
                s.leave_workload_slope,
            ) + leave_factor.max(1e-9).log2()) as f32,
            leave_slope: (s.leave_engagement_slope * 0.1 * log2e) as f32,
            sick0: (at0(
                s.sickness_onset_base,
                s.sickness_engagement_slope,
                s.sickness_workload_slope,
            ) + sickness_factor.max(1e-9).log2()) as f32,
            sick_slope: (s.sickness_engagement_slope * 0.1 * log2e) as f32,
            recovery: (s.sickness_recovery.clamp(0.0, 1.0) as f32) * kernel::U20,
            fill: (fill_probability.clamp(0.0, 1.0) as f32) * kernel::U20,
            new_starter: s.new_starter_engagement as f32,
        }
    }
}

/// A team's step: its slots and the pull toward its target
/// (`adjust rate x target + peer weight x last month's mean`).
pub fn team_step(
    s: &StaffParams,
    range: std::ops::Range<usize>,
    target: f64,
    peer: f64,
) -> TeamStep {
    TeamStep {
        start: range.start as u32,
        end: range.end as u32,
        pull: (s.engagement_adjust_rate * target + s.peer_weight * peer) as f32,
    }
}

thread_local! {
    static DRAWS: RefCell<kernel::Draws> = RefCell::default();
}

/// 0: [`Width::Widest`], 1: [`Width::Avx2`], 2: [`Width::Portable`].
static WIDTH: AtomicU8 = AtomicU8::new(0);

/// Sets the width every later step runs at (the command line sets
/// [`Width::Avx2`] or [`Width::Portable`] under `TRUSTSIM_KERNEL=avx2` or
/// `portable`, a check that the results are identical either way).
pub fn set_kernel_width(width: Width) {
    let code = match width {
        Width::Widest => 0,
        Width::Avx2 => 1,
        Width::Portable => 2,
    };
    WIDTH.store(code, Ordering::Relaxed);
}

/// The width steps run at: [`Width::Widest`] unless set otherwise.
pub fn kernel_width() -> Width {
    match WIDTH.load(Ordering::Relaxed) {
        0 => Width::Widest,
        1 => Width::Avx2,
        _ => Width::Portable,
    }
}

impl StaffPool {
    /// `n` posts; a share `vacancy_rate` start vacant; draws keyed by `key`.
    pub fn new(
        n: usize,
        clinician_share: f64,
        vacancy_rate: f64,
        engagement: f64,
        key: u64,
        rng: &mut Stream,
    ) -> Self {
        let mut pool = StaffPool {
            engagement: vec![0.0; n + LANES],
            flags: vec![0; n + LANES],
            n: n as u32,
            key: [key as u32, (key >> 32) as u32],
        };
        for i in 0..n {
            let clinician = rng.random::<f64>() < clinician_share;
            let filled = rng.random::<f64>() >= vacancy_rate;
            pool.flags[i] = if clinician { CLINICIAN } else { 0 } | if filled { FILLED } else { 0 };
            let z: f64 = StandardNormal.sample(rng);
            pool.engagement[i] = (engagement + 0.8 * z).clamp(0.0, 10.0) as f32;
        }
        pool
    }

    pub fn len(&self) -> usize {
        self.n as usize
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn is_filled(&self, i: usize) -> bool {
        self.flags[i] & FILLED != 0
    }

    pub fn is_sick(&self, i: usize) -> bool {
        self.flags[i] & SICK != 0
    }

    pub fn is_clinician(&self, i: usize) -> bool {
        self.flags[i] & CLINICIAN != 0
    }

    pub fn engagement(&self, i: usize) -> f32 {
        self.engagement[i]
    }

    /// Engagement of the posts (meaningful where filled), without padding.
    pub fn engagements(&self) -> &[f32] {
        &self.engagement[..self.len()]
    }

    /// Empties post `i`.
    pub fn vacate(&mut self, i: usize) {
        self.flags[i] &= !(FILLED | SICK);
    }

    /// Fills post `i` with a new starter of engagement `e`.
    pub fn fill(&mut self, i: usize, e: f32) {
        self.flags[i] = (self.flags[i] & CLINICIAN) | FILLED;
        self.engagement[i] = e;
    }

    /// Marks the holder of post `i` sick or well.
    pub fn set_sick(&mut self, i: usize, sick: bool) {
        self.flags[i] = (self.flags[i] & !SICK) | if sick { SICK } else { 0 };
    }

    /// Moves every filled post's engagement by `delta`, within 0-10.
    pub fn shift_engagement(&mut self, delta: f32) {
        for i in 0..self.len() {
            if self.is_filled(i) {
                self.engagement[i] = (self.engagement[i] + delta).clamp(0.0, 10.0);
            }
        }
    }

    /// One month (`month` counts from the start of the burn-in) for
    /// `teams`: engagement moves toward each team's pull, then sickness,
    /// leaving and recruitment. Writes one tally per team into `out`.
    pub fn step_month(
        &mut self,
        month: u32,
        teams: &[TeamStep],
        k: &MonthConstants,
        out: &mut Vec<StaffTally>,
    ) {
        self.step_month_with(month, teams, k, out, kernel_width());
    }

    /// [`StaffPool::step_month`] at a given kernel width.
    pub fn step_month_with(
        &mut self,
        month: u32,
        teams: &[TeamStep],
        k: &MonthConstants,
        out: &mut Vec<StaffTally>,
        width: Width,
    ) {
        let n = self.len();
        let slots = kernel::Slots {
            engagement: &mut self.engagement,
            flags: &mut self.flags,
        };
        let m = kernel::Month {
            n,
            key: self.key,
            month,
            teams,
            k,
        };
        DRAWS.with_borrow_mut(|d| kernel::step(slots, &m, out, d, width));
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
            if self.is_filled(i) && self.is_clinician(i) {
                self.vacate(i);
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
            if self.is_filled(i) {
                sum += f64::from(self.engagement[i]);
                n += 1;
            }
        }
        (if n > 0 { sum / f64::from(n) } else { 0.0 }, n)
    }
}

#[cfg(test)]
mod tests;
