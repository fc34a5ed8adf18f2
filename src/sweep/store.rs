//! The files of a sweep folder:
//!
//! - `sweep.json`: the definition (hash, parameters, design points); a
//!   rerun into the same folder must have the same hash;
//! - `data/point=N/part.parquet`: one hive-style partition per design point
//!   (`N` an unpadded integer, so readers infer an integer `point`), one row
//!   per replication (parameter values and every metric), written
//!   atomically; a varied parameter's column is its dotted key with `__`
//!   for each dot (`oversight__punitiveness`, no quoting needed in SQL),
//!   and the dotted key is in the column's `trustsim.key` metadata;
//! - `ledger/shard-I-of-N.log`: the units each shard finished, one line each
//!   (`unit bytes sha256` of its part), appended after the part is in place
//!   (one file per shard, so shards never write the same file);
//! - `sweep.parquet`: every part in point order, written by [`merge`], with
//!   its size and checksum recorded in `sweep.json`.
//!
//! `sweep.json` is sealed (its own checksum, `files::sealed`). A unit counts
//! as done when a ledger lists it and its part still matches the size and
//! checksum the ledger records, so an interrupted sweep resumes without
//! redoing or duplicating work, and a damaged part is run again rather than
//! read; every reader of a part checks it first.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Shard, Sweep, Varied};
use crate::files::FileEntry;
use crate::metrics::{METRICS, ReplicationMetrics};
use crate::output::manifest::{read_sealed, write_sealed};
use crate::output::{FileMeta, OutputError};

/// Why a sweep folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(
        "{path} holds a different sweep (hash {found}, this one is {expected}); use another --out or remove the folder"
    )]
    Mismatch {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot append to the ledger {path}: {cause}")]
    Ledger {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{done} of {units} units are done; missing units: {missing}{shards}")]
    Missing {
        done: usize,
        units: usize,
        missing: String,
        shards: String,
    },
}

/// The definition stored in `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub name: String,
    pub hash: String,
    pub trustsim_version: String,
    pub seed: u64,
    pub replications: u32,
    pub units: usize,
    pub parameters: Vec<String>,
    pub points: Vec<Vec<f64>>,
    pub metrics: Vec<String>,
    /// The plausible parameter sets of the sweep (replication `i` of every
    /// point uses set `i mod M`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_sets: Option<crate::output::parameter_sets::SetsRecord>,
    /// `sweep.parquet` as `merge` wrote it (size and checksum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<FileEntry>,
}

pub const SWEEP_FILE: &str = "sweep.json";
pub const MERGED_FILE: &str = "sweep.parquet";

/// The part file of `unit`, relative to the sweep folder.
pub fn part_name(unit: usize) -> String {
    format!("data/point={unit}/part.parquet")
}

/// The part file of `unit`.
pub fn part_path(dir: &Path, unit: usize) -> PathBuf {
    dir.join(part_name(unit))
}

fn ledger_dir(dir: &Path) -> PathBuf {
    dir.join("ledger")
}

fn meta(record: &SweepRecord) -> FileMeta {
    FileMeta {
        scenario_hash: record.hash.clone(),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
        parameter_sets: record.parameter_sets.as_ref().map(|s| s.used),
        scope: None,
    }
}

impl SweepRecord {
    /// The record of `sweep`, as its folder's `sweep.json` holds it.
    pub fn of(sweep: &Sweep) -> SweepRecord {
        SweepRecord {
            name: sweep.name.clone(),
            hash: sweep.hash(),
            trustsim_version: env!("CARGO_PKG_VERSION").to_string(),
            seed: sweep.base.run.seed,
            replications: sweep.replications,
            units: sweep.units(),
            parameters: sweep
                .parameters
                .iter()
                .map(|v: &Varied| v.key.clone())
                .collect(),
            points: sweep.points.clone(),
            metrics: METRICS.iter().map(|m| m.key.to_string()).collect(),
            parameter_sets: sweep
                .parameter_sets
                .as_ref()
                .map(|f| f.record(sweep.replications)),
            merged: None,
        }
    }
}

