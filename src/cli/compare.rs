//! `trustsim compare`: runs policy variants with common random numbers and
//! reports paired differences against the first variant.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::run::{self, RunOptions};
use super::table;
use crate::compare::{self, Scope, Values};
use crate::model::Params;
use crate::output::{self, FileMeta};
use crate::scenario;

/// A comparison file: `[compare] variants = ["a.toml", "b.toml"]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareFile {
    compare: CompareSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareSection {
    /// Output folder name (default: from the variant names).
    name: Option<String>,
    /// Scenario files, the first being the reference; relative to this file.
    variants: Vec<String>,
    replications: Option<u32>,
    seed: Option<u64>,
}

/// Command-line options of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Two or more scenario files (the first is the reference), or one
    /// comparison file with `[compare] variants = [...]`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: run::RunFlags,
    /// Give each variant its own seed instead of common random numbers (to
    /// see what common random numbers buy).
    #[arg(long)]
    pub independent_seeds: bool,
}

/// The variant files, and a name and settings from a comparison file if one was given.
fn variant_files(args: &CompareArgs) -> Result<(Vec<PathBuf>, Option<CompareSection>)> {
    if let [file] = args.files.as_slice() {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read comparison file {}", file.display()))?;
        let parsed: CompareFile = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: not a comparison file ([compare] with variants = [...]): {}",
                file.display(),
                e.message()
            )
        })?;
        let dir = file.parent().unwrap_or(Path::new(""));
        let files: Vec<PathBuf> = parsed
            .compare
            .variants
            .iter()
            .map(|v| dir.join(v))
            .collect();
        if files.len() < 2 {
            bail!(
                "{}: compare.variants needs at least two scenario files",
                file.display()
            );
        }
        return Ok((files, Some(parsed.compare)));
    }
    Ok((args.files.clone(), None))
}

/// Seed of variant `k`: the common seed, or (with independent seeds, used to
/// show what common random numbers buy) a different seed per variant.
pub fn variant_seed(seed: u64, k: usize, independent: bool) -> u64 {
    if independent {
        seed ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    } else {
        seed
    }
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let (files, section) = variant_files(&args)?;
    let mut variants: Vec<Params> = Vec::new();
    for f in &files {
        variants.push(scenario::load(f)?.params);
    }
    let replications = args
        .flags
        .replications
        .or(section.as_ref().and_then(|s| s.replications))
        .unwrap_or(variants[0].run.replications);
    let seed = args
        .flags
        .seed
        .or(section.as_ref().and_then(|s| s.seed))
        .unwrap_or(variants[0].run.seed);
    for (k, p) in variants.iter_mut().enumerate() {
        run::apply_overrides(
            p,
            Some(replications),
            Some(variant_seed(seed, k, args.independent_seeds)),
            args.flags.months,
        )?;
    }
    for (i, a) in variants.iter().enumerate() {
        if let Some(b) = variants[..i].iter().find(|b| b.run.name == a.run.name) {
            bail!(
                "variants {} and {} share the name `{}`; give each a distinct run.name",
                files[variants
                    .iter()
                    .position(|x| std::ptr::eq(x, b))
                    .unwrap_or(0)]
                .display(),
                files[i].display(),
                a.run.name
            );
        }
    }
    let names: Vec<String> = variants.iter().map(|p| p.run.name.clone()).collect();
    let label = section
        .and_then(|s| s.name)
        .unwrap_or_else(|| match names.as_slice() {
            [a, b] => format!("compare-{a}-vs-{b}"),
            [a, rest @ ..] => format!("compare-{a}-vs-{}-others", rest.len()),
            [] => "compare".into(),
        });
    let out = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&label));
    let opts = RunOptions {
        threads: run::threads(args.flags.threads)?,
        quiet: args.flags.quiet,
        charts: !args.flags.no_charts,
        check_invariants: false,
        force: false,
        resume: false,
    };

    let months = variants[0].run.months;
    let mut horizon: Vec<(String, Values)> = Vec::new();
    let mut run_mean: Vec<(String, Values)> = Vec::new();
    for p in &variants {
        let (mut h, mut r) = (Vec::new(), Vec::new());
        run::run_to_dir(p, &out.join(&p.run.name), &opts, &mut |f| {
            h.push(compare::outcome_values(
                &f.result,
                p.run.months,
                Scope::Horizon,
            ));
            r.push(compare::outcome_values(
                &f.result,
                p.run.months,
                Scope::RunMean,
            ));
        })?;
        if p.run.months != months {
            bail!(
                "variant {} reports {} months and the first {}; use --months to align them",
                p.run.name,
                p.run.months,
                months
            );
        }
        horizon.push((p.run.name.clone(), h));
        run_mean.push((p.run.name.clone(), r));
    }
    let mut rows = compare::paired_differences(&horizon, Scope::Horizon);
    rows.extend(compare::paired_differences(&run_mean, Scope::RunMean));
    let hashes: Vec<String> = variants
        .iter()
        .map(|p| scenario::scenario_hash(p))
        .collect();
    let meta = FileMeta {
        scenario_hash: hashes.join("+"),
        seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: label.clone(),
    };
    output::comparison::write_comparison(
        &out.join(output::comparison::COMPARISON_FILE),
        &rows,
        &meta,
    )?;
    if !args.flags.no_charts {
        let provenance = format!(
            "Variants: {}; {replications} replications each, seed {seed}; trustsim {}",
            names.join(", "),
            env!("CARGO_PKG_VERSION")
        );
        crate::charts::forest::render_forest(&rows, &out.join("charts"), &provenance)?;
    }
    println!(
        "{label}: {} variants x {replications} replications, {} seeds {seed} -> {}",
        variants.len(),
        if args.independent_seeds {
            "independent"
        } else {
            "common random numbers from"
        },
        out.display()
    );
    println!();
    print!("{}", table::comparison(&rows));
    Ok(())
}
