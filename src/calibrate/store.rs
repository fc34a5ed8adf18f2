//! The files of a calibration folder (waves are sweep folders under
//! `waves/`):
//!
//! - `runs.parquet`: every run of every wave, one row per replication, with
//!   the wave, the point, the parameter values (a dotted key's column has
//!   `__` for each dot, as in a sweep), every metric, the point's largest
//!   simulated implausibility and whether the point is non-implausible;
//! - `parameter_sets.parquet`: the plausible parameter sets, `set` then one
//!   column per parameter named by its dotted key (the file that
//!   `--parameter-sets` reads);
//! - `calibration.json`: the plan, each wave's space and emulators, and each
//!   target's model range by wave against its evidence.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::plan::{Plan, TargetSpec};
use super::run::{Outcome, WaveRecord};
use crate::output::parameter_sets::{self, ParameterSets};
use crate::output::{FileMeta, OutputError, write_frame};
use crate::stats;
use crate::sweep::store::{self, StoreError};

pub const RUNS_FILE: &str = "runs.parquet";
pub const SETS_FILE: &str = parameter_sets::PARAMETER_SETS_FILE;
pub const SUMMARY_FILE: &str = "calibration.json";

fn meta(plan: &Plan) -> FileMeta {
    FileMeta {
        scenario_hash: plan.hash(),
        seed: plan.base.run.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: plan.name.clone(),
        parameter_sets: None,
        scope: None,
    }
}

/// The largest simulated implausibility of each point of wave `w`.
fn point_max(outcome: &Outcome, w: usize) -> Vec<f64> {
    outcome.implausibility[w]
        .iter()
        .map(|i| i.iter().copied().fold(0.0, f64::max))
        .collect()
}

/// Writes `runs.parquet` from the waves' parts.
pub fn write_runs(dir: &Path, plan: &Plan, outcome: &Outcome) -> Result<PathBuf, StoreError> {
    let mut all: Option<DataFrame> = None;
    for (w, record) in outcome.waves.iter().enumerate() {
        let (_, mut df) = store::merged(&record.dir)?;
        let path = record.dir.clone();
        let imp = point_max(outcome, w);
        let points: Vec<u32> = df
            .column("point")
            .and_then(|c| c.u32().cloned())
            .map_err(|e| OutputError::parquet_read(&path, e))?
            .into_no_null_iter()
            .collect();
        let n = df.height();
        let row_imp: Vec<f64> = points.iter().map(|&p| imp[p as usize]).collect();
        let plausible: Vec<bool> = row_imp.iter().map(|i| *i <= plan.cutoff).collect();
        let wave = Column::new("wave".into(), vec![record.wave as u32; n]);
        df.insert_column(0, wave)
            .and_then(|d| d.with_column(Column::new("implausibility".into(), row_imp)))
            .and_then(|d| d.with_column(Column::new("plausible".into(), plausible)))
            .map_err(|e| OutputError::parquet_read(&path, e))?;
        all = Some(store::stack(all, &df, &path)?);
    }
    let out = dir.join(RUNS_FILE);
    let Some(mut df) = all else {
        return Err(OutputError::invalid(
            &out,
            "no wave of the calibration has run, so there are no runs to write".to_string(),
        )
        .into());
    };
    df.rechunk_mut();
    let notes: Vec<(String, String)> = plan
        .keys()
        .iter()
        .map(|k| (store::column_name(k), k.clone()))
        .collect();
    let described: Vec<(&str, &str, &str)> = notes
        .iter()
        .map(|(c, k)| (c.as_str(), "", k.as_str()))
        .collect();
    write_frame(&out, &mut df, &meta(plan), &described)?;
    Ok(out)
}

/// Writes `parameter_sets.parquet` (the format `--parameter-sets` reads).
pub fn write_sets(dir: &Path, plan: &Plan, sets: &[Vec<f64>]) -> Result<PathBuf, OutputError> {
    let path = dir.join(SETS_FILE);
    let sets = ParameterSets {
        keys: plan.keys(),
        values: sets.to_vec(),
    };
    parameter_sets::write(&path, &sets, &meta(plan).key_values())?;
    Ok(path)
}

/// A target's model range (5th, 50th, 95th percentiles of point means).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Range {
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Range {
    pub fn of(values: &[f64]) -> Option<Range> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        (!v.is_empty()).then(|| {
            let s = stats::sorted(&v);
            Range {
                p05: stats::quantile(&s, 0.05),
                p50: stats::quantile(&s, 0.5),
                p95: stats::quantile(&s, 0.95),
            }
        })
    }
}

/// What a target looked like, by wave and over the plausible sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSummary {
    #[serde(flatten)]
    pub spec: TargetSpec,
    /// Model range of each wave's point means.
    pub waves: Vec<Option<Range>>,
    /// Model range over the plausible sets' point means.
    pub sets: Option<Range>,
}

