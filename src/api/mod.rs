//! The library API: one function for every job the command line offers.
//! Each takes validated values, returns what it made, prints nothing, and
//! is given a [`Progress`] (to hear how the work goes; [`Silent`] hears
//! nothing) and a [`Cancel`] (the work stops within a simulated month of
//! it, keeping everything finished, and returns an error for which
//! [`Error::is_interrupted`] is true).
//!
//! | job | function | what it returns |
//! |---|---|---|
//! | check a scenario | [`check`] | the validated parameters |
//! | run | [`run`] | the run folder and its summary rows |
//! | compare | [`compare`] | paired differences against the first variant |
//! | sweep | [`sweep`] | how many units are done |
//! | sensitivity | [`sensitivity`] | the indices, once every unit is done |
//! | calibrate | [`calibrate`] | the plausible parameter sets, or the wave reached |
//! | report | [`report`] | the HTML file |
//! | plot | [`plot`], [`plot_trust`] | the chart files |
//!
//! The command line (`cli`) and the Python package (`python/`) are fronts
//! over these functions: the same arguments give the same files, byte for
//! byte.

pub mod publish;
pub mod sensitivity;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::compare::study::Request as CompareRequest;
pub use crate::runner::{Cancel, Progress, RunReport, Silent};
pub use crate::scenario::{Setting, Source};
pub use crate::sweep::Shard;
pub use crate::sweep::exec::{Executed, Execution};

use crate::calibrate::plan::{Plan, PlanError};
use crate::calibrate::run::{CalibrateError, Outcome};
use crate::compare::study::{self, CompareError};
use crate::model::Params;
use crate::output::OutputError;
use crate::output::indices::IndexRow;
use crate::output::parameter_sets::{ParameterSetsError, ParameterSetsFile};
use crate::runner::{AppliedSets, RunError, RunSpec, preflight};
use crate::scenario::ScenarioError;
use crate::sensitivity::study::StudyError;
use crate::sweep::exec::ExecError;
use crate::sweep::{Sweep, SweepError};

