//! Process 7, the regulators. The quality regulator (like the CQC)
//! inspects each trust on its own risk-based cycle, rates five domains
//! (safe, effective, caring, responsive, well-led) from what it sees, with
//! an inspection team's noise, and aggregates them into the overall rating
//! by the regulator's rules; the published rating then stands until the next
//! inspection. The oversight body (like NHS Improvement's Single Oversight
//! Framework) places the trust in one of four segments each quarter from
//! the published rating, finances and its own monitoring, with special
//! measures as segment 4. Neither reads the trust's true latent quality
//! directly: only noisy indicators and what an inspection finds.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::Rating;
use super::params::{OutcomeParams, OversightParams, Params, RegulatorParams};
use super::rng::Stream;

/// The five domains (key questions) the regulator rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Domain {
    Safe,
    Effective,
    Caring,
    Responsive,
    WellLed,
}

impl Domain {
    pub const ALL: [Domain; 5] = [
        Domain::Safe,
        Domain::Effective,
        Domain::Caring,
        Domain::Responsive,
        Domain::WellLed,
    ];
    pub const LABELS: [&'static str; 5] = ["safe", "effective", "caring", "responsive", "well_led"];
}

/// Why an inspection took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InspectionKind {
    /// Due on the regulator's cycle for the current rating.
    Scheduled,
    /// Brought forward by the regulator's monitoring.
    Responsive,
    /// The follow-up of an inadequate rating.
    FollowUp,
}

impl InspectionKind {
    pub const LABELS: [&'static str; 3] = ["scheduled", "responsive", "follow_up"];
    pub fn as_str(self) -> &'static str {
        Self::LABELS[self as usize]
    }
}

/// What the regulators can see of a trust in a month.
#[derive(Debug, Clone, Copy)]
pub struct Observed {
    /// This month's quality index (an inspection sees the care given now).
    pub quality: f64,
    /// Vacancy plus sickness rate.
    pub staffing_gap: f64,
    pub experience: f64,
    pub workload: f64,
    /// The CEO's effective capability.
    pub ceo_capability: f64,
    /// Share of executive posts vacant or held by an interim.
    pub exec_vacancy: f64,
    /// Staff survey: share recommending the trust as a place to work.
    pub recommend_work: f64,
    pub friction: f64,
    /// The permanent CEO's time in post in years (0 under an interim).
    pub ceo_years: f64,
}

/// Domain scores on the quality-index scale, before inspector noise.
pub fn domain_scores(o: &Observed, p: &Params) -> [f64; 5] {
    let r = &p.regulator;
    let q = o.quality;
    [
        q + r.safe_offset - r.safe_staffing_weight * (o.staffing_gap - 0.12),
        q + r.effective_offset,
        q + r.caring_offset
            + r.caring_experience_weight * (o.experience - p.outcomes.experience_base),
        q + r.responsive_offset - r.responsive_workload_weight * (o.workload - 0.2),
        q + r.well_led_offset + r.well_led_ceo_weight * (o.ceo_capability - 0.5)
            - r.well_led_vacancy_weight * o.exec_vacancy
            + r.well_led_survey_weight * (o.recommend_work - 0.62)
            - r.well_led_friction_weight * (o.friction - p.friction.reference)
            + r.well_led_stability_weight
                * ((o.ceo_years / r.well_led_stability_years).min(1.0) - 0.5),
    ]
}

/// The rating a domain score earns against the cut-offs.
pub fn rate(score: f64, q: &OutcomeParams) -> Rating {
    if score >= q.outstanding_above {
        Rating::Outstanding
    } else if score >= q.good_above {
        Rating::Good
    } else if score >= q.requires_improvement_above {
        Rating::RequiresImprovement
    } else {
        Rating::Inadequate
    }
}

/// The overall rating from the five domain ratings, by the regulator's
/// aggregation principles: two or more inadequate give inadequate; one
/// inadequate or two or more requires improvement give requires
/// improvement; two or more outstanding with the rest good give
/// outstanding; otherwise good.
pub fn aggregate(domains: &[Rating; 5]) -> Rating {
    let count = |r: Rating| domains.iter().filter(|d| **d == r).count();
    let (outstanding, ri, inadequate) = (
        count(Rating::Outstanding),
        count(Rating::RequiresImprovement),
        count(Rating::Inadequate),
    );
    if inadequate >= 2 {
        Rating::Inadequate
    } else if inadequate == 1 || ri >= 2 {
        Rating::RequiresImprovement
    } else if outstanding >= 2 && ri == 0 {
        Rating::Outstanding
    } else {
        Rating::Good
    }
}

