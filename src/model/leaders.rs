//! Process 4, the leader pipeline: team leaders (clinical leaders and middle
//! managers) and executive directors; how they are appointed, learn, are
//! developed and leave.
//!
//! Capability and compassion are on 0-1. Experience closes a share of the gap
//! to `experience_ceiling` each month; a completed intervention closes a share
//! of the gap to 1, so returns diminish as capability rises. A leader who
//! leaves takes capability and development history along.

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use super::Pathway;
use super::params::{BoardParams, DevelopmentParams, Intervention, LeaderParams};
use super::rng::Stream;

/// A place on a development intervention, effective at `effect_month`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Enrolment {
    /// Index into [`DevelopmentParams::interventions`].
    pub intervention: u8,
    /// Month at which the effect arrives (completion plus lag).
    pub effect_month: u32,
    /// Whether the cohort was joint (managers with clinicians).
    pub joint: bool,
}

/// A team leader: a clinical leader or a middle manager.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Leader {
    pub pathway: Pathway,
    pub capability: f32,
    pub compassion: f32,
    pub tenure_months: u16,
    /// Developed before taking the role.
    pub prepared: bool,
    pub stress: f32,
    pub formal_done: u8,
    pub practical_done: u8,
    pub joint_done: bool,
    pub invested_gbp: f32,
    pub enrolment: Option<Enrolment>,
}

/// An executive director, substantive or an interim covering a vacancy.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Executive {
    pub clinical: bool,
    pub capability: f32,
    pub compassion: f32,
    pub tenure_months: u16,
    /// Developed for a CEO role (part of the succession pipeline).
    pub ready: bool,
    pub enrolment: Option<Enrolment>,
    /// For an interim: the month a substantive appointee takes the post.
    pub acting_until: Option<u32>,
    /// Month (from the start of burn-in; negative before it) the holder took the post.
    pub start_month: i32,
}

fn draw01(rng: &mut Stream, mean: f64, sd: f64) -> f32 {
    let v = if sd > 0.0 {
        Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
    } else {
        mean
    };
    v.clamp(0.0, 1.0) as f32
}

/// The intervention at `at` (in 0..sum) along the cumulated `rates`.
fn pick(rates: &[f64; 7], mut at: f64) -> usize {
    for (k, r) in rates.iter().enumerate() {
        if *r > 0.0 && at < *r {
            return k;
        }
        at -= r;
    }
    rates.iter().rposition(|r| *r > 0.0).unwrap_or(0)
}

/// Share of promotions that are prepared, after succession planning.
pub fn prepared_share(l: &LeaderParams, d: &DevelopmentParams) -> f64 {
    l.prepared_share + d.succession_planning * (1.0 - l.prepared_share)
}

impl Leader {
    /// A new leader for a post that is clinical (`clinical_post`) or managerial.
    /// Returns the leader and whether the post went to a clinician promoted
    /// from the team (whose staff post then falls vacant).
    pub fn appoint(
        clinical_post: bool,
        l: &LeaderParams,
        d: &DevelopmentParams,
        rng: &mut Stream,
    ) -> (Leader, bool) {
        let promoted = clinical_post && rng.random::<f64>() < l.internal_promotion_share;
        let prepared = !promoted || rng.random::<f64>() < prepared_share(l, d);
        let pathway = if !clinical_post {
            Pathway::GeneralManagement
        } else if rng.random::<f64>() < l.hybrid_share {
            Pathway::Hybrid
        } else {
            Pathway::Clinical
        };
        let mean = if prepared {
            l.prepared_capability
        } else {
            l.unprepared_capability
        };
        let leader = Leader {
            pathway,
            capability: draw01(rng, mean, l.capability_sd),
            compassion: draw01(rng, l.compassion_mean, l.compassion_sd),
            tenure_months: 0,
            prepared,
            stress: 0.0,
            formal_done: 0,
            practical_done: 0,
            joint_done: false,
            invested_gbp: 0.0,
            enrolment: None,
        };
        (leader, promoted)
    }

    /// Quality as staff feel it: capability blended with compassion.
    pub fn quality(&self, l: &LeaderParams) -> f64 {
        let w = l.compassion_quality_weight;
        (1.0 - w) * f64::from(self.capability) + w * f64::from(self.compassion)
    }

