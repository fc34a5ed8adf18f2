//! Throughput of the model: staff-agent-months per second for one baseline
//! replication at full England scale, and for an ensemble on every core.
//!
//! Also the saving of branching a comparison from its shared history: the
//! four variants of `scenarios/compare_policies_from_24.toml` (policies
//! switched on at reported month 24), one replication each, run separately
//! and branched from one simulation of the first 83 months.
//!
//! `cargo bench --bench throughput` (set `TRUSTSIM_BENCH_SCALE` to bench a
//! smaller staff scale).

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

fn staff_months(p: &Params) -> u64 {
    let (trusts, _) = trustsim::model::engine::build_trusts(p, 0);
    let staff: u64 = trusts.iter().map(|t| u64::from(t.establishment)).sum();
    staff * u64::from(p.run.months + p.run.burn_in_months)
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
    for t in [1, threads] {
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

criterion_group!(
    benches,
    one_replication_one_core,
    ensemble_all_cores,
    comparison_branching
);
criterion_main!(benches);
