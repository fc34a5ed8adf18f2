//! The trust register end to end: a register written to a folder, a small
//! scenario that uses it, the outputs read back; bad registers refused with
//! file, line and column; the trust view of `plot --trust`.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use polars::prelude::*;
use tempfile::TempDir;

const REGISTER: &str = "\
code,name,type,region,icb,establishment,engagement,vacancy_rate,sickness_rate,rating,ceo_tenure_months,ceo_interim,surplus_share
AA1,\"Alder, Ash NHS Trust\",acute,London,North Thames ICB,3000,6.3,0.12,0.05,inadequate,30,true,-0.02
AA2,Beech Hospitals,acute,Midlands,,2500,,,,,,,
BB1,Cedar Mental Health,mental_health,North West,Pennine ICB,2000,7.1,0.05,0.04,outstanding,5,false,0.01
CC1,Damson Community,community,South West,,1500,,,,good,12,,
DD1,Elm Ambulance,ambulance,London,,3000,,,,requires_improvement,100,false,
";

fn scenario(dir: &Path, register: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("regs")).unwrap();
    std::fs::write(dir.join("regs/trusts.csv"), register).unwrap();
    let file = dir.join("reg.toml");
    let quick = root.join("scenarios/quick.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[run]\nname = \"reg\"\nmonths = 24\nburn_in_months = 12\n[trusts]\nregister = \"regs/trusts.csv\"\n",
            quick.display().to_string()
        ),
    )
    .unwrap();
    file
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn strings(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    let s = df.column(c).unwrap().cast(&DataType::String).unwrap();
    s.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn run(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    cargo_bin_cmd!("trustsim")
        .args(["run", scenario(dir, REGISTER).to_str().unwrap()])
        .args(["--replications", "2", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn a_register_round_trips_into_the_outputs_and_the_trust_view() {
    let tmp = TempDir::new().unwrap();
    let out = run(tmp.path());
    let tr = read(&out.join("trusts.parquet"));
    assert_eq!(tr.height(), 10);
    let codes = strings(&tr, "trust_code");
    let expect = ["AA1", "AA2", "BB1", "CC1", "DD1"];
    for (i, c) in codes.iter().enumerate() {
        assert_eq!(c.as_deref(), Some(expect[i % 5]));
    }
    assert_eq!(
        strings(&tr, "trust_name")[0].as_deref(),
        Some("Alder, Ash NHS Trust")
    );
    assert_eq!(
        strings(&tr, "trust_type")[2].as_deref(),
        Some("mental_health")
    );
    assert_eq!(strings(&tr, "region")[4].as_deref(), Some("London"));
    assert_eq!(strings(&tr, "icb")[0].as_deref(), Some("North Thames ICB"));
    assert_eq!(strings(&tr, "icb")[1], None);

    // Rows run replication by replication, month by month, trust by trust.
    let tm = read(&out.join("trust_months.parquet")).head(Some(5));
    let month: Vec<u32> = tm
        .column("month")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(month, [1; 5]);
    let tenure: Vec<u32> = tm
        .column("ceo_tenure_months")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let interim: Vec<bool> = tm
        .column("interim")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    let rating = strings(&tm, "rating");
    assert_eq!((tenure[0], interim[0]), (30, true));
    assert_eq!((tenure[2], interim[2]), (5, false));
    assert_eq!((tenure[3], tenure[4]), (12, 100));
    let r: Vec<&str> = rating.iter().map(|r| r.as_deref().unwrap()).collect();
    assert_eq!(
        [r[0], r[2], r[3], r[4]],
        ["inadequate", "outstanding", "good", "requires_improvement"]
    );
    let est: Vec<u32> = tm
        .column("establishment")
        .unwrap()
        .u32()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(est[0], 60); // 3000 FTE at the quick scenario's 2 % of staff
    let eng = tm
        .column("engagement")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((eng - 6.3).abs() < 0.05, "{eng}");
    let surplus = tm
        .column("surplus_share")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(surplus, -0.02);

    cargo_bin_cmd!("trustsim")
        .args(["plot", out.to_str().unwrap(), "--trust", "aa1"])
        .assert()
        .success();
    let view = out.join("charts/trust-AA1");
    for stem in [
        "trust_engagement",
        "trust_surplus",
        "trust_ceo_tenure",
        "trust_engagement_vs_mortality",
    ] {
        for ext in ["png", "svg"] {
            assert!(view.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
        }
    }
    let report = out.join("trust-report.html");
    cargo_bin_cmd!("trustsim")
        // By part of its name: "Alder, Ash NHS Trust" is AA1.
        .args(["report", out.to_str().unwrap(), "--trust", "alder", "--out"])
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Trust view: AA1"), "no trust section");
    assert!(html.matches("<figure").count() >= 9 + 7);
    assert!(html.find("Trust view").unwrap() < html.find("<footer>").unwrap());
    let refused = |query: &str| {
        let o = cargo_bin_cmd!("trustsim")
            .args(["plot", out.to_str().unwrap(), "--trust", query])
            .assert()
            .failure()
            .get_output()
            .clone();
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = refused("ZZ9");
    assert!(
        err.contains("no trust with code or name `ZZ9`") && err.contains("AA1, AA2, BB1"),
        "{err}"
    );
    // One name matches: drawn; several: listed with their codes.
    cargo_bin_cmd!("trustsim")
        .args(["plot", out.to_str().unwrap(), "--trust", "cedar"])
        .assert()
        .success();
    let many = refused("a");
    assert!(
        many.contains("`a` is in the names of") && many.contains("AA1 (Alder, Ash NHS Trust)"),
        "{many}"
    );
}

#[test]
fn a_bad_register_is_refused_naming_file_line_and_column() {
    let tmp = TempDir::new().unwrap();
    let bad = REGISTER.replace("community,South West", "clinic,South West");
    let file = scenario(tmp.path(), &bad);
    let out = cargo_bin_cmd!("trustsim")
        .args(["check", file.to_str().unwrap()])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("trusts.csv:5: column `type`: \"clinic\" is not allowed; allowed: acute, mental_health, community or ambulance"),
        "{err}"
    );
    std::fs::write(tmp.path().join("regs/trusts.csv"), "").unwrap();
    let out = cargo_bin_cmd!("trustsim")
        .args(["check", file.to_str().unwrap()])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("is empty"));
    std::fs::remove_file(tmp.path().join("regs/trusts.csv")).unwrap();
    let out = cargo_bin_cmd!("trustsim")
        .args(["check", file.to_str().unwrap()])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("reg.toml:")
            && err.contains("cannot read the trust register")
            && err.contains("file not found"),
        "{err}"
    );
}

/// The bundled register of England's trusts is the baseline's: the baseline
/// is valid, and a run names the real trusts with their types and regions
/// and dates its months from April 2026.
#[test]
fn the_baseline_names_englands_trusts_on_a_calendar() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/baseline.toml");
    let check = cargo_bin_cmd!("trustsim")
        .arg("check")
        .arg(&scenario)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&check.get_output().stdout).to_string();
    assert!(
        said.contains("# calendar: reported months 1 to 120 are April 2026 to March 2036 (financial years 2026/27 to 2035/36); the burn-in runs from April 2021"),
        "{said}"
    );
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    cargo_bin_cmd!("trustsim")
        .arg("run")
        .arg(&scenario)
        .args(["--replications", "1", "--months", "12", "--quiet"])
        .args(["--no-charts", "--yes", "--out"])
        .arg(&out)
        .args(["--set", "run.burn_in_months=6"])
        .args(["--set", "run.staff_scale=0.01"])
        .assert()
        .success();
    let trusts = read(&out.join("trusts.parquet"));
    assert_eq!(trusts.height(), 201);
    let codes = strings(&trusts, "trust_code");
    let names = strings(&trusts, "trust_name");
    let leeds = codes
        .iter()
        .position(|c| c.as_deref() == Some("RR8"))
        .expect("Leeds Teaching Hospitals (RR8) is in the register");
    assert_eq!(
        names[leeds].as_deref(),
        Some("Leeds Teaching Hospitals NHS Trust")
    );
    let count = |column: &str, value: &str| {
        strings(&trusts, column)
            .iter()
            .filter(|v| v.as_deref() == Some(value))
            .count()
    };
    for (kind, n) in [
        ("acute", 133),
        ("mental_health", 47),
        ("community", 11),
        ("ambulance", 10),
    ] {
        assert_eq!(count("trust_type", kind), n, "{kind}");
    }
    let regions: std::collections::BTreeSet<String> =
        strings(&trusts, "region").into_iter().flatten().collect();
    assert_eq!(
        regions.into_iter().collect::<Vec<_>>(),
        [
            "East of England",
            "London",
            "Midlands",
            "North East and Yorkshire",
            "North West",
            "South East",
            "South West"
        ]
    );
    assert!(strings(&trusts, "icb").iter().all(Option::is_some));
    // Reported month 1 is April 2026; months 1 to 12 are financial year 2026/27.
    let tm = read(&out.join("trust_months.parquet"));
    let months = tm.column("month").unwrap().u32().unwrap().clone();
    let dates = tm
        .column("date")
        .unwrap()
        .cast(&polars::prelude::DataType::String)
        .unwrap();
    let dates = dates.str().unwrap();
    for i in [0, tm.height() - 1] {
        let expected = match months.get(i) {
            Some(1) => "2026-04-01",
            Some(12) => "2027-03-01",
            m => panic!("unexpected month {m:?}"),
        };
        assert_eq!(dates.get(i), Some(expected));
    }
    assert!(
        strings(&tm, "financial_year")
            .iter()
            .all(|f| f.as_deref() == Some("2026/27"))
    );
}
