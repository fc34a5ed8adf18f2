//! Ordinary misuse, reproduced exactly as a user commits it: two
//! commands on one folder, re-running into a used folder, Ctrl-C on small
//! runs, comparing different worlds, absurd flags, empty files, reports of
//! comparisons and unfinished runs. Each test names the problem it guards.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trustsim"))
}

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// A run of `file` into `out` that takes several seconds: the quick
/// scenario's 20 trusts at full staff over 50 years.
fn slow_args(file: &str, out: &Path, reps: u32) -> Vec<String> {
    [
        "run",
        file,
        "--set",
        "run.staff_scale=1",
        "--months",
        "600",
        "--replications",
        &reps.to_string(),
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec()
}

fn trustsim(args: &[String]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn spawn(args: &[String]) -> Child {
    Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn wait_for(what: impl Fn() -> bool) {
    let start = Instant::now();
    while !what() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kept(out: &Path) -> usize {
    std::fs::read_dir(out.join(".batches")).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".batch"))
            .count()
    })
}

/// A quick variant with supportive oversight.
fn supportive(dir: &Path) -> String {
    let path = dir.join("supportive.toml");
    let text = format!(
        "extends = {:?}\n[run]\nname = \"supportive\"\n[oversight]\npunitiveness = 0.2\n",
        scenario("quick.toml")
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn quick_run(file: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = [
        "run",
        file,
        "--replications",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    trustsim(&args)
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused_and_the_first_keeps_its_own_data() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("x");
    let quick = scenario("quick.toml");
    let first = spawn(&slow_args(&quick, &out, 4));
    wait_for(|| out.join("manifest.json").exists());
    let policy = scenario("policy_double_development.toml");
    let second = trustsim(&slow_args(&policy, &out, 4));
    let (_, err) = text(&second);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is in use by another trustsim command")
            && err.contains(&format!("pid {}", first.id())),
        "{err}"
    );
    let a = first.wait_with_output().unwrap();
    assert!(a.status.success(), "{}", text(&a).1);
    // The first run holds only its own data: the same bytes as the same run alone.
    let alone = dir.path().join("alone");
    assert!(trustsim(&slow_args(&quick, &alone, 4)).status.success());
    for f in [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "summary.parquet",
    ] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(alone.join(f)).unwrap(),
            "{f} holds another run's data"
        );
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        (m["scenario_name"].as_str(), m["complete"].as_bool()),
        (Some("quick"), Some(true))
    );
}

#[test]
fn a_used_folder_is_replaced_only_with_force_and_then_holds_nothing_of_the_old_run() {
    let dir = TempDir::new().unwrap();
    let s = dir.path().join("s");
    let sup = supportive(dir.path());
    assert!(quick_run(&sup, &s, &[]).status.success());
    assert!(s.join("charts").exists());
    let quick = scenario("quick.toml");
    let refused = quick_run(&quick, &s, &["--no-charts"]);
    let (_, err) = text(&refused);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        err.contains("holds a finished run of scenario `supportive`") && err.contains("--force"),
        "{err}"
    );
    assert!(s.join("charts").exists(), "a refused run changes nothing");
    // With --force the old results go, charts included (this run draws none).
    let forced = quick_run(&quick, &s, &["--no-charts", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced).1);
    let (out, _) = text(&forced);
    assert!(
        out.contains("replaced in") && out.contains("`supportive`"),
        "{out}"
    );
    assert!(
        !s.join("charts").exists(),
        "the old scenario's charts were kept"
    );
    let meta = Command::new(bin())
        .args(["validate", s.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        text(&meta).0.starts_with("quick: 2 replications"),
        "{}",
        text(&meta).0
    );

    // Replace it again but stop the run: nothing under a final name remains,
    // and validate and report say the run is unfinished.
    let mut args = slow_args(&sup, &s, 8);
    args.push("--force".into());
    let child = spawn(&args);
    wait_for(|| kept(&s) >= 1);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o).1);
    for f in [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "summary.parquet",
        "replications.parquet",
    ] {
        assert!(
            !s.join(f).exists(),
            "{f} of the replaced run is still there"
        );
    }
    for cmd in ["validate", "report"] {
        let o = Command::new(bin())
            .args([cmd, s.to_str().unwrap()])
            .output()
            .unwrap();
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {err}");
        assert!(
            err.contains("holds an unfinished run of `supportive`")
                && err.contains("again to finish it"),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn ctrl_c_stops_a_small_run_within_seconds_keeps_finished_work_and_resumes_exactly() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("r");
    let quick = scenario("quick.toml");
    let args = slow_args(&quick, &out, 6);
    let child = spawn(&args);
    wait_for(|| kept(&out) >= 1);
    let asked = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    let stopped_in = asked.elapsed();
    let (_, err) = text(&o);
    if o.status.success() {
        return; // finished before the signal landed: nothing to check
    }
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        stopped_in < Duration::from_secs(5),
        "took {stopped_in:?} to stop"
    );
    assert!(err.contains("stopping; finished work is kept"), "{err}");
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    let done = kept(&out);
    assert!(done >= 1, "finished replications are kept");
    let resumed = trustsim(&args);
    let (stdout, err) = text(&resumed);
    assert!(resumed.status.success(), "{err}");
    assert!(
        stdout.contains(&format!(
            "{done} kept from an interrupted run, {} simulated now",
            6 - done
        )),
        "honest counts after a resume: {stdout}"
    );
    let whole = dir.path().join("whole");
    assert!(trustsim(&slow_args(&quick, &whole, 6)).status.success());
    for f in [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "summary.parquet",
    ] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(whole.join(f)).unwrap(),
            "{f} differs after resuming"
        );
    }
    // A second Ctrl-C quits at once and ends the line it interrupted.
    let child = spawn(&slow_args(&quick, &dir.path().join("twice"), 6));
    wait_for(|| dir.path().join("twice/manifest.json").exists());
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    std::thread::sleep(Duration::from_millis(50));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130));
    // Standard error is not a terminal here: no terminal control codes.
    assert!(
        o.stderr.ends_with(b"\n") && !o.stderr.windows(2).any(|w| w == b"\x1b["),
        "{:?}",
        text(&o).1
    );
}

