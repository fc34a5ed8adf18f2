//! `trustsim compare`: runs policy variants with common random numbers
//! (each variant a resumable run in its own subfolder) and reports paired
//! differences against the first variant.

use std::path::{Path, PathBuf};

use crate::compare::file::CompareSection;
use anyhow::{Result, bail};

use super::run::{self, Bar, RunFlags};
use super::{interrupt, table};
use crate::compare::{self, Difference};
use crate::metrics::Scope;
use crate::model::Params;
use crate::output::comparison::{self as out, ComparisonManifest};
use crate::output::parameter_sets::ParameterSetsFile;
use crate::output::{self, FileMeta};
use crate::runner::{self, RunSpec, folder, preflight};
use crate::scenario::{self, Setting};

/// Command-line options of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Two or more scenario files (the first is the reference), or one
    /// comparison file with `[compare] variants = [...]`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: RunFlags,
    /// Give each variant its own seed instead of common random numbers (to
    /// see what common random numbers buy).
    #[arg(long)]
    pub independent_seeds: bool,
    /// Compare variants that differ in structure (trust counts or sizes,
    /// staff scale, months, burn-in), which are different worlds rather
    /// than different policies.
    #[arg(long)]
    pub allow_structural: bool,
    /// Replace the results of another comparison found in the output folder.
    #[arg(long)]
    pub force: bool,
}

/// The variant files, and a name and settings from a comparison file if one was given.
fn variant_files(args: &CompareArgs) -> Result<(Vec<PathBuf>, Option<CompareSection>)> {
    if let [file] = args.files.as_slice() {
        let (files, section) = crate::compare::file::read(file)?;
        return Ok((files, Some(section)));
    }
    Ok((args.files.clone(), None))
}

/// Seed of variant `k`: the common seed, or (with independent seeds, used to
/// show what common random numbers buy) a different seed per variant.
pub fn variant_seed(seed: u64, k: usize, independent: bool) -> u64 {
    if independent {
        // Seeds are TOML integers: at most i64::MAX.
        (seed ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) & (i64::MAX as u64)
    } else {
        seed
    }
}

/// The comparison file's value `file`, unless the command line gave `flag`;
/// otherwise, or without it, `scenario` (the first variant's value, which a
/// flag has already set).
fn unless_flag<T>(flag: &Option<String>, file: Option<T>, scenario: T) -> T {
    if flag.is_none() { file } else { None }.unwrap_or(scenario)
}

