//! `parameter_sets.parquet`: plausible parameter sets, one row per set, for
//! `run`, `compare` and `sweep --parameter-sets FILE` (replication `i` uses
//! set `i mod M`). The format is fixed: a column `set` (UInt32, 0-based and
//! consecutive), then one Float64 column per parameter, named by its dotted
//! scenario key (`oversight.punitiveness`); integer parameters are rounded
//! when a set is applied.
//! File-level metadata may carry any other keys, which are ignored, except
//! `trustsim.content_sha256`: [`write`] stores the SHA-256 of the sets' keys
//! and values there ([`ParameterSets::content_hash`]) and [`read`] refuses a
//! file whose values no longer match it. A file written by hand or by
//! another tool (no `trustsim.` keys) has no checksum and is used as read
//! ([`Checksum::Absent`]); a file with trustsim's keys but no checksum is
//! refused (damaged, or written by an older version).
//!
//! [`read`] refuses a file that is missing, not parquet, has no `set` column
//! or no parameter column, names an unknown or non-numeric key, holds a null
//! or NaN, or has no rows, with a message that names the file and what is
//! wrong. [`write`] writes one atomically. Whether a set's values are
//! allowed by the scenario's checks is decided where the sets are applied
//! (`runner::sets`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::write_atomic;
use super::error::OutputError;

/// Conventional file name of the parameter sets.
pub const PARAMETER_SETS_FILE: &str = "parameter_sets.parquet";
/// The column that numbers the sets.
pub const SET_COLUMN: &str = "set";

/// Plausible parameter sets: `values[s][k]` is parameter `keys[k]` in set `s`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSets {
    /// Dotted scenario keys, in column order.
    pub keys: Vec<String>,
    /// One row per set, in set order, one value per key.
    pub values: Vec<Vec<f64>>,
}

impl ParameterSets {
    /// Number of sets (M).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The set replication `r` uses: `r mod M` (cycled).
    pub fn set_of(&self, replication: u32) -> u32 {
        replication % (self.len().max(1) as u32)
    }

    /// Lowercase hex SHA-256 of the keys and values (not of the file's
    /// bytes, so metadata does not change it): the sets' part of a run's
    /// identity.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        for k in &self.keys {
            h.update(k.as_bytes());
            h.update([0]);
        }
        for row in &self.values {
            for x in row {
                h.update(x.to_le_bytes());
            }
        }
        hex(&h.finalize())
    }
}

/// A parameter-sets file as a run uses it: where it was read from, the
/// SHA-256 of its bytes, and its sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSetsFile {
    pub path: PathBuf,
    pub sha256: String,
    pub sets: ParameterSets,
    /// Whether the values were checked against the checksum in the file.
    pub checksum: Checksum,
}

/// What a parameter-sets file's own checksum said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// The values match the checksum trustsim wrote into the file.
    Verified,
    /// The file has no trustsim metadata (written by hand or another tool).
    Absent,
}

/// The file-level key of the checksum of the sets' content.
pub const KEY_CONTENT_SHA256: &str = "trustsim.content_sha256";

impl ParameterSetsFile {
    /// Reads and checks the file at `path` (see [`read`]).
    pub fn open(path: &Path) -> Result<ParameterSetsFile, ParameterSetsError> {
        let bytes = read_bytes(path)?;
        let sha256 = hex(&Sha256::digest(&bytes));
        let (sets, checksum) = parse(path, bytes)?;
        Ok(ParameterSetsFile {
            path: path.to_path_buf(),
            sha256,
            sets,
            checksum,
        })
    }

    /// What a user should know about running `replications` replications
    /// with these sets, one line each (`note:` or `warning:`): that the
    /// file carries no checksum, or that some sets go unused.
    pub fn notes(&self, replications: u32) -> Vec<String> {
        let m = self.sets.len();
        let mut notes = Vec::new();
        if self.checksum == Checksum::Absent {
            notes.push(format!(
                "note: {} carries no trustsim checksum (it was written by hand or by another tool); its values are used as read",
                self.path.display()
            ));
        }
        if (replications as usize) < m {
            notes.push(format!(
                "warning: {replications} replications use only the first {replications} of the {m} parameter sets in {}; run at least {m} replications to use them all",
                self.path.display()
            ));
        }
        notes
    }

