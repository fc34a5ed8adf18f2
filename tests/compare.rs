//! `trustsim compare` end to end: common random numbers, the comparison file
//! and its outputs.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use polars::prelude::*;
use tempfile::TempDir;

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A quick variant with supportive oversight.
fn supportive(dir: &Path) -> PathBuf {
    let path = dir.join("supportive.toml");
    let text = format!(
        "extends = {:?}\n[run]\nname = \"supportive\"\n[oversight]\npunitiveness = 0.2\n",
        scenario("quick.toml").display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn compare(dir: &TempDir, out: &str, extra: &[&str]) -> DataFrame {
    let out = dir.path().join(out);
    let file = supportive(dir.path());
    let assert = cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(scenario("quick.toml"))
        .arg(&file)
        .args(["--replications", "8", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("supportive vs quick"), "{stdout}");
    for run in ["quick", "supportive"] {
        assert!(out.join(run).join("trust_months.parquet").exists());
    }
    ParquetReader::new(std::fs::File::open(out.join("comparison.parquet")).unwrap())
        .finish()
        .unwrap()
}

/// Width of the 95 % interval of `outcome` over the whole run.
fn width(df: &DataFrame, outcome: &str) -> f64 {
    let o = df.column("outcome").unwrap().str().unwrap();
    let scope = df.column("scope").unwrap().cast(&DataType::String).unwrap();
    let s = scope.str().unwrap();
    let lo = df.column("ci_low").unwrap().f64().unwrap();
    let hi = df.column("ci_high").unwrap().f64().unwrap();
    (0..df.height())
        .find(|&i| o.get(i) == Some(outcome) && s.get(i) == Some("whole_run"))
        .map(|i| hi.get(i).unwrap() - lo.get(i).unwrap())
        .unwrap()
}

#[test]
fn common_random_numbers_narrow_the_interval_of_a_difference() {
    let dir = TempDir::new().unwrap();
    let crn = compare(&dir, "crn", &[]);
    let ind = compare(&dir, "independent", &["--independent-seeds"]);
    assert_eq!(crn.height(), 2 * trustsim::compare::outcomes().count());
    for outcome in ["engagement_mean", "quality_index", "leaver_rate_annual"] {
        let (a, b) = (width(&crn, outcome), width(&ind, outcome));
        assert!(a < 0.5 * b, "{outcome}: common {a} vs independent {b}");
    }
}

#[test]
fn a_comparison_file_lists_the_variants() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("cmp.toml");
    supportive(dir.path());
    let quick = scenario("quick.toml").display().to_string();
    std::fs::write(&file, format!("[compare]\nname = \"c\"\nvariants = [{quick:?}, \"supportive.toml\"]\nreplications = 2\n")).unwrap();
    let out = dir.path().join("out");
    cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(&file)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("comparison.parquet").exists());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("supportive/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["replications"], 2);
    assert_eq!(m["seed"], 20260101);

    std::fs::write(&file, "[compare]\nvariant = []\n").unwrap();
    let o = cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cmp.toml: not a comparison file") && err.contains("unknown field `variant`"),
        "{err}"
    );
}

#[test]
fn the_bundled_comparison_file_names_existing_scenarios() {
    let text = std::fs::read_to_string(scenario("compare_policies.toml")).unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    for f in v["compare"]["variants"].as_array().unwrap() {
        trustsim::scenario::load(&scenario(f.as_str().unwrap())).unwrap();
    }
}
