//! Prints every metric of the baseline at a reduced staff scale against its
//! target, for quick calibration work.
//!
//! Usage: `cargo run --release --example calibrate -- [staff_scale]
//! [replications] [KEY=VALUE ...]` (settings as `trustsim run --set` takes them).

// An example prints its results; a closed pipe is not a concern here.
#![allow(clippy::disallowed_macros)]

use std::path::Path;

use trustsim::metrics::METRICS;
use trustsim::runner::{self, Cancel, Silent};
use trustsim::scenario::{self, Setting};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scale = args.get(1).cloned().unwrap_or_else(|| "0.1".into());
    let reps: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);
    let mut settings = vec![Setting::flag("staff_scale", "run.staff_scale", &scale)];
    settings.extend(args.iter().skip(3).map(|kv| Setting::set(kv)));
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let p = scenario::load_with(&base, &settings)
        .unwrap_or_else(|e| panic!("{e}"))
        .params;
    let t0 = std::time::Instant::now();
    let metrics = runner::run_metrics(&p, 0..reps, &Cancel::new(), &Silent).expect("not cancelled");
    for def in METRICS.iter() {
        let mut v: Vec<f64> = metrics.iter().map(|m| m.whole_run.get(def.key)).collect();
        v.sort_by(f64::total_cmp);
        let med = trustsim::stats::quantile(&v, 0.5);
        let (flag, range) = def.target.map_or(("", String::new()), |t| {
            let ok = if med >= t.lo && med <= t.hi {
                "ok"
            } else {
                "MISS"
            };
            (ok, format!("[{}, {}]", t.lo, t.hi))
        });
        println!("{:32} {:>10.4} {:>5} {}", def.key, med, flag, range);
    }
    eprintln!("{:.1}s", t0.elapsed().as_secs_f64());
}
