//! Building a trust at month 0 of burn-in from its own `init` stream: its
//! size, staff, teams and leaders, board, sitting CEO, persistent traits and
//! the regulators' first view of it.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, LogNormal, Normal, StandardNormal};

use super::{MonthTally, MortalityWindow, Team, Traits, Trust, TrustEvents, TrustStreams};
use crate::model::ceo::Ceo;
use crate::model::development::{DevelopmentLedger, expected_places};
use crate::model::environment::Environment;
use crate::model::leaders::{Executive, Leader};
use crate::model::params::{Params, StaffParams, TrustTypeParams};
use crate::model::regulator::RegulatorState;
use crate::model::rng::{Stream, StreamName, stream};
use crate::model::staff::StaffPool;
use crate::model::{Pathway, TrustType};

fn normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

/// Establishment (FTE posts) drawn for a trust of type `t`.
pub fn draw_establishment(
    t: &TrustTypeParams,
    staff_scale: f64,
    team_size: u32,
    rng: &mut Stream,
) -> u32 {
    let fte = LogNormal::new(t.staff_median_fte.ln(), t.staff_sigma_log)
        .map_or(t.staff_median_fte, |d| d.sample(rng))
        .clamp(t.staff_min_fte, t.staff_max_fte);
    ((fte * staff_scale).round() as u32).max(team_size)
}

/// Draws a capability around `mean`, on 0-1.
pub fn draw_capability(mean: f64, sd: f64, rng: &mut Stream) -> f32 {
    let v = if sd > 0.0 {
        Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
    } else {
        mean
    };
    v.clamp(0.0, 1.0) as f32
}

/// Teams of `team_size` slots over `n` posts, each with a leader of a
/// random tenure and the experience it implies.
fn teams(staff: &StaffPool, n: u32, rates: &[f64; 7], p: &Params, rng: &mut Stream) -> Vec<Team> {
    let ts = p.staff.team_size;
    let l = &p.leaders;
    let mut teams = Vec::with_capacity(n.div_ceil(ts) as usize);
    let mut start = 0;
    while start < n {
        let end = (start + ts).min(n);
        let clinical_post = rng.random::<f64>() < l.clinical_leader_share;
        let (mut leader, _) = Leader::appoint(clinical_post, l, &p.development, rng);
        let months = stationary_tenure(l.leave_annual, rng);
        leader.live_through(months, rates, l, &p.development, rng);
        teams.push(Team {
            start,
            end,
            leader,
            mean_engagement: staff.team_mean(start as usize..end as usize).0,
        });
        start = end;
    }
    teams
}

/// The sitting CEO: elapsed tenure is that of a holder found in post under
/// a constant hazard with the model's own steady-state mean time in post, so
/// burn-in starts near the steady state.
fn first_ceo(id: u64, p: &Params, rng: &mut Stream) -> Ceo {
    let mean = p.ceo.initial_tenure_mean_months;
    let elapsed = geometric_months(mean / (1.0 + mean), 240.0, rng);
    let age = (p.ceo.first_appointment_age + 3.0 + p.ceo.appointment_age_sd * normal(rng))
        .clamp(35.0, 64.0);
    let clinical = rng.random::<f64>() < p.board.clinician_share;
    let cap = (p.ceo.experienced_capability + p.ceo.capability_sd * normal(rng)).clamp(0.0, 1.0);
    let l = &p.leaders;
    Ceo {
        id,
        pathway: if clinical {
            Pathway::Clinical
        } else {
            Pathway::GeneralManagement
        },
        capability: cap as f32,
        compassion: (l.compassion_mean + l.compassion_sd * normal(rng)).clamp(0.0, 1.0) as f32,
        age_at_start: age as f32,
        start_month: -(elapsed.round() as i32),
        interim: false,
        internal: rng.random::<f64>() < 0.3,
        first_time: rng.random::<f64>() < 0.5,
    }
}

/// Persistent traits, drawn once: the first five from the trust's build
/// stream, the workforce's local traits from its own (`local`).
fn traits(p: &Params, rng: &mut Stream, local: &mut Stream) -> Traits {
    let efficiency = p.finance.efficiency_sd * normal(rng);
    let quality = p.outcomes.quality_trust_sd * normal(rng);
    let population = normal(rng);
    Traits {
        efficiency,
        quality,
        population,
        case_mix: p.mortality.case_mix_sd * normal(rng),
        survey: p.survey.culture_sd * normal(rng),
        labour_market: p.workforce.labour_market_sd * normal(local),
        sickness: p.staff.sickness_population_slope * population
            + p.staff.sickness_trust_sd * normal(local),
        temporary_staffing: p.workforce.temporary_staffing_sd * normal(local),
        establishment_recording: {
            // Shifted by sd^2 / 2 so that the inverse factor, by which staff
            // in post are divided, has mean one over trusts.
            let sd = p.workforce.establishment_recording_sd;
            sd * normal(local) + 0.5 * sd * sd
        },
    }
}

