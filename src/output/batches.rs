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
//! parts                   one after another, where the header says: the
//!                         result records and the metrics, each as
//!                         postcard, and the saved state with --save-state;
//!                         the XXH3 128-bit checksum of each
//! ```
//!
//! A kept replication lives only until its run closes, and only the build
//! that wrote it reads it, so it holds the model's own records rather than
//! tables: encoding them is about a copy, where six compressed parquet
//! tables cost a compression context for every column, and reading them
//! back costs as little. The run's tables are built from the records when
//! the run closes, exactly as they would be from the replication in memory.
//!
//! The header names the run (scenario hash with its parameter sets, seed),
//! the replication and the build that wrote it. A kept replication is used
//! only when every checksum holds and it names this run, this replication
//! and this build ([`inspect`]); anything else is simulated again, and the
//! reason is reported. When every replication is finished the run's tables
//! are assembled from them, and the files are removed: only files named as
//! this module names them, inside a real (not linked) `.batches` folder.
//! Other files there are the user's and stay.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::OutputError;
use super::parquet::FileMeta;
use super::tables::RESULT_TABLES;
use crate::files::{self, limits, owned, sealed};
use crate::metrics::groups::{GroupValues, TrustGroup};
use crate::metrics::{ReplicationMetrics, Values};
use crate::model::ReplicationResult;

const MAGIC: &[u8; 15] = b"TRUSTSIM-BATCH\n";
/// Version of the batch layout (3: each part's checksum XXH3-128, where
/// 2 took SHA-256 of the same records; 1 held parquet tables). The
/// checksums guard against a damaged or truncated file, not against
/// tampering (the header names the build that wrote it), and XXH3 reads
/// a replication's records in a tenth of SHA-256's time.
pub const BATCH_FORMAT: u32 = 3;
/// The part holding the replication's records.
const RECORDS: &str = "records";
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
    /// XXH3-128 of the part, as 32 hexadecimal digits ([`checksum`]).
    pub xxh3: String,
}

/// A part's checksum: XXH3-128 as 32 hexadecimal digits.
fn checksum(part: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(part))
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
    /// The whole file; its parts start at `body`.
    bytes: Vec<u8>,
    body: usize,
}

impl Batch {
    fn part(&self, name: &str) -> Option<&[u8]> {
        let p = self.header.parts.iter().find(|p| p.name == name)?;
        self.bytes[self.body..].get(p.offset as usize..(p.offset + p.length) as usize)
    }

    /// The replication's records.
    pub fn records(&self, path: &Path) -> Result<ReplicationResult, OutputError> {
        unpack(self.need(RECORDS, path)?, RECORDS, path)
    }

    /// The replication's metrics.
    pub fn metrics(&self, path: &Path) -> Result<ReplicationMetrics, OutputError> {
        let kept: KeptMetrics = unpack(self.need(METRICS, path)?, METRICS, path)?;
        kept.into_metrics()
            .map_err(|why| OutputError::invalid(path, format!("its metrics: {why}")))
    }

    /// The replication's saved state, if it has one.
    pub fn state(&self) -> Option<&[u8]> {
        self.part(STATE)
    }

    fn need(&self, name: &str, path: &Path) -> Result<&[u8], OutputError> {
        self.part(name)
            .ok_or_else(|| OutputError::invalid(path, format!("no `{name}` part")))
    }
}

/// `value` as a kept part: postcard, uncompressed (the records are mostly
/// floating-point numbers, which zstd at its fastest shrinks by only about
/// a third, at the cost of several times the encoding).
fn pack<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_stdvec(value).map_err(|e| format!("cannot encode: {e}"))
}

/// The value of kept part `name`.
fn unpack<T: DeserializeOwned>(bytes: &[u8], name: &str, path: &Path) -> Result<T, OutputError> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((v, [])) => Ok(v),
        Ok(_) => Err(OutputError::invalid(
            path,
            format!("its `{name}` part has bytes left over"),
        )),
        Err(e) => Err(OutputError::invalid(
            path,
            format!("its `{name}` part cannot be decoded: {e}"),
        )),
    }
}

