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
    oversight_variant(dir, "supportive", 0.2)
}

/// A quick variant `name` whose regulator has punitiveness `punitiveness`.
fn oversight_variant(dir: &Path, name: &str, punitiveness: f64) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "extends = {:?}\n[run]\nname = {name:?}\n[oversight]\npunitiveness = {punitiveness}\n",
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
        // 16 replications: at 8, the interval of the independent runs is
        // itself too noisy for a ratio test.
        .args(["--replications", "16", "--quiet", "--no-charts", "--out"])
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

/// A scenario file extending quick.toml with `body` added.
fn quick_with(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let text = format!(
        "extends = {:?}\n[run]\nname = {name:?}\n{body}",
        scenario("quick.toml").display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The median across replications of `metric` in a run folder's summary.
fn median(run: &Path, metric: &str) -> f64 {
    let rows = trustsim::output::read_summary(&run.join("summary.parquet")).unwrap();
    rows.iter().find(|r| r.metric == metric).unwrap().p50
}

#[test]
fn doubling_the_development_budget_acts_at_quick_scale_as_at_full_scale() {
    // Regression: at run.staff_scale 0.02 a trust's year of budget bought no
    // whole place, so doubling the budget changed nothing (+0.000 on every
    // outcome, development spend 0 in both). At full scale doubling raises
    // spend and engagement (README, "Parameter uncertainty").
    let dir = TempDir::new().unwrap();
    let double = quick_with(
        dir.path(),
        "quick_dev",
        "[development]\nbudget_share_of_paybill = 0.0004\n",
    );
    let out = dir.path().join("out");
    let assert = cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(scenario("quick.toml"))
        .arg(&double)
        .args(["--replications", "8", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("warning"), "{stderr}");
    let (base, more) = (
        median(&out.join("quick"), "development_spend_gbp_m"),
        median(&out.join("quick_dev"), "development_spend_gbp_m"),
    );
    assert!(base > 0.0, "no development spend at quick scale");
    assert!(more > 1.6 * base, "doubled budget spends {more} vs {base}");
    let df = ParquetReader::new(std::fs::File::open(out.join("comparison.parquet")).unwrap())
        .finish()
        .unwrap();
    let o = df.column("outcome").unwrap().str().unwrap();
    let scope = df.column("scope").unwrap().cast(&DataType::String).unwrap();
    let s = scope.str().unwrap();
    let lo = df.column("ci_low").unwrap().f64().unwrap();
    let i = (0..df.height())
        .find(|&i| o.get(i) == Some("engagement_mean") && s.get(i) == Some("final_year"))
        .unwrap();
    assert!(
        lo.get(i).unwrap() > 0.0,
        "engagement's 95 % interval starts at {:?}",
        lo.get(i)
    );
}

#[test]
fn check_and_run_name_a_lever_that_cannot_act() {
    let dir = TempDir::new().unwrap();
    let tiny = quick_with(
        dir.path(),
        "tiny",
        "staff_scale = 0.001\nmonths = 12\nburn_in_months = 0\nreplications = 1\n\
         [development]\nbudget_share_of_paybill = 0.000001\n\
         [trusts]\nacute.count = 1\nmental_health.count = 0\ncommunity.count = 0\nambulance.count = 0\n",
    );
    for args in [
        vec!["check"],
        vec!["run", "--quiet", "--no-charts", "--out"],
    ] {
        let mut cmd = cargo_bin_cmd!("trustsim");
        cmd.args(&args);
        if args[0] == "run" {
            cmd.arg(dir.path().join("out"));
        }
        let o = cmd.arg(&tiny).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("warning: tiny: development.budget_share_of_paybill buys an expected")
                && err.contains("can hardly act"),
            "{args:?}: {err}"
        );
    }
}

/// The rows of a CSV file as maps from column name to cell.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn csv_files_label_fractions_as_fractions() {
    // Regression: summary.csv and comparison.csv labelled fractions with the
    // unit `%` (`leaver_rate_annual ... % ... 0.134`), 100 times too small
    // in a spreadsheet.
    let dir = TempDir::new().unwrap();
    let file = supportive(dir.path());
    let out = dir.path().join("out");
    cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(scenario("quick.toml"))
        .arg(&file)
        .args([
            "--replications",
            "2",
            "--quiet",
            "--no-charts",
            "--csv",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let summary = csv_rows(&out.join("quick").join("summary.csv"));
    let leaving = summary
        .iter()
        .find(|r| r["metric"] == "leaver_rate_annual")
        .unwrap();
    assert_eq!(leaving["unit"], "fraction (0-1)");
    let p50: f64 = leaving["p50"].parse().unwrap();
    assert!(p50 > 0.01 && p50 < 1.0, "a fraction: {p50}");
    let engagement = summary
        .iter()
        .find(|r| r["metric"] == "engagement_mean")
        .unwrap();
    assert_eq!(engagement["unit"], "points (0-10)");
    let comparison = csv_rows(&out.join("comparison.csv"));
    let leaving = comparison
        .iter()
        .find(|r| r["outcome"] == "leaver_rate_annual")
        .unwrap();
    assert_eq!(leaving["unit"], "fraction (0-1)");
    let mean: f64 = leaving["baseline_mean"].parse().unwrap();
    assert!(mean > 0.01 && mean < 1.0, "a fraction: {mean}");
    assert!(!summary.iter().chain(&comparison).any(|r| r["unit"] == "%"));
}

/// A comparison draws its forest and difference charts and records them in
/// `comparison.json`; `plot` on the folder redraws the same charts, and a
/// comparison's charts go into its own folder only.
#[test]
fn plot_redraws_a_comparisons_own_charts() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("cmp");
    let file = supportive(dir.path());
    cargo_bin_cmd!("trustsim")
        .arg("compare")
        .arg(scenario("quick.toml"))
        .arg(&file)
        .args(["--replications", "2", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let charts = trustsim::charts::comparison_chart_files();
    let record = |out: &Path| -> Vec<String> {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let recorded = record(&out);
    let svgs: Vec<(String, Vec<u8>)> = charts
        .iter()
        .filter(|c| c.ends_with(".svg"))
        .map(|c| (c.clone(), std::fs::read(out.join(c)).unwrap()))
        .collect();
    assert!(svgs.iter().any(|(c, _)| c.contains("forest")), "{charts:?}");
    for c in &charts {
        assert!(recorded.contains(c), "{c} not recorded: {recorded:?}");
    }
    // Each variant's run has its own run charts.
    assert!(out.join("supportive/charts/fan_engagement.svg").exists());

    std::fs::remove_dir_all(out.join("charts")).unwrap();
    let o = cargo_bin_cmd!("trustsim")
        .arg("plot")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (c, bytes) in &svgs {
        assert_eq!(&std::fs::read(out.join(c)).unwrap(), bytes, "{c} differs");
    }
    assert_eq!(record(&out).len(), recorded.len());

    let o = cargo_bin_cmd!("trustsim")
        .arg("plot")
        .arg(&out)
        .arg("--out")
        .arg(dir.path().join("elsewhere"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is a comparison folder"), "{err}");
}

/// A comparison's files are the same whether its variants close one after
/// another (one thread) or side by side (two or three threads, as the
/// machine allows, three variants): every variant's tables and charts, and the comparison's own.
#[test]
fn a_comparisons_files_do_not_depend_on_how_many_variants_close_at_once() {
    let dir = TempDir::new().unwrap();
    let supportive = supportive(dir.path());
    let punitive = oversight_variant(dir.path(), "punitive", 0.95);
    let run = |threads: &str| -> PathBuf {
        let out = dir.path().join(format!("cmp-{threads}"));
        cargo_bin_cmd!("trustsim")
            .arg("compare")
            .arg(scenario("quick.toml"))
            .arg(&supportive)
            .arg(&punitive)
            .args([
                "--replications",
                "3",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        out
    };
    // Every file but the manifests (which record the thread count and the
    // wall time).
    let files = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x != "json") {
                    out.push((
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    };
    let one = files(&run("1"));
    assert!(
        one.iter()
            .any(|(p, _)| p.ends_with("punitive/trust_months.parquet"))
            && one
                .iter()
                .any(|(p, _)| p.ends_with("supportive/charts/fan_engagement.svg"))
            && one.iter().any(|(p, _)| p.ends_with("comparison.parquet")),
        "{:?}",
        one.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    // As many threads as the machine allows (more are refused), up to one
    // a variant.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in (2..=cores.min(3)).map(|t| t.to_string()) {
        let threads = threads.as_str();
        let other = files(&run(threads));
        assert_eq!(
            one.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            other.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            "threads {threads}"
        );
        for ((p, a), (_, b)) in one.iter().zip(&other) {
            assert!(a == b, "{} differs with {threads} threads", p.display());
        }
    }
}
