//! The in-process fuzz harness: every input path trustsim reads, fed with
//! mutated inputs, each case checked for panics and hangs. Shared by
//! `tests/fuzz.rs` (a short run in every `cargo test`) and
//! `examples/fuzz.rs` (long runs: `cargo run --release --example fuzz --
//! --cases 1000000`).
//!
//! Targets (each a path a user's file takes into trustsim):
//! `scenario` (TOML with `extends`, `--set`), `register` (CSV named by a
//! scenario), `compare`, `sweep`, `sensitivity` and `calibration` files,
//! `sets` (parameter-set parquet), `state` (saved-state file), and
//! `folder` (a run folder's manifest, tables and kept replications, read by
//! `validate`, the charts and the report, and by a resumed run).
//!
//! Mutations are structure-aware where it helps: values of `key = value`
//! lines replaced by hostile values, keys renamed or taken from the
//! parameter schema, lines deleted, duplicated or swapped, CSV cells and
//! columns replaced; bytes flipped, set, inserted, deleted, duplicated or
//! truncated for every format; sealed JSON (manifests) mutated as values
//! and sealed again, so that its content, not only its seal, is tried.
//! Case `i` of a run with seed `s` is the same on every machine and thread
//! count, so a finding is reproduced by its case number.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

use trustsim::files::guard;

/// A target: a kind of input and the way trustsim reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Scenario,
    Register,
    Compare,
    Sweep,
    Sensitivity,
    Calibration,
    Sets,
    State,
    Folder,
}

impl Target {
    pub const ALL: [Target; 9] = [
        Target::Scenario,
        Target::Register,
        Target::Compare,
        Target::Sweep,
        Target::Sensitivity,
        Target::Calibration,
        Target::Sets,
        Target::State,
        Target::Folder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Register => "register",
            Target::Compare => "compare",
            Target::Sweep => "sweep",
            Target::Sensitivity => "sensitivity",
            Target::Calibration => "calibration",
            Target::Sets => "sets",
            Target::State => "state",
            Target::Folder => "folder",
        }
    }

    /// Share of the cases, by cost: cheap parsers get most of them.
    fn weight(self) -> u32 {
        match self {
            Target::Scenario => 30,
            Target::Register => 14,
            Target::Compare => 8,
            Target::Sweep => 10,
            Target::Sensitivity => 8,
            Target::Calibration => 8,
            Target::Sets => 10,
            Target::State => 6,
            Target::Folder => 6,
        }
    }
}

/// How a run went.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: u64,
    /// Cases per target, in [`Target::ALL`] order.
    pub per_target: [u64; 9],
    /// Inputs accepted (parsed without error), per target.
    pub accepted: [u64; 9],
    /// Panics: (case, target, message); the input is saved under `findings`.
    pub panics: Vec<(u64, &'static str, String)>,
    /// Cases that ran longer than the hang limit.
    pub hangs: Vec<(u64, &'static str)>,
    pub seconds: f64,
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct Options {
    pub cases: u64,
    pub seed: u64,
    pub threads: usize,
    /// Only these targets (all if empty).
    pub targets: Vec<Target>,
    /// Where inputs that panicked or hung are saved.
    pub findings: PathBuf,
    /// A case running longer than this is a hang.
    pub hang: Duration,
}

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus of `target`: the files in `tests/fuzz/corpus/TARGET/`
/// (and, for scenarios, the bundled scenarios).
fn corpus(target: Target) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("tests/fuzz/corpus").join(target.name())];
    match target {
        Target::Scenario => dirs.push(root().join("scenarios")),
        Target::Register => dirs.push(root().join("scenarios/registers")),
        _ => {}
    }
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if f.is_file() {
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read(&f).unwrap()));
            }
        }
    }
    out
}