impl Trust {
    /// Builds trust `index` of type `kind` at month 0 of burn-in.
    pub fn new(
        index: u32,
        kind: TrustType,
        p: &Params,
        replication: u32,
        next_ceo_id: &mut u64,
    ) -> Trust {
        Trust::sized(index, kind, None, p, replication, next_ceo_id)
    }

    /// Builds trust `index` of type `kind`, with `fte` funded posts at full
    /// scale if given (the size is drawn all the same, so that the stream's
    /// later draws do not shift).
    pub fn sized(
        index: u32,
        kind: TrustType,
        fte: Option<f64>,
        p: &Params,
        replication: u32,
        next_ceo_id: &mut u64,
    ) -> Trust {
        let tp = p.trusts.of(kind);
        let mut rng = stream(p.run.seed, replication, StreamName::Init, u64::from(index));
        let drawn = draw_establishment(tp, p.run.staff_scale, p.staff.team_size, &mut rng);
        let n = fte.map_or(drawn, |f| {
            ((f * p.run.staff_scale).round() as u32).max(p.staff.team_size)
        });
        let staff = StaffPool::new(
            n as usize,
            tp.clinician_share,
            p.workforce.initial_vacancy_rate,
            p.staff.engagement_base - 0.2,
            stream(p.run.seed, replication, StreamName::Staff, u64::from(index)).next_u64(),
            &mut rng,
        );
        let (team_rates, board_rates) = place_rates(p, n);
        let teams = teams(&staff, n, &team_rates, p, &mut rng);
        let executives = executives(p, &board_rates, &mut rng);
        let ceo = first_ceo(*next_ceo_id, p, &mut rng);
        *next_ceo_id += 1;
        let culture = stationary_culture_sd(&p.staff) * normal(&mut rng);
        let mut local = stream(p.run.seed, replication, StreamName::Local, u64::from(index));
        let traits = traits(p, &mut rng, &mut local);
        let regulator = RegulatorState::new(p.run.burn_in_months.clamp(1, 24), &mut rng);
        let climate = p.staff.ceo_weight
            * (ceo.quality(0, &p.ceo, p.leaders.compassion_quality_weight) - 0.5);
        let tally = first_tally(&teams, n, p);
        let mut t = Trust {
            index,
            kind,
            establishment: n,
            staff,
            teams,
            executives,
            ceo,
            interim_until: None,
            last_ceo_change: None,
            ceo_starts: Vec::new(),
            friction: p.friction.reference,
            improvement: 0.5,
            culture,
            climate,
            traits,
            quality_shock: 0.0,
            oversight_level: 1,
            regulator,
            quality: p.outcomes.quality_base,
            experience: p.outcomes.experience_base,
            mortality: MortalityWindow {
                observed: [0.0; 12],
                expected: [0.0; 12],
                drift: 0.0,
            },
            recommend_work: 0.62,
            recommend_care: 0.7,
            surplus_share: 0.0,
            income_12: [0.0; 12],
            surplus_12: [0.0; 12],
            quality_12: [p.outcomes.quality_base; 12],
            leader_exits_12: [0; 12],
            development: DevelopmentLedger::default(),
            tally,
            events: TrustEvents::default(),
            streams: TrustStreams::new(p.run.seed, replication, u64::from(index)),
        };
        t.settle(p);
        t.prime_mortality(p);
        t
    }

    /// Share of team leaders with any development.
    pub(super) fn developed_leader_share(&self) -> f64 {
        self.teams
            .iter()
            .filter(|t| t.leader.formal_done + t.leader.practical_done > 0)
            .count() as f64
            / self.teams.len().max(1) as f64
    }

    /// Starts the trust's slow stocks where its own processes hold them:
    /// friction at the target its leaders and board pull it to (with team
    /// leaders leaving at their base rate), then improvement capability at
    /// the level where what its leaders build, and its development buys,
    /// balances its decay and what developed leaders take away when they
    /// leave (at month 0's pressures, oversight level 1 and no deficit).
    fn settle(&mut self, p: &Params) {
        let l = &p.leaders;
        let q = &p.outcomes;
        let env = Environment::at(&p.pressures, 0);
        let exit = monthly_leaving(l.leave_annual);
        self.friction = self
            .friction_target(env.integration, 12.0 * exit, self.leader_mix(), p)
            .clamp(0.0, 1.0);
        let capability = self.tally.mean_leader_capability;
        let developed = self.developed_leader_share();
        let real = self.real_size(p);
        let places = expected_places(&p.development, p.finance.pay_per_fte_gbp, real);
        let spend: f64 = (0..7)
            .map(|k| places[k] * p.development.interventions()[k].cost_gbp)
            .sum();
        let built = q.improvement_build
            * (1.0 + q.technology_improvement * (env.technology - 1.0)).max(0.0)
            * capability
            * (1.0 - self.friction)
            + q.improvement_per_development * spend / real.max(1e-9);
        let lost = q.improvement_decay + l.capability_loss_on_exit * exit * developed;
        self.improvement = if lost > 0.0 {
            (built / lost).clamp(0.0, 1.0)
        } else {
            0.5
        };
    }

