//! The trust: its state and the processes that run inside it each month
//! (engagement, sickness and leaving, the leader pipeline, the board,
//! development, friction, finance, outcomes, mortality, the staff survey,
//! oversight, inspections and the CEO's exit draw). Everything that crosses
//! trusts (the CEO labour market) lives in [`super::market`].
//!
//! The processes are split by theme: `init` builds a trust, `people` runs
//! staff, team leaders, executives and development, `care` runs friction,
//! finance and the outcomes of care, `oversight` runs the regulators and
//! the CEO's exit draw.

mod care;
mod init;
mod oversight;
mod people;
mod start;
#[cfg(test)]
mod tests;

use super::ceo::Ceo;
use super::development::DevelopmentLedger;
use super::environment::Environment;
use super::leaders::{Executive, Leader};
use super::params::Params;
use super::regulator::{Inspection, RegulatorState};
use super::rng::{Stream, StreamName, stream};
use super::{ExitRoute, TrustType};

pub use init::{draw_capability, draw_establishment};
pub use people::geometric_months;

/// A team: a contiguous run of staff posts and its leader.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Team {
    pub start: u32,
    pub end: u32,
    pub leader: Leader,
    /// Mean engagement of the team last month (for social influence).
    pub mean_engagement: f64,
}

/// The random streams one trust draws from, one per process.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TrustStreams {
    pub leaders: Stream,
    pub board: Stream,
    pub ceo_exit: Stream,
    pub friction: Stream,
    pub finance: Stream,
    pub oversight: Stream,
    pub outcomes: Stream,
    pub development: Stream,
    pub development_purchase: Stream,
    pub regulator: Stream,
    pub mortality: Stream,
    pub survey: Stream,
}

impl TrustStreams {
    fn new(seed: u64, replication: u32, trust: u64) -> Self {
        let s = |n| stream(seed, replication, n, trust);
        TrustStreams {
            leaders: s(StreamName::Leaders),
            board: s(StreamName::Board),
            ceo_exit: s(StreamName::CeoExit),
            friction: s(StreamName::Friction),
            finance: s(StreamName::Finance),
            oversight: s(StreamName::Oversight),
            outcomes: s(StreamName::Outcomes),
            development: s(StreamName::Development),
            development_purchase: s(StreamName::DevelopmentPurchase),
            regulator: s(StreamName::Regulator),
            mortality: s(StreamName::Mortality),
            survey: s(StreamName::Survey),
        }
    }
}

/// What happened in a trust this month, for reporting.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonthTally {
    pub engagement: f64,
    pub sickness_rate: f64,
    pub leaver_rate: f64,
    pub vacancy_rate: f64,
    pub in_post: u32,
    pub development_spend_gbp: f64,
    pub agency_spend_gbp: f64,
    pub mean_leader_capability: f64,
    /// Mean team-leader quality as staff feel it (capability and compassion).
    pub mean_leader_quality: f64,
    pub leader_exits: u32,
    /// Expected and observed deaths this month (acute trusts; 0 otherwise).
    pub expected_deaths: f64,
    pub observed_deaths: f64,
}

/// An executive's spell that ended this month, before it becomes a record.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndedExec {
    pub post: u8,
    pub holder: Executive,
    /// Simulated month of the change (the successor's first month).
    pub end_month: u32,
    pub route: ExecExit,
}

/// How an executive's spell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExecExit {
    /// Left the trust.
    Left,
    /// An interim handing over to the substantive appointee.
    InterimEnded,
    /// Became the trust's CEO.
    Promoted,
    /// Still in post at the end of the run (right-censored).
    InPost,
}

impl ExecExit {
    pub const LABELS: [&'static str; 4] = ["left", "interim_ended", "promoted", "in_post"];
    pub fn as_str(self) -> &'static str {
        Self::LABELS[self as usize]
    }
}

/// Events of a month that the engine turns into records.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrustEvents {
    pub inspections: Vec<Inspection>,
    pub exec_ended: Vec<EndedExec>,
}

