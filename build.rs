//! Records the commit trustsim is built from, for `--version` and the
//! manifest. Outside a git checkout the commit is `unknown`.

// Cargo reads this program's standard output; a closed pipe is not a concern here.
#![allow(clippy::disallowed_macros)]

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| !o.stdout.is_empty());
    let suffix = if dirty && commit != "unknown" {
        "+changes"
    } else {
        ""
    };
    println!("cargo:rustc-env=TRUSTSIM_COMMIT={commit}{suffix}");
    for f in [".git/HEAD", ".git/index", ".git/refs/heads"] {
        if std::path::Path::new(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
