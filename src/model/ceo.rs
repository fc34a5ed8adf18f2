//! Process 8, CEO tenure: the monthly exit hazard of a sitting chief
//! executive and the route of an exit.
//!
//! The baseline hazard is log-logistic with a level:
//! `H(t) = level * ln(1 + (t / scale)^shape)`. With a shape above 1 it is
//! near zero in a new CEO's first months (a new chief executive is given
//! time, and serves a notice period to leave), rises to a peak and then
//! falls for CEOs who have established themselves; an optional honeymoon
//! lowers it further in the first months. It is scaled by what the board and the
//! regulators see: the oversight segment (times the regulator's
//! punitiveness), the published rating and a recent downgrade, the
//! regulator's concern, the deficit and friction; never by the trust's true
//! latent quality. Retirement is a separate hazard rising with age beyond a
//! minimum.

use rand::{Rng, RngExt};

use super::params::{CeoParams, OversightParams};
use super::{ExitRoute, Pathway, Rating};

/// A chief executive, permanent or interim.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ceo {
    /// Unique within a replication.
    pub id: u64,
    pub pathway: Pathway,
    pub capability: f32,
    pub compassion: f32,
    /// Age at the start of this spell, in years.
    pub age_at_start: f32,
    /// Month (from the start of burn-in; negative before it) the spell began.
    pub start_month: i32,
    pub interim: bool,
    /// Promoted from this trust's own board.
    pub internal: bool,
    /// First CEO post.
    pub first_time: bool,
}

impl Ceo {
    pub fn tenure_months(&self, month: u32) -> u32 {
        (month as i32 - self.start_month).max(0) as u32
    }

    /// Capability in effect after the learning curve.
    pub fn effective_capability(&self, month: u32, c: &CeoParams) -> f64 {
        let t = f64::from(self.tenure_months(month));
        f64::from(self.capability)
            * (1.0 - c.learning_curve_depth * (-t / c.learning_curve_months).exp())
    }

    /// Quality as the organisation feels it (learning curve and compassion).
    pub fn quality(&self, month: u32, c: &CeoParams, compassion_weight: f64) -> f64 {
        (1.0 - compassion_weight) * self.effective_capability(month, c)
            + compassion_weight * f64::from(self.compassion)
    }
}

/// What the trust looks like to its board and regulators this month.
#[derive(Debug, Clone, Copy)]
pub struct CeoContext {
    pub oversight_level: u8,
    /// Shortfall of the regulator's concern score below zero (>= 0).
    pub performance_shortfall: f64,
    pub friction: f64,
    /// The published overall rating.
    pub rating: Rating,
    /// Whether the published rating was downgraded in the last 12 months.
    pub recent_downgrade: bool,
    /// Deficit over the last 12 months as a share of income (0 if in surplus).
    pub deficit_share: f64,
}

/// Baseline cumulative hazard at `t` months.
pub fn cumulative_hazard(c: &CeoParams, t: f64) -> f64 {
    c.hazard_level * (t / c.hazard_scale_months).powf(c.hazard_shape).ln_1p()
}

/// Hazard multiplier from what the board and regulators see.
pub fn hazard_ratio(
    c: &CeoParams,
    o: &OversightParams,
    ctx: CeoContext,
    friction_reference: f64,
) -> f64 {
    let rating = match ctx.rating {
        Rating::RequiresImprovement => c.requires_improvement_log_hr,
        Rating::Inadequate => c.inadequate_log_hr,
        _ => 0.0,
    };
    (c.oversight_log_hr * f64::from(ctx.oversight_level.saturating_sub(1)) * o.punitiveness
        + c.performance_log_hr * ctx.performance_shortfall
        + c.friction_log_hr * (ctx.friction - friction_reference)
        + rating
        + if ctx.recent_downgrade {
            c.downgrade_log_hr
        } else {
            0.0
        }
        + c.deficit_log_hr * 100.0 * ctx.deficit_share)
        .exp()
}

/// Probability of a non-retirement exit in the month after `tenure` months.
pub fn exit_probability(c: &CeoParams, tenure: u32, ratio: f64) -> f64 {
    let t = f64::from(tenure);
    let dh = cumulative_hazard(c, t + 1.0) - cumulative_hazard(c, t);
    let honeymoon = if t < c.honeymoon_months {
        c.honeymoon_hr
    } else {
        1.0
    };
    1.0 - (-dh * ratio * honeymoon).exp()
}

/// Monthly retirement probability at `age` years.
pub fn retirement_probability(c: &CeoParams, age: f64) -> f64 {
    (c.retirement_hazard_per_year * (age - c.retirement_age_min)).clamp(0.0, 1.0)
}

