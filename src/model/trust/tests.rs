//! Tests of a trust's processes.

use super::*;
use crate::model::Rating;
use crate::model::params::Params;

fn small() -> Params {
    crate::model::params::edited(|p| p.run.staff_scale = 0.05)
}

#[test]
fn a_new_trust_is_consistent() {
    let p = small();
    let mut id = 0;
    let t = Trust::new(3, TrustType::Acute, &p, 0, &mut id);
    assert_eq!(t.staff.len() as u32, t.establishment);
    assert_eq!(t.teams.first().unwrap().start, 0);
    assert_eq!(t.teams.last().unwrap().end, t.establishment);
    assert!(t.teams.windows(2).all(|w| w[0].end == w[1].start));
    assert_eq!(t.executives.len() as u32, p.board.executives);
    assert_eq!(id, 1);
}

#[test]
fn a_deep_deficit_or_an_inadequate_rating_brings_special_measures() {
    let p = small();
    let mut id = 0;
    let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    t.surplus_12 = [-0.15; 12];
    t.income_12 = [1.0; 12];
    for q in 0..20 {
        t.step_oversight(3 * q + 2, &p);
    }
    assert_eq!(t.oversight_level, 4, "financial special measures");
    let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    t.surplus_12 = [0.01; 12];
    t.income_12 = [1.0; 12];
    t.regulator.overall = Rating::Inadequate;
    for q in 0..20 {
        t.step_oversight(3 * q + 2, &p);
    }
    assert_eq!(t.oversight_level, 4, "quality special measures");
    t.regulator.overall = Rating::Good;
    for q in 20..60 {
        t.step_oversight(3 * q + 2, &p);
    }
    assert!(
        t.oversight_level <= 2,
        "left special measures: {}",
        t.oversight_level
    );
}

#[test]
fn friction_rises_under_punitive_oversight_and_deficit() {
    let p = small();
    let env = Environment::at(&p.pressures, 0);
    let mut id = 0;
    let mut calm = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let mut hot = calm.clone();
    hot.oversight_level = 4;
    hot.surplus_12 = [-0.05; 12];
    hot.income_12 = [1.0; 12];
    for _ in 0..60 {
        calm.step_friction(&env, calm.leader_mix(), &p);
        hot.step_friction(&env, hot.leader_mix(), &p);
    }
    assert!(
        hot.friction > calm.friction + 0.1,
        "{} vs {}",
        hot.friction,
        calm.friction
    );
}

#[test]
fn vacancies_and_financial_constraint_erode_the_surplus() {
    let p = small();
    let mut id = 0;
    let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let env = Environment::at(&p.pressures, 0);
    let surplus = |t: &Trust, env: &Environment, in_post: u32| {
        let mut t = t.clone();
        t.tally.in_post = in_post;
        t.traits.efficiency = 0.0;
        t.step_finance(0, env, &p, 0.0);
        100.0 * t.surplus_share
    };
    let full = surplus(&t, &env, t.establishment);
    let short = surplus(&t, &env, t.establishment * 8 / 10);
    assert!(
        short < full,
        "agency cover at a premium costs more: {short} vs {full}"
    );
    let tight = Environment {
        financial_constraint: 1.1,
        ..env
    };
    assert!(surplus(&t, &tight, t.establishment) < full - 5.0);
}

#[test]
fn temporary_cover_costs_scale_with_the_trusts_own_factor_of_mean_one() {
    let p = small();
    let sd = p.workforce.temporary_staffing_sd;
    assert!(sd > 0.0);
    let mut id = 0;
    let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let env = Environment::at(&p.pressures, 0);
    let spend = |factor: f64| {
        let mut t = t.clone();
        t.tally.in_post = t.establishment * 9 / 10;
        t.traits.temporary_staffing = factor;
        t.step_finance(0, &env, &p, 0.0);
        (t.tally.agency_spend_gbp, t.surplus_share)
    };
    let (at_mean, surplus_at_mean) = spend(0.5 * sd * sd);
    let (dear, surplus_dear) = spend(0.5 * sd * sd + 0.4);
    let (cheap, _) = spend(0.5 * sd * sd - 0.4);
    assert!(at_mean > 0.0);
    // The factor is exp(trait - sd^2 / 2): one at the trait's mean-one point.
    assert!(
        (dear / at_mean - 0.4f64.exp()).abs() < 1e-9,
        "{dear} {at_mean}"
    );
    assert!((cheap / at_mean - (-0.4f64).exp()).abs() < 1e-9);
    // What the dearer cover costs comes off the surplus.
    assert!(surplus_dear < surplus_at_mean);
    // The factor's mean over trusts is one: the national spend does not move.
    let tiny = crate::model::params::edited(|p| p.run.staff_scale = 0.001);
    let n = 4_000;
    let mean: f64 = (0..n)
        .map(|i| {
            let t = Trust::new(i, TrustType::Acute, &tiny, 0, &mut id);
            (t.traits.temporary_staffing - 0.5 * sd * sd).exp()
        })
        .sum::<f64>()
        / f64::from(n);
    assert!((mean - 1.0).abs() < 0.03, "{mean}");
}