/// Values a hostile or careless file might hold.
const VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "0",
    "-1",
    "1",
    "2",
    "1e308",
    "-1e308",
    "1e-320",
    "0.5",
    "1.5",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967296",
    "1000000000",
    "1000000",
    "20001",
    "\"\"",
    "\"x\"",
    "\"..\"",
    "\"../escape\"",
    "\"/dev/zero\"",
    "\"/dev/stdin\"",
    "\"fifo\"",
    "\".\"",
    "\"a/b\"",
    "\"base.toml\"",
    "\"quick.toml\"",
    "\"registers/example_trusts.csv\"",
    "\"big.csv\"",
    "true",
    "false",
    "[]",
    "[1, 2]",
    "[\"a\", 1]",
    "{}",
    "{ min = 1, max = 0 }",
    "{ min = 0.1, max = 0.9 }",
    "{ min = 0, max = 1, levels = 1000000 }",
    "\"2027-04\"",
    "\"\\u0000\"",
    "\"é\"",
    "\"grid\"",
    "\"lhs\"",
    "\"sobol\"",
    "\"morris\"",
    "\"saltelli\"",
    "\"calibration\"",
    "{ value = 1, sd = 0 }",
    "{ value = nan, sd = 1 }",
];

/// Cells a register might hold.
const CELLS: &[&str] = &[
    "",
    "acute",
    "ambulance",
    "hospital",
    "-1",
    "0",
    "1e308",
    "nan",
    "inf",
    "RX01",
    "\"a,b\"",
    "\"",
    "good",
    "inadequate",
    "true",
    "maybe",
    "999999999999",
    "0.5",
    "é",
    "#",
];

/// Every dotted parameter key, for mutations that insert a real key.
fn keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| trustsim::sweep::parameter_keys().into_keys().collect())
}

fn pick<'a, T>(rng: &mut Pcg64Mcg, v: &'a [T]) -> &'a T {
    &v[rng.random_range(0..v.len())]
}

/// A byte-level mutation of `b`.
fn mutate_bytes(rng: &mut Pcg64Mcg, b: &mut Vec<u8>) {
    if b.is_empty() {
        b.push(rng.random());
        return;
    }
    let n = b.len();
    let i = rng.random_range(0..n);
    match rng.random_range(0..7) {
        0 => b[i] ^= 1 << rng.random_range(0..8),
        1 => b[i] = rng.random(),
        2 => {
            let k = rng.random_range(1..=16);
            for _ in 0..k {
                b.insert(i, rng.random());
            }
        }
        3 => {
            let k = rng.random_range(1..=(n - i).min(64));
            b.drain(i..i + k);
        }
        4 => {
            let k = rng.random_range(1..=(n - i).min(256));
            let chunk = b[i..i + k].to_vec();
            let at = rng.random_range(0..=b.len());
            b.splice(at..at, chunk);
        }
        5 => b.truncate(i),
        _ => {
            let special = [0u8, 0xff, b'"', b'\n', b'[', b'=', b'.', b'\\', 0x7f, 0xc3];
            b[i] = *pick(rng, &special);
        }
    }
}

