//! What the regulators do to a trust, and what its board does to its CEO:
//! the quarterly oversight segment, inspections (scheduled, responsive and
//! follow-up), and the CEO's monthly exit draw, which reads the published
//! rating and the regulators' view, never the latent quality.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::Trust;
use crate::model::ExitRoute;
use crate::model::ceo::{self, CeoContext};
use crate::model::params::Params;
use crate::model::regulator::{
    self, Domain, InspectionKind, Observed, segment_called_for, step_segment,
};

impl Trust {
    /// What an inspection or the regulators' monitoring sees this month.
    fn observed(&self, month: u32, workload: f64, p: &Params) -> Observed {
        let ceo_capability = if self.ceo.interim {
            f64::from(self.ceo.capability)
        } else {
            self.ceo.effective_capability(month, &p.ceo)
        };
        Observed {
            quality: self.quality,
            staffing_gap: self.tally.vacancy_rate + self.tally.sickness_rate,
            experience: self.experience,
            workload,
            ceo_capability,
            exec_vacancy: self.exec_vacancy_share(),
            recommend_work: self.recommend_work,
            friction: self.friction,
            ceo_years: if self.ceo.interim {
                0.0
            } else {
                f64::from(self.ceo.tenure_months(month)) / 12.0
            },
        }
    }

    /// A quarter of oversight: the concern score from monitored indicators
    /// (finance, a noisy view of quality, the published mortality ratio),
    /// the segment it and the published rating call for, and a responsive
    /// inspection if the concern is serious.
    pub(super) fn step_oversight(&mut self, month: u32, p: &Params) {
        let noise: f64 = StandardNormal.sample(&mut self.streams.oversight);
        let monitored = self.quality_12() + p.regulator.monitoring_noise_sd * noise;
        let surplus = self.surplus_share_12();
        let concern = regulator::concern(surplus, monitored, self.mortality.ratio(), p);
        self.regulator.concern = concern;
        let well_led = self.regulator.domains[Domain::WellLed as usize];
        let called = segment_called_for(
            self.regulator.overall,
            well_led,
            surplus,
            concern,
            &p.oversight,
        );
        let rng = &mut self.streams.oversight;
        self.oversight_level =
            step_segment(self.oversight_level, called, &p.oversight, rng.random());
        let r = &p.regulator;
        if concern < r.concern_below && rng.random::<f64>() < r.responsive_probability {
            self.regulator.bring_forward(month + 1);
        }
    }

    /// Inspects when an inspection is due, and publishes the result.
    pub(super) fn step_inspection(&mut self, month: u32, workload: f64, p: &Params) {
        if month < self.regulator.next_inspection {
            return;
        }
        if !p.regulator.routine_inspections && !self.regulator.brought_forward {
            // Paused: the inspection is put off, so that the backlog is
            // worked through over a year once inspections resume.
            let wait: u32 = self.streams.regulator.random_range(1..=12);
            self.regulator.next_inspection = month + wait;
            return;
        }
        let seen = self.observed(month, workload, p);
        let previous = self.regulator.overall;
        let kind = if previous == crate::model::Rating::Inadequate {
            InspectionKind::FollowUp
        } else if self.regulator.brought_forward {
            InspectionKind::Responsive
        } else {
            InspectionKind::Scheduled
        };
        let inspection = self
            .regulator
            .inspect(month, kind, &seen, p, &mut self.streams.regulator);
        self.events.inspections.push(inspection);
    }

    /// Draws whether the permanent CEO leaves this month (interims do not).
    pub(super) fn draw_ceo_exit(&mut self, month: u32, p: &Params) -> Option<ExitRoute> {
        if self.ceo.interim {
            return None;
        }
        let ctx = CeoContext {
            oversight_level: self.oversight_level,
            performance_shortfall: self.performance_shortfall(),
            friction: self.friction,
            rating: self.regulator.overall,
            recent_downgrade: self.regulator.downgraded_at.is_some_and(|d| d + 12 > month),
            deficit_share: (-self.surplus_share_12()).max(0.0),
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
}