/// Loads every variant with the shared settings, a common replication count
/// and each variant's seed.
fn load_variants(
    args: &CompareArgs,
    files: &[PathBuf],
    section: Option<&CompareSection>,
) -> Result<(Vec<Params>, Vec<Setting>)> {
    let shared = args.flags.settings();
    let first = scenario::load_with(&files[0], &shared)?.params;
    let replications = unless_flag(
        &args.flags.replications,
        section.and_then(|s| s.replications),
        first.run.replications,
    );
    let seed = unless_flag(
        &args.flags.seed,
        section.and_then(|s| s.seed),
        first.run.seed,
    );
    let mut variants = Vec::new();
    for (k, f) in files.iter().enumerate() {
        let mut settings = shared.clone();
        settings.push(Setting::flag(
            "--replications",
            "run.replications",
            replications,
        ));
        let s = variant_seed(seed, k, args.independent_seeds);
        settings.push(Setting::flag("--seed", "run.seed", s));
        variants.push(scenario::load_with(f, &settings)?.params);
    }
    for (i, a) in variants.iter().enumerate() {
        if let Some(j) = variants[..i].iter().position(|b| b.run.name == a.run.name) {
            bail!(
                "variants {} and {} share the name `{}`; give each a distinct run.name",
                files[j].display(),
                files[i].display(),
                a.run.name
            );
        }
    }
    Ok((variants, shared))
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let (files, section) = variant_files(&args)?;
    let (variants, shared) = load_variants(&args, &files, section.as_ref())?;
    let refs: Vec<&Params> = variants.iter().collect();
    let differences = compare::differing_parameters(&refs);
    check_structure(&differences, args.allow_structural)?;
    let sets_file = args.flags.sets_file(variants[0].run.replications)?;
    let sets = match &sets_file {
        Some(file) => Some(variant_sets(&variants, file)?),
        None => None,
    };
    let names: Vec<String> = variants.iter().map(|p| p.run.name.clone()).collect();
    let label = section
        .and_then(|s| s.name)
        .unwrap_or_else(|| default_name(&names));
    crate::files::names::check("compare.name", &label).map_err(|m| {
        anyhow::anyhow!(
            "{}: {m}",
            args.files
                .first()
                .map_or(String::new(), |f| f.display().to_string())
        )
    })?;
    let dir = args
        .flags
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&label));
    let threads = args.flags.threads()?;
    let seconds: f64 = variants
        .iter()
        .map(|p| preflight::seconds(p, p.run.replications, threads))
        .sum();
    run::confirm_duration(
        &format!("this comparison of {} variants", variants.len()),
        seconds,
        &args.flags,
    )?;

    let _lock = folder::Lock::acquire(&folder::lock_path(&dir))?;
    let mut record = ComparisonManifest {
        trustsim_version: env!("CARGO_PKG_VERSION").into(),
        name: label,
        variants: names,
        scenario_hashes: variants
            .iter()
            .map(|p| {
                runner::sets::run_hash(
                    &scenario::scenario_hash(p),
                    sets_file.as_ref().map(|f| &f.sets),
                )
            })
            .collect(),
        replications: variants[0].run.replications,
        seed: variants[0].run.seed,
        common_random_numbers: !args.independent_seeds,
        differences,
        settings: shared.iter().map(|s| s.shown.clone()).collect(),
        complete: false,
        files: vec![],
        pending: out::planned_files(args.flags.csv, !args.flags.no_charts),
        parameter_sets: sets_file
            .as_ref()
            .map(|f| f.record(variants[0].run.replications)),
    };
    prepare_folder(&dir, &record, &record.pending, args.force)?;
    out::write_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST), &record)?;
    print_plan(&record, &dir);
    run_variants(
        &variants,
        sets.as_deref(),
        &dir,
        threads,
        &record.settings,
        &args,
    )?;
    let rows = out::read_differences(&dir, &record.variants)?;
    let changes = crate::charts::difference::change_months(&variants);
    write_outputs(
        &dir,
        &rows,
        &record,
        (args.flags.csv, !args.flags.no_charts),
        &changes,
    )?;
    record.files = record
        .pending
        .iter()
        .map(|n| crate::files::FileEntry::of_file(&dir, n, crate::files::limits::STATE_BYTES))
        .collect::<Result<_, _>>()?;
    record.pending.clear();
    record.complete = true;
    out::write_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST), &record)?;
    outln!();
    out!("{}", table::comparison(&rows));
    if record.parameter_sets.is_some() {
        outln!();
        out!("{}", table::set_means(&rows, Scope::FinalYear));
    }
    for v in &record.variants[1..] {
        outln!();
        for line in compare::plain_words(&rows, v, Scope::FinalYear) {
            outln!("{line}");
        }
    }
    Ok(())
}

/// Every variant with every parameter set applied; refuses sets that give
/// a parameter the variants differ in (the set would overwrite the policy).
fn variant_sets(
    variants: &[Params],
    file: &std::sync::Arc<ParameterSetsFile>,
) -> Result<Vec<std::sync::Arc<runner::AppliedSets>>> {
    let refs: Vec<&Params> = variants.iter().collect();
    let conflicts = runner::sets::conflicts(&file.sets, &refs);
    if !conflicts.is_empty() {
        bail!(
            "parameter sets {}: the variants differ in {}, which the sets also give; a set would overwrite the policy being compared, so leave {} out of the parameter sets",
            file.path.display(),
            conflicts
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if conflicts.len() == 1 { "it" } else { "them" }
        );
    }
    variants.iter().map(|p| run::apply_sets(p, file)).collect()
}

