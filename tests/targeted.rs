//! Policies for some trusts: a comparison reports the targeted trusts, the
//! others and all trusts; a targeted change branches from the shared
//! history exactly as a separate run would; the trust view of a comparison
//! pairs one trust's worlds. Each test would fail if what it names broke.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;
use tempfile::TempDir;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trustsim"))
}

fn quick() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/quick.toml")
        .display()
        .to_string()
}

fn trustsim(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = trustsim(args);
    assert!(
        o.status.success(),
        "{args:?}\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A quick scenario (3 replications, 36 reported months) with `body` added.
fn scenario(dir: &Path, name: &str, body: &str) -> String {
    let text = format!(
        "extends = \"{}\"\n[run]\nname = \"{name}\"\nreplications = 3\nmonths = 36\n{body}",
        quick()
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn frame(path: &Path) -> DataFrame {
    let f = std::fs::File::open(path).unwrap();
    ParquetReader::new(f).finish().unwrap()
}

/// The comparison row of `outcome` for the trusts `trusts` over the final year.
fn row(df: &DataFrame, outcome: &str, trusts: &str) -> (f64, f64) {
    let s = |c: &str| df.column(c).unwrap().cast(&DataType::String).unwrap();
    let (o, t, sc) = (s("outcome"), s("trusts"), s("scope"));
    let (o, t, sc) = (o.str().unwrap(), t.str().unwrap(), sc.str().unwrap());
    let d = df.column("mean_difference").unwrap().f64().unwrap();
    let g = df.column("group_trusts").unwrap().f64().unwrap();
    let i = (0..df.height())
        .find(|&i| {
            o.get(i) == Some(outcome) && t.get(i) == Some(trusts) && sc.get(i) == Some("final_year")
        })
        .unwrap_or_else(|| panic!("no row {outcome} {trusts}"));
    (d.get(i).unwrap(), g.get(i).unwrap_or(f64::NAN))
}

#[test]
fn a_policy_for_one_trust_is_reported_there_elsewhere_and_nationally() {
    let tmp = TempDir::new().unwrap();
    let base = scenario(tmp.path(), "base", "");
    let policy = scenario(
        tmp.path(),
        "one_trust",
        "[[changes]]\nmonth = 13\ntrusts = [\"T003\"]\nset = { \"staff.leave_base_monthly\" = 0.02 }\n",
    );
    let check = ok(&["check", &policy]);
    assert!(
        check.contains("# from reported month 13 (2027-04, simulated month 48), for trusts T003: reaches 1 trust (T003 Acute trust 3)"),
        "{check}"
    );
    assert!(
        check.contains("#   staff.leave_base_monthly = 0.02 for these trusts (elsewhere 0.0072)"),
        "{check}"
    );
    let dir = tmp.path().join("cmp");
    let stdout = ok(&[
        "compare",
        &base,
        &policy,
        "--quiet",
        "--yes",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("from month 13 (2027-04) for trusts T003: staff.leave_base_monthly = 0.02"),
        "{stdout}"
    );
    assert!(
        stdout.contains("share their history up to reported month 12"),
        "{stdout}"
    );
    assert!(
        stdout.contains("one_trust vs base by trusts (final year, 3 paired replications)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("targeted trusts (1 trust)") && stdout.contains("other trusts (19 trusts)"),
        "{stdout}"
    );
    let df = frame(&dir.join("comparison.parquet"));
    let (targeted, n) = row(&df, "leaver_rate_annual", "targeted");
    let (others, m) = row(&df, "leaver_rate_annual", "untargeted");
    let (national, _) = row(&df, "leaver_rate_annual", "all");
    assert_eq!((n, m), (1.0, 19.0));
    assert!(targeted > 0.05, "targeted {targeted}");
    assert!(
        national > 0.0 && targeted > 5.0 * national,
        "{targeted} vs {national}"
    );
    assert!(others.abs() < targeted / 10.0, "others {others}");
    // The targeted change branched from the shared history: the policy's
    // tables are exactly those of its separate run (its metrics file also
    // holds the groups the comparison measures), and only the targeted
    // trust was reached, from month 13.
    let alone = tmp.path().join("alone");
    ok(&[
        "run",
        &policy,
        "--quiet",
        "--no-charts",
        "--yes",
        "--out",
        alone.to_str().unwrap(),
    ]);
    for t in [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "exec_spells.parquet",
        "inspections.parquet",
    ] {
        assert!(
            std::fs::read(alone.join(t)).unwrap()
                == std::fs::read(dir.join("one_trust").join(t)).unwrap(),
            "{t}"
        );
    }
    let tm = frame(&alone.join("trust_months.parquet"));
    let id = tm.column("trust_id").unwrap().u32().unwrap().clone();
    let month = tm.column("month").unwrap().u32().unwrap().clone();
    let reached = tm.column("targeted").unwrap().bool().unwrap().clone();
    for i in 0..tm.height() {
        let expect = id.get(i) == Some(2) && month.get(i).unwrap() >= 13;
        assert_eq!(reached.get(i), Some(expect), "row {i}");
    }
    // Before month 13 the two worlds are the same numbers.
    let a = trustsim::charts::load_run(&dir.join("base")).unwrap();
    let b = trustsim::charts::load_run(&dir.join("one_trust")).unwrap();
    for (x, y) in a.national.iter().zip(&b.national) {
        if x.month < 13 {
            assert_eq!(x.values, y.values, "month {}", x.month);
        }
    }
    // The report shows all three; the trust view pairs the trust's worlds.
    ok(&["report", dir.to_str().unwrap()]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Where the policy acts: targeted trusts, the others, all trusts"));
    assert!(html.contains("Targeted trusts (1 trust)"));
    let out = ok(&["report", dir.to_str().unwrap(), "--trust", "t003"]);
    assert!(out.contains("report-T003.html"), "{out}");
    let html = std::fs::read_to_string(dir.join("report-T003.html")).unwrap();
    assert!(html.contains("T003 Acute trust 3: each policy against its own baseline world"));
    assert!(html.contains(
        "from April 2027, for trusts T003: staff.leave_base_monthly = 0.02 — reaches this trust"
    ));
    assert!(html.contains("By financial year") && html.contains("2027/28"));
    let svg = std::fs::read_to_string(dir.join("charts/difference_leaver_rate.svg")).unwrap();
    assert!(
        svg.contains("one_trust: its targeted trusts (1 trust)"),
        "difference chart legend"
    );
}

#[test]
fn the_bundled_targeted_policies_report_targeted_other_and_all_trusts() {
    let tmp = TempDir::new().unwrap();
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/compare_targeted.toml");
    let dir = tmp.path().join("cmp");
    let stdout = ok(&[
        "compare",
        file.to_str().unwrap(),
        "--replications",
        "3",
        "--set",
        "run.staff_scale=0.05",
        "--months",
        "36",
        "--no-charts",
        "--quiet",
        "--yes",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("share their history up to reported month 12"),
        "{stdout}"
    );
    let df = frame(&dir.join("comparison.parquet"));
    for (variant, trusts) in [
        ("one_trust_development", Some(1.0)),
        ("segment4_support", None),
        ("regional_scheme", Some(33.0)),
    ] {
        assert!(
            stdout.contains(&format!("{variant} vs baseline by trusts")),
            "{variant}\n{stdout}"
        );
        let v = df.column("variant").unwrap().str().unwrap().clone();
        let t = df
            .column("trusts")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        let t = t.str().unwrap();
        let lo = df.column("ci_low").unwrap().f64().unwrap().clone();
        let hi = df.column("ci_high").unwrap().f64().unwrap().clone();
        let g = df.column("group_trusts").unwrap().f64().unwrap().clone();
        for group in ["targeted", "untargeted", "all"] {
            let rows: Vec<usize> = (0..df.height())
                .filter(|&i| v.get(i) == Some(variant) && t.get(i) == Some(group))
                .collect();
            assert!(!rows.is_empty(), "{variant} {group}");
            assert!(
                rows.iter()
                    .all(|&i| lo.get(i).unwrap() <= hi.get(i).unwrap()),
                "{variant} {group}"
            );
            if group == "targeted" {
                let count = g.get(rows[0]).unwrap();
                match trusts {
                    Some(n) => assert_eq!(count, n, "{variant}"),
                    None => assert!(count > 0.0 && count < 201.0, "{variant}: {count}"),
                }
            }
        }
    }
}

#[test]
fn a_saved_state_continues_a_targeted_policy_and_refuses_one_with_another_history() {
    let tmp = TempDir::new().unwrap();
    let base = scenario(tmp.path(), "base", "");
    let policy = scenario(
        tmp.path(),
        "policy",
        "[[changes]]\nfrom = \"2027-04\"\nwhere = { rating = \"requires_improvement\" }\nset = { \"oversight.punitiveness\" = 0.2 }\n",
    );
    let early = scenario(
        tmp.path(),
        "early",
        "[[for_trusts]]\nwhere = { type = \"ambulance\" }\nset = { \"oversight.punitiveness\" = 0.2 }\n",
    );
    let saved = tmp.path().join("saved");
    let run = |file: &str, out: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            file,
            "--quiet",
            "--no-charts",
            "--yes",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        trustsim(&args)
    };
    assert!(run(&base, &saved, &["--save-state", "13"]).status.success());
    let state = saved.join("state-month-0013.tsstate");
    let (cont, alone) = (tmp.path().join("cont"), tmp.path().join("alone"));
    let o = run(&policy, &cont, &["--from-state", state.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(run(&policy, &alone, &[]).status.success());
    for t in [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "replications.parquet",
    ] {
        assert!(
            std::fs::read(cont.join(t)).unwrap() == std::fs::read(alone.join(t)).unwrap(),
            "{t}"
        );
    }
    let o = run(
        &early,
        &tmp.path().join("early"),
        &["--from-state", state.to_str().unwrap()],
    );
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("changes: none | whole run for ambulance trusts: oversight.punitiveness = 0.2"),
        "{e}"
    );
}
