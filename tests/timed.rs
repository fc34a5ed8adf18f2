//! Policies that start on a date: timed changes, saved states and
//! comparisons that branch from a shared history. Each test would fail if
//! what it names broke: a resumed state that drifts by one draw, a change
//! that takes effect a month early or late, a branch that is not exactly
//! the separate run, a state accepted by a scenario with another history.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn err(args: &[&str]) -> String {
    let o = trustsim(args);
    assert!(!o.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A quick scenario (3 replications, 36 reported months) with a change of
/// the leaving rate at reported month `month` (or none).
fn policy(dir: &Path, name: &str, month: Option<u32>) -> String {
    let mut text = format!(
        "extends = \"{}\"\n[run]\nname = \"{name}\"\nreplications = 3\nmonths = 36\n",
        quick()
    );
    if let Some(m) = month {
        text.push_str(&format!(
            "[[changes]]\nmonth = {m}\ndescription = \"more leaving\"\nset = {{ \"staff.leave_base_monthly\" = 0.02 }}\n"
        ));
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run(file: &str, out: &Path, extra: &[&str]) -> String {
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
    ok(&args)
}

const TABLES: [&str; 7] = [
    "trusts.parquet",
    "trust_months.parquet",
    "ceo_spells.parquet",
    "exec_spells.parquet",
    "inspections.parquet",
    "replications.parquet",
    "summary.parquet",
];

fn assert_same_files(a: &Path, b: &Path) {
    for t in TABLES {
        let (x, y) = (
            std::fs::read(a.join(t)).unwrap(),
            std::fs::read(b.join(t)).unwrap(),
        );
        assert!(
            x == y,
            "{t} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_run_resumed_from_a_saved_state_is_byte_identical_to_one_that_did_not_stop() {
    let tmp = TempDir::new().unwrap();
    let file = policy(tmp.path(), "p", Some(12));
    let plain = tmp.path().join("plain");
    let saving = tmp.path().join("saving");
    let resumed = tmp.path().join("resumed");
    run(&file, &plain, &[]);
    run(&file, &saving, &["--save-state", "10"]);
    let state = saving.join("state-month-0010.tsstate");
    assert!(state.exists());
    let manifest = std::fs::read_to_string(saving.join("manifest.json")).unwrap();
    assert!(manifest.contains("state-month-0010.tsstate"), "{manifest}");
    run(&file, &resumed, &["--from-state", state.to_str().unwrap()]);
    assert_same_files(&plain, &saving);
    assert_same_files(&plain, &resumed);
    let manifest = std::fs::read_to_string(resumed.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"from_state\""), "{manifest}");

    // The same state continues a scenario whose history is the same up to
    // month 10 (no change at all): exactly the plain run of that scenario.
    let base = policy(tmp.path(), "base", None);
    let base_plain = tmp.path().join("base_plain");
    let base_resumed = tmp.path().join("base_resumed");
    run(&base, &base_plain, &[]);
    run(
        &base,
        &base_resumed,
        &["--from-state", state.to_str().unwrap()],
    );
    for t in ["trust_months.parquet", "ceo_spells.parquet"] {
        assert_eq!(
            std::fs::read(base_plain.join(t)).unwrap(),
            std::fs::read(base_resumed.join(t)).unwrap(),
            "{t}"
        );
    }
}

#[test]
fn a_state_is_refused_by_a_scenario_with_another_history_and_a_broken_file_is_named() {
    let tmp = TempDir::new().unwrap();
    let file = policy(tmp.path(), "p", Some(12));
    let saving = tmp.path().join("saving");
    run(&file, &saving, &["--save-state", "20"]);
    let state = saving.join("state-month-0020.tsstate");
    let s = state.to_str().unwrap();
    let out = tmp.path().join("x");
    let o = out.to_str().unwrap();
    // The change at month 12 is part of the saved history: a scenario
    // without it differs before month 20.
    let base = policy(tmp.path(), "base", None);
    let e = err(&[
        "run",
        &base,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--from-state",
        s,
    ]);
    assert!(
        e.contains("staff.leave_base_monthly") && e.contains("month 20"),
        "{e}"
    );
    let e = err(&[
        "run",
        &file,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--from-state",
        s,
        "--replications",
        "5",
    ]);
    assert!(e.contains("holds 3 replications"), "{e}");
    let e = err(&[
        "run",
        &file,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--save-state",
        "37",
    ]);
    assert!(
        e.contains("--save-state 37") && e.contains("1 to run.months (36)"),
        "{e}"
    );
    let bytes = std::fs::read(&state).unwrap();
    let cut = tmp.path().join("cut.tsstate");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = err(&[
        "run",
        &file,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--from-state",
        cut.to_str().unwrap(),
    ]);
    assert!(e.contains("cut.tsstate") && e.contains("truncated"), "{e}");
    // A state saved by another build is refused (the model's internal state
    // may differ between builds).
    let mut other = bytes.clone();
    let key = b"\"build\":\"";
    let at = other.windows(key.len()).position(|w| w == key).unwrap() + key.len();
    other[at] = if other[at] == b'z' { b'y' } else { b'z' };
    let moved = tmp.path().join("other-build.tsstate");
    std::fs::write(&moved, &other).unwrap();
    let e = err(&[
        "run",
        &file,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--from-state",
        moved.to_str().unwrap(),
    ]);
    assert!(e.contains("save it again with this build"), "{e}");
    let junk = tmp.path().join("junk.tsstate");
    std::fs::write(&junk, b"not a state").unwrap();
    let e = err(&[
        "run",
        &file,
        "--quiet",
        "--yes",
        "--out",
        o,
        "--from-state",
        junk.to_str().unwrap(),
    ]);
    assert!(
        e.contains("junk.tsstate") && e.contains("not a trustsim state file"),
        "{e}"
    );
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn compare_branches_from_the_shared_history_exactly_as_separate_runs_would() {
    let tmp = TempDir::new().unwrap();
    let base = policy(tmp.path(), "base", None);
    let pol = policy(tmp.path(), "policy", Some(24));
    let dir = tmp.path().join("cmp");
    let stdout = ok(&[
        "compare",
        &base,
        &pol,
        "--quiet",
        "--yes",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("changes: none | from month 24 (2028-03): staff.leave_base_monthly = 0.02"),
        "{stdout}"
    );
    assert!(
        stdout.contains("share their history up to reported month 23"),
        "{stdout}"
    );
    assert!(stdout.contains("less work"), "{stdout}");
    // Each variant's files are those of its separate run.
    let alone = tmp.path().join("alone");
    run(&pol, &alone, &[]);
    assert_same_files(&alone, &dir.join("policy"));
    // The difference charts exist and the trust-month tables agree exactly
    // before month 24 and not after.
    for ind in [
        "engagement",
        "leaver_rate",
        "sickness",
        "quality",
        "surplus",
    ] {
        assert!(
            dir.join(format!("charts/difference_{ind}.png")).exists(),
            "{ind}"
        );
    }
    let a = trustsim::charts::load_run(&dir.join("base")).unwrap();
    let b = trustsim::charts::load_run(&dir.join("policy")).unwrap();
    assert_eq!(a.national.len(), 36);
    for (x, y) in a.national.iter().zip(&b.national) {
        if x.month < 24 {
            assert_eq!(x.values, y.values, "month {}", x.month);
        } else {
            assert_ne!(x.values, y.values, "month {}", x.month);
        }
    }
    ok(&["report", dir.to_str().unwrap()]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("How the differences develop over time"));
}

#[test]
fn an_interrupted_branched_comparison_counts_every_variant_and_resumes() {
    let tmp = TempDir::new().unwrap();
    let slow = |name: &str, change: &str| {
        let path = tmp.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "extends = \"{}\"\n[run]\nname = \"{name}\"\nstaff_scale = 1.0\nmonths = 1200\nreplications = 4\n{change}",
                quick()
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let a = slow("a", "");
    let b = slow(
        "b",
        "[[changes]]\nmonth = 24\nset = { \"staff.leave_base_monthly\" = 0.02 }\n",
    );
    let dir = tmp.path().join("cmp");
    let args = [
        "compare",
        a.as_str(),
        b.as_str(),
        "--quiet",
        "--yes",
        "--no-charts",
        "--out",
        dir.to_str().unwrap(),
    ];
    let child = Command::new(bin())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let kept = |v: &str| {
        std::fs::read_dir(dir.join(v).join(".batches"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".batch"))
                    .count()
            })
            .unwrap_or(0)
    };
    let start = std::time::Instant::now();
    while kept("a") + kept("b") == 0 && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    // The count covers both variants and names the comparison folder.
    assert!(stderr.contains("of 8 replications"), "{stderr}");
    assert!(
        stderr.contains(&format!("kept in {}", dir.display())),
        "{stderr}"
    );
    let out = ok(&args);
    assert!(out.contains("a: 4 replications"), "{out}");
    assert!(dir.join("b/trust_months.parquet").exists());
}
