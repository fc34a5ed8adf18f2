//! Integrity: nothing corrupted, foreign or half-cleaned is ever
//! used, nothing that is not trustsim's is ever deleted, every input is
//! bounded. Each test reproduces one of ten failures exactly as
//! it was found, and checks what must happen instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
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

fn trustsim(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

/// As [`trustsim`], stopping the process as a kill would at its `point`-th
/// file renamed or removed (`TRUSTSIM_FAILPOINT`).
fn killed_at(point: u32, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("TRUSTSIM_FAILPOINT", point.to_string())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// Fails with exit code 1 and a message (never a panic, exit 101, or a
/// signal); returns the message.
fn refused(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {e}");
    assert!(!e.contains("panicked"), "{e}");
    e
}

/// A quick run of `reps` replications of a small world into `out`.
fn quick(out: &Path, reps: u32, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "run",
        &scenario("quick.toml"),
        "--replications",
        &reps.to_string(),
        "--months",
        "24",
        "--threads",
        "1",
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

const TABLES: [&str; 7] = [
    "trust_months.parquet",
    "ceo_spells.parquet",
    "exec_spells.parquet",
    "inspections.parquet",
    "trusts.parquet",
    "replications.parquet",
    "summary.parquet",
];

fn same_tables(a: &Path, b: &Path) {
    for t in TABLES {
        assert!(
            std::fs::read(a.join(t)).unwrap() == std::fs::read(b.join(t)).unwrap(),
            "{t} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn batch(dir: &Path, r: u32) -> PathBuf {
    dir.join(".batches").join(format!("rep-{r:06}.batch"))
}

fn flip_middle(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x10;
    std::fs::write(path, b).unwrap();
}

/// An interrupted run: killed after its manifest and its first `kept`
/// replications (one thread, so they finish in order).
fn interrupted(out: &Path, reps: u32, kept: u32, extra: &[&str]) {
    let o = killed_at(1 + kept, &args(&quick(out, reps, extra)));
    assert!(!o.status.success());
    for r in 0..reps {
        assert_eq!(batch(out, r).exists(), r < kept, "replication {r}");
    }
}

/// Regression: resume silently used corrupted or foreign batch
/// files, so `trust_months` contradicted `summary`.
#[test]
fn a_flipped_foreign_or_swapped_kept_replication_is_simulated_again_never_used() {
    let tmp = TempDir::new().unwrap();
    let clean = tmp.path().join("clean");
    ok(&trustsim(&args(&quick(&clean, 6, &[]))));

    // A flipped byte in the middle of a kept replication.
    let a = tmp.path().join("flipped");
    interrupted(&a, 6, 4, &[]);
    flip_middle(&batch(&a, 1));
    let o = trustsim(&args(&quick(&a, 6, &[])));
    ok(&o);
    assert!(
        stderr(&o).contains("the kept results of replication 1 cannot be used"),
        "{}",
        stderr(&o)
    );
    same_tables(&a, &clean);

    // A kept replication copied from a run of another scenario.
    let other = tmp.path().join("other");
    interrupted(&other, 6, 3, &["--set", "oversight.punitiveness=0.2"]);
    let b = tmp.path().join("foreign");
    interrupted(&b, 6, 3, &[]);
    std::fs::copy(batch(&other, 2), batch(&b, 2)).unwrap();
    let o = trustsim(&args(&quick(&b, 6, &[])));
    ok(&o);
    assert!(
        stderr(&o).contains("belongs to another run"),
        "{}",
        stderr(&o)
    );
    same_tables(&b, &clean);

    // Two replications' files swapped.
    let c = tmp.path().join("swapped");
    interrupted(&c, 6, 3, &[]);
    let (x, y) = (batch(&c, 0), batch(&c, 2));
    let tmpf = c.join("swap");
    std::fs::rename(&x, &tmpf).unwrap();
    std::fs::rename(&y, &x).unwrap();
    std::fs::rename(&tmpf, &y).unwrap();
    let o = trustsim(&args(&quick(&c, 6, &[])));
    ok(&o);
    assert!(
        stderr(&o).contains("it holds replication 2"),
        "{}",
        stderr(&o)
    );
    same_tables(&c, &clean);
    let v = trustsim(&["validate", c.to_str().unwrap()]);
    ok(&v);
}

/// Regression: a kill during the clean-up of `.batches` could
/// leave a folder that no command could finish. The run is killed at every
/// file it renames or removes, in turn; each time the same command, and
/// `--force`, complete it to the uninterrupted result.
#[test]
fn a_kill_at_any_step_leaves_a_folder_the_same_command_or_force_completes() {
    let tmp = TempDir::new().unwrap();
    let clean = tmp.path().join("clean");
    ok(&trustsim(&args(&quick(&clean, 3, &["--csv"]))));
    let mut point = 1;
    loop {
        let dir = tmp.path().join(format!("kill-{point}"));
        let o = killed_at(point, &args(&quick(&dir, 3, &["--csv"])));
        if o.status.success() {
            break; // fewer points than `point`: every one has been tried
        }
        assert_eq!(o.status.code(), None, "killed by a signal: {}", stderr(&o));
        let copy = tmp.path().join(format!("kill-{point}-force"));
        copy_dir(&dir, &copy);
        // `validate` never advises a command that cannot work.
        let v = trustsim(&["validate", dir.to_str().unwrap()]);
        if !v.status.success() {
            let e = refused(&v);
            assert!(
                e.contains("run the same `trustsim run` command again"),
                "{e}"
            );
        }
        ok(&trustsim(&args(&quick(&dir, 3, &["--csv"]))));
        same_tables(&dir, &clean);
        ok(&trustsim(&args(&quick(&copy, 3, &["--csv", "--force"]))));
        same_tables(&copy, &clean);
        for d in [&dir, &copy] {
            assert!(!d.join(".batches").exists(), "{}", d.display());
        }
        point += 1;
    }
    assert!(point > 10, "only {point} points were passed");

    // The deterministic reproduction: one kept replication deleted.
    let d = tmp.path().join("deleted");
    interrupted(&d, 3, 2, &[]);
    std::fs::remove_file(batch(&d, 1)).unwrap();
    ok(&trustsim(&args(&quick(&d, 3, &["--csv"]))));
    same_tables(&d, &clean);
}

/// Regression: a comparison stopped after some of its variants had
/// finished simulated those variants again when resumed (their folders held
/// a finished run of the same scenario, which a run replaces), so finished
/// work was lost. Killed at every file it renames or removes in turn, the
/// same command completes it to the uninterrupted result, and a variant
/// that had finished keeps its files as they were (the same inodes: not
/// written again).
#[test]
fn a_resumed_comparison_never_simulates_a_finished_variant_again() {
    resumed_comparison_keeps_finished_variants("1", 5);
}

/// As above with the variants closing side by side (two threads): a kill
/// can fall while both are closing, and each is resumed or taken as it is
/// on its own.
#[test]
fn a_comparison_killed_while_its_variants_close_side_by_side_resumes_to_the_same_files() {
    resumed_comparison_keeps_finished_variants("2", 1);
}

/// The comparison on `threads` threads killed at every point in turn;
/// at least `after_a_finish` of the kills fall after a variant finished.
fn resumed_comparison_keeps_finished_variants(threads: &str, after_a_finish: u32) {
    use std::os::unix::fs::MetadataExt;
    let tmp = TempDir::new().unwrap();
    let policy = policy_toml(tmp.path());
    let cmd = |out: &Path| {
        let mut v = quick_compare(out, &policy, 2, &["--no-charts"]);
        let at = v
            .iter()
            .position(|a| a == "--threads")
            .expect("a thread count");
        v[at + 1] = threads.to_string();
        v
    };
    let clean = tmp.path().join("clean");
    ok(&trustsim(&args(&cmd(&clean))));
    let variants = ["quick", "policy"];
    let (mut point, mut kills_after_a_finish) = (1, 0);
    loop {
        let dir = tmp.path().join(format!("kill-{point}"));
        let o = killed_at(point, &args(&cmd(&dir)));
        if o.status.success() {
            break; // fewer points than `point`: every one has been tried
        }
        assert_eq!(o.status.code(), None, "killed by a signal: {}", stderr(&o));
        // The tables of the variants that had finished, with their inodes
        // (unless the comparison itself had: the same command then runs it
        // again, as it does a finished run).
        let complete = |d: &Path, file: &str| {
            std::fs::read_to_string(d.join(file)).is_ok_and(|m| m.contains("\"complete\": true"))
        };
        let finished: Vec<(PathBuf, u64)> = variants
            .iter()
            .map(|v| dir.join(v))
            .filter(|d| complete(d, "manifest.json") && !complete(&dir, "comparison.json"))
            .flat_map(|d| TABLES.map(|t| d.join(t)))
            .map(|p| {
                let ino = std::fs::metadata(&p).unwrap().ino();
                (p, ino)
            })
            .collect();
        kills_after_a_finish += u32::from(!finished.is_empty());
        let o = trustsim(&args(&cmd(&dir)));
        ok(&o);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            stdout.contains("(finished before an interruption, taken as it was)"),
            !finished.is_empty(),
            "point {point}: {stdout}"
        );
        for v in variants {
            same_tables(&dir.join(v), &clean.join(v));
            assert!(!dir.join(v).join(".batches").exists(), "point {point}: {v}");
        }
        assert!(
            std::fs::read(dir.join("comparison.parquet")).unwrap()
                == std::fs::read(clean.join("comparison.parquet")).unwrap(),
            "point {point}"
        );
        for (p, ino) in finished {
            assert_eq!(
                std::fs::metadata(&p).unwrap().ino(),
                ino,
                "point {point}: {} was written again",
                p.display()
            );
        }
        point += 1;
    }
    assert!(
        kills_after_a_finish >= after_a_finish,
        "only {kills_after_a_finish} of {point} kills came after a variant had finished"
    );
}

/// Regression: a run killed while drawing its charts (its manifest listing
/// the tables it had written, the charts pending) could not be resumed,
/// even with `--force`: the tables counted as not trustsim's. Killed at
/// every file it renames or removes in turn, with charts, the same command
/// completes it to the uninterrupted result.
#[test]
fn a_kill_while_drawing_charts_leaves_a_folder_the_same_command_completes() {
    let tmp = TempDir::new().unwrap();
    // The quick run with its charts.
    let run = |out: &Path| -> Vec<String> {
        quick(out, 1, &[])
            .into_iter()
            .filter(|a| a != "--no-charts")
            .collect()
    };
    let clean = tmp.path().join("clean");
    ok(&trustsim(&args(&run(&clean))));
    let (mut point, mut while_drawing) = (1, 0);
    loop {
        let dir = tmp.path().join(format!("kill-{point}"));
        let o = killed_at(point, &args(&run(&dir)));
        if o.status.success() {
            break;
        }
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
        while_drawing += u32::from(
            manifest.contains("\"complete\": false") && manifest.contains("trust_months.parquet"),
        );
        ok(&trustsim(&args(&run(&dir))));
        same_tables(&dir, &clean);
        let m = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        assert!(m.contains("\"complete\": true"), "point {point}");
        point += 1;
    }
    assert!(
        while_drawing >= 5,
        "only {while_drawing} of {point} kills came while drawing charts"
    );
}

/// Regression: a refusal could come after something was changed. A
/// comparison refused by an edited table in a variant's folder had already
/// marked itself unfinished (so `report` and `plot` refused it), `--force`
/// on a run folder with a damaged manifest deleted the manifest and then
/// refused, and a comparison run again without charts left the old charts
/// unrecorded, so the next run with charts refused. Each refusal now
/// leaves every file as it was, and replaced charts go.
#[test]
fn a_refused_command_changes_nothing_and_replaced_charts_go() {
    let tmp = TempDir::new().unwrap();
    let policy = policy_toml(tmp.path());
    let compare =
        |out: &Path, extra: &[&str]| trustsim(&args(&quick_compare(out, &policy, 1, extra)));
    // Every file but the locks, with its bytes.
    let snapshot = |d: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut v = Vec::new();
        let mut stack = vec![d.to_path_buf()];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().unwrap() != ".lock" {
                    let bytes = std::fs::read(&path).unwrap();
                    v.push((path, bytes));
                }
            }
        }
        v.sort();
        v
    };

    // A comparison whose variant's table was edited.
    let cmp = tmp.path().join("cmp");
    ok(&compare(&cmp, &["--no-charts"]));
    flip_middle(&cmp.join("quick").join("summary.parquet"));
    let before = snapshot(&cmp);
    for extra in [&["--no-charts"][..], &["--no-charts", "--force"]] {
        let e = refused(&compare(&cmp, extra));
        assert!(e.contains("summary.parquet (changed since"), "{e}");
        assert!(snapshot(&cmp) == before, "{extra:?} changed the folder");
    }

    // A run folder whose manifest was damaged.
    let r = tmp.path().join("run");
    ok(&trustsim(&args(&quick(&r, 1, &[]))));
    flip_middle(&r.join("manifest.json"));
    let before = snapshot(&r);
    refused(&trustsim(&args(&quick(&r, 1, &["--force"]))));
    assert!(snapshot(&r) == before, "--force changed the folder");

    // Charts, then none, then charts again.
    let ch = tmp.path().join("charts");
    ok(&compare(&ch, &[]));
    assert!(std::fs::read_dir(ch.join("charts")).unwrap().count() > 0);
    ok(&compare(&ch, &["--no-charts"]));
    assert!(!ch.join("charts").exists(), "the replaced charts are left");
    ok(&compare(&ch, &[]));
}

/// A variant of the quick scenario (`policy`, less punitive oversight)
/// written into `dir`; its path.
fn policy_toml(dir: &Path) -> String {
    write(
        dir,
        "policy.toml",
        &format!(
            "extends = {:?}\n[run]\nname = \"policy\"\n[oversight]\npunitiveness = 0.3\n",
            scenario("quick.toml")
        ),
    )
}

/// A comparison of the quick scenario with `policy` over 12 months, one
/// thread, into `out`.
fn quick_compare(out: &Path, policy: &str, reps: u32, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "compare",
        &scenario("quick.toml"),
        policy,
        "--replications",
        &reps.to_string(),
        "--months",
        "12",
        "--threads",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Regression: `--force` and reruns deleted files trustsim did not
/// write, including through a symbolic link out of the run folder.
#[test]
fn force_and_reruns_delete_only_what_trustsim_wrote_and_never_through_a_link() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("run");
    ok(&trustsim(&args(&quick(&out, 2, &[]))));
    std::fs::create_dir_all(out.join("charts")).unwrap();
    std::fs::create_dir_all(out.join(".batches")).unwrap();
    std::fs::write(out.join("charts/my.png"), b"mine").unwrap();
    std::fs::write(out.join(".batches/keep.txt"), b"mine").unwrap();
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    ok(&trustsim(&args(&quick(
        &out,
        2,
        &["--force", "--set", "oversight.punitiveness=0.3"],
    ))));
    for f in ["charts/my.png", ".batches/keep.txt", "notes.txt"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), b"mine", "{f}");
    }

    // `charts` a link to another folder: refused, nothing there touched.
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::write(photos.join("fan_engagement.png"), b"a photo").unwrap();
    let linked = tmp.path().join("linked");
    let with_charts: Vec<String> = quick(&linked, 2, &[])
        .into_iter()
        .filter(|a| a != "--no-charts")
        .collect();
    ok(&trustsim(&args(&with_charts)));
    std::fs::remove_dir_all(linked.join("charts")).unwrap();
    std::os::unix::fs::symlink(&photos, linked.join("charts")).unwrap();
    for extra in [vec![], vec!["--force".to_string()]] {
        let mut a = with_charts.clone();
        a.extend(extra);
        let e = refused(&trustsim(&args(&a)));
        assert!(e.contains("charts (a symbolic link)"), "{e}");
        assert_eq!(
            std::fs::read(photos.join("fan_engagement.png")).unwrap(),
            b"a photo"
        );
    }

    // A file of the user's where a run must write: named, kept.
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("summary.parquet"), b"my own summary").unwrap();
    let e = refused(&trustsim(&args(&quick(&mine, 2, &["--force"]))));
    assert!(
        e.contains("summary.parquet (not written by trustsim"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(mine.join("summary.parquet")).unwrap(),
        b"my own summary"
    );

    // A result edited after trustsim wrote it is not deleted either.
    std::fs::write(out.join("summary.csv"), b"x").unwrap();
    let edited = out.join("replications.parquet");
    flip_middle(&edited);
    let e = refused(&trustsim(&args(&quick(&out, 2, &["--force"]))));
    assert!(
        e.contains("replications.parquet (changed since trustsim wrote it)"),
        "{e}"
    );
    assert!(edited.exists());
    // Refused before anything was removed: the results the manifest still
    // vouches for stay, with the manifest.
    for t in TABLES.iter().chain(&["manifest.json"]) {
        assert!(out.join(t).exists(), "{t}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn base_toml(dir: &Path) {
    write(
        dir,
        "base.toml",
        &format!("extends = {:?}\n", scenario("quick.toml")),
    );
}

/// Refused with exit 1 within `seconds`; returns the message.
fn refused_within(seconds: u64, args: &[&str]) -> String {
    let start = Instant::now();
    let o = trustsim(args);
    assert!(
        start.elapsed() < Duration::from_secs(seconds),
        "{args:?} took {:?}",
        start.elapsed()
    );
    refused(&o)
}

/// Regression: huge designs aborted, panicked or hung before they
/// were refused.
#[test]
fn huge_designs_samples_and_resamples_are_refused_before_allocation() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    base_toml(d);
    let out = d.join("out");
    let o = out.to_str().unwrap();
    for points in ["1000000000", "18446744073709551615", "1000000"] {
        let f = write(
            d,
            "s.toml",
            &format!(
                "[sweep]\nbase = \"base.toml\"\ndesign = \"lhs\"\npoints = {points}\n[sweep.parameters]\n\"oversight.punitiveness\" = {{ min = 0.2, max = 0.9 }}\n"
            ),
        );
        let e = refused_within(10, &["sweep", &f, "--out", o, "--yes"]);
        assert!(
            e.contains("sweep.points") || e.contains("points"),
            "{points}: {e}"
        );
    }
    let f = write(
        d,
        "g.toml",
        "[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\n[sweep.parameters]\n\"oversight.punitiveness\" = { min = 0.2, max = 0.9, levels = 1000 }\n\"staff.peer_weight\" = { min = 0.0, max = 0.2, levels = 1000 }\n",
    );
    let e = refused_within(10, &["sweep", &f, "--out", o, "--yes"]);
    assert!(e.contains("allowed: at most 20000 design points"), "{e}");
    for (samples, extra) in [
        ("1000000000", ""),
        ("18446744073709551615", ""),
        ("100", "bootstrap = 1000000000000\n"),
        ("10", "method = \"morris\"\nlevels = 1000000000000\n"),
    ] {
        let method = if extra.contains("morris") {
            ""
        } else {
            "method = \"sobol\"\n"
        };
        let f = write(
            d,
            "sens.toml",
            &format!(
                "[sensitivity]\nbase = \"base.toml\"\n{method}samples = {samples}\noutputs = [\"engagement\"]\n{extra}[sensitivity.parameters]\n\"oversight.punitiveness\" = {{ min = 0.2, max = 0.9 }}\n"
            ),
        );
        let e = refused_within(10, &["sensitivity", &f, "--out", o, "--yes"]);
        assert!(e.contains("allowed"), "{samples} {extra}: {e}");
    }
}

/// Regression: device files and FIFOs were read without limit or
/// blocked forever.
#[test]
fn devices_fifos_and_stdin_are_refused_at_once() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    let fifo = d.join("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let cases = [
        ("extends = \"/dev/zero\"\n", "character device"),
        (
            &format!("extends = {:?}\n", fifo.display().to_string()) as &str,
            "named pipe (FIFO)",
        ),
        ("extends = \"/dev/stdin\"\n", "not a regular file"),
        (
            "extends = \"quick.toml\"\n[trusts]\nregister = \"/dev/zero\"\n",
            "character device",
        ),
    ];
    std::fs::copy(scenario("quick.toml"), d.join("quick.toml")).unwrap();
    std::fs::copy(scenario("baseline.toml"), d.join("baseline.toml")).unwrap();
    for (text, expect) in cases {
        let f = write(d, "s.toml", text);
        let e = refused_within(10, &["check", &f]);
        assert!(e.contains(expect), "{text}: {e}");
    }
    let e = refused_within(10, &["check", "/dev/zero"]);
    assert!(e.contains("character device"), "{e}");
    let e = refused_within(10, &["check", fifo.to_str().unwrap()]);
    assert!(e.contains("named pipe"), "{e}");
}

