//! Output folders: an exclusive lock per folder (or sweep shard), what a
//! folder already holds, and clearing every result trustsim wrote there
//! before a new run writes its own, so that no file under its final name
//! ever belongs to another run.
//!
//! The lock is an advisory `flock` on a `.lock` file: the operating system
//! releases it when the process ends, however it ends, so a crash never
//! leaves a folder locked. The holder writes its process id and command
//! line into the file, which is how a second command can say who holds it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::output::{
    self, MANIFEST_FILE, Manifest, OutputError, RESULT_TABLES, SUMMARY_FILE, partial_path,
};

/// Why an output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{path} is in use by another trustsim command ({holder}); wait for it to finish or choose another --out"
    )]
    Busy { path: PathBuf, holder: String },
    #[error(
        "{dir} holds {what}; pass --force to delete those results and write this run there, or choose another --out"
    )]
    Foreign { dir: PathBuf, what: String },
    #[error("cannot lock {path}: {cause}")]
    Lock {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// An exclusive lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Locks `path` (created if needed) for this process, or says who holds it.
    pub fn acquire(path: &Path) -> Result<Lock, FolderError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|cause| OutputError::CreateDir {
                path: parent.to_path_buf(),
                cause,
            })?;
        }
        let io = |cause| FolderError::Lock {
            path: path.to_path_buf(),
            cause,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        // SAFETY: flock on a file descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(io(err));
            }
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(FolderError::Busy {
                path: path.parent().unwrap_or(path).to_path_buf(),
                holder: if holder.is_empty() {
                    "a process that is starting".into()
                } else {
                    holder.replace('\n', ", ")
                },
            });
        }
        let me = format!(
            "pid {}\ncommand `{}`",
            std::process::id(),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(me.as_bytes()).map_err(io)?;
        Ok(Lock { _file: file })
    }
}

/// The lock file of a run or comparison folder.
pub fn lock_path(dir: &Path) -> PathBuf {
    dir.join(".lock")
}

/// What a folder holds, seen from a run of scenario hash `hash`.
#[derive(Debug, Clone, PartialEq)]
pub enum Holds {
    /// Nothing trustsim wrote.
    Nothing,
    /// An unfinished run of this very scenario, written by this version.
    Unfinished,
    /// A finished run of this scenario, or one written by another version.
    SameScenario,
    /// Results of something else, described for an error message.
    Other(String),
}

/// Files and folders trustsim writes into a run or comparison folder.
pub fn known_outputs() -> Vec<&'static str> {
    let mut v: Vec<&str> = RESULT_TABLES.iter().map(|t| t.file()).collect();
    v.extend([
        SUMMARY_FILE,
        output::REPLICATIONS_FILE,
        MANIFEST_FILE,
        output::comparison::COMPARISON_FILE,
        output::comparison::COMPARISON_MANIFEST,
        output::comparison::COMPARISON_CSV,
        output::summary::SUMMARY_CSV,
        "report.html",
    ]);
    v
}

/// What `dir` holds, for a run of scenario `hash` by this version.
pub fn inspect(dir: &Path, hash: &str) -> Holds {
    match output::read_manifest(&dir.join(MANIFEST_FILE)) {
        Ok(m) if m.scenario_hash == hash && m.trustsim_version == env!("CARGO_PKG_VERSION") => {
            if m.complete {
                Holds::SameScenario
            } else {
                Holds::Unfinished
            }
        }
        Ok(m) if m.scenario_hash == hash => Holds::SameScenario,
        Ok(m) => Holds::Other(describe(&m)),
        Err(OutputError::Read { ref cause, .. })
            if cause.kind() == std::io::ErrorKind::NotFound =>
        {
            let found: Vec<&str> = known_outputs()
                .into_iter()
                .filter(|f| dir.join(f).exists())
                .collect();
            if found.is_empty() && !dir.join("charts").exists() {
                Holds::Nothing
            } else if found.contains(&output::comparison::COMPARISON_MANIFEST) {
                Holds::Other("a comparison of several variants".into())
            } else {
                Holds::Other(format!(
                    "results without a manifest ({})",
                    if found.is_empty() {
                        "charts/".to_string()
                    } else {
                        found.join(", ")
                    }
                ))
            }
        }
        Err(_) => Holds::Other("a manifest.json that cannot be read".into()),
    }
}

fn describe(m: &Manifest) -> String {
    format!(
        "{} run of scenario `{}` ({} replications, seed {}, scenario hash {}, {})",
        if m.complete {
            "a finished"
        } else {
            "an unfinished"
        },
        m.scenario_name,
        m.replications,
        m.seed,
        &m.scenario_hash[..m.scenario_hash.len().min(12)],
        match &m.parameter_sets {
            Some(s) => format!("parameter sets {} ({} sets)", s.path, s.sets),
            None => "no parameter sets".into(),
        }
    )
}

/// Removes every result trustsim writes into a run folder (tables, summary,
/// manifest, charts, report, kept batches), including hidden partial files,
/// and nothing else.
pub fn clear_outputs(dir: &Path) -> Result<(), OutputError> {
    let remove = |p: &Path| match std::fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::write(p, e)),
        _ => Ok(()),
    };
    for f in known_outputs() {
        remove(&dir.join(f))?;
        remove(&partial_path(&dir.join(f)))?;
    }
    output::batches::clear(dir)?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("state-month-") && name.ends_with(".tsstate") {
                remove(&e.path())?;
            }
        }
    }
    let charts = dir.join("charts");
    if let Ok(entries) = std::fs::read_dir(&charts) {
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = [".png", ".svg", ".png.partial", ".svg.partial"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if ours {
                remove(&p)?;
            }
        }
        let _ = std::fs::remove_dir(&charts); // only if now empty
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_names_the_holder_and_a_dropped_one_frees_it() {
        let tmp = tempfile::TempDir::new().unwrap();
        let path = lock_path(tmp.path());
        let first = Lock::acquire(&path).unwrap();
        let err = Lock::acquire(&path).unwrap_err().to_string();
        assert!(err.contains("in use by another trustsim command"), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        Lock::acquire(&path).unwrap();
    }

    #[test]
    fn clearing_removes_our_files_and_keeps_the_users() {
        let tmp = tempfile::TempDir::new().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("charts")).unwrap();
        for f in [
            "trust_months.parquet",
            "summary.parquet",
            "charts/fan.png",
            "notes.txt",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        assert!(matches!(inspect(d, "h"), Holds::Other(_)));
        clear_outputs(d).unwrap();
        assert!(d.join("notes.txt").exists());
        assert!(!d.join("trust_months.parquet").exists() && !d.join("charts").exists());
        assert_eq!(inspect(d, "h"), Holds::Nothing);
    }
}
