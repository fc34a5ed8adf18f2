//! Throughput of the model: staff-agent-months per second for one baseline
//! replication at full England scale, and for an ensemble on every core.
//!
//! Also the saving of branching a comparison from its shared history: the
//! four variants of `scenarios/compare_policies_from_24.toml` (policies
//! switched on at reported month 24), one replication each, run separately
//! and branched from one simulation of the first 83 months.
//!
//! Beside the replication, the minimal kernel of the staff loop
//! (`roofline/minimal_kernel_one_core`): the least work a staff-level
//! monthly step can do, one 64-bit draw per staff-agent-month over the same
//! staff and months (see `minimal_kernel`). When both run, the bench prints
//! how many times the kernel's time one replication takes.
//!
//! And the run charts of a small run (`charts/quick_run_charts_one_core`),
//! which at that scale take most of the run's time.
//!
//! `cargo bench --bench throughput` (set `TRUSTSIM_BENCH_SCALE` to bench a
//! smaller staff scale).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group};
use trustsim::model::params::RawParams;
use trustsim::model::{Params, run_replication};

fn params() -> Params {
    let mut p = RawParams::default();
    p.run.staff_scale = std::env::var("TRUSTSIM_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    trustsim::scenario::build(p, "TRUSTSIM_BENCH_SCALE").expect("a valid staff scale")
}

/// Staff in post at the start (the sum of establishments) and months
/// simulated (burn-in and reported) of replication 0 of `p`.
fn staff_and_months(p: &Params) -> (u64, u64) {
    let (trusts, _) = trustsim::model::engine::build_trusts(p, 0);
    let staff: u64 = trusts.iter().map(|t| u64::from(t.establishment)).sum();
    (staff, u64::from(p.run.months + p.run.burn_in_months))
}

fn staff_months(p: &Params) -> u64 {
    let (staff, months) = staff_and_months(p);
    staff * months
}

/// xoshiro256++ seeded by SplitMix64: the generator of the minimal kernel.
struct Xoshiro([u64; 4]);

impl Xoshiro {
    fn seed(mut x: u64) -> Xoshiro {
        let mut s = [0; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *v = z ^ (z >> 31);
        }
        Xoshiro(s)
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }
}

/// The least work a staff-level monthly step can do: per staff-agent-month
/// it reads engagement and the team target, moves engagement toward the
/// target with noise, draws sickness and leaving as Bernoulli trials whose
/// probabilities depend on engagement, and replaces leavers. Struct of
/// arrays, one xoshiro256++ stream, one 64-bit draw per agent-month, no
/// allocation in the loop, scalar on purpose. Returns (leavers, sick
/// months) so that nothing is optimised away.
fn minimal_kernel(staff: usize, months: usize) -> (u64, u64) {
    const TEAM: usize = 25;
    let teams = staff.div_ceil(TEAM);
    let mut rng = Xoshiro::seed(42);
    let unit = |r: u64| (r >> 40) as f32 * (1.0 / (1u64 << 24) as f32);
    let mut eng: Vec<f32> = (0..staff).map(|_| 6.0 + 2.0 * unit(rng.next())).collect();
    let team: Vec<u32> = (0..staff).map(|i| (i / TEAM) as u32).collect();
    let mut sick: Vec<u8> = vec![0; staff];
    let mut target: Vec<f32> = vec![7.0; teams];
    let mut team_sum: Vec<f32> = vec![0.0; teams];
    let (mut leavers, mut sick_months) = (0u64, 0u64);
    for _ in 0..months {
        for t in 0..teams {
            target[t] = 0.5 * target[t] + 0.5 * (team_sum[t] / TEAM as f32).clamp(0.0, 10.0) + 0.01;
            team_sum[t] = 0.0;
        }
        for i in 0..staff {
            let t = team[i] as usize;
            let r = rng.next();
            let u1 = unit(r);
            let u2 = ((r >> 16) & 0xFF_FFFF) as f32 * (1.0 / (1u64 << 24) as f32);
            let noise = ((r & 0xFFFF) as f32 * (1.0 / 65536.0) - 0.5) * 0.2;
            let mut e = (eng[i] + 0.1 * (target[t] - eng[i]) + noise).clamp(0.0, 10.0);
            let p_sick = 0.02 + 0.01 * (7.0 - e).max(0.0);
            let p_leave = 0.006 + 0.004 * (7.0 - e).max(0.0);
            let s = u8::from(u1 < p_sick);
            sick[i] = s;
            sick_months += u64::from(s);
            if u2 < p_leave {
                leavers += 1;
                e = 7.0;
            }
            eng[i] = e;
            team_sum[t] += e;
        }
    }
    (leavers, sick_months)
}

fn minimal_kernel_one_core(c: &mut Criterion) {
    let (staff, months) = staff_and_months(&params());
    let mut g = c.benchmark_group("roofline");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(staff * months));
    g.bench_function("minimal_kernel_one_core", |b| {
        b.iter(|| minimal_kernel(staff as usize, months as usize))
    });
    g.finish();
}

