//! `trustsim slurm`: the scripts it writes, its errors, and the job array
//! simulated without SLURM (each task's script run by bash with its
//! `SLURM_ARRAY_TASK_ID`), which must merge to the unsharded sweep byte for
//! byte. `.ci/slurm-test.sh` runs the same on a real cluster.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

/// A 3 x 3 grid on the quick scenario, one replication per point: 9 units.
fn sweep_file(dir: &Path) -> PathBuf {
    let quick = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
    let path = dir.join("grid.toml");
    let text = format!(
        "[sweep]\nname = \"slurm-grid\"\nbase = {:?}\ndesign = \"grid\"\nreplications = 1\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.5, 0.8]\n\"development.budget_share_of_paybill\" = [0.0, 0.0015, 0.003]\n",
        quick.display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A folder whose name needs quoting in a shell and in an sbatch directive.
fn awkward_dir(tmp: &TempDir) -> PathBuf {
    let d = tmp.path().join("it's a run %x");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn trustsim_in(cwd: &Path, args: &[&str]) -> (bool, String, String) {
    let o = cargo_bin_cmd!("trustsim")
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn q(p: &Path) -> String {
    format!("'{}'", p.to_str().unwrap().replace('\'', r"'\''"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn executable(p: &Path) -> bool {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o111 == 0o111
}

#[test]
fn the_scripts_hold_the_array_resources_and_absolute_quoted_paths() {
    let tmp = TempDir::new().unwrap();
    let dir = awkward_dir(&tmp);
    sweep_file(&dir);
    // Relative paths, resolved against the current folder.
    let (ok, stdout, stderr) = trustsim_in(
        &dir,
        &[
            "slurm",
            "grid.toml",
            "--shards",
            "8",
            "--cpus-per-task",
            "2",
            "--time",
            "00:30:00",
            "--partition",
            "short",
            "--mem",
            "900",
            "--max-running",
            "3",
            "--out",
            "out",
        ],
    );
    assert!(ok, "{stderr}");
    let out = dir.join("out");
    let scripts = out.join("slurm");
    let run = scripts.join("run-shards.sbatch");
    let merge = scripts.join("merge.sbatch");
    let submit = scripts.join("submit.sh");
    let exe = Path::new(env!("CARGO_BIN_EXE_trustsim"));

    let r = read(&run);
    assert!(r.starts_with("#!/usr/bin/env bash\n"), "{r}");
    for line in [
        "#SBATCH --job-name=slurm-grid\n",
        "#SBATCH --array=0-7%3\n",
        "#SBATCH --cpus-per-task=2\n",
        "#SBATCH --time=00:30:00\n",
        "#SBATCH --partition=short\n",
        "#SBATCH --mem=900\n",
    ] {
        assert!(r.contains(line), "missing {line:?} in\n{r}");
    }
    // The log directive: `%` of the folder doubled, the pattern kept.
    let logs = scripts.join("logs");
    let dir_pattern = logs.to_str().unwrap().replace('%', "%%");
    assert!(
        r.contains(&format!(
            "#SBATCH --output=\"{dir_pattern}/shard-%a.out\"\n"
        )),
        "{r}"
    );
    assert!(logs.is_dir());
    // The task: N passed explicitly, threads from the allocation.
    let exec = format!(
        "exec {} sweep {} --shard \"${{SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}}/8\" --threads \"${{SLURM_CPUS_PER_TASK:-2}}\" --out {} --quiet\n",
        q(exe),
        q(&dir.join("grid.toml")),
        q(&out)
    );
    assert!(r.contains(&exec), "expected\n{exec}in\n{r}");

    let m = read(&merge);
    assert!(m.contains("#SBATCH --job-name=slurm-grid-merge\n"), "{m}");
    assert!(m.contains("#SBATCH --partition=short\n"), "{m}");
    assert!(!m.contains("--array"), "{m}");
    assert!(
        m.contains(&format!("exec {} merge {}\n", q(exe), q(&out))),
        "{m}"
    );

    let s = read(&submit);
    assert!(
        s.contains(&format!("jid=$(sbatch --parsable {})\n", q(&run))),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "mid=$(sbatch --parsable --dependency=afterok:$jid {})\n",
            q(&merge)
        )),
        "{s}"
    );
    for p in [&run, &merge, &submit] {
        assert!(executable(p), "{} is not executable", p.display());
    }
    for p in [&run, &merge, &submit] {
        let o = Command::new("bash").arg("-n").arg(p).output().unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // sweep.json is written up front, so the tasks do not race to create it.
    assert!(out.join("sweep.json").is_file());

    // The printed commands.
    assert!(
        stdout.contains(&format!("jid=$(sbatch --parsable {})", q(&run))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "sbatch --dependency=afterok:${{jid%%;*}} {}",
            q(&merge)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("9 units x 1 replications in 8 array tasks"),
        "{stdout}"
    );
}

#[test]
fn defaults_no_throttle_partition_or_memory_and_an_explicit_binary() {
    let tmp = TempDir::new().unwrap();
    let file = sweep_file(tmp.path());
    let scripts = tmp.path().join("jobs");
    let (ok, _, stderr) = trustsim_in(
        tmp.path(),
        &[
            "slurm",
            file.to_str().unwrap(),
            "--shards",
            "1",
            "--script-dir",
            "jobs",
            "--trustsim",
            "bin/trustsim",
        ],
    );
    assert!(ok, "{stderr}");
    let r = read(&scripts.join("run-shards.sbatch"));
    assert!(r.contains("#SBATCH --array=0\n"), "{r}");
    assert!(r.contains("#SBATCH --cpus-per-task=1\n"), "{r}");
    assert!(r.contains("#SBATCH --time=01:00:00\n"), "{r}");
    assert!(!r.contains("--partition") && !r.contains("--mem"), "{r}");
    assert!(r.contains("--shard \"${SLURM_ARRAY_TASK_ID:?"), "{r}");
    assert!(
        r.contains("}/1\" --threads \"${SLURM_CPUS_PER_TASK:-1}\""),
        "{r}"
    );
    // Default output folder: output/<sweep name> under the current folder.
    let out = tmp.path().join("output/slurm-grid");
    assert!(r.contains(&format!("--out {} --quiet", q(&out))), "{r}");
    assert!(out.join("sweep.json").is_file());
    assert!(
        r.contains(&format!(
            "exec {} sweep",
            q(&tmp.path().join("bin/trustsim"))
        )),
        "{r}"
    );
    assert!(scripts.join("logs").is_dir());
}

#[test]
fn an_invalid_sweep_file_gives_the_sweep_error_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let file = sweep_file(tmp.path());
    let text = read(&file).replace("oversight.punitiveness", "oversight.punitivenes");
    std::fs::write(&file, text).unwrap();
    let (ok, _, stderr) = trustsim_in(
        tmp.path(),
        &["slurm", "grid.toml", "--shards", "4", "--out", "out"],
    );
    assert!(!ok);
    assert!(
        stderr.contains(
            "unknown parameter `oversight.punitivenes`; did you mean `oversight.punitiveness`?"
        ),
        "{stderr}"
    );
    assert!(!tmp.path().join("out").exists());

    let (ok, _, stderr) = trustsim_in(tmp.path(), &["slurm", "missing.toml", "--shards", "4"]);
    assert!(!ok);
    assert!(stderr.contains("missing.toml: file not found"), "{stderr}");
}

#[test]
fn bad_options_are_clear_errors() {
    let tmp = TempDir::new().unwrap();
    sweep_file(tmp.path());
    for (extra, message) in [
        (vec!["--shards", "0"], "--shards must be at least 1"),
        (
            vec!["--shards", "4", "--cpus-per-task", "0"],
            "--cpus-per-task must be at least 1",
        ),
        (
            vec!["--shards", "4", "--max-running", "0"],
            "--max-running must be at least 1",
        ),
        (
            vec!["--shards", "4", "--time", "1h"],
            "--time \"1h\": expected a SLURM time",
        ),
        (
            vec!["--shards", "4", "--partition", "a b"],
            "--partition \"a b\": expected a partition name",
        ),
    ] {
        let mut args = vec!["slurm", "grid.toml", "--out", "out"];
        args.extend(extra);
        let (ok, _, stderr) = trustsim_in(tmp.path(), &args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !tmp.path().join("out/slurm").exists(),
            "{args:?} wrote scripts"
        );
    }
}

#[test]
fn a_folder_of_another_sweep_is_refused_before_anything_is_submitted() {
    let tmp = TempDir::new().unwrap();
    let file = sweep_file(tmp.path());
    let (ok, _, stderr) = trustsim_in(
        tmp.path(),
        &["slurm", "grid.toml", "--shards", "2", "--out", "out"],
    );
    assert!(ok, "{stderr}");
    std::fs::write(&file, read(&file).replace("0.0015", "0.002")).unwrap();
    let (ok, _, stderr) = trustsim_in(
        tmp.path(),
        &["slurm", "grid.toml", "--shards", "2", "--out", "out"],
    );
    assert!(!ok);
    assert!(stderr.contains("holds a different sweep"), "{stderr}");
    assert!(read(&tmp.path().join("out/slurm/run-shards.sbatch")).contains("--shard"));
}

/// Runs a generated script with bash, as SLURM would (the `#SBATCH` lines
/// are comments), with `task` as the array index.
fn run_script(script: &Path, task: Option<usize>) -> (bool, String) {
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_CPUS_PER_TASK")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX");
    if let Some(t) = task {
        cmd.env("SLURM_ARRAY_TASK_ID", t.to_string());
    }
    let o = cmd.output().unwrap();
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn the_array_simulated_without_slurm_merges_to_the_unsharded_sweep() {
    let tmp = TempDir::new().unwrap();
    let dir = awkward_dir(&tmp);
    let file = sweep_file(&dir);

    // Reference: one process, every unit.
    let whole = dir.join("whole");
    let (ok, _, stderr) = trustsim_in(
        &dir,
        &[
            "sweep",
            file.to_str().unwrap(),
            "--quiet",
            "--out",
            whole.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = trustsim_in(&dir, &["merge", whole.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let expected = std::fs::read(whole.join("sweep.parquet")).unwrap();

    let out = dir.join("sharded");
    let (ok, _, stderr) = trustsim_in(
        &dir,
        &[
            "slurm",
            "grid.toml",
            "--shards",
            "8",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let run = out.join("slurm/run-shards.sbatch");
    let merge = out.join("slurm/merge.sbatch");

    // Outside an array the task script refuses to guess its index.
    let (ok, text) = run_script(&run, None);
    assert!(!ok);
    assert!(
        text.contains("submit this script with sbatch: it is a job array"),
        "{text}"
    );

    // The merge job before any task has run lists every shard.
    let (ok, text) = run_script(&merge, None);
    assert!(!ok);
    assert!(text.contains("0 of 9 units are done"), "{text}");

    for task in 0..8 {
        let (ok, text) = run_script(&run, Some(task));
        assert!(ok, "task {task}: {text}");
        assert!(
            text.contains(&format!("(shard {task}/8)")),
            "task {task}: {text}"
        );
    }
    // Task 0 owns units 0 and 8; rerunning it does nothing.
    let (ok, text) = run_script(&run, Some(0));
    assert!(ok, "{text}");
    assert!(text.contains("all 2 units already done"), "{text}");

    let (ok, text) = run_script(&merge, None);
    assert!(ok, "{text}");
    assert!(text.contains("merged 9 rows"), "{text}");
    assert!(
        std::fs::read(out.join("sweep.parquet")).unwrap() == expected,
        "the merged array differs from the unsharded sweep"
    );

    // Lose a part: merge names the shard to resubmit; rerunning that task alone
    // restores the same file.
    std::fs::remove_file(out.join("data/point=5/part.parquet")).unwrap();
    std::fs::remove_file(out.join("sweep.parquet")).unwrap();
    let (ok, text) = run_script(&merge, None);
    assert!(!ok);
    assert!(
        text.contains("missing units: 5; rerun shards --array=5 of 8"),
        "{text}"
    );
    let (ok, text) = run_script(&run, Some(5));
    assert!(ok, "{text}");
    assert!(
        text.contains("1 of 1 units to run (0 already done)"),
        "{text}"
    );
    let (ok, text) = run_script(&merge, None);
    assert!(ok, "{text}");
    assert!(std::fs::read(out.join("sweep.parquet")).unwrap() == expected);
}
