//! Streaming parquet writers for simulation results. [`ResultWriter`] owns
//! one open writer per result table ([`RESULT_TABLES`]) in a run folder,
//! appends each batch of replications as one row group per file (so memory
//! is bounded by the batch, not the run), and on [`ResultWriter::finish`]
//! writes the footers and renames the hidden `.NAME.partial` files into
//! place. This module also owns the file-level key-value metadata
//! ([`FileMeta`]) stamped into every parquet file trustsim writes, and the
//! per-column unit and description carried as arrow field metadata.
//!
//! Output is deterministic: zstd at its default level, columns encoded
//! serially, no timestamps, so identical input gives identical bytes.
//!
//! Every file is written through a [`TableWriter`], which encodes its pages
//! with polars' own encoder and writes them with polars' file writer, but
//! compresses them itself: with one zstd context for the whole file, made
//! when its first large row group needs it, where polars makes a new
//! context for every page (a context carries nothing from one page to the
//! next, and each new one asks the processor what it supports, `cpuid`,
//! which a virtual machine answers slowly), and not at all for a row group
//! under [`COMPRESS_FROM_ROWS`] rows. Its floating-point columns are
//! plain-encoded: polars tries a dictionary for each first, deciding by a
//! HyperLogLog estimate of its distinct values that costs the same 16,384
//! registers whatever the column's length, and a simulation's floats are
//! almost all distinct, so the trial never paid; it was a fifth of encoding
//! a small run's tables. Otherwise a file is the bytes polars' writer gives
//! it with the same codec (a test compares the two writers on simulated
//! replications); a float column with few distinct values is written plain
//! where polars would have made a dictionary, and reads back the same.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use super::atomic::PartialFile;
use super::error::OutputError;
use super::tables::RESULT_TABLES;
use crate::model::ReplicationResult;
use crate::model::params::RunScope;

/// Metadata keys written into every parquet file.
pub const KEY_SCENARIO_HASH: &str = "trustsim.scenario_hash";
pub const KEY_SEED: &str = "trustsim.seed";
pub const KEY_VERSION: &str = "trustsim.version";
pub const KEY_SCENARIO: &str = "trustsim.scenario";
/// The number of plausible parameter sets a run used (absent without).
pub const KEY_PARAMETER_SETS: &str = "trustsim.parameter_sets";
/// The run's scope: trusts simulated, `run.staff_scale`, and whether it is
/// the full England baseline (`true` or `false`).
pub const KEY_TRUSTS: &str = "trustsim.trusts";
pub const KEY_STAFF_SCALE: &str = "trustsim.staff_scale";
pub const KEY_FULL_ENGLAND: &str = "trustsim.full_england";
/// Field metadata keys (in the arrow schema) of every column.
pub const KEY_UNIT: &str = "trustsim.unit";
pub const KEY_DESCRIPTION: &str = "trustsim.description";

/// Provenance stamped into the key-value metadata of each parquet file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    pub scenario_hash: String,
    pub seed: u64,
    pub version: String,
    pub scenario_name: String,
    /// Plausible parameter sets the run used (`--parameter-sets`), if any;
    /// replication `i` used set `i mod M`.
    pub parameter_sets: Option<u32>,
    /// What the run simulated (absent in files of sweeps and analyses, and
    /// in files written before the scope was recorded).
    pub scope: Option<RunScope>,
}

impl FileMeta {
    /// The key-value pairs written into the parquet footer.
    pub fn key_values(&self) -> Vec<(String, String)> {
        let mut kv = vec![
            (KEY_SCENARIO_HASH.to_string(), self.scenario_hash.clone()),
            (KEY_SEED.to_string(), self.seed.to_string()),
            (KEY_VERSION.to_string(), self.version.clone()),
            (KEY_SCENARIO.to_string(), self.scenario_name.clone()),
        ];
        if let Some(m) = self.parameter_sets {
            kv.push((KEY_PARAMETER_SETS.to_string(), m.to_string()));
        }
        if let Some(s) = &self.scope {
            kv.push((KEY_TRUSTS.to_string(), s.trusts.to_string()));
            kv.push((KEY_STAFF_SCALE.to_string(), s.staff_scale.to_string()));
            kv.push((KEY_FULL_ENGLAND.to_string(), s.england.to_string()));
        }
        kv
    }

    /// Rebuilds the metadata from footer key-value pairs; `path` is only used
    /// in error messages.
    pub(crate) fn from_key_values<'a>(
        path: &Path,
        kv: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<FileMeta, OutputError> {
        let (mut hash, mut seed, mut version, mut name) = (None, None, None, None);
        let mut sets = None;
        let (mut trusts, mut scale, mut england) = (None, None, None);
        for (k, v) in kv {
            let slot = match k {
                KEY_SCENARIO_HASH => &mut hash,
                KEY_SEED => &mut seed,
                KEY_VERSION => &mut version,
                KEY_SCENARIO => &mut name,
                KEY_PARAMETER_SETS => &mut sets,
                KEY_TRUSTS => &mut trusts,
                KEY_STAFF_SCALE => &mut scale,
                KEY_FULL_ENGLAND => &mut england,
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
            parameter_sets: sets.and_then(|s| s.parse().ok()),
            scope: (|| {
                Some(RunScope {
                    trusts: trusts?.parse().ok()?,
                    staff_scale: scale?.parse().ok()?,
                    england: england?.parse().ok()?,
                })
            })(),
        })
    }
}

/// polars' own parquet writer configured the trustsim way (zstd, serial
/// encoding, our metadata, and each column's unit and description as arrow
/// field metadata, which pyarrow shows as `schema.field(name).metadata`):
/// what [`TableWriter`] writes, which tests compare it with.
#[cfg(test)]
pub(crate) fn parquet_writer<W: Write>(
    w: W,
    meta: &FileMeta,
    schema: &Schema,
    notes: &[(&str, &str, &str)],
) -> ParquetWriter<W> {
    writer_with(w, footer_key_values(meta, schema, notes))
}