#[test]
fn friction_and_workload_lower_quality() {
    let p = small();
    let mut id = 0;
    let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let env = Environment::at(&p.pressures, 0);
    let quality = |friction: f64, workload: f64| {
        let mut t = t.clone();
        t.friction = friction;
        t.streams.outcomes = crate::model::rng::from_u64(1);
        t.step_outcomes(0, workload, &env, &p, 0.0);
        (t.quality, t.mortality_relative_risk(&p))
    };
    let (q0, m0) = quality(0.3, 0.1);
    let (q1, m1) = quality(0.6, 0.1);
    let (q2, _) = quality(0.3, 0.5);
    assert!(q1 < q0 && q2 < q0 && m1 > m0);
}

#[test]
fn technology_pressure_adds_workload_and_improvement() {
    let p = small();
    let mut id = 0;
    let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let flat = Environment::at(&p.pressures, 0);
    let tech = Environment {
        technology: 2.0,
        ..flat
    };
    assert!(t.workload(&tech, &p) > t.workload(&flat, &p));
    let (mut a, mut b) = (t.clone(), t.clone());
    for m in 0..24 {
        a.step_outcomes(m, 0.2, &flat, &p, 0.0);
        b.step_outcomes(m, 0.2, &tech, &p, 0.0);
    }
    assert!(b.improvement > a.improvement);
}

#[test]
fn a_trust_month_keeps_every_quantity_in_range() {
    let p = small();
    let mut id = 0;
    let mut t = Trust::new(1, TrustType::MentalHealth, &p, 0, &mut id);
    for m in 0..36 {
        let env = Environment::at(&p.pressures, m);
        let _ = t.step(m, &env, &p);
        assert!((0.0..=10.0).contains(&t.tally.engagement));
        assert!((0.0..=1.0).contains(&t.tally.sickness_rate));
        assert!((0.0..=1.0).contains(&t.friction));
        assert!((1..=4).contains(&t.oversight_level));
        assert!(t.tally.in_post <= t.establishment);
        assert!(t.surplus_share.is_finite());
    }
}

#[test]
fn mortality_is_published_for_acute_trusts_only_and_is_mostly_not_quality() {
    let p = small();
    let mut id = 0;
    let mut acute = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let mut mh = Trust::new(1, TrustType::MentalHealth, &p, 0, &mut id);
    for m in 0..24 {
        acute.step_mortality(m, &p);
        mh.step_mortality(m, &p);
    }
    assert!(mh.mortality.ratio().is_nan());
    let r = acute.mortality.ratio();
    assert!((0.5..2.0).contains(&r), "{r}");
    // Ten quality points (a large gap) move the ratio by a few per cent.
    let base = acute.mortality_relative_risk(&p);
    acute.quality -= 10.0;
    let worse = acute.mortality_relative_risk(&p) / base;
    assert!((1.01..1.1).contains(&worse), "{worse}");
}

#[test]
fn a_good_team_leader_buffers_disruption_from_the_top() {
    let p = small();
    let s = &p.staff;
    let hit = |q: f64| s.instability_weight * (1.0 - s.leader_buffer * q);
    assert!(hit(0.9) < 0.5 * hit(0.1));
}

#[test]
fn an_executive_who_leaves_is_covered_by_an_interim_then_replaced() {
    let p = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.05;
        p.board.leave_annual = 0.9;
    });
    let mut id = 0;
    let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    for m in 0..36 {
        t.step_board(m, &p);
    }
    let routes: Vec<ExecExit> = t.events.exec_ended.iter().map(|e| e.route).collect();
    assert!(routes.contains(&ExecExit::Left) && routes.contains(&ExecExit::InterimEnded));
    assert!(t.executives.iter().any(|e| e.is_acting()));
}

/// Mean engagement, sickness, leaver and vacancy rates of a trust of type
/// `kind` over 36 months of its whole monthly step under `p`.
fn staff_means(kind: TrustType, p: &Params) -> [f64; 4] {
    let env = Environment::at(&p.pressures, 0);
    let mut id = 0;
    let mut t = Trust::new(0, kind, p, 0, &mut id);
    let mut sum = [0.0; 4];
    for m in 0..36 {
        t.step(m, &env, p);
        let x = &t.tally;
        for (s, v) in
            sum.iter_mut()
                .zip([x.engagement, x.sickness_rate, x.leaver_rate, x.vacancy_rate])
        {
            *s += v / 36.0;
        }
    }
    sum
}