fn one_replication_one_core(c: &mut Criterion) {
    let p = params();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("replication");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Elements(staff_months(&p)));
    g.bench_function("baseline_one_core", |b| {
        b.iter(|| pool.install(|| run_replication(&p, 0)))
    });
    g.finish();
}

fn ensemble_all_cores(c: &mut Criterion) {
    let p = params();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let reps = threads as u32;
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10).measurement_time(Duration::from_secs(40));
    g.throughput(Throughput::Elements(staff_months(&p) * u64::from(reps)));
    // One thread and every core: once on a machine of one core.
    let counts = if threads > 1 {
        vec![1, threads]
    } else {
        vec![1]
    };
    for t in counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap();
        g.bench_function(format!("baseline_{reps}_replications_{t}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    trustsim::runner::run_metrics(
                        &p,
                        0..reps,
                        &trustsim::runner::Cancel::new(),
                        &trustsim::runner::Silent,
                    )
                })
            })
        });
    }
    g.finish();
}

fn comparison_variants() -> Vec<Params> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let scale = params().run.staff_scale;
    let set = [trustsim::scenario::Setting::set(&format!(
        "run.staff_scale={scale}"
    ))];
    [
        "baseline.toml",
        "policy_double_development_from_24.toml",
        "policy_supportive_oversight_from_24.toml",
        "policy_succession_planning_from_24.toml",
    ]
    .iter()
    .map(|f| {
        trustsim::scenario::load_with(&dir.join(f), &set)
            .expect("bundled scenario")
            .params
    })
    .collect()
}

fn comparison_branching(c: &mut Criterion) {
    use trustsim::model::ReplicationState;
    let variants = comparison_variants();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let never = || false;
    let mut g = c.benchmark_group("comparison");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.throughput(Throughput::Elements(staff_months(&variants[0]) * 4));
    g.bench_function("four_variants_separately_one_core", |b| {
        b.iter(|| {
            pool.install(|| {
                variants
                    .iter()
                    .map(|p| run_replication(p, 0))
                    .collect::<Vec<_>>()
            })
        })
    });
    let p0 = &variants[0];
    let branch = p0
        .first_difference(&variants[1])
        .expect("the variants differ");
    g.bench_function("four_variants_branched_one_core", |b| {
        b.iter(|| {
            pool.install(|| {
                let mut shared = ReplicationState::new(p0, 0);
                shared.advance(p0, branch, &never);
                variants
                    .iter()
                    .map(|p| {
                        let mut s = shared.clone();
                        s.advance(p, s.total(p), &never);
                        s.finish(p)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    g.finish();
}

/// The nine run charts of a one-replication run of `scenarios/quick.toml`
/// (each a 2400 x 1500 PNG and an SVG) drawn from its folder on one
/// thread, as a small run's close draws them: charts per second.
fn run_charts_one_core(c: &mut Criterion) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let run_dir = folder.path().join("run");
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
    let options = trustsim::api::RunOptions {
        settings: vec![trustsim::scenario::Setting::set("run.replications=1")],
        threads: Some(1),
        out: Some(run_dir.clone()),
        no_charts: true,
        ..Default::default()
    };
    trustsim::api::run(
        &trustsim::scenario::Source::File(scenario),
        &options,
        &trustsim::runner::Silent,
        &trustsim::runner::Cancel::new(),
    )
    .expect("the quick scenario runs");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let charts = folder.path().join("charts");
    let mut g = c.benchmark_group("charts");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(trustsim::charts::CHARTS.len() as u64));
    g.bench_function("quick_run_charts_one_core", |b| {
        b.iter(|| {
            pool.install(|| {
                trustsim::charts::render_run_charts(std::slice::from_ref(&run_dir), &charts)
                    .expect("the charts draw")
            })
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    one_replication_one_core,
    minimal_kernel_one_core,
    ensemble_all_cores,
    comparison_branching,
    run_charts_one_core
);

/// Criterion's folder of results.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("criterion")
}

/// The mean time in seconds of `group/name`, if this run measured it.
fn measured(group: &str, name: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    Some(v["mean"]["point_estimate"].as_f64()? / 1e9)
}

fn main() {
    let started = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(rep), Some(kernel)) = (
        measured("replication", "baseline_one_core", started),
        measured("roofline", "minimal_kernel_one_core", started),
    ) {
        use std::io::Write;
        let _ = writeln!(
            std::io::stdout(),
            "\none replication on one core: {rep:.2} s; the minimal kernel over the same staff and months: {kernel:.2} s; ratio {:.2}",
            rep / kernel
        );
    }
}