/// A line- and token-level mutation of TOML text.
fn mutate_toml(rng: &mut Pcg64Mcg, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..8) {
        0..=2 => {
            // Replace a value.
            if let Some(eq) = lines[i].find('=') {
                let key = lines[i][..eq].to_string();
                lines[i] = format!("{key}= {}", pick(rng, VALUES));
            } else {
                lines.insert(i, format!("run.seed = {}", pick(rng, VALUES)));
            }
        }
        3 => {
            // A real key, anywhere, with a hostile value.
            let k = pick(rng, keys()).clone();
            lines.insert(i, format!("{k} = {}", pick(rng, VALUES)));
        }
        4 => {
            lines.remove(i);
        }
        5 => {
            let l = lines[i].clone();
            lines.insert(rng.random_range(0..=lines.len()), l);
        }
        6 => {
            // Rename a key: one character changed.
            if let Some(eq) = lines[i].find('=').filter(|&e| e > 0) {
                let mut chars: Vec<char> = lines[i].chars().collect();
                let at = rng.random_range(0..eq.min(chars.len()));
                chars[at] = *pick(rng, &['x', '.', ' ', '_', '"', 'Z']);
                lines[i] = chars.into_iter().collect();
            }
        }
        _ => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A cell- and column-level mutation of CSV text.
fn mutate_csv(rng: &mut Pcg64Mcg, text: &str) -> String {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    if rows.is_empty() {
        return "code,name,type\n".into();
    }
    let r = rng.random_range(0..rows.len());
    match rng.random_range(0..6) {
        0..=2 => {
            if !rows[r].is_empty() {
                let c = rng.random_range(0..rows[r].len());
                rows[r][c] = pick(rng, CELLS).to_string();
            }
        }
        3 => {
            let c = rng.random_range(0..=rows[r].len());
            rows[r].insert(c, pick(rng, CELLS).to_string());
        }
        4 => {
            let row = rows[r].clone();
            for _ in 0..rng.random_range(1..50) {
                rows.push(row.clone());
            }
        }
        _ => {
            rows.remove(r);
        }
    }
    let mut out: String = rows
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

/// `n` mutations of `seed`, text-aware for `text` formats.
fn mutate(rng: &mut Pcg64Mcg, seed: &[u8], kind: Kind) -> Vec<u8> {
    let mut b = seed.to_vec();
    let n = 1 + rng.random_range(0..4);
    for _ in 0..n {
        let structured = rng.random_range(0..4) != 0;
        b = match (kind, structured, std::str::from_utf8(&b)) {
            (Kind::Toml, true, Ok(t)) => mutate_toml(rng, t).into_bytes(),
            (Kind::Csv, true, Ok(t)) => mutate_csv(rng, t).into_bytes(),
            _ => {
                mutate_bytes(rng, &mut b);
                b
            }
        };
    }
    b
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Toml,
    Csv,
    Binary,
}

/// The fixed files a case's folder holds beside the input: the bundled
/// scenarios a file may extend, a register, a FIFO.
fn furnish(dir: &Path) {
    std::fs::create_dir_all(dir.join("registers")).unwrap();
    for f in ["baseline.toml", "quick.toml"] {
        std::fs::copy(root().join("scenarios").join(f), dir.join(f)).unwrap();
    }
    std::fs::copy(
        root().join("scenarios/registers/example_trusts.csv"),
        dir.join("registers/example_trusts.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.join("base.toml"),
        "extends = \"quick.toml\"\n[run]\nreplications = 2\nmonths = 12\nburn_in_months = 12\n[trusts]\nacute.count = 2\nmental_health.count = 1\ncommunity.count = 1\nambulance.count = 1\n",
    )
    .unwrap();
    let fifo = dir.join("fifo");
    if !fifo.exists() {
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a path in our own temporary folder.
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    }
}

/// Built once per run: a tiny finished run folder, an interrupted one, a
/// state file, the parameter sets.
struct Fixtures {
    finished: PathBuf,
    interrupted: PathBuf,
    state: Vec<u8>,
    sets: Vec<u8>,
    params: trustsim::model::Params,
}

fn tiny_params(dir: &Path) -> trustsim::model::Params {
    trustsim::scenario::load(&dir.join("base.toml"))
        .unwrap()
        .params
}

/// A progress that cancels the run after `after` replications.
struct StopAfter {
    after: u64,
    done: AtomicU64,
    cancel: trustsim::runner::Cancel,
}

impl trustsim::runner::Progress for StopAfter {
    fn advance(&self, n: u64) {
        if self.done.fetch_add(n, Ordering::SeqCst) + n >= self.after {
            self.cancel.cancel();
        }
    }
}

fn fixtures(work: &Path) -> Fixtures {
    use trustsim::runner::{self, Cancel, RunSpec, Silent};
    let dir = work.join("fixtures");
    furnish(&dir);
    let params = tiny_params(&dir);
    let finished = dir.join("finished");
    let mut spec = RunSpec::new(params.clone(), finished.clone(), 1);
    spec.save_state = Some(6);
    runner::run(&spec, &Silent, &Cancel::new()).unwrap();
    let state_name = trustsim::output::state::state_file_name(6);
    let state = std::fs::read(finished.join(&state_name)).unwrap();
    let interrupted = dir.join("interrupted");
    let mut p = params.clone();
    let mut raw = p.to_raw();
    raw.run.replications = 4;
    p = trustsim::scenario::build(raw, "fuzz").unwrap();
    let spec = RunSpec::new(p, interrupted.clone(), 1);
    let stop = StopAfter {
        after: 2,
        done: AtomicU64::new(0),
        cancel: Cancel::new(),
    };
    let _ = runner::run(&spec, &stop, &stop.cancel);
    let sets = std::fs::read(root().join("scenarios/calibration/parameter_sets.parquet")).unwrap();
    Fixtures {
        finished,
        interrupted,
        state,
        sets,
        params,
    }
}

/// Copies a folder (files and one level of subfolders).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Mutates sealed JSON as values and seals it again.
fn mutate_sealed(rng: &mut Pcg64Mcg, bytes: &[u8]) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        let mut b = bytes.to_vec();
        mutate_bytes(rng, &mut b);
        return b;
    };
    if let Some(o) = v.as_object_mut() {
        o.remove("checksum");
    }
    let hostile = [
        serde_json::json!(null),
        serde_json::json!(-1),
        serde_json::json!(1e308),
        serde_json::json!(""),
        serde_json::json!("../../x"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!(u64::MAX),
        serde_json::json!(true),
        serde_json::json!([{"name": "../outside", "bytes": 1, "sha256": "00"}]),
    ];
    for _ in 0..1 + rng.random_range(0..3) {
        let mut paths = Vec::new();
        collect_paths(&v, &mut vec![], &mut paths);
        if paths.is_empty() {
            break;
        }
        let path = pick(rng, &paths).clone();
        if let Some(slot) = at_path(&mut v, &path) {
            *slot = pick(rng, &hostile).clone();
        }
    }
    trustsim::files::sealed::seal(&v).unwrap_or_default()
}

fn collect_paths(v: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if out.len() > 4000 {
        return;
    }
    out.push(at.clone());
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                at.push(k.clone());
                collect_paths(x, at, out);
                at.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(8) {
                at.push(i.to_string());
                collect_paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'a>(v: &'a mut serde_json::Value, path: &[String]) -> Option<&'a mut serde_json::Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            serde_json::Value::Object(o) => o.get_mut(p)?,
            serde_json::Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// What a case did with its input: whether it was accepted.
type Outcome = bool;

/// Runs one case of `target` in the folder `dir`: makes its input, keeps
/// it in `kept` (so that a panic can save it), and reads it; returns the
/// input and whether it was accepted.
fn case(
    target: Target,
    rng: &mut Pcg64Mcg,
    dir: &Path,
    seeds: &[(String, Vec<u8>)],
    fx: &Fixtures,
    kept: &Mutex<Vec<u8>>,
) -> (Vec<u8>, Outcome) {
    let keep = |b: &[u8]| *kept.lock().unwrap() = b.to_vec();
    let (_, seed) = pick(rng, seeds);
    match target {
        Target::Scenario => {
            let input = mutate(rng, seed, Kind::Toml);
            keep(&input);
            let f = dir.join("case.toml");
            std::fs::write(&f, &input).unwrap();
            let settings: Vec<trustsim::scenario::Setting> = if rng.random_range(0..4) == 0 {
                vec![trustsim::scenario::Setting::set(&format!(
                    "{}={}",
                    pick(rng, keys()),
                    pick(rng, VALUES)
                ))]
            } else {
                vec![]
            };
            let ok = trustsim::scenario::load_with(&f, &settings).is_ok_and(|s| {
                let _ = trustsim::scenario::resolved_toml(&s.params);
                true
            });
            (input, ok)
        }
        Target::Register => {
            let input = mutate(rng, seed, Kind::Csv);
            keep(&input);
            std::fs::write(dir.join("case.csv"), &input).unwrap();
            std::fs::write(
                dir.join("case.toml"),
                "extends = \"base.toml\"\n[trusts]\nregister = \"case.csv\"\n",
            )
            .unwrap();
            let ok = trustsim::scenario::load(&dir.join("case.toml")).is_ok();
            (input, ok)
        }
        Target::Compare => {
            let input = mutate(rng, seed, Kind::Toml);
            keep(&input);
            let f = dir.join("case.toml");
            std::fs::write(&f, &input).unwrap();
            let ok = trustsim::compare::file::read(&f).is_ok();
            (input, ok)
        }
        Target::Sweep => {
            let input = mutate(rng, seed, Kind::Toml);
            keep(&input);
            let f = dir.join("case.toml");
            std::fs::write(&f, &input).unwrap();
            let ok = trustsim::sweep::Sweep::load(&f).is_ok();
            (input, ok)
        }
        Target::Sensitivity => {
            let input = mutate(rng, seed, Kind::Toml);
            keep(&input);
            let f = dir.join("case.toml");
            std::fs::write(&f, &input).unwrap();
            let ok = trustsim::sensitivity::study::load(&f).is_ok();
            (input, ok)
        }
        Target::Calibration => {
            let input = mutate(rng, seed, Kind::Toml);
            keep(&input);
            let f = dir.join("case.toml");
            std::fs::write(&f, &input).unwrap();
            let ok = trustsim::calibrate::plan::load(&f).is_ok();
            (input, ok)
        }
        Target::Sets => {
            let input = if rng.random_range(0..4) == 0 {
                random_sets(rng)
            } else {
                mutate(rng, &fx.sets, Kind::Binary)
            };
            keep(&input);
            let f = dir.join("case.parquet");
            std::fs::write(&f, &input).unwrap();
            let ok = match trustsim::output::parameter_sets::ParameterSetsFile::open(&f) {
                Ok(file) => {
                    let file = Arc::new(file);
                    trustsim::runner::AppliedSets::new(&fx.params, &file).is_ok()
                }
                Err(_) => false,
            };
            (input, ok)
        }
        Target::State => {
            let input = mutate(rng, &fx.state, Kind::Binary);
            keep(&input);
            let f = dir.join("case.tsstate");
            std::fs::write(&f, &input).unwrap();
            let ok = match trustsim::output::state::StateFile::open(&f) {
                Ok(s) => s.replications().iter().all(|&r| s.state(r).is_ok()),
                Err(_) => false,
            };
            (input, ok)
        }
        Target::Folder => folder_case(rng, dir, fx, &keep),
    }
}

/// Parameter sets made from scratch: odd keys, odd values, odd sizes.
fn random_sets(rng: &mut Pcg64Mcg) -> Vec<u8> {
    let k = rng.random_range(0..4);
    let mut key_pool: Vec<String> = keys().to_vec();
    key_pool.extend([
        "run.seed".into(),
        "set".into(),
        "nonsense.key".into(),
        String::new(),
    ]);
    let set_keys: Vec<String> = (0..k).map(|_| pick(rng, &key_pool).clone()).collect();
    let n = rng.random_range(0..6);
    let odd = [f64::NAN, f64::INFINITY, -1.0, 0.0, 0.5, 1e308, 1e9, 3.0];
    let values: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..k).map(|_| *pick(rng, &odd)).collect())
        .collect();
    let sets = trustsim::output::parameter_sets::ParameterSets {
        keys: set_keys,
        values,
    };
    let tmp = tempfile::NamedTempFile::new().unwrap();
    match trustsim::output::parameter_sets::write(tmp.path(), &sets, &[]) {
        Ok(()) => std::fs::read(tmp.path()).unwrap(),
        Err(_) => b"PAR1".to_vec(),
    }
}

/// A run folder with one file mutated, read as `validate`, the charts,
/// the report and a resumed run read it.
fn folder_case(
    rng: &mut Pcg64Mcg,
    dir: &Path,
    fx: &Fixtures,
    keep: &dyn Fn(&[u8]),
) -> (Vec<u8>, Outcome) {
    use trustsim::runner::{self, Cancel, RunSpec, Silent};
    let resume = rng.random_range(0..5) == 0;
    let from = if resume {
        &fx.interrupted
    } else {
        &fx.finished
    };
    let run = dir.join("run");
    let _ = std::fs::remove_dir_all(&run);
    copy_dir(from, &run);
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in [run.clone(), run.join(".batches")] {
        if let Ok(e) = std::fs::read_dir(&sub) {
            files.extend(e.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files.retain(|p| !p.ends_with(".lock"));
    let target = pick(rng, &files).clone();
    let before = std::fs::read(&target).unwrap();
    let input = if target.extension().is_some_and(|e| e == "json") && rng.random_range(0..2) == 0 {
        mutate_sealed(rng, &before)
    } else {
        mutate(rng, &before, Kind::Binary)
    };
    std::fs::write(&target, &input).unwrap();
    keep(&input);
    let ok = if resume {
        let mut raw = fx.params.to_raw();
        raw.run.replications = 4;
        let p = trustsim::scenario::build(raw, "fuzz").unwrap();
        let spec = RunSpec::new(p, run.clone(), 1);
        runner::run(&spec, &Silent, &Cancel::new()).is_ok()
    } else {
        let summary = trustsim::output::read_manifest(&run.join("manifest.json")).is_ok()
            && trustsim::output::read_summary(&run.join("summary.parquet")).is_ok();
        let charts = trustsim::charts::data::load_run(&run).is_ok();
        let report = rng.random_range(0..10) == 0
            && trustsim::report::write_report(
                std::slice::from_ref(&run),
                &dir.join("report.html"),
                None,
                trustsim::report::Paper::A4,
            )
            .is_ok();
        summary && charts || report
    };
    (input, ok)
}

/// What a worker is running: (case, since, target).
type Slot = Mutex<Option<(u64, Instant, &'static str)>>;

/// Runs case `i` of a run with seed `seed` alone, on this thread, with the
/// panic message shown: the way to reproduce a finding.
pub fn replay(seed: u64, targets: &[Target], i: u64) -> Result<bool, String> {
    let targets: Vec<Target> = if targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        targets.to_vec()
    };
    let work = tempfile::TempDir::new().unwrap();
    let fx = fixtures(work.path());
    let dir = work.path().join("replay");
    furnish(&dir);
    let seeds: Vec<Vec<(String, Vec<u8>)>> = Target::ALL.iter().map(|&t| corpus(t)).collect();
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let target = choose(&mut rng, &targets);
    let k = Target::ALL.iter().position(|x| *x == target).unwrap();
    eprintln!("case {i}: target {}", target.name());
    let kept = Mutex::new(Vec::new());
    let fallback = vec![("empty".to_string(), Vec::new())];
    let tseeds = if seeds[k].is_empty() {
        &fallback
    } else {
        &seeds[k]
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        case(target, &mut rng, &dir, tseeds, &fx, &kept).1
    }));
    r.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// The target of a case, by weight.
fn choose(rng: &mut Pcg64Mcg, targets: &[Target]) -> Target {
    let total: u32 = targets.iter().map(|t| t.weight()).sum();
    let mut w = rng.random_range(0..total);
    *targets
        .iter()
        .find(|t| {
            if w < t.weight() {
                true
            } else {
                w -= t.weight();
                false
            }
        })
        .unwrap()
}

/// Runs `opts.cases` cases; returns the report. Case `i` uses the target
/// and random numbers of (seed, i) alone.
pub fn run(opts: &Options) -> Report {
    let work = tempfile::TempDir::new().unwrap();
    let fx = Arc::new(fixtures(work.path()));
    let targets: Vec<Target> = if opts.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        opts.targets.clone()
    };
    let seeds: Vec<Vec<(String, Vec<u8>)>> = Target::ALL.iter().map(|&t| corpus(t)).collect();
    let report = Arc::new(Mutex::new(Report::default()));
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    // The watchdog: a case that outlives the hang limit is a finding.
    let running: Arc<Vec<Slot>> = Arc::new((0..opts.threads).map(|_| Mutex::new(None)).collect());
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (running, done, findings, hang) = (
            running.clone(),
            done.clone(),
            opts.findings.clone(),
            opts.hang,
        );
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                for slot in running.iter() {
                    if let Some((case, since, target)) = *slot.lock().unwrap()
                        && since.elapsed() > hang
                    {
                        std::fs::create_dir_all(&findings).unwrap();
                        std::fs::write(
                            findings.join(format!("hang-{target}-{case}.txt")),
                            format!("case {case} of target {target} ran over {hang:?}\n"),
                        )
                        .unwrap();
                        eprintln!("hang: case {case} ({target}) ran over {hang:?}");
                        std::process::exit(2);
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    std::thread::scope(|s| {
        for t in 0..opts.threads {
            let (fx, report, next, running, seeds, targets) = (
                fx.clone(),
                report.clone(),
                next.clone(),
                running.clone(),
                &seeds,
                &targets,
            );
            let dir = work.path().join(format!("thread-{t}"));
            furnish(&dir);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= opts.cases {
                        break;
                    }
                    let mut rng =
                        Pcg64Mcg::seed_from_u64(opts.seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let target = choose(&mut rng, targets);
                    let k = Target::ALL.iter().position(|x| *x == target).unwrap();
                    let mut tseeds = &seeds[k];
                    let fallback = vec![("empty".to_string(), Vec::new())];
                    if tseeds.is_empty() {
                        tseeds = &fallback;
                    }
                    *running[t].lock().unwrap() = Some((i, Instant::now(), target.name()));
                    let kept = Mutex::new(Vec::new());
                    let result =
                        guard::catch(|| case(target, &mut rng, &dir, tseeds, &fx, &kept).1);
                    let input = std::mem::take(&mut *kept.lock().unwrap());
                    *running[t].lock().unwrap() = None;
                    let mut r = report.lock().unwrap();
                    r.cases += 1;
                    r.per_target[k] += 1;
                    match result {
                        Ok(true) => r.accepted[k] += 1,
                        Ok(false) => {}
                        Err(message) => {
                            std::fs::create_dir_all(&opts.findings).unwrap();
                            std::fs::write(
                                opts.findings
                                    .join(format!("panic-{}-{i}.bin", target.name())),
                                &input,
                            )
                            .unwrap();
                            r.panics.push((i, target.name(), message));
                        }
                    }
                }
            });
        }
    });
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    let mut r = std::mem::take(&mut *report.lock().unwrap());
    r.seconds = started.elapsed().as_secs_f64();
    r
}

impl Report {
    /// One line per target and a total.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for (k, t) in Target::ALL.iter().enumerate() {
            s.push_str(&format!(
                "  {:<12} {:>9} cases, {:>8} accepted\n",
                t.name(),
                self.per_target[k],
                self.accepted[k]
            ));
        }
        s.push_str(&format!(
            "  {} cases in {:.1} s ({:.0} cases/s), {} panics, {} hangs\n",
            self.cases,
            self.seconds,
            self.cases as f64 / self.seconds.max(1e-9),
            self.panics.len(),
            self.hangs.len()
        ));
        for (i, t, m) in self.panics.iter().take(20) {
            s.push_str(&format!("  panic in case {i} ({t}): {m}\n"));
        }
        s
    }
}
