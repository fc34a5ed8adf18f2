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
    // Rebuild when the commit or the working tree's state changes. The git
    // directory is asked of git (absolute), so this holds whichever folder
    // the build starts from.
    let git_dir = Command::new("git")
        .args(["rev-parse", "--absolute-git-dir"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| std::path::PathBuf::from(s.trim()));
    if let Some(git) = git_dir {
        for f in ["HEAD", "index", "refs/heads", "packed-refs", "logs/HEAD"] {
            let path = git.join(f);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
