//! Streaming parquet writers for simulation results. [`ResultWriter`] owns
//! one open writer per results table (`trust_months.parquet`,
//! `ceo_spells.parquet`) in a run folder, appends each batch of replications
//! as one row group per file (so memory is bounded by the batch, not the
//! run), and on [`ResultWriter::finish`] writes the footers and renames the
//! hidden `.NAME.partial` files into place. This module also owns the table
//! layouts (column names and types) and the file-level key-value metadata
//! ([`FileMeta`]) stamped into every parquet file trustsim writes.
//!
//! Output is deterministic: zstd at its default level, columns encoded
//! serially, no timestamps, so identical input gives identical bytes.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use super::atomic::PartialFile;
use super::error::OutputError;
use std::borrow::Borrow;

use crate::model::ReplicationResult;

/// File name of the trust-month table inside a run folder.
pub const TRUST_MONTHS_FILE: &str = "trust_months.parquet";
/// File name of the CEO-spell table inside a run folder.
pub const CEO_SPELLS_FILE: &str = "ceo_spells.parquet";

/// Metadata keys written into every parquet file.
pub const KEY_SCENARIO_HASH: &str = "trustsim.scenario_hash";
pub const KEY_SEED: &str = "trustsim.seed";
pub const KEY_VERSION: &str = "trustsim.version";
pub const KEY_SCENARIO: &str = "trustsim.scenario";

/// Provenance stamped into the key-value metadata of each parquet file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub scenario_hash: String,
    pub seed: u64,
    pub version: String,
    pub scenario_name: String,
}

impl FileMeta {
    /// The key-value pairs written into the parquet footer.
    pub fn key_values(&self) -> Vec<(String, String)> {
        vec![
            (KEY_SCENARIO_HASH.to_string(), self.scenario_hash.clone()),
            (KEY_SEED.to_string(), self.seed.to_string()),
            (KEY_VERSION.to_string(), self.version.clone()),
            (KEY_SCENARIO.to_string(), self.scenario_name.clone()),
        ]
    }

    /// Rebuilds the metadata from footer key-value pairs; `path` is only used
    /// in error messages.
    pub(crate) fn from_key_values<'a>(
        path: &Path,
        kv: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<FileMeta, OutputError> {
        let (mut hash, mut seed, mut version, mut name) = (None, None, None, None);
        for (k, v) in kv {
            let slot = match k {
                KEY_SCENARIO_HASH => &mut hash,
                KEY_SEED => &mut seed,
                KEY_VERSION => &mut version,
                KEY_SCENARIO => &mut name,
                _ => continue,
            };
            *slot = Some(v.unwrap_or_default().to_string());
        }
        let need = |v: Option<String>, key: &str| {
            v.ok_or_else(|| OutputError::invalid(path, format!("metadata key `{key}` is missing")))
        };
        let seed = need(seed, KEY_SEED)?;
        let seed = seed.parse::<u64>().map_err(|_| {
            OutputError::invalid(
                path,
                format!("metadata `{KEY_SEED}` = `{seed}` is not a u64"),
            )
        })?;
        Ok(FileMeta {
            scenario_hash: need(hash, KEY_SCENARIO_HASH)?,
            seed,
            version: need(version, KEY_VERSION)?,
            scenario_name: need(name, KEY_SCENARIO)?,
        })
    }
}

/// Builds a frame whose columns are computed from the row iterator `rows()`:
/// `frame!(rows, [(name, type, |row| value), ...])`.
macro_rules! frame {
    ($rows:ident, [$(($name:literal, $ty:ty, |$x:ident| $e:expr)),* $(,)?] $(,)?) => {
        DataFrame::new(
            $rows().count(),
            vec![$(Column::new($name.into(), $rows().map(|$x| $e).collect::<Vec<$ty>>())),*],
        )
    };
}

/// A parquet writer configured the trustsim way (zstd, serial encoding,
/// our metadata).
pub(crate) fn parquet_writer<W: Write>(w: W, meta: &FileMeta) -> ParquetWriter<W> {
    ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(meta.key_values())))
        .set_parallel(false)
}

