//! Finished replications of an unfinished run, kept in the hidden folder
//! `RUN_DIR/.batches/` so that an interrupted run resumes without redoing
//! them. Replication `r` is one file, `rep-NNNNNN.batch`, written
//! atomically, so it is either complete or absent:
//!
//! ```text
//! "TRUSTSIM-BATCH\n"      magic (15 bytes)
//! u32                     format version (BATCH_FORMAT), little-endian
//! u32, sealed JSON        header length, then the BatchHeader with its own
//!                         checksum (files::sealed)
//! parts                   one after another, where the header says: each
//!                         result table and the metrics as parquet, and the
//!                         saved state with --save-state; SHA-256 of each
//! ```
//!
//! The header names the run (scenario hash with its parameter sets, seed),
//! the replication and the build that wrote it. A kept replication is used
//! only when every checksum holds and it names this run, this replication
//! and this build ([`inspect`]); anything else is simulated again, and the
//! reason is reported. When every replication is finished the run's tables
//! are assembled from them, and the files are removed: only files named as
//! this module names them, inside a real (not linked) `.batches` folder.
//! Other files there are the user's and stay.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::OutputError;
use super::parquet::FileMeta;
use super::replications::{self, REPLICATION_METRICS};
use super::summary::encode_frame;
use super::tables::RESULT_TABLES;
use crate::files::{self, limits, owned, sealed};
use crate::metrics::ReplicationMetrics;
use crate::model::ReplicationResult;

const MAGIC: &[u8; 15] = b"TRUSTSIM-BATCH\n";
/// Version of the batch layout.
pub const BATCH_FORMAT: u32 = 1;
/// The part holding the metrics.
const METRICS: &str = "metrics";
/// The part holding the saved state (`--save-state`).
const STATE: &str = "state";

/// The hidden folder of finished replications.
pub fn batch_dir(run_dir: &Path) -> PathBuf {
    run_dir.join(".batches")
}

/// The file of replication `r`.
pub fn batch_file(run_dir: &Path, r: u32) -> PathBuf {
    batch_dir(run_dir).join(format!("rep-{r:06}.batch"))
}

/// Whether `name` is a file this module writes into `.batches` (a batch or
/// its partial file).
fn is_ours(name: &str) -> bool {
    let stem = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".partial"))
        .unwrap_or(name);
    stem.strip_prefix("rep-")
        .and_then(|s| s.strip_suffix(".batch"))
        .is_some_and(|d| d.len() >= 6 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Where one part lies in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub offset: u64,
    pub length: u64,
    pub sha256: String,
}

/// What a batch file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchHeader {
    pub trustsim_version: String,
    /// The commit trustsim was built from.
    pub build: String,
    /// The run's identity: scenario hash, with its parameter sets.
    pub scenario_hash: String,
    pub seed: u64,
    pub replication: u32,
    pub parts: Vec<Part>,
}

/// A kept replication, read and checked.
#[derive(Debug)]
pub struct Batch {
    header: BatchHeader,
    body: Vec<u8>,
}

impl Batch {
    fn part(&self, name: &str) -> Option<&[u8]> {
        let p = self.header.parts.iter().find(|p| p.name == name)?;
        self.body
            .get(p.offset as usize..(p.offset + p.length) as usize)
    }

    /// The replication's metrics.
    pub fn metrics(&self, path: &Path) -> Result<ReplicationMetrics, OutputError> {
        let df = self.frame(METRICS, path)?;
        replications::from_frame(&df, path)?
            .pop()
            .ok_or_else(|| OutputError::invalid(path, "the metrics part has no row"))
    }

    /// The replication's saved state, if it has one.
    pub fn state(&self) -> Option<&[u8]> {
        self.part(STATE)
    }

    fn frame(&self, name: &str, path: &Path) -> Result<DataFrame, OutputError> {
        let bytes = self
            .part(name)
            .ok_or_else(|| OutputError::invalid(path, format!("no `{name}` part")))?;
        let mut df = ParquetReader::new(Cursor::new(bytes))
            .finish()
            .map_err(|e| OutputError::parquet_read(path, e))?;
        df.rechunk_mut();
        Ok(df)
    }
}

/// What `.batches` holds for one replication.
#[derive(Debug)]
pub enum Kept {
    Absent,
    /// Finished by this run, every checksum holding.
    Usable(Batch),
    /// A file that cannot be used, and why (damaged, another run's, another
    /// replication's, another build's).
    Unusable(String),
}

