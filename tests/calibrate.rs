//! `trustsim calibrate` end to end at reduced scale: it recovers parameter
//! values from targets the model itself produced at those values, gives the
//! same parameter sets on a rerun, with another thread count and in shards,
//! and refuses bad calibration files with a message naming the key.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use polars::prelude::*;
use tempfile::TempDir;
use trustsim::metrics::evaluate_replication;
use trustsim::model::run_replication;
use trustsim::scenario;

/// The known parameter values, and the prior ranges searched.
const LEAVE: (f64, f64, f64) = (0.0072, 0.004, 0.011);
const SICKNESS: (f64, f64, f64) = (0.021, 0.012, 0.030);
/// A parameter the two targets barely depend on.
const INERT: (f64, f64) = (2.0, 8.0);

fn trustsim(args: &[&str]) -> (bool, String, String) {
    let o = cargo_bin_cmd!("trustsim").args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A small, short version of the quick scenario.
fn base(dir: &Path) -> PathBuf {
    let quick = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
    let path = dir.join("base.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\n[run]\nname = \"tiny\"\nmonths = 36\nburn_in_months = 12\n",
            quick.display().to_string()
        ),
    )
    .unwrap();
    path
}

/// Mean of two targets over 8 replications at the known values (other
/// seeds than the calibration's runs use).
fn synthetic_targets(base: &Path) -> (f64, f64) {
    let mut p = scenario::load(base).unwrap().params.to_raw();
    p.staff.leave_base_monthly = LEAVE.0;
    p.staff.sickness_onset_base = SICKNESS.0;
    p.run.seed = 987_654;
    let p = scenario::rebuild(&scenario::load(base).unwrap().params, p, "truth").unwrap();
    let (mut leave, mut sick) = (0.0, 0.0);
    for r in 0..8 {
        let m = evaluate_replication(&run_replication(&p, r), &p);
        leave += m.whole_run.get("leaver_rate_annual") / 8.0;
        sick += m.whole_run.get("sickness_rate") / 8.0;
    }
    (leave, sick)
}

fn calibration_file(dir: &Path) -> PathBuf {
    let b = base(dir);
    let (leave, sick) = synthetic_targets(&b);
    let path = dir.join("cal.toml");
    std::fs::write(
        &path,
        format!(
            "[calibration]\nname = \"known\"\nbase = \"base.toml\"\nreplications = 3\nwaves = 3\npoints = 20\ncandidates = 5000\n\
             [calibration.parameters]\n\
             \"staff.leave_base_monthly\" = {{ min = {}, max = {} }}\n\
             \"staff.sickness_onset_base\" = {{ min = {}, max = {} }}\n\
             \"ceo.returner_extra_age\" = {{ min = {}, max = {} }}\n\
             [calibration.targets]\n\
             leaver_rate_annual = {{ value = {leave}, sd = {} }}\n\
             sickness_rate = {{ value = {sick}, sd = {} }}\n",
            LEAVE.1,
            LEAVE.2,
            SICKNESS.1,
            SICKNESS.2,
            INERT.0,
            INERT.1,
            0.03 * leave,
            0.03 * sick,
        ),
    )
    .unwrap();
    path
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "calibrate",
        file.to_str().unwrap(),
        "--quiet",
        "--yes",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = trustsim(&args);
    assert!(ok, "{stdout}\n{stderr}");
    stdout
}

