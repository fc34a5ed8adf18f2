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

/// No top-level module lies on an import circle: the layers of
/// docs/ARCHITECTURE.md ("Layers") hold, from the model and files up
/// through output, runner, sweep, the studies, charts and report to the
/// API and its fronts.
#[test]
fn no_module_lies_on_an_import_circle() {
    let graph = imports();
    let circled = on_circles(&graph);
    assert!(
        circled.is_empty(),
        "modules on an import circle: {circled:?} (imports: {graph:?})"
    );
    // The layering the circles' absence allows, checked edge by edge where
    // it matters most: output names nothing that writes it, and the
    // simulating jobs do not draw.
    for (from, below) in [
        (
            "output",
            &[
                "runner",
                "sweep",
                "compare",
                "charts",
                "calibrate",
                "sensitivity",
            ][..],
        ),
        (
            "runner",
            &["sweep", "compare", "charts", "calibrate", "sensitivity"][..],
        ),
        ("compare", &["charts", "report"][..]),
        (
            "sweep",
            &["charts", "calibrate", "sensitivity", "compare"][..],
        ),
    ] {
        for to in below {
            assert!(
                !graph[from].contains(*to),
                "{from} imports {to}, which lies above it"
            );
        }
    }
}

/// The code of `file` without its unit tests (a trailing `#[cfg(test)] mod
/// tests`) and comments.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` names `name` as an item of the module reached by
/// `prefix` (`super::name`, `super::{a, name}`, `crate::m::name`).
fn names_item(code: &str, prefix: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(prefix).any(|(i, _)| {
        let rest = &code[i + prefix.len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            list.split(|c: char| !ident(c)).any(|w| w == name)
        } else {
            rest.starts_with(name) && !rest[name.len()..].starts_with(ident)
        }
    })
}

/// The files (and folders) of every module folder under `src`, and which
/// of their siblings each names; a folder child counts with every file in
/// it.
fn file_imports() -> Vec<(
    String,
    std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
)> {
    fn folders(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push(p.clone());
                folders(&p, out);
            }
        }
    }
    let base = src("");
    let mut dirs = Vec::new();
    folders(&base, &mut dirs);
    let mut all = Vec::new();
    for dir in dirs {
        let rel = dir.strip_prefix(&base).unwrap();
        let module = format!(
            "crate::{}::",
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("::")
        );
        let children: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
            .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
            .filter(|(n, _)| n != "mod")
            .collect();
        let mut graph = std::collections::BTreeMap::new();
        for (name, path) in &children {
            let mut files = Vec::new();
            if path.is_dir() {
                rust_files(path, &mut files);
            } else {
                files.push(path.clone());
            }
            let mut named = std::collections::BTreeSet::new();
            for f in &files {
                let depth = f.strip_prefix(&dir).unwrap().components().count() - 1;
                let supers = if f.file_name().unwrap() == "mod.rs" {
                    depth
                } else {
                    depth + 1
                };
                let up = "super::".repeat(supers);
                let code = code_of(f);
                for (other, _) in &children {
                    if other != name
                        && (names_item(&code, &module, other)
                            || supers > 0 && names_item(&code, &up, other))
                    {
                        named.insert(other.clone());
                    }
                }
            }
            graph.insert(name.clone(), named);
        }
        all.push((rel.display().to_string(), graph));
    }
    all
}

/// No file of a module lies on an import circle with its siblings (a
/// folder counting as one): each module's files are layered too.
#[test]
fn no_file_lies_on_an_import_circle_within_its_module() {
    let mut found = Vec::new();
    for (module, graph) in file_imports() {
        let circled = on_circles(&graph);
        if !circled.is_empty() {
            found.push(format!("src/{module}: {circled:?} (imports: {graph:?})"));
        }
    }
    assert!(
        found.is_empty(),
        "files on an import circle:\n{}",
        found.join("\n")
    );
}

/// The circle check sees a circle: a graph with one is caught, and one
/// without is not.
#[test]
fn the_circle_check_finds_circles() {
    let g = |edges: &[(&str, &str)]| {
        let mut g = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    let circled = on_circles(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]));
    assert_eq!(circled.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(on_circles(&g(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    assert!(names_item(
        "use super::{plan, run::Outcome};",
        "super::",
        "run"
    ));
    assert!(names_item("let x = super::run::f();", "super::", "run"));
    assert!(!names_item("let x = super::runner::f();", "super::", "run"));
    assert!(names_item(
        "crate::calibrate::store::read()",
        "crate::calibrate::",
        "store"
    ));
}

/// polars-buffer is the vendored copy, whose shared buffer of zeros is
/// allocated zeroed rather than written (docs/ARCHITECTURE.md, "Vendored
/// code"): the lock file takes it from `vendor/`, and the change is there.
#[test]
fn polars_buffer_is_the_vendored_copy_with_its_zeroed_buffer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let entry = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"polars-buffer\""))
        .expect("polars-buffer in Cargo.lock");
    assert!(
        !entry.contains("source ="),
        "polars-buffer comes from a registry, not vendor/:{entry}"
    );
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("polars-buffer = { path = \"vendor/polars-buffer\" }"));
    let code = std::fs::read_to_string(root.join("vendor/polars-buffer/src/buffer.rs")).unwrap();
    let init = &code[code.find("static GLOBAL_ZEROES").expect("GLOBAL_ZEROES")..];
    let init = &init[..init.find("});").expect("its initialiser")];
    assert!(
        init.contains("vec![0u8; GLOBAL_ZERO_SIZE + align]"),
        "{init}"
    );
    assert!(!init.contains("vec![Aligned"), "{init}");
}