#[test]
fn a_types_job_demands_exposure_and_labour_market_act_on_its_staff() {
    // The same ambulance and community trusts, once with their types'
    // parameters and once with acute trusts' (neutral) values.
    let typed = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.1;
        p.trusts.ambulance.job_demands = 1.0;
        p.trusts.ambulance.sickness_exposure = 1.5;
        p.trusts.community.leave_market = 1.6;
        p.trusts.community.recruitment = 0.6;
    });
    let neutral = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.1;
        for t in [&mut p.trusts.ambulance, &mut p.trusts.community] {
            t.job_demands = 0.0;
            t.sickness_exposure = 1.0;
            t.leave_market = 1.0;
            t.recruitment = 1.0;
        }
    });
    let (a, a0) = (
        staff_means(TrustType::Ambulance, &typed),
        staff_means(TrustType::Ambulance, &neutral),
    );
    assert!(a0[0] - a[0] > 0.5, "engagement {} vs {}", a[0], a0[0]);
    assert!(a[1] > 1.4 * a0[1], "sickness {} vs {}", a[1], a0[1]);
    let (c, c0) = (
        staff_means(TrustType::Community, &typed),
        staff_means(TrustType::Community, &neutral),
    );
    assert!(c[2] > 1.3 * c0[2], "leaving {} vs {}", c[2], c0[2]);
    assert!(c[3] > 1.5 * c0[3], "vacancies {} vs {}", c[3], c0[3]);
}

#[test]
fn a_types_job_demands_do_not_lower_its_care_against_its_own_norm() {
    // Engagement a point lower because of the type's job demands leaves
    // quality where engagement at the norm of a type without them leaves it.
    let p = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.05;
        p.trusts.ambulance.job_demands = 1.0;
        p.outcomes.quality_noise_sd = 0.0;
    });
    let env = Environment::at(&p.pressures, 0);
    let mut id = 0;
    let mut t = Trust::new(0, TrustType::Ambulance, &p, 0, &mut id);
    t.tally.engagement = 5.9;
    t.step_outcomes(0, 0.1, &env, &p, 0.0);
    let demanding = t.quality;
    let q = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.05;
        p.trusts.ambulance.job_demands = 0.0;
        p.outcomes.quality_noise_sd = 0.0;
    });
    let mut u = Trust::new(0, TrustType::Ambulance, &q, 0, &mut id);
    u.tally.engagement = 6.9;
    u.step_outcomes(0, 0.1, &env, &q, 0.0);
    assert!(
        (demanding - u.quality).abs() < 1e-9,
        "{demanding} vs {}",
        u.quality
    );
}

#[test]
fn the_published_vacancy_rate_counts_against_the_recorded_establishment() {
    let p = small();
    let sd = p.workforce.establishment_recording_sd;
    assert!(sd > 0.0);
    let env = Environment::at(&p.pressures, 0);
    let mut id = 0;
    let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    t.tally.vacancy_rate = 0.08;
    let published = |t: &Trust, recording: f64| {
        let mut t = t.clone();
        t.traits.establishment_recording = recording;
        (t.published_vacancy_rate(), t.workload(&env, &p))
    };
    let (level, workload) = published(&t, 0.0);
    assert!((level - 0.08).abs() < 1e-12, "{level}");
    // A trust recording 10 % more posts than its work needs publishes
    // 1 - 0.92 / 1.1 vacant; one recording 10 % fewer publishes none (a
    // trust can record fewer posts than it staffs).
    let (more, workload_more) = published(&t, 1.1f64.ln());
    assert!((more - (1.0 - 0.92 / 1.1)).abs() < 1e-12, "{more}");
    let (fewer, workload_fewer) = published(&t, 0.9f64.ln());
    assert_eq!(fewer, 0.0);
    // The model's processes see the real staffing gap, whatever is recorded.
    assert_eq!((workload_more, workload_fewer), (workload, workload));
    // Staff in post are divided by a factor whose mean over trusts is one:
    // the national published rate does not move with the spread.
    let tiny = crate::model::params::edited(|p| p.run.staff_scale = 0.001);
    let n = 4_000;
    let mean: f64 = (0..n)
        .map(|i| {
            (-Trust::new(i, TrustType::Acute, &tiny, 0, &mut id)
                .traits
                .establishment_recording)
                .exp()
        })
        .sum::<f64>()
        / f64::from(n);
    assert!((mean - 1.0).abs() < 0.005, "{mean}");
}

