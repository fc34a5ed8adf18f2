//! Bad input never panics: a corpus of nasty scenario files, generated
//! extremes (deep and cyclic `extends`, non-UTF-8, a 100 MB file) and
//! property-based mutations of the bundled scenarios. Every input either
//! loads into parameters that pass validation or gives one clear error that
//! names the file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tempfile::TempDir;
use trustsim::scenario;

fn scenarios() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Loads `path` without panicking; `Ok(())` or the error message.
fn load(path: &Path) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| scenario::load(path))) {
        Err(_) => panic!("scenario::load panicked on {}", path.display()),
        Ok(Ok(s)) => {
            scenario::build(s.params.to_raw(), "test")
                .map_err(|e| format!("loaded but invalid: {e}"))?;
            Ok(())
        }
        Ok(Err(e)) => Err(e.to_string()),
    }
}

#[test]
fn the_corpus_of_nasty_files_gives_the_expected_answers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("first line `# expect: ...`");
        match (load(&path), expect) {
            (Ok(()), "ok") => {}
            (Ok(()), e) => panic!(
                "{} loaded, expected an error containing {e:?}",
                path.display()
            ),
            (Err(msg), "ok") => panic!("{}: {msg}", path.display()),
            (Err(msg), e) => {
                assert!(
                    msg.contains(e),
                    "{}: {msg:?} does not contain {e:?}",
                    path.display()
                );
                assert!(
                    msg.contains(path.file_name().unwrap().to_str().unwrap())
                        || msg.contains("does_not_exist"),
                    "{msg}"
                );
            }
        }
        n += 1;
    }
    assert!(n >= 15);
}

#[test]
fn deep_and_cyclic_extends_are_refused() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for i in 0..40 {
        let parent = if i == 39 {
            String::new()
        } else {
            format!("extends = \"f{}.toml\"\n", i + 1)
        };
        std::fs::write(d.join(format!("f{i}.toml")), parent).unwrap();
    }
    let e = load(&d.join("f0.toml")).unwrap_err();
    assert!(e.contains("extends chain is longer than 32 files"), "{e}");
    std::fs::write(d.join("self.toml"), "extends = \"self.toml\"\n").unwrap();
    assert!(
        load(&d.join("self.toml"))
            .unwrap_err()
            .contains("extends cycle")
    );
}

#[test]
fn binary_and_huge_files_are_refused() {
    let dir = TempDir::new().unwrap();
    let bin = dir.path().join("bin.toml");
    std::fs::write(
        &bin,
        [b'[', b'r', b'u', b'n', b']', b'\n', 0xff, 0xfe, 0x00],
    )
    .unwrap();
    assert!(
        load(&bin)
            .unwrap_err()
            .contains("not UTF-8 text (first invalid byte at line 2, column 1)")
    );
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let e = load(&big).unwrap_err();
    assert!(
        e.contains("the file is larger than 1 MiB; allowed: at most 1 MiB for a scenario file"),
        "{e}"
    );
}

/// Replacement values that stress the parser and validator.
fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e400".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\"text\"".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("[[1, 2], [0, \"x\"]]".to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        any::<i64>().prop_map(|x| x.to_string()),
        "[a-z_.]{1,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of the n-th `key = value` line.
    Value(usize, String),
    /// Rename the key of the n-th assignment.
    Key(usize, String),
    /// Delete the n-th line.
    Delete(usize),
    /// Insert raw text before the n-th line.
    Insert(usize, String),
    /// Cut the file at a byte fraction.
    Truncate(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..60usize, nasty_value()).prop_map(|(n, v)| Mutation::Value(n, v)),
        (0..60usize, "[a-z_]{1,20}").prop_map(|(n, k)| Mutation::Key(n, k)),
        (0..60usize).prop_map(Mutation::Delete),
        (
            0..60usize,
            prop_oneof![
                Just("[".to_string()),
                Just("[staff]".to_string()),
                Just("x = = 1".to_string()),
                Just("\"".to_string()),
                Just("[[trusts]]".to_string()),
                "\\PC{0,20}"
            ]
        )
            .prop_map(|(n, t)| Mutation::Insert(n, t)),
        (0.0..1.0f64).prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in muts {
        let n = lines.len().max(1);
        match m {
            Mutation::Value(i, v) | Mutation::Key(i, v) => {
                let assigns: Vec<usize> = (0..lines.len())
                    .filter(|&j| lines[j].contains(" = ") && !lines[j].starts_with('#'))
                    .collect();
                if let Some(&j) = assigns.get(i % assigns.len().max(1)) {
                    let (k, val) = lines[j]
                        .split_once(" = ")
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .unwrap();
                    lines[j] = if matches!(m, Mutation::Value(..)) {
                        format!("{k} = {v}")
                    } else {
                        format!("{v} = {val}")
                    };
                }
            }
            Mutation::Delete(i) => {
                if !lines.is_empty() {
                    lines.remove(i % n);
                }
            }
            Mutation::Insert(i, t) => lines.insert(i % n, t.clone()),
            Mutation::Truncate(f) => {
                let joined = lines.join("\n");
                let mut cut = (joined.len() as f64 * f) as usize;
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines = joined[..cut].lines().map(str::to_string).collect();
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_load_or_fail_clearly(
        base in prop::sample::select(vec!["baseline.toml", "quick.toml", "policy_supportive_oversight.toml"]),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let dir = TempDir::new().unwrap();
        for f in ["baseline.toml", "quick.toml"] {
            std::fs::copy(scenarios().join(f), dir.path().join(f)).unwrap();
        }
        let text = std::fs::read_to_string(scenarios().join(base)).unwrap();
        let path = dir.path().join("mutated.toml");
        std::fs::write(&path, apply(&text, &muts)).unwrap();
        match load(&path) {
            Ok(()) => {}
            Err(msg) => {
                prop_assert!(!msg.starts_with("loaded but invalid"), "{msg}");
                prop_assert!(!msg.is_empty() && !msg.contains("panicked"));
                prop_assert!(msg.contains("mutated.toml") || msg.contains(".toml"), "error does not name a file: {msg}");
            }
        }
    }
}