/// Creates the folder and writes `sweep.json`, or checks that the one there
/// describes the same sweep.
pub fn prepare(dir: &Path, sweep: &Sweep) -> Result<SweepRecord, StoreError> {
    let record = SweepRecord::of(sweep);
    let path = dir.join(SWEEP_FILE);
    if path.exists() {
        return same_sweep(dir, &record);
    }
    std::fs::create_dir_all(dir).map_err(|cause| OutputError::CreateDir {
        path: dir.to_path_buf(),
        cause,
    })?;
    if let Err(e) = write_sealed(&path, &record) {
        // Shards starting together race to write the same definition; if
        // another one won, its file must describe the same sweep.
        if !path.exists() {
            return Err(e.into());
        }
        same_sweep(dir, &record)?;
    }
    Ok(record)
}

/// The record in `dir`'s `sweep.json`, which must describe the same sweep
/// as `record`.
fn same_sweep(dir: &Path, record: &SweepRecord) -> Result<SweepRecord, StoreError> {
    let found = read_record(dir)?;
    if found.hash != record.hash {
        return Err(StoreError::Mismatch {
            path: dir.to_path_buf(),
            found: found.hash,
            expected: record.hash.clone(),
        });
    }
    Ok(found)
}

/// Reads `sweep.json`, checking its seal.
pub fn read_record(dir: &Path) -> Result<SweepRecord, StoreError> {
    let path = dir.join(SWEEP_FILE);
    read_sealed(&path, "a sweep record").map_err(|e| match e {
        OutputError::Unreadable {
            problem: crate::files::ReadProblem::NotFound,
            ..
        } => StoreError::Read {
            path,
            reason: "no such file: is this a sweep folder?".into(),
        },
        e => e.into(),
    })
}

/// The parts the ledgers record (the last entry of each unit), whether or
/// not they still match.
fn ledger_entries(dir: &Path) -> BTreeMap<usize, FileEntry> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(ledger_dir(dir)) else {
        return out;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files {
        let Ok(text) = crate::files::read_text(&f, crate::files::limits::RECORD_BYTES, "a ledger")
        else {
            continue;
        };
        // A torn last line (no newline) is ignored; its unit reruns.
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let mut w = line.split_whitespace();
            if let (Some(u), Some(bytes), Some(sha), None) =
                (w.next(), w.next(), w.next(), w.next())
                && let (Ok(u), Ok(bytes)) = (u.parse::<usize>(), bytes.parse::<u64>())
                && sha.len() == 64
            {
                out.insert(
                    u,
                    FileEntry {
                        name: part_name(u),
                        bytes,
                        sha256: sha.to_string(),
                    },
                );
            }
        }
    }
    out
}

/// Units a ledger lists whose part still matches what the ledger records.
pub fn done_units(dir: &Path) -> BTreeSet<usize> {
    inspect_units(dir).0
}

/// The units done (listed, and their parts intact) and those listed whose
/// parts are damaged or missing (to be run again).
pub fn inspect_units(dir: &Path) -> (BTreeSet<usize>, Vec<usize>) {
    let mut done = BTreeSet::new();
    let mut damaged = Vec::new();
    for (u, e) in ledger_entries(dir) {
        if e.read_verified(dir).is_ok() {
            done.insert(u);
        } else {
            damaged.push(u);
        }
    }
    (done, damaged)
}

/// Shard counts seen in the ledger file names.
pub fn shard_counts(dir: &Path) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(ledger_dir(dir)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_suffix(".log")
                .and_then(|s| s.rsplit_once("-of-"))
                .and_then(|(_, n)| n.parse().ok())
            {
                out.insert(n);
            }
        }
    }
    out
}

/// The append-only ledger of one shard.
pub struct Ledger {
    path: PathBuf,
    file: File,
}