#[test]
fn the_local_traits_come_from_their_own_stream() {
    let with = |sd: f64, slope: f64| {
        let p = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.05;
            p.workforce.labour_market_sd = sd;
            p.staff.sickness_trust_sd = sd;
            p.staff.sickness_population_slope = slope;
            p.workforce.temporary_staffing_sd = sd;
            p.workforce.establishment_recording_sd = sd;
        });
        let mut id = 0;
        Trust::new(4, TrustType::Acute, &p, 0, &mut id).traits
    };
    let (none, some) = (with(0.0, 0.0), with(0.3, 0.2));
    assert_eq!(
        (
            none.labour_market,
            none.sickness,
            none.temporary_staffing,
            none.establishment_recording
        ),
        (0.0, 0.0, 0.0, 0.0)
    );
    assert!(some.labour_market != 0.0 && some.sickness != 0.0 && some.temporary_staffing != 0.0);
    assert!(some.establishment_recording != 0.0);
    // The other traits do not move with the local ones.
    let strip = |t: Traits| (t.efficiency, t.quality, t.population, t.case_mix, t.survey);
    assert_eq!(strip(none), strip(some));
    // Without the trust's own causes the trait is the population's part.
    let only_population = with(0.0, 0.2);
    assert_eq!(only_population.sickness, 0.2 * only_population.population);
}

#[test]
fn a_development_budget_leaves_a_history_in_the_starting_leaders() {
    let developed = |budget: f64| {
        let p = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.2;
            p.development.budget_share_of_paybill = budget;
        });
        let mut id = 0;
        let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
        let dev = t.developed_leader_share();
        let ready = t.executives.iter().filter(|e| e.ready).count();
        (dev, ready, t.improvement)
    };
    let (none, ready_none, imp_none) = developed(0.0);
    let (some, ready_some, _) = developed(0.0002);
    let (more, _, _) = developed(0.002);
    assert_eq!((none, ready_none), (0.0, 0));
    assert!(some > 0.05 && more > some + 0.2, "{none} {some} {more}");
    assert!(ready_some > 0, "executives developed for CEO posts");
    // Without development or exits of developed leaders, improvement
    // starts where building balances decay alone.
    let p = crate::model::params::edited(|p| {
        p.run.staff_scale = 0.2;
        p.development.budget_share_of_paybill = 0.0;
    });
    let mut id = 0;
    let t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let q = &p.outcomes;
    let expect = q.improvement_build * t.tally.mean_leader_capability * (1.0 - t.friction)
        / q.improvement_decay;
    assert!((imp_none - expect).abs() < 1e-9, "{imp_none} vs {expect}");
}

#[test]
fn a_pause_puts_routine_inspections_off_but_not_responsive_ones() {
    let with = |on: bool| {
        crate::model::params::edited(|p| {
            p.run.staff_scale = 0.05;
            p.regulator.routine_inspections = on;
        })
    };
    let p = with(false);
    let mut id = 0;
    let mut t = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    t.regulator.next_inspection = 5;
    t.regulator.brought_forward = false;
    // Due, but paused: nothing is published and the inspection is put off
    // by 1 to 12 months.
    t.step_inspection(5, 0.1, &p);
    assert!(t.events.inspections.is_empty());
    assert!(
        (6..=17).contains(&t.regulator.next_inspection),
        "{}",
        t.regulator.next_inspection
    );
    // A responsive inspection (brought forward by monitoring) still happens.
    t.regulator.bring_forward(7);
    t.step_inspection(7, 0.1, &p);
    assert_eq!(t.events.inspections.len(), 1);
    // With routine inspections on, a due one is published.
    let due = t.regulator.next_inspection;
    t.step_inspection(due, 0.1, &with(true));
    assert_eq!(t.events.inspections.len(), 2);
}

/// The leaders' step sums the mix of leaders it leaves in its own loop:
/// bit for bit what `leader_mix` gives after it, month after month, as
/// leaders leave and are replaced.
#[test]
fn the_leaders_step_returns_the_mix_it_leaves() {
    let p = small();
    let mut id = 0;
    let mut trust = Trust::new(0, TrustType::Acute, &p, 0, &mut id);
    let bits = |m: (f64, f64, f64)| [m.0.to_bits(), m.1.to_bits(), m.2.to_bits()];
    let mut moved = 0;
    for month in 0..120 {
        let before = trust.leader_mix();
        let mix = trust.step_leaders(month, 0.4, &p);
        assert_eq!(bits(mix), bits(trust.leader_mix()), "month {month}");
        moved += usize::from(bits(mix) != bits(before));
    }
    // (A small trust's few leaders change in about one month in twelve.)
    assert!(moved >= 4, "the mix moved in {moved} of 120 months");
}
