//! Prints calibration metrics for the baseline at a reduced staff scale.
//! Usage: cargo run --release --example calibrate -- [staff_scale] [replications]
use trustsim::calibration::{METRICS, TARGETS};
use trustsim::ensemble::run_ensemble;
use trustsim::model::params::RawParams;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut p = RawParams::default();
    p.run.staff_scale = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0.1);
    let reps = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(4);
    // Further arguments: dotted.key=value overrides, applied through TOML.
    if args.len() > 3 {
        let mut v = toml::Value::try_from(&p).unwrap();
        for kv in &args[3..] {
            let (k, val) = kv.split_once('=').unwrap();
            let parsed: toml::Value =
                toml::from_str::<toml::Table>(&format!("x = {val}")).unwrap()["x"].clone();
            let mut cur = &mut v;
            let parts: Vec<&str> = k.split('.').collect();
            for part in &parts[..parts.len() - 1] {
                cur = cur.get_mut(*part).unwrap();
            }
            cur.as_table_mut()
                .unwrap()
                .insert(parts[parts.len() - 1].to_string(), parsed);
        }
        p = v.try_into().unwrap();
    }
    let p = trustsim::scenario::build(p, "command line").unwrap_or_else(|e| panic!("{e}"));
    let t0 = std::time::Instant::now();
    let metrics = run_ensemble::<()>(&p, 0..reps, 8, &|_| {}, &|| false, &mut |_| Ok(())).unwrap();
    for (k, def) in METRICS.iter().enumerate() {
        let mut v: Vec<f64> = metrics.iter().map(|m| m[k]).collect();
        v.sort_by(f64::total_cmp);
        let med = trustsim::stats::quantile(&v, 0.5);
        let target = TARGETS.iter().find(|t| t.key == def.key);
        let flag = target.map_or("", |t| {
            if med >= t.lo && med <= t.hi {
                "ok"
            } else {
                "MISS"
            }
        });
        let range = target.map_or(String::new(), |t| format!("[{}, {}]", t.lo, t.hi));
        println!("{:32} {:>10.4} {:>5} {}", def.key, med, flag, range);
    }
    eprintln!("{:.1}s", t0.elapsed().as_secs_f64());
}