#[test]
fn compare_refuses_different_worlds_and_lists_what_differs() {
    let dir = TempDir::new().unwrap();
    let o = trustsim(
        &[
            "compare",
            &scenario("quick.toml"),
            &scenario("baseline.toml"),
            "--out",
            dir.path().join("c").to_str().unwrap(),
        ]
        .map(String::from),
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("differ in structure")
            && err.contains("trusts.acute.count: 12 | 133")
            && err.contains("run.staff_scale: 0.02 | 1.0")
            && err.contains("--allow-structural"),
        "{err}"
    );
    assert!(!dir.path().join("c").exists(), "nothing is run or written");
    let sup = supportive(dir.path());
    let out = dir.path().join("ok");
    let o = trustsim(
        &[
            "compare",
            &scenario("quick.toml"),
            &sup,
            "--replications",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from),
    );
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        stdout.contains(
            "parameters that differ between the variants:\n  oversight.punitiveness: 0.7 | 0.2"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Compared with quick over the final year"),
        "{stdout}"
    );
}

#[test]
fn pre_flight_refuses_absurd_requests_with_the_real_limits() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let out = d.join("o");
    let quick = scenario("quick.toml");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    let o = trustsim(&[
        "run".into(),
        quick.clone(),
        "--threads".into(),
        "100000".into(),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "no threads are spawned"
    );
    assert_eq!(
        text(&o).1.trim(),
        format!(
            "error: --threads 100000 is out of range; allowed: 1 to {cores} (the cores available to this process)"
        )
    );
    // A run estimated over the limit needs --yes without a terminal.
    let o = trustsim(
        &[
            "run",
            &scenario("baseline.toml"),
            "--replications",
            "100000",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from),
    );
    let (_, err) = text(&o);
    assert!(
        err.contains("this run of baseline is estimated to take about")
            && err.contains("pass --yes to run it anyway"),
        "{err}"
    );
    assert!(!out.exists(), "a refused run writes nothing");
    // So does a sweep: six million runs, estimated at hours even in an
    // optimised build on a quiet machine (300,000 were under the hour).
    let sweep = d.join("big.toml");
    std::fs::write(
        &sweep,
        format!(
            "[sweep]\nbase = {quick:?}\ndesign = \"grid\"\nreplications = 100000\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.1, 0.5, 0.9]\n\"development.budget_share_of_paybill\" = {{ min = 0.0, max = 0.002, levels = 20 }}\n"
        ),
    )
    .unwrap();
    let o = trustsim(&[
        "sweep".into(),
        sweep.display().to_string(),
        "--out".into(),
        d.join("sw").display().to_string(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sweep big is estimated to take about") && err.contains("--yes"),
        "{err}"
    );
    // An empty scenario file is an error, not the England baseline.
    std::fs::write(d.join("empty.toml"), "").unwrap();
    let o = trustsim(&["run".into(), d.join("empty.toml").display().to_string()]);
    assert!(text(&o).1.contains("empty.toml is empty"), "{}", text(&o).1);
}

#[test]
fn a_comparison_folder_gets_a_report_in_natural_units_and_plain_words() {
    let dir = TempDir::new().unwrap();
    let sup = supportive(dir.path());
    let out = dir.path().join("cmp");
    let o = trustsim(
        &[
            "compare",
            &scenario("quick.toml"),
            &sup,
            "--replications",
            "3",
            "--quiet",
            "--csv",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(
        out.join("comparison.csv").exists() && out.join("charts/comparison_forest.svg").exists()
    );
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(
        csv.starts_with("variant,baseline,outcome,label,unit,scope,better,n,"),
        "{csv}"
    );
    let o = trustsim(&["report".into(), out.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o).1);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for needle in [
        "In plain words",
        "Compared with quick over the final year",
        "Paired differences: final year",
        "Paired differences: whole run",
        "<code>oversight.punitiveness: 0.7 | 0.2</code>",
        // A difference keeps its unit: `-0.26&nbsp;pp (-0.67&nbsp;pp to ...)`.
        "&nbsp;pp (",
        "<svg role=\"img\"",
        "supportive vs quick",
    ] {
        assert!(html.contains(needle), "report lacks {needle:?}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    // A comparison folder is not a run.
    let o = trustsim(&["validate".into(), out.display().to_string()]);
    assert!(
        text(&o).1.contains("is a comparison folder"),
        "{}",
        text(&o).1
    );
}

#[test]
fn tables_join_on_one_month_convention_with_ordered_labels_fractions_and_units() {
    use polars::prelude::*;
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("q");
    assert!(
        quick_run(&scenario("quick.toml"), &out, &["--no-charts"])
            .status
            .success()
    );
    let read = |f: &str| {
        ParquetReader::new(std::fs::File::open(out.join(f)).unwrap())
            .finish()
            .unwrap()
    };
    let tm = read("trust_months.parquet");
    let cs = read("ceo_spells.parquet");
    let col_u32 = |df: &DataFrame, c: &str| -> Vec<u32> {
        df.column(c)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    let col_i32 = |df: &DataFrame, c: &str| -> Vec<i32> {
        df.column(c)
            .unwrap()
            .i32()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    let (rep, trust, month) = (
        col_u32(&tm, "replication"),
        col_u32(&tm, "trust_id"),
        col_u32(&tm, "month"),
    );
    let ceo: Vec<u64> = tm
        .column("ceo_id")
        .unwrap()
        .u64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let tenure = col_u32(&tm, "ceo_tenure_months");
    let (srep, strust, start) = (
        col_u32(&cs, "replication"),
        col_u32(&cs, "trust_id"),
        col_i32(&cs, "start_month"),
    );
    let sceo: Vec<u64> = cs
        .column("ceo_id")
        .unwrap()
        .u64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let mut checked = 0;
    for i in 0..cs.height() {
        if start[i] < 1 {
            continue;
        }
        // A spell that starts in month s is the CEO recorded in month s, in its first month.
        let row = (0..tm.height())
            .find(|&j| rep[j] == srep[i] && trust[j] == strust[i] && month[j] == start[i] as u32)
            .unwrap();
        assert_eq!((ceo[row], tenure[row]), (sceo[i], 1), "spell {i}");
        checked += 1;
    }
    assert!(checked > 5);
    assert!(matches!(
        tm.column("rating").unwrap().dtype(),
        DataType::Enum(..)
    ));
    let surplus = tm.column("surplus_share").unwrap().f64().unwrap();
    assert!(
        surplus.into_no_null_iter().all(|s| s.abs() < 0.5),
        "a fraction, not a percent"
    );
    // Every column is in the data dictionary.
    let o = trustsim(&["columns".into(), "trust_months".into()]);
    let (dict, _) = text(&o);
    for c in tm.get_column_names() {
        assert!(
            dict.contains(&format!("  {c} (")),
            "{c} is not in the dictionary"
        );
    }
}

#[test]
fn small_conveniences_work_as_documented() {
    let dir = TempDir::new().unwrap();
    let o = trustsim(&["--version".into()]);
    assert!(text(&o).0.contains("(commit "), "{}", text(&o).0);
    let o = trustsim(&["completions".into(), "bash".into()]);
    assert!(o.status.success() && text(&o).0.contains("_trustsim()"));
    let o = trustsim(&["params".into(), "ceo.hazard".into()]);
    let (p, _) = text(&o);
    assert!(
        p.starts_with(&format!(
            "ceo.hazard_shape = {}\n",
            trustsim::model::Params::default().ceo.hazard_shape
        )) && p.contains("unit: months; allowed: a number from 1 to 10000"),
        "{p}"
    );
    let out = dir.path().join("csv");
    let o = quick_run(
        &scenario("quick.toml"),
        &out,
        &[
            "--csv",
            "--no-charts",
            "--set",
            "oversight.punitiveness=0.3",
        ],
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        csv.starts_with("metric,label,unit,n,mean,sd,p05,p25,p50,p75,p95\nengagement_mean,"),
        "{csv}"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["settings"][1], "--set oversight.punitiveness=0.3");
    assert_eq!(m["scenario"]["oversight"]["punitiveness"], 0.3);
    // The example notebook reads columns that exist.
    let nb = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/read_a_run.ipynb"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&nb).unwrap();
    assert_eq!(v["nbformat"], 4);
    for c in ["engagement", "surplus_share", "start_month", "rating"] {
        assert!(nb.contains(c), "notebook does not use {c}");
    }
}

#[test]
fn an_unknown_staff_loop_width_is_named_and_the_run_goes_on_at_the_widest() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("run");
    let o = Command::new(bin())
        .args([
            "run",
            &scenario("quick.toml"),
            "--replications",
            "1",
            "--quiet",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("TRUSTSIM_KERNEL", "avx9")
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("TRUSTSIM_KERNEL=\"avx9\" is not a staff-loop width")
            && err.contains("portable"),
        "{err}"
    );
}