    /// Fills the mortality window with 12 months at the trust's expected
    /// ratio, so the published ratio needs no warm-up.
    fn prime_mortality(&mut self, p: &Params) {
        let expected = self.expected_deaths(p);
        let ratio = self.mortality_relative_risk(p);
        self.mortality.expected = [expected; 12];
        self.mortality.observed = [expected * ratio; 12];
    }
}

/// The board at the start of burn-in: appointments with tenures spread over
/// the last eight years.
fn executives(p: &Params, rates: &[f64; 7], rng: &mut Stream) -> Vec<Executive> {
    (0..p.board.executives)
        .map(|_| {
            let mut e = Executive::appoint(&p.board, &p.leaders, 0, rng);
            let months = stationary_tenure(p.board.leave_annual, rng);
            e.live_through(months, rates, &p.development, rng);
            e
        })
        .collect()
}

/// Places a month of each intervention that the development budget buys
/// for a trust of `n` simulated posts, at the steady state: per team leader
/// (first), and in executive programmes for the board (second). Executive
/// programmes go to executives who are not yet CEO-ready, that is to
/// newcomers (about `executives x` their monthly leaving rate); the rest of
/// those places goes to team leaders.
fn place_rates(p: &Params, n: u32) -> ([f64; 7], [f64; 7]) {
    let real = f64::from(n) / p.run.staff_scale;
    let places = expected_places(&p.development, p.finance.pay_per_fte_gbp, real);
    let leaders = f64::from(n.div_ceil(p.staff.team_size).max(1));
    let ivs = p.development.interventions();
    let executive: f64 = (0..7)
        .filter(|&k| ivs[k].executive)
        .map(|k| places[k])
        .sum();
    let newcomers = f64::from(p.board.executives) * monthly_leaving(p.board.leave_annual);
    let to_board = if executive > 0.0 {
        (newcomers / executive).min(1.0)
    } else {
        0.0
    };
    let mut board = [0.0; 7];
    let team = std::array::from_fn(|k| {
        if ivs[k].executive {
            board[k] = places[k];
            places[k] * (1.0 - to_board) * p.run.staff_scale / leaders
        } else {
            places[k] * p.run.staff_scale / leaders
        }
    });
    (team, board)
}

/// Months in post of a holder found in post at a random moment when holders
/// leave at `leave_annual` a year: geometric (the stationary distribution of
/// elapsed tenure under a constant hazard), capped at 40 years.
fn stationary_tenure(leave_annual: f64, rng: &mut Stream) -> u16 {
    let stay = (1.0 - leave_annual.clamp(0.0, 0.999)).powf(1.0 / 12.0);
    geometric_months(stay, 480.0, rng) as u16
}

/// Whole months elapsed, geometric with monthly probability `stay` of one
/// more month, capped at `cap` (no draw when `stay` is 1).
fn geometric_months(stay: f64, cap: f64, rng: &mut Stream) -> f64 {
    if stay >= 1.0 {
        return cap;
    }
    let u = rng.random::<f64>().max(1e-300);
    (u.ln() / stay.ln()).floor().min(cap)
}

/// Monthly leaving probability of a holder who leaves at `annual` a year.
fn monthly_leaving(annual: f64) -> f64 {
    1.0 - (1.0 - annual.clamp(0.0, 0.999)).powf(1.0 / 12.0)
}

/// SD of the stationary distribution of local culture (an AR(1) shock).
fn stationary_culture_sd(s: &StaffParams) -> f64 {
    if s.culture_persistence < 1.0 {
        s.culture_noise_sd / (1.0 - s.culture_persistence * s.culture_persistence).sqrt()
    } else {
        s.culture_noise_sd
    }
}

/// The tally a trust starts from, as if last month had been typical.
fn first_tally(teams: &[Team], n: u32, p: &Params) -> MonthTally {
    let mean_cap = teams
        .iter()
        .map(|t| f64::from(t.leader.capability))
        .sum::<f64>()
        / teams.len().max(1) as f64;
    MonthTally {
        engagement: p.staff.engagement_base - 0.2,
        sickness_rate: 0.045,
        leaver_rate: 0.009,
        vacancy_rate: p.workforce.initial_vacancy_rate,
        in_post: n,
        mean_leader_capability: mean_cap,
        mean_leader_quality: 0.5,
        ..MonthTally::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::from_u64;

    #[test]
    fn stationary_tenure_is_geometric_with_the_leaving_rate() {
        let mut rng = from_u64(4);
        let n = 40_000;
        let mean = (0..n)
            .map(|_| f64::from(stationary_tenure(0.1, &mut rng)))
            .sum::<f64>()
            / f64::from(n);
        // Mean of floor(ln u / ln s) with s = 0.9^(1/12): s / (1 - s), about
        // 113.4 months (the cap at 480 months removes under 1 %).
        let s = 0.9f64.powf(1.0 / 12.0);
        let expect = s / (1.0 - s);
        assert!((mean / expect - 1.0).abs() < 0.03, "{mean} vs {expect}");
        assert_eq!(stationary_tenure(0.0, &mut rng), 480);
    }
}