/// Regression: a bit-flipped parameter-set file panicked inside
/// the parquet reader or was accepted with changed values.
#[test]
fn a_flipped_parameter_set_file_is_refused_or_unchanged_never_a_panic() {
    use trustsim::output::parameter_sets::{Checksum, ParameterSetsFile};
    let tmp = TempDir::new().unwrap();
    let original = PathBuf::from(scenario("calibration/parameter_sets.parquet"));
    let good = ParameterSetsFile::open(&original).unwrap();
    assert_eq!(good.checksum, Checksum::Verified);
    let bytes = std::fs::read(&original).unwrap();
    let path = tmp.path().join("sets.parquet");
    let (mut refused_n, mut same) = (0, 0);
    for i in (0..bytes.len()).step_by(3) {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        std::fs::write(&path, &b).unwrap();
        match ParameterSetsFile::open(&path) {
            Err(e) => {
                assert!(e.to_string().contains("sets.parquet"), "{e}");
                refused_n += 1;
            }
            Ok(f) => {
                assert_eq!(f.sets, good.sets, "byte {i}: accepted with other values");
                same += 1;
            }
        }
    }
    assert!(refused_n > 0 && refused_n + same > 100);
    // From the command line: an error, exit 1.
    let mut b = bytes.clone();
    let i = b.len() / 2;
    b[i] ^= 0x40;
    std::fs::write(&path, &b).unwrap();
    let out = tmp.path().join("run");
    let mut a = quick(&out, 2, &[]);
    a.extend(["--parameter-sets".into(), path.display().to_string()]);
    let o = trustsim(&args(&a));
    assert_ne!(o.status.code(), Some(101), "{}", stderr(&o));
}