/// The longest interval before the next inspection of a trust rated `r`.
pub fn max_interval(r: Rating, p: &RegulatorParams) -> f64 {
    match r {
        Rating::Outstanding => p.interval_outstanding_months,
        Rating::Good => p.interval_good_months,
        Rating::RequiresImprovement => p.interval_requires_improvement_months,
        Rating::Inadequate => p.reinspect_inadequate_months,
    }
}

/// A rating as a number, best highest (outstanding 1, good 0.5, requires
/// improvement -0.5, inadequate -1).
pub fn rating_score(r: Rating) -> f64 {
    match r {
        Rating::Outstanding => 1.0,
        Rating::Good => 0.5,
        Rating::RequiresImprovement => -0.5,
        Rating::Inadequate => -1.0,
    }
}

/// One inspection and what it published.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    /// Simulated month (from the start of burn-in) of publication.
    pub month: u32,
    pub kind: InspectionKind,
    pub domains: [Rating; 5],
    pub overall: Rating,
    /// The overall rating it replaced.
    pub previous: Rating,
}

/// What the regulators hold about one trust.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegulatorState {
    /// Published domain ratings (from the last inspection).
    pub domains: [Rating; 5],
    /// Published overall rating.
    pub overall: Rating,
    /// Month the next inspection is due.
    pub next_inspection: u32,
    /// Month of the last published downgrade of the overall rating.
    pub downgraded_at: Option<u32>,
    /// The oversight body's latest concern score (below 0: concern).
    pub concern: f64,
    /// Whether the next inspection was brought forward by monitoring.
    pub brought_forward: bool,
}

impl RegulatorState {
    /// A trust rated good in every domain whose first inspection falls
    /// uniformly in the first `first_within` months.
    pub fn new(first_within: u32, rng: &mut Stream) -> Self {
        RegulatorState {
            domains: [Rating::Good; 5],
            overall: Rating::Good,
            next_inspection: rng.random_range(0..first_within.max(1)),
            downgraded_at: None,
            concern: 0.0,
            brought_forward: false,
        }
    }

    /// Brings the next inspection forward to `month` (a responsive inspection).
    pub fn bring_forward(&mut self, month: u32) {
        if month < self.next_inspection {
            self.next_inspection = month;
            self.brought_forward = true;
        }
    }

    /// Inspects if due (or brought forward) and publishes the result.
    pub fn inspect(
        &mut self,
        month: u32,
        kind: InspectionKind,
        seen: &Observed,
        p: &Params,
        rng: &mut Stream,
    ) -> Inspection {
        let scores = domain_scores(seen, p);
        let mut domains = [Rating::Good; 5];
        for (d, s) in domains.iter_mut().zip(scores) {
            let z: f64 = StandardNormal.sample(rng);
            *d = rate(s + p.regulator.inspector_noise_sd * z, &p.outcomes);
        }
        let overall = aggregate(&domains);
        let previous = self.overall;
        if overall > previous {
            self.downgraded_at = Some(month);
        }
        self.domains = domains;
        self.overall = overall;
        self.brought_forward = false;
        let longest = max_interval(overall, &p.regulator);
        let shortest = p.regulator.interval_min_share * longest;
        let wait = shortest + rng.random::<f64>() * (longest - shortest);
        self.next_inspection = month + (wait.round() as u32).max(1);
        Inspection {
            month,
            kind,
            domains,
            overall,
            previous,
        }
    }
}

/// The oversight body's concern score from what it monitors: the surplus
/// over 12 months (share of income), a noisy indicator of quality over 12
/// months, and the published mortality ratio (NaN where none is published).
pub fn concern(surplus_12: f64, monitored_quality: f64, mortality: f64, p: &Params) -> f64 {
    let o = &p.oversight;
    let mortality_term = if mortality.is_finite() {
        -o.mortality_weight * (mortality - 1.0) * 10.0
    } else {
        0.0
    };
    o.finance_weight * 100.0 * surplus_12
        + o.quality_weight * (monitored_quality - p.outcomes.quality_base)
        + mortality_term
}

/// The segment a trust's position calls for (1-4), from its published
/// rating and well-led rating, its deficit and the concern score.
pub fn segment_called_for(
    overall: Rating,
    well_led: Rating,
    surplus_12: f64,
    concern: f64,
    o: &OversightParams,
) -> u8 {
    let deficit = -surplus_12;
    if overall == Rating::Inadequate || deficit > o.financial_special_measures_deficit_share {
        4
    } else if (overall == Rating::RequiresImprovement && well_led >= Rating::RequiresImprovement)
        || concern < o.mandated_concern_below
        || deficit > o.mandated_deficit_share
    {
        3
    } else if overall == Rating::RequiresImprovement
        || concern < o.targeted_concern_below
        || deficit > 0.0
    {
        2
    } else {
        1
    }
}