/// [`parquet_writer`] with its footer's key-value pairs already made.
#[cfg(test)]
fn writer_with<W: Write>(w: W, kv: Vec<(String, String)>) -> ParquetWriter<W> {
    ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)))
        .set_parallel(false)
}

/// The key-value pairs of a file's footer: the `ARROW:schema` entry with
/// the column notes, then `meta`'s.
fn footer_key_values(
    meta: &FileMeta,
    schema: &Schema,
    notes: &[(&str, &str, &str)],
) -> Vec<(String, String)> {
    let mut kv = meta.key_values();
    kv.insert(0, arrow_schema_with_notes(schema, notes));
    kv
}

/// The `ARROW:schema` entry polars would write, with `trustsim.unit` and
/// `trustsim.description` added to the metadata of each noted field.
fn arrow_schema_with_notes(schema: &Schema, notes: &[(&str, &str, &str)]) -> (String, String) {
    let mut arrow = schema.to_arrow(CompatLevel::newest());
    for (name, field) in arrow.iter_mut() {
        if let Some((_, unit, description)) = notes.iter().find(|n| n.0 == name.as_str()) {
            let mut md = field.metadata.as_deref().cloned().unwrap_or_default();
            if !unit.is_empty() {
                md.insert(KEY_UNIT.into(), (*unit).into());
            }
            md.insert(KEY_DESCRIPTION.into(), (*description).into());
            field.metadata = Some(Arc::new(md));
        }
    }
    let kv = polars_parquet::write::schema_to_metadata_key(&arrow);
    (kv.key, kv.value.unwrap_or_default())
}

/// The options polars' writer materialises for [`parquet_writer`]'s
/// settings (`ParquetWriter::batched`): its default statistics, zstd at
/// the default level, version 1 pages, polars' default page size.
fn write_options() -> polars_parquet::write::WriteOptions {
    polars_parquet::write::WriteOptions {
        statistics: polars_parquet::write::StatisticsOptions::default(),
        compression: polars_parquet::write::CompressionOptions::Zstd(None),
        version: polars_parquet::write::Version::V1,
        data_page_size: None,
    }
}

/// zstd's level for [`write_options`]' `Zstd(None)` (0: the library's
/// default, 3). Level 1 compressed the quick baseline's `trust_months`
/// pages a sixth faster (330 against 394 microseconds) but made a
/// full-England replication's `trust_months` 2.4 % larger, for a saving
/// of a two-hundredth of a small run.
const ZSTD_LEVEL: i32 = 0;

/// Rows from which a row group's pages are compressed; a smaller row
/// group is written uncompressed (the codec is chosen per column chunk,
/// and every parquet reader reads both). Its columns are a few kilobytes at
/// most (1,023 rows of 8-byte floats are 8 KiB), where zstd saves a few
/// hundred bytes a column at a cost per page that does not shrink with it
/// (building its entropy tables). Of the quick baseline's seven tables with
/// one replication, six are under it (all but `trust_months`, 1,200 rows):
/// 9 KB larger in all (179 KB against 170 KB), and those six about a
/// quarter faster to encode; a full-England replication's tables are
/// 23 KB larger (0.9 %). A run of many replications has row groups far
/// above it (a row group holds up to 16 replications).
pub const COMPRESS_FROM_ROWS: usize = 1024;

/// One zstd compression context, shared by the pages of a file.
type SharedZstd = Arc<Mutex<zstd::bulk::Compressor<'static>>>;

/// A parquet file written the trustsim way ([`parquet_writer`]'s settings
/// and metadata), its pages compressed with one zstd context, straight into
/// its writer (polars' `BatchedWriter` holds its writer behind a lock and
/// never gives it back, so every one of the footer's small writes took the
/// lock).
pub(crate) struct TableWriter<W: Write> {
    inner: polars_parquet::write::FileWriter<W>,
    /// The footer's key-value pairs, as polars' `BatchedWriter::finish`
    /// would give them (it serialises the arrow schema again only to find
    /// the pairs already hold it).
    footer: Vec<polars_parquet_format::KeyValue>,
    fields: Vec<polars_parquet::write::ParquetType>,
    encodings: Vec<Vec<polars_parquet::write::Encoding>>,
    /// The file's zstd context, made for its first compressed row group.
    zstd: Option<SharedZstd>,
    /// Rows from which a row group's pages are compressed
    /// ([`COMPRESS_FROM_ROWS`]).
    compress_from: usize,
}

impl<W: Write> TableWriter<W> {
    pub(crate) fn new(
        w: W,
        meta: &FileMeta,
        schema: &Schema,
        notes: &[(&str, &str, &str)],
    ) -> PolarsResult<TableWriter<W>> {
        let footer = footer_key_values(meta, schema, notes)
            .into_iter()
            .map(|(key, value)| polars_parquet_format::KeyValue {
                key,
                value: Some(value),
            })
            .collect();
        let arrow = schema.to_arrow(CompatLevel::newest());
        let parquet_schema = polars_parquet::write::to_parquet_schema(&arrow)?;
        let fields = parquet_schema.fields().to_vec();
        let encodings = polars::io::parquet::write::get_encodings(&arrow)
            .iter()
            .zip(arrow.iter_values())
            .map(|(e, f)| match f.dtype {
                ArrowDataType::Float64 | ArrowDataType::Float32 => {
                    vec![polars_parquet::write::Encoding::Plain]
                }
                _ => e.clone(),
            })
            .collect();
        let inner = polars_parquet::write::FileWriter::new_with_parquet_schema(
            w,
            arrow,
            parquet_schema,
            write_options(),
        );
        Ok(TableWriter {
            inner,
            footer,
            fields,
            encodings,
            zstd: None,
            compress_from: COMPRESS_FROM_ROWS,
        })
    }