/// Persistent traits of a trust drawn once.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Traits {
    /// Persistent cost efficiency (share of income).
    pub efficiency: f64,
    /// Persistent quality effect (quality points).
    pub quality: f64,
    /// Ill health of the local population (standard deviations).
    pub population: f64,
    /// Persistent case-mix and coding effect on the mortality ratio (log).
    pub case_mix: f64,
    /// Persistent survey culture (log-odds).
    pub survey: f64,
    /// Local labour market (log factor): a tight one raises leaving and
    /// slows filling a vacancy by the same factor.
    pub labour_market: f64,
    /// Sickness of the trust's workforce beyond its type (log factor):
    /// the local population's ill health and the trust's own causes.
    pub sickness: f64,
    /// Cost of the trust's temporary cover beyond the national (log
    /// factor): its mix of bank and agency staff, the rates it pays and
    /// how it rosters.
    pub temporary_staffing: f64,
    /// How the trust sets and records its establishment beyond the posts
    /// its work needs (log factor; its negative's exponential has mean one
    /// over trusts): the published vacancy rate counts against the
    /// recorded establishment, the model's processes use the real
    /// staffing gap.
    pub establishment_recording: f64,
}

/// The published mortality ratio's 12-month window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MortalityWindow {
    observed: [f64; 12],
    expected: [f64; 12],
    /// Slow drift of the trust's ratio (log).
    pub drift: f64,
}

impl MortalityWindow {
    /// Observed over expected deaths over the last 12 months (NaN if none expected).
    pub fn ratio(&self) -> f64 {
        let e: f64 = self.expected.iter().sum();
        if e > 0.0 {
            self.observed.iter().sum::<f64>() / e
        } else {
            f64::NAN
        }
    }
}

/// One NHS trust.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Trust {
    pub index: u32,
    pub kind: TrustType,
    pub establishment: u32,
    pub staff: crate::model::staff::StaffPool,
    pub teams: Vec<Team>,
    pub executives: Vec<Executive>,
    pub ceo: Ceo,
    /// Month the interim hands over to a permanent appointee.
    pub interim_until: Option<u32>,
    /// Month of the last change of CEO (permanent or interim).
    pub last_ceo_change: Option<u32>,
    /// Months of the last CEO and interim starts (for the post's attractiveness).
    pub ceo_starts: Vec<u32>,
    pub friction: f64,
    pub improvement: f64,
    pub culture: f64,
    /// The CEO's influence on the staff climate (engagement points).
    pub climate: f64,
    pub traits: Traits,
    pub quality_shock: f64,
    pub oversight_level: u8,
    pub regulator: RegulatorState,
    pub quality: f64,
    pub experience: f64,
    pub mortality: MortalityWindow,
    pub recommend_work: f64,
    pub recommend_care: f64,
    pub surplus_share: f64,
    income_12: [f64; 12],
    surplus_12: [f64; 12],
    quality_12: [f64; 12],
    leader_exits_12: [u32; 12],
    pub development: DevelopmentLedger,
    pub tally: MonthTally,
    pub events: TrustEvents,
    pub streams: TrustStreams,
}

impl Trust {
    /// Surplus over the last 12 months as a share of income.
    pub fn surplus_share_12(&self) -> f64 {
        let inc: f64 = self.income_12.iter().sum();
        if inc > 0.0 {
            self.surplus_12.iter().sum::<f64>() / inc
        } else {
            0.0
        }
    }

    /// Mean quality index over the last 12 months.
    pub fn quality_12(&self) -> f64 {
        self.quality_12.iter().sum::<f64>() / 12.0
    }

    /// Funded posts at full staff scale (the trust's real size).
    pub fn real_size(&self, p: &Params) -> f64 {
        f64::from(self.establishment) / p.run.staff_scale
    }

    /// Workload from last month's vacancies and sickness, this month's
    /// demand and the local population's health.
    pub fn workload(&self, env: &Environment, p: &Params) -> f64 {
        let tp = p.trusts.of(self.kind);
        let w = &p.workforce;
        (w.vacancy_workload * self.tally.vacancy_rate
            + w.sickness_workload * self.tally.sickness_rate
            + tp.demand_sensitivity * (env.demand - 1.0)
            + w.population_workload * self.traits.population
            + w.technology_workload * (env.technology - 1.0))
            .max(0.0)
    }