impl Ledger {
    pub fn open(dir: &Path, shard: Shard) -> Result<Ledger, StoreError> {
        let ld = ledger_dir(dir);
        std::fs::create_dir_all(&ld).map_err(|cause| OutputError::CreateDir {
            path: ld.clone(),
            cause,
        })?;
        let path = ld.join(format!("shard-{}-of-{}.log", shard.index, shard.count));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|cause| StoreError::Ledger {
                path: path.clone(),
                cause,
            })?;
        Ok(Ledger { path, file })
    }

    /// Records `unit` as finished with its part `entry` (which must already
    /// be in place).
    pub fn record(&mut self, unit: usize, entry: &FileEntry) -> Result<(), StoreError> {
        let map = |cause| StoreError::Ledger {
            path: self.path.clone(),
            cause,
        };
        self.file
            .write_all(format!("{unit} {} {}\n", entry.bytes, entry.sha256).as_bytes())
            .map_err(map)?;
        self.file.sync_data().map_err(|cause| StoreError::Ledger {
            path: self.path.clone(),
            cause,
        })
    }
}

/// The column name of a varied parameter: its dotted key with `__` for
/// each dot, so SQL needs no quoting.
pub fn column_name(key: &str) -> String {
    key.replace('.', "__")
}

/// Field notes of a part: the dotted key of each parameter column.
fn notes(record: &SweepRecord) -> Vec<(String, String)> {
    record
        .parameters
        .iter()
        .map(|k| (column_name(k), k.clone()))
        .collect()
}

/// The rows of one unit: one per replication, parameters then metrics.
pub fn part_frame(
    record: &SweepRecord,
    unit: usize,
    metrics: &[ReplicationMetrics],
) -> PolarsResult<DataFrame> {
    let n = metrics.len();
    let mut cols = vec![
        Column::new("point".into(), vec![unit as u32; n]),
        Column::new(
            "replication".into(),
            metrics.iter().map(|m| m.replication).collect::<Vec<u32>>(),
        ),
    ];
    if record.parameter_sets.is_some() {
        cols.push(Column::new(
            "parameter_set".into(),
            metrics
                .iter()
                .map(|m| m.parameter_set)
                .collect::<Vec<Option<u32>>>(),
        ));
    }
    for (k, key) in record.parameters.iter().enumerate() {
        cols.push(Column::new(
            column_name(key).into(),
            vec![record.points[unit][k]; n],
        ));
    }
    for key in &record.metrics {
        cols.push(Column::new(
            key.as_str().into(),
            metrics
                .iter()
                .map(|m| m.whole_run.get(key))
                .collect::<Vec<f64>>(),
        ));
    }
    DataFrame::new(n, cols)
}

/// Bytes of one part of `record`'s sweep (a unit's `replications` rows):
/// the bytes of a part of one row, encoded as a part is (its footer, with
/// every column's name and description, is most of a small part), and 8
/// bytes a value for every further row (what a row group of under 1,024
/// rows stores uncompressed; larger ones are compressed, so this is an
/// upper bound there).
pub fn part_bytes(record: &SweepRecord) -> Result<u64, StoreError> {
    if record.points.is_empty() {
        return Ok(0);
    }
    // Every metric a value, so that every column carries its statistics
    // (a column of nulls or NaN has none).
    let mut whole_run = crate::metrics::Values::default();
    for m in METRICS.iter() {
        whole_run.insert(m.key, 0.5);
    }
    let placeholder = ReplicationMetrics {
        replication: 0,
        parameter_set: record.parameter_sets.as_ref().map(|_| 0),
        whole_run,
        final_year: Default::default(),
        groups: Vec::new(),
    };
    let failed = |e: PolarsError| OutputError::parquet_write(Path::new(&part_name(0)), e);
    let mut df = part_frame(record, 0, std::slice::from_ref(&placeholder)).map_err(failed)?;
    let one = encode(&mut df, record).map_err(failed)?;
    let more = u64::from(record.replications.saturating_sub(1)) * 8 * df.width() as u64;
    Ok(one.len() as u64 + more)
}

/// Writes `df` to `dir/name` atomically; returns its entry.
fn write(
    dir: &Path,
    name: &str,
    df: &mut DataFrame,
    record: &SweepRecord,
) -> Result<FileEntry, OutputError> {
    let path = dir.join(name);
    let bytes = encode(df, record).map_err(|e| OutputError::parquet_write(&path, e))?;
    crate::output::write_atomic(&path, &bytes)?;
    Ok(FileEntry::of(name, &bytes))
}

