//! Deleting only what trustsim wrote. A folder a user points trustsim at
//! may hold their own files, under any name, and symbolic links to
//! anywhere. The rules:
//!
//! - a file is trustsim's when a manifest lists it by name and it still
//!   matches the size and checksum recorded ([`Found::Ours`]), or when a
//!   manifest of an unfinished command names it as being written (its
//!   content cannot be known yet);
//! - nothing is ever removed through a symbolic link, and a link where
//!   trustsim must write a file or folder is refused ([`Found::Foreign`]);
//! - everything else is the user's: never deleted, and named in the error
//!   when it sits where trustsim must write.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::digest::{FileEntry, sha256_hex};
use super::read::read_bounded;

/// What sits at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Absent,
    /// A regular file trustsim wrote.
    Ours,
    /// Something else, and why it is not trustsim's.
    Foreign(String),
}

/// What sits at `path`, without following a symbolic link, judged against
/// `entry` (the manifest's record of it) or, with `None`, against nothing:
/// a file trustsim did not record is not its own.
pub fn classify(path: &Path, entry: Option<&FileEntry>) -> Found {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Found::Absent,
        Err(e) => return Found::Foreign(format!("cannot be examined ({e})")),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Found::Foreign("a symbolic link".into());
    }
    if !meta.is_file() {
        return Found::Foreign(if meta.is_dir() {
            "a folder".into()
        } else {
            "not a regular file".into()
        });
    }
    let Some(entry) = entry else {
        return Found::Foreign("not recorded in a manifest".into());
    };
    if meta.len() != entry.bytes {
        return Found::Foreign("changed since trustsim wrote it".into());
    }
    match read_bounded(path, entry.bytes, "a recorded file") {
        Ok(bytes) if sha256_hex(&bytes) == entry.sha256 => Found::Ours,
        Ok(_) => Found::Foreign("changed since trustsim wrote it".into()),
        Err(p) => Found::Foreign(format!("cannot be read ({p})")),
    }
}

/// Whether `path` is a regular file (not through a link) or absent; for
/// files a manifest names as being written, which are trustsim's whatever
/// their content.
pub fn classify_pending(path: &Path) -> Found {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Found::Absent,
        Err(e) => Found::Foreign(format!("cannot be examined ({e})")),
        Ok(m) if m.file_type().is_symlink() => Found::Foreign("a symbolic link".into()),
        Ok(m) if m.is_file() => Found::Ours,
        Ok(m) if m.is_dir() => Found::Foreign("a folder".into()),
        Ok(_) => Found::Foreign("not a regular file".into()),
    }
}

/// Whether `dir` can hold trustsim's files: absent (`Ok(false)`), a real
/// folder (`Ok(true)`), or something else that trustsim will not write
/// into (a symbolic link, a file), described.
pub fn real_folder(dir: &Path) -> Result<bool, String> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot be examined ({e})")),
        Ok(m) if m.file_type().is_symlink() => Err("a symbolic link".into()),
        Ok(m) if m.is_dir() => Ok(true),
        Ok(_) => Err("a file, not a folder".into()),
    }
}

/// Removes the file at `path` (not following links); absent is fine.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        Err(_) => Ok(()),
        Ok(()) => {
            super::failpoint::hit("removed");
            Ok(())
        }
    }
}

/// Removes `dir` if it is a real, empty folder; a folder that still holds
/// someone's files stays.
pub fn remove_dir_if_empty(dir: &Path) {
    if real_folder(dir) == Ok(true) {
        let _ = std::fs::remove_dir(dir);
    }
}

/// A path that is not trustsim's, for a refusal that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub path: PathBuf,
    pub why: String,
}

impl std::fmt::Display for Foreign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.path.display(), self.why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_recorded_unchanged_regular_files_are_ours() {
        let tmp = tempfile::TempDir::new().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("a"), b"abc").unwrap();
        let entry = FileEntry::of("a", b"abc");
        assert_eq!(classify(&d.join("a"), Some(&entry)), Found::Ours);
        assert!(matches!(classify(&d.join("a"), None), Found::Foreign(_)));
        std::fs::write(d.join("a"), b"abd").unwrap();
        assert!(matches!(
            classify(&d.join("a"), Some(&entry)),
            Found::Foreign(_)
        ));
        assert_eq!(classify(&d.join("b"), Some(&entry)), Found::Absent);
        std::os::unix::fs::symlink(d.join("a"), d.join("link")).unwrap();
        std::fs::write(d.join("a"), b"abc").unwrap();
        assert_eq!(
            classify(&d.join("link"), Some(&entry)),
            Found::Foreign("a symbolic link".into())
        );
        assert_eq!(
            classify_pending(&d.join("link")),
            Found::Foreign("a symbolic link".into())
        );
        assert_eq!(real_folder(&d.join("link")), Err("a symbolic link".into()));
        assert_eq!(real_folder(d), Ok(true));
    }
}
