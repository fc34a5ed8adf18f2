//! The runner: one ensemble run end to end. It locks the run folder,
//! decides whether to resume, start afresh or refuse, checks the disk,
//! simulates the replications in parallel (cancellable within a simulated
//! month), keeps each finished replication so nothing finished is ever
//! lost, assembles the tables, computes the summary, writes the manifest
//! and draws the charts it is given ([`Drawing`]). It returns a
//! [`RunReport`] and reports progress through [`Progress`]; it never
//! prints. `run`, `compare`, `sweep`, `sensitivity`, the benches and the
//! examples all go through here.

mod branch;
mod cancel;
pub mod draw;
pub mod folder;
mod held;
pub mod preflight;
mod progress;
pub mod sets;
pub mod state;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

pub use branch::{Sharing, branch_month, run_branched};
pub use cancel::Cancel;
pub use draw::{DrawError, Drawing};
pub use folder::FolderError;
pub use held::HELD_BYTES;
pub use progress::{Progress, Silent};
pub use sets::AppliedSets;

use crate::metrics::{METRICS, ReplicationMetrics, evaluate_replication};
use crate::model::{Params, ReplicationResult, run_replication_until};
use crate::output::replications::REPLICATION_METRICS;
use crate::output::{
    self, FileMeta, MANIFEST_FILE, Manifest, OutputError, REPLICATIONS_FILE, RESULT_TABLES,
    ResultWriter, SummaryRow, batches,
};
use crate::scenario;

/// Replications per row group of the assembled tables. Fixed, so that row
/// groups, and with them the bytes of every file, do not depend on the
/// thread count.
pub const BATCH_REPLICATIONS: usize = 16;

/// A finished replication and its metrics.
#[derive(Debug, Clone)]
pub struct Finished {
    pub result: ReplicationResult,
    pub metrics: ReplicationMetrics,
}

/// What to run and where.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub params: Params,
    pub dir: PathBuf,
    pub threads: usize,
    /// The charts drawn once the tables are written (none: no charts).
    pub charts: Option<Drawing>,
    /// Check the model invariants of every replication (always on in debug builds).
    pub check_invariants: bool,
    /// Replace results of another run found in the folder (`--force`).
    pub replace: bool,
    /// Run even if the disk looks too small (`--force`).
    pub ignore_disk: bool,
    /// Command-line settings, recorded in the manifest.
    pub settings: Vec<String>,
    /// Also write `summary.csv`.
    pub csv: bool,
    /// Save every replication's state at the start of this reported month
    /// (`--save-state`).
    pub save_state: Option<u32>,
    /// Continue every replication from this state file (`--from-state`).
    pub from_state: Option<std::sync::Arc<crate::output::state::StateFile>>,
    /// Plausible parameter sets (`--parameter-sets`): replication `r` runs
    /// with set `r mod M` applied to `params`.
    pub sets: Option<std::sync::Arc<AppliedSets>>,
    /// Targeted policies (of a comparison's variants) whose targeted and
    /// other trusts are measured apart in every replication.
    pub groups: Vec<crate::metrics::groups::Group>,
    /// Take a finished run of this very scenario already in the folder, as
    /// this build wrote it with every planned file intact, instead of
    /// running it again (a comparison resumed after some of its variants
    /// had finished).
    pub reuse_finished: bool,
    /// Bytes of finished replications' kept records the run holds in
    /// memory for its close ([`HELD_BYTES`]; 0 reads every replication back
    /// from its kept file).
    pub held_bytes: u64,
}

impl RunSpec {
    /// A run of `params` into `dir`: no charts, no CSV, no state saved or
    /// read, nothing replaced.
    pub fn new(params: Params, dir: PathBuf, threads: usize) -> RunSpec {
        RunSpec {
            params,
            dir,
            threads,
            charts: None,
            check_invariants: false,
            replace: false,
            ignore_disk: false,
            settings: vec![],
            csv: false,
            save_state: None,
            from_state: None,
            sets: None,
            groups: vec![],
            reuse_finished: false,
            held_bytes: HELD_BYTES,
        }
    }

    /// The parameters replication `r` runs with: its parameter set's, or
    /// the scenario's.
    pub fn params_for(&self, r: u32) -> &Params {
        match &self.sets {
            Some(s) => s.params(r),
            None => &self.params,
        }
    }