/// A replication's metrics as kept: each value under its metric's key.
#[derive(Debug, Serialize, Deserialize)]
struct KeptMetrics {
    replication: u32,
    parameter_set: Option<u32>,
    whole_run: Vec<(String, f64)>,
    final_year: Vec<(String, f64)>,
    groups: Vec<KeptGroup>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptGroup {
    policy: String,
    /// Index in [`TrustGroup::ALL`].
    trusts: u8,
    count: u32,
    whole_run: Vec<(String, f64)>,
    final_year: Vec<(String, f64)>,
}

fn kept_values(v: &Values) -> Vec<(String, f64)> {
    v.iter().map(|(k, x)| (k.to_string(), x)).collect()
}

fn values(kept: Vec<(String, f64)>) -> Result<Values, String> {
    let mut v = Values::default();
    for (key, x) in kept {
        let m = crate::metrics::metric(&key).ok_or_else(|| format!("no metric `{key}`"))?;
        v.insert(m.key, x);
    }
    Ok(v)
}

impl KeptMetrics {
    fn of(m: &ReplicationMetrics) -> KeptMetrics {
        KeptMetrics {
            replication: m.replication,
            parameter_set: m.parameter_set,
            whole_run: kept_values(&m.whole_run),
            final_year: kept_values(&m.final_year),
            groups: m
                .groups
                .iter()
                .map(|g| KeptGroup {
                    policy: g.policy.clone(),
                    trusts: g.trusts as u8,
                    count: g.count,
                    whole_run: kept_values(&g.whole_run),
                    final_year: kept_values(&g.final_year),
                })
                .collect(),
        }
    }

