//! The waves of a calibration, in order: each wave's design comes from the
//! runs of the waves before it (deterministically, so a rerun, or another
//! shard, computes the same design), runs as a sweep in its own folder
//! (`wave-N/`, resumable and shardable), and is read back to fit the next
//! emulators. [`execute`] runs the waves' sweeps (all units, or one
//! shard's); [`status`] says where a calibration stands without running
//! anything.

use std::path::{Path, PathBuf};

use super::history::{self, HistoryError, Proposal, WaveFit, WaveRuns};
use super::plan::Plan;
use super::plan::wave_dir;
use crate::design::latin_hypercube;
use crate::runner::{Cancel, Progress as Report};
use crate::sweep::exec::{ExecError, Execution};
use crate::sweep::store::{self, StoreError};
use crate::sweep::{Design, Shard, Sweep, SweepError};

/// Why a calibration cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A wave's sweep did not run to the end (interrupted above all).
    #[error(transparent)]
    Run(#[from] Box<ExecError>),
}

/// One wave: where its points came from and how many there were.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WaveRecord {
    pub wave: usize,
    /// The wave's sweep folder.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The same, relative to the calibration folder.
    pub folder: String,
    pub points: usize,
    /// Share of the prior box not yet ruled out when the wave's points were
    /// chosen (1 for the first wave).
    pub space_before: f64,
    /// Candidates screened by the emulators, and non-implausible ones found.
    pub screened: usize,
    pub found: usize,
}

/// A calibration whose every wave has run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub waves: Vec<WaveRecord>,
    pub runs: Vec<WaveRuns>,
    pub fits: Vec<WaveFit>,
    /// `implausibility[w][p][t]`: simulated implausibility of target `t` at
    /// point `p` of wave `w` (from its replications, no emulator).
    pub implausibility: Vec<Vec<Vec<f64>>>,
    /// Points of the last wave that are non-implausible by simulation: the
    /// plausible parameter sets, as values of the parameters.
    pub sets: Vec<Vec<f64>>,
    /// Their indices among the last wave's points.
    pub set_points: Vec<usize>,
    /// Share of the prior box non-implausible under every wave's emulators.
    pub space_after: f64,
    /// Why fewer waves than planned ran, if they did.
    pub stopped_early: Option<String>,
    /// The base scenario's own values of the parameters, and their largest
    /// implausibility under every wave's emulators (`None` when a value lies
    /// outside its prior range).
    pub base_values: Vec<f64>,
    pub base_implausibility: Option<f64>,
}

/// Where a calibration has got to.
#[derive(Debug)]
pub enum Progress {
    /// Wave `wave` is not finished (a shard ran its share, or it was
    /// interrupted).
    Incomplete {
        wave: usize,
    },
    Done(Box<Outcome>),
}

/// Runs a wave's sweep in a folder; `Ok(true)` when every unit is done.
type RunWave<'a> = dyn FnMut(usize, &Sweep, &Path) -> Result<bool, CalibrateError> + 'a;

/// The sweep of one wave over `unit` points.
fn wave_sweep(plan: &Plan, w: usize, unit: &[Vec<f64>]) -> Result<Sweep, CalibrateError> {
    Ok(Sweep::from_unit_points(
        format!("{}-wave-{w}", plan.name),
        &plan.file,
        plan.base.clone(),
        Design::Calibration,
        plan.replications,
        plan.parameters.clone(),
        unit,
    )?)
}

/// Reads the targets' values at every point of a finished wave.
pub fn read_wave(plan: &Plan, dir: &Path, sweep: &Sweep) -> Result<WaveRuns, CalibrateError> {
    let outputs = plan
        .targets
        .iter()
        .map(|t| store::point_values(dir, sweep.units(), &t.key))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WaveRuns {
        unit: sweep.unit_points(),
        outputs,
    })
}

/// The seed of the candidate screening before wave `w`.
fn proposal_seed(plan: &Plan, w: usize) -> u64 {
    plan.seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(w as u64)
}

