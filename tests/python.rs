//! The Python package (`python/`): built from this checkout with maturin
//! into `target/py-api`, its pytest suite (every API function, files
//! byte-identical to the command line's for the same seed, errors with the
//! command line's messages, Ctrl-C that keeps finished work), and the
//! notebook that drives the model from Python, executed from the
//! repository root. The environment is created on first use (pip, from
//! PyPI); the package is rebuilt on every run so that it is this checkout.

mod support;

use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use tempfile::TempDir;

#[test]
fn the_python_package_builds_passes_its_tests_and_runs_the_notebook() {
    let bin = support::python_env(
        "py-api",
        &[
            "maturin",
            "polars",
            "pyarrow",
            "pytest",
            "nbconvert",
            "ipykernel",
            "matplotlib",
        ],
        "import maturin, polars, pyarrow, pytest, nbconvert, ipykernel, matplotlib",
    );
    let venv = bin.parent().unwrap().to_path_buf();
    let path = support::path_with(&bin);
    // In release: the dependencies are then those `cargo build --release
    // --workspace` (and `pip install ./python`) built, with the features the
    // package resolves, rather than a third debug build of them.
    let o = Command::new(bin.join("maturin"))
        .args(["develop", "--release"])
        .current_dir(support::root().join("python"))
        .env("VIRTUAL_ENV", &venv)
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "maturin develop failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = Command::new(bin.join("python"))
        .args(["-m", "pytest", "-q", "tests"])
        .current_dir(support::root().join("python"))
        .env("TRUSTSIM_BIN", cargo_bin!("trustsim"))
        .env("PATH", &path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "pytest failed:\n{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains(" passed"), "{text}");
    assert!(
        !text.contains("skipped"),
        "a Python test was skipped:\n{text}"
    );

    let dir = TempDir::new().unwrap();
    let o = Command::new(bin.join("jupyter"))
        .args([
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "examples/run_from_python.ipynb",
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .args(["--output", "executed"])
        .current_dir(support::root())
        .env("TRUSTSIM_REPLICATIONS", "2")
        // The notebook writes under a temporary folder it leaves for its
        // reader; here that is inside the test's own, removed after it.
        .env("TMPDIR", dir.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the notebook failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let images = support::notebook_images(&dir.path().join("executed.ipynb"));
    assert_eq!(images, 2, "the notebook should draw two charts");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("trustsim-notebook-")
        })
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the notebook's output folder is in the test's"
    );
}
