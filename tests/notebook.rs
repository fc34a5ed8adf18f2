//! The example notebook (`examples/read_a_run.ipynb`) runs as the README
//! says: executed from the repository root and from `examples/`, it reads a
//! run and draws its two charts (before, it looked for `output/baseline`
//! relative to `examples/` and drew one chart). Needs Python with
//! nbconvert, ipykernel, polars, pyarrow and matplotlib: the test creates
//! `target/py-notebook` with them on first use (pip, from PyPI).

mod support;

use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

#[test]
fn the_example_notebook_runs_from_the_root_and_from_examples_and_draws_two_charts() {
    let bin = support::python_env(
        "py-notebook",
        &["nbconvert", "ipykernel", "polars", "pyarrow", "matplotlib"],
        "import nbconvert, ipykernel, polars, pyarrow, matplotlib",
    );
    let dir = TempDir::new().unwrap();
    let run = dir.path().join("run");
    cargo_bin_cmd!("trustsim")
        .arg("run")
        .arg(support::root().join("scenarios/quick.toml"))
        .args(["--replications", "2", "--quiet", "--no-charts", "--out"])
        .arg(&run)
        .assert()
        .success();
    let path = support::path_with(&bin);
    for (cwd, notebook, name) in [
        (support::root(), "examples/read_a_run.ipynb", "from_root"),
        (
            support::root().join("examples"),
            "read_a_run.ipynb",
            "from_examples",
        ),
    ] {
        let o = Command::new(bin.join("jupyter"))
            .args(["nbconvert", "--to", "notebook", "--execute", notebook])
            .arg("--output-dir")
            .arg(dir.path())
            .args(["--output", name])
            .current_dir(&cwd)
            .env("PATH", &path)
            .env("TRUSTSIM_RUN", &run)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let executed = dir.path().join(format!("{name}.ipynb"));
        assert_eq!(
            support::notebook_images(&executed),
            2,
            "{name}: the README promises two charts"
        );
    }
}