/// Output of `args` with standard output closed after the first line, as
/// `trustsim ... | head -1` leaves it.
fn piped_to_head(args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// Regression: a closed pipe panicked and stopped the work.
#[test]
fn a_closed_pipe_ends_printing_never_the_work() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("run");
    let o = piped_to_head(&args(&quick(&out, 2, &[])));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(m.contains("\"complete\": true"));
    let cmp = tmp.path().join("cmp");
    let policy = policy_toml(tmp.path());
    let o = piped_to_head(&[
        "compare",
        &scenario("quick.toml"),
        &policy,
        "--replications",
        "2",
        "--months",
        "12",
        "--no-charts",
        "--quiet",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(cmp.join("comparison.parquet").exists());
    for a in [
        vec!["columns"],
        vec!["params"],
        vec!["validate", out.to_str().unwrap()],
        vec!["check", &scenario("quick.toml")],
    ] {
        let o = piped_to_head(&a);
        assert_eq!(o.status.code(), Some(0), "{a:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{a:?}");
    }
}

/// Regression: comparison and sweep names were not checked, so
/// `name = ".."` wrote into the current folder.
#[test]
fn names_that_become_paths_are_checked() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    base_toml(d);
    std::fs::copy(scenario("quick.toml"), d.join("quick.toml")).unwrap();
    std::fs::copy(scenario("baseline.toml"), d.join("baseline.toml")).unwrap();
    std::fs::copy(
        scenario("policy_supportive_oversight.toml"),
        d.join("policy.toml"),
    )
    .unwrap();
    for name in ["..", "../escape", "", ".hidden", "a/b"] {
        let f = write(
            d,
            "c.toml",
            &format!("[compare]\nname = {name:?}\nvariants = [\"quick.toml\", \"policy.toml\"]\n"),
        );
        let o = Command::new(bin())
            .current_dir(d)
            .args(["compare", &f, "--replications", "1"])
            .output()
            .unwrap();
        let e = refused(&o);
        assert!(e.contains("compare.name"), "{name:?}: {e}");
        let f = write(
            d,
            "s.toml",
            &format!(
                "[sweep]\nname = {name:?}\nbase = \"base.toml\"\ndesign = \"grid\"\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.3]\n"
            ),
        );
        let o = Command::new(bin())
            .current_dir(d)
            .args(["sweep", &f, "--yes"])
            .output()
            .unwrap();
        let e = refused(&o);
        assert!(e.contains("sweep.name"), "{name:?}: {e}");
    }
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for f in ["comparison.json", ".lock", "output", "sweep.json"] {
        assert!(!left.contains(&f.to_string()), "{f} written: {left:?}");
    }
}

/// Regression: a flipped byte in a final table was read by
/// `validate`, `plot` and `report` as if it were whole.
#[test]
fn a_flipped_final_table_is_an_error_naming_it() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("run");
    ok(&trustsim(&args(&quick(&out, 2, &[]))));
    let o = out.to_str().unwrap();
    for (table, commands) in [
        (
            "summary.parquet",
            vec![vec!["validate", o], vec!["report", o]],
        ),
        (
            "trust_months.parquet",
            vec![vec!["plot", o], vec!["report", o]],
        ),
        ("ceo_spells.parquet", vec![vec!["plot", o]]),
    ] {
        let path = out.join(table);
        let before = std::fs::read(&path).unwrap();
        flip_middle(&path);
        for c in commands {
            let e = refused(&trustsim(&c));
            assert!(e.contains(table) && e.contains("checksum"), "{c:?}: {e}");
        }
        std::fs::write(&path, before).unwrap();
    }
    // The manifest itself is sealed: a changed seed is noticed.
    let m = out.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replacen("\"seed\": 20260101", "\"seed\": 20260181", 1),
    )
    .unwrap();
    let e = refused(&trustsim(&["validate", o]));
    assert!(e.contains("manifest.json") && e.contains("checksum"), "{e}");
}