/// `df` as the parquet bytes of a file of `record`'s sweep: its metadata,
/// and each parameter's column described by its dotted key.
fn encode(df: &mut DataFrame, record: &SweepRecord) -> PolarsResult<Vec<u8>> {
    let notes = notes(record);
    let described: Vec<(&str, &str, &str)> = notes
        .iter()
        .map(|(c, k)| (c.as_str(), "", k.as_str()))
        .collect();
    crate::output::summary::encode_frame(df, &meta(record), &described)
}

/// Writes the part of `unit` atomically; returns its entry for the ledger.
pub fn write_part(
    dir: &Path,
    record: &SweepRecord,
    unit: usize,
    metrics: &[ReplicationMetrics],
) -> Result<FileEntry, StoreError> {
    let path = part_path(dir, unit);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent).map_err(|cause| OutputError::CreateDir {
        path: parent.to_path_buf(),
        cause,
    })?;
    let mut df =
        part_frame(record, unit, metrics).map_err(|e| OutputError::parquet_write(&path, e))?;
    Ok(write(dir, &part_name(unit), &mut df, record)?)
}

/// The part of `unit` (only its column `column`, if given), checked
/// against the ledger's record of it, and its path.
fn read_part(
    dir: &Path,
    entries: &BTreeMap<usize, FileEntry>,
    unit: usize,
    column: Option<&str>,
) -> Result<(PathBuf, DataFrame), StoreError> {
    let path = part_path(dir, unit);
    let entry = entries.get(&unit).ok_or_else(|| StoreError::Read {
        path: path.clone(),
        reason: "no ledger records this part; run the sweep again to finish it".into(),
    })?;
    let bytes = entry.read_verified(dir).map_err(OutputError::from)?;
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .with_columns(column.map(|c| vec![c.into()]))
        .finish()
        .map_err(|e| OutputError::parquet_read(&path, e))?;
    Ok((path, df))
}

/// Mean over replications of `metric` at each of the first `units` design
/// points, read from their parts.
pub fn point_means(dir: &Path, units: usize, metric: &str) -> Result<Vec<f64>, StoreError> {
    Ok(point_values(dir, units, metric)?
        .iter()
        .map(|v| crate::stats::mean(v))
        .collect())
}

/// Every replication's value of `metric` at each of the first `units`
/// design points, read from their parts (NaN where it had none).
pub fn point_values(dir: &Path, units: usize, metric: &str) -> Result<Vec<Vec<f64>>, StoreError> {
    let entries = ledger_entries(dir);
    (0..units)
        .map(|u| {
            let (path, df) = read_part(dir, &entries, u, Some(metric))?;
            Ok(df
                .column(metric)
                .and_then(|c| c.f64().cloned())
                .map_err(|e| OutputError::parquet_read(&path, e))?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect())
        })
        .collect()
}

/// `1,3-5,9`: a sorted list of indices as ranges, as `sbatch --array=` takes it.
pub fn ranges(v: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if j > i {
            format!("{}-{}", v[i], v[j])
        } else {
            v[i].to_string()
        });
        i = j + 1;
    }
    out.join(",")
}

/// Every part, in point order, as one frame, with the folder's record; the
/// missing units (and the shards to rerun) if any are not done.
pub fn merged(dir: &Path) -> Result<(SweepRecord, DataFrame), StoreError> {
    let record = read_record(dir)?;
    let done = done_units(dir);
    let missing: Vec<usize> = (0..record.units).filter(|u| !done.contains(u)).collect();
    if !missing.is_empty() {
        let counts = shard_counts(dir);
        let shards = match counts.iter().collect::<Vec<_>>().as_slice() {
            [n] => {
                let mut s: Vec<usize> = missing.iter().map(|u| u % **n).collect();
                s.sort_unstable();
                s.dedup();
                format!("; rerun shards --array={} of {n}", ranges(&s))
            }
            _ => String::new(),
        };
        return Err(StoreError::Missing {
            done: done.len(),
            units: record.units,
            missing: ranges(&missing),
            shards,
        });
    }
    let entries = ledger_entries(dir);
    let mut all: Option<DataFrame> = None;
    for u in 0..record.units {
        let (path, df) = read_part(dir, &entries, u, None)?;
        all = Some(stack(all, &df, &path)?);
    }
    let mut df = all.unwrap_or_default();
    df.rechunk_mut();
    Ok((record, df))
}