    /// This writer compressing row groups from `rows` rows.
    #[cfg(test)]
    fn compressing_from(mut self, rows: usize) -> Self {
        self.compress_from = rows;
        self
    }

    /// Appends each chunk of `df` (aligned) as a row group, as polars'
    /// `BatchedWriter::write_batch` does.
    pub(crate) fn write(&mut self, df: &DataFrame) -> PolarsResult<()> {
        use polars_parquet::write::{DynIter, DynStreamingIterator, array_to_columns};
        let options = write_options();
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            let rows = batch.len();
            if rows == 0 {
                continue;
            }
            let zstd = if rows >= self.compress_from {
                Some(self.zstd()?)
            } else {
                None
            };
            let mut columns = Vec::new();
            for ((array, field), encoding) in batch
                .columns()
                .iter()
                .zip(&self.fields)
                .zip(&self.encodings)
            {
                for pages in array_to_columns(array, field.clone(), options, encoding)? {
                    columns.push(Ok(DynStreamingIterator::new(Pages {
                        pages,
                        zstd: zstd.clone(),
                        current: None,
                    })));
                }
            }
            self.inner
                .write(rows as u64, DynIter::new(columns.into_iter()))?;
        }
        Ok(())
    }

    /// The file's zstd context, made on first use.
    fn zstd(&mut self) -> PolarsResult<SharedZstd> {
        if let Some(z) = &self.zstd {
            return Ok(z.clone());
        }
        let z = zstd::bulk::Compressor::new(ZSTD_LEVEL)
            .map_err(|e| polars_err!(ComputeError: "cannot start zstd: {e}"))?;
        let z = Arc::new(Mutex::new(z));
        self.zstd = Some(z.clone());
        Ok(z)
    }

    /// Writes `df` in row groups as polars' `ParquetWriter::finish` splits
    /// it, then the footer; gives the writer back.
    pub(crate) fn write_all(mut self, df: &mut DataFrame) -> PolarsResult<W> {
        let chunked = polars::frame::chunk_df_for_writing(df, 512 * 512)?;
        self.write(&chunked)?;
        self.finish()
    }

    /// Writes the footer; gives the writer back.
    pub(crate) fn finish(mut self) -> PolarsResult<W> {
        let footer = std::mem::take(&mut self.footer);
        self.inner.end(Some(footer))?;
        Ok(self.inner.into_inner())
    }
}

/// One column's pages, each compressed as it is asked for (as polars'
/// `Compressor` does, with the file's context).
struct Pages {
    pages: polars_parquet::write::DynIter<'static, PolarsResult<polars_parquet::write::Page>>,
    zstd: Option<SharedZstd>,
    current: Option<polars_parquet::write::CompressedPage>,
}

impl polars_parquet::write::FallibleStreamingIterator for Pages {
    type Item = polars_parquet::write::CompressedPage;
    type Error = PolarsError;

    fn advance(&mut self) -> PolarsResult<()> {
        self.current = match self.pages.next() {
            None => None,
            Some(page) => Some(match &self.zstd {
                Some(z) => compress_page(page?, z)?,
                None => uncompressed_page(page?)?,
            }),
        };
        Ok(())
    }

    fn get(&self) -> Option<&Self::Item> {
        self.current.as_ref()
    }
}

/// `page` compressed as polars-parquet's `compress` does with zstd, in
/// `zstd`'s context: a version 1 data page or a dictionary page whole, a
/// version 2 data page after its levels.
fn compress_page(
    page: polars_parquet::write::Page,
    zstd: &SharedZstd,
) -> PolarsResult<polars_parquet::write::CompressedPage> {
    use polars_parquet::parquet::CowBuffer;
    use polars_parquet::parquet::compression::Compression;
    use polars_parquet::parquet::page::{CompressedDictPage, DataPageHeader};
    use polars_parquet::write::{CompressedDataPage, CompressedPage, Page};
    let mut z = zstd
        .lock()
        .map_err(|_| polars_err!(ComputeError: "zstd context lock poisoned"))?;
    let mut squeeze = |input: &[u8], out: &mut Vec<u8>| -> PolarsResult<()> {
        let at = out.len();
        out.resize(at + zstd::zstd_safe::compress_bound(input.len()), 0);
        let n = z
            .compress_to_buffer(input, &mut out[at..])
            .map_err(|e| polars_err!(ComputeError: "zstd: {e}"))?;
        out.truncate(at + n);
        Ok(())
    };
    Ok(match page {
        Page::Data(p) => {
            let buffer = p.buffer();
            let mut out = Vec::new();
            match p.header() {
                DataPageHeader::V1(_) => squeeze(buffer, &mut out)?,
                DataPageHeader::V2(h) => {
                    let levels = (h.repetition_levels_byte_length + h.definition_levels_byte_length)
                        as usize;
                    out.extend_from_slice(&buffer[..levels]);
                    squeeze(&buffer[levels..], &mut out)?;
                }
            }
            let rows = p
                .num_rows
                .ok_or_else(|| polars_err!(ComputeError: "a page to write has no row count"))?;
            CompressedPage::Data(CompressedDataPage::new(
                p.header().clone(),
                CowBuffer::Owned(out),
                Compression::Zstd,
                buffer.len(),
                p.descriptor.clone(),
                rows,
            ))
        }
        Page::Dict(p) => {
            let mut out = Vec::new();
            squeeze(&p.buffer, &mut out)?;
            CompressedPage::Dict(CompressedDictPage::new(
                CowBuffer::Owned(out),
                Compression::Zstd,
                p.buffer.len(),
                p.num_values,
                p.is_sorted,
            ))
        }
    })
}

