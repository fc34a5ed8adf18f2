//! `--parameter-sets FILE` end to end: replication i uses set i mod M with
//! its own random streams (common random numbers kept), in `run`,
//! `compare` and `sweep`; bad files and conflicting sets are refused.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use polars::prelude::*;
use tempfile::TempDir;
use trustsim::metrics::{ReplicationMetrics, metric};
use trustsim::output::parameter_sets::{ParameterSets, write};

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The quick scenario shortened to 12 + 24 months (`tiny.toml`), and a
/// variant of it with supportive oversight (`supportive.toml`).
fn scenarios(dir: &Path) -> (PathBuf, PathBuf) {
    let quick = scenario("quick.toml").display().to_string();
    let tiny = dir.join("tiny.toml");
    std::fs::write(
        &tiny,
        format!("extends = {quick:?}\n[run]\nname = \"tiny\"\nmonths = 24\nburn_in_months = 12\n"),
    )
    .unwrap();
    let supportive = dir.join("supportive.toml");
    std::fs::write(
        &supportive,
        "extends = \"tiny.toml\"\n[run]\nname = \"supportive\"\n[oversight]\npunitiveness = 0.2\n",
    )
    .unwrap();
    (tiny, supportive)
}

/// Writes parameter sets with `keys` and one row of `values` per set.
fn sets(dir: &Path, name: &str, keys: &[&str], values: &[&[f64]]) -> PathBuf {
    let path = dir.join(name);
    let sets = ParameterSets {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        values: values.iter().map(|v| v.to_vec()).collect(),
    };
    write(&path, &sets, &[("calibration.note".into(), "test".into())]).unwrap();
    path
}

/// Three sets of the base leaving hazard; set 1 is drastic (ten times the
/// default).
fn leaving_sets(dir: &Path) -> PathBuf {
    sets(
        dir,
        "leaving.parquet",
        &["staff.leave_base_monthly", "leaders.prepared_share"],
        &[&[0.0072, 0.25], &[0.072, 0.3], &[0.006, 0.2]],
    )
}

