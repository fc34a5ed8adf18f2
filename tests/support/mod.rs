//! Outside programs some end-to-end tests need, installed on first use
//! (as `tests/cli.rs` creates its pyarrow environment): Debian packages
//! with `apt-get` when the tests run as root, Python packages in a virtual
//! environment under `target/`. Each says on standard error what it
//! installs; when it cannot, the test fails with a message saying how to
//! install them. Nothing is skipped.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// One installation at a time within a test binary.
static INSTALLING: Mutex<()> = Mutex::new(());

/// Says on standard error what is being installed (through `Write`, so a
/// closed stream cannot stop the test).
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Makes sure every program of `programs` is on the PATH. If one is
/// missing, installs the Debian `packages` that provide them (`apt-get
/// update`, then `apt-get install -y PACKAGES`) when running as root, and
/// otherwise fails saying which command installs them.
pub fn debian_programs(programs: &[&str], packages: &[&str]) {
    let _guard = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !on_path(p)).collect();
    if missing.is_empty() {
        return;
    }
    let how = format!(
        "apt-get update && apt-get install -y {} (as root)",
        packages.join(" ")
    );
    assert!(
        is_root() && on_path("apt-get"),
        "this test needs {} (Debian packages {}); install them with `{how}`, or run `.ci/run`",
        missing.join(", "),
        packages.join(", ")
    );
    say(&format!(
        "installing {} for {} (first use): apt-get update; apt-get install -y {}",
        packages.join(", "),
        missing.join(", "),
        packages.join(" ")
    ));
    let ok = Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "`apt-get update` failed; install with `{how}`");
    let ok = Command::new("apt-get")
        .args(["install", "-y", "-q"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "`apt-get install` failed; install with `{how}`");
    let still: Vec<&str> = programs.iter().copied().filter(|p| !on_path(p)).collect();
    assert!(
        still.is_empty(),
        "{} still missing after installing {}",
        still.join(", "),
        packages.join(", ")
    );
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A Python virtual environment `target/NAME` in which `check` (Python
/// code) runs, created and filled with `packages` from PyPI on first use;
/// returns its `bin` folder. Needs `python3` with `venv`.
pub fn python_env(name: &str, packages: &[&str], check: &str) -> PathBuf {
    let _guard = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = root().join("target").join(name);
    let bin = venv.join("bin");
    let ok = |bin: &Path| {
        Command::new(bin.join("python"))
            .args(["-c", check])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ok(&bin) {
        return bin;
    }
    say(&format!(
        "creating {} with {} (first use): python3 -m venv; pip install {}",
        venv.display(),
        packages.join(", "),
        packages.join(" ")
    ));
    let s = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status();
    assert!(
        s.is_ok_and(|s| s.success()),
        "cannot create {}: this test needs python3 with venv",
        venv.display()
    );
    let s = Command::new(bin.join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages)
        .status();
    assert!(
        s.is_ok_and(|s| s.success()),
        "cannot install {} into {} (pip needs access to PyPI)",
        packages.join(" "),
        venv.display()
    );
    assert!(ok(&bin), "{} lacks what `{check}` imports", venv.display());
    bin
}

/// `PATH` with `bin` (a virtual environment's) first.
pub fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Images (charts) among the outputs of an executed notebook.
pub fn notebook_images(notebook: &Path) -> usize {
    let nb: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(notebook).unwrap()).unwrap();
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .filter(|o| o["data"]["image/png"].is_string())
        .count()
}
