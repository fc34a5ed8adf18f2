#![allow(clippy::needless_range_loop)]

use super::reference::{HazardTables, OldPool};
use super::*;
use crate::model::params::Params;
use crate::model::rng::from_u64;

/// Each team's mean engagement from this month's tallies (unchanged for a
/// team with nobody who stayed).
fn update_means(means: &mut [f64], out: &[StaffTally]) {
    for (m, t) in means.iter_mut().zip(out) {
        if t.in_post > 0 {
            *m = t.engagement_sum / f64::from(t.in_post);
        }
    }
}

/// Runs `months` months of `pool` as teams of 25 at `workload`, team `t`
/// aiming at `target(t)`; `each` sees the month, the pool and its tallies.
/// Returns the pool and the last month's tallies.
fn run_pool(
    mut pool: StaffPool,
    months: u32,
    workload: f64,
    target: impl Fn(usize) -> f64,
    width: Width,
    mut each: impl FnMut(u32, &StaffPool, &[StaffTally]),
) -> (StaffPool, Vec<StaffTally>) {
    let p = Params::default();
    let s = &p.staff;
    let teams = pool.len() / 25;
    let k = MonthConstants::new(s, workload, 0.115);
    let mut means: Vec<f64> = (0..teams)
        .map(|t| pool.team_mean(t * 25..t * 25 + 25).0)
        .collect();
    let mut out = Vec::new();
    for month in 0..months {
        let steps: Vec<TeamStep> = (0..teams)
            .map(|t| team_step(s, t * 25..t * 25 + 25, target(t), means[t]))
            .collect();
        pool.step_month_with(month, &steps, &k, &mut out, width);
        update_means(&mut means, &out);
        each(month, &pool, &out);
    }
    (pool, out)
}

/// [`run_pool`] on a fresh pool of `teams` teams, all posts filled, at
/// workload 0.2.
fn run_new(
    seed: u64,
    teams: usize,
    months: u32,
    target: impl Fn(usize) -> f64,
    width: Width,
    mut each: impl FnMut(&StaffPool, &[StaffTally]),
) -> (StaffPool, Vec<StaffTally>) {
    let mut rng = from_u64(seed);
    let key = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pool = StaffPool::new(teams * 25, 0.7, 0.0, 7.0, key, &mut rng);
    run_pool(pool, months, 0.2, target, width, |_, pool, out| {
        each(pool, out)
    })
}

#[test]
fn engagement_converges_to_the_team_target() {
    let (_, out) = run_new(1, 80, 120, |_| 5.0, Width::Widest, |_, _| ());
    let (sum, n) = out
        .iter()
        .fold((0.0, 0), |(s, n), t| (s + t.engagement_sum, n + t.in_post));
    let mean = sum / f64::from(n);
    // Low-engagement staff leave more and new starters arrive engaged, so
    // the mean sits a little above the target.
    assert!(mean > 5.0 && mean < 5.35, "mean {mean}");
}

#[test]
fn low_engagement_raises_leaving_and_sickness() {
    let p = crate::model::params::RawParams::default().staff;
    assert!(leave_probability(&p, 4.0, 0.2) > 2.0 * leave_probability(&p, 7.0, 0.2));
    assert!(sickness_onset_probability(&p, 4.0, 0.2) > sickness_onset_probability(&p, 7.0, 0.2));
    assert!(leave_probability(&p, 7.0, 0.5) > leave_probability(&p, 7.0, 0.0));
    let leavers = |target: f64| {
        let mut total = 0;
        run_new(
            2,
            80,
            60,
            |_| target,
            Width::Widest,
            |_, out| total += out.iter().map(|t| t.leavers).sum::<u32>(),
        );
        total
    };
    let (low, high) = (leavers(4.0), leavers(8.0));
    assert!(low > high, "{low} vs {high}");
}

#[test]
fn vacancies_are_refilled_and_counts_stay_consistent() {
    let (pool, out) = run_new(3, 80, 36, |_| 7.0, Width::Widest, |_, _| ());
    let filled = (0..pool.len()).filter(|&i| pool.is_filled(i)).count() as u32;
    let (in_post, joiners) = out
        .iter()
        .fold((0, 0), |(a, b), t| (a + t.in_post, b + t.joiners));
    assert_eq!(filled, in_post + joiners);
    assert!(pool.engagements().iter().all(|e| (0.0..=10.0).contains(e)));
    // The padding stays empty.
    assert!((pool.len()..pool.len() + LANES).all(|i| pool.flags[i] == 0));
}

