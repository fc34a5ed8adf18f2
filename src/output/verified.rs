//! Reading back what trustsim wrote. A result table in a run or comparison
//! folder is used only after it has been checked against the size and
//! SHA-256 its folder's record lists (`manifest.json`, `comparison.json`,
//! whose own seal is checked first): a damaged, swapped or edited table is
//! an error naming the file, never numbers drawn or printed from it.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;

use super::error::OutputError;
use super::manifest::{COMPARISON_MANIFEST, MANIFEST_FILE, read_sealed};
use crate::files::FileEntry;

/// What a record lists, whatever else it says.
#[derive(Deserialize)]
struct Listed {
    files: Vec<FileEntry>,
}

/// The files listed by the record of `dir`: its run manifest, or else its
/// comparison record.
pub fn listed(dir: &Path) -> Result<Vec<FileEntry>, OutputError> {
    let run = dir.join(MANIFEST_FILE);
    let path = if run.exists() || !dir.join(COMPARISON_MANIFEST).exists() {
        run
    } else {
        dir.join(COMPARISON_MANIFEST)
    };
    Ok(read_sealed::<Listed>(&path, "a folder's record")?.files)
}

/// The bytes of the file at `path` (in a run or comparison folder), checked
/// against its folder's record.
pub fn read_verified(path: &Path) -> Result<Vec<u8>, OutputError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let files = listed(dir)?;
    let entry = files.iter().find(|f| f.name == name).ok_or_else(|| {
        OutputError::invalid(
            path,
            "its folder's record does not list it (the run is unfinished, or the file came from elsewhere)",
        )
    })?;
    Ok(entry.read_verified(dir)?)
}

/// The parquet file at `path`, checked against its folder's record, then
/// decoded.
pub fn read_frame(path: &Path) -> Result<DataFrame, OutputError> {
    let bytes = read_verified(path)?;
    let mut df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| OutputError::parquet_read(path, e))?;
    df.rechunk_mut();
    Ok(df)
}

/// Lists the files `names` of `dir` as they are now in a record of their
/// own, as a run's manifest would (for tests of the readers).
#[cfg(test)]
pub(crate) fn list_for_test(dir: &Path, names: &[&str]) {
    #[derive(serde::Serialize)]
    struct Record {
        files: Vec<FileEntry>,
    }
    let files = names
        .iter()
        .map(|n| FileEntry::of_file(dir, n, u64::MAX).unwrap())
        .collect();
    super::manifest::write_sealed(&dir.join(MANIFEST_FILE), &Record { files }).unwrap();
}
