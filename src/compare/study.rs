//! Running a comparison: policy variants with common random numbers, each
//! a resumable run in its own subfolder, and the paired differences
//! against the first variant written beside them (`comparison.json`,
//! `comparison.parquet`, charts). [`plan`] loads and checks the variants
//! and says what will run; [`Planned::execute`] runs them. Nothing here
//! prints: lines of account go to the [`Progress`] passed in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Difference;
use super::file::CompareSection;
use crate::model::Params;
use crate::output::comparison::{self as out, ComparisonManifest};
use crate::output::parameter_sets::ParameterSetsFile;
use crate::output::{self, FileMeta, OutputError};
use crate::runner::{
    self, AppliedSets, Cancel, DrawError, Drawing, Progress, RunError, RunReport, RunSpec, Sharing,
};
use crate::runner::{folder, preflight};
use crate::scenario::{self, ScenarioError, Setting, Source};

/// Why a comparison cannot run or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("a comparison needs at least two variants (the first is the reference); {0} given")]
    TooFew(usize),
    #[error("variants {first} and {second} share the name `{name}`; give each a distinct run.name")]
    SameName {
        first: String,
        second: String,
        name: String,
    },
    #[error(
        "the variants differ in structure, so they are different worlds rather than different policies and common random numbers do not pair them:\n  {}\npass --allow-structural to compare them anyway",
        .0.join("\n  ")
    )]
    Structural(Vec<String>),
    #[error(
        "parameter sets {}: the variants differ in {}, which the sets also give; a set would overwrite the policy being compared, so leave {} out of the parameter sets",
        path.display(),
        keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
        if keys.len() == 1 { "it" } else { "them" }
    )]
    SetsConflict { path: PathBuf, keys: Vec<String> },
    /// Parameter sets whose values the scenario's checks refuse.
    #[error("{0}")]
    Sets(String),
    #[error("{0}")]
    Name(String),
    #[error(
        "{} holds {what}; pass --force to delete those results and write this comparison there, or choose another --out",
        dir.display()
    )]
    Occupied { dir: PathBuf, what: String },
    #[error(transparent)]
    Folder(#[from] folder::FolderError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Run(#[from] RunError),
    /// The comparison's charts could not be drawn.
    #[error(transparent)]
    Charts(DrawError),
    #[error(transparent)]
    File(#[from] crate::files::digest::VerifyError),
}

/// What to compare and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// The variants; the first is the reference.
    pub variants: Vec<Source>,
    /// Name, replications and seed from a comparison file, if one was
    /// given; a setting of `run.replications` or `run.seed` overrides them.
    pub section: Option<CompareSection>,
    /// Settings layered over every variant (flags, `--set`).
    pub settings: Vec<Setting>,
    /// A seed per variant instead of common random numbers.
    pub independent_seeds: bool,
    /// Allow variants that differ in structure.
    pub allow_structural: bool,
    /// Replace another comparison (or run) found in the output folder.
    pub force: bool,
    /// Plausible parameter sets, replication i of every variant using set
    /// i mod M.
    pub parameter_sets: Option<Arc<ParameterSetsFile>>,
    /// Output folder (default: `output/<name>`).
    pub out: Option<PathBuf>,
    pub threads: usize,
    /// Also write CSV; draw charts (the [`Charts`] given to [`plan`]).
    pub csv: bool,
    pub charts: bool,
}

/// A checked comparison, ready to run.
#[derive(Debug)]
pub struct Planned {
    /// The variants, loaded with the shared settings, the common
    /// replication count and each variant's seed.
    pub variants: Vec<Params>,
    /// What `comparison.json` will record.
    pub record: ComparisonManifest,
    /// The output folder.
    pub dir: PathBuf,
    /// Estimated seconds of simulation.
    pub seconds: f64,
    /// Policy levers that cannot act in a variant, one line each.
    pub warnings: Vec<String>,
    /// What to know about the parameter sets for this comparison, one line
    /// each ([`ParameterSetsFile::notes`]).
    pub notes: Vec<String>,
    sets: Option<Vec<Arc<AppliedSets>>>,
    force: bool,
    threads: usize,
    csv: bool,
    charts: Option<Charts>,
}

/// What a comparison draws, handed in by the layer that draws
/// ([`crate::api`]): each variant's run charts, and the comparison's own
/// from its folder once `comparison.parquet` is written.
#[derive(Debug, Clone)]
pub struct Charts {
    pub run: Drawing,
    pub comparison: Drawing,
}