    /// What a manifest records of the file for a run of `replications`.
    pub fn record(&self, replications: u32) -> SetsRecord {
        let m = self.sets.len() as u32;
        SetsRecord {
            path: self.path.display().to_string(),
            sha256: self.sha256.clone(),
            sets: m,
            used: m.min(replications),
            keys: self.sets.keys.clone(),
            assignment: format!("cycled: replication i uses set i mod {m}"),
        }
    }
}

/// The parameter sets a run used, as its manifest (and a comparison's or a
/// sweep's record) states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetsRecord {
    /// The file, as given on the command line.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Sets in the file (M).
    pub sets: u32,
    /// Sets the run used: M, or the replication count if that is smaller.
    pub used: u32,
    /// The parameters the sets give, as dotted keys.
    pub keys: Vec<String>,
    /// How replications are assigned to sets.
    pub assignment: String,
}

/// Why a parameter-sets file cannot be used; the message names the file.
#[derive(Debug, thiserror::Error)]
#[error("parameter sets {}: {reason}", path.display())]
pub struct ParameterSetsError {
    pub path: PathBuf,
    pub reason: String,
}

fn bad(path: &Path, reason: impl Into<String>) -> ParameterSetsError {
    ParameterSetsError {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ParameterSetsError> {
    crate::files::read_bounded(
        path,
        crate::files::limits::PARAMETER_SETS_BYTES,
        "a parameter-sets file",
    )
    .map_err(|p| match p {
        crate::files::ReadProblem::NotFound => bad(path, "file not found"),
        p => bad(path, format!("cannot read it: {p}")),
    })
}

/// Reads and checks the parameter sets at `path`.
pub fn read(path: &Path) -> Result<ParameterSets, ParameterSetsError> {
    Ok(parse(path, read_bytes(path)?)?.0)
}

/// Refuses parquet `bytes` whose row groups or pages claim more rows or
/// values than a parameter-sets file may hold, or pages larger than the
/// file, before the decoder sizes its buffers from those claims (a damaged
/// page header could otherwise make it ask for more memory than exists,
/// which ends the process rather than returning an error). Every page
/// header of every column chunk is read and checked.
fn check_pages(bytes: &[u8]) -> Result<(), String> {
    use polars_parquet::parquet::read::read_metadata;
    use polars_parquet_format::PageHeader;
    use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
    let limit = crate::files::limits::PARAMETER_SETS;
    let meta = read_metadata(&mut Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let rows: usize = meta.row_groups.iter().map(|rg| rg.num_rows()).sum();
    if rows > limit {
        return Err(format!("{rows} sets; allowed: at most {limit}"));
    }
    let damaged = || "a page does not fit the file".to_string();
    for rg in &meta.row_groups {
        let rows = rg.num_rows() as i64;
        for col in rg.parquet_columns() {
            let range = col.byte_range();
            let chunk = bytes
                .get(range.start as usize..range.end as usize)
                .ok_or_else(damaged)?;
            if !(0..=rows).contains(&col.num_values()) {
                return Err(damaged());
            }
            let mut at = 0usize;
            let mut seen = 0i64;
            while seen < col.num_values() {
                let mut reader = Cursor::new(chunk.get(at..).ok_or_else(damaged)?);
                let header = {
                    let mut prot = TCompactInputProtocol::new(&mut reader, chunk.len());
                    PageHeader::read_from_in_protocol(&mut prot).map_err(|e| e.to_string())?
                };
                let values = header
                    .data_page_header
                    .as_ref()
                    .map(|h| i64::from(h.num_values))
                    .or(header
                        .data_page_header_v2
                        .as_ref()
                        .map(|h| i64::from(h.num_values)))
                    .unwrap_or(0);
                let dict = header
                    .dictionary_page_header
                    .as_ref()
                    .map_or(0, |h| i64::from(h.num_values));
                let compressed =
                    usize::try_from(header.compressed_page_size).map_err(|_| damaged())?;
                let uncompressed =
                    usize::try_from(header.uncompressed_page_size).map_err(|_| damaged())?;
                if !(0..=rows).contains(&values)
                    || !(0..=rows).contains(&dict)
                    || compressed > chunk.len()
                    || uncompressed > 64 * bytes.len().max(4096)
                {
                    return Err(damaged());
                }
                at += reader.position() as usize + compressed;
                if at > chunk.len() || (values == 0 && dict == 0 && compressed == 0) {
                    return Err(damaged());
                }
                seen += values;
            }
        }
    }
    Ok(())
}

/// The frame and file-level metadata of the parquet `bytes`, after
/// [`check_pages`]; a decoder that panics on damaged bytes is an error, not
/// a crash.
fn decode(bytes: Vec<u8>) -> Result<(DataFrame, Vec<(String, String)>), String> {
    crate::files::guard::catch(|| check_pages(&bytes))
        .map_err(|panic| format!("the file is damaged ({panic})"))??;
    crate::files::guard::catch(move || -> PolarsResult<_> {
        let mut reader =
            ParquetReader::new(Cursor::new(bytes)).read_parallel(ParallelStrategy::None);
        let kv: Vec<(String, String)> = reader
            .get_metadata()?
            .key_value_metadata
            .iter()
            .flatten()
            .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
            .collect();
        Ok((reader.finish()?, kv))
    })
    .map_err(|panic| format!("the file is damaged ({panic})"))?
    .map_err(|e| e.to_string())
}

/// The sets in `bytes` (the file at `path`), checked, and what their
/// checksum said.
fn parse(path: &Path, bytes: Vec<u8>) -> Result<(ParameterSets, Checksum), ParameterSetsError> {
    let (df, kv) =
        decode(bytes).map_err(|e| bad(path, format!("not a readable parquet file ({e})")))?;
    if df.columns().iter().any(|c| c.len() != df.height()) {
        return Err(bad(
            path,
            "not a readable parquet file (its columns have different lengths: the file is damaged)",
        ));
    }
    if df.height() > crate::files::limits::PARAMETER_SETS {
        return Err(bad(
            path,
            format!(
                "{} sets; allowed: at most {}",
                df.height(),
                crate::files::limits::PARAMETER_SETS
            ),
        ));
    }
    let set = df.column(SET_COLUMN).map_err(|_| {
        bad(
            path,
            format!(
                "no `{SET_COLUMN}` column; the file has `{SET_COLUMN}` (UInt32, 0-based) and one Float64 column per parameter, named by its dotted key"
            ),
        )
    })?;
    if !set.dtype().is_integer() {
        return Err(bad(
            path,
            format!(
                "column `{SET_COLUMN}` is {}; allowed: UInt32 set numbers",
                set.dtype()
            ),
        ));
    }
    let set = set
        .cast(&DataType::Int64)
        .map_err(|e| bad(path, format!("column `{SET_COLUMN}`: {e}")))?;
    let set = set
        .i64()
        .map_err(|e| bad(path, format!("column `{SET_COLUMN}`: {e}")))?;
    let keys: Vec<String> = df
        .get_column_names()
        .into_iter()
        .filter(|n| n.as_str() != SET_COLUMN)
        .map(|n| n.to_string())
        .collect();
    if keys.is_empty() {
        return Err(bad(
            path,
            "no parameter columns; add one Float64 column per parameter, named by its dotted key (e.g. `oversight.punitiveness`)",
        ));
    }
    let known = crate::scenario::keys::parameter_keys();
    for k in &keys {
        crate::scenario::keys::numeric_key(&known, k)
            .map_err(|m| bad(path, format!("column {m}")))?;
        if k.starts_with("run.") {
            return Err(bad(
                path,
                format!(
                    "column `{k}`: run control is the same for every set; allowed: model parameters (see `trustsim params`)"
                ),
            ));
        }
    }
    if df.height() == 0 {
        return Err(bad(path, "no rows: it holds no parameter set"));
    }
    for (i, s) in set.iter().enumerate() {
        match s {
            Some(s) if s == i as i64 => {}
            Some(s) => {
                return Err(bad(
                    path,
                    format!("row {i} has set {s}; sets are numbered 0, 1, 2, ... in row order"),
                ));
            }
            None => return Err(bad(path, format!("row {i}: `{SET_COLUMN}` is null"))),
        }
    }
    let mut columns = Vec::with_capacity(keys.len());
    for k in &keys {
        let c = df
            .column(k)
            .map_err(|e| bad(path, format!("column `{k}`: {e}")))?;
        if !c.dtype().is_primitive_numeric() {
            return Err(bad(
                path,
                format!("column `{k}` is {}; allowed: Float64", c.dtype()),
            ));
        }
        let c = c
            .cast(&DataType::Float64)
            .map_err(|e| bad(path, format!("column `{k}`: {e}")))?;
        let c = c
            .f64()
            .map_err(|e| bad(path, format!("column `{k}`: {e}")))?
            .clone();
        columns.push(c);
    }
    let mut values = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut row = Vec::with_capacity(keys.len());
        for (k, c) in keys.iter().zip(&columns) {
            match c.get(i) {
                Some(v) if v.is_finite() => row.push(v),
                Some(v) => {
                    return Err(bad(
                        path,
                        format!("set {i}: `{k}` is {v}; allowed: a finite number"),
                    ));
                }
                None => {
                    return Err(bad(
                        path,
                        format!("set {i}: `{k}` is null; every set gives every parameter"),
                    ));
                }
            }
        }
        values.push(row);
    }
    let sets = ParameterSets { keys, values };
    let recorded = kv.iter().find(|(k, _)| k == KEY_CONTENT_SHA256);
    let checksum = match recorded {
        Some((_, sum)) if *sum == sets.content_hash() => Checksum::Verified,
        Some(_) => {
            return Err(bad(
                path,
                "its values do not match the checksum trustsim wrote into it; the file was changed or damaged",
            ));
        }
        None if kv.iter().any(|(k, _)| k.starts_with("trustsim.")) => {
            return Err(bad(
                path,
                format!(
                    "it was written by trustsim but carries no checksum of its values (`{KEY_CONTENT_SHA256}`): it is damaged or was written by an older version; write it again"
                ),
            ));
        }
        None => Checksum::Absent,
    };
    Ok((sets, checksum))
}

/// Writes `sets` to `path` atomically in the format [`read`] takes, with
/// `meta` as file-level key-value metadata (e.g. how a calibration made the
/// sets). Refuses sets whose rows do not each give every key.
pub fn write(
    path: &Path,
    sets: &ParameterSets,
    meta: &[(String, String)],
) -> Result<(), OutputError> {
    if let Some((i, row)) = sets
        .values
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != sets.keys.len())
    {
        return Err(OutputError::invalid(
            path,
            format!(
                "set {i} has {} values for {} keys",
                row.len(),
                sets.keys.len()
            ),
        ));
    }
    let n = sets.len();
    let mut cols = vec![Column::new(
        SET_COLUMN.into(),
        (0..n as u32).collect::<Vec<u32>>(),
    )];
    for (k, key) in sets.keys.iter().enumerate() {
        cols.push(Column::new(
            key.as_str().into(),
            sets.values.iter().map(|r| r[k]).collect::<Vec<f64>>(),
        ));
    }
    let mut df = DataFrame::new(n, cols).map_err(|e| OutputError::parquet_write(path, e))?;
    let mut kv: Vec<(String, String)> = meta
        .iter()
        .filter(|(k, _)| k != KEY_CONTENT_SHA256)
        .cloned()
        .collect();
    kv.push((KEY_CONTENT_SHA256.into(), sets.content_hash()));
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)))
        .set_parallel(false)
        .finish(&mut df)
        .map_err(|e| OutputError::parquet_write(path, e))?;
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    fn sets() -> ParameterSets {
        ParameterSets {
            keys: vec![
                "oversight.punitiveness".into(),
                "leaders.prepared_share".into(),
            ],
            values: vec![vec![0.2, 0.3], vec![0.9, 0.5], vec![0.5, 0.4]],
        }
    }

    /// The message of reading a file written from `df` (relative to `dir`).
    fn err_of(df: &mut DataFrame) -> String {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("p.parquet");
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes).finish(df).unwrap();
        std::fs::write(&path, bytes).unwrap();
        read(&path)
            .unwrap_err()
            .to_string()
            .replace(&dir.path().display().to_string(), "D")
    }

    #[test]
    fn written_sets_read_back_with_their_metadata_ignored() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(PARAMETER_SETS_FILE);
        let meta = vec![("calibration.wave".to_string(), "3".to_string())];
        write(&path, &sets(), &meta).unwrap();
        assert_eq!(read(&path).unwrap(), sets());
        let f = ParameterSetsFile::open(&path).unwrap();
        assert_eq!(f.sha256.len(), 64);
        assert_eq!(f.sets.set_of(4), 1);
        let r = f.record(2);
        assert_eq!((r.sets, r.used), (3, 2));
        assert!(r.assignment.contains("i mod 3"), "{}", r.assignment);
        assert!(!dir.path().join(".parameter_sets.parquet.partial").exists());
        assert_ne!(sets().content_hash(), {
            let mut s = sets();
            s.values[2][1] = 0.41;
            s.content_hash()
        });
    }

    #[test]
    fn bad_files_name_the_file_and_the_problem() {
        let col = |name: &str, v: Vec<f64>| Column::new(name.into(), v);
        let set = |n: u32| Column::new(SET_COLUMN.into(), (0..n).collect::<Vec<u32>>());
        let cases: Vec<(DataFrame, &str)> = vec![
            (
                DataFrame::new(1, vec![col("oversight.punitiveness", vec![0.2])]).unwrap(),
                "no `set` column",
            ),
            (
                DataFrame::new(1, vec![set(1)]).unwrap(),
                "no parameter columns",
            ),
            (
                DataFrame::new(1, vec![set(1), col("oversight.punitivenes", vec![0.2])]).unwrap(),
                "column unknown parameter `oversight.punitivenes`; did you mean `oversight.punitiveness`?",
            ),
            (
                DataFrame::new(1, vec![set(1), col("run.seed", vec![2.0])]).unwrap(),
                "column `run.seed`: run control is the same for every set",
            ),
            (
                DataFrame::new(0, vec![set(0), col("oversight.punitiveness", vec![])]).unwrap(),
                "no rows",
            ),
            (
                DataFrame::new(
                    2,
                    vec![set(2), col("oversight.punitiveness", vec![0.2, f64::NAN])],
                )
                .unwrap(),
                "set 1: `oversight.punitiveness` is NaN; allowed: a finite number",
            ),
            (
                DataFrame::new(
                    2,
                    vec![
                        set(2),
                        Column::new("oversight.punitiveness".into(), vec![Some(0.2), None]),
                    ],
                )
                .unwrap(),
                "set 1: `oversight.punitiveness` is null",
            ),
            (
                DataFrame::new(
                    2,
                    vec![
                        Column::new(SET_COLUMN.into(), vec![0u32, 2]),
                        col("oversight.punitiveness", vec![0.2, 0.3]),
                    ],
                )
                .unwrap(),
                "row 1 has set 2",
            ),
        ];
        for (mut df, expected) in cases {
            let e = err_of(&mut df);
            assert!(e.starts_with("parameter sets D/p.parquet: "), "{e}");
            assert!(e.contains(expected), "{e}\nexpected: {expected}");
        }
    }

    #[test]
    fn a_missing_file_and_one_that_is_not_parquet_are_named() {
        let dir = TempDir::new().unwrap();
        let missing = dir.path().join("none.parquet");
        let e = read(&missing).unwrap_err().to_string();
        assert!(e.contains("none.parquet: file not found"), "{e}");
        let text = dir.path().join("sets.parquet");
        std::fs::write(&text, "set,oversight.punitiveness\n0,0.2\n").unwrap();
        let e = read(&text).unwrap_err().to_string();
        assert!(
            e.contains("sets.parquet: not a readable parquet file"),
            "{e}"
        );
    }
}
