//! Saving and continuing from simulation states: `run --save-state MONTH`
//! keeps each replication's state at the start of reported month MONTH and
//! writes them into one state file when the run completes; `run
//! --from-state FILE` continues every replication from the file. A run
//! that continues from a state gives byte-identical files to the run that
//! never stopped, so it carries the same scenario hash; it is refused when
//! the scenario's parameters before the saved month differ from those of
//! the scenario that saved it (its history would not be this scenario's).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Finished, RunError, RunSpec};
use crate::metrics::evaluate_replication_with;
use crate::model::{Params, ReplicationState};
use crate::output::batches;
use crate::output::state::{self, StateFile};

/// Why a state cannot be used or saved.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A state file this run cannot continue from (another build, another
    /// length, another history, too few replications).
    #[error("{}: {reason}", path.display())]
    Incompatible { path: PathBuf, reason: String },
    /// A `--save-state` month the run cannot save at.
    #[error("--save-state {month}: {reason}")]
    SaveMonth { month: u32, reason: String },
    /// A kept replication whose saved state cannot be used when the state
    /// file is written.
    #[error(
        "the saved state of replication {replication} in {} cannot be used ({reason}); run again with --force to start afresh",
        dir.display()
    )]
    Kept {
        replication: u32,
        dir: PathBuf,
        reason: String,
    },
}

/// The simulated month (0-based) at which reported month `month` starts.
pub fn start_of(p: &Params, month: u32) -> u32 {
    p.run.burn_in_months + month - 1
}

/// Checks that `p` may continue from `file`: same history up to the saved
/// month, and a state for every replication it runs.
pub fn check_compatible(p: &Params, file: &StateFile) -> Result<(), RunError> {
    let saved = &file.header.scenario;
    let at = start_of(saved, file.header.month);
    let bad = |reason: String| {
        RunError::State(StateError::Incompatible {
            path: file.path.clone(),
            reason,
        })
    };
    let build = env!("TRUSTSIM_COMMIT");
    if file.header.build != build {
        return Err(bad(format!(
            "it was saved by trustsim {} (commit {}) and this is commit {build}; a state holds the model's internal state, which may differ between builds, so save it again with this build",
            file.header.trustsim_version, file.header.build
        )));
    }
    if saved.run.burn_in_months != p.run.burn_in_months || saved.run.months != p.run.months {
        return Err(bad(format!(
            "it was saved by a run of {} + {} months; this run has {} + {} (burn-in + months), which must match",
            saved.run.burn_in_months, saved.run.months, p.run.burn_in_months, p.run.months
        )));
    }
    if let Some(m) = saved.first_difference(p).filter(|&m| m < at) {
        let differs = crate::scenario::keys::differing_parameters(&[saved.at(m), p.at(m)]);
        return Err(bad(format!(
            "it holds the history of scenario `{}` up to reported month {}, and this scenario's parameters differ from it before then (from simulated month {m}):\n  {}\nonly timed changes from month {} on can differ (a [[changes]] entry), or save a state from this scenario",
            saved.run.name,
            file.header.month,
            differs.join("\n  "),
            file.header.month
        )));
    }
    let have = file.replications();
    if let Some(r) = (0..p.run.replications).find(|r| !have.contains(r)) {
        return Err(bad(format!(
            "it holds {} replications and this run needs {} (no state of replication {r}); run at most {} replications",
            have.len(),
            p.run.replications,
            have.len()
        )));
    }
    Ok(())
}

/// Checks the month given to `--save-state` against the run (and the state
/// it continues from).
pub fn check_save_month(
    p: &Params,
    month: u32,
    from: Option<&Arc<StateFile>>,
) -> Result<(), RunError> {
    if !(1..=p.run.months).contains(&month) {
        return Err(RunError::State(StateError::SaveMonth {
            month,
            reason: format!(
                "allowed a reported month from 1 to run.months ({}); the state is saved at the start of that month",
                p.run.months
            ),
        }));
    }
    if let Some(f) = from.filter(|f| f.header.month > month) {
        return Err(RunError::State(StateError::SaveMonth {
            month,
            reason: format!(
                "this run continues from month {} ({}), so it can save a state from month {} on",
                f.header.month,
                f.path.display(),
                f.header.month
            ),
        }));
    }
    Ok(())
}

/// A finished replication and, if asked for, its encoded saved state.
pub type Simulated = (Finished, Option<Vec<u8>>);

/// Simulates replication `r` of `spec` (from its saved state if the run
/// continues from one), keeping the state at `spec.save_state` if asked;
/// `None` if cancelled.
pub fn simulate(
    spec: &RunSpec,
    r: u32,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Simulated>, RunError> {
    let p = spec.params_for(r);
    let mut s = match &spec.from_state {
        Some(file) => file.state(r)?,
        None => ReplicationState::new(p, r),
    };
    let mut saved = None;
    if let Some(m) = spec.save_state {
        if !s.advance(p, start_of(p, m), stop) {
            return Ok(None);
        }
        saved = Some(state::encode(&s));
    }
    let end = s.total(p);
    // The virtual trials depend only on the parameters and the
    // replication's number: they run beside the simulation, on a thread the
    // pool has spare (a run of fewer replications than threads), else after
    // it on the same thread.
    let (finished, trials) = rayon::join(
        || s.advance(p, end, stop),
        || crate::metrics::virtual_trials(p, r),
    );
    if !finished {
        return Ok(None);
    }
    let result = s.finish(p);
    let mut metrics = evaluate_replication_with(&result, trials);
    metrics.parameter_set = spec.set_of(r);
    metrics.groups = crate::metrics::groups::evaluate(&result, &spec.groups);
    Ok(Some((Finished { result, metrics }, saved)))
}

/// Writes the state file of a completed run from the kept states (each
/// checked); returns its file name.
pub fn write_file(
    dir: &Path,
    p: &Params,
    month: u32,
    meta: &crate::output::FileMeta,
) -> Result<String, RunError> {
    let mut frames = Vec::new();
    for r in 0..p.run.replications {
        let missing = |reason: String| {
            RunError::State(StateError::Kept {
                replication: r,
                dir: batches::batch_dir(dir),
                reason,
            })
        };
        let bytes = match batches::inspect(dir, r, meta, true) {
            batches::Kept::Usable(b) => b
                .state()
                .map(<[u8]>::to_vec)
                .ok_or_else(|| missing("no state".into()))?,
            batches::Kept::Absent => return Err(missing("it is missing".into())),
            batches::Kept::Unusable(why) => return Err(missing(why)),
        };
        frames.push((r, bytes));
    }
    let name = state::state_file_name(month);
    state::write_state_file(&dir.join(&name), month, p, frames)?;
    Ok(name)
}