    /// One month of experience, stress and any development effect due now
    /// (inlined into the trust's loop over its teams; the rare completion
    /// stays out of line).
    #[inline]
    pub fn learn(
        &mut self,
        month: u32,
        stress_target: f64,
        l: &LeaderParams,
        d: &DevelopmentParams,
    ) {
        let ceiling = l.experience_ceiling as f32;
        // Branch-free: at or above the ceiling the step is exactly zero, as
        // the test it replaces left it. Here and in the enrolment test
        // below, a branch that goes each way from leader to leader made the
        // trusts' loop over their teams about twice as slow.
        self.capability += l.experience_rate as f32 * (ceiling - self.capability).max(0.0);
        self.stress += l.stress_adjust_rate as f32 * (stress_target as f32 - self.stress);
        self.tenure_months = self.tenure_months.saturating_add(1);
        // One branch, rarely taken, whether or not the leader is enrolled.
        if self.enrolment.map_or(u32::MAX, |en| en.effect_month) <= month
            && let Some(en) = self.enrolment
        {
            self.complete(d.interventions()[usize::from(en.intervention)], en.joint, d);
            self.enrolment = None;
        }
    }

    /// The effect of a completed intervention `iv` (joint if `joint`): a
    /// share of the gap to 1 in capability (more after the other kind) and
    /// in compassion.
    #[cold]
    #[inline(never)]
    fn complete(&mut self, iv: &Intervention, joint: bool, d: &DevelopmentParams) {
        let combined = if iv.formal {
            self.practical_done > 0
        } else {
            self.formal_done > 0
        };
        let bonus = if combined {
            1.0 + d.combination_bonus
        } else {
            1.0
        };
        let gain = (iv.capability_effect * bonus).min(1.0) as f32;
        self.capability += gain * (1.0 - self.capability);
        self.compassion += iv.compassion_effect as f32 * (1.0 - self.compassion);
        if iv.formal {
            self.formal_done = self.formal_done.saturating_add(1);
        } else {
            self.practical_done = self.practical_done.saturating_add(1);
        }
        self.joint_done |= joint;
        self.prepared = true;
    }

    /// `months` of experience at once (what `learn` does month by month).
    fn gain_experience(&mut self, months: f64, l: &LeaderParams) {
        let ceiling = l.experience_ceiling as f32;
        if self.capability < ceiling && months > 0.0 {
            let keep = (1.0 - l.experience_rate).powf(months) as f32;
            self.capability = ceiling - (ceiling - self.capability) * keep;
        }
    }

    /// The history of a leader appointed `months` ago into a trust whose
    /// budget has bought places for each team leader at `rates` a month (per
    /// intervention): experience, and the interventions completed, as a
    /// renewal process (a leader on a course is not enrolled again until its
    /// effect arrives). Starts a trust's leaders where its development has
    /// been going on for years, not from none.
    pub fn live_through(
        &mut self,
        months: u16,
        rates: &[f64; 7],
        l: &LeaderParams,
        d: &DevelopmentParams,
        rng: &mut Stream,
    ) {
        let end = f64::from(months);
        let total: f64 = rates.iter().sum();
        let ivs = d.interventions();
        let mut now = 0.0;
        // Draws until an effect would arrive after today (even when today
        // is the day of appointment), so the stream advances the same way
        // whatever the tenure.
        if total > 0.0 {
            loop {
                let enrolled = now - rng.random::<f64>().max(1e-300).ln() / total;
                let k = pick(rates, rng.random::<f64>() * total);
                let joint = rng.random::<f64>() < d.joint_share;
                let effect = enrolled + f64::from(ivs[k].duration_months + ivs[k].lag_months);
                if effect > end {
                    break;
                }
                self.gain_experience(effect - now, l);
                self.complete(ivs[k], joint, d);
                self.invested_gbp += ivs[k].cost_gbp as f32;
                now = effect;
            }
        }
        self.gain_experience(end - now, l);
        self.tenure_months = months;
    }

    /// Monthly leaving probability.
    pub fn leave_probability(&self, l: &LeaderParams) -> f64 {
        let base = 1.0 - (1.0 - l.leave_annual).powf(1.0 / 12.0);
        (base * (1.0 + l.stress_leave_slope * (f64::from(self.stress) - l.stress_reference)))
            .clamp(0.0, 1.0)
    }
}

impl Executive {
    /// A substantive appointee taking the post in `month`.
    pub fn appoint(b: &BoardParams, l: &LeaderParams, month: i32, rng: &mut Stream) -> Executive {
        Executive {
            clinical: rng.random::<f64>() < b.clinician_share,
            capability: draw01(rng, b.capability_mean, b.capability_sd),
            compassion: draw01(rng, l.compassion_mean, l.compassion_sd),
            tenure_months: 0,
            ready: false,
            enrolment: None,
            acting_until: None,
            start_month: month,
        }
    }

    /// An interim covering the post from `month` until `until`, when a
    /// substantive appointee starts.
    pub fn acting(
        b: &BoardParams,
        l: &LeaderParams,
        month: u32,
        until: u32,
        rng: &mut Stream,
    ) -> Executive {
        let mut e = Executive::appoint(b, l, month as i32, rng);
        e.capability *= b.interim_capability_factor as f32;
        e.acting_until = Some(until);
        e
    }

