//! Interruption loses nothing: Ctrl-C during a run leaves no result file that
//! looks complete and a manifest that says so; a sweep killed with SIGKILL at
//! arbitrary moments resumes to exactly the uninterrupted result; a run that
//! cannot fit on the disk is refused before it starts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

fn spawn(args: &[&str]) -> Child {
    Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn ctrl_c_during_a_run_keeps_finished_batches_and_rerunning_resumes() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    let quick = scenario("quick.toml");
    let args = [
        "run",
        quick.as_str(),
        "--replications",
        "160",
        "--quiet",
        "--no-charts",
        "--out",
        o,
    ];
    let child = spawn(&args);
    // Interrupt once a first replication is kept.
    let kept_one = |out: &Path| {
        std::fs::read_dir(out.join(".batches")).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".batch"))
        })
    };
    let start = Instant::now();
    while !kept_one(&out) && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&child, libc::SIGINT);
    let o1 = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o1.stderr);
    if o1.status.success() {
        // The machine finished all batches before the signal landed; nothing
        // to check about interruption in that case.
        return;
    }
    assert_eq!(o1.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("error: interrupted: stopped after")
            && stderr.contains("of 160 replications"),
        "{stderr}"
    );
    assert_eq!(
        names(&out),
        [".batches", ".lock", "manifest.json"],
        "no result table may look complete"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["complete"], false);
    let kept = std::fs::read_dir(out.join(".batches")).unwrap().count();
    assert!(kept >= 1, "a finished replication (one file) is kept");

    // Rerunning resumes and gives exactly the uninterrupted result.
    let resumed = Command::new(bin()).args(args).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(!out.join(".batches").exists());
    let whole = dir.path().join("whole");
    let w = whole.to_str().unwrap();
    let args2 = [
        "run",
        quick.as_str(),
        "--replications",
        "160",
        "--quiet",
        "--no-charts",
        "--out",
        w,
    ];
    assert!(
        Command::new(bin())
            .args(args2)
            .output()
            .unwrap()
            .status
            .success()
    );
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
}

fn sweep_file(dir: &Path) -> PathBuf {
    let path = dir.join("grid.toml");
    std::fs::write(
        &path,
        format!(
            "[sweep]\nname = \"grid\"\nbase = {:?}\ndesign = \"grid\"\nreplications = 3\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.1, 0.3, 0.5, 0.7]\n\"staff.leader_weight\" = [0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]\n",
            scenario("quick.toml")
        ),
    )
    .unwrap();
    path
}

fn merged(out: &Path) -> Vec<u8> {
    let s = Command::new(bin())
        .args(["merge", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    std::fs::read(out.join("sweep.parquet")).unwrap()
}

#[test]
fn a_sweep_killed_at_arbitrary_moments_resumes_to_the_same_result() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path());
    let f = file.to_str().unwrap();
    let whole = dir.path().join("whole");
    let s = Command::new(bin())
        .args(["sweep", f, "--quiet", "--out", whole.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(s.status.success());
    let expected = merged(&whole);

    let out = dir.path().join("killed");
    let o = out.to_str().unwrap();
    let mut kills = 0;
    // Delays grow so that each attempt gets further; a fixed sequence keeps
    // the test repeatable while landing at different points of the work.
    for delay_ms in [
        40u64, 90, 130, 170, 230, 300, 400, 600, 900, 1400, 2000, 4000,
    ] {
        let child = spawn(&["sweep", f, "--quiet", "--out", o]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        signal(&child, libc::SIGKILL);
        let status = child.wait_with_output().unwrap().status;
        if status.success() {
            break;
        }
        kills += 1;
        // Whatever was left: finished parts are whole parquet files, and any
        // unfinished one is only a hidden `.partial`.
        for entry in walk(&out.join("data")) {
            let name = entry.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name == "part.parquet" || name.ends_with(".partial"),
                "stray file {name}"
            );
        }
    }
    assert!(
        kills >= 3,
        "the sweep finished before it could be killed often enough ({kills})"
    );
    let s = Command::new(bin())
        .args(["sweep", f, "--quiet", "--out", o])
        .output()
        .unwrap();
    assert!(s.status.success());
    assert_eq!(
        merged(&out),
        expected,
        "resumed sweep differs from the uninterrupted one"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p))
            } else {
                out.push(p)
            }
        }
    }
    out
}

#[test]
fn a_run_that_cannot_fit_on_the_disk_is_refused_unless_forced() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("huge");
    let o = Command::new(bin())
        .args([
            "run",
            &scenario("baseline.toml"),
            "--replications",
            "100000",
            "--months",
            "1200",
            "--yes",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the run needs about 6994.8 GB in") && stderr.contains("pass --force"),
        "{stderr}"
    );
    assert!(!out.exists(), "a refused run must not create its folder");
}
