//! The summary table: one row per metric with its distribution across
//! replications (n, mean, sd and the 5/25/50/75/95th percentiles), written
//! atomically as a small parquet file carrying the same key-value metadata
//! as the result tables. Also owns [`read_meta`], which reads that metadata
//! back from any parquet file trustsim writes.

use std::path::Path;

use polars::prelude::*;

use super::atomic::write_atomic;
use super::error::OutputError;
use super::parquet::{FileMeta, TableWriter};
use super::tables::{Col, Get, Table, table};
use crate::metrics::metric;

/// Conventional file name of the summary table inside a run folder.
pub const SUMMARY_FILE: &str = "summary.parquet";
/// The summary as CSV (with `--csv`).
pub const SUMMARY_CSV: &str = "summary.csv";

/// The distribution of one metric across replications.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub metric: String,
    pub n: u32,
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl SummaryRow {
    /// The distribution of `metric` across replications from each
    /// replication's value (values that are not finite are left out): the
    /// one computation behind every "median (90 % interval) across
    /// replications" a run reports.
    pub fn of(metric: &str, values: &[f64]) -> SummaryRow {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let v = crate::stats::sorted(&finite);
        SummaryRow {
            metric: metric.to_string(),
            n: v.len() as u32,
            mean: crate::stats::mean(&v),
            sd: crate::stats::sd(&v),
            p05: crate::stats::quantile(&v, 0.05),
            p25: crate::stats::quantile(&v, 0.25),
            p50: crate::stats::quantile(&v, 0.5),
            p75: crate::stats::quantile(&v, 0.75),
            p95: crate::stats::quantile(&v, 0.95),
        }
    }
}

table! {
    /// One row per metric: its distribution across replications.
    pub static SUMMARY: Table<SummaryRow> = "summary.parquet";
    pub mod col {
        METRIC = "metric", "", Get::Str(|r| &r.metric), "Metric key (see `trustsim metrics` and README, \"Metrics\").";
        LABEL = "label", "", Get::Str(|r| metric(&r.metric).map_or("", |m| m.label)), "What the metric measures.";
        UNIT = "unit", "", Get::Str(|r| metric(&r.metric).map_or("", |m| m.unit.stored_label())), "Unit of the values as stored: a share is a fraction (0-1), so 0.134 means 13.4 %.";
        N = "n", "replications", Get::U32(|r| r.n), "Replications with a value.";
        MEAN = "mean", "metric unit", Get::F64OrNull(|r| r.mean), "Mean across replications.";
        SD = "sd", "metric unit", Get::F64OrNull(|r| r.sd), "Standard deviation across replications.";
        P05 = "p05", "metric unit", Get::F64OrNull(|r| r.p05), "5th percentile across replications.";
        P25 = "p25", "metric unit", Get::F64OrNull(|r| r.p25), "25th percentile across replications.";
        P50 = "p50", "metric unit", Get::F64OrNull(|r| r.p50), "Median across replications.";
        P75 = "p75", "metric unit", Get::F64OrNull(|r| r.p75), "75th percentile across replications.";
        P95 = "p95", "metric unit", Get::F64OrNull(|r| r.p95), "95th percentile across replications.";
    }
}

const F64_COLUMNS: [&str; 7] = [
    col::MEAN,
    col::SD,
    col::P05,
    col::P25,
    col::P50,
    col::P75,
    col::P95,
];

/// Writes the summary table to `path` (atomically: via `.NAME.partial`).
pub fn write_summary(path: &Path, rows: &[SummaryRow], meta: &FileMeta) -> Result<(), OutputError> {
    write_table(path, &SUMMARY, rows, meta)
}

/// Writes the rows of a small table to `path` in one row group, atomically.
pub fn write_table<R>(
    path: &Path,
    table: &Table<R>,
    rows: &[R],
    meta: &FileMeta,
) -> Result<(), OutputError> {
    let bytes = encode_table(path, table, rows, meta)?;
    write_atomic(path, &bytes)
}

/// [`write_table`] without waiting for the disk, the file's writeback
/// started: for a run's files, which the run lists and syncs before its
/// manifest names them ([`super::write_unsynced_listed`]).
pub fn write_table_unsynced<R>(
    path: &Path,
    table: &Table<R>,
    rows: &[R],
    meta: &FileMeta,
) -> Result<super::Unsynced, OutputError> {
    let bytes = encode_table(path, table, rows, meta)?;
    super::write_unsynced_listed(path, &bytes)
}

fn encode_table<R>(
    path: &Path,
    table: &Table<R>,
    rows: &[R],
    meta: &FileMeta,
) -> Result<Vec<u8>, OutputError> {
    let mut df = table
        .frame(rows.iter())
        .map_err(|e| OutputError::parquet_write(path, e))?;
    encode_frame(&mut df, meta, &table.field_notes())
        .map_err(|e| OutputError::parquet_write(path, e))
}

/// Writes a frame to `path` in one row group, atomically (via
/// `.NAME.partial`), with trustsim's compression and metadata.
pub fn write_frame(
    path: &Path,
    df: &mut DataFrame,
    meta: &FileMeta,
    notes: &[(&str, &str, &str)],
) -> Result<(), OutputError> {
    let bytes = encode_frame(df, meta, notes).map_err(|e| OutputError::parquet_write(path, e))?;
    write_atomic(path, &bytes)
}