/// An emulator, as a reader checks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmulatorSummary {
    pub target: String,
    /// Length scale per parameter, in shares of its prior range (long means
    /// the target barely depends on it).
    pub length_scales: Vec<f64>,
    /// Share of leave-one-out standardized errors within +-3 (about 1 for a
    /// sound emulator).
    pub loo_within_3: f64,
    /// The model's own variance of one replication.
    pub stochastic_sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveSummary {
    #[serde(flatten)]
    pub record: WaveRecord,
    pub plausible_points: usize,
    pub emulators: Vec<EmulatorSummary>,
}

/// A parameter's prior range and its range over the plausible sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterSummary {
    pub key: String,
    /// The base scenario's value.
    pub base: f64,
    pub prior_min: f64,
    pub prior_max: f64,
    pub sets_min: f64,
    pub sets_max: f64,
}

/// `calibration.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub name: String,
    pub hash: String,
    pub build: String,
    pub method: super::plan::Method,
    pub replications: u32,
    pub cutoff: f64,
    pub parameters: Vec<ParameterSummary>,
    pub targets: Vec<TargetSummary>,
    pub waves: Vec<WaveSummary>,
    /// Share of the prior box non-implausible after the last wave.
    pub space_after: f64,
    pub sets: usize,
    pub stopped_early: Option<String>,
    /// Largest implausibility of the base scenario's own values under every
    /// wave's emulators (null when one lies outside its prior range).
    pub base_implausibility: Option<f64>,
}

/// What `calibration.json` in a folder says of the finished calibration
/// whose results it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub name: String,
    pub hash: String,
    pub sets: u64,
    pub space_after: f64,
}

/// The finished calibration whose results `dir` holds (`calibration.json`
/// and `parameter_sets.parquet`), if it holds any.
pub fn read_results(dir: &Path) -> Option<Results> {
    if !dir.join(SETS_FILE).exists() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join(SUMMARY_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Results {
        name: v["name"].as_str()?.to_string(),
        hash: v["hash"].as_str()?.to_string(),
        sets: v["sets"].as_u64()?,
        space_after: v["space_after"].as_f64()?,
    })
}

/// The summary of a finished calibration.
pub fn summary(plan: &Plan, outcome: &Outcome) -> Summary {
    let targets = plan
        .targets
        .iter()
        .enumerate()
        .map(|(t, spec)| TargetSummary {
            spec: spec.clone(),
            waves: outcome
                .runs
                .iter()
                .map(|r| {
                    Range::of(
                        &(0..r.unit.len())
                            .map(|p| r.mean(t, p).0)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect(),
            sets: outcome.runs.last().and_then(|r| {
                Range::of(
                    &outcome
                        .set_points
                        .iter()
                        .map(|&p| r.mean(t, p).0)
                        .collect::<Vec<_>>(),
                )
            }),
        })
        .collect();
    let waves = outcome
        .waves
        .iter()
        .zip(&outcome.fits)
        .enumerate()
        .map(|(w, (record, fit))| WaveSummary {
            record: record.clone(),
            plausible_points: point_max(outcome, w)
                .iter()
                .filter(|i| **i <= plan.cutoff)
                .count(),
            emulators: plan
                .targets
                .iter()
                .zip(&fit.emulators)
                .zip(&fit.stochastic_var)
                .map(|((t, e), s)| {
                    let loo = e.loo_standardized();
                    EmulatorSummary {
                        target: t.key.clone(),
                        length_scales: e.length_scales().to_vec(),
                        loo_within_3: loo.iter().filter(|z| z.abs() <= 3.0).count() as f64
                            / loo.len().max(1) as f64,
                        stochastic_sd: s.sqrt(),
                    }
                })
                .collect(),
        })
        .collect();
    let parameters = plan
        .parameters
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let vals: Vec<f64> = outcome.sets.iter().map(|s| s[k]).collect();
            ParameterSummary {
                key: v.key.clone(),
                base: outcome.base_values.get(k).copied().unwrap_or(f64::NAN),
                prior_min: v.min,
                prior_max: v.max,
                sets_min: vals.iter().copied().fold(f64::NAN, f64::min),
                sets_max: vals.iter().copied().fold(f64::NAN, f64::max),
            }
        })
        .collect();
    Summary {
        name: plan.name.clone(),
        hash: plan.hash(),
        build: env!("TRUSTSIM_COMMIT").to_string(),
        method: plan.method,
        replications: plan.replications,
        cutoff: plan.cutoff,
        parameters,
        targets,
        waves,
        space_after: outcome.space_after,
        sets: outcome.sets.len(),
        stopped_early: outcome.stopped_early.clone(),
        base_implausibility: outcome.base_implausibility,
    }
}

/// Writes `calibration.json` (sealed: its own checksum in its last field).
pub fn write_summary(dir: &Path, summary: &Summary) -> Result<PathBuf, OutputError> {
    let path = dir.join(SUMMARY_FILE);
    crate::output::manifest::write_sealed(&path, summary)?;
    Ok(path)
}