/// Each parameter's (min, max) over the parameter sets.
fn set_ranges(out: &Path) -> Vec<(String, f64, f64)> {
    let file = std::fs::File::open(out.join("parameter_sets.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    assert_eq!(df.get_column_names()[0].as_str(), "set");
    df.columns()[1..]
        .iter()
        .map(|c| {
            let v = c.f64().unwrap();
            (c.name().to_string(), v.min().unwrap(), v.max().unwrap())
        })
        .collect()
}

#[test]
fn a_calibration_recovers_the_values_that_produced_its_targets() {
    let dir = TempDir::new().unwrap();
    let file = calibration_file(dir.path());
    let out = dir.path().join("out");
    let printed = calibrate(&file, &out, &[]);
    assert!(printed.contains("plausible parameter sets"), "{printed}");
    let ranges = set_ranges(&out);
    let get = |k: &str| ranges.iter().find(|r| r.0 == k).unwrap().clone();
    for (key, (truth, lo, hi)) in [
        ("staff.leave_base_monthly", LEAVE),
        ("staff.sickness_onset_base", SICKNESS),
    ] {
        let (_, min, max) = get(key);
        assert!(
            min <= truth && truth <= max,
            "{key}: truth {truth} outside the plausible sets' range {min}..{max}"
        );
        assert!(
            max - min < 0.6 * (hi - lo),
            "{key}: the evidence should narrow it: {min}..{max} of {lo}..{hi}"
        );
        assert!(min >= lo && max <= hi);
    }
    let (_, min, max) = get("ceo.returner_extra_age");
    assert!(
        max - min > 0.5 * (INERT.1 - INERT.0),
        "an inert parameter stays wide: {min}..{max}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("calibration.json")).unwrap())
            .unwrap();
    let left = summary["space_after"].as_f64().unwrap();
    assert!(left > 0.0 && left < 0.3, "space left {left}");
    // Regression: the table's last "space left" (before the last wave) said
    // 9.2 % where the sentence after it (after the last wave) said 9.50 %.
    let rows: Vec<&str> = printed
        .lines()
        .skip_while(|l| !(l.starts_with("wave ") && l.contains("space left after it")))
        .skip(1)
        .take_while(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 3, "{printed}");
    let last_row = rows[2].split_whitespace().rev().nth(1).unwrap();
    let sentence = printed
        .lines()
        .find_map(|l| l.strip_prefix("after the last wave: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    let stored = format!("{:.1}", 100.0 * left);
    assert!(
        last_row == sentence && sentence == stored,
        "table {last_row}, sentence {sentence}, calibration.json {stored}:\n{printed}"
    );
    for chart in ["implausibility_by_wave", "space_left", "targets_by_wave"] {
        assert!(out.join("charts").join(format!("{chart}.png")).exists());
    }
    let runs = ParquetReader::new(std::fs::File::open(out.join("runs.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(runs.height(), 3 * 20 * 3, "every run of every wave");
    for c in [
        "wave",
        "point",
        "replication",
        "implausibility",
        "plausible",
    ] {
        assert!(runs.column(c).is_ok(), "runs.parquet lacks {c}");
    }
}

#[test]
fn a_calibration_gives_the_same_sets_on_a_rerun_with_other_threads_and_in_shards() {
    let dir = TempDir::new().unwrap();
    let file = calibration_file(dir.path());
    let sets = |out: &Path| std::fs::read(out.join("parameter_sets.parquet")).unwrap();
    let first = dir.path().join("first");
    calibrate(&file, &first, &["--threads", "2"]);
    // Rerun into the same folder: nothing is run again.
    let again = calibrate(&file, &first, &[]);
    assert!(again.contains("all 20 units already done"), "{again}");
    assert_eq!(sets(&first), sets(&first));
    let single = dir.path().join("single");
    calibrate(&file, &single, &["--threads", "1"]);
    assert_eq!(sets(&first), sets(&single), "thread count changed the sets");
    // Two shards, one wave per round, then the results.
    let sharded = dir.path().join("sharded");
    for _wave in 0..3 {
        for shard in ["0/2", "1/2"] {
            let printed = calibrate(&file, &sharded, &["--shard", shard, "--threads", "1"]);
            assert!(!printed.contains("plausible parameter sets"), "{printed}");
        }
    }
    calibrate(&file, &sharded, &[]);
    assert_eq!(sets(&first), sets(&sharded), "sharding changed the sets");
}

#[test]
fn bad_calibration_files_are_refused_with_the_key() {
    let dir = TempDir::new().unwrap();
    base(dir.path());
    let cases: &[(&str, &str)] = &[
        ("", "missing field `calibration`"),
        (
            "[calibration]\nbase = \"base.toml\"\n[calibration.parameters]\n\"staff.leave_base_montly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nsickness_rate = {}\n",
            "did you mean `staff.leave_base_monthly`",
        ),
        (
            "[calibration]\nbase = \"base.toml\"\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nsickness_rat = {}\n",
            "did you mean `sickness_rate`",
        ),
        (
            "[calibration]\nbase = \"base.toml\"\nreplications = 1\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nsickness_rate = {}\n",
            "calibration.replications",
        ),
        (
            "[calibration]\nbase = \"base.toml\"\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.01, max = 0.0 }\n[calibration.targets]\nsickness_rate = {}\n",
            "min must be below max",
        ),
        (
            "[calibration]\nbase = \"base.toml\"\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nquality_index = {}\n",
            "has no evidence in the registry",
        ),
        (
            "[calibration]\nbase = \"base.toml\"\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nquality_index = { value = 60.0 }\n",
            "needs its observation `sd`",
        ),
        (
            "[calibration]\nbase = \"nowhere.toml\"\n[calibration.parameters]\n\"staff.leave_base_monthly\" = { min = 0.0, max = 0.01 }\n[calibration.targets]\nsickness_rate = {}\n",
            "nowhere.toml",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let (ok, _, stderr) = trustsim(&["calibrate", path.to_str().unwrap(), "--yes"]);
        assert!(!ok, "case {i} was accepted");
        assert!(
            stderr.contains(expected) && stderr.contains(&format!("bad-{i}.toml")),
            "case {i}: expected {expected:?} and the file name in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (ok, _, stderr) = trustsim(&["calibrate", "no-such-file.toml"]);
    assert!(!ok && stderr.contains("file not found"), "{stderr}");
}

/// A stand-in for `sbatch` that runs a script at once (an array script once
/// per task, with its `SLURM_ARRAY_TASK_ID`) and prints a job id.
fn fake_sbatch(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = bin.join("sbatch");
    std::fs::write(
        &path,
        r#"#!/usr/bin/env bash
set -euo pipefail
script="${@: -1}"
array=$(grep -m1 '^#SBATCH --array=' "$script" | sed 's/.*=//; s/%.*//' || true)
if [ -n "$array" ]; then
  last=${array#*-}
  for i in $(seq 0 "$last"); do
    SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=1 bash "$script" >> "$FAKE_SLURM_LOG" 2>&1
  done
else
  SLURM_CPUS_PER_TASK=1 bash "$script" >> "$FAKE_SLURM_LOG" 2>&1
fi
echo "$RANDOM"
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn a_slurm_chain_runs_one_array_per_wave_and_gives_the_same_sets() {
    let dir = TempDir::new().unwrap();
    let file = calibration_file(dir.path());
    let direct = dir.path().join("direct");
    calibrate(&file, &direct, &[]);
    let out = dir.path().join("on the cluster");
    let (ok, stdout, stderr) = trustsim(&[
        "slurm",
        file.to_str().unwrap(),
        "--shards",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("one array of 3 tasks"), "{stdout}");
    let scripts = out.join("slurm");
    let run = std::fs::read_to_string(scripts.join("run-shards.sbatch")).unwrap();
    assert!(
        run.contains(" calibrate ") && run.contains("--yes"),
        "{run}"
    );
    let next = std::fs::read_to_string(scripts.join("next.sbatch")).unwrap();
    assert!(next.contains("--status"), "{next}");
    let (ok, status, _) = trustsim(&[
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--status",
    ]);
    assert!(
        ok && status.trim() == "wave 1: 0 of 20 units done",
        "{status}"
    );
    let log = dir.path().join("slurm.log");
    let bin = fake_sbatch(dir.path());
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = std::process::Command::new("bash")
        .arg(scripts.join("submit.sh"))
        .env("PATH", path)
        .env("FAKE_SLURM_LOG", &log)
        .output()
        .unwrap();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        o.status.success(),
        "{}\n{}\n{logged}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for wave in 1..=3 {
        assert!(logged.contains(&format!("wave {wave}: 0 of 20 units done")) || wave == 1);
    }
    assert!(logged.contains("plausible parameter sets"), "{logged}");
    let sets = |o: &Path| std::fs::read(o.join("parameter_sets.parquet")).unwrap();
    assert_eq!(
        sets(&direct),
        sets(&out),
        "the cluster run changed the sets"
    );
}

/// The bundled parameter sets are the output of the bundled calibration
/// file as it stands: same plan (hash), same parameters, values inside the
/// priors. (Rerunning it, 9 minutes at full scale, reproduces the file byte
/// for byte; docs/ODD.md gives the command.)
#[test]
fn the_bundled_parameter_sets_belong_to_the_bundled_calibration() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let plan = trustsim::calibrate::plan::load(&root.join("calibration_leadership.toml")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("calibration/calibration.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        summary["hash"].as_str().unwrap(),
        plan.hash(),
        "the calibration file or the baseline changed since the bundled sets were made: rerun `trustsim calibrate scenarios/calibration_leadership.toml` and copy parameter_sets.parquet and calibration.json into scenarios/calibration/"
    );
    let sets =
        trustsim::output::parameter_sets::read(&root.join("calibration/parameter_sets.parquet"))
            .unwrap();
    assert_eq!(sets.keys, plan.keys());
    assert_eq!(sets.len() as u64, summary["sets"].as_u64().unwrap());
    assert!(sets.len() >= 30, "{} sets", sets.len());
    for row in &sets.values {
        for (x, v) in row.iter().zip(&plan.parameters) {
            assert!(*x >= v.min && *x <= v.max, "{} = {x}", v.key);
        }
    }
}

/// Regression: `--status` on the bundled results folder said "wave 1: 0 of
/// 60 units done": it holds the finished calibration's results without its
/// wave runs.
#[test]
fn status_of_the_bundled_results_says_done_and_what_the_folder_holds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (ok, stdout, stderr) = trustsim(&[
        "calibrate",
        root.join("calibration_leadership.toml").to_str().unwrap(),
        "--out",
        root.join("calibration").to_str().unwrap(),
        "--status",
    ]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "done", "{stdout}\n{stderr}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("calibration/calibration.json")).unwrap(),
    )
    .unwrap();
    let sets = summary["sets"].as_u64().unwrap();
    assert!(
        stderr.contains(&format!(
            "holds the results of this calibration ({sets} plausible parameter sets"
        )) && stderr.contains("without its wave runs"),
        "{stderr}"
    );
}

/// The help of `calibrate` describes its own file and flags (before, it
/// described FILE as a sweep or sensitivity file and `--parameter-sets` as
/// taken by `sweep` only).
#[test]
fn calibrate_help_describes_a_calibration_file() {
    let (ok, stdout, _) = trustsim(&["calibrate", "--help"]);
    assert!(ok);
    assert!(
        stdout.contains("Calibration file (TOML with a [calibration] table"),
        "{stdout}"
    );
    assert!(!stdout.contains("Sweep or sensitivity file"), "{stdout}");
    assert!(!stdout.contains("`sweep` only"), "{stdout}");
    assert!(stdout.contains("Not taken by a calibration"), "{stdout}");
}

#[test]
fn ctrl_c_during_a_calibration_keeps_finished_runs_and_a_rerun_gives_the_same_sets() {
    let dir = TempDir::new().unwrap();
    let file = calibration_file(dir.path());
    let whole = dir.path().join("whole");
    calibrate(&file, &whole, &[]);
    let out = dir.path().join("interrupted");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_trustsim"))
        .args([
            "calibrate",
            file.to_str().unwrap(),
            "--quiet",
            "--yes",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the first wave has a finished point.
    let parts = out.join("waves/wave-1/data");
    let start = std::time::Instant::now();
    while std::fs::read_dir(&parts).map_or(0, |d| d.count()) == 0
        && start.elapsed() < std::time::Duration::from_secs(120)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        assert_eq!(o.status.code(), Some(130), "{stderr}");
        assert!(
            stderr.contains("run the same command again to resume"),
            "{stderr}"
        );
        assert!(!out.join("parameter_sets.parquet").exists());
    }
    calibrate(&file, &out, &[]);
    assert_eq!(
        std::fs::read(whole.join("parameter_sets.parquet")).unwrap(),
        std::fs::read(out.join("parameter_sets.parquet")).unwrap(),
        "an interrupted and resumed calibration changed the sets"
    );
}
