//! Bounded reads of regular files. A file named in a scenario or on the
//! command line may be anything: `/dev/zero`, a FIFO that never ends, a
//! socket, `/dev/stdin`, a folder, or a regular file far larger than any
//! real input. [`read_bounded`] opens without blocking, refuses anything
//! that is not a regular file (checked on the open handle, so a file swapped
//! after a check is still refused), and stops reading one byte past the
//! limit, whatever the file's metadata says. Its problems are phrases about
//! the file, never its content, so an error cannot leak a foreign file.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file could not be read, as a lowercase phrase for an error message
/// that already names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    NotFound,
    PermissionDenied,
    Folder,
    /// A device, FIFO or socket: trustsim reads only regular files.
    NotRegular(&'static str),
    /// Larger than `limit` bytes (`what` says which kind of file it was
    /// read as).
    TooLarge {
        limit: u64,
        what: &'static str,
    },
    /// Not UTF-8 text (for files read as text); the 1-based line of the
    /// first invalid byte.
    NotUtf8 {
        line: usize,
    },
    Io(String),
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::NotFound => write!(f, "file not found"),
            ReadProblem::PermissionDenied => write!(f, "permission denied"),
            ReadProblem::Folder => write!(f, "it is a folder, not a file"),
            ReadProblem::NotRegular(kind) => write!(
                f,
                "it is {kind}, not a regular file; trustsim reads only regular files"
            ),
            ReadProblem::TooLarge { limit, what } => write!(
                f,
                "the file is larger than {}; allowed: at most {} for {what}",
                human(*limit),
                human(*limit)
            ),
            ReadProblem::NotUtf8 { line } => write!(
                f,
                "not UTF-8 text (first invalid byte on line {line}); save the file as UTF-8"
            ),
            ReadProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadProblem {}

/// `n` bytes in the largest binary unit it reaches ("16 MiB", "1.5 KiB").
pub fn human(n: u64) -> String {
    let (unit, size) = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        .into_iter()
        .find(|(_, size)| n >= *size)
        .unwrap_or(("bytes", 1));
    if n.is_multiple_of(size) {
        format!("{} {unit}", n / size)
    } else {
        format!("{:.1} {unit}", n as f64 / size as f64)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn problem(e: &std::io::Error) -> ReadProblem {
    match e.kind() {
        ErrorKind::NotFound => ReadProblem::NotFound,
        ErrorKind::PermissionDenied => ReadProblem::PermissionDenied,
        ErrorKind::IsADirectory => ReadProblem::Folder,
        _ => ReadProblem::Io(lower_first(&e.to_string())),
    }
}

/// Opens `path` for reading without blocking (a FIFO without a writer
/// would otherwise block forever) and checks on the open handle that it is
/// a regular file.
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadProblem> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| problem(&e))?;
    let meta = file.metadata().map_err(|e| problem(&e))?;
    let t = meta.file_type();
    if t.is_dir() {
        return Err(ReadProblem::Folder);
    }
    if !t.is_file() {
        let kind = if t.is_fifo() {
            "a named pipe (FIFO)"
        } else if t.is_char_device() {
            "a character device"
        } else if t.is_block_device() {
            "a block device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "a special file"
        };
        return Err(ReadProblem::NotRegular(kind));
    }
    Ok((file, meta.len()))
}

/// The bytes of the regular file at `path`, at most `limit` of them (more
/// is an error, noticed while reading); `what` names the kind of file for
/// the message ("a scenario file").
pub fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadProblem> {
    let (file, len) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(len.min(limit) as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| problem(&e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadProblem::TooLarge { limit, what });
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file at `path`, at most `limit` bytes
/// (see [`read_bounded`]).
pub fn read_text(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadProblem> {
    let bytes = read_bounded(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ReadProblem::NotUtf8 {
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_folders_are_refused_without_blocking() {
        let tmp = tempfile::TempDir::new().unwrap();
        let fifo = tmp.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_bounded(&fifo, 100, "a scenario file").unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a named pipe (FIFO), not a regular file; trustsim reads only regular files"
        );
        let e = read_bounded(Path::new("/dev/zero"), 100, "a scenario file").unwrap_err();
        assert!(e.to_string().starts_with("it is a character device"), "{e}");
        assert_eq!(
            read_bounded(tmp.path(), 100, "x").unwrap_err(),
            ReadProblem::Folder
        );
        assert_eq!(
            read_bounded(&tmp.path().join("none"), 100, "x").unwrap_err(),
            ReadProblem::NotFound
        );
    }

    #[test]
    fn the_limit_holds_while_reading() {
        let tmp = tempfile::TempDir::new().unwrap();
        let f = tmp.path().join("f");
        std::fs::write(&f, vec![b'a'; 2048]).unwrap();
        assert_eq!(read_bounded(&f, 2048, "x").unwrap().len(), 2048);
        let e = read_bounded(&f, 1024, "a register").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the file is larger than 1 KiB; allowed: at most 1 KiB for a register"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(1 << 20), "1 MiB");
        assert_eq!(human(16 << 20), "16 MiB");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(12), "12 bytes");
    }
}