/// One quarter of oversight: the level moves toward the segment called for
/// (up quickly, down one step at a time and slowly). Special measures (4)
/// is entered with its own probability and left only for segment 3.
pub fn step_segment(level: u8, called_for: u8, o: &OversightParams, u: f64) -> u8 {
    if called_for > level {
        let p = if called_for == 4 {
            o.special_measures_probability
        } else {
            o.escalate_probability
        };
        if u < p {
            return if called_for == 4 {
                4
            } else {
                called_for.min(3)
            };
        }
        level
    } else if called_for < level && u < o.deescalate_probability {
        level - 1
    } else {
        level
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Params;
    use Rating::{Good as G, Inadequate as I, Outstanding as O, RequiresImprovement as R};

    #[test]
    fn aggregation_follows_the_regulator_principles() {
        assert_eq!(aggregate(&[G, G, G, G, G]), G);
        assert_eq!(aggregate(&[O, O, G, G, G]), O);
        assert_eq!(
            aggregate(&[O, O, R, G, G]),
            G,
            "outstanding needs the rest good"
        );
        assert_eq!(aggregate(&[O, G, G, G, G]), G);
        assert_eq!(
            aggregate(&[R, G, G, G, O]),
            G,
            "one requires improvement is tolerated"
        );
        assert_eq!(aggregate(&[R, R, G, G, G]), R, "the rule of two");
        assert_eq!(aggregate(&[I, G, G, G, G]), R);
        assert_eq!(aggregate(&[I, I, G, G, G]), I);
    }

    #[test]
    fn segments_follow_rating_finance_and_concern() {
        let o = OversightParams::default();
        assert_eq!(segment_called_for(G, G, 0.01, 0.0, &o), 1);
        assert_eq!(segment_called_for(G, G, -0.001, 0.0, &o), 2);
        assert_eq!(segment_called_for(R, G, 0.01, 0.0, &o), 2);
        assert_eq!(segment_called_for(R, R, 0.01, 0.0, &o), 3);
        assert_eq!(segment_called_for(G, G, -0.05, 0.0, &o), 3);
        assert_eq!(segment_called_for(I, I, 0.01, 0.0, &o), 4);
        assert_eq!(segment_called_for(G, G, -0.2, 0.0, &o), 4);
        // Up quickly, down a step at a time; special measures left for 3.
        assert_eq!(step_segment(1, 3, &o, 0.0), 3);
        assert_eq!(step_segment(4, 1, &o, 0.0), 3);
        assert_eq!(step_segment(3, 1, &o, 0.99), 3);
    }

    #[test]
    fn an_inadequate_trust_is_inspected_again_sooner() {
        let p = RegulatorParams::default();
        assert!(max_interval(I, &p) < max_interval(R, &p));
        assert!(max_interval(R, &p) < max_interval(G, &p));
        assert!(max_interval(G, &p) <= max_interval(O, &p));
    }

    #[test]
    fn an_established_leadership_earns_well_led_credit_and_only_there() {
        let p = Params::default();
        let r = &p.regulator;
        let seen = |ceo_years: f64| Observed {
            quality: 70.0,
            staffing_gap: 0.12,
            experience: p.outcomes.experience_base,
            workload: 0.2,
            ceo_capability: 0.5,
            exec_vacancy: 0.0,
            recommend_work: 0.62,
            friction: p.friction.reference,
            ceo_years,
        };
        let (new, half, full, long) = (
            domain_scores(&seen(0.0), &p),
            domain_scores(&seen(r.well_led_stability_years / 2.0), &p),
            domain_scores(&seen(r.well_led_stability_years), &p),
            domain_scores(&seen(3.0 * r.well_led_stability_years), &p),
        );
        // The credit spans well_led_stability_weight, centred half way.
        let w = Domain::WellLed as usize;
        assert!((full[w] - new[w] - r.well_led_stability_weight).abs() < 1e-9);
        assert!((half[w] - (70.0 + r.well_led_offset)).abs() < 1e-9);
        assert_eq!(full[w], long[w], "the credit stops growing");
        // The other four domains see care, not the CEO's time in post.
        for d in 0..5 {
            if d != w {
                assert_eq!(new[d], long[d], "{}", Domain::LABELS[d]);
            }
        }
    }
}