/// Share of non-retirement exits that are dismissals at an oversight level.
pub fn dismissal_share(c: &CeoParams, level: u8) -> f64 {
    let x = f64::from(level.clamp(1, 4) - 1) / 3.0;
    c.dismissal_share_at_level1 + x * (c.dismissal_share_at_level4 - c.dismissal_share_at_level1)
}

/// Draws whether a permanent CEO leaves this month, and by which route.
pub fn draw_exit<R: Rng>(
    ceo: &Ceo,
    month: u32,
    ctx: CeoContext,
    c: &CeoParams,
    o: &OversightParams,
    friction_reference: f64,
    rng: &mut R,
) -> Option<ExitRoute> {
    let tenure = ceo.tenure_months(month);
    let age = f64::from(ceo.age_at_start) + f64::from(tenure) / 12.0;
    let p_ret = retirement_probability(c, age);
    let p_exit = exit_probability(c, tenure, hazard_ratio(c, o, ctx, friction_reference));
    let u: f64 = rng.random();
    if u < p_ret {
        Some(ExitRoute::Retired)
    } else if u < p_ret + (1.0 - p_ret) * p_exit {
        if rng.random::<f64>() < dismissal_share(c, ctx.oversight_level) {
            Some(ExitRoute::Dismissed)
        } else {
            Some(ExitRoute::LeftOther)
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Params;
    use crate::model::params::RawParams;
    use crate::model::rng::from_u64;

    fn ctx(level: u8) -> CeoContext {
        CeoContext {
            oversight_level: level,
            performance_shortfall: 0.0,
            friction: 0.35,
            rating: Rating::Good,
            recent_downgrade: false,
            deficit_share: 0.0,
        }
    }

    #[test]
    fn hazard_rises_from_appointment_then_falls_for_the_established() {
        let p = Params::default();
        let h = |t| exit_probability(&p.ceo, t, 1.0);
        assert!(h(1) < 0.1 * h(36), "a new CEO rarely leaves at once");
        assert!(h(12) < h(36));
        assert!(h(180) < h(72), "long-serving CEOs are less likely to leave");
    }

    #[test]
    fn oversight_friction_and_punitiveness_raise_the_hazard() {
        let mut p = RawParams::default();
        let r1 = hazard_ratio(&p.ceo, &p.oversight, ctx(1), 0.35);
        let r4 = hazard_ratio(&p.ceo, &p.oversight, ctx(4), 0.35);
        assert!((r1 - 1.0).abs() < 1e-12 && r4 > r1);
        let hot = CeoContext {
            friction: 0.6,
            ..ctx(1)
        };
        assert!(hazard_ratio(&p.ceo, &p.oversight, hot, 0.35) > r1);
        let bad = CeoContext {
            rating: Rating::Inadequate,
            recent_downgrade: true,
            deficit_share: 0.03,
            ..ctx(1)
        };
        assert!(hazard_ratio(&p.ceo, &p.oversight, bad, 0.35) > 2.0 * r1);
        p.oversight.punitiveness = 0.1;
        assert!(hazard_ratio(&p.ceo, &p.oversight, ctx(4), 0.35) < r4);
        assert!(dismissal_share(&p.ceo, 4) > dismissal_share(&p.ceo, 1));
    }

    #[test]
    fn exits_follow_the_baseline_survival() {
        // Without modifiers or retirement, the share still in post at 36
        // months matches exp(-H(36)) = (1 + (36/scale)^shape)^-level.
        let mut p = RawParams::default();
        p.ceo.retirement_hazard_per_year = 0.0;
        p.ceo.honeymoon_hr = 1.0;
        let mut rng = from_u64(5);
        let n = 20_000;
        let mut survivors = 0;
        for i in 0..n {
            let ceo = Ceo {
                id: i,
                pathway: Pathway::GeneralManagement,
                capability: 0.5,
                compassion: 0.5,
                age_at_start: 50.0,
                start_month: 0,
                interim: false,
                internal: false,
                first_time: true,
            };
            let mut left = false;
            for m in 0..36 {
                if draw_exit(&ceo, m, ctx(1), &p.ceo, &p.oversight, 0.35, &mut rng).is_some() {
                    left = true;
                    break;
                }
            }
            survivors += u32::from(!left);
        }
        let expect = (-cumulative_hazard(&p.ceo, 36.0)).exp();
        let got = f64::from(survivors) / n as f64;
        assert!((got - expect).abs() < 0.015, "{got} vs {expect}");
    }

    #[test]
    fn retirement_starts_at_the_minimum_age() {
        let p = Params::default();
        assert_eq!(retirement_probability(&p.ceo, 50.0), 0.0);
        assert!(retirement_probability(&p.ceo, 62.0) > retirement_probability(&p.ceo, 58.0));
    }
}