/// The trust-month table for a batch: one row per `TrustMonth`, in batch
/// then vector order.
///
/// `oversight_level` is stored as `Int32`: `UInt8` needs the polars
/// `dtype-u8` feature, which is not enabled.
pub fn trust_months_frame<R: Borrow<ReplicationResult>>(batch: &[R]) -> PolarsResult<DataFrame> {
    let rows = || batch.iter().flat_map(|r| r.borrow().trust_months.iter());
    frame!(
        rows,
        [
            ("replication", u32, |m| m.replication),
            ("trust_id", u32, |m| m.trust_id),
            ("trust_type", &str, |m| m.trust_type.as_str()),
            ("month", u32, |m| m.month),
            ("establishment", u32, |m| m.establishment),
            ("staff_in_post", u32, |m| m.staff_in_post),
            ("engagement", f64, |m| m.engagement),
            ("sickness_rate", f64, |m| m.sickness_rate),
            ("leaver_rate", f64, |m| m.leaver_rate),
            ("vacancy_rate", f64, |m| m.vacancy_rate),
            ("friction", f64, |m| m.friction),
            ("quality_index", f64, |m| m.quality_index),
            ("patient_experience", f64, |m| m.patient_experience),
            ("mortality_ratio", f64, |m| m.mortality_ratio),
            ("surplus_pct", f64, |m| m.surplus_pct),
            ("oversight_level", i32, |m| i32::from(m.oversight_level)),
            ("rating", &str, |m| m.rating.as_str()),
            ("ceo_id", u64, |m| m.ceo_id),
            ("ceo_tenure_months", u32, |m| m.ceo_tenure_months),
            ("interim", bool, |m| m.interim),
            ("mean_leader_capability", f64, |m| m.mean_leader_capability),
            ("improvement_capability", f64, |m| m.improvement_capability),
            ("development_spend_gbp", f64, |m| m.development_spend_gbp),
            ("agency_spend_gbp", f64, |m| m.agency_spend_gbp),
        ],
    )
}

/// The CEO-spell table for a batch: one row per `CeoSpell`, in batch then
/// vector order.
pub fn ceo_spells_frame<R: Borrow<ReplicationResult>>(batch: &[R]) -> PolarsResult<DataFrame> {
    let rows = || batch.iter().flat_map(|r| r.borrow().spells.iter());
    frame!(
        rows,
        [
            ("replication", u32, |s| s.replication),
            ("trust_id", u32, |s| s.trust_id),
            ("ceo_id", u64, |s| s.ceo_id),
            ("start_month", i32, |s| s.start_month),
            ("end_month", i32, |s| s.end_month),
            ("duration_months", i32, |s| s.duration_months()),
            ("censored", bool, |s| s.censored),
            ("exit_route", &str, |s| s.exit_route.as_str()),
            ("pathway", &str, |s| s.pathway.as_str()),
            ("internal", bool, |s| s.internal),
            ("first_time", bool, |s| s.first_time),
            ("interim", bool, |s| s.interim),
        ],
    )
}

/// A buffered file shared between the polars writer (which never hands its
/// inner writer back) and us (who must flush and sync before the rename).
#[derive(Clone)]
struct SharedFile(Arc<Mutex<BufWriter<File>>>);

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().map_err(|_| poisoned())?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.lock().map_err(|_| poisoned())?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().map_err(|_| poisoned())?.flush()
    }
}

fn poisoned() -> io::Error {
    io::Error::other("output writer lock poisoned")
}

/// One parquet file being streamed under its partial name.
struct Sink {
    guard: PartialFile,
    file: SharedFile,
    writer: BatchedWriter<SharedFile>,
}

impl Sink {
    fn create(path: &Path, schema: &Schema, meta: &FileMeta) -> Result<Sink, OutputError> {
        let (guard, file) = PartialFile::create(path)?;
        let file = SharedFile(Arc::new(Mutex::new(BufWriter::with_capacity(
            1 << 20,
            file,
        ))));
        let writer = parquet_writer(file.clone(), meta)
            .batched(schema)
            .map_err(|e| OutputError::parquet_write(guard.partial(), e))?;
        Ok(Sink {
            guard,
            file,
            writer,
        })
    }

    fn write(&mut self, df: &DataFrame) -> Result<(), OutputError> {
        if df.height() == 0 {
            return Ok(());
        }
        self.writer
            .write_batch(df)
            .map_err(|e| OutputError::parquet_write(self.guard.partial(), e))
    }