    /// The parameter set replication `r` uses, if the run has sets.
    pub fn set_of(&self, r: u32) -> Option<u32> {
        self.sets.as_ref().map(|s| s.set_of(r))
    }

    /// The provenance stamped into every file of this run: the scenario's,
    /// with the parameter sets in its hash and their number.
    pub fn file_meta(&self) -> FileMeta {
        let mut meta = file_meta(&self.params);
        if let Some(s) = &self.sets {
            meta.scenario_hash = sets::run_hash(&meta.scenario_hash, Some(&s.file.sets));
            meta.parameter_sets = Some(s.len().min(self.params.run.replications as usize) as u32);
        }
        meta
    }
}

/// What a finished run reports back.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub rows: Vec<SummaryRow>,
    /// Replications simulated by this command.
    pub simulated: u32,
    /// Replications kept from an interrupted run and not simulated again.
    pub resumed: u32,
    pub wall_seconds: f64,
    /// The part of `wall_seconds` spent writing: the tables, summary and
    /// manifest at the end, and each replication's kept results, which
    /// threads write while the others simulate, so their seconds count
    /// shared among the threads that ran side by side.
    pub write_seconds: f64,
    /// The part of `wall_seconds` spent drawing the charts (and recording
    /// them in the manifest); 0 without charts.
    pub chart_seconds: f64,
    /// The part of `wall_seconds` spent simulating, counted as
    /// `write_seconds` is (shared among the threads that ran side by side);
    /// 0 when nothing was simulated or a comparison's variants shared it.
    pub simulate_seconds: f64,
    /// Staff-agent-months simulated by this command.
    pub staff_months: u64,
    /// Whether results of an earlier run in the folder were replaced.
    pub replaced: Option<String>,
    /// Whether the run was found finished in its folder and taken as it was
    /// (a comparison's variant, resumed): nothing simulated or written.
    pub taken_as_it_was: bool,
}

/// Why a run did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(
        "the run needs about {} in {} at its peak but only {} is free; free some space, run fewer replications, or pass --force",
        preflight::human_bytes(*needed as f64),
        dir.display(),
        preflight::human_bytes(*free as f64)
    )]
    Disk {
        needed: u64,
        free: u64,
        dir: PathBuf,
    },
    #[error("model invariants violated in replication {replication}:\n  {}", violations.join("\n  "))]
    Invariants {
        replication: u32,
        violations: Vec<String>,
    },
    #[error(
        "stopped after {done} of {total} replications; the finished ones are kept in {} and manifest.json says the run is incomplete; run the same command again to resume",
        kept.display()
    )]
    Interrupted {
        done: u32,
        total: u32,
        kept: PathBuf,
    },
    #[error("cannot start the worker threads: {0}")]
    Threads(String),
    /// A saved state that cannot be used or written.
    #[error(transparent)]
    State(#[from] state::StateError),
    /// The charts could not be drawn (the tables are written; the same
    /// command draws them again).
    #[error(transparent)]
    Charts(DrawError),
    /// Parameter sets that cannot be used with this run.
    #[error("{0}")]
    ParameterSets(String),
}

/// The provenance stamped into every file of a run of `p`.
pub fn file_meta(p: &Params) -> FileMeta {
    FileMeta {
        scenario_hash: scenario::scenario_hash(p),
        seed: p.run.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: p.run.name.clone(),
        parameter_sets: None,
        scope: Some(crate::model::params::RunScope::of(p)),
    }
}

/// A rayon pool of `threads` threads.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))
}

/// Simulates replication `r` and computes its metrics; `None` if cancelled.
pub fn simulate(p: &Params, r: u32, cancel: &Cancel) -> Option<Finished> {
    let result = run_replication_until(p, r, &|| cancel.is_cancelled())?;
    let metrics = evaluate_replication(&result, p);
    Some(Finished { result, metrics })
}

/// The parameters of replication `r` of a scenario `p` that runs with the
/// parameter sets `worlds` (none: `p` itself; replication `r` uses set `r
/// mod M`), and the set it uses.
pub fn world<'a>(p: &'a Params, worlds: &'a [Params], r: u32) -> (&'a Params, Option<u32>) {
    if worlds.is_empty() {
        (p, None)
    } else {
        let s = r % worlds.len() as u32;
        (&worlds[s as usize], Some(s))
    }
}