/// Runs (or resumes) every wave of `plan` in `dir`: the units of `shard`
/// of each wave on `threads` threads, until a wave is not complete (a
/// shard ran its share) or every wave is done. Stops within a simulated
/// month of `cancel`, keeping finished units ([`CalibrateError::Run`] with
/// [`ExecError::Interrupted`]). `report` hears of each wave as it starts
/// and ends.
pub fn execute(
    plan: &Plan,
    dir: &Path,
    shard: Shard,
    threads: usize,
    cancel: &Cancel,
    report: &dyn Report,
) -> Result<Progress, CalibrateError> {
    let mut run_wave = |w: usize, sweep: &Sweep, wdir: &Path| {
        report.say(&format!(
            "wave {w} of at most {}: {} points",
            plan.waves,
            sweep.units()
        ));
        // A shard runs its share of one wave and stops: the next wave's
        // design needs every shard's runs.
        let done_before =
            store::read_record(wdir).is_ok_and(|r| store::done_units(wdir).len() == r.units);
        let exec = Execution::new(sweep, wdir, shard, threads, cancel.clone()).map_err(Box::new)?;
        let label = exec.label();
        let done = exec.execute(report).map_err(Box::new)?;
        report.say(&if done.ran == 0 {
            format!(
                "{label}: all {} units already done in {}",
                done.mine,
                wdir.display()
            )
        } else {
            format!(
                "{label}: finished; {} of {} units done in {}",
                done.done,
                done.units,
                wdir.display()
            )
        });
        Ok((shard == Shard::ALL || done_before) && done.complete())
    };
    calibrate(plan, dir, &mut run_wave)
}

/// Estimates `waves` waves of `plan` on `threads` threads: one
/// replication of the base scenario per thread is timed, side by side as
/// the waves run them (replications running together share the memory
/// bandwidth and are slower than one alone). Returns the seconds the
/// timed replications took, the runs to do and the estimated seconds;
/// `None` if cancelled.
pub fn estimate(
    plan: &Plan,
    waves: usize,
    threads: usize,
    cancel: &Cancel,
) -> Result<Option<(f64, usize, f64)>, CalibrateError> {
    let pool = crate::runner::pool(threads).map_err(|e| Box::new(ExecError::Run(e)))?;
    let t = std::time::Instant::now();
    if pool
        .install(|| {
            crate::runner::run_metrics(
                &plan.base,
                0..threads as u32,
                cancel,
                &crate::runner::Silent,
            )
        })
        .is_none()
    {
        return Ok(None);
    }
    let per_run = t.elapsed().as_secs_f64();
    let runs = waves * plan.points * plan.replications as usize;
    // Emulator fitting and screening: about 2 s a wave for 20,000
    // candidates, measured on the bundled calibration (release build).
    let overhead = waves as f64 * (1.0 + plan.candidates as f64 / 20_000.0);
    Ok(Some((
        per_run,
        runs,
        per_run * runs as f64 / threads as f64 + overhead,
    )))
}

/// Where the calibration of `plan` in `dir` stands, running nothing: done,
/// or the first wave not finished with its units done and in all.
pub fn status(plan: &Plan, dir: &Path) -> Result<(Progress, usize, usize), CalibrateError> {
    let mut pending = (0, 0);
    let mut probe = |_: usize, sweep: &Sweep, wdir: &Path| {
        let done = match store::read_record(wdir) {
            Ok(r) if r.hash == sweep.hash() => store::done_units(wdir).len(),
            _ => 0,
        };
        pending = (done, sweep.units());
        Ok(done == sweep.units())
    };
    let progress = calibrate(plan, dir, &mut probe)?;
    Ok((progress, pending.0, pending.1))
}