    /// Writes the footer, flushes and syncs; the file stays partial.
    fn close(self) -> Result<PartialFile, OutputError> {
        let Sink {
            guard,
            file,
            writer,
        } = self;
        writer
            .finish()
            .map_err(|e| OutputError::parquet_write(guard.partial(), e))?;
        drop(writer);
        let mut buf = file
            .0
            .lock()
            .map_err(|_| OutputError::write(guard.partial(), poisoned()))?;
        buf.flush()
            .and_then(|()| buf.get_ref().sync_all())
            .map_err(|e| OutputError::write(guard.partial(), e))?;
        drop(buf);
        Ok(guard)
    }
}

/// Streams the result tables of one run into a folder.
///
/// Dropping it without [`finish`](ResultWriter::finish) removes the partial
/// files and leaves no table under its final name.
pub struct ResultWriter {
    dir: PathBuf,
    trust_months: Sink,
    ceo_spells: Sink,
    rows_trust_months: u64,
    rows_ceo_spells: u64,
}

impl ResultWriter {
    /// Creates `dir` (and parents) if needed and opens both tables.
    pub fn create(dir: &Path, meta: &FileMeta) -> Result<Self, OutputError> {
        std::fs::create_dir_all(dir).map_err(|e| OutputError::CreateDir {
            path: dir.to_path_buf(),
            cause: e,
        })?;
        let empty: [ReplicationResult; 0] = [];
        let tm_schema = trust_months_frame(&empty)
            .map_err(|e| OutputError::parquet_write(&dir.join(TRUST_MONTHS_FILE), e))?;
        let cs_schema = ceo_spells_frame(&empty)
            .map_err(|e| OutputError::parquet_write(&dir.join(CEO_SPELLS_FILE), e))?;
        let trust_months = Sink::create(&dir.join(TRUST_MONTHS_FILE), tm_schema.schema(), meta)?;
        let ceo_spells = Sink::create(&dir.join(CEO_SPELLS_FILE), cs_schema.schema(), meta)?;
        Ok(ResultWriter {
            dir: dir.to_path_buf(),
            trust_months,
            ceo_spells,
            rows_trust_months: 0,
            rows_ceo_spells: 0,
        })
    }

    /// Appends one batch (several replications) as one row group per file.
    /// A table with no rows in this batch gets no row group.
    pub fn write<R: Borrow<ReplicationResult>>(&mut self, batch: &[R]) -> Result<(), OutputError> {
        let tm = trust_months_frame(batch)
            .map_err(|e| OutputError::parquet_write(self.trust_months.guard.partial(), e))?;
        let cs = ceo_spells_frame(batch)
            .map_err(|e| OutputError::parquet_write(self.ceo_spells.guard.partial(), e))?;
        self.write_frames(&tm, &cs)
    }

    /// Appends already built tables (as [`trust_months_frame`] and
    /// [`ceo_spells_frame`] make them) as one row group per file.
    pub fn write_frames(&mut self, tm: &DataFrame, cs: &DataFrame) -> Result<(), OutputError> {
        self.trust_months.write(tm)?;
        self.rows_trust_months += tm.height() as u64;
        self.ceo_spells.write(cs)?;
        self.rows_ceo_spells += cs.height() as u64;
        Ok(())
    }

