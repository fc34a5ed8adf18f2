//! The organisation and its care each month: manager-clinician friction,
//! finance, improvement capability, quality and patient experience, the
//! SHMI-like mortality ratio with its own causes, and the staff survey's
//! advocacy items.

use rand_distr::{Distribution, Poisson, StandardNormal};

use super::Trust;
use super::people::LeaderMix;
use crate::model::TrustType;
use crate::model::environment::Environment;
use crate::model::params::Params;
use crate::model::rng::Stream;

fn normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Trust {
    /// The friction the trust's state pulls towards, with `churn` team
    /// leaders leaving a year per leader.
    pub(super) fn friction_target(
        &self,
        integration: f64,
        churn: f64,
        mix: LeaderMix,
        p: &Params,
    ) -> f64 {
        let f = &p.friction;
        let (compassion, hybrid, joint) = mix;
        let board_clin = self.executives.iter().filter(|e| e.clinical).count() as f64
            / self.executives.len().max(1) as f64;
        f.base
            + f.finance_weight * (-self.surplus_share_12()).max(0.0)
            + f.oversight_weight * p.oversight.punitiveness * f64::from(self.oversight_level - 1)
            + f.command_style_weight * (1.0 - compassion)
            + f.board_weight * (0.5 - board_clin).max(0.0)
            + f.churn_weight * churn
            - f.hybrid_weight * hybrid
            - f.joint_development_weight * joint
            + f.integration_weight * (integration - 1.0)
    }

    /// The month's friction, toward the target at the team leaders' `mix`
    /// this month.
    pub(super) fn step_friction(&mut self, env: &Environment, mix: LeaderMix, p: &Params) {
        let f = &p.friction;
        let n = self.teams.len().max(1) as f64;
        let churn = self.leader_exits_12.iter().sum::<u32>() as f64 / n;
        let target = self.friction_target(env.integration, churn, mix, p);
        self.friction += f.adjust_rate * (target - self.friction)
            + f.noise_sd * normal(&mut self.streams.friction);
        self.friction = self.friction.clamp(0.0, 1.0);
    }

    pub(super) fn step_finance(
        &mut self,
        month: u32,
        env: &Environment,
        p: &Params,
        dev_spend: f64,
    ) {
        let fi = &p.finance;
        let tp = p.trusts.of(self.kind);
        let pay_month = fi.pay_per_fte_gbp / 12.0;
        let n = f64::from(self.establishment);
        let income = n * pay_month * fi.income_to_pay_ratio / env.financial_constraint.max(1e-6);
        let filled = f64::from(self.tally.in_post);
        let vacant = (n - filled).max(0.0);
        let sick = filled * self.tally.sickness_rate;
        let temporary = self.traits.temporary_staffing;
        let sd = p.workforce.temporary_staffing_sd;
        let agency = (vacant + sick)
            * p.workforce.agency_cover_share
            * pay_month
            * (1.0 + p.workforce.agency_premium)
            * (temporary - 0.5 * sd * sd).exp();
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
            * (self.traits.efficiency
                + p.trusts.of(self.kind).payment_margin
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

    pub(super) fn step_outcomes(
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
        // Care is judged against its sector's standards: engagement acts on
        // it from the type's norm (the type's job demands lower every trust
        // of the type alike and are not a failing of any one of them).
        let engagement = self.tally.engagement - 6.9 + p.trusts.of(self.kind).job_demands;
        self.quality = (q.quality_base
            + p.trusts.of(self.kind).quality_offset
            + self.traits.quality
            + q.quality_engagement * engagement
            + q.quality_improvement * (self.improvement - 0.5)
            - q.quality_workload * workload
            - q.quality_friction * (self.friction - p.friction.reference)
            + q.quality_leadership * (self.tally.mean_leader_capability - 0.5)
            + self.quality_shock)
            .clamp(0.0, 100.0);
        self.quality_12[(month % 12) as usize] = self.quality;
        self.experience = (q.experience_base + q.experience_engagement * engagement
            - q.experience_expectations * (env.expectations - 1.0)
            + q.experience_noise_sd * normal(rng))
        .clamp(0.0, 10.0);
    }

    /// Expected deaths a month (acute trusts only): the national rate for a
    /// trust of this real size.
    pub(super) fn expected_deaths(&self, p: &Params) -> f64 {
        if self.kind == TrustType::Acute {
            p.mortality.expected_deaths_per_1000_staff * self.real_size(p) / 1_000.0
        } else {
            0.0
        }
    }

    /// Deaths relative to expected from the trust's own causes: case mix and
    /// coding, population health, a slow drift, avoidable deaths (quality)
    /// and nurse staffing.
    pub(super) fn mortality_relative_risk(&self, p: &Params) -> f64 {
        let m = &p.mortality;
        (self.traits.case_mix
            + m.population_weight * self.traits.population
            + self.mortality.drift
            + m.quality_weight * (p.outcomes.quality_base - self.quality)
            + m.staffing_weight * (self.tally.vacancy_rate - 0.08))
            .exp()
    }

    /// This month's deaths (Poisson around expected times the relative
    /// risk) enter the 12-month window of the published ratio.
    pub(super) fn step_mortality(&mut self, month: u32, p: &Params) {
        let expected = self.expected_deaths(p);
        if expected <= 0.0 {
            self.tally.expected_deaths = 0.0;
            self.tally.observed_deaths = 0.0;
            return;
        }
        let m = &p.mortality;
        let z = normal(&mut self.streams.mortality);
        self.mortality.drift = m.drift_persistence * self.mortality.drift + m.drift_noise_sd * z;
        let lambda = expected * self.mortality_relative_risk(p);
        let rng = &mut self.streams.mortality;
        let observed = Poisson::new(lambda.max(1e-9)).map_or(lambda, |d| d.sample(rng));
        let k = (month % 12) as usize;
        self.mortality.expected[k] = expected;
        self.mortality.observed[k] = observed;
        self.tally.expected_deaths = expected;
        self.tally.observed_deaths = observed;
    }

    /// The staff survey's advocacy items: would recommend the trust as a
    /// place to work (engagement, workload, team leaders) and would be
    /// happy with the standard of care for a friend or relative (the care
    /// staff see, engagement, staffing).
    pub(super) fn step_survey(&mut self, workload: f64, p: &Params) {
        let s = &p.survey;
        let rng = &mut self.streams.survey;
        let e = self.tally.engagement - 7.0;
        let culture = self.traits.survey;
        self.recommend_work = logistic(
            s.work_base + s.work_engagement * e - s.work_workload * (workload - 0.2)
                + s.work_leadership * (self.tally.mean_leader_quality - 0.5)
                + culture
                + s.noise_sd * normal(rng),
        );
        self.recommend_care = logistic(
            s.care_base
                + s.care_quality * (self.quality - p.outcomes.quality_base)
                + s.care_engagement * e
                - s.care_staffing * (self.tally.vacancy_rate - 0.08)
                + culture
                + s.noise_sd * normal(rng),
        );
    }
}