/// A finished comparison.
#[derive(Debug)]
pub struct Outcome {
    pub dir: PathBuf,
    pub record: ComparisonManifest,
    /// Paired differences of every outcome against the reference.
    pub rows: Vec<Difference>,
    /// Each variant's run, in order.
    pub reports: Vec<RunReport>,
    /// What the shared history saved.
    pub sharing: Sharing,
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

/// The output folder name of a comparison of the variants `names`.
pub fn default_name(names: &[String]) -> String {
    match names {
        [a, b] => format!("compare-{a}-vs-{b}"),
        [a, rest @ ..] => format!("compare-{a}-vs-{}-others", rest.len()),
        [] => "compare".into(),
    }
}

/// Loads and checks the variants of `request` and plans the comparison,
/// drawing `charts` if the request asks for charts; writes nothing.
pub fn plan(request: &Request, charts: Charts) -> Result<Planned, CompareError> {
    let charts = request.charts.then_some(charts);
    if request.variants.len() < 2 {
        return Err(CompareError::TooFew(request.variants.len()));
    }
    let variants = load_variants(request)?;
    let refs: Vec<&Params> = variants.iter().collect();
    let differing = crate::scenario::keys::differing(&refs);
    let structural: Vec<String> = differing
        .iter()
        .filter(|d| super::is_structural(&d.key))
        .map(|d| d.to_string())
        .collect();
    let differences: Vec<String> = differing.iter().map(|d| d.to_string()).collect();
    if !structural.is_empty() && !request.allow_structural {
        return Err(CompareError::Structural(structural));
    }
    let sets = match &request.parameter_sets {
        Some(file) => Some(variant_sets(&variants, file)?),
        None => None,
    };
    let names: Vec<String> = variants.iter().map(|p| p.run.name.clone()).collect();
    let label = request
        .section
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| default_name(&names));
    crate::files::names::check("compare.name", &label)
        .map_err(|m| CompareError::Name(format!("{}: {m}", request.variants[0].shown())))?;
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&label));
    let seconds = variants
        .iter()
        .map(|p| preflight::seconds(p, p.run.replications, request.threads))
        .sum();
    let warnings = variants
        .iter()
        .flat_map(|p| {
            crate::model::development::lever_warnings(p)
                .into_iter()
                .map(|w| format!("{}: {w}", p.run.name))
        })
        .collect();
    let sets_file = request.parameter_sets.as_ref();
    let record = ComparisonManifest {
        trustsim_version: env!("CARGO_PKG_VERSION").into(),
        name: label,
        variants: names,
        scenario_hashes: variants
            .iter()
            .map(|p| {
                runner::sets::run_hash(&scenario::scenario_hash(p), sets_file.map(|f| &f.sets))
            })
            .collect(),
        replications: variants[0].run.replications,
        seed: variants[0].run.seed,
        common_random_numbers: !request.independent_seeds,
        differences,
        settings: request.settings.iter().map(|s| s.shown.clone()).collect(),
        complete: false,
        files: vec![],
        pending: out::planned_files(
            request.csv,
            charts.as_ref().map_or(&[], |c| c.comparison.files()),
        ),
        parameter_sets: sets_file.map(|f| f.record(variants[0].run.replications)),
        scope: Some(crate::model::params::RunScope::of(&variants[0])),
    };
    Ok(Planned {
        notes: sets_file.map_or_else(Vec::new, |f| f.notes(variants[0].run.replications)),
        variants,
        record,
        dir,
        seconds,
        warnings,
        sets,
        force: request.force,
        threads: request.threads,
        csv: request.csv,
        charts,
    })
}

/// Loads every variant with the shared settings, a common replication count
/// and each variant's seed.
fn load_variants(request: &Request) -> Result<Vec<Params>, CompareError> {
    let shared = &request.settings;
    let first = request.variants[0].load(shared)?.params;
    let flagged = |key: &str| shared.iter().any(|s| s.key() == key);
    let section = request.section.as_ref();
    let replications = section
        .and_then(|s| s.replications)
        .filter(|_| !flagged("run.replications"))
        .unwrap_or(first.run.replications);
    let seed = section
        .and_then(|s| s.seed)
        .filter(|_| !flagged("run.seed"))
        .unwrap_or(first.run.seed);
    let mut variants: Vec<Params> = Vec::new();
    for (k, source) in request.variants.iter().enumerate() {
        let mut settings = shared.clone();
        settings.push(Setting::flag(
            "--replications",
            "run.replications",
            replications,
        ));
        let s = variant_seed(seed, k, request.independent_seeds);
        settings.push(Setting::flag("--seed", "run.seed", s));
        let p = source.load(&settings)?.params;
        if let Some(j) = variants.iter().position(|b| b.run.name == p.run.name) {
            return Err(CompareError::SameName {
                first: request.variants[j].shown(),
                second: source.shown(),
                name: p.run.name.clone(),
            });
        }
        variants.push(p);
    }
    Ok(variants)
}

