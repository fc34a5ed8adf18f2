//! The fuzz harness over every input path (see `tests/fuzz/harness.rs`):
//!
//! ```sh
//! cargo run --release --example fuzz -- --cases 1000000 [--seed S] [--threads T] [--target NAME]...
//! ```
//!
//! Prints cases per second by target, and every panic (its input saved
//! under `target/fuzz-findings/`); a case running over a minute is a hang,
//! saved likewise, and stops the run with exit code 2. Exit code 1 if any
//! case panicked.

// A command-line program: it prints its report.
#![allow(clippy::disallowed_macros)]

#[path = "../tests/fuzz/harness.rs"]
mod harness;

use std::time::Duration;

fn main() {
    let mut opts = harness::Options {
        cases: 100_000,
        seed: 1,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        targets: vec![],
        findings: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings"),
        hang: Duration::from_secs(60),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut replay = None;
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--cases" => opts.cases = value.parse().expect("--cases N"),
            "--seed" => opts.seed = value.parse().expect("--seed S"),
            "--threads" => opts.threads = value.parse().expect("--threads T"),
            "--case" => replay = Some(value.parse::<u64>().expect("--case N")),
            "--target" => opts.targets.push(
                *harness::Target::ALL
                    .iter()
                    .find(|t| t.name() == value)
                    .unwrap_or_else(|| panic!("--target: one of scenario, register, compare, sweep, sensitivity, calibration, sets, state, folder")),
            ),
            other => panic!("unknown argument {other}; use --cases N --seed S --threads T --target NAME"),
        }
        i += 2;
    }
    if let Some(case) = replay {
        match harness::replay(opts.seed, &opts.targets, case) {
            Ok(accepted) => println!("case {case}: no panic (accepted: {accepted})"),
            Err(m) => println!("case {case}: panic: {m}"),
        }
        return;
    }
    println!(
        "fuzzing {} cases, seed {}, {} threads",
        opts.cases, opts.seed, opts.threads
    );
    let report = harness::run(&opts);
    print!("{}", report.describe());
    if !report.panics.is_empty() {
        std::process::exit(1);
    }
}