    /// Whether the holder is an interim covering a vacancy.
    pub fn is_acting(&self) -> bool {
        self.acting_until.is_some()
    }

    /// Whether the executive could be promoted to CEO in `month`: a
    /// substantive member of the board appointed before this month.
    pub fn promotable(&self, month: u32) -> bool {
        !self.is_acting() && self.start_month < month as i32
    }

    /// One month: any development effect due now makes the executive CEO-ready.
    pub fn learn(&mut self, month: u32, d: &DevelopmentParams) {
        self.tenure_months = self.tenure_months.saturating_add(1);
        if let Some(en) = self.enrolment
            && en.effect_month <= month
        {
            self.complete(d.interventions()[usize::from(en.intervention)]);
            self.enrolment = None;
        }
    }

    /// The effect of a completed programme `iv`: a share of the gap to 1 in
    /// capability and compassion, and CEO-ready.
    fn complete(&mut self, iv: &Intervention) {
        self.capability += iv.capability_effect as f32 * (1.0 - self.capability);
        self.compassion += iv.compassion_effect as f32 * (1.0 - self.compassion);
        self.ready = true;
    }

    /// The history of an executive appointed `months` ago into a trust
    /// whose budget buys executive programmes at `rates` places a month: the
    /// first place goes to the newcomer (if its effect has arrived, they are
    /// CEO-ready), as in [`Leader::live_through`].
    pub fn live_through(
        &mut self,
        months: u16,
        rates: &[f64; 7],
        d: &DevelopmentParams,
        rng: &mut Stream,
    ) {
        let total: f64 = rates.iter().sum();
        if total > 0.0 {
            let enrolled = -rng.random::<f64>().max(1e-300).ln() / total;
            let k = pick(rates, rng.random::<f64>() * total);
            let iv = d.interventions()[k];
            if enrolled + f64::from(iv.duration_months + iv.lag_months) <= f64::from(months) {
                self.complete(iv);
            }
        }
        self.tenure_months = months;
        self.start_month = -i32::from(months);
    }