fn encode(header: &BatchHeader, parts: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, sealed::SealError> {
    let json = sealed::seal(header)?;
    let size: usize = parts.iter().map(|(_, b)| b.len()).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + json.len() + size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&BATCH_FORMAT.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for (_, b) in parts {
        out.extend_from_slice(b);
    }
    Ok(out)
}

/// Keeps a finished replication: its tables, metrics and (with
/// `--save-state`) its saved state, in one file written atomically.
pub fn write(
    run_dir: &Path,
    result: &ReplicationResult,
    metrics: &ReplicationMetrics,
    state: Option<&[u8]>,
    meta: &FileMeta,
) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    if let Err(why) = owned::real_folder(&d) {
        return Err(OutputError::invalid(
            &d,
            format!(
                "it is {why}; trustsim keeps finished replications only in a real folder inside the run folder"
            ),
        ));
    }
    std::fs::create_dir_all(&d).map_err(|cause| OutputError::CreateDir {
        path: d.clone(),
        cause,
    })?;
    let r = result.replication;
    let path = batch_file(run_dir, r);
    let mut parts: Vec<(&str, Vec<u8>)> = Vec::new();
    for t in RESULT_TABLES {
        let mut df = t
            .frame(&[result])
            .map_err(|e| OutputError::parquet_write(&path, e))?;
        let bytes = encode_frame(&mut df, meta, &t.field_notes())
            .map_err(|e| OutputError::parquet_write(&path, e))?;
        parts.push((t.file(), bytes));
    }
    let rows = replications::rows(&[metrics]);
    let mut df = REPLICATION_METRICS
        .frame(rows.iter())
        .map_err(|e| OutputError::parquet_write(&path, e))?;
    let bytes = encode_frame(&mut df, meta, &REPLICATION_METRICS.field_notes())
        .map_err(|e| OutputError::parquet_write(&path, e))?;
    parts.push((METRICS, bytes));
    if let Some(s) = state {
        parts.push((STATE, s.to_vec()));
    }
    let mut offset = 0;
    let header = BatchHeader {
        trustsim_version: meta.version.clone(),
        build: env!("TRUSTSIM_COMMIT").to_string(),
        scenario_hash: meta.scenario_hash.clone(),
        seed: meta.seed,
        replication: r,
        parts: parts
            .iter()
            .map(|(name, b)| {
                let p = Part {
                    name: name.to_string(),
                    offset,
                    length: b.len() as u64,
                    sha256: files::sha256_hex(b),
                };
                offset += b.len() as u64;
                p
            })
            .collect(),
    };
    let bytes = encode(&header, &parts).map_err(|e| OutputError::invalid(&path, e.to_string()))?;
    super::write_atomic(&path, &bytes)
}

/// Reads and checks the layout and checksums of a batch file.
fn read(path: &Path) -> Result<Option<Batch>, String> {
    let bytes = match files::read_bounded(path, limits::STATE_BYTES, "a kept replication") {
        Ok(b) => b,
        Err(files::ReadProblem::NotFound) => return Ok(None),
        Err(p) => return Err(p.to_string()),
    };
    if bytes.len() < MAGIC.len() + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err("it is not a kept replication (no trustsim batch header)".into());
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let format = word(MAGIC.len());
    if format != BATCH_FORMAT {
        return Err(format!(
            "batch format {format}, this trustsim reads {BATCH_FORMAT}"
        ));
    }
    let len = word(MAGIC.len() + 4) as usize;
    let start = MAGIC.len() + 8;
    let json = bytes
        .get(start..start.saturating_add(len))
        .ok_or("it is truncated (header)")?;
    let header: BatchHeader = sealed::open(json).map_err(|e| format!("its header: {e}"))?;
    let body = bytes[start + len..].to_vec();
    let mut expect = 0u64;
    for p in &header.parts {
        if p.offset != expect {
            return Err("its parts do not follow one another".into());
        }
        expect = p.offset.saturating_add(p.length);
        let part = body
            .get(p.offset as usize..expect as usize)
            .ok_or("it is truncated")?;
        if files::sha256_hex(part) != p.sha256 {
            return Err(format!(
                "its `{}` part fails its checksum (damaged)",
                p.name
            ));
        }
    }
    if expect != body.len() as u64 {
        return Err("it has bytes past its last part".into());
    }
    Ok(Some(Batch { header, body }))
}