/// Runs (or resumes) every wave of `plan` in `dir`, each through `run_wave`.
fn calibrate(plan: &Plan, dir: &Path, run_wave: &mut RunWave) -> Result<Progress, CalibrateError> {
    let k = plan.parameters.len();
    let mut waves = Vec::new();
    let mut runs: Vec<WaveRuns> = Vec::new();
    let mut fits: Vec<WaveFit> = Vec::new();
    let mut stopped_early = None;
    for w in 1..=plan.waves {
        let proposal = if w == 1 {
            let unit = latin_hypercube(plan.points, k, plan.seed);
            Proposal {
                unit,
                nroy_fraction: 1.0,
                screened: 0,
                found: 0,
            }
        } else {
            // Earlier waves fill the space for the emulators; the last is a
            // uniform sample of it, whose plausible points are the sets.
            let request = history::Request {
                dims: k,
                n: plan.points,
                candidates: plan.candidates,
                cutoff: plan.cutoff,
                seed: proposal_seed(plan, w),
                pick: if w == plan.waves {
                    history::Pick::Uniform
                } else {
                    history::Pick::Maximin
                },
            };
            match history::propose(&fits, &plan.targets, &request) {
                Ok(p) => p,
                Err(e @ HistoryError::NothingPlausible { .. }) => {
                    stopped_early = Some(format!("stopped before wave {w}: {e}"));
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let sweep = wave_sweep(plan, w, &proposal.unit)?;
        let wdir = wave_dir(dir, w);
        if !run_wave(w, &sweep, &wdir)? {
            return Ok(Progress::Incomplete { wave: w });
        }
        runs.push(read_wave(plan, &wdir, &sweep)?);
        fits.push(fit_next(plan, &runs, &fits)?);
        waves.push(WaveRecord {
            wave: w,
            folder: format!("waves/wave-{w}"),
            dir: wdir,
            points: sweep.units(),
            space_before: proposal.nroy_fraction,
            screened: proposal.screened,
            found: proposal.found,
        });
    }
    Ok(Progress::Done(Box::new(finish(
        plan,
        waves,
        runs,
        fits,
        stopped_early,
    ))))
}

/// The emulators of the newest wave: fitted to every point run so far that
/// the earlier waves' emulators did not rule out (all the newest wave's
/// points were chosen that way; earlier waves' points outside the remaining
/// space would only blur the emulators where it matters).
fn fit_next(plan: &Plan, runs: &[WaveRuns], fits: &[WaveFit]) -> Result<WaveFit, CalibrateError> {
    let kept: Vec<WaveRuns> = runs
        .iter()
        .map(|r| {
            let keep: Vec<usize> = (0..r.unit.len())
                .filter(|&p| history::plausible(fits, &plan.targets, &r.unit[p], plan.cutoff))
                .collect();
            WaveRuns {
                unit: keep.iter().map(|&p| r.unit[p].clone()).collect(),
                outputs: r
                    .outputs
                    .iter()
                    .map(|o| keep.iter().map(|&p| o[p].clone()).collect())
                    .collect(),
            }
        })
        .collect();
    let mut refs: Vec<&WaveRuns> = kept.iter().filter(|r| !r.unit.is_empty()).collect();
    let total: usize = refs.iter().map(|r| r.unit.len()).sum();
    let newest = runs.last().expect("fit_next follows a wave");
    if total < plan.parameters.len() + 3 {
        refs = vec![newest];
    }
    Ok(history::fit_wave(&refs, &plan.targets)?)
}

/// The plausible parameter sets and the space left, once the waves are run.
fn finish(
    plan: &Plan,
    waves: Vec<WaveRecord>,
    runs: Vec<WaveRuns>,
    fits: Vec<WaveFit>,
    stopped_early: Option<String>,
) -> Outcome {
    let implausibility: Vec<Vec<Vec<f64>>> = runs
        .iter()
        .zip(&fits)
        .map(|(r, f)| {
            (0..r.unit.len())
                .map(|p| {
                    history::simulated_implausibilities(r, p, &plan.targets, &f.stochastic_var)
                })
                .collect()
        })
        .collect();
    let last = implausibility.last().cloned().unwrap_or_default();
    let set_points: Vec<usize> = last
        .iter()
        .enumerate()
        .filter(|(_, i)| i.iter().all(|v| *v <= plan.cutoff))
        .map(|(p, _)| p)
        .collect();
    let sets = match runs.last() {
        Some(r) => set_points
            .iter()
            .map(|&p| scale(plan, &r.unit[p]))
            .collect(),
        None => Vec::new(),
    };
    let request = history::Request {
        dims: plan.parameters.len(),
        n: 1,
        candidates: plan.candidates,
        cutoff: plan.cutoff,
        seed: proposal_seed(plan, plan.waves + 1),
        pick: history::Pick::Uniform,
    };
    let space_after =
        history::propose(&fits, &plan.targets, &request).map_or(0.0, |p| p.nroy_fraction);
    let raw = plan.base.to_raw();
    let base_values: Vec<f64> = plan
        .parameters
        .iter()
        .map(|v| crate::sweep::value_of(&raw, &v.key).unwrap_or(f64::NAN))
        .collect();
    let base_unit: Vec<f64> = plan
        .parameters
        .iter()
        .zip(&base_values)
        .map(|(v, x)| (x - v.min) / (v.max - v.min))
        .collect();
    let base_implausibility = base_unit
        .iter()
        .all(|u| (0.0..=1.0).contains(u))
        .then(|| history::max_implausibility(&fits, &plan.targets, &base_unit).0);
    Outcome {
        waves,
        runs,
        fits,
        implausibility,
        sets,
        set_points,
        space_after,
        stopped_early,
        base_values,
        base_implausibility,
    }
}

/// The share of the prior space left after each wave: the share the next
/// wave was chosen from, and after the last wave [`Outcome::space_after`].
/// Tables and sentences print these figures, so they agree.
pub fn space_left_after(outcome: &Outcome) -> Vec<f64> {
    (0..outcome.waves.len())
        .map(|w| {
            outcome
                .waves
                .get(w + 1)
                .map_or(outcome.space_after, |next| next.space_before)
        })
        .collect()
}

/// A unit-cube point as parameter values (integers rounded).
pub fn scale(plan: &Plan, unit: &[f64]) -> Vec<f64> {
    plan.parameters
        .iter()
        .zip(unit)
        .map(|(v, u)| {
            let x = v.min + (v.max - v.min) * u;
            if v.integer { x.round() } else { x }
        })
        .collect()
}
