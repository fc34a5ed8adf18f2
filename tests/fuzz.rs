//! A short run of the fuzz harness (`tests/fuzz/harness.rs`) over every
//! input path, as part of every `cargo test`: no input may panic or hang.
//! Long runs: `cargo run --release --example fuzz -- --cases 1000000`.

// The harness reports hangs on standard error before it stops the process.
#![allow(clippy::disallowed_macros)]

#[path = "fuzz/harness.rs"]
mod harness;

use std::time::Duration;

#[test]
fn every_input_path_survives_mutated_inputs() {
    let cases = std::env::var("TRUSTSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_500);
    let findings = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let report = harness::run(&harness::Options {
        cases,
        seed: 20_261_202,
        threads: 2,
        targets: vec![],
        findings: findings.clone(),
        hang: Duration::from_secs(120),
    });
    eprintln!("{}", report.describe());
    assert!(
        report.panics.is_empty() && report.hangs.is_empty(),
        "findings saved in {}:\n{}",
        findings.display(),
        report.describe()
    );
    // Every target ran, and each accepted some inputs and refused others:
    // the mutations reach past the first check.
    for (k, t) in harness::Target::ALL.iter().enumerate() {
        assert!(report.per_target[k] > 0, "{} never ran", t.name());
    }
}