/// Runs replications `reps` on the current rayon pool and keeps only their
/// metrics, in replication order; `None` if cancelled. For sweeps, benches
/// and examples that need no files.
pub fn run_metrics(
    p: &Params,
    reps: std::ops::Range<u32>,
    cancel: &Cancel,
    progress: &dyn Progress,
) -> Option<Vec<ReplicationMetrics>> {
    reps.into_par_iter()
        .map(|r| {
            if cancel.is_cancelled() {
                return None;
            }
            let f = simulate(p, r, cancel)?;
            progress.advance(1);
            Some(f.metrics)
        })
        .collect()
}

/// As [`run_metrics`], one replication after another on the calling
/// thread (for callers that already run several design points in
/// parallel); with parameter sets `worlds` (see [`world`]), replication `r`
/// uses set `r mod M`.
pub fn run_metrics_serial(
    p: &Params,
    worlds: &[Params],
    reps: std::ops::Range<u32>,
    cancel: &Cancel,
    progress: &dyn Progress,
) -> Option<Vec<ReplicationMetrics>> {
    reps.map(|r| {
        let (p, set) = world(p, worlds, r);
        let mut f = simulate(p, r, cancel)?;
        f.metrics.parameter_set = set;
        progress.advance(1);
        Some(f.metrics)
    })
    .collect()
}