    /// Monthly leaving probability of a substantive executive: the annual
    /// rate as a hazard, raised after a CEO change, per oversight level above
    /// 1 and while the trust is rated inadequate.
    pub fn leave_probability(
        b: &BoardParams,
        months_since_ceo_change: u32,
        oversight_level: u8,
        inadequate: bool,
    ) -> f64 {
        let base = -(1.0 - b.leave_annual.min(0.999)).ln() / 12.0;
        let after_change = if f64::from(months_since_ceo_change) < b.after_ceo_change_months {
            b.leave_after_ceo_change_hr
        } else {
            1.0
        };
        let log_hr = b.leave_log_hr_per_level * f64::from(oversight_level.saturating_sub(1))
            + if inadequate {
                b.leave_inadequate_log_hr
            } else {
                0.0
            };
        1.0 - (-base * after_change * log_hr.exp()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{InterventionKind, Params};
    use crate::model::rng::from_u64;

    #[test]
    fn a_leaders_history_is_a_renewal_process_of_courses() {
        let p = Params::default();
        let d = &p.development;
        let mentoring = InterventionKind::Mentoring as usize;
        let mut rates = [0.0; 7];
        rates[mentoring] = 0.01;
        let wait = f64::from(d.mentoring.duration_months + d.mentoring.lag_months);
        let mut rng = from_u64(3);
        let n = 20_000;
        let (mut developed, mut twice) = (0, 0);
        for _ in 0..n {
            let (mut l, _) = Leader::appoint(false, &p.leaders, d, &mut rng);
            l.live_through(120, &rates, &p.leaders, d, &mut rng);
            assert_eq!(l.tenure_months, 120);
            assert_eq!(l.formal_done, 0, "only mentoring was offered");
            developed += u32::from(l.practical_done > 0);
            twice += u32::from(l.practical_done > 1);
        }
        // At least one course done: enrolled within 120 - wait months.
        let expect = 1.0 - (-0.01 * (120.0 - wait)).exp();
        let got = f64::from(developed) / f64::from(n);
        assert!((got - expect).abs() < 0.015, "{got} vs {expect}");
        assert!(twice > 0 && twice < developed / 2);
        // No places, no history: experience alone.
        let (mut l, _) = Leader::appoint(false, &p.leaders, d, &mut rng);
        let start = l.capability;
        l.live_through(60, &[0.0; 7], &p.leaders, d, &mut rng);
        let ceiling = p.leaders.experience_ceiling as f32;
        let keep = (1.0 - p.leaders.experience_rate).powf(60.0) as f32;
        if start < ceiling {
            assert!((l.capability - (ceiling - (ceiling - start) * keep)).abs() < 1e-5);
        }
        assert_eq!(l.formal_done + l.practical_done, 0);
    }

    #[test]
    fn unprepared_promotions_start_weaker() {
        let p = Params::default();
        let mut rng = from_u64(9);
        let (mut prep, mut unprep) = (vec![], vec![]);
        for _ in 0..4_000 {
            let (l, _) = Leader::appoint(true, &p.leaders, &p.development, &mut rng);
            if l.prepared {
                prep.push(l.capability)
            } else {
                unprep.push(l.capability)
            }
        }
        let m = |v: &[f32]| v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
        assert!(
            m(&prep) > m(&unprep) + 0.1,
            "{} vs {}",
            m(&prep),
            m(&unprep)
        );
    }

    #[test]
    fn succession_planning_prepares_more_promotions() {
        let mut p = crate::model::params::RawParams::default();
        let base = prepared_share(&p.leaders, &p.development);
        p.development.succession_planning = 0.5;
        assert!(prepared_share(&p.leaders, &p.development) > base);
    }

    #[test]
    fn experience_has_diminishing_returns_and_development_lands_after_the_lag() {
        let p = Params::default();
        let mut rng = from_u64(1);
        let (mut l, _) = Leader::appoint(true, &p.leaders, &p.development, &mut rng);
        l.capability = 0.3;
        l.learn(0, 0.5, &p.leaders, &p.development);
        let first = l.capability - 0.3;
        for m in 1..200 {
            l.learn(m, 0.5, &p.leaders, &p.development);
        }
        assert!(first > 0.0 && l.capability <= p.leaders.experience_ceiling as f32 + 1e-6);
        l.enrolment = Some(Enrolment {
            intervention: 1,
            effect_month: 210,
            joint: true,
        });
        let mut control = l.clone();
        control.enrolment = None;
        l.learn(205, 0.5, &p.leaders, &p.development);
        control.learn(205, 0.5, &p.leaders, &p.development);
        assert_eq!(
            l.capability, control.capability,
            "effect arrived before its lag"
        );
        l.learn(210, 0.5, &p.leaders, &p.development);
        control.learn(210, 0.5, &p.leaders, &p.development);
        assert!(l.capability > control.capability + 0.05 && l.formal_done == 1 && l.joint_done);
    }

    /// The step toward the ceiling, bit for bit as the test it replaced
    /// gave it: `c + rate (ceiling - c)` below the ceiling, nothing at or
    /// above it (a leader developed past it stays where they are).
    #[test]
    fn experience_moves_capability_exactly_as_the_branch_did() {
        let p = Params::default();
        let l = &p.leaders;
        let ceiling = l.experience_ceiling as f32;
        let mut rng = from_u64(5);
        let (base, _) = Leader::appoint(true, l, &p.development, &mut rng);
        let below = [
            0.0,
            0.1,
            0.3,
            ceiling - 1e-3,
            f32::from_bits(ceiling.to_bits() - 1),
        ];
        let at_or_above = [ceiling, f32::from_bits(ceiling.to_bits() + 1), 0.97, 1.0];
        for c in below.into_iter().chain(at_or_above) {
            let mut x = base.clone();
            x.enrolment = None;
            x.capability = c;
            x.learn(3, 0.4, l, &p.development);
            let want = if c < ceiling {
                c + l.experience_rate as f32 * (ceiling - c)
            } else {
                c
            };
            assert_eq!(x.capability.to_bits(), want.to_bits(), "capability {c}");
        }
    }

    #[test]
    fn formal_plus_practical_beats_either_alone() {
        let p = Params::default();
        let mut rng = from_u64(1);
        let (mut a, _) = Leader::appoint(true, &p.leaders, &p.development, &mut rng);
        a.capability = 0.4;
        let mut b = a.clone();
        b.practical_done = 1;
        for x in [&mut a, &mut b] {
            x.enrolment = Some(Enrolment {
                intervention: 0,
                effect_month: 0,
                joint: false,
            });
            x.learn(0, 0.0, &p.leaders, &p.development);
        }
        assert!(b.capability > a.capability);
    }

    #[test]
    fn stress_raises_leaving() {
        let p = Params::default();
        let mut rng = from_u64(1);
        let (mut l, _) = Leader::appoint(true, &p.leaders, &p.development, &mut rng);
        l.stress = 0.1;
        let calm = l.leave_probability(&p.leaders);
        l.stress = 0.9;
        assert!(l.leave_probability(&p.leaders) > calm);
        assert!(
            Executive::leave_probability(&p.board, 3, 1, false)
                > Executive::leave_probability(&p.board, 30, 1, false)
        );
        assert!(
            Executive::leave_probability(&p.board, 30, 4, true)
                > 2.0 * Executive::leave_probability(&p.board, 30, 1, false)
        );
    }
}
