//! `trustsim sweep` and `trustsim merge` end to end: resuming, sharding and
//! merging.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A 2 x 2 grid on the quick scenario, 2 replications per point.
fn sweep_file(dir: &Path) -> PathBuf {
    let path = dir.join("grid.toml");
    let text = format!(
        "[sweep]\nname = \"grid\"\nbase = {:?}\ndesign = \"grid\"\nreplications = 2\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.8]\n\"development.budget_share_of_paybill\" = [0.0, 0.003]\n",
        scenario("quick.toml").display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn trustsim(args: &[&str]) -> (bool, String, String) {
    let o = cargo_bin_cmd!("trustsim").args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = trustsim(&args);
    assert!(ok, "{stderr}");
    stdout
}

fn merged(out: &Path) -> Vec<u8> {
    let (ok, _, stderr) = trustsim(&["merge", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    std::fs::read(out.join("sweep.parquet")).unwrap()
}

#[test]
fn a_sweep_resumes_without_redoing_work() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path());
    let out = dir.path().join("out");
    let first = sweep(&file, &out, &[]);
    assert!(
        first.contains("4 of 4 units to run (0 already done) x 2 replications = 8 runs; estimated"),
        "{first}"
    );
    let part = out.join("data/point=2/part.parquet");
    let before = std::fs::metadata(&part).unwrap().modified().unwrap();
    let again = sweep(&file, &out, &[]);
    assert!(again.contains("all 4 units already done"), "{again}");
    assert_eq!(
        std::fs::metadata(&part).unwrap().modified().unwrap(),
        before
    );
    let whole = merged(&out);

    // Losing a part reruns exactly that unit, with the same result.
    std::fs::remove_file(&part).unwrap();
    let resumed = sweep(&file, &out, &[]);
    assert!(
        resumed.contains("1 of 4 units to run (3 already done)"),
        "{resumed}"
    );
    assert_eq!(merged(&out), whole);
    let ledger = std::fs::read_to_string(out.join("ledger/shard-0-of-1.log")).unwrap();
    assert_eq!(
        ledger
            .lines()
            .filter(|l| l.split_whitespace().next() == Some("2"))
            .count(),
        2
    );
}

#[test]
fn shards_merge_to_the_unsharded_result() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path());
    let whole = dir.path().join("whole");
    sweep(&file, &whole, &[]);
    let sharded = dir.path().join("sharded");
    let s1 = sweep(&file, &sharded, &["--shard", "1/3"]);
    assert!(s1.contains("(shard 1/3): 1 of 1 units to run"), "{s1}");

    // Merging before every shard finished names what is missing.
    let (ok, _, stderr) = trustsim(&["merge", sharded.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: 1 of 4 units are done; missing units: 0,2-3; rerun shards --array=0,2 of 3"
    );

    sweep(&file, &sharded, &["--shard", "0/3"]);
    sweep(&file, &sharded, &["--shard", "2/3"]);
    assert_eq!(merged(&sharded), merged(&whole));
    let df = polars::prelude::ParquetReader::new(
        std::fs::File::open(whole.join("sweep.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    use polars::prelude::SerReader;
    assert_eq!(df.height(), 8);
    // SQL-friendly parameter columns: no dots to quote.
    assert!(df.column("oversight__punitiveness").is_ok() && df.column("engagement_mean").is_ok());
}

#[test]
fn a_folder_of_another_sweep_is_refused() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path());
    let out = dir.path().join("out");
    sweep(&file, &out, &["--shard", "0/4"]);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("replications = 2", "replications = 3");
    std::fs::write(&file, text).unwrap();
    let (ok, _, stderr) = trustsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(stderr.contains("holds a different sweep"), "{stderr}");
}

#[test]
fn the_bundled_sweep_file_loads() {
    let s = trustsim::sweep::Sweep::load(&scenario("sweep_budget_x_style.toml")).unwrap();
    assert_eq!(s.units(), 12);
}