    /// Writes footers and renames the partial files into place.
    pub fn finish(self) -> Result<(), OutputError> {
        let tm = self.trust_months.close()?;
        let cs = self.ceo_spells.close()?;
        tm.commit()?;
        cs.commit()
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// File names (relative to the run folder) this writer produces.
    pub fn file_names(&self) -> [&'static str; 2] {
        [TRUST_MONTHS_FILE, CEO_SPELLS_FILE]
    }

    /// Rows written so far: (trust months, CEO spells).
    pub fn rows_written(&self) -> (u64, u64) {
        (self.rows_trust_months, self.rows_ceo_spells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CeoSpell, ExitRoute, Pathway, Rating, TrustMonth, TrustType};
    use crate::output::atomic::partial_path;
    use crate::output::summary::read_meta;
    use tempfile::TempDir;

    fn meta() -> FileMeta {
        FileMeta {
            scenario_hash: "deadbeef".into(),
            seed: 12345678901234,
            version: "0.1.0".into(),
            scenario_name: "baseline".into(),
        }
    }

    fn month(rep: u32, trust: u32, m: u32) -> TrustMonth {
        TrustMonth {
            replication: rep,
            trust_id: trust,
            trust_type: if trust == 0 {
                TrustType::Acute
            } else {
                TrustType::MentalHealth
            },
            month: m,
            establishment: 5000 + trust,
            staff_in_post: 4500 + m,
            engagement: 0.5 + m as f64 / 100.0,
            sickness_rate: 0.05,
            leaver_rate: 0.01,
            vacancy_rate: 0.1,
            friction: 0.2,
            quality_index: 0.7,
            patient_experience: 0.8,
            mortality_ratio: 1.0,
            surplus_pct: -0.5,
            oversight_level: 3,
            rating: Rating::RequiresImprovement,
            ceo_id: 1_000_000_000_000 + trust as u64,
            ceo_tenure_months: m + 10,
            interim: m % 2 == 0,
            mean_leader_capability: 0.6,
            improvement_capability: 0.4,
            development_spend_gbp: 1234.5,
            agency_spend_gbp: 99.0,
        }
    }

    fn rep(r: u32) -> ReplicationResult {
        let mut trust_months = Vec::new();
        for t in 0..2 {
            for m in 1..=3 {
                trust_months.push(month(r, t, m));
            }
        }
        let spells = vec![
            CeoSpell {
                replication: r,
                trust_id: 0,
                ceo_id: 7,
                start_month: -12,
                end_month: 2,
                censored: false,
                exit_route: ExitRoute::Dismissed,
                pathway: Pathway::Clinical,
                internal: true,
                first_time: false,
                interim: false,
            },
            CeoSpell {
                replication: r,
                trust_id: 1,
                ceo_id: 8,
                start_month: 0,
                end_month: 3,
                censored: true,
                exit_route: ExitRoute::InPost,
                pathway: Pathway::GeneralManagement,
                internal: false,
                first_time: true,
                interim: true,
            },
        ];
        ReplicationResult {
            replication: r,
            trust_months,
            spells,
            staff_months: 0,
        }
    }

    fn write_run(dir: &Path) {
        let mut w = ResultWriter::create(dir, &meta()).unwrap();
        w.write(&[rep(0), rep(1)]).unwrap();
        w.write(&[rep(2)]).unwrap();
        assert_eq!(w.rows_written(), (18, 6));
        w.finish().unwrap();
    }

    fn read(path: &Path) -> DataFrame {
        ParquetReader::new(File::open(path).unwrap())
            .finish()
            .unwrap()
    }

    fn row_groups(path: &Path) -> usize {
        let mut r = ParquetReader::new(File::open(path).unwrap());
        r.get_metadata().unwrap().row_groups.len()
    }

    #[test]
    fn round_trip_two_batches() {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("run");
        write_run(&dir);

        let tm_path = dir.join(TRUST_MONTHS_FILE);
        let tm = read(&tm_path);
        assert_eq!(tm.height(), 18);
        let names: Vec<&str> = tm.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "replication",
                "trust_id",
                "trust_type",
                "month",
                "establishment",
                "staff_in_post",
                "engagement",
                "sickness_rate",
                "leaver_rate",
                "vacancy_rate",
                "friction",
                "quality_index",
                "patient_experience",
                "mortality_ratio",
                "surplus_pct",
                "oversight_level",
                "rating",
                "ceo_id",
                "ceo_tenure_months",
                "interim",
                "mean_leader_capability",
                "improvement_capability",
                "development_spend_gbp",
                "agency_spend_gbp",
            ]
        );
        let reps: Vec<u32> = tm
            .column("replication")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(reps[0], 0);
        assert_eq!(reps[6], 1);
        assert_eq!(reps[17], 2);
        assert_eq!(
            tm.column("trust_type").unwrap().str().unwrap().get(3),
            Some("mental_health")
        );
        assert_eq!(
            tm.column("rating").unwrap().str().unwrap().get(0),
            Some("requires_improvement")
        );
        assert_eq!(
            tm.column("engagement").unwrap().f64().unwrap().get(2),
            Some(0.53)
        );
        assert_eq!(
            tm.column("ceo_id").unwrap().u64().unwrap().get(4),
            Some(1_000_000_000_001)
        );
        assert_eq!(
            tm.column("oversight_level").unwrap().i32().unwrap().get(0),
            Some(3)
        );
        assert_eq!(
            tm.column("interim").unwrap().bool().unwrap().get(1),
            Some(true)
        );
        assert_eq!(row_groups(&tm_path), 2);

        let cs_path = dir.join(CEO_SPELLS_FILE);
        let cs = read(&cs_path);
        assert_eq!(cs.height(), 6);
        assert_eq!(cs.width(), 12);
        assert_eq!(cs.get_column_names()[5].as_str(), "duration_months");
        assert_eq!(
            cs.column("duration_months").unwrap().i32().unwrap().get(0),
            Some(14)
        );
        assert_eq!(
            cs.column("start_month").unwrap().i32().unwrap().get(0),
            Some(-12)
        );
        assert_eq!(
            cs.column("exit_route").unwrap().str().unwrap().get(1),
            Some("in_post")
        );
        assert_eq!(
            cs.column("pathway").unwrap().str().unwrap().get(1),
            Some("general_management")
        );
        assert_eq!(
            cs.column("censored").unwrap().bool().unwrap().get(1),
            Some(true)
        );
        assert_eq!(row_groups(&cs_path), 2);

        for p in [&tm_path, &cs_path] {
            assert_eq!(read_meta(p).unwrap(), meta());
            assert!(!partial_path(p).exists());
        }
        // Nothing but the two tables is left in the folder.
        let mut entries: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        entries.sort();
        assert_eq!(entries, [CEO_SPELLS_FILE, TRUST_MONTHS_FILE]);
    }