/// `df` appended below `acc` (or `df` alone); `path` names the file `df`
/// came from in an error.
pub fn stack(acc: Option<DataFrame>, df: &DataFrame, path: &Path) -> Result<DataFrame, StoreError> {
    Ok(match acc {
        None => df.clone(),
        Some(mut acc) => {
            acc.vstack_mut(df)
                .map_err(|e| OutputError::parquet_read(path, e))?;
            acc
        }
    })
}

/// Combines every part, in point order, into `sweep.parquet`.
pub fn merge(dir: &Path) -> Result<(PathBuf, usize), StoreError> {
    let (mut record, mut df) = merged(dir)?;
    let rows = df.height();
    let entry = write(dir, MERGED_FILE, &mut df, &record)?;
    record.merged = Some(entry);
    write_sealed(&dir.join(SWEEP_FILE), &record)?;
    Ok((dir.join(MERGED_FILE), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A part's estimated size is what a sweep writes, a few per cent above
    /// at most: with one replication, where the footer is most of the file
    /// (the estimate once assumed 2 KB where parts took 41), and with six.
    #[test]
    fn a_parts_estimated_size_is_its_size() {
        let dir = tempfile::TempDir::new().unwrap();
        let quick = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
        for reps in [1u32, 6] {
            let f = dir.path().join(format!("s{reps}.toml"));
            std::fs::write(
                &f,
                format!(
                    "[sweep]\nbase = {:?}\ndesign = \"grid\"\nreplications = {reps}\n[sweep.parameters]\n\"oversight.punitiveness\" = [0.2, 0.9]\n",
                    quick.display().to_string()
                ),
            )
            .unwrap();
            let sweep = Sweep::load(&f).unwrap();
            let record = SweepRecord::of(&sweep);
            let p = sweep.point_params(1).unwrap();
            let metrics = crate::runner::run_metrics(
                &p,
                0..reps,
                &crate::runner::Cancel::new(),
                &crate::runner::Silent,
            )
            .unwrap();
            let entry =
                write_part(&dir.path().join(format!("out{reps}")), &record, 1, &metrics).unwrap();
            let estimate = part_bytes(&record).unwrap();
            assert!(
                estimate >= entry.bytes && estimate <= entry.bytes + entry.bytes / 20,
                "{reps} replications: estimated {estimate} bytes, written {}",
                entry.bytes
            );
        }
    }

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[4]), "4");
    }

    #[test]
    fn a_torn_ledger_line_does_not_count() {
        let dir = tempfile::TempDir::new().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("ledger")).unwrap();
        for u in [0, 1] {
            let p = part_path(d, u);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let x = FileEntry::of("", b"x");
        let line = |u: usize| format!("{u} {} {}", x.bytes, x.sha256);
        std::fs::write(
            d.join("ledger/shard-0-of-1.log"),
            format!("{}\n{}", line(0), line(1)),
        )
        .unwrap();
        assert_eq!(done_units(d).into_iter().collect::<Vec<_>>(), vec![0]);
        std::fs::write(
            d.join("ledger/shard-0-of-2.log"),
            format!("{}\n{}\n", line(1), line(3)),
        )
        .unwrap();
        // 3 has no part: not done.
        assert_eq!(done_units(d).into_iter().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(shard_counts(d).into_iter().collect::<Vec<_>>(), vec![1, 2]);
        // A damaged part is not done, and is reported for running again.
        std::fs::write(part_path(d, 1), b"y").unwrap();
        assert_eq!(inspect_units(d), ([0].into(), vec![1, 3]));
    }
}