/// Every variant with every parameter set applied; refuses sets that give
/// a parameter the variants differ in (the set would overwrite the policy).
fn variant_sets(
    variants: &[Params],
    file: &Arc<ParameterSetsFile>,
) -> Result<Vec<Arc<AppliedSets>>, CompareError> {
    let refs: Vec<&Params> = variants.iter().collect();
    let conflicts = runner::sets::conflicts(&file.sets, &refs);
    if !conflicts.is_empty() {
        return Err(CompareError::SetsConflict {
            path: file.path.clone(),
            keys: conflicts,
        });
    }
    variants
        .iter()
        .map(|p| {
            AppliedSets::new(p, file)
                .map(Arc::new)
                .map_err(CompareError::Sets)
        })
        .collect()
}

impl Planned {
    /// What is about to run, one line each: the variants, how they are
    /// seeded, and the parameters that differ between them.
    pub fn plan_lines(&self) -> Vec<String> {
        let record = &self.record;
        let mut lines = vec![format!(
            "{}: {} variants x {} replications, {} -> {}",
            record.name,
            record.variants.len(),
            record.replications,
            if record.common_random_numbers {
                format!("common random numbers from seed {}", record.seed)
            } else {
                "independent seeds".to_string()
            },
            self.dir.display()
        )];
        if let Some(s) = &record.parameter_sets {
            lines.push(format!(
                "replication i of every variant uses parameter set i mod {} and the same random streams: same world, same chance, different policy",
                s.sets
            ));
        }
        lines.push("parameters that differ between the variants:".into());
        if record.differences.is_empty() {
            lines.push("  none (the variants differ only in name)".into());
        }
        lines.extend(record.differences.iter().map(|d| format!("  {d}")));
        lines
    }

    /// Runs the comparison (resuming a finished or interrupted one of the
    /// same variants in the folder): says the plan to `progress`, runs the
    /// variants, each replication's shared history once, and writes the
    /// differences, their charts and the sealed record. Stops within a
    /// simulated month of `cancel` ([`RunError::Interrupted`]), keeping
    /// finished replications.
    pub fn execute(
        self,
        progress: &dyn Progress,
        cancel: &Cancel,
    ) -> Result<Outcome, CompareError> {
        let dir = self.dir.clone();
        let _lock = folder::Lock::acquire(&folder::lock_path(&dir))?;
        let mut record = self.record.clone();
        // Every refusal before anything is changed: the comparison's own
        // folder, then each variant's (a finished variant to be taken as it
        // is passes as it is).
        prepare_folder(&dir, &record, &record.pending, self.force, false)?;
        let resuming = resumes(&dir, &record);
        let groups = policy_groups(&self.variants);
        let specs: Vec<RunSpec> = self
            .variants
            .iter()
            .enumerate()
            .map(|(k, p)| RunSpec {
                sets: self.sets.as_ref().map(|s| s[k].clone()),
                charts: self.charts.as_ref().map(|c| c.run.clone()),
                replace: self.force,
                ignore_disk: self.force,
                settings: record.settings.clone(),
                csv: self.csv,
                groups: groups.clone(),
                reuse_finished: resuming,
                ..RunSpec::new(p.clone(), dir.join(&p.run.name), self.threads)
            })
            .collect();
        for spec in &specs {
            if !runner::would_reuse(spec) {
                runner::check_folder(spec)?;
            }
        }
        prepare_folder(&dir, &record, &record.pending, self.force, true)?;
        out::write_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST), &record)?;
        for line in self.plan_lines() {
            progress.say(&line);
        }
        progress.say("");
        let (reports, sharing) = runner::run_branched(&specs, progress, cancel)?;
        let rows = super::read_differences(&dir, &record.variants)?;
        write_outputs(&dir, &rows, &record, self.csv)?;
        if let Some(c) = &self.charts {
            progress.phase("drawing the comparison's charts");
            c.comparison.draw(&dir).map_err(CompareError::Charts)?;
        }
        record.files = record
            .pending
            .iter()
            .map(|n| crate::files::FileEntry::of_file(&dir, n, crate::files::limits::STATE_BYTES))
            .collect::<Result<_, _>>()?;
        record.pending.clear();
        record.complete = true;
        out::write_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST), &record)?;
        Ok(Outcome {
            dir,
            record,
            rows,
            reports,
            sharing,
        })
    }
}

