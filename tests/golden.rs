//! A short golden summary for a fixed seed: any change to the model's numbers
//! shows up here and must be acknowledged by updating the golden file
//! (`TRUSTSIM_UPDATE_GOLDEN=1 cargo test --test golden`) in the same commit,
//! with the reason in its message.

use std::path::PathBuf;

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

#[test]
fn the_quick_scenario_reproduces_its_golden_summary() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("golden");
    cargo_bin_cmd!("trustsim")
        .args([
            "run",
            root.join("scenarios/quick.toml").to_str().unwrap(),
            "--replications",
            "3",
            "--threads",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let rows = trustsim::output::read_summary(&out.join("summary.parquet")).unwrap();
    let mut text =
        String::from("# metric median mean (quick.toml, 3 replications, seed 20260101)\n");
    for r in &rows {
        text += &format!("{} {:.9e} {:.9e}\n", r.metric, r.p50, r.mean);
    }
    let golden = root.join("tests/golden/quick_summary.txt");
    if std::env::var_os("TRUSTSIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    let diff: Vec<String> = expected
        .lines()
        .zip(text.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("golden: {a}\n   now: {b}"))
        .collect();
    assert!(
        diff.is_empty() && expected.lines().count() == text.lines().count(),
        "the model's numbers changed; if intended, run TRUSTSIM_UPDATE_GOLDEN=1 cargo test --test golden\n{}",
        diff.join("\n")
    );
}