    /// The establishment the trust records over the posts its work needs.
    fn recorded_over_needed(&self) -> f64 {
        self.traits.establishment_recording.exp()
    }

    /// The vacancy rate the trust publishes: funded posts without a holder
    /// over the establishment it records, `1 - in post / (posts * factor)`,
    /// at least zero (a trust can record fewer posts than it staffs).
    pub fn published_vacancy_rate(&self) -> f64 {
        let real = self.tally.vacancy_rate;
        (1.0 - (1.0 - real) / self.recorded_over_needed()).clamp(0.0, 1.0)
    }

    /// The real staffing gap at which the trust publishes vacancy rate `v`
    /// (the inverse of [`Trust::published_vacancy_rate`], at least zero).
    pub fn real_vacancy_rate_publishing(&self, v: f64) -> f64 {
        (1.0 - (1.0 - v) * self.recorded_over_needed()).clamp(0.0, 1.0)
    }

    /// Instability felt after a CEO change (1 at the change, decaying).
    pub fn instability(&self, month: u32, p: &Params) -> f64 {
        self.last_ceo_change.map_or(0.0, |c| {
            (-(f64::from(month - c)) / p.ceo.instability_months).exp()
        })
    }

    /// Shortfall of the regulator's concern score below zero.
    pub fn performance_shortfall(&self) -> f64 {
        (-self.regulator.concern).max(0.0)
    }

    /// Share of executive posts held by interims.
    pub fn exec_vacancy_share(&self) -> f64 {
        let n = self.executives.len().max(1) as f64;
        self.executives.iter().filter(|e| e.is_acting()).count() as f64 / n
    }

    /// CEO and interim appointments in the 36 months before `month`.
    pub fn recent_ceo_starts(&self, month: u32) -> usize {
        self.ceo_starts.iter().filter(|&&s| s + 36 > month).count()
    }

    /// How attractive the CEO post is to candidates (0.05-1): bigger trusts
    /// with better ratings, lighter oversight and stable leadership attract.
    pub fn attractiveness(&self, month: u32, p: &Params) -> f64 {
        let c = &p.ceo;
        (0.5 + c.attract_size_weight * (self.real_size(p) / 4_000.0).ln()
            + c.attract_rating_weight * super::regulator::rating_score(self.regulator.overall)
            - c.attract_segment_weight * f64::from(self.oversight_level - 1)
            - c.attract_churn_weight * self.recent_ceo_starts(month) as f64)
            .clamp(0.05, 1.0)
    }

    /// Records the start of a CEO or interim spell in `month`.
    pub fn note_ceo_start(&mut self, month: u32) {
        self.ceo_starts.retain(|&s| s + 36 > month);
        self.ceo_starts.push(month);
        self.last_ceo_change = Some(month);
    }

    /// Runs every within-trust process for `month`; returns a CEO exit if one
    /// was drawn.
    pub fn step(&mut self, month: u32, env: &Environment, p: &Params) -> Option<ExitRoute> {
        let workload = self.workload(env, p);
        self.step_staff(month, workload, env, p);
        let mix = self.step_leaders(month, workload, p);
        self.step_board(month, p);
        let spend = self.step_development(month, p);
        self.step_friction(env, mix, p);
        self.step_finance(month, env, p, spend);
        self.step_outcomes(month, workload, env, p, spend);
        self.step_mortality(month, p);
        self.step_survey(workload, p);
        if month % 3 == 2 {
            self.step_oversight(month, p);
        }
        self.step_inspection(month, workload, p);
        self.draw_ceo_exit(month, p)
    }

    /// Number of team leaders.
    pub fn leaders(&self) -> usize {
        self.teams.len()
    }

    /// Share of executives developed for a CEO post, plus succession planning.
    pub fn pipeline_strength(&self, p: &Params) -> f64 {
        let ready = self.executives.iter().filter(|e| e.ready).count() as f64
            / self.executives.len().max(1) as f64;
        (ready + p.development.succession_planning).min(1.0)
    }
}