    fn into_metrics(self) -> Result<ReplicationMetrics, String> {
        let groups = self
            .groups
            .into_iter()
            .map(|g| {
                Ok(GroupValues {
                    policy: g.policy,
                    trusts: *TrustGroup::ALL
                        .get(usize::from(g.trusts))
                        .ok_or_else(|| format!("no group of trusts {}", g.trusts))?,
                    count: g.count,
                    whole_run: values(g.whole_run)?,
                    final_year: values(g.final_year)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(ReplicationMetrics {
            replication: self.replication,
            parameter_set: self.parameter_set,
            whole_run: values(self.whole_run)?,
            final_year: values(self.final_year)?,
            groups,
        })
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

/// The file's leading bytes (magic, format, the sealed header); the parts
/// follow them.
fn lead(header: &BatchHeader) -> Result<Vec<u8>, sealed::SealError> {
    let json = sealed::seal(header)?;
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + json.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&BATCH_FORMAT.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    Ok(out)
}

/// Keeps a finished replication: its records, metrics and (with
/// `--save-state`) its saved state, in one file written atomically but not
/// synced to the disk (a replication lost to a power cut fails its
/// checksums or is missing, and is simulated again; syncing each one cost a
/// small run about a thirtieth of its time).
pub fn write(
    run_dir: &Path,
    result: &ReplicationResult,
    metrics: &ReplicationMetrics,
    state: Option<&[u8]>,
    meta: &FileMeta,
) -> Result<u64, OutputError> {
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
    let invalid = |why: String| OutputError::invalid(&path, why);
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        (RECORDS, pack(result).map_err(invalid)?),
        (METRICS, pack(&KeptMetrics::of(metrics)).map_err(invalid)?),
    ];
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
                    xxh3: checksum(b),
                };
                offset += b.len() as u64;
                p
            })
            .collect(),
    };
    let lead = lead(&header).map_err(|e| OutputError::invalid(&path, e.to_string()))?;
    let mut pieces: Vec<&[u8]> = vec![&lead];
    pieces.extend(parts.iter().map(|(_, b)| b.as_slice()));
    super::write_atomic_unsynced(&path, &pieces)?;
    Ok(parts[0].1.len() as u64)
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
    let body = &bytes[start + len..];
    let mut expect = 0u64;
    for p in &header.parts {
        if p.offset != expect {
            return Err("its parts do not follow one another".into());
        }
        expect = p.offset.saturating_add(p.length);
        let part = body
            .get(p.offset as usize..expect as usize)
            .ok_or("it is truncated")?;
        if checksum(part) != p.xxh3 {
            return Err(format!(
                "its `{}` part fails its checksum (damaged)",
                p.name
            ));
        }
    }
    if expect != body.len() as u64 {
        return Err("it has bytes past its last part".into());
    }
    Ok(Some(Batch {
        header,
        body: start + len,
        bytes,
    }))
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
    } else if [RECORDS, METRICS].iter().any(|n| b.part(n).is_none()) {
        Some("it lacks its records or metrics".into())
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

/// Replication `r`'s records and metrics from its kept file, checked.
fn kept_records(
    run_dir: &Path,
    r: u32,
    meta: &FileMeta,
) -> Result<(ReplicationResult, ReplicationMetrics), OutputError> {
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
    Ok((b.records(&path)?, b.metrics(&path)?))
}

/// Replications `reps` for assembling the tables: for each result table
/// (in [`RESULT_TABLES`] order) its rows, replication after replication,
/// each replication's built from its records as they would be in memory;
/// and every replication's metrics. A replication `held` gives is taken
/// from memory; the others are read from their kept files, each checked.
pub fn read_frames(
    run_dir: &Path,
    reps: &[u32],
    meta: &FileMeta,
    held: &dyn Fn(u32) -> Option<(ReplicationResult, ReplicationMetrics)>,
) -> Result<(Vec<DataFrame>, Vec<ReplicationMetrics>), OutputError> {
    let mut acc: Vec<Option<DataFrame>> = vec![None; RESULT_TABLES.len()];
    let mut metrics = Vec::with_capacity(reps.len());
    for &r in reps {
        let path = batch_file(run_dir, r);
        let (result, m) = match held(r) {
            Some(held) => held,
            None => kept_records(run_dir, r, meta)?,
        };
        metrics.push(m);
        // Each table's frame side by side on the pool the caller runs in.
        let frames = super::parquet::each(RESULT_TABLES.iter().collect(), |t| t.frame(&[&result]));
        for (slot, df) in acc.iter_mut().zip(frames) {
            let df = df.map_err(|e| OutputError::parquet_read(&path, e))?;
            match slot {
                None => *slot = Some(df),
                Some(a) => {
                    a.vstack_mut(&df)
                        .map_err(|e| OutputError::parquet_read(&path, e))?;
                }
            }
        }
    }
    let frames = acc
        .into_iter()
        .map(|df| {
            let mut df = df.unwrap_or_default();
            df.rechunk_mut();
            df
        })
        .collect();
    Ok((frames, metrics))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> FileMeta {
        FileMeta {
            scenario_hash: "cafe".into(),
            seed: 7,
            version: env!("CARGO_PKG_VERSION").into(),
            scenario_name: "tiny".into(),
            parameter_sets: None,
            scope: None,
        }
    }

    fn tiny() -> (ReplicationResult, ReplicationMetrics) {
        let p = crate::model::params::edited(crate::model::params::tiny);
        let result = crate::model::run_replication(&p, 2);
        let metrics = crate::metrics::evaluate_replication(&result, &p);
        (result, metrics)
    }

    /// A kept replication gives back exactly the records and metrics it was
    /// written from (compared as their encodings and texts, NaN included),
    /// and the tables built from it are the tables built in memory.
    #[test]
    fn a_kept_replication_reads_back_as_it_was_written() {
        let tmp = tempfile::TempDir::new().unwrap();
        let (result, metrics) = tiny();
        let bytes = write(tmp.path(), &result, &metrics, Some(b"state"), &meta()).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&result).unwrap().len() as u64);
        let Kept::Usable(b) = inspect(tmp.path(), 2, &meta(), true) else {
            panic!("not usable")
        };
        let path = batch_file(tmp.path(), 2);
        let r = b.records(&path).unwrap();
        assert_eq!(
            postcard::to_stdvec(&r).unwrap(),
            postcard::to_stdvec(&result).unwrap()
        );
        assert_eq!(
            format!("{:?}", b.metrics(&path).unwrap()),
            format!("{:?}", metrics)
        );
        assert_eq!(b.state(), Some(&b"state"[..]));
        let (frames, m) = read_frames(tmp.path(), &[2], &meta(), &|_| None).unwrap();
        assert_eq!(format!("{m:?}"), format!("{:?}", [&metrics]));
        for (t, df) in RESULT_TABLES.iter().zip(&frames) {
            assert!(
                df.equals_missing(&t.frame(&[&result]).unwrap()),
                "{}",
                t.file()
            );
        }
        // Another build's layout is refused, saying which.
        let mut old = std::fs::read(&path).unwrap();
        old[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&1u32.to_le_bytes());
        std::fs::write(&path, old).unwrap();
        match inspect(tmp.path(), 2, &meta(), false) {
            Kept::Unusable(why) => assert!(
                why.contains("batch format 1, this trustsim reads 3"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
    }

    /// A replication held in memory is taken from there, not from its file.
    #[test]
    fn a_held_replication_is_taken_from_memory() {
        let tmp = tempfile::TempDir::new().unwrap();
        let (result, metrics) = tiny();
        // No kept file at all: only the held copy can give it.
        let (frames, m) = read_frames(tmp.path(), &[2], &meta(), &|r| {
            (r == 2).then(|| (result.clone(), metrics.clone()))
        })
        .unwrap();
        assert_eq!(m.len(), 1);
        assert!(frames[0].height() > 0);
        let err = read_frames(tmp.path(), &[2], &meta(), &|_| None).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

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