    #[test]
    fn metadata_keys_present() {
        let tmp = TempDir::new().unwrap();
        write_run(tmp.path());
        let mut r = ParquetReader::new(File::open(tmp.path().join(TRUST_MONTHS_FILE)).unwrap());
        let md = r.get_metadata().unwrap();
        let kv = md.key_value_metadata.as_ref().unwrap();
        for key in [KEY_SCENARIO_HASH, KEY_SEED, KEY_VERSION, KEY_SCENARIO] {
            assert!(kv.iter().any(|k| k.key == key), "missing {key}");
        }
        let seed = kv.iter().find(|k| k.key == KEY_SEED).unwrap();
        assert_eq!(seed.value.as_deref(), Some("12345678901234"));
        let chunk = md.row_groups[0]
            .columns_under_root_iter("engagement")
            .unwrap()
            .next()
            .unwrap();
        assert_eq!(format!("{:?}", chunk.compression()), "Zstd");
    }

    #[test]
    fn identical_input_gives_identical_bytes() {
        let a = TempDir::new().unwrap();
        let b = TempDir::new().unwrap();
        write_run(a.path());
        write_run(b.path());
        for name in [TRUST_MONTHS_FILE, CEO_SPELLS_FILE] {
            let x = std::fs::read(a.path().join(name)).unwrap();
            let y = std::fs::read(b.path().join(name)).unwrap();
            assert!(!x.is_empty());
            assert!(x == y, "{name} differs between identical runs");
        }
    }

    #[test]
    fn dropped_writer_leaves_no_files() {
        let tmp = TempDir::new().unwrap();
        let mut w = ResultWriter::create(tmp.path(), &meta()).unwrap();
        w.write(&[rep(0)]).unwrap();
        assert!(partial_path(&tmp.path().join(TRUST_MONTHS_FILE)).exists());
        drop(w);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn empty_run_is_a_valid_file() {
        let tmp = TempDir::new().unwrap();
        let mut w = ResultWriter::create(tmp.path(), &meta()).unwrap();
        w.write(&[ReplicationResult::default()]).unwrap();
        w.finish().unwrap();
        let tm = read(&tmp.path().join(TRUST_MONTHS_FILE));
        assert_eq!((tm.height(), tm.width()), (0, 24));
        assert_eq!(row_groups(&tmp.path().join(TRUST_MONTHS_FILE)), 0);
    }

    #[test]
    fn unwritable_folder_is_an_error() {
        let tmp = TempDir::new().unwrap();
        let file = tmp.path().join("plain_file");
        std::fs::write(&file, b"x").unwrap();
        let dir = file.join("run");
        let err = ResultWriter::create(&dir, &meta())
            .err()
            .expect("should fail");
        let msg = err.to_string();
        assert!(matches!(err, OutputError::CreateDir { .. }), "{msg}");
        assert!(msg.starts_with("cannot create output folder `"), "{msg}");
        assert!(msg.contains("plain_file"), "{msg}");
    }

    #[test]
    fn writer_is_send() {
        fn is_send<T: Send>() {}
        is_send::<ResultWriter>();
    }
}