/// Refuses variants that differ in structure (listed among the parameter
/// `differences`) unless `allowed`.
fn check_structure(differences: &[String], allowed: bool) -> Result<()> {
    let structural: Vec<&String> = differences
        .iter()
        .filter(|d| compare::is_structural(d.split(':').next().unwrap_or("")))
        .collect();
    if !structural.is_empty() && !allowed {
        bail!(
            "the variants differ in structure, so they are different worlds rather than different policies and common random numbers do not pair them:\n  {}\npass --allow-structural to compare them anyway",
            structural
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    Ok(())
}

/// The output folder name of a comparison of the variants `names`.
fn default_name(names: &[String]) -> String {
    match names {
        [a, b] => format!("compare-{a}-vs-{b}"),
        [a, rest @ ..] => format!("compare-{a}-vs-{}-others", rest.len()),
        [] => "compare".into(),
    }
}

/// Prints what is about to run: the variants, how they are seeded, and the
/// parameters that differ between them.
fn print_plan(record: &ComparisonManifest, dir: &Path) {
    outln!(
        "{}: {} variants x {} replications, {} -> {}",
        record.name,
        record.variants.len(),
        record.replications,
        if record.common_random_numbers {
            format!("common random numbers from seed {}", record.seed)
        } else {
            "independent seeds".to_string()
        },
        dir.display()
    );
    if let Some(s) = &record.parameter_sets {
        outln!(
            "replication i of every variant uses parameter set i mod {} and the same random streams: same world, same chance, different policy",
            s.sets
        );
    }
    outln!("parameters that differ between the variants:");
    if record.differences.is_empty() {
        outln!("  none (the variants differ only in name)");
    }
    for d in &record.differences {
        outln!("  {d}");
    }
    outln!();
}

/// Runs the variants (resumably) into their subfolders of `dir`, each
/// replication's shared history once, and prints each variant's account
/// and what sharing saved.
fn run_variants(
    variants: &[Params],
    sets: Option<&[std::sync::Arc<runner::AppliedSets>]>,
    dir: &Path,
    threads: usize,
    settings: &[String],
    args: &CompareArgs,
) -> Result<()> {
    let cancel = runner::Cancel::from_flag(interrupt::flag());
    let specs: Vec<RunSpec> = variants
        .iter()
        .enumerate()
        .map(|(k, p)| RunSpec {
            sets: sets.map(|s| s[k].clone()),
            charts: !args.flags.no_charts,
            replace: args.force,
            ignore_disk: args.force,
            settings: settings.to_vec(),
            csv: args.flags.csv,
            ..RunSpec::new(p.clone(), dir.join(&p.run.name), threads)
        })
        .collect();
    let (reports, sharing) = runner::run_branched(
        &specs,
        &Bar::new(args.flags.quiet, "variant-replications"),
        &cancel,
    )
    .map_err(run::interrupted)?;
    for ((p, report), spec) in variants.iter().zip(&reports).zip(&specs) {
        let resumed = if report.resumed > 0 {
            format!(" ({} kept from an interrupted run)", report.resumed)
        } else {
            String::new()
        };
        outln!(
            "{}: {} replications{resumed} x {} trusts x {} months -> {}",
            p.run.name,
            p.run.replications,
            p.trusts.total(),
            p.run.months,
            spec.dir.display()
        );
    }
    let wall = reports.iter().map(|r| r.wall_seconds).fold(0.0, f64::max);
    outln!(
        "{} variants in {wall:.1} s; {}",
        variants.len(),
        sharing_line(&variants[0], &sharing)
    );
    Ok(())
}

/// What the shared history saved, in words.
fn sharing_line(p: &Params, s: &runner::Sharing) -> String {
    let burn_in = p.run.burn_in_months;
    let shared = if s.branch_month >= s.total_months {
        "the variants never differ, so each replication was simulated once".to_string()
    } else if s.branch_month == 0 {
        "the variants differ from the start (or use independent seeds), so nothing is shared"
            .to_string()
    } else if s.branch_month <= burn_in {
        format!(
            "the variants share their first {} simulated months (burn-in), simulated once per replication",
            s.branch_month
        )
    } else {
        format!(
            "the variants share their history up to reported month {} ({} simulated months), simulated once per replication",
            s.branch_month - burn_in,
            s.branch_month
        )
    };
    format!(
        "{shared}: {} replication-months simulated instead of {} ({:.0} % less work)",
        s.months_simulated,
        s.months_unshared,
        100.0 * s.saving()
    )
}

/// Refuses a folder that holds another comparison (or a run) unless
/// `force`, then clears what trustsim wrote there, and refuses if anything
/// that is not trustsim's sits where the comparison writes (`planned`).
fn prepare_folder(
    dir: &Path,
    record: &ComparisonManifest,
    planned: &[String],
    force: bool,
) -> Result<()> {
    let path = dir.join(out::COMPARISON_MANIFEST);
    let found = out::read_comparison_manifest(&path);
    let same = found.as_ref().is_ok_and(|f| {
        f.variants == record.variants
            && f.scenario_hashes == record.scenario_hashes
            && f.common_random_numbers == record.common_random_numbers
    });
    let run = (!path.exists())
        .then(|| output::read_manifest(&dir.join(output::MANIFEST_FILE)).ok())
        .flatten();
    let other = match &found {
        Ok(f) if !same => Some(format!(
            "a comparison of {} ({} replications)",
            f.variants.join(", "),
            f.replications
        )),
        Ok(_) => None,
        Err(_) if run.is_some() => Some("a single run (manifest.json)".to_string()),
        Err(_) if path.exists() => Some(format!(
            "a comparison.json that cannot be used ({})",
            found
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        )),
        Err(_) => None,
    };
    if let Some(what) = &other
        && !force
    {
        bail!(
            "{} holds {what}; pass --force to delete those results and write this comparison there, or choose another --out",
            dir.display()
        );
    }
    let mut ours = vec![];
    match (&found, &run) {
        (Ok(f), _) if same => ours = f.pending.clone(),
        (Ok(f), _) => folder::clear_recorded(dir, out::COMPARISON_MANIFEST, &f.files, &f.pending)?,
        (Err(_), Some(m)) => folder::clear_outputs(dir, Some(m))?,
        (Err(_), None) => {}
    }
    if let Ok(f) = &found
        && same
    {
        // A finished comparison of the same variants is replaced.
        for e in &f.files {
            if crate::files::owned::classify(&dir.join(&e.name), Some(e))
                == crate::files::owned::Found::Ours
            {
                ours.push(e.name.clone());
            }
        }
    }
    let mut all = planned.to_vec();
    all.push(out::COMPARISON_MANIFEST.into());
    if same || other.is_none() && !path.exists() {
        ours.push(out::COMPARISON_MANIFEST.into());
    }
    folder::check_writable(dir, &all, &ours)?;
    Ok(())
}

fn write_outputs(
    dir: &Path,
    rows: &[Difference],
    record: &ComparisonManifest,
    (csv, charts): (bool, bool),
    changes: &[u32],
) -> Result<()> {
    let meta = FileMeta {
        scenario_hash: record.scenario_hashes.join("+"),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
        parameter_sets: record.parameter_sets.as_ref().map(|s| s.used),
    };
    out::write_comparison(&dir.join(out::COMPARISON_FILE), rows, &meta)?;
    if csv {
        let text = out::COMPARISON.csv(rows.iter());
        output::write_atomic(&dir.join(out::COMPARISON_CSV), text.as_bytes())?;
    }
    if charts {
        crate::charts::forest::render_forest(rows, &dir.join("charts"), &out::provenance(record))?;
        crate::charts::difference::render_differences(
            dir,
            &record.variants,
            changes.to_vec(),
            rows,
        )?;
    }
    Ok(())
}