/// Replication `r`'s kept file, judged for a run with provenance `meta`:
/// usable only if intact and written for this run, this replication and
/// this build, with every table and, if `need_state`, a saved state.
pub fn inspect(run_dir: &Path, r: u32, meta: &FileMeta, need_state: bool) -> Kept {
    let b = match read(&batch_file(run_dir, r)) {
        Ok(None) => return Kept::Absent,
        Ok(Some(b)) => b,
        Err(why) => return Kept::Unusable(why),
    };
    let h = &b.header;
    let build = env!("TRUSTSIM_COMMIT");
    let why = if h.replication != r {
        Some(format!("it holds replication {}", h.replication))
    } else if h.scenario_hash != meta.scenario_hash || h.seed != meta.seed {
        Some(format!(
            "it belongs to another run (scenario hash {}, seed {})",
            &h.scenario_hash[..h.scenario_hash.len().min(12)],
            h.seed
        ))
    } else if h.build != build {
        Some(format!(
            "it was written by another build (commit {}; this is {build})",
            h.build
        ))
    } else if RESULT_TABLES
        .iter()
        .map(|t| t.file())
        .chain([METRICS])
        .any(|n| b.part(n).is_none())
    {
        Some("it lacks a table".into())
    } else if need_state && b.part(STATE).is_none() {
        Some("it has no saved state".into())
    } else {
        None
    };
    match why {
        Some(w) => Kept::Unusable(w),
        None => Kept::Usable(b),
    }
}

/// Kept replication files in `.batches` (checked or not).
pub fn kept_count(run_dir: &Path) -> usize {
    std::fs::read_dir(batch_dir(run_dir))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    is_ours(&n) && !n.starts_with('.')
                })
                .count()
        })
        .unwrap_or(0)
}

/// Bytes held by kept replications (0 if there are none).
pub fn kept_bytes(run_dir: &Path) -> u64 {
    std::fs::read_dir(batch_dir(run_dir))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| is_ours(&e.file_name().to_string_lossy()))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Removes every kept replication (files this module names, nothing else)
/// and the folder if that leaves it empty. A `.batches` that is a symbolic
/// link is refused, never followed.
pub fn clear(run_dir: &Path) -> Result<(), OutputError> {
    let d = batch_dir(run_dir);
    match owned::real_folder(&d) {
        Ok(false) => return Ok(()),
        Ok(true) => {}
        Err(why) => {
            return Err(OutputError::invalid(
                &d,
                format!("it is {why}; trustsim does not delete through it"),
            ));
        }
    }
    let entries = std::fs::read_dir(&d).map_err(|e| OutputError::read(&d, e))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_ours(&name) && e.file_type().is_ok_and(|t| t.is_file()) {
            owned::remove(&e.path()).map_err(|err| OutputError::write(&e.path(), err))?;
        }
    }
    owned::remove_dir_if_empty(&d);
    Ok(())
}

/// Replications `reps`, each checked, for assembling the tables: for each
/// result table (in [`RESULT_TABLES`] order) and then the metrics, their
/// rows stacked in order.
pub fn read_frames(
    run_dir: &Path,
    reps: &[u32],
    meta: &FileMeta,
) -> Result<Vec<DataFrame>, OutputError> {
    let mut names: Vec<&str> = RESULT_TABLES.iter().map(|t| t.file()).collect();
    names.push(METRICS);
    let mut acc: Vec<Option<DataFrame>> = vec![None; names.len()];
    for &r in reps {
        let path = batch_file(run_dir, r);
        let b = match inspect(run_dir, r, meta, false) {
            Kept::Usable(b) => b,
            Kept::Absent => {
                return Err(OutputError::invalid(
                    &path,
                    "the kept replication is missing",
                ));
            }
            Kept::Unusable(why) => return Err(OutputError::invalid(&path, why)),
        };
        for (slot, name) in acc.iter_mut().zip(&names) {
            let df = b.frame(name, &path)?;
            match slot {
                None => *slot = Some(df),
                Some(a) => {
                    a.vstack_mut(&df)
                        .map_err(|e| OutputError::parquet_read(&path, e))?;
                }
            }
        }
    }
    Ok(acc
        .into_iter()
        .map(|df| {
            let mut df = df.unwrap_or_default();
            df.rechunk_mut();
            df
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_batch_names_are_ours() {
        for ours in [
            "rep-000003.batch",
            ".rep-000003.batch.partial",
            "rep-1234567.batch",
        ] {
            assert!(is_ours(ours), "{ours}");
        }
        for not in [
            "keep.txt",
            "rep-3.batch",
            "rep-00000x.batch",
            "rep-000003.batch.bak",
            "x.batch",
        ] {
            assert!(!is_ours(not), "{not}");
        }
    }
}