#[test]
fn promotion_empties_a_clinical_post() {
    let mut rng = from_u64(3);
    let mut pool = StaffPool::new(30, 1.0, 0.0, 7.0, 1, &mut rng);
    let before = (0..30).filter(|&i| pool.is_filled(i)).count();
    assert!(pool.promote_out(0..30, &mut rng));
    assert_eq!((0..30).filter(|&i| pool.is_filled(i)).count(), before - 1);
    let mut none = StaffPool::new(5, 0.0, 0.0, 7.0, 1, &mut rng);
    assert!(!none.promote_out(0..5, &mut rng));
}

/// Steps `pool` for `months` months as the teams `ranges` (covering it in
/// order), checking every month that each team's tally counts exactly its
/// own slots, at every kernel width.
fn check_team_tallies(pool: StaffPool, ranges: &[std::ops::Range<usize>], months: u32) {
    let p = Params::default();
    let k = MonthConstants::new(&p.staff, 0.3, 0.5);
    let steps: Vec<TeamStep> = ranges
        .iter()
        .enumerate()
        .map(|(t, r)| team_step(&p.staff, r.clone(), 3.0 + (t % 9) as f64 * 0.5, 6.0))
        .collect();
    let mut finals = Vec::new();
    for width in [Width::Widest, Width::Avx2, Width::Portable] {
        let mut pool = pool.clone();
        let mut out = Vec::new();
        for month in 0..months {
            let before: Vec<bool> = (0..pool.len()).map(|i| pool.is_filled(i)).collect();
            pool.step_month_with(month, &steps, &k, &mut out, width);
            assert_eq!(out.len(), ranges.len());
            for (t, r) in ranges.iter().enumerate() {
                let was = r.clone().filter(|&i| before[i]).count() as u32;
                let now = r.clone().filter(|&i| pool.is_filled(i)).count() as u32;
                let sick = r.clone().filter(|&i| pool.is_sick(i)).count() as u32;
                let tally = out[t];
                assert_eq!(tally.in_post + tally.leavers, was, "team {t} month {month}");
                assert_eq!(tally.in_post + tally.joiners, now, "team {t} month {month}");
                assert_eq!(tally.sick, sick, "team {t} month {month}");
                let sum: f64 = r
                    .clone()
                    .filter(|&i| before[i] && pool.is_filled(i))
                    .map(|i| f64::from(pool.engagement(i)))
                    .sum();
                assert!((tally.engagement_sum - sum).abs() < 1e-3, "team {t}");
            }
        }
        finals.push((out, pool.flags.clone()));
    }
    assert!(finals.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn each_team_counts_only_its_own_slots() {
    // Teams of 3: every block of 8 spans several teams.
    let mut rng = from_u64(9);
    let pool = StaffPool::new(30, 0.5, 0.2, 7.0, 77, &mut rng);
    let ranges: Vec<_> = (0..10).map(|t| t * 3..t * 3 + 3).collect();
    check_team_tallies(pool, &ranges, 24);
}

#[test]
fn teams_of_any_size_count_their_own_slots_across_chunks() {
    // Teams that span the chunks' edges (512 and 1024), teams longer than
    // the packed counts' 31 blocks, teams of one slot and empty teams, in
    // the middle of the pool and at its end.
    let sizes = [1, 2, 7, 300, 0, 511, 2, 477, 0, 1000, 5, 0];
    let mut ranges = Vec::new();
    let mut start = 0;
    for n in sizes {
        ranges.push(start..start + n);
        start += n;
    }
    let mut rng = from_u64(13);
    let pool = StaffPool::new(start, 0.5, 0.3, 6.0, 4242, &mut rng);
    check_team_tallies(pool, &ranges, 12);
}

#[test]
#[should_panic(expected = "teams must cover the pool in order")]
fn teams_that_skip_slots_are_refused() {
    let p = Params::default();
    let mut rng = from_u64(9);
    let mut pool = StaffPool::new(30, 0.5, 0.2, 7.0, 77, &mut rng);
    let k = MonthConstants::new(&p.staff, 0.3, 0.5);
    let steps = [
        team_step(&p.staff, 0..10, 6.0, 6.0),
        team_step(&p.staff, 12..30, 6.0, 6.0),
    ];
    pool.step_month(0, &steps, &k, &mut Vec::new());
}

#[test]
fn every_vector_width_gives_the_same_bits() {
    // Team sizes that do and do not fill whole blocks; several months.
    // Pools of one team (a block of 16 and a tail of 9), of 21 teams (525
    // posts: a whole chunk and a short one) and of 37 (925 posts).
    let target = |t: usize| 4.0 + (t % 7) as f64;
    let bits = |p: &StaffPool| p.engagement.iter().map(|e| e.to_bits()).collect::<Vec<_>>();
    for teams in [1, 21, 37] {
        let (a, ta) = run_new(11, teams, 48, target, Width::Widest, |_, _| ());
        for width in [Width::Avx2, Width::Portable] {
            let (b, tb) = run_new(11, teams, 48, target, width, |_, _| ());
            assert_eq!(ta, tb, "{width:?}, {teams} teams");
            assert_eq!(bits(&a), bits(&b), "{width:?}, {teams} teams");
            assert_eq!(a.flags, b.flags, "{width:?}, {teams} teams");
        }
    }
}

/// Monthly statistics of a pool: mean and spread of engagement of staff in
/// post, and the sickness, leaving, joining and vacancy rates.
#[derive(Default, Debug, Clone, Copy)]
struct Stats {
    mean: f64,
    sd: f64,
    p10: f64,
    p90: f64,
    sickness: f64,
    leaving: f64,
    joining: f64,
    vacancy: f64,
    months: f64,
}

impl Stats {
    fn add(&mut self, engagement: &mut [f32], t: StaffTally, posts: usize) {
        engagement.sort_by(f32::total_cmp);
        let n = engagement.len() as f64;
        let mean = engagement.iter().map(|&e| f64::from(e)).sum::<f64>() / n;
        let var = engagement
            .iter()
            .map(|&e| (f64::from(e) - mean).powi(2))
            .sum::<f64>()
            / n;
        self.mean += mean;
        self.sd += var.sqrt();
        self.p10 += f64::from(engagement[engagement.len() / 10]);
        self.p90 += f64::from(engagement[engagement.len() * 9 / 10]);
        self.sickness += f64::from(t.sick) / f64::from(t.in_post);
        self.leaving += f64::from(t.leavers) / f64::from(t.in_post + t.leavers);
        self.joining += f64::from(t.joiners) / posts as f64;
        self.vacancy += 1.0 - f64::from(t.in_post + t.joiners) / posts as f64;
        self.months += 1.0;
    }

    fn mean(self) -> Self {
        let m = self.months;
        Stats {
            mean: self.mean / m,
            sd: self.sd / m,
            p10: self.p10 / m,
            p90: self.p90 / m,
            sickness: self.sickness / m,
            leaving: self.leaving / m,
            joining: self.joining / m,
            vacancy: self.vacancy / m,
            months: m,
        }
    }
}

const TEAMS: usize = 40;
const BURN: u32 = 60;

fn equivalence_target(t: usize) -> f64 {
    5.0 + 3.0 * t as f64 / TEAMS as f64
}

fn sum_tallies(out: &[StaffTally]) -> StaffTally {
    out.iter().fold(StaffTally::default(), |a, t| StaffTally {
        in_post: a.in_post + t.in_post,
        sick: a.sick + t.sick,
        leavers: a.leavers + t.leavers,
        joiners: a.joiners + t.joiners,
        engagement_sum: a.engagement_sum + t.engagement_sum,
    })
}

fn new_stats(seed: u64, months: u32, workload: f64) -> Stats {
    let mut st = Stats::default();
    let mut rng = from_u64(seed);
    let n = TEAMS * 25;
    let pool = StaffPool::new(n, 0.7, 0.08, 6.8, seed ^ 0xABCD, &mut rng);
    let each = |month, pool: &StaffPool, out: &[StaffTally]| {
        if month >= BURN {
            let mut e: Vec<f32> = (0..n)
                .filter(|&i| pool.is_filled(i))
                .map(|i| pool.engagement(i))
                .collect();
            st.add(&mut e, sum_tallies(out), n);
        }
    };
    run_pool(
        pool,
        months,
        workload,
        equivalence_target,
        Width::Widest,
        each,
    );
    st
}

fn old_stats(seed: u64, months: u32, workload: f64) -> Stats {
    let mut st = Stats::default();
    let p = Params::default();
    let s = &p.staff;
    let mut rng = from_u64(seed);
    let n = TEAMS * 25;
    let init = StaffPool::new(n, 0.7, 0.08, 6.8, 0, &mut rng);
    let mut pool = OldPool {
        engagement: init.engagements().to_vec(),
        filled: (0..n).map(|i| init.is_filled(i)).collect(),
        sick: vec![false; n],
    };
    let tables = HazardTables::new(s, workload);
    let mut staff_rng = from_u64(seed ^ 0x1234);
    let mut recruit_rng = from_u64(seed ^ 0x5678);
    let mut means: Vec<f64> = (0..TEAMS)
        .map(|t| init.team_mean(t * 25..t * 25 + 25).0)
        .collect();
    for month in 0..months {
        let out: Vec<StaffTally> = (0..TEAMS)
            .map(|t| {
                pool.step_team(
                    t * 25..t * 25 + 25,
                    equivalence_target(t),
                    means[t],
                    s,
                    &tables,
                    0.115,
                    &mut staff_rng,
                    &mut recruit_rng,
                )
            })
            .collect();
        update_means(&mut means, &out);
        if month >= BURN {
            let mut e: Vec<f32> = (0..n)
                .filter(|&i| pool.filled[i])
                .map(|i| pool.engagement[i])
                .collect();
            st.add(&mut e, sum_tallies(&out), n);
        }
    }
    st
}

fn pooled(f: impl Fn(u64) -> Stats) -> Stats {
    let mut all = Stats::default();
    for seed in 1..=8 {
        let s = f(seed);
        all.mean += s.mean;
        all.sd += s.sd;
        all.p10 += s.p10;
        all.p90 += s.p90;
        all.sickness += s.sickness;
        all.leaving += s.leaving;
        all.joining += s.joining;
        all.vacancy += s.vacancy;
        all.months += s.months;
    }
    all.mean()
}

/// The kernel against the loop it replaced, on the same
/// teams (targets 5 to 8, workload 0.2 and 0.6), 8 seeds x 240 months each
/// after a 60-month settling: engagement's mean, spread and deciles within
/// 0.03 points, and the monthly sickness, leaving, joining and vacancy
/// rates within 3 % of each other (about three standard errors of the
/// difference at this size).
#[test]
fn the_kernel_reproduces_the_old_loops_distributions() {
    for workload in [0.2, 0.6] {
        let new = pooled(|seed| new_stats(seed, BURN + 240, workload));
        let old = pooled(|seed| old_stats(seed, BURN + 240, workload));
        let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol;
        let rel = |a: f64, b: f64, tol: f64| ((a - b) / b).abs() <= tol;
        let msg = format!("workload {workload}\n new {new:?}\n old {old:?}");
        assert!(close(new.mean, old.mean, 0.03), "mean: {msg}");
        assert!(close(new.sd, old.sd, 0.03), "sd: {msg}");
        assert!(close(new.p10, old.p10, 0.03), "p10: {msg}");
        assert!(close(new.p90, old.p90, 0.03), "p90: {msg}");
        assert!(rel(new.sickness, old.sickness, 0.03), "sickness: {msg}");
        assert!(rel(new.leaving, old.leaving, 0.03), "leaving: {msg}");
        assert!(rel(new.joining, old.joining, 0.03), "joining: {msg}");
        assert!(rel(new.vacancy, old.vacancy, 0.03), "vacancy: {msg}");
    }
}

#[test]
fn a_slots_draws_do_not_depend_on_how_the_pool_is_blocked() {
    // Pools of 25 to 250 posts with the same key and first 25 posts: the
    // first team's posts end the same whatever the pool's size (whole draw
    // blocks, the tail's blocks, or both) and whichever width runs it.
    let p = Params::default();
    let s = &p.staff;
    let k = MonthConstants::new(s, 0.3, 0.115);
    let run = |teams: usize, width: Width| {
        let mut rng = from_u64(5);
        let first = StaffPool::new(25, 0.7, 0.1, 7.0, 99, &mut rng);
        let mut pool = StaffPool::new(teams * 25, 0.7, 0.1, 7.0, 99, &mut rng);
        pool.engagement[..25].copy_from_slice(&first.engagement[..25]);
        pool.flags[..25].copy_from_slice(&first.flags[..25]);
        let mut out = Vec::new();
        for month in 0..24 {
            let steps: Vec<TeamStep> = (0..teams)
                .map(|t| team_step(s, t * 25..t * 25 + 25, 6.5, 6.5))
                .collect();
            pool.step_month_with(month, &steps, &k, &mut out, width);
        }
        let bits: Vec<u32> = pool.engagement[..25].iter().map(|e| e.to_bits()).collect();
        (bits, pool.flags[..25].to_vec(), out[0])
    };
    let one = run(1, Width::Widest);
    for teams in [2, 3, 5, 10] {
        for width in [Width::Widest, Width::Avx2, Width::Portable] {
            assert_eq!(run(teams, width), one, "{teams} teams, {width:?}");
        }
    }
}