/// Runs `spec` into its folder. See the module documentation.
pub fn run(
    spec: &RunSpec,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<RunReport, RunError> {
    let opened = open(spec, progress)?;
    let p = &spec.params;
    let total = p.run.replications;
    progress.start(&p.run.name, u64::from(total), opened.kept.len() as u64);
    let pending: Vec<u32> = (0..total).filter(|r| !opened.kept.contains(r)).collect();
    // One pool of the run's threads simulates and draws the charts.
    let threads = pool(spec.threads)?;
    let simulated = simulate_and_keep(spec, &opened, &pending, &threads, progress, cancel);
    progress.finish();
    match simulated? {
        Some(done) => close(spec, &opened, done, Some(&threads), progress),
        None => Err(RunError::Interrupted {
            done: usable(spec, &opened.meta),
            total: spec.params.run.replications,
            kept: batches::batch_dir(&spec.dir),
        }),
    }
}

/// A run folder made ready for a run: locked (for as long as this lives),
/// earlier results resolved, the incomplete manifest written.
pub(crate) struct Opened {
    _lock: folder::Lock,
    pub meta: FileMeta,
    pub started: Instant,
    pub replaced: Option<String>,
    /// Replications kept from an interrupted run of the same scenario.
    pub kept: Vec<u32>,
    /// The files the run writes (relative to its folder).
    pub planned: Vec<String>,
    /// Replications finished by this run and still in memory.
    pub held: held::Held,
}

/// The files a run of `spec` writes into its folder, relative to it (the
/// manifest aside): what its manifest names as pending until it finishes.
pub fn planned_files(spec: &RunSpec) -> Vec<String> {
    let mut v: Vec<String> = RESULT_TABLES.iter().map(|t| t.file().to_string()).collect();
    v.extend([REPLICATIONS_FILE.into(), output::SUMMARY_FILE.into()]);
    if spec.csv {
        v.push(output::summary::SUMMARY_CSV.into());
    }
    if let Some(m) = spec.save_state {
        v.push(output::state::state_file_name(m));
    }
    if let Some(d) = &spec.charts {
        v.extend(d.files().iter().cloned());
    }
    v
}

/// A finished run of `spec` already in its folder, to be taken as it is
/// (with [`RunSpec::reuse_finished`]): the folder's manifest is complete,
/// of this scenario (parameter sets included), by this version and build,
/// with `spec`'s replications, and lists every file `spec` plans, each
/// still as recorded. Its kept replications, if the run was stopped before
/// removing them, are removed. Returns the folder's lock and the run's
/// report (nothing simulated); `None` for anything else, which is then run
/// as usual (saying why, if a finished run was there).
pub(crate) fn finished(
    spec: &RunSpec,
    progress: &dyn Progress,
) -> Result<Option<(folder::Lock, RunReport)>, RunError> {
    let dir = &spec.dir;
    if !spec.reuse_finished || !dir.join(MANIFEST_FILE).is_file() {
        return Ok(None);
    }
    let lock = folder::Lock::acquire(&folder::lock_path(dir))?;
    let m = match reusable(spec) {
        Ok(Some(m)) => m,
        Ok(None) => return Ok(None),
        Err(why) => {
            progress.note(&format!(
                "the finished run in {} cannot be taken as it is ({why}); running it again",
                dir.display()
            ));
            return Ok(None);
        }
    };
    let rows = output::read_summary(&dir.join(output::SUMMARY_FILE))?;
    // What the run's close does last, if it was stopped before.
    batches::clear(dir)?;
    let report = RunReport {
        rows,
        simulated: 0,
        resumed: m.replications,
        wall_seconds: 0.0,
        write_seconds: 0.0,
        chart_seconds: 0.0,
        simulate_seconds: 0.0,
        staff_months: 0,
        replaced: None,
        taken_as_it_was: true,
    };
    Ok(Some((lock, report)))
}

/// Whether [`finished`] would take the run in `spec`'s folder as it is
/// (checked without locking or changing anything).
pub(crate) fn would_reuse(spec: &RunSpec) -> bool {
    spec.reuse_finished && matches!(reusable(spec), Ok(Some(_)))
}

/// The finished run of this scenario in `spec`'s folder that can be taken
/// as it is; `Ok(None)` if there is none; `Err` saying why one that is
/// there cannot (another build, other replications, a file missing or
/// changed).
fn reusable(spec: &RunSpec) -> Result<Option<Box<Manifest>>, String> {
    let dir = &spec.dir;
    let meta = spec.file_meta();
    let folder::Holds::SameScenario(m) = folder::inspect(dir, &meta.scenario_hash) else {
        return Ok(None);
    };
    if !m.complete {
        return Ok(None);
    }
    if m.trustsim_version != meta.version || m.build.as_deref() != Some(env!("TRUSTSIM_COMMIT")) {
        return Err("written by another build".into());
    }
    if m.replications != spec.params.run.replications {
        return Err(format!("{} replications", m.replications));
    }
    let changed = planned_files(spec).into_iter().find(|name| {
        crate::files::owned::classify(&dir.join(name), m.entry(name))
            != crate::files::owned::Found::Ours
    });
    match changed {
        Some(name) => Err(format!("{name} is missing or changed")),
        None => Ok(Some(m)),
    }
}

/// Checks `spec`, locks its folder and decides what it keeps.
pub(crate) fn open(spec: &RunSpec, progress: &dyn Progress) -> Result<Opened, RunError> {
    let started = Instant::now();
    let p = &spec.params;
    let dir = &spec.dir;
    let meta = spec.file_meta();
    if spec.sets.is_some() && (spec.from_state.is_some() || spec.save_state.is_some()) {
        return Err(RunError::ParameterSets(
            "--parameter-sets cannot be combined with --save-state or --from-state (a state holds one parameter set's history)".into(),
        ));
    }
    if let Some(file) = &spec.from_state {
        state::check_compatible(p, file)?;
    }
    if let Some(m) = spec.save_state {
        state::check_save_month(p, m, spec.from_state.as_ref())?;
    }
    // The disk is checked before anything is written (the folder included).
    if !spec.ignore_disk {
        let states = spec.save_state.map_or(0, |_| preflight::state_bytes(p));
        check_disk(p, dir, states)?;
    }
    let lock = folder::Lock::acquire(&folder::lock_path(dir))?;
    let planned = planned_files(spec);
    let replaced = prepare_folder(dir, &meta.scenario_hash, spec.replace, &planned)?;
    let mut kept = Vec::new();
    for r in 0..p.run.replications {
        match batches::inspect(dir, r, &meta, spec.save_state.is_some()) {
            batches::Kept::Usable(_) => kept.push(r),
            batches::Kept::Absent => {}
            batches::Kept::Unusable(why) => progress.note(&format!(
                "the kept results of replication {r} cannot be used ({why}); simulating it again"
            )),
        }
    }
    write_manifest(spec, &meta, started, vec![], planned.clone())?;
    Ok(Opened {
        _lock: lock,
        meta,
        started,
        replaced,
        kept,
        planned,
        held: held::Held::new(spec.held_bytes),
    })
}

/// The replications of `spec` whose kept results are usable.
fn usable(spec: &RunSpec, meta: &FileMeta) -> u32 {
    (0..spec.params.run.replications)
        .filter(|&r| {
            matches!(
                batches::inspect(&spec.dir, r, meta, spec.save_state.is_some()),
                batches::Kept::Usable(_)
            )
        })
        .count() as u32
}

/// Assembles the tables, summary, state file, manifest and charts of a run
/// whose every replication is kept. The order is what makes a kill at any
/// instant recoverable: until the manifest says complete, every file
/// written here is named pending in it and the kept replications are
/// intact, so the same command finishes the run without simulating again;
/// the kept replications are removed only after the manifest is complete.
/// The tables are written without waiting for the disk and all synced just
/// before the manifest that lists them, so a system crash cannot leave a
/// manifest naming a table the disk does not hold. `done` is what
/// [`simulate_and_keep`] returns; the charts are drawn on `threads` (a
/// run's own pool), or without one on rayon's global pool.
pub(crate) fn close(
    spec: &RunSpec,
    opened: &Opened,
    done: Simulated,
    threads: Option<&rayon::ThreadPool>,
    progress: &dyn Progress,
) -> Result<RunReport, RunError> {
    let (p, dir, meta) = (&spec.params, &spec.dir, &opened.meta);
    let mut write_seconds = done.write_seconds;
    progress.phase("writing tables");
    let t = Instant::now();
    // The tables are encoded side by side on the run's threads (each file's
    // bytes its own, whatever the threads).
    let (rows, mut written) = on(threads, || {
        assemble(dir, p.run.replications, meta, &opened.held)
    })?;
    if let Some(m) = spec.save_state {
        state::write_file(dir, p, m, meta)?;
    }
    if spec.csv {
        let csv = output::summary::SUMMARY.csv(rows.iter());
        written.push(output::write_unsynced_listed(
            &dir.join(output::summary::SUMMARY_CSV),
            csv.as_bytes(),
        )?);
    }
    let charts: &[String] = spec.charts.as_ref().map_or(&[], |d| d.files());
    let tables: Vec<String> = opened
        .planned
        .iter()
        .filter(|f| !charts.contains(f))
        .cloned()
        .collect();
    // The tables were written without waiting for the disk, each started on
    // its way as it was finished; they are all on it before the manifest
    // names them. Their entries are listed first, while the disk writes:
    // those of the files this close wrote from what it wrote (each still
    // open, and synced through its own descriptor), any other's from the
    // disk.
    let mut files = Vec::with_capacity(tables.len());
    let mut syncs = Vec::with_capacity(tables.len());
    for name in &tables {
        match written.iter().position(|w| &w.entry().name == name) {
            Some(i) => {
                let w = written.swap_remove(i);
                files.push(w.entry().clone());
                syncs.push(Ok(w));
            }
            None => {
                files.extend(entries(dir, std::slice::from_ref(name))?);
                syncs.push(Err(dir.join(name)));
            }
        }
    }
    for s in syncs {
        match s {
            Ok(w) => w.sync()?,
            Err(path) => output::sync(&path)?,
        }
    }
    let mut pending: Vec<String> = opened
        .planned
        .iter()
        .filter(|f| charts.contains(f))
        .cloned()
        .collect();
    write_manifest(spec, meta, opened.started, files.clone(), pending.clone())?;
    write_seconds += t.elapsed().as_secs_f64();
    // Without charts that manifest is already the complete one.
    let mut chart_seconds = 0.0;
    if let Some(d) = &spec.charts {
        let t = Instant::now();
        progress.phase("drawing charts");
        on(threads, || d.draw(dir)).map_err(RunError::Charts)?;
        files.extend(entries(dir, &pending)?);
        pending.clear();
        write_manifest(spec, meta, opened.started, files, pending)?;
        chart_seconds = t.elapsed().as_secs_f64();
    }
    batches::clear(dir)?;
    Ok(RunReport {
        rows,
        simulated: done.replications,
        resumed: opened.kept.len() as u32,
        wall_seconds: opened.started.elapsed().as_secs_f64(),
        write_seconds,
        chart_seconds,
        simulate_seconds: done.simulate_seconds,
        staff_months: done.staff_months,
        replaced: opened.replaced.clone(),
        taken_as_it_was: false,
    })
}

/// `f` run on `threads` (a run's own pool), or without one where it is
/// called.
fn on<R: Send>(threads: Option<&rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match threads {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// The manifest entries (size, checksum) of `names` in `dir` as they are now.
fn entries(dir: &Path, names: &[String]) -> Result<Vec<crate::files::FileEntry>, RunError> {
    names
        .iter()
        .map(|n| {
            crate::files::FileEntry::of_file(dir, n, crate::files::limits::STATE_BYTES)
                .map_err(|e| RunError::Output(e.into()))
        })
        .collect()
}

/// Refuses a run whose peak disk use exceeds the free space at `dir`.
fn check_disk(p: &Params, dir: &Path, extra: u64) -> Result<(), RunError> {
    let Some(free) = preflight::free_bytes(dir) else {
        return Ok(());
    };
    let needed = preflight::peak_bytes(p, batches::kept_bytes(dir)) + extra;
    if needed > free {
        return Err(RunError::Disk {
            needed,
            free,
            dir: dir.to_path_buf(),
        });
    }
    Ok(())
}

/// Decides what to do with what `dir` holds: resume, start afresh (after
/// clearing what trustsim wrote there) or refuse; refuses if anything that
/// is not trustsim's sits where the run writes (`planned`), before it
/// removes anything. Returns a description of results that were replaced.
fn prepare_folder(
    dir: &Path,
    hash: &str,
    replace: bool,
    planned: &[String],
) -> Result<Option<String>, RunError> {
    let (replaced, clear) = judge_folder(dir, hash, replace, planned)?;
    if let Some(manifest) = clear {
        folder::clear_outputs(dir, manifest.as_deref())?;
    }
    Ok(replaced)
}

/// What a run of `spec` would do with what its folder holds, checked
/// without changing anything: `Err` if it would refuse. A comparison asks
/// this of every variant before it records itself as started, so that a
/// variant's folder refusing leaves the comparison's folder as it was.
pub(crate) fn check_folder(spec: &RunSpec) -> Result<(), RunError> {
    // A folder in use by another command says so, as opening it would.
    let _lock = if spec.dir.is_dir() {
        Some(folder::Lock::acquire(&folder::lock_path(&spec.dir))?)
    } else {
        None
    };
    let meta = spec.file_meta();
    judge_folder(
        &spec.dir,
        &meta.scenario_hash,
        spec.replace,
        &planned_files(spec),
    )
    .map(|_| ())
}

/// What to clear before a fresh start: `None` to resume (nothing
/// cleared), else what the folder's manifest records (`Some(None)`: no
/// usable manifest, only the kept replications).
type Clear = Option<Option<Box<Manifest>>>;

/// The folder's fate, judged before anything is removed (every refusal
/// comes first): the description of results to be replaced, and what to
/// clear.
fn judge_folder(
    dir: &Path,
    hash: &str,
    replace: bool,
    planned: &[String],
) -> Result<(Option<String>, Clear), RunError> {
    // What the folder holds, and what of it is trustsim's (the names being
    // written and the files recorded that still match).
    let (replaced, ours, clear) = match folder::inspect(dir, hash) {
        // An unfinished run of this scenario is resumed: the tables it had
        // written (say, before a kill while drawing its charts) are
        // written again.
        folder::Holds::Unfinished(m) => (None, ours_in(dir, &m), None),
        folder::Holds::Nothing => (None, vec![], Some(None)),
        folder::Holds::SameScenario(m) => (None, ours_in(dir, &m), Some(Some(m))),
        folder::Holds::Other { what, manifest } if replace => {
            let ours = manifest
                .as_deref()
                .map_or_else(Vec::new, |m| ours_in(dir, m));
            (Some(what), ours, Some(manifest))
        }
        folder::Holds::Other { what, .. } => {
            return Err(FolderError::Foreign {
                dir: dir.to_path_buf(),
                what,
            }
            .into());
        }
    };
    // A recorded file changed since, then anything else not trustsim's
    // where the run writes.
    if let Some(Some(m)) = &clear {
        folder::check_clearable(dir, &m.files, &m.pending)?;
    }
    folder::check_writable(dir, planned, &ours)?;
    Ok((replaced, clear))
}

/// The names a manifest shows to be trustsim's in `dir`: those it says are
/// being written, and the files it lists that still match their record.
fn ours_in(dir: &Path, m: &Manifest) -> Vec<String> {
    [m.pending.clone(), folder::intact(dir, &m.files)].concat()
}

/// Simulates `pending` in parallel, keeping each finished replication in
/// the run folder; returns what was simulated ([`Simulated`]), or `None`
/// if cancelled before every one was.
fn simulate_and_keep(
    spec: &RunSpec,
    opened: &Opened,
    pending: &[u32],
    threads: &rayon::ThreadPool,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Option<Simulated>, RunError> {
    let write_seconds = Mutex::new(0.0);
    let simulate_seconds = Mutex::new(0.0);
    let outcome: Vec<Option<u64>> = threads.install(|| {
        pending
            .par_iter()
            .map(|&r| -> Result<Option<u64>, RunError> {
                if cancel.is_cancelled() {
                    return Ok(None);
                }
                let t = Instant::now();
                let Some((f, saved)) = state::simulate(spec, r, &|| cancel.is_cancelled())? else {
                    return Ok(None);
                };
                if let Ok(mut s) = simulate_seconds.lock() {
                    *s += t.elapsed().as_secs_f64();
                }
                if spec.check_invariants {
                    let v = crate::model::invariants::check(&f.result);
                    if !v.is_empty() {
                        cancel.cancel();
                        return Err(RunError::Invariants {
                            replication: r,
                            violations: v,
                        });
                    }
                }
                let t = Instant::now();
                let bytes = batches::write(
                    &spec.dir,
                    &f.result,
                    &f.metrics,
                    saved.as_deref(),
                    &opened.meta,
                )?;
                if let Ok(mut w) = write_seconds.lock() {
                    *w += t.elapsed().as_secs_f64();
                }
                progress.advance(1);
                let staff_months = f.result.staff_months;
                opened.held.offer(f.result, f.metrics, bytes);
                Ok(Some(staff_months))
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    if outcome.iter().any(Option::is_none) {
        return Ok(None);
    }
    let staff_months = outcome.iter().flatten().sum();
    let share =
        |m: Mutex<f64>| run_share(m.into_inner().unwrap_or(0.0), spec.threads, pending.len());
    Ok(Some(Simulated {
        replications: outcome.len() as u32,
        staff_months,
        write_seconds: share(write_seconds),
        simulate_seconds: share(simulate_seconds),
    }))
}

/// What a run's simulation hands its close: the replications simulated,
/// their staff-agent-months and the seconds of run time spent writing
/// their kept results and simulating them.
pub(crate) struct Simulated {
    pub replications: u32,
    pub staff_months: u64,
    pub write_seconds: f64,
    pub simulate_seconds: f64,
}

/// The seconds of run time that `thread_seconds` of work spread over the
/// replications took: shared among the threads that ran side by side (as
/// many as there were replications, up to `threads`).
fn run_share(thread_seconds: f64, threads: usize, replications: usize) -> f64 {
    thread_seconds / threads.min(replications).max(1) as f64
}

/// Writes the run's tables from the finished replications (those `held`
/// from memory, the others from their kept files), one row group per
/// [`BATCH_REPLICATIONS`], then `replications.parquet` and
/// `summary.parquet`, and returns the summary's rows with the files
/// written, not yet synced ([`close`] lists and syncs them). The tables
/// are encoded side by side on the pool the caller runs in, the last
/// batch's beside the two small tables ([`output::parquet::both`]); one
/// after another outside a pool.
fn assemble(
    dir: &Path,
    total: u32,
    meta: &FileMeta,
    held: &held::Held,
) -> Result<(Vec<SummaryRow>, Vec<output::Unsynced>), RunError> {
    let mut writer = ResultWriter::create(dir, meta)?;
    let mut metrics = Vec::with_capacity(total as usize);
    let reps: Vec<u32> = (0..total).collect();
    let chunks = reps.chunks(BATCH_REPLICATIONS).count();
    let mut last = Vec::new();
    for (i, chunk) in reps.chunks(BATCH_REPLICATIONS).enumerate() {
        let (frames, m) = batches::read_frames(dir, chunk, meta, &|r| held.take(r))?;
        metrics.extend(m);
        if i + 1 < chunks {
            writer.write_frames(&frames)?;
        } else {
            last = frames;
        }
    }
    let results = || -> Result<_, RunError> {
        writer.write_frames(&last)?;
        Ok(writer.finish()?)
    };
    let small = || -> Result<_, RunError> {
        let refs: Vec<&ReplicationMetrics> = metrics.iter().collect();
        let reps = output::summary::write_table_unsynced(
            &dir.join(REPLICATIONS_FILE),
            &REPLICATION_METRICS,
            &output::replications::rows(&refs),
            meta,
        )?;
        let rows = summarize(&metrics);
        let summary = output::summary::write_table_unsynced(
            &dir.join(output::SUMMARY_FILE),
            &output::summary::SUMMARY,
            &rows,
            meta,
        )?;
        Ok((rows, [reps, summary]))
    };
    let (results, small) = output::parquet::both(results, small);
    let mut written = results?;
    let (rows, two) = small?;
    written.extend(two);
    Ok((rows, written))
}

/// The manifest of `spec`: complete when nothing is pending and files are
/// listed.
fn write_manifest(
    spec: &RunSpec,
    meta: &FileMeta,
    started: Instant,
    files: Vec<crate::files::FileEntry>,
    pending: Vec<String>,
) -> Result<(), RunError> {
    let p = &spec.params;
    let m = Manifest {
        trustsim_version: meta.version.clone(),
        build: Some(env!("TRUSTSIM_COMMIT").to_string()),
        scenario_name: p.run.name.clone(),
        scenario_hash: meta.scenario_hash.clone(),
        seed: p.run.seed,
        replications: p.run.replications,
        months: p.run.months,
        burn_in_months: p.run.burn_in_months,
        threads: spec.threads,
        wall_time_seconds: started.elapsed().as_secs_f64(),
        complete: pending.is_empty() && !files.is_empty(),
        files,
        pending,
        settings: spec.settings.clone(),
        scenario: p.clone(),
        parameter_sets: spec
            .sets
            .as_ref()
            .map(|s| s.file.record(p.run.replications)),
        from_state: spec.from_state.as_ref().map(|f| {
            format!(
                "{} (month {}, {}, scenario {})",
                f.path.display(),
                f.header.month,
                p.run.calendar().reported(i64::from(f.header.month)).long(),
                f.header.scenario.run.name
            )
        }),
    };
    output::write_manifest(&spec.dir.join(MANIFEST_FILE), &m)?;
    Ok(())
}

/// Quantiles across replications of every metric over the whole run.
pub fn summarize(metrics: &[ReplicationMetrics]) -> Vec<SummaryRow> {
    METRICS
        .iter()
        .map(|def| {
            let values: Vec<f64> = metrics.iter().map(|m| m.whole_run.get(def.key)).collect();
            SummaryRow::of(def.key, &values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's files are the same bytes whether its replications reach the
    /// close from memory or read back from their kept files.
    #[test]
    fn held_and_kept_replications_give_the_same_files() {
        let p = crate::model::params::edited(|p| {
            crate::model::params::tiny(p);
            p.run.replications = 3;
        });
        let tmp = tempfile::TempDir::new().unwrap();
        let go = |name: &str, held: u64| {
            let mut spec = RunSpec::new(p.clone(), tmp.path().join(name), 1);
            spec.held_bytes = held;
            let r = run(&spec, &Silent, &Cancel::new()).unwrap();
            assert_eq!(r.simulated, 3);
            spec
        };
        let held = go("held", HELD_BYTES);
        go("kept", 0);
        for name in planned_files(&held) {
            let a = std::fs::read(tmp.path().join("held").join(&name)).unwrap();
            let b = std::fs::read(tmp.path().join("kept").join(&name)).unwrap();
            assert!(a == b, "{name} differs");
        }
        for name in ["held", "kept"] {
            assert!(!batches::batch_dir(&tmp.path().join(name)).exists());
        }
    }

    /// Writing done beside the other threads' simulating counts once per
    /// moment of run time, not once per thread: the report's "writing N %
    /// of run time" stays a share of the wall time whatever the threads.
    #[test]
    fn kept_writing_counts_shared_among_the_threads_that_ran_side_by_side() {
        // Two threads each writing 0.5 s over four replications: 0.5 s of run time.
        assert_eq!(run_share(1.0, 2, 4), 0.5);
        // Four threads asked for, two replications: only two ran.
        assert_eq!(run_share(1.0, 4, 2), 0.5);
        assert_eq!(run_share(1.0, 1, 3), 1.0);
        // Nothing simulated (every replication kept from before).
        assert_eq!(run_share(0.0, 2, 0), 0.0);
    }
}
