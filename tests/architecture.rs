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

/// Top-level modules that `src/X` names as `crate::Y` (comments aside).
fn imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let base = src("");
    let top = |rel: &Path| -> String {
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        first.trim_end_matches(".rs").to_string()
    };
    let mut files = Vec::new();
    rust_files(&base, &mut files);
    let modules: std::collections::BTreeSet<String> = files
        .iter()
        .map(|f| top(f.strip_prefix(&base).unwrap()))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    for f in &files {
        let from = top(f.strip_prefix(&base).unwrap());
        if !modules.contains(&from) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (i, _) in code.match_indices("crate::") {
                let to: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if to != from && modules.contains(&to) {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// The modules that lie on an import circle: those that can reach
/// themselves.
fn on_circles(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> std::collections::BTreeSet<String> {
    let reaches = |from: &str| {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<&str> = graph[from].iter().map(String::as_str).collect();
        while let Some(m) = stack.pop() {
            if seen.insert(m.to_string()) {
                stack.extend(graph[m].iter().map(String::as_str));
            }
        }
        seen
    };
    graph
        .keys()
        .filter(|m| reaches(m).contains(*m))
        .cloned()
        .collect()
}

/// A ratchet on import circles between top-level modules: the foundation
/// (model, files, scenario, stats, design, metrics) and the fronts (api,
/// cli) lie on none, and no module joins the circle that remains among the
/// study, output and chart modules (docs/ARCHITECTURE.md).
#[test]
fn no_module_joins_an_import_circle() {
    let graph = imports();
    let circled = on_circles(&graph);
    let known: std::collections::BTreeSet<String> = [
        "calibrate",
        "charts",
        "compare",
        "output",
        "runner",
        "sensitivity",
        "sweep",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let new: Vec<&String> = circled.difference(&known).collect();
    assert!(
        new.is_empty(),
        "modules newly on an import circle: {new:?} (imports: {graph:?})"
    );
    for m in [
        "model", "files", "scenario", "stats", "design", "metrics", "api", "cli",
    ] {
        assert!(!circled.contains(m), "{m} is on an import circle");
    }
}