fn trustsim(args: &[&std::ffi::OsStr]) -> std::process::Output {
    cargo_bin_cmd!("trustsim")
        .args(args)
        .output()
        .expect("trustsim runs")
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `trustsim run FILE --out OUT --quiet --no-charts EXTRA...`.
fn run(file: &Path, out: &Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut args = vec![
        os("run"),
        file.as_os_str(),
        os("--out"),
        out.as_os_str(),
        os("--quiet"),
        os("--no-charts"),
    ];
    args.extend_from_slice(extra);
    trustsim(&args)
}

fn replications(dir: &Path) -> Vec<ReplicationMetrics> {
    trustsim::output::replications::read(&dir.join("replications.parquet")).unwrap()
}

fn leaving(m: &ReplicationMetrics) -> f64 {
    m.whole_run.get("leaver_rate_annual")
}

#[test]
fn replication_i_uses_set_i_mod_m_whatever_the_thread_count() {
    let dir = TempDir::new().unwrap();
    let (tiny, _) = scenarios(dir.path());
    let file = leaving_sets(dir.path());
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = run(
            &tiny,
            &out,
            &[
                os("--replications"),
                os("5"),
                os("--threads"),
                os(threads),
                os("--parameter-sets"),
                file.as_os_str(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("replication i uses set i mod 3 (cycled)"),
            "{}",
            stdout(&o)
        );
        outs.push(out);
    }
    let reps = replications(&outs[0]);
    let sets: Vec<Option<u32>> = reps.iter().map(|m| m.parameter_set).collect();
    assert_eq!(sets, [Some(0), Some(1), Some(2), Some(0), Some(1)]);
    // Set 1 leaves ten times as fast: its replications stand out.
    let drastic = reps
        .iter()
        .filter(|m| m.parameter_set == Some(1))
        .map(leaving)
        .fold(f64::INFINITY, f64::min);
    let others = reps
        .iter()
        .filter(|m| m.parameter_set != Some(1))
        .map(leaving)
        .fold(0.0, f64::max);
    assert!(drastic > 2.0 * others, "set 1 {drastic} vs others {others}");
    // Same numbers for any thread count.
    for f in [
        "replications.parquet",
        "summary.parquet",
        "trust_months.parquet",
    ] {
        assert_eq!(
            std::fs::read(outs[0].join(f)).unwrap(),
            std::fs::read(outs[1].join(f)).unwrap(),
            "{f}"
        );
    }
    // Replication 0 uses set 0, the scenario's own values: the same
    // numbers as a run without sets (its streams are unchanged).
    let plain = dir.path().join("plain");
    let o = run(&tiny, &plain, &[os("--replications"), os("1")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let without = replications(&plain);
    assert_eq!(without[0].parameter_set, None);
    for m in trustsim::compare::outcomes() {
        let (a, b) = (
            reps[0].whole_run.get(m.key),
            without[0].whole_run.get(m.key),
        );
        assert!(
            a == b || (a.is_nan() && b.is_nan()),
            "{}: {a} vs {b}",
            m.key
        );
    }
    // The manifest names the file, its hash, M and the cycling; the files
    // carry M in their metadata.
    let manifest = trustsim::output::read_manifest(&outs[0].join("manifest.json")).unwrap();
    let rec = manifest.parameter_sets.unwrap();
    assert_eq!((rec.sets, rec.used, rec.sha256.len()), (3, 3, 64));
    assert!(rec.assignment.starts_with("cycled"), "{}", rec.assignment);
    let meta = trustsim::output::read_meta(&outs[0].join("summary.parquet")).unwrap();
    assert_eq!(meta.parameter_sets, Some(3));
}

#[test]
fn fewer_replications_than_sets_warns_and_a_different_file_is_a_different_run() {
    let dir = TempDir::new().unwrap();
    let (tiny, _) = scenarios(dir.path());
    let file = leaving_sets(dir.path());
    let out = dir.path().join("out");
    let with = |f: &Path| {
        run(
            &tiny,
            &out,
            &[
                os("--replications"),
                os("2"),
                os("--parameter-sets"),
                f.as_os_str(),
            ],
        )
    };
    let o = with(&file);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: 2 replications use only the first 2 of the 3 parameter sets"),
        "{}",
        stderr(&o)
    );
    // Other sets, or none, in the same folder: refused as another run.
    let other = sets(
        dir.path(),
        "other.parquet",
        &["staff.leave_base_monthly"],
        &[&[0.0072], &[0.008]],
    );
    let o = with(&other);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("pass --force"), "{}", stderr(&o));
    assert!(stderr(&o).contains("parameter sets"), "{}", stderr(&o));
    let o = run(&tiny, &out, &[os("--replications"), os("2")]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("pass --force"), "{}", stderr(&o));
    // The same sets again: the same run.
    let o = with(&file);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bad_files_and_refused_values_are_named() {
    let dir = TempDir::new().unwrap();
    let (tiny, _) = scenarios(dir.path());
    let out = dir.path().join("out");
    let refuse = |f: &Path, expected: &str| {
        let o = run(&tiny, &out, &[os("--parameter-sets"), f.as_os_str()]);
        assert!(!o.status.success(), "{expected}");
        let e = stderr(&o);
        assert!(e.contains(expected), "{e}\nexpected: {expected}");
        assert!(!e.contains("panicked"), "{e}");
    };
    refuse(
        &dir.path().join("missing.parquet"),
        "missing.parquet: file not found",
    );
    let typo = sets(
        dir.path(),
        "typo.parquet",
        &["staff.leave_base_monthy"],
        &[&[0.1]],
    );
    refuse(&typo, "did you mean `staff.leave_base_monthly`?");
    let empty = sets(
        dir.path(),
        "empty.parquet",
        &["staff.leave_base_monthly"],
        &[],
    );
    refuse(&empty, "empty.parquet: no rows");
    let nan = sets(
        dir.path(),
        "nan.parquet",
        &["staff.leave_base_monthly"],
        &[&[0.1], &[f64::NAN]],
    );
    refuse(&nan, "set 1: `staff.leave_base_monthly` is NaN");
    let range = sets(
        dir.path(),
        "range.parquet",
        &["oversight.punitiveness"],
        &[&[0.5], &[1.5]],
    );
    refuse(
        &range,
        "range.parquet: set 1) oversight.punitiveness = 1.5 is out of range",
    );
    let text = dir.path().join("text.parquet");
    std::fs::write(&text, "set,staff.leave_base_monthly\n0,0.1\n").unwrap();
    refuse(&text, "not a readable parquet file");
    assert!(!out.join("manifest.json").exists());
}

/// Reads a column of floats (nulls as NaN).
fn f64s(df: &DataFrame, name: &str) -> Vec<f64> {
    df.column(name)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn a_comparison_pairs_the_same_set_and_streams_and_counts_the_worlds() {
    let dir = TempDir::new().unwrap();
    let (tiny, supportive) = scenarios(dir.path());
    let file = leaving_sets(dir.path());
    let out = dir.path().join("cmp");
    let o = trustsim(&[
        os("compare"),
        tiny.as_os_str(),
        supportive.as_os_str(),
        os("--replications"),
        os("6"),
        os("--quiet"),
        os("--no-charts"),
        os("--parameter-sets"),
        file.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for expected in [
        "replication i of every variant uses parameter set i mod 3",
        "95 % of worlds",
        "P(better)",
        "by parameter set",
        "of 3 plausible worlds supportive",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    // Replication i of both variants used set i mod 3.
    let a = replications(&out.join("tiny"));
    let b = replications(&out.join("supportive"));
    let sets_of = |v: &[ReplicationMetrics]| v.iter().map(|m| m.parameter_set).collect::<Vec<_>>();
    assert_eq!(sets_of(&a), sets_of(&b));
    assert_eq!(sets_of(&a), [0, 1, 2, 0, 1, 2].map(Some));
    // The new columns, consistent with the paired differences.
    let df = ParquetReader::new(std::fs::File::open(out.join("comparison.parquet")).unwrap())
        .finish()
        .unwrap();
    let outcome = df.column("outcome").unwrap().str().unwrap().clone();
    let scope = df.column("scope").unwrap().cast(&DataType::String).unwrap();
    let scope = scope.str().unwrap().clone();
    let share = f64s(&df, "share_better");
    let (low, high) = (f64s(&df, "world_low"), f64s(&df, "world_high"));
    let mean = f64s(&df, "mean_difference");
    let m = df.column("parameter_sets").unwrap().u32().unwrap().clone();
    let better_sets = df.column("sets_better").unwrap().u32().unwrap().clone();
    assert!(df.column("set_means").is_ok());
    for i in 0..df.height() {
        if scope.get(i) != Some("whole_run") {
            continue;
        }
        let key = outcome.get(i).unwrap();
        let def = metric(key).unwrap();
        let d: Vec<f64> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| y.whole_run.get(key) - x.whole_run.get(key))
            .collect();
        let better = d.iter().filter(|x| def.improves(**x)).count() as f64 / d.len() as f64;
        assert!((0.0..=1.0).contains(&share[i]), "{key}");
        assert!(
            (share[i] - better).abs() < 1e-12,
            "{key}: {} vs {better}",
            share[i]
        );
        assert!(low[i] <= mean[i] && mean[i] <= high[i], "{key}");
        assert_eq!(m.get(i), Some(3), "{key}");
        assert!(better_sets.get(i).unwrap() <= 3);
    }
    // The report says it in plain words.
    let o = trustsim(&[os("report"), out.as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("of 3 plausible worlds supportive"), "report");
    assert!(html.contains("same world, same chance, different policy"));
}

#[test]
fn a_set_giving_a_parameter_the_variants_differ_in_is_refused() {
    let dir = TempDir::new().unwrap();
    let (tiny, supportive) = scenarios(dir.path());
    let file = sets(
        dir.path(),
        "policy.parquet",
        &["oversight.punitiveness", "staff.leave_base_monthly"],
        &[&[0.5, 0.0072]],
    );
    let o = trustsim(&[
        os("compare"),
        tiny.as_os_str(),
        supportive.as_os_str(),
        os("--quiet"),
        os("--parameter-sets"),
        file.as_os_str(),
        os("--out"),
        dir.path().join("cmp").as_os_str(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o)
            .contains("the variants differ in `oversight.punitiveness`, which the sets also give"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_sweep_runs_each_point_in_every_world_and_refuses_a_swept_key() {
    let dir = TempDir::new().unwrap();
    scenarios(dir.path());
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        "[sweep]\nbase = \"tiny.toml\"\ndesign = \"grid\"\nreplications = 3\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.9]\n",
    )
    .unwrap();
    let file = leaving_sets(dir.path());
    let out = dir.path().join("sw");
    let o = trustsim(&[
        os("sweep"),
        sweep.as_os_str(),
        os("--quiet"),
        os("--parameter-sets"),
        file.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let record = trustsim::sweep::store::read_record(&out).unwrap();
    assert_eq!(record.parameter_sets.unwrap().sets, 3);
    let part = trustsim::sweep::store::part_path(&out, 1);
    let df = ParquetReader::new(std::fs::File::open(part).unwrap())
        .finish()
        .unwrap();
    let s: Vec<Option<u32>> = df
        .column("parameter_set")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(s, [Some(0), Some(1), Some(2)]);
    let rate = f64s(&df, "leaver_rate_annual");
    assert!(rate[1] > 2.0 * rate[0].max(rate[2]), "{rate:?}");
    // Rerunning with other sets is another sweep.
    let other = sets(
        dir.path(),
        "other.parquet",
        &["staff.leave_base_monthly"],
        &[&[0.007]],
    );
    let o = trustsim(&[
        os("sweep"),
        sweep.as_os_str(),
        os("--quiet"),
        os("--parameter-sets"),
        other.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("holds a different sweep"),
        "{}",
        stderr(&o)
    );
    // A set may not give the swept parameter.
    let swept = sets(
        dir.path(),
        "swept.parquet",
        &["oversight.punitiveness"],
        &[&[0.5]],
    );
    let o = trustsim(&[
        os("sweep"),
        sweep.as_os_str(),
        os("--parameter-sets"),
        swept.as_os_str(),
        os("--out"),
        dir.path().join("sw2").as_os_str(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(
            "the sweep varies `oversight.punitiveness`, which the parameter sets also give"
        ),
        "{}",
        stderr(&o)
    );
    // The SLURM scripts pass the sets on to every array task.
    let o = trustsim(&[
        os("slurm"),
        sweep.as_os_str(),
        os("--shards"),
        os("2"),
        os("--parameter-sets"),
        file.as_os_str(),
        os("--out"),
        dir.path().join("sw3").as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = std::fs::read_to_string(dir.path().join("sw3/slurm/run-shards.sbatch")).unwrap();
    assert!(
        script.contains(&format!("--parameter-sets '{}'", file.display())),
        "{script}"
    );
}

#[test]
fn a_branched_comparison_with_sets_gives_each_variant_its_separate_run() {
    let dir = TempDir::new().unwrap();
    let (tiny, _) = scenarios(dir.path());
    let policy = dir.path().join("from12.toml");
    std::fs::write(
        &policy,
        "extends = \"tiny.toml\"\n[run]\nname = \"from12\"\n[[changes]]\nmonth = 12\nset = { \"oversight.punitiveness\" = 0.2 }\n",
    )
    .unwrap();
    let file = leaving_sets(dir.path());
    let out = dir.path().join("cmp");
    let o = trustsim(&[
        os("compare"),
        tiny.as_os_str(),
        policy.as_os_str(),
        os("--replications"),
        os("4"),
        os("--quiet"),
        os("--no-charts"),
        os("--parameter-sets"),
        file.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("share their history up to reported month 11"),
        "{}",
        stdout(&o)
    );
    // The variant continued from each world's shared history is byte for
    // byte its own run with the same sets.
    let alone = dir.path().join("alone");
    let o = run(
        &policy,
        &alone,
        &[
            os("--replications"),
            os("4"),
            os("--parameter-sets"),
            file.as_os_str(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "trust_months.parquet",
        "replications.parquet",
        "summary.parquet",
    ] {
        assert_eq!(
            std::fs::read(alone.join(f)).unwrap(),
            std::fs::read(out.join("from12").join(f)).unwrap(),
            "{f}"
        );
    }
}
