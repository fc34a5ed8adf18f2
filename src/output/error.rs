//! The error type of the output layer. Every variant names the file or folder
//! involved and what went wrong, so the message can be shown to a user as is
//! (for example ``cannot create output folder `runs/x`: Permission denied (os
//! error 13)``). The underlying error is part of the message rather than a
//! separate `source()`, so printing the chain with `{:#}` does not repeat it.

use std::io;
use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;

/// Anything that can go wrong while writing or reading output files.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output folder could not be created.
    #[error("cannot create output folder `{}`: {cause}", path.display())]
    CreateDir { path: PathBuf, cause: io::Error },
    /// A file could not be created or written.
    #[error("cannot write `{}`: {cause}", path.display())]
    Write { path: PathBuf, cause: io::Error },
    /// A finished temporary file could not be moved into place.
    #[error("cannot rename `{}` to `{}`: {cause}", from.display(), to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        cause: io::Error,
    },
    /// A file could not be opened or read.
    #[error("cannot read `{}`: {cause}", path.display())]
    Read { path: PathBuf, cause: io::Error },
    /// A file could not be read within trustsim's rules (not a regular
    /// file, too large, missing).
    #[error("cannot read `{}`: {problem}", path.display())]
    Unreadable {
        path: PathBuf,
        problem: crate::files::ReadProblem,
    },
    /// A file did not match the checksum its manifest records.
    #[error(transparent)]
    Verify(#[from] crate::files::digest::VerifyError),
    /// Encoding a parquet file failed.
    #[error("cannot encode parquet file `{}`: {cause}", path.display())]
    ParquetWrite { path: PathBuf, cause: PolarsError },
    /// Decoding a parquet file failed.
    #[error("cannot decode parquet file `{}`: {cause}", path.display())]
    ParquetRead { path: PathBuf, cause: PolarsError },
    /// A JSON file could not be encoded or parsed.
    #[error("cannot {action} JSON file `{}`: {cause}", path.display())]
    Json {
        path: PathBuf,
        action: &'static str,
        cause: serde_json::Error,
    },
    /// A file was readable but is not what trustsim writes.
    #[error("`{}` is not a valid trustsim output file: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

impl OutputError {
    pub(crate) fn write(path: &Path, cause: io::Error) -> Self {
        OutputError::Write {
            path: path.to_path_buf(),
            cause,
        }
    }
    pub(crate) fn read(path: &Path, cause: io::Error) -> Self {
        OutputError::Read {
            path: path.to_path_buf(),
            cause,
        }
    }
    pub(crate) fn parquet_write(path: &Path, cause: PolarsError) -> Self {
        OutputError::ParquetWrite {
            path: path.to_path_buf(),
            cause,
        }
    }
    pub(crate) fn parquet_read(path: &Path, cause: PolarsError) -> Self {
        OutputError::ParquetRead {
            path: path.to_path_buf(),
            cause,
        }
    }
    pub(crate) fn invalid(path: &Path, reason: impl Into<String>) -> Self {
        OutputError::Invalid {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