/// A frame as the bytes of a parquet file in one row group, with
/// trustsim's compression and metadata.
pub fn encode_frame(
    df: &mut DataFrame,
    meta: &FileMeta,
    notes: &[(&str, &str, &str)],
) -> Result<Vec<u8>, PolarsError> {
    let mut bytes = Vec::new();
    let schema = df.schema().clone();
    TableWriter::new(&mut bytes, meta, &schema, notes)?.write_all(df)?;
    Ok(bytes)
}

/// Reads a summary table written by [`write_summary`].
pub fn read_summary(path: &Path) -> Result<Vec<SummaryRow>, OutputError> {
    let df = super::verified::read_frame(path)?;
    let bad = |what: &str, e: PolarsError| OutputError::invalid(path, format!("{what}: {e}"));
    let metric = df
        .column(col::METRIC)
        .and_then(|c| c.str())
        .map_err(|e| bad("column `metric`", e))?;
    let n = df
        .column(col::N)
        .and_then(|c| c.u32())
        .map_err(|e| bad("column `n`", e))?;
    let mut values = Vec::with_capacity(F64_COLUMNS.len());
    for name in F64_COLUMNS {
        let c = df
            .column(name)
            .and_then(|c| c.f64())
            .map_err(|e| bad(&format!("column `{name}`"), e))?;
        values.push(c.iter().collect::<Vec<Option<f64>>>());
    }
    let null = |col: &str, i: usize| OutputError::invalid(path, format!("null `{col}` in row {i}"));
    let mut out = Vec::with_capacity(df.height());
    for (i, (m, n)) in metric.iter().zip(n.iter()).enumerate() {
        // A statistic with no value (no replication had one) is null.
        let v: [f64; 7] = std::array::from_fn(|k| values[k][i].unwrap_or(f64::NAN));
        out.push(SummaryRow {
            metric: m.ok_or_else(|| null("metric", i))?.to_string(),
            n: n.ok_or_else(|| null("n", i))?,
            mean: v[0],
            sd: v[1],
            p05: v[2],
            p25: v[3],
            p50: v[4],
            p75: v[5],
            p95: v[6],
        });
    }
    Ok(out)
}

/// Reads the trustsim key-value metadata from the footer of any parquet file
/// written by this module (results or summary).
pub fn read_meta(path: &Path) -> Result<FileMeta, OutputError> {
    let bytes = super::verified::read_verified(path)?;
    meta_of(path, &bytes)
}

/// The metadata of the parquet file `bytes`, read (and checked) from
/// `path`.
pub fn meta_of(path: &Path, bytes: &[u8]) -> Result<FileMeta, OutputError> {
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let md = reader
        .get_metadata()
        .map_err(|e| OutputError::parquet_read(path, e))?;
    let kv = md.key_value_metadata.as_deref().unwrap_or_default();
    FileMeta::from_key_values(
        path,
        kv.iter().map(|kv| (kv.key.as_str(), kv.value.as_deref())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::atomic::partial_path;
    use tempfile::TempDir;

    fn meta() -> FileMeta {
        FileMeta {
            scenario_hash: "h".into(),
            seed: 7,
            version: "0.1.0".into(),
            scenario_name: "s".into(),
            parameter_sets: None,
            scope: None,
        }
    }

    #[test]
    fn summary_round_trip() {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join(SUMMARY_FILE);
        let rows = vec![
            SummaryRow {
                metric: "ceo_tenure_months".into(),
                n: 100,
                mean: 30.5,
                sd: 4.25,
                p05: 20.0,
                p25: 26.0,
                p50: 30.0,
                p75: 35.0,
                p95: 41.0,
            },
            SummaryRow {
                metric: "engagement".into(),
                n: 100,
                mean: 0.5,
                sd: 0.1,
                p05: 0.3,
                p25: 0.4,
                p50: 0.5,
                p75: 0.6,
                p95: 0.7,
            },
        ];
        write_summary(&path, &rows, &meta()).unwrap();
        assert!(!partial_path(&path).exists());
        crate::output::verified::list_for_test(path.parent().unwrap(), &[SUMMARY_FILE]);
        assert_eq!(read_summary(&path).unwrap(), rows);
        assert_eq!(read_meta(&path).unwrap(), meta());
        // Deterministic bytes.
        let first = std::fs::read(&path).unwrap();
        write_summary(&path, &rows, &meta()).unwrap();
        assert!(first == std::fs::read(&path).unwrap());
    }

    #[test]
    fn empty_summary_round_trip() {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join(SUMMARY_FILE);
        write_summary(&path, &[], &meta()).unwrap();
        crate::output::verified::list_for_test(path.parent().unwrap(), &[SUMMARY_FILE]);
        assert!(read_summary(&path).unwrap().is_empty());
    }

    #[test]
    fn non_parquet_file_is_an_error() {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join("x.parquet");
        std::fs::write(&path, b"not parquet at all").unwrap();
        crate::output::verified::list_for_test(tmp.path(), &["x.parquet"]);
        let err = read_summary(&path).unwrap_err().to_string();
        assert!(err.starts_with("cannot decode parquet file `"), "{err}");
        let err = read_meta(&path).unwrap_err().to_string();
        assert!(err.starts_with("cannot decode parquet file `"), "{err}");
    }

    #[test]
    fn missing_metadata_is_reported() {
        let tmp = TempDir::new().unwrap();
        let path = tmp.path().join("plain.parquet");
        let mut df = DataFrame::new(1, vec![Column::new("a".into(), vec![1u32])]).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        crate::output::verified::list_for_test(tmp.path(), &["plain.parquet"]);
        let err = read_meta(&path).unwrap_err().to_string();
        assert!(err.contains("is not a valid trustsim output file"), "{err}");
        assert!(err.contains("trustsim.seed"), "{err}");
    }
}
