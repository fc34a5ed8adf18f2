//! Checksums: SHA-256 of bytes in lowercase hex, and the [`FileEntry`] that
//! a manifest keeps for each file it lists. A reader that knows a file's
//! entry reads exactly that many bytes (a longer file is refused while
//! reading) and checks the checksum before the content is parsed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::read::{ReadProblem, read_bounded};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// One file a manifest lists: its path relative to the folder, its size
/// and its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Why a listed file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read `{}`: {problem}", path.display())]
    Read { path: PathBuf, problem: ReadProblem },
    #[error(
        "`{}` does not match the checksum its manifest records ({}); it was changed or damaged after trustsim wrote it",
        path.display(),
        what
    )]
    Mismatch { path: PathBuf, what: String },
}

impl FileEntry {
    /// The entry of `bytes` written as `name`.
    pub fn of(name: impl Into<String>, bytes: &[u8]) -> FileEntry {
        FileEntry {
            name: name.into(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }

    /// The entry of the file `dir/name` as it is now.
    pub fn of_file(dir: &Path, name: &str, limit: u64) -> Result<FileEntry, VerifyError> {
        let path = dir.join(name);
        let bytes = read_bounded(&path, limit, "an output file")
            .map_err(|problem| VerifyError::Read { path, problem })?;
        Ok(FileEntry::of(name, &bytes))
    }

    /// Whether `bytes` are this file.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.bytes && sha256_hex(bytes) == self.sha256
    }

    /// The bytes of `dir/NAME`, checked against this entry.
    pub fn read_verified(&self, dir: &Path) -> Result<Vec<u8>, VerifyError> {
        let path = dir.join(&self.name);
        let bytes = match read_bounded(&path, self.bytes, "this file (its manifest's size)") {
            Ok(b) => b,
            Err(ReadProblem::TooLarge { .. }) => {
                return Err(VerifyError::Mismatch {
                    path,
                    what: format!("it is longer than the {} bytes recorded", self.bytes),
                });
            }
            Err(problem) => return Err(VerifyError::Read { path, problem }),
        };
        if bytes.len() as u64 != self.bytes {
            return Err(VerifyError::Mismatch {
                path,
                what: format!(
                    "{} bytes instead of the {} recorded",
                    bytes.len(),
                    self.bytes
                ),
            });
        }
        if sha256_hex(&bytes) != self.sha256 {
            return Err(VerifyError::Mismatch {
                path,
                what: "SHA-256 differs".into(),
            });
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_byte_a_longer_or_shorter_file_is_refused() {
        let tmp = tempfile::TempDir::new().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("a"), b"hello world").unwrap();
        let e = FileEntry::of_file(d, "a", 100).unwrap();
        assert_eq!(e.read_verified(d).unwrap(), b"hello world");
        for bad in [&b"hello worle"[..], b"hello world!", b"hello"] {
            std::fs::write(d.join("a"), bad).unwrap();
            let err = e.read_verified(d).unwrap_err().to_string();
            assert!(err.contains("does not match the checksum"), "{err}");
        }
        std::fs::remove_file(d.join("a")).unwrap();
        let err = e.read_verified(d).unwrap_err().to_string();
        assert!(err.contains("file not found"), "{err}");
    }

    #[test]
    fn sha256_of_the_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