/// Why a job failed. Every message names the file, key and what is
/// allowed, as the command line prints it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    ParameterSets(#[from] ParameterSetsError),
    #[error(transparent)]
    Run(RunError),
    #[error(transparent)]
    Compare(CompareError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error(transparent)]
    Store(#[from] crate::sweep::store::StoreError),
    #[error(transparent)]
    Study(#[from] StudyError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Calibrate(#[from] CalibrateError),
    #[error(transparent)]
    Analysis(#[from] sensitivity::AnalysisError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Charts(#[from] crate::charts::ChartError),
    /// A value outside what is allowed (e.g. a thread count).
    #[error("{0}")]
    Invalid(String),
}

/// A drawing's error as the chart error it is, if it is one.
fn chart_error(d: crate::runner::DrawError) -> Result<Error, crate::runner::DrawError> {
    d.downcast::<crate::charts::ChartError>()
        .map(|c| Error::Charts(*c))
}

impl From<RunError> for Error {
    fn from(e: RunError) -> Error {
        match e {
            RunError::Charts(d) => {
                chart_error(d).unwrap_or_else(|d| Error::Run(RunError::Charts(d)))
            }
            e => Error::Run(e),
        }
    }
}

impl From<CompareError> for Error {
    fn from(e: CompareError) -> Error {
        match e {
            CompareError::Charts(d) => {
                chart_error(d).unwrap_or_else(|d| Error::Compare(CompareError::Charts(d)))
            }
            CompareError::Run(e) => match Error::from(e) {
                Error::Run(e) => Error::Compare(CompareError::Run(e)),
                other => other,
            },
            e => Error::Compare(e),
        }
    }
}

impl Error {
    /// Whether the job stopped because it was cancelled (finished work is
    /// kept; the same call again resumes it).
    pub fn is_interrupted(&self) -> bool {
        matches!(
            self,
            Error::Run(RunError::Interrupted { .. })
                | Error::Exec(ExecError::Interrupted { .. })
                | Error::Compare(CompareError::Run(RunError::Interrupted { .. }))
        ) || match self {
            Error::Exec(ExecError::Run(e)) => matches!(e, RunError::Interrupted { .. }),
            Error::Calibrate(CalibrateError::Run(e)) => matches!(
                **e,
                ExecError::Interrupted { .. } | ExecError::Run(RunError::Interrupted { .. })
            ),
            _ => false,
        }
    }
}

/// Worker threads: `asked`, or every core (at most the cores available).
pub fn threads(asked: Option<usize>) -> Result<usize, Error> {
    preflight::threads(asked).map_err(Error::Invalid)
}

/// Loads and validates a scenario with `settings` layered over it.
pub fn check(source: &Source, settings: &[Setting]) -> Result<Params, Error> {
    Ok(source.load(settings)?.params)
}

/// Policy levers that cannot act in a run of `p` (a whole-unit purchase
/// its budget does not reach), one line each, naming the run.
pub fn lever_warnings(p: &Params) -> Vec<String> {
    crate::model::development::lever_warnings(p)
        .into_iter()
        .map(|w| format!("{}: {w}", p.run.name))
        .collect()
}

/// A parameter-sets file, read and checked. What a user should know about
/// using it for a run comes with the plan ([`PlannedRun::notes`],
/// [`study::Planned::notes`]) or from [`ParameterSetsFile::notes`].
pub fn parameter_sets(path: &Path) -> Result<Arc<ParameterSetsFile>, Error> {
    Ok(Arc::new(ParameterSetsFile::open(path)?))
}

/// How to run a scenario (the flags of `trustsim run`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Settings layered over the scenario (`--replications`, `--seed`,
    /// `--months`, `--set`), in order.
    pub settings: Vec<Setting>,
    /// Plausible parameter sets, replication i using set i mod M.
    pub parameter_sets: Option<Arc<ParameterSetsFile>>,
    /// Worker threads (default: every core).
    pub threads: Option<usize>,
    /// Output folder (default: `output/<run.name>`).
    pub out: Option<PathBuf>,
    pub no_charts: bool,
    pub csv: bool,
    /// Replace another run's results in the folder, and run even if the
    /// disk estimate says the output will not fit.
    pub force: bool,
    pub check_invariants: bool,
    /// Save every replication's state at the start of this reported month.
    pub save_state: Option<u32>,
    /// Continue every replication from this state file.
    pub from_state: Option<PathBuf>,
}

/// A prepared run: checked, with its folder and estimated duration.
#[derive(Debug)]
pub struct PlannedRun {
    pub params: Params,
    pub dir: PathBuf,
    /// Estimated seconds.
    pub seconds: f64,
    /// Levers that cannot act (see [`lever_warnings`]).
    pub warnings: Vec<String>,
    /// What to know about the parameter sets for this run, one line each
    /// ([`ParameterSetsFile::notes`]).
    pub notes: Vec<String>,
    spec: RunSpec,
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub params: Params,
    pub dir: PathBuf,
    pub report: RunReport,
}

/// Checks a run of `source` with `options` and says where it will write
/// and how long it should take; writes nothing.
pub fn plan_run(source: &Source, options: &RunOptions) -> Result<PlannedRun, Error> {
    let p = check(source, &options.settings)?;
    let threads = threads(options.threads)?;
    let dir = options
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&p.run.name));
    let sets = match &options.parameter_sets {
        Some(file) => Some(Arc::new(
            AppliedSets::new(&p, file).map_err(RunError::ParameterSets)?,
        )),
        None => None,
    };
    let from_state = match &options.from_state {
        Some(path) => Some(Arc::new(crate::output::state::StateFile::open(path)?)),
        None => None,
    };
    let spec = RunSpec {
        charts: (!options.no_charts).then(publish::run_charts),
        check_invariants: options.check_invariants,
        replace: options.force,
        ignore_disk: options.force,
        settings: options.settings.iter().map(|s| s.shown.clone()).collect(),
        csv: options.csv,
        save_state: options.save_state,
        from_state,
        sets,
        ..RunSpec::new(p.clone(), dir.clone(), threads)
    };
    Ok(PlannedRun {
        seconds: preflight::seconds(&p, p.run.replications, threads),
        warnings: lever_warnings(&p),
        notes: options
            .parameter_sets
            .as_ref()
            .map_or_else(Vec::new, |f| f.notes(p.run.replications)),
        params: p,
        dir,
        spec,
    })
}

impl PlannedRun {
    /// Runs it (resuming an interrupted run of the same scenario in the
    /// folder).
    pub fn execute(self, progress: &dyn Progress, cancel: &Cancel) -> Result<Run, Error> {
        let report = crate::runner::run(&self.spec, progress, cancel)?;
        Ok(Run {
            params: self.params,
            dir: self.dir,
            report,
        })
    }
}

/// Runs a scenario: [`plan_run`], then [`PlannedRun::execute`].
pub fn run(
    source: &Source,
    options: &RunOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<Run, Error> {
    plan_run(source, options)?.execute(progress, cancel)
}

/// Loads and checks the variants of a comparison and says what will run
/// (the record, the folder, the estimated seconds, lever warnings);
/// writes nothing. [`study::Planned::execute`] runs it.
pub fn plan_compare(request: &CompareRequest) -> Result<study::Planned, Error> {
    Ok(study::plan(request, publish::comparison_charts())?)
}

/// Runs a comparison of policy variants with common random numbers.
pub fn compare(
    request: &CompareRequest,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<study::Outcome, Error> {
    Ok(plan_compare(request)?.execute(progress, cancel)?)
}

/// How to run a sweep, sensitivity study or calibration (the flags they
/// share).
#[derive(Debug, Clone, Default)]
pub struct StudyOptions {
    /// The share of units to run (default: all).
    pub shard: Option<Shard>,
    pub threads: Option<usize>,
    /// Output folder (default: `output/<name>`).
    pub out: Option<PathBuf>,
}

impl StudyOptions {
    fn dir(&self, name: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| Path::new("output").join(name))
    }
}

/// A sweep file (or the sweep of a sensitivity file), loaded, with the
/// parameter sets at `sets` if given.
pub fn load_sweep(file: &Path, sets: Option<Arc<ParameterSetsFile>>) -> Result<Sweep, Error> {
    let sweep = Sweep::load(file)?;
    Ok(match sets {
        Some(sets) => sweep.with_parameter_sets(sets)?,
        None => sweep,
    })
}

/// A finished (or one shard's) sweep.
#[derive(Debug)]
pub struct SweepDone {
    pub dir: PathBuf,
    pub executed: Executed,
}

/// The units of `sweep` that `options` ask for, ready to estimate
/// ([`Execution::estimate`]) and run ([`Execution::execute`]) in the folder
/// they name (default `output/<name>`).
pub fn plan_sweep<'a>(
    sweep: &'a Sweep,
    options: &StudyOptions,
    cancel: &Cancel,
) -> Result<Execution<'a>, Error> {
    Ok(Execution::new(
        sweep,
        &options.dir(&sweep.name),
        options.shard.unwrap_or(Shard::ALL),
        threads(options.threads)?,
        cancel.clone(),
    )?)
}

