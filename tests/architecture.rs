//! Layering rules of docs/ARCHITECTURE.md that the compiler cannot check:
//! the model and the pure layers do no I/O, and only the command line prints.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(rel)
}

/// Files under `roots` whose code (comments aside) contains one of `needles`.
fn offenders(roots: &[&str], needles: &[&str], except: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    for r in roots {
        let p = src(r);
        if p.is_dir() {
            rust_files(&p, &mut files);
        } else {
            files.push(p);
        }
    }
    let base = src("");
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&base).unwrap().display().to_string();
        if except.iter().any(|e| rel.starts_with(e)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if let Some(n) = needles.iter().find(|n| code.contains(*n)) {
                out.push(format!("src/{rel}:{}: {n}", i + 1));
            }
        }
    }
    out
}

#[test]
fn the_model_and_the_pure_layers_do_no_io() {
    let bad = offenders(
        &[
            "model",
            "metrics",
            "stats.rs",
            "compare/mod.rs",
            "design.rs",
            "calibrate/history.rs",
            "calibrate/emulator.rs",
        ],
        &[
            "std::fs",
            "std::io",
            "File::",
            "polars",
            "clap",
            "std::env",
            "std::process",
        ],
        &[],
    );
    assert!(bad.is_empty(), "I/O in a pure layer:\n{}", bad.join("\n"));
}

#[test]
fn only_the_command_line_prints() {
    let bad = offenders(
        &[""],
        &["println!", "eprintln!", "print!(", "eprint!(", "dbg!("],
        &["cli/", "main.rs"],
    );
    assert!(
        bad.is_empty(),
        "printing outside src/cli:\n{}",
        bad.join("\n")
    );
}

/// The layering of the library API (docs/ARCHITECTURE.md, "The library API
/// and its two fronts"): no library module reaches up into `api` or `cli`,
/// and the command line runs no simulation or study itself.
#[test]
fn the_library_does_not_reach_up_and_the_command_line_runs_nothing_itself() {
    let mut library = Vec::new();
    for entry in std::fs::read_dir(src("")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !["api", "cli", "lib.rs", "main.rs"].contains(&name.as_str()) {
            library.push(name);
        }
    }
    let roots: Vec<&str> = library.iter().map(String::as_str).collect();
    let bad = offenders(&roots, &["crate::api", "crate::cli", "super::cli"], &[]);
    assert!(
        bad.is_empty(),
        "library modules that import api or cli:\n{}",
        bad.join("\n")
    );

    let bad = offenders(
        &["cli"],
        &[
            "runner::run(",
            "run_metrics",
            "run_branched",
            "run_replication",
            "Execution::new",
            "calibrate::run::execute",
            "run::execute(",
            "study::plan(",
            "write_report(",
            "render_run_charts",
        ],
        &[],
    );
    assert!(
        bad.is_empty(),
        "the command line runs simulations or studies itself (use crate::api):\n{}",
        bad.join("\n")
    );
}