/// `page` as it is, marked uncompressed.
fn uncompressed_page(
    page: polars_parquet::write::Page,
) -> PolarsResult<polars_parquet::write::CompressedPage> {
    use polars_parquet::parquet::compression::Compression;
    use polars_parquet::parquet::page::CompressedDictPage;
    use polars_parquet::write::{CompressedDataPage, CompressedPage, Page};
    Ok(match page {
        Page::Data(mut p) => {
            let rows = p
                .num_rows
                .ok_or_else(|| polars_err!(ComputeError: "a page to write has no row count"))?;
            let buffer = std::mem::take(p.buffer_mut());
            let size = buffer.len();
            CompressedPage::Data(CompressedDataPage::new(
                p.header().clone(),
                polars_parquet::parquet::CowBuffer::Owned(buffer),
                Compression::Uncompressed,
                size,
                p.descriptor.clone(),
                rows,
            ))
        }
        Page::Dict(p) => {
            let size = p.buffer.len();
            CompressedPage::Dict(CompressedDictPage::new(
                p.buffer,
                Compression::Uncompressed,
                size,
                p.num_values,
                p.is_sorted,
            ))
        }
    })
}

/// One parquet file being streamed under its partial name.
struct Sink {
    guard: PartialFile,
    writer: TableWriter<BufWriter<Hashing>>,
}

/// A file that takes the SHA-256 of what is written to it, for its
/// manifest entry.
struct Hashing {
    file: File,
    sha: sha2::Sha256,
    bytes: u64,
}

impl Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.file.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The buffer between a table's encoder and its file: 64 KiB, below the
/// size at which the allocator maps (and on freeing unmaps) fresh pages
/// for a buffer, which a 1 MiB buffer cost each file (a page larger than
/// the buffer is written straight through).
const FILE_BUFFER: usize = 64 << 10;

impl Sink {
    fn create(
        path: &Path,
        schema: &Schema,
        meta: &FileMeta,
        notes: &[(&str, &str, &str)],
    ) -> Result<Sink, OutputError> {
        let (guard, file) = PartialFile::create(path)?;
        let file = BufWriter::with_capacity(
            FILE_BUFFER,
            Hashing {
                file,
                sha: sha2::Digest::new(),
                bytes: 0,
            },
        );
        let writer = TableWriter::new(file, meta, schema, notes)
            .map_err(|e| OutputError::parquet_write(guard.partial(), e))?;
        Ok(Sink { guard, writer })
    }

    fn write(&mut self, df: &DataFrame) -> Result<(), OutputError> {
        if df.height() == 0 {
            return Ok(());
        }
        self.writer
            .write(df)
            .map_err(|e| OutputError::parquet_write(self.guard.partial(), e))
    }

    /// Writes the footer, flushes and starts the file's writeback (without
    /// waiting for it); the file stays partial.
    fn close(self) -> Result<(PartialFile, Hashing), OutputError> {
        let Sink { guard, writer } = self;
        let file = writer
            .finish()
            .map_err(|e| OutputError::parquet_write(guard.partial(), e))?;
        let file = file
            .into_inner()
            .map_err(|e| OutputError::write(guard.partial(), e.into_error()))?;
        super::atomic::start_writeback(&file.file);
        Ok((guard, file))
    }
}