/// Regression: a register path echoed the first line of any
/// file, a huge register took a minute to refuse, and a parameter-set file
/// of 200,000 sets was checked set by set for a 4-replication run.
#[test]
fn registers_never_echo_a_foreign_file_and_huge_inputs_are_refused_quickly() {
    let tmp = TempDir::new().unwrap();
    let d = tmp.path();
    std::fs::copy(scenario("quick.toml"), d.join("quick.toml")).unwrap();
    std::fs::copy(scenario("baseline.toml"), d.join("baseline.toml")).unwrap();
    write(
        d,
        "shadow",
        "root:$6$SECRETSALT$secrethash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
    );
    let f = write(
        d,
        "s.toml",
        "extends = \"quick.toml\"\n[trusts]\nregister = \"shadow\"\n",
    );
    let e = refused_within(10, &["check", &f]);
    assert!(!e.contains("SECRET") && !e.contains("secret"), "{e}");
    assert!(e.contains("is not a register column"), "{e}");

    let mut big = String::from("code,name,type\n");
    for i in 0..3_000_000u32 {
        big.push_str(&format!("R{i},Trust {i},acute\n"));
    }
    write(d, "big.csv", &big);
    let f = write(
        d,
        "b.toml",
        "extends = \"quick.toml\"\n[trusts]\nregister = \"big.csv\"\n",
    );
    let e = refused_within(10, &["check", &f]);
    assert!(e.contains("allowed"), "{e}");

    // 50,000 sets: a 2-replication run checks the 2 it uses.
    let sets = trustsim::output::parameter_sets::ParameterSets {
        keys: vec!["oversight.punitiveness".into()],
        values: (0..50_000)
            .map(|i| vec![0.2 + 0.5 * f64::from(i) / 5e4])
            .collect(),
    };
    let p = d.join("sets.parquet");
    trustsim::output::parameter_sets::write(&p, &sets, &[]).unwrap();
    let out = d.join("run");
    let mut a = quick(&out, 2, &[]);
    a.extend(["--parameter-sets".into(), p.display().to_string()]);
    let start = Instant::now();
    ok(&trustsim(&args(&a)));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    // 200,000 sets: refused at once.
    let sets = trustsim::output::parameter_sets::ParameterSets {
        keys: vec!["oversight.punitiveness".into()],
        values: vec![vec![0.5]; 200_000],
    };
    trustsim::output::parameter_sets::write(&p, &sets, &[]).unwrap();
    let mut a = quick(&d.join("run2"), 2, &[]);
    a.extend(["--parameter-sets".into(), p.display().to_string()]);
    let start = Instant::now();
    let e = refused(&trustsim(&args(&a)));
    assert!(e.contains("allowed: at most 100000"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// Regression: `--force` left the per-trust report and charts of
/// the previous scenario beside the new results, and `--trust t003` wrote a
/// second report under another name.
#[test]
fn per_trust_reports_and_charts_are_recorded_canonically_and_replaced_by_force() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("run");
    let o = out.to_str().unwrap();
    ok(&trustsim(&args(&quick(&out, 2, &[]))));
    for code in ["t003", "T003"] {
        ok(&trustsim(&["report", o, "--trust", code]));
        ok(&trustsim(&["plot", o, "--trust", code]));
    }
    ok(&trustsim(&["report", o]));
    let reports: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("report"))
        .collect();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(out.join("report-T003.html").exists());
    assert!(out.join("charts/trust-T003/trust_engagement.png").exists());
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"name\": \"report-T003.html\""),
        "recorded"
    );
    ok(&trustsim(&args(&quick(
        &out,
        2,
        &["--force", "--set", "oversight.punitiveness=0.3"],
    ))));
    assert!(!out.join("report-T003.html").exists());
    assert!(!out.join("report.html").exists());
    assert!(!out.join("charts").exists());
}