/// Runs the units of a sweep not done yet (all, or one shard's).
pub fn sweep(
    sweep: &Sweep,
    options: &StudyOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<SweepDone, Error> {
    let exec = plan_sweep(sweep, options, cancel)?;
    let executed = exec.execute(progress)?;
    Ok(SweepDone {
        dir: exec.dir().to_path_buf(),
        executed,
    })
}

/// A sensitivity study's units, and its indices once every unit is done.
#[derive(Debug)]
pub struct SensitivityDone {
    pub dir: PathBuf,
    pub executed: Executed,
    /// `None` until every unit (of every shard) is done.
    pub indices: Option<Vec<IndexRow>>,
}

/// Runs a sensitivity study (Morris or Sobol) and, once every unit is
/// done, computes and writes its indices.
pub fn sensitivity(
    file: &Path,
    options: &StudyOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<SensitivityDone, Error> {
    let plan = crate::sensitivity::study::load(file)?;
    let SweepDone { dir, executed } = sweep(&plan.sweep, options, progress, cancel)?;
    let indices = if executed.complete() {
        Some(sensitivity::analyse_folder(&plan, &dir, &executed.record)?)
    } else {
        None
    };
    Ok(SensitivityDone {
        dir,
        executed,
        indices,
    })
}

/// Where a calibration got to.
#[derive(Debug)]
pub enum Calibration {
    /// Wave `wave` is not finished: this shard ran its share.
    Incomplete { wave: usize },
    /// Every wave is done but this call ran one shard: the results are
    /// written by a call without a shard.
    WavesDone,
    /// Every wave is done and the results are written.
    Done {
        outcome: Box<Outcome>,
        /// The files written (runs, parameter sets, summary, charts).
        files: Vec<PathBuf>,
    },
}

/// Runs (or resumes) a calibration's waves and, once every wave is done
/// and no shard was asked for, writes its results: `runs.parquet`,
/// `parameter_sets.parquet`, `calibration.json` and the charts.
pub fn calibrate(
    plan: &Plan,
    options: &StudyOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<(PathBuf, Calibration), Error> {
    use crate::calibrate::run::Progress as Reached;
    let dir = options.dir(&plan.name);
    let shard = options.shard.unwrap_or(Shard::ALL);
    let threads = threads(options.threads)?;
    // One calibration at a time in a folder; shards share it, each holding
    // its own shard's lock on each wave.
    let _lock = if shard == Shard::ALL {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Invalid(format!("cannot create folder {}: {e}", dir.display())))?;
        Some(
            crate::runner::folder::Lock::acquire(&dir.join(".lock"))
                .map_err(|e| Error::Run(e.into()))?,
        )
    } else {
        None
    };
    let reached = crate::calibrate::run::execute(plan, &dir, shard, threads, cancel, progress)?;
    let state = match reached {
        Reached::Incomplete { wave } => Calibration::Incomplete { wave },
        Reached::Done(_) if shard != Shard::ALL => Calibration::WavesDone,
        Reached::Done(outcome) => {
            let files = write_calibration(plan, &dir, &outcome)?;
            Calibration::Done { outcome, files }
        }
    };
    Ok((dir, state))
}

/// Writes a finished calibration's results and charts into `dir`.
pub fn write_calibration(
    plan: &Plan,
    dir: &Path,
    outcome: &Outcome,
) -> Result<Vec<PathBuf>, Error> {
    use crate::calibrate::store;
    let summary = store::summary(plan, outcome);
    let mut files = vec![
        store::write_runs(dir, plan, outcome)?,
        store::write_sets(dir, plan, &outcome.sets)?,
        store::write_summary(dir, &summary)?,
    ];
    files.extend(crate::charts::calibration::render(
        &dir.join("charts"),
        plan,
        outcome,
        &summary,
    )?);
    Ok(files)
}

pub use publish::{finished_run, plot, plot_trust, report};
