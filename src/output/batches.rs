//! Finished replications of an unfinished run, kept in the hidden folder
//! `RUN_DIR/.batches/` so that an interrupted run resumes without redoing
//! them. Replication `r` is one file per result table plus, last, its
//! metrics, each written atomically; the metrics file marks it as finished.
//! When every replication is finished the run's tables are assembled from
//! them, one row group per batch of [`crate::runner::BATCH_REPLICATIONS`]
//! replications, and the folder is removed.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::error::OutputError;
use super::parquet::FileMeta;
use super::replications::{self, REPLICATION_METRICS};
use super::summary::write_frame;
use super::tables::RESULT_TABLES;
use crate::metrics::ReplicationMetrics;
use crate::model::ReplicationResult;

/// The hidden folder of finished replications.
pub fn batch_dir(run_dir: &Path) -> PathBuf {
    run_dir.join(".batches")
}

fn file(run_dir: &Path, replication: u32, what: &str) -> PathBuf {
    let stem = what.strip_suffix(".parquet").unwrap_or(what);
    batch_dir(run_dir).join(format!("rep-{replication:06}-{stem}.parquet"))
}

/// Removes every kept replication (a run that starts over).
pub fn clear(run_dir: &Path) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    match std::fs::remove_dir_all(&d) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::write(&d, e)),
        _ => Ok(()),
    }
}

/// Bytes held by kept replications (0 if there are none).
pub fn kept_bytes(run_dir: &Path) -> u64 {
    std::fs::read_dir(batch_dir(run_dir))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Keeps a finished replication: its tables, then its metrics.
pub fn write(
    run_dir: &Path,
    result: &ReplicationResult,
    metrics: &ReplicationMetrics,
    meta: &FileMeta,
) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    std::fs::create_dir_all(&d).map_err(|cause| OutputError::CreateDir {
        path: d.clone(),
        cause,
    })?;
    let r = result.replication;
    for t in RESULT_TABLES {
        let path = file(run_dir, r, t.file());
        let mut df = t
            .frame(&[result])
            .map_err(|e| OutputError::parquet_write(&path, e))?;
        write_frame(&path, &mut df, meta, &t.field_notes())?;
    }
    let path = file(run_dir, r, "metrics");
    let rows = replications::rows(&[metrics]);
    let mut df = REPLICATION_METRICS
        .frame(rows.iter())
        .map_err(|e| OutputError::parquet_write(&path, e))?;
    write_frame(&path, &mut df, meta, &REPLICATION_METRICS.field_notes())
}

fn state_file(run_dir: &Path, replication: u32) -> PathBuf {
    batch_dir(run_dir).join(format!("rep-{replication:06}-state.bin"))
}

/// Keeps replication `r`'s saved state (encoded), before its tables, for a
/// run that saves states.
pub fn write_state(run_dir: &Path, r: u32, bytes: &[u8]) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    std::fs::create_dir_all(&d).map_err(|cause| OutputError::CreateDir {
        path: d.clone(),
        cause,
    })?;
    super::write_atomic(&state_file(run_dir, r), bytes)
}

/// Replication `r`'s kept saved state, if there is one.
pub fn read_state(run_dir: &Path, r: u32) -> Option<Vec<u8>> {
    std::fs::read(state_file(run_dir, r)).ok()
}

fn read(path: &Path) -> Result<DataFrame, OutputError> {
    let f = File::open(path).map_err(|e| OutputError::read(path, e))?;
    let mut df = ParquetReader::new(f)
        .finish()
        .map_err(|e| OutputError::parquet_read(path, e))?;
    df.rechunk_mut();
    Ok(df)
}

/// The metrics of replication `r` if it is finished, or `None` if not.
pub fn read_metrics(run_dir: &Path, r: u32) -> Option<ReplicationMetrics> {
    let path = file(run_dir, r, "metrics");
    let df = read(&path).ok()?;
    replications::from_frame(&df, &path).ok()?.pop()
}

/// For each result table (in [`RESULT_TABLES`] order) and then the
/// metrics, the rows of replications `reps` stacked in order.
pub fn read_frames(run_dir: &Path, reps: &[u32]) -> Result<Vec<DataFrame>, OutputError> {
    let mut names: Vec<&str> = RESULT_TABLES.iter().map(|t| t.file()).collect();
    names.push("metrics");
    names
        .iter()
        .map(|what| {
            let mut acc: Option<DataFrame> = None;
            for &r in reps {
                let path = file(run_dir, r, what);
                let df = read(&path)?;
                acc = Some(match acc {
                    None => df,
                    Some(mut a) => {
                        a.vstack_mut(&df)
                            .map_err(|e| OutputError::parquet_read(&path, e))?;
                        a
                    }
                });
            }
            let mut df = acc.unwrap_or_default();
            df.rechunk_mut();
            Ok(df)
        })
        .collect()
}