/// The targeted policy of each variant after the first: its targeted
/// entries that the reference does not have (none: no group).
pub fn policy_groups(variants: &[Params]) -> Vec<crate::metrics::groups::Group> {
    let Some(reference) = variants.first() else {
        return vec![];
    };
    variants[1..]
        .iter()
        .filter_map(|p| {
            let entries: Vec<_> = p
                .targeted()
                .iter()
                .filter(|e| !reference.targeted().contains(e))
                .cloned()
                .collect();
            (!entries.is_empty()).then(|| crate::metrics::groups::Group {
                policy: p.run.name.clone(),
                entries,
            })
        })
        .collect()
}

/// Whether `dir` holds an unfinished comparison of the same variants, which
/// this one resumes (its finished variants are then taken as they are).
fn resumes(dir: &Path, record: &ComparisonManifest) -> bool {
    out::read_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST)).is_ok_and(|f| {
        !f.complete
            && f.variants == record.variants
            && f.scenario_hashes == record.scenario_hashes
            && f.common_random_numbers == record.common_random_numbers
    })
}

/// Refuses a folder that holds another comparison (or a run) unless
/// `force`, or where anything that is not trustsim's sits where the
/// comparison writes (`planned`); only then, with `apply`, clears what
/// trustsim wrote there (without, it only checks).
fn prepare_folder(
    dir: &Path,
    record: &ComparisonManifest,
    planned: &[String],
    force: bool,
    apply: bool,
) -> Result<(), CompareError> {
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
        Err(e) if path.exists() => Some(format!("a comparison.json that cannot be used ({e})")),
        Err(_) => None,
    };
    if let Some(what) = &other
        && !force
    {
        return Err(CompareError::Occupied {
            dir: dir.to_path_buf(),
            what: what.clone(),
        });
    }
    // What of the folder is trustsim's, judged before anything is removed,
    // so that every refusal leaves the folder as it was.
    let intact = |files| folder::intact(dir, files);
    let mut ours = vec![];
    // Files of a finished comparison of the same variants that this one
    // does not write again (say, its charts, now with --no-charts).
    let mut stale = vec![];
    match (&found, &run) {
        (Ok(f), _) if same => {
            ours = f.pending.clone();
            // A finished comparison of the same variants is replaced.
            for name in intact(&f.files) {
                if f.complete && !planned.contains(&name) {
                    stale.push(name.clone());
                }
                ours.push(name);
            }
        }
        (Ok(f), _) => {
            folder::check_clearable(dir, &f.files, &f.pending)?;
            ours = [f.pending.clone(), intact(&f.files)].concat();
        }
        (Err(_), Some(m)) => {
            folder::check_clearable(dir, &m.files, &m.pending)?;
            ours = [m.pending.clone(), intact(&m.files)].concat();
        }
        (Err(_), None) => {}
    }
    let mut all = planned.to_vec();
    all.push(out::COMPARISON_MANIFEST.into());
    if same || other.is_none() && !path.exists() {
        ours.push(out::COMPARISON_MANIFEST.into());
    }
    folder::check_writable(dir, &all, &ours)?;
    if !apply {
        return Ok(());
    }
    match (&found, &run) {
        (Ok(_), _) if same => {
            for name in &stale {
                let p = dir.join(name);
                crate::files::owned::remove(&p).map_err(|e| OutputError::write(&p, e))?;
                if let Some(parent) = p.parent()
                    && parent != dir
                {
                    crate::files::owned::remove_dir_if_empty(parent);
                }
            }
        }
        (Ok(f), _) => folder::clear_recorded(dir, out::COMPARISON_MANIFEST, &f.files, &f.pending)?,
        (Err(_), Some(m)) => folder::clear_outputs(dir, Some(m))?,
        (Err(_), None) => {}
    }
    Ok(())
}

fn write_outputs(
    dir: &Path,
    rows: &[Difference],
    record: &ComparisonManifest,
    csv: bool,
) -> Result<(), CompareError> {
    let meta = FileMeta {
        scenario_hash: record.scenario_hashes.join("+"),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
        parameter_sets: record.parameter_sets.as_ref().map(|s| s.used),
        scope: record.scope,
    };
    out::write_comparison(&dir.join(out::COMPARISON_FILE), rows, &meta)?;
    if csv {
        let text = out::COMPARISON.csv(rows.iter());
        output::write_atomic(&dir.join(out::COMPARISON_CSV), text.as_bytes())?;
    }
    Ok(())
}
