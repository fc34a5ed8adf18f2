//! Write-to-temporary-then-rename. A file being written lives next to its
//! final path as a hidden `.NAME.partial` file in the same folder (so the
//! rename stays on one file system); [`PartialFile::commit`] renames it into
//! place, and dropping an uncommitted [`PartialFile`] removes it, so readers
//! never see a half-written file under the final name. Also the JSON files
//! trustsim writes this way ([`write_json`]) and reads back ([`read_json`]).

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::OutputError;
use crate::files::FileEntry;

/// The temporary path used while `target` is being written:
/// `dir/NAME` -> `dir/.NAME.partial`.
pub fn partial_path(target: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(target.file_name().unwrap_or_else(|| "output".as_ref()));
    name.push(".partial");
    target.with_file_name(name)
}

/// Guard for a file written under a temporary name.
#[derive(Debug)]
pub struct PartialFile {
    partial: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    /// Creates (or truncates a stale) `.NAME.partial` next to `target` and
    /// returns the guard together with the open file.
    pub fn create(target: &Path) -> Result<(PartialFile, File), OutputError> {
        let partial = partial_path(target);
        let file = File::create(&partial).map_err(|e| OutputError::write(&partial, e))?;
        Ok((
            PartialFile {
                partial,
                target: target.to_path_buf(),
                committed: false,
            },
            file,
        ))
    }

    /// The temporary path being written.
    pub fn partial(&self) -> &Path {
        &self.partial
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the temporary file onto the final path (replacing any file
    /// already there). The caller must have flushed and closed or synced the
    /// file first.
    pub fn commit(mut self) -> Result<(), OutputError> {
        fs::rename(&self.partial, &self.target).map_err(|e| OutputError::Rename {
            from: self.partial.clone(),
            to: self.target.clone(),
            cause: e,
        })?;
        self.committed = true;
        crate::files::failpoint::hit("renamed into place");
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.partial);
        }
    }
}

/// Writes `bytes` to `path` atomically: readers see either the old file or
/// the complete new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let (guard, mut file) = PartialFile::create(path)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| OutputError::write(guard.partial(), e))?;
    drop(file);
    guard.commit()
}

/// [`write_atomic`] of `pieces` one after another, without waiting for the
/// disk: for a file that only spares work while it lasts (a kept
/// replication, left for the kernel to write back when it will, which for
/// one removed soon after is often never). A kill at any moment still
/// leaves the complete file or none, since the page cache outlives the
/// process; a power cut or system crash can lose or damage a file not yet
/// synced, so its reader must check it (a kept replication's checksums).
pub fn write_atomic_unsynced(path: &Path, pieces: &[&[u8]]) -> Result<(), OutputError> {
    written_in_place(path, pieces).map(drop)
}

/// `pieces` written to `.NAME.partial` and renamed onto `path`, unsynced;
/// the file, still open.
fn written_in_place(path: &Path, pieces: &[&[u8]]) -> Result<File, OutputError> {
    let (guard, mut file) = PartialFile::create(path)?;
    for bytes in pieces {
        file.write_all(bytes)
            .map_err(|e| OutputError::write(guard.partial(), e))?;
    }
    guard.commit()?;
    Ok(file)
}

/// A run's file written into place without waiting for the disk (its
/// writeback started), still open, with the manifest entry of the bytes
/// written: the close lists it and syncs it through the same descriptor,
/// rather than opening and reading back every file it has just written.
#[derive(Debug)]
pub struct Unsynced {
    written: OnItsWay,
    entry: FileEntry,
}

impl Unsynced {
    /// `file`, open and already renamed to `path`, whose bytes `entry`
    /// lists.
    pub(crate) fn new(path: &Path, file: File, entry: FileEntry) -> Unsynced {
        Unsynced {
            written: OnItsWay {
                path: path.to_path_buf(),
                file,
            },
            entry,
        }
    }

    /// The file's manifest entry.
    pub fn entry(&self) -> &FileEntry {
        &self.entry
    }

    /// Waits until the file is on the disk.
    pub fn sync(self) -> Result<(), OutputError> {
        self.written.sync().map(drop)
    }
}

/// The name a manifest lists `path` by (its file name).
pub(crate) fn listed_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `bytes` written to `path` atomically without waiting for the disk, its
/// writeback started ([`start_writeback`]), for the caller to list and
/// sync ([`Unsynced`]) before anything names it complete.
pub fn write_unsynced_listed(path: &Path, bytes: &[u8]) -> Result<Unsynced, OutputError> {
    Ok(Unsynced {
        written: write_atomic_later(path, bytes)?,
        entry: FileEntry::of(listed_name(path), bytes),
    })
}

/// [`write_atomic`] in two steps: `bytes` written into place now, their
/// writeback started, and the wait for the disk left to
/// [`OnItsWay::sync`], so that files written one after another wait for
/// the disk together rather than each in turn.
pub fn write_atomic_later(path: &Path, bytes: &[u8]) -> Result<OnItsWay, OutputError> {
    let file = written_in_place(path, &[bytes])?;
    start_writeback(&file);
    Ok(OnItsWay {
        path: path.to_path_buf(),
        file,
    })
}

/// A file written into place by [`write_atomic_later`], still open, not
/// yet known to be on the disk.
#[derive(Debug)]
pub struct OnItsWay {
    path: PathBuf,
    file: File,
}

impl OnItsWay {
    /// Waits until the file is on the disk; returns its path.
    pub fn sync(self) -> Result<PathBuf, OutputError> {
        self.file
            .sync_all()
            .map_err(|e| OutputError::write(&self.path, e))?;
        Ok(self.path)
    }
}

/// Asks the kernel to start writing `file`'s data to the disk now, without
/// waiting for it (Linux; elsewhere nothing), so that a later [`sync`]
/// finds it written or on its way: a run's files synced one after another
/// at its close each waited for the disk in turn.
pub fn start_writeback(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: `file` is an open descriptor for the duration of the call;
        // the call only schedules writeback and has no memory effects. A
        // failure is harmless (the later sync writes the data itself).
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Waits until the file at `path` (written by [`write_atomic_unsynced`] or
/// another unsynced writer) is on the disk.
pub fn sync(path: &Path) -> Result<(), OutputError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| OutputError::write(path, e))
}

/// Writes `value` to `path` as pretty JSON with a trailing newline,
/// atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| OutputError::Json {
        path: path.to_path_buf(),
        action: "encode",
        cause: e,
    })?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Reads a JSON file written by [`write_json`].
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, OutputError> {
    let bytes = fs::read(path).map_err(|e| OutputError::read(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| OutputError::Json {
        path: path.to_path_buf(),
        action: "parse",
        cause: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    #[test]
    fn partial_name_is_hidden_and_in_same_folder() {
        let p = partial_path(Path::new("/a/b/manifest.json"));
        assert_eq!(p, Path::new("/a/b/.manifest.json.partial"));
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_partial() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("x.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert!(!partial_path(&path).exists());
    }

    #[test]
    fn dropped_guard_removes_partial() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("y.bin");
        let (guard, mut file) = PartialFile::create(&path).unwrap();
        file.write_all(b"half").unwrap();
        assert!(guard.partial().exists());
        drop(file);
        drop(guard);
        assert!(!partial_path(&path).exists());
        assert!(!path.exists());
    }

    #[test]
    fn write_atomic_into_missing_folder_errors() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("nope").join("x.txt");
        let err = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(err.starts_with("cannot write `"), "{err}");
        assert!(err.contains(".x.txt.partial"), "{err}");
    }
}