/// `f` applied to each of `items`, the results in their order: side by side
/// on the rayon pool the caller runs in, one after another outside any
/// pool (so no caller starts rayon's global pool by writing a table).
pub(crate) fn each<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if rayon::current_thread_index().is_some() {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// `a()` and `b()`: side by side on the rayon pool the caller runs in, one
/// after the other outside any pool (as [`each`]).
pub(crate) fn both<RA: Send, RB: Send>(
    a: impl FnOnce() -> RA + Send,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    if rayon::current_thread_index().is_some() {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// Streams the result tables of one run ([`RESULT_TABLES`]) into a folder.
///
/// Dropping it without [`finish`](ResultWriter::finish) removes the partial
/// files and leaves no table under its final name.
pub struct ResultWriter {
    dir: PathBuf,
    sinks: Vec<Sink>,
    rows: Vec<u64>,
}

impl ResultWriter {
    /// Creates `dir` (and parents) if needed and opens every table.
    pub fn create(dir: &Path, meta: &FileMeta) -> Result<Self, OutputError> {
        // A run's folder exists already: asking to create it is a failed
        // system call.
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| OutputError::CreateDir {
                path: dir.to_path_buf(),
                cause: e,
            })?;
        }
        let sinks = each(RESULT_TABLES.iter().collect(), |t| {
            let path = dir.join(t.file());
            let schema = t
                .schema()
                .map_err(|e| OutputError::parquet_write(&path, e))?;
            Sink::create(&path, &schema, meta, &t.field_notes())
        })
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
        Ok(ResultWriter {
            dir: dir.to_path_buf(),
            rows: vec![0; sinks.len()],
            sinks,
        })
    }

    /// Appends one batch (several replications) as one row group per file.
    /// A table with no rows in this batch gets no row group.
    pub fn write(&mut self, batch: &[&ReplicationResult]) -> Result<(), OutputError> {
        let frames = RESULT_TABLES
            .iter()
            .zip(&self.sinks)
            .map(|(t, sink)| {
                t.frame(batch)
                    .map_err(|e| OutputError::parquet_write(sink.guard.partial(), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write_frames(&frames)
    }

    /// Appends already built tables (one per [`RESULT_TABLES`] entry, as
    /// [`ResultTable::frame`] makes them) as one row group per file.
    /// The tables are encoded side by side on the rayon pool the caller
    /// runs in ([`each`]), each into its own file, so their bytes do not
    /// depend on it; an error is the first table's in [`RESULT_TABLES`]
    /// order.
    pub fn write_frames(&mut self, frames: &[DataFrame]) -> Result<(), OutputError> {
        let work: Vec<_> = self
            .sinks
            .iter_mut()
            .zip(&mut self.rows)
            .zip(frames)
            .collect();
        each(work, |((sink, n), df)| {
            sink.write(df)?;
            *n += df.height() as u64;
            Ok(())
        })
        .into_iter()
        .collect()
    }

    /// Writes footers and renames the partial files into place, without
    /// waiting for the disk: the caller syncs them ([`super::Unsynced`])
    /// before anything names them complete.
    pub fn finish(self) -> Result<Vec<super::Unsynced>, OutputError> {
        let closed = each(self.sinks, Sink::close)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        closed
            .into_iter()
            .map(|(guard, h)| {
                let path = guard.target().to_path_buf();
                guard.commit()?;
                let entry = crate::files::FileEntry {
                    name: super::atomic::listed_name(&path),
                    bytes: h.bytes,
                    sha256: crate::files::digest::hex(&sha2::Digest::finalize(h.sha)),
                };
                Ok(super::Unsynced::new(&path, h.file, entry))
            })
            .collect()
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Rows written so far, per table in [`RESULT_TABLES`] order.
    pub fn rows_written(&self) -> &[u64] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::{ExecSpell, InspectionRecord};
    use crate::model::regulator::InspectionKind;
    use crate::model::trust::ExecExit;
    use crate::model::{CeoSpell, ExitRoute, Pathway, Rating, TrustMonth, TrustType};
    use crate::output::atomic::partial_path;
    use crate::output::summary::read_meta;
    use crate::output::tables::{
        CEO_SPELLS, EXEC_SPELLS, INSPECTIONS, TRUST_MONTHS, cs, es, ins, tm,
    };
    use tempfile::TempDir;

    /// `each` and `both` keep their order, run on the calling thread outside
    /// a pool (never on rayon's global one) and on the pool's threads in it.
    #[test]
    fn tables_side_by_side_in_a_pool_and_in_turn_outside_one() {
        let outside = each((0..40).collect(), |i| (i, rayon::current_thread_index()));
        assert!(
            outside
                .iter()
                .enumerate()
                .all(|(k, &(i, t))| i == k && t.is_none())
        );
        assert_eq!(
            both(rayon::current_thread_index, || 7),
            (None, 7),
            "outside a pool"
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let inside = pool.install(|| {
            each((0..40).collect(), |i: usize| {
                std::thread::sleep(std::time::Duration::from_millis(1));
                (i, rayon::current_thread_index())
            })
        });
        assert!(
            inside
                .iter()
                .enumerate()
                .all(|(k, &(i, t))| i == k && t.is_some())
        );
        let (x, y) = pool.install(|| both(|| "a", || "b"));
        assert_eq!((x, y), ("a", "b"));
    }

    /// A column that is null in every row (its validity a slice of the
    /// buffer of zeros polars shares, which the vendored polars-buffer
    /// allocates zeroed) is written, and read back, null in every row,
    /// beside a column with values; both longer than one row group.
    #[test]
    fn an_all_null_column_reads_back_null() {
        let n = 3_000_000;
        let mut df = DataFrame::new(
            n,
            vec![
                Series::full_null("missing".into(), n, &DataType::Float64).into_column(),
                Series::new("value".into(), (0..n as u32).collect::<Vec<_>>()).into_column(),
            ],
        )
        .unwrap();
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        let missing = back.column("missing").unwrap().f64().unwrap();
        assert_eq!(missing.len(), n);
        assert!(missing.iter().all(|v| v.is_none()));
        let value = back.column("value").unwrap().u32().unwrap();
        assert!(value.iter().enumerate().all(|(i, v)| v == Some(i as u32)));
    }

    fn meta() -> FileMeta {
        FileMeta {
            scenario_hash: "deadbeef".into(),
            seed: 12345678901234,
            version: "0.1.0".into(),
            scenario_name: "baseline".into(),
            parameter_sets: None,
            scope: Some(crate::model::params::RunScope {
                trusts: 20,
                staff_scale: 0.02,
                england: false,
            }),
        }
    }

    /// The calendar month of reported month `m` when the run starts in April 2026.
    fn ym(m: i32) -> crate::model::calendar::YearMonth {
        crate::model::calendar::YearMonth::new(2026, 4)
            .unwrap()
            .plus(i64::from(m) - 1)
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
            date: ym(m as i32),
            establishment: 5000 + trust,
            staff_in_post: 4500 + m,
            engagement: 0.5 + m as f64 / 100.0,
            sickness_rate: 0.05,
            leaver_rate: 0.01,
            vacancy_rate: 0.1,
            friction: 0.2,
            quality_index: 0.7,
            patient_experience: 0.8,
            mortality_ratio: if trust == 0 { 1.0 } else { f64::NAN },
            expected_deaths: 180.0,
            observed_deaths: 177.0,
            recommend_work: 0.6,
            recommend_care: 0.7,
            surplus_share: -0.005,
            oversight_level: 3,
            rating: Rating::RequiresImprovement,
            ceo_id: 1_000_000_000_000 + trust as u64,
            ceo_tenure_months: m + 10,
            interim: m.is_multiple_of(2),
            exec_vacancy_share: 0.0,
            mean_leader_capability: 0.6,
            improvement_capability: 0.4,
            development_spend_gbp: 1234.5,
            agency_spend_gbp: 99.0,
            targeted: trust == 0,
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
                start_month: -11,
                end_month: 2,
                start_date: ym(-11),
                end_date: ym(2),
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
                start_month: 1,
                end_month: 3,
                start_date: ym(1),
                end_date: ym(3),
                censored: true,
                exit_route: ExitRoute::InPost,
                pathway: Pathway::GeneralManagement,
                internal: false,
                first_time: true,
                interim: true,
            },
        ];
        let exec_spells = vec![ExecSpell {
            replication: r,
            trust_id: 1,
            post: 3,
            start_month: -4,
            end_month: 2,
            start_date: ym(-4),
            end_date: ym(2),
            censored: false,
            interim: true,
            clinical: true,
            exit_route: ExecExit::InterimEnded,
        }];
        let inspections = vec![InspectionRecord {
            replication: r,
            trust_id: 0,
            month: 2,
            date: ym(2),
            kind: InspectionKind::Responsive,
            domains: [
                Rating::Inadequate,
                Rating::RequiresImprovement,
                Rating::Good,
                Rating::Good,
                Rating::RequiresImprovement,
            ],
            overall: Rating::RequiresImprovement,
            previous: Rating::Good,
        }];
        let trusts = vec![crate::model::TrustRecord {
            replication: r,
            trust_id: 0,
            code: "RX1".into(),
            name: "Ash, Vale NHS Trust".into(),
            trust_type: TrustType::Acute,
            region: Some("London".into()),
            icb: None,
            establishment: 40,
            from_register: true,
        }];
        ReplicationResult {
            replication: r,
            trusts,
            trust_months,
            spells,
            exec_spells,
            inspections,
            staff_months: 0,
        }
    }

    fn write_run(dir: &Path) {
        let mut w = ResultWriter::create(dir, &meta()).unwrap();
        w.write(&[&rep(0), &rep(1)]).unwrap();
        w.write(&[&rep(2)]).unwrap();
        assert_eq!(w.rows_written(), [18, 6, 3, 3, 3]);
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

    fn string_at(df: &DataFrame, col: &str, i: usize) -> String {
        df.column(col)
            .unwrap()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .get(i)
            .unwrap()
            .to_string()
    }

    #[test]
    fn round_trip_two_batches() {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("run");
        write_run(&dir);

        let tm_path = dir.join(TRUST_MONTHS.file);
        let t = read(&tm_path);
        assert_eq!(t.height(), 18);
        let names: Vec<&str> = t.get_column_names().iter().map(|s| s.as_str()).collect();
        let defined: Vec<&str> = TRUST_MONTHS.columns.iter().map(|c| c.name).collect();
        assert_eq!(names, defined);
        let reps: Vec<u32> = t
            .column(tm::REPLICATION)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!((reps[0], reps[6], reps[17]), (0, 1, 2));
        assert_eq!(string_at(&t, tm::TRUST_TYPE, 3), "mental_health");
        assert_eq!(string_at(&t, tm::RATING, 0), "requires_improvement");
        assert!(matches!(
            t.column(tm::RATING).unwrap().dtype(),
            DataType::Enum(..)
        ));
        assert_eq!(
            t.column(tm::ENGAGEMENT).unwrap().f64().unwrap().get(2),
            Some(0.53)
        );
        assert_eq!(
            t.column(tm::CEO_ID).unwrap().u64().unwrap().get(4),
            Some(1_000_000_000_001)
        );
        assert_eq!(
            t.column(tm::SURPLUS_SHARE).unwrap().f64().unwrap().get(0),
            Some(-0.005)
        );
        assert_eq!(row_groups(&tm_path), 2);

        let cs_path = dir.join(CEO_SPELLS.file);
        let c = read(&cs_path);
        assert_eq!((c.height(), c.width()), (6, CEO_SPELLS.columns.len()));
        assert_eq!(
            c.column(cs::DURATION_MONTHS).unwrap().i32().unwrap().get(0),
            Some(14)
        );
        assert_eq!(string_at(&c, cs::EXIT_ROUTE, 1), "in_post");
        assert_eq!(string_at(&c, cs::PATHWAY, 1), "general_management");
        assert_eq!(row_groups(&cs_path), 2);

        // A mortality ratio that is not published is null, not NaN.
        let mortality = t.column(tm::MORTALITY_RATIO).unwrap().f64().unwrap();
        assert_eq!((mortality.get(0), mortality.get(3)), (Some(1.0), None));

        let e = read(&dir.join(EXEC_SPELLS.file));
        assert_eq!((e.height(), e.width()), (3, EXEC_SPELLS.columns.len()));
        assert_eq!(string_at(&e, es::EXIT_ROUTE, 0), "interim_ended");
        assert_eq!(
            e.column(es::DURATION_MONTHS).unwrap().i32().unwrap().get(0),
            Some(7)
        );
        let i = read(&dir.join(INSPECTIONS.file));
        assert_eq!((i.height(), i.width()), (3, INSPECTIONS.columns.len()));
        assert_eq!(string_at(&i, ins::SAFE, 0), "inadequate");
        assert_eq!(string_at(&i, ins::KIND, 0), "responsive");
        assert_eq!(string_at(&i, ins::PREVIOUS, 0), "good");

        for p in [&tm_path, &cs_path] {
            assert!(!partial_path(p).exists());
        }
        let mut entries: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        entries.sort();
        let mut expected = [
            CEO_SPELLS.file,
            EXEC_SPELLS.file,
            INSPECTIONS.file,
            TRUST_MONTHS.file,
            super::super::tables::TRUSTS.file,
        ];
        expected.sort();
        assert_eq!(
            entries, expected,
            "nothing but the tables is left in the folder"
        );
        crate::output::verified::list_for_test(&dir, &[TRUST_MONTHS.file, CEO_SPELLS.file]);
        for p in [&tm_path, &cs_path] {
            assert_eq!(read_meta(p).unwrap(), meta());
        }
    }

    /// The entries the writer gives its files (size, SHA-256 of what it
    /// wrote) are those of the files on the disk, each still open to sync.
    #[test]
    fn finished_files_are_listed_as_they_are_on_disk_and_sync() {
        let tmp = TempDir::new().unwrap();
        let mut w = ResultWriter::create(tmp.path(), &meta()).unwrap();
        w.write(&[&rep(0), &rep(1)]).unwrap();
        let written = w.finish().unwrap();
        assert_eq!(written.len(), RESULT_TABLES.len());
        for (t, f) in RESULT_TABLES.iter().zip(written) {
            let on_disk = crate::files::FileEntry::of_file(tmp.path(), t.file(), u64::MAX).unwrap();
            assert_eq!(f.entry(), &on_disk, "{}", t.file());
            assert!(on_disk.bytes > 0);
            f.sync().unwrap();
        }
        let bytes = b"a,b\n1,2\n";
        let csv = tmp.path().join("x.csv");
        let f = crate::output::write_unsynced_listed(&csv, bytes).unwrap();
        assert_eq!(f.entry(), &crate::files::FileEntry::of("x.csv", bytes));
        f.sync().unwrap();
        assert_eq!(std::fs::read(&csv).unwrap(), bytes);
        assert!(!partial_path(&csv).exists());
    }

    #[test]
    fn metadata_keys_and_field_units_present() {
        let tmp = TempDir::new().unwrap();
        write_run(tmp.path());
        let mut r = ParquetReader::new(File::open(tmp.path().join(TRUST_MONTHS.file)).unwrap());
        let md = r.get_metadata().unwrap();
        let kv = md.key_value_metadata.as_ref().unwrap();
        for key in [KEY_SCENARIO_HASH, KEY_SEED, KEY_VERSION, KEY_SCENARIO] {
            assert!(kv.iter().any(|k| k.key == key), "missing {key}");
        }
        let seed = kv.iter().find(|k| k.key == KEY_SEED).unwrap();
        assert_eq!(seed.value.as_deref(), Some("12345678901234"));
        let chunk = md.row_groups[0]
            .columns_under_root_iter(tm::ENGAGEMENT)
            .unwrap()
            .next()
            .unwrap();
        // A few rows: stored uncompressed (compression is tested below).
        assert!(md.row_groups[0].num_rows() < COMPRESS_FROM_ROWS);
        assert_eq!(format!("{:?}", chunk.compression()), "Uncompressed");
        let schema = r.schema().unwrap();
        let field = schema.get(tm::SICKNESS_RATE).unwrap();
        let unit = field.metadata.as_ref().unwrap().get(KEY_UNIT).unwrap();
        assert_eq!(unit.as_str(), "fraction (0-1)");
    }

    /// Two replications of a small world, simulated.
    fn simulated() -> (
        Vec<ReplicationResult>,
        Vec<crate::metrics::ReplicationMetrics>,
    ) {
        let p = crate::model::params::edited(crate::model::params::tiny);
        (0..2)
            .map(|r| {
                let result = crate::model::run_replication(&p, r);
                let metrics = crate::metrics::evaluate_replication(&result, &p);
                (result, metrics)
            })
            .unzip()
    }

    /// polars' own writer with trustsim's settings: `frames` as row groups
    /// one after another, then the footer.
    fn polars_bytes(frames: &[DataFrame], notes: &[(&str, &str, &str)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let schema = frames[0].schema().clone();
        let mut w = parquet_writer(&mut bytes, &meta(), &schema, notes)
            .batched(&schema)
            .unwrap();
        for df in frames {
            w.write_batch(df).unwrap();
        }
        w.finish().unwrap();
        bytes
    }

    fn table_writer_bytes(frames: &[DataFrame], notes: &[(&str, &str, &str)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let schema = frames[0].schema().clone();
        let mut w = TableWriter::new(&mut bytes, &meta(), &schema, notes)
            .unwrap()
            .compressing_from(0);
        for df in frames {
            w.write(df).unwrap();
        }
        w.finish().unwrap();
        bytes
    }

    /// The writer that keeps one zstd context for a file writes the bytes
    /// polars' writer does (which makes a context for every page), for
    /// every table of real replications (enums, dates, lists, nulls,
    /// dictionary and plain pages), in one row group and in two, and for a
    /// whole frame as `ParquetWriter::finish` splits it.
    #[test]
    fn the_table_writer_writes_the_bytes_polars_writes() {
        let (results, metrics) = simulated();
        let refs: Vec<&ReplicationResult> = results.iter().collect();
        for t in RESULT_TABLES {
            let both = t.frame(&refs).unwrap();
            let (a, b) = (t.frame(&refs[..1]).unwrap(), t.frame(&refs[1..]).unwrap());
            let notes = t.field_notes();
            assert!(both.height() > 0, "{}", t.file());
            assert_eq!(t.schema().unwrap(), **both.schema(), "{}", t.file());
            assert!(
                polars_bytes(std::slice::from_ref(&both), &notes)
                    == table_writer_bytes(std::slice::from_ref(&both), &notes),
                "{}: one row group",
                t.file()
            );
            assert!(
                polars_bytes(&[a.clone(), b.clone()], &notes)
                    == table_writer_bytes(&[a, b], &notes),
                "{}: two row groups",
                t.file()
            );
        }
        let m: Vec<&crate::metrics::ReplicationMetrics> = metrics.iter().collect();
        let rows = crate::output::replications::rows(&m);
        let table = &crate::output::replications::REPLICATION_METRICS;
        let mut df = table.frame(rows.iter()).unwrap();
        let notes = table.field_notes();
        assert!(df.height() < COMPRESS_FROM_ROWS, "{}", df.height());
        let mut theirs = Vec::new();
        parquet_writer(&mut theirs, &meta(), &df.schema().clone(), &notes)
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut df.clone())
            .unwrap();
        let ours = crate::output::summary::encode_frame(&mut df, &meta(), &notes).unwrap();
        assert!(ours == theirs, "replications.parquet, one small row group");
    }

    /// The codec of every column chunk of `bytes`, by row group.
    fn codecs(bytes: &[u8]) -> Vec<Vec<polars_parquet::parquet::compression::Compression>> {
        let md = ParquetReader::new(std::io::Cursor::new(bytes.to_vec()))
            .get_metadata()
            .unwrap()
            .clone();
        md.row_groups
            .iter()
            .map(|rg| {
                rg.parquet_columns()
                    .iter()
                    .map(|c| c.compression())
                    .collect()
            })
            .collect()
    }

    /// A row group under `COMPRESS_FROM_ROWS` rows is written uncompressed
    /// and one of that many compressed, each reading back as it was.
    #[test]
    fn small_row_groups_are_stored_uncompressed_and_large_ones_compressed() {
        use polars_parquet::parquet::compression::Compression;
        let frame = |n: usize| {
            DataFrame::new(
                n,
                vec![
                    Series::new(
                        "x".into(),
                        (0..n).map(|i| (i as f64).sqrt()).collect::<Vec<_>>(),
                    )
                    .into_column(),
                    Series::new("k".into(), (0..n as u32).map(|i| i % 7).collect::<Vec<_>>())
                        .into_column(),
                ],
            )
            .unwrap()
        };
        let (small, large) = (frame(COMPRESS_FROM_ROWS - 1), frame(COMPRESS_FROM_ROWS));
        let mut two = Vec::new();
        let mut w = TableWriter::new(&mut two, &meta(), &small.schema().clone(), &[]).unwrap();
        w.write(&small).unwrap();
        w.write(&large).unwrap();
        w.finish().unwrap();
        assert_eq!(
            codecs(&two),
            [
                vec![Compression::Uncompressed; 2],
                vec![Compression::Zstd; 2]
            ]
        );
        let back = ParquetReader::new(std::io::Cursor::new(two))
            .finish()
            .unwrap();
        let mut both = small.clone();
        both.vstack_mut(&large).unwrap();
        assert!(back.equals_missing(&both));
        // A file of small row groups only is what polars writes uncompressed.
        let ours = crate::output::summary::encode_frame(&mut small.clone(), &meta(), &[]).unwrap();
        let mut theirs = Vec::new();
        parquet_writer(&mut theirs, &meta(), &small.schema().clone(), &[])
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut small.clone())
            .unwrap();
        assert!(ours == theirs);
    }

    /// A float column with few distinct values, where polars' writer would
    /// try (and here take) a dictionary, is written plain and reads back the
    /// same, nulls included; an integer column keeps polars' choice.
    #[test]
    fn a_float_column_with_few_values_is_written_plain_and_reads_back() {
        let n = 5_000;
        let df = DataFrame::new(
            n,
            vec![
                Series::new(
                    "few".into(),
                    (0..n).map(|i| (i % 3) as f64).collect::<Vec<_>>(),
                )
                .into_column(),
                Series::new(
                    "gaps".into(),
                    (0..n)
                        .map(|i| (i % 2 == 0).then_some(1.5))
                        .collect::<Vec<Option<f64>>>(),
                )
                .into_column(),
                Series::new(
                    "ints".into(),
                    (0..n as u32).map(|i| i % 4).collect::<Vec<_>>(),
                )
                .into_column(),
            ],
        )
        .unwrap();
        let bytes = crate::output::summary::encode_frame(&mut df.clone(), &meta(), &[]).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes.clone()))
            .finish()
            .unwrap();
        assert!(back.equals_missing(&df));
        let md = ParquetReader::new(std::io::Cursor::new(bytes))
            .get_metadata()
            .unwrap()
            .clone();
        let dictionary = |name: &str| {
            let c = md.row_groups[0]
                .columns_under_root_iter(name)
                .unwrap()
                .next()
                .unwrap();
            c.dictionary_page_offset().is_some()
        };
        assert!(!dictionary("few") && !dictionary("gaps"));
        assert!(dictionary("ints"), "polars' own choice for integers");
    }

    #[test]
    fn identical_input_gives_identical_bytes() {
        let a = TempDir::new().unwrap();
        let b = TempDir::new().unwrap();
        write_run(a.path());
        write_run(b.path());
        for t in RESULT_TABLES {
            let x = std::fs::read(a.path().join(t.file())).unwrap();
            let y = std::fs::read(b.path().join(t.file())).unwrap();
            assert!(!x.is_empty());
            assert!(x == y, "{} differs between identical runs", t.file());
        }
    }

    #[test]
    fn dropped_writer_leaves_no_files() {
        let tmp = TempDir::new().unwrap();
        let mut w = ResultWriter::create(tmp.path(), &meta()).unwrap();
        w.write(&[&rep(0)]).unwrap();
        assert!(partial_path(&tmp.path().join(TRUST_MONTHS.file)).exists());
        drop(w);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn empty_run_is_a_valid_file() {
        let tmp = TempDir::new().unwrap();
        let mut w = ResultWriter::create(tmp.path(), &meta()).unwrap();
        w.write(&[&ReplicationResult::default()]).unwrap();
        w.finish().unwrap();
        let t = read(&tmp.path().join(TRUST_MONTHS.file));
        assert_eq!((t.height(), t.width()), (0, TRUST_MONTHS.columns.len()));
        assert_eq!(row_groups(&tmp.path().join(TRUST_MONTHS.file)), 0);
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
