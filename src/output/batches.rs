//! Finished batches of an unfinished run, kept in the hidden folder
//! `RUN_DIR/.batches/` so that an interrupted run resumes without redoing
//! them. Batch `b` is three files, each written atomically: its trust-month
//! and CEO-spell tables and, last, its metrics, whose presence marks the batch
//! as finished. When every batch is finished the run's tables are assembled
//! from them, one row group per batch, and the folder is removed.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::error::OutputError;
use super::parquet::{FileMeta, ceo_spells_frame, trust_months_frame};
use super::summary::write_table;
use crate::model::ReplicationResult;

/// The hidden folder of finished batches.
pub fn batch_dir(run_dir: &Path) -> PathBuf {
    run_dir.join(".batches")
}

fn file(run_dir: &Path, batch: usize, what: &str) -> PathBuf {
    batch_dir(run_dir).join(format!("batch-{batch:05}-{what}.parquet"))
}

/// Removes every kept batch (a run that starts over).
pub fn clear(run_dir: &Path) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    match std::fs::remove_dir_all(&d) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::write(&d, e)),
        _ => Ok(()),
    }
}

/// Keeps a finished batch: its tables, then its metrics (one row per
/// replication, one column per metric key).
pub fn write(
    run_dir: &Path,
    batch: usize,
    results: &[&ReplicationResult],
    metrics: &[Vec<f64>],
    keys: &[&str],
    meta: &FileMeta,
) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    std::fs::create_dir_all(&d).map_err(|cause| OutputError::CreateDir {
        path: d.clone(),
        cause,
    })?;
    let tm_path = file(run_dir, batch, "trust_months");
    let mut tm =
        trust_months_frame(results).map_err(|e| OutputError::parquet_write(&tm_path, e))?;
    write_table(&tm_path, &mut tm, meta)?;
    drop(tm);
    let cs_path = file(run_dir, batch, "ceo_spells");
    let mut cs = ceo_spells_frame(results).map_err(|e| OutputError::parquet_write(&cs_path, e))?;
    write_table(&cs_path, &mut cs, meta)?;
    let m_path = file(run_dir, batch, "metrics");
    let cols = keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            Column::new(
                (*key).into(),
                metrics.iter().map(|m| m[k]).collect::<Vec<f64>>(),
            )
        })
        .collect();
    let mut m =
        DataFrame::new(metrics.len(), cols).map_err(|e| OutputError::parquet_write(&m_path, e))?;
    write_table(&m_path, &mut m, meta)
}

fn read(path: &Path) -> Result<DataFrame, OutputError> {
    let f = File::open(path).map_err(|e| OutputError::read(path, e))?;
    let mut df = ParquetReader::new(f)
        .finish()
        .map_err(|e| OutputError::parquet_read(path, e))?;
    df.rechunk_mut();
    Ok(df)
}

/// The metrics of batch `batch` if it is finished (per replication, in
/// `keys` order).
pub fn read_metrics(run_dir: &Path, batch: usize, keys: &[&str]) -> Option<Vec<Vec<f64>>> {
    let df = read(&file(run_dir, batch, "metrics")).ok()?;
    let cols: Vec<Vec<f64>> = keys
        .iter()
        .map(|k| {
            df.column(k)
                .ok()?
                .f64()
                .ok()
                .map(|c| c.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        })
        .collect::<Option<_>>()?;
    let rows = (0..df.height())
        .map(|r| cols.iter().map(|c| c[r]).collect())
        .collect();
    Some(rows)
}

/// The two tables of a finished batch.
pub fn read_frames(run_dir: &Path, batch: usize) -> Result<(DataFrame, DataFrame), OutputError> {
    Ok((
        read(&file(run_dir, batch, "trust_months"))?,
        read(&file(run_dir, batch, "ceo_spells"))?,
    ))
}
