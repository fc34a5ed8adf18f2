//! Output folders: an exclusive lock per folder (or sweep shard), what a
//! folder already holds, clearing what trustsim wrote there before a new
//! command writes its own, and refusing to write where something else sits.
//!
//! The lock is an advisory `flock` on a `.lock` file: the operating system
//! releases it when the process ends, however it ends, so a crash never
//! leaves a folder locked. The holder writes its process id and command
//! line into the file, which is how a second command can say who holds it.
//!
//! What is trustsim's in a folder is what its record (`manifest.json` of a
//! run, `comparison.json` of a comparison) says: files listed with a size
//! and checksum they still match, and names listed as being written by an
//! unfinished command (see `files::owned`). Clearing removes exactly those,
//! the kept replications in `.batches` and trustsim's own partial files,
//! never through a symbolic link; everything else stays, and a file that is
//! not trustsim's where a command must write stops the command, named.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::files::owned::{self, Found};
use crate::files::{FileEntry, ReadProblem};
use crate::output::{self, MANIFEST_FILE, Manifest, OutputError, partial_path};

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
    #[error(
        "{dir} holds files that trustsim did not write (or that were changed since) where it must write:\n  {}\ntrustsim deletes only what it wrote; move or delete these yourself, or choose another --out",
        found.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n  ")
    )]
    NotOurs {
        dir: PathBuf,
        found: Vec<owned::Foreign>,
    },
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
        if let Found::Foreign(why) = owned::classify_pending(path) {
            return Err(io(std::io::Error::other(format!(
                "it is {why}; trustsim locks only a regular file"
            ))));
        }
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
            let _ = (&mut file).take(4096).read_to_string(&mut holder);
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
    /// No run manifest.
    Nothing,
    /// An unfinished run of this very scenario, written by this version.
    Unfinished(Box<Manifest>),
    /// A finished run of this scenario, or one written by another version.
    SameScenario(Box<Manifest>),
    /// Results of something else, described for an error message, with
    /// their manifest if it could be read.
    Other {
        what: String,
        manifest: Option<Box<Manifest>>,
    },
}

/// What `dir` holds, for a run of scenario `hash` by this version.
pub fn inspect(dir: &Path, hash: &str) -> Holds {
    match output::read_manifest(&dir.join(MANIFEST_FILE)) {
        Ok(m) if m.scenario_hash == hash && m.trustsim_version == env!("CARGO_PKG_VERSION") => {
            if m.complete {
                Holds::SameScenario(Box::new(m))
            } else {
                Holds::Unfinished(Box::new(m))
            }
        }
        Ok(m) if m.scenario_hash == hash => Holds::SameScenario(Box::new(m)),
        Ok(m) => Holds::Other {
            what: describe(&m),
            manifest: Some(Box::new(m)),
        },
        Err(OutputError::Unreadable {
            problem: ReadProblem::NotFound,
            ..
        }) => {
            if dir.join(output::comparison::COMPARISON_MANIFEST).exists() {
                Holds::Other {
                    what: "a comparison of several variants".into(),
                    manifest: None,
                }
            } else {
                Holds::Nothing
            }
        }
        Err(e) => Holds::Other {
            what: format!("a manifest.json that cannot be used ({e})"),
            manifest: None,
        },
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

/// The temporary names under which `name` is written (`.NAME.partial`, and
/// for a chart `.STEM.partial.png`, under which earlier versions drew it).
fn partials(dir: &Path, name: &str) -> Vec<PathBuf> {
    let path = dir.join(name);
    let mut v = vec![partial_path(&path)];
    if let Some(stem) = name.strip_suffix(".png") {
        let file = Path::new(stem)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        v.push(path.with_file_name(format!(".{file}.partial.png")));
    }
    v
}

/// What each name a record lists holds (`files` judged against their
/// entries, `pending` names as being written), or the refusal naming what
/// is not trustsim's: a `charts` or `.batches` that is not a real folder
/// (first, so nothing is read through a link), a listed file changed since
/// trustsim wrote it, a name that is a link or a folder.
fn judge(
    dir: &Path,
    files: &[FileEntry],
    pending: &[String],
) -> Result<Vec<(PathBuf, Found)>, FolderError> {
    for sub in ["charts", ".batches"] {
        if let Err(why) = owned::real_folder(&dir.join(sub)) {
            return Err(FolderError::NotOurs {
                dir: dir.to_path_buf(),
                found: vec![owned::Foreign {
                    path: dir.join(sub),
                    why,
                }],
            });
        }
    }
    let relative = |name: &&str| crate::files::names::is_relative_path(name);
    let found: Vec<(PathBuf, Found)> = files
        .iter()
        .filter(|f| relative(&f.name.as_str()))
        .map(|f| {
            let path = dir.join(&f.name);
            let found = owned::classify(&path, Some(f));
            (path, found)
        })
        .chain(
            pending
                .iter()
                .map(String::as_str)
                .filter(relative)
                .map(|name| {
                    let path = dir.join(name);
                    let found = owned::classify_pending(&path);
                    (path, found)
                }),
        )
        .collect();
    let foreign: Vec<owned::Foreign> = found
        .iter()
        .filter_map(|(path, found)| match found {
            Found::Foreign(why) => Some(owned::Foreign {
                path: path.clone(),
                why: why.clone(),
            }),
            _ => None,
        })
        .collect();
    if foreign.is_empty() {
        Ok(found)
    } else {
        Err(FolderError::NotOurs {
            dir: dir.to_path_buf(),
            found: foreign,
        })
    }
}

/// The names of `files` (a record's list) that are still as recorded in
/// `dir`: trustsim's own, to be written over or cleared.
pub fn intact(dir: &Path, files: &[FileEntry]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            crate::files::names::is_relative_path(&f.name)
                && owned::classify(&dir.join(&f.name), Some(f)) == Found::Ours
        })
        .map(|f| f.name.clone())
        .collect()
}

/// Whether [`clear_recorded`] would clear what a record lists without
/// refusing: every listed file still as recorded (checked before anything
/// is removed, so that a command can refuse with the folder untouched).
pub fn check_clearable(
    dir: &Path,
    files: &[FileEntry],
    pending: &[String],
) -> Result<(), FolderError> {
    judge(dir, files, pending).map(|_| ())
}

/// Removes what a record says trustsim wrote in `dir` (its `files` that
/// still match, its `pending` names), their partial files, the kept
/// replications and then the record itself (`record`, e.g.
/// `manifest.json`); folders left empty go too. Files listed but changed
/// since stop the clearing before anything is removed, with their names:
/// a command refused leaves the folder as it found it (the record, and the
/// results it still vouches for, stay).
pub fn clear_recorded(
    dir: &Path,
    record: &str,
    files: &[FileEntry],
    pending: &[String],
) -> Result<(), FolderError> {
    let found = judge(dir, files, pending)?;
    output::batches::clear(dir)?;
    let names = files
        .iter()
        .map(|f| f.name.as_str())
        .chain(pending.iter().map(String::as_str));
    for name in names.clone() {
        if !crate::files::names::is_relative_path(name) {
            continue;
        }
        for p in partials(dir, name) {
            if owned::classify_pending(&p) == Found::Ours {
                owned::remove(&p).map_err(|e| OutputError::write(&p, e))?;
            }
        }
    }
    for (path, found) in &found {
        if *found == Found::Ours {
            owned::remove(path).map_err(|e| OutputError::write(path, e))?;
        }
    }
    let record = dir.join(record);
    if owned::classify_pending(&record) == Found::Ours {
        owned::remove(&record).map_err(|e| OutputError::write(&record, e))?;
    }
    let mut folders: Vec<PathBuf> = names
        .flat_map(|n| Path::new(n).ancestors().skip(1).map(|p| dir.join(p)))
        .filter(|p| p != dir)
        .collect();
    folders.sort();
    folders.dedup();
    // Deepest first, so that charts/trust-X goes before charts.
    for f in folders.iter().rev() {
        owned::remove_dir_if_empty(f);
    }
    Ok(())
}

/// Refuses to write `planned` files into `dir` where something that is not
/// trustsim's sits (`ours` lists names known to be trustsim's, e.g. those an
/// unfinished run is writing), or where `charts` or `.batches` is not a
/// real folder.
pub fn check_writable(dir: &Path, planned: &[String], ours: &[String]) -> Result<(), FolderError> {
    let mut found = Vec::new();
    for sub in ["charts", ".batches"] {
        if let Err(why) = owned::real_folder(&dir.join(sub)) {
            found.push(owned::Foreign {
                path: dir.join(sub),
                why,
            });
        }
    }
    for name in planned {
        let path = dir.join(name);
        let found_here = if ours.contains(name) {
            owned::classify_pending(&path)
        } else {
            owned::classify(&path, None)
        };
        match found_here {
            Found::Absent | Found::Ours => {}
            Found::Foreign(why) => found.push(owned::Foreign {
                path,
                why: if why == "not recorded in a manifest" {
                    "not written by trustsim, or its record is gone".into()
                } else {
                    why
                },
            }),
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(FolderError::NotOurs {
            dir: dir.to_path_buf(),
            found,
        })
    }
}

/// Clears what a run manifest says trustsim wrote in `dir` (see
/// [`clear_recorded`]); with no manifest, only the kept replications.
pub fn clear_outputs(dir: &Path, manifest: Option<&Manifest>) -> Result<(), FolderError> {
    match manifest {
        Some(m) => clear_recorded(dir, MANIFEST_FILE, &m.files, &m.pending),
        None => clear_recorded(dir, MANIFEST_FILE, &[], &[]),
    }
}

/// A folder's record of what trustsim wrote there (`manifest.json` of a
/// run, `comparison.json` of a comparison), as [`add_files`] updates it.
pub trait Recorded: serde::Serialize + serde::de::DeserializeOwned {
    /// The record's file name in its folder.
    const FILE: &'static str;
    /// The files it lists and the names it says are being written.
    fn written(&mut self) -> (&mut Vec<FileEntry>, &mut Vec<String>);
}

impl Recorded for Manifest {
    const FILE: &'static str = MANIFEST_FILE;
    fn written(&mut self) -> (&mut Vec<FileEntry>, &mut Vec<String>) {
        (&mut self.files, &mut self.pending)
    }
}

impl Recorded for output::comparison::ComparisonManifest {
    const FILE: &'static str = output::comparison::COMPARISON_MANIFEST;
    fn written(&mut self) -> (&mut Vec<FileEntry>, &mut Vec<String>) {
        (&mut self.files, &mut self.pending)
    }
}

/// Why files could not be added to a folder.
#[derive(Debug, thiserror::Error)]
pub enum AddError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(transparent)]
    Write(E),
}

/// Writes files into a finished folder for a later command (`plot`'s
/// charts, `report`'s HTML) and records them in the folder's record `R`:
/// under the folder's lock, refusing if something that is not trustsim's
/// sits at one of `names`, naming them pending while `write` runs (so a
/// kill leaves them trustsim's), then recording their checksums.
pub fn add_files<R: Recorded, T, E: std::error::Error + 'static>(
    dir: &Path,
    names: &[String],
    write: impl FnOnce() -> Result<T, E>,
) -> Result<T, AddError<E>> {
    let _lock = Lock::acquire(&lock_path(dir))?;
    let path = dir.join(R::FILE);
    let mut record: R =
        output::manifest::read_sealed(&path, "a folder's record").map_err(FolderError::from)?;
    let (files, pending) = record.written();
    let ours: Vec<String> = pending
        .iter()
        .cloned()
        .chain(
            files
                .iter()
                .filter(|f| names.contains(&f.name))
                .filter(|f| owned::classify(&dir.join(&f.name), Some(f)) == Found::Ours)
                .map(|f| f.name.clone()),
        )
        .collect();
    check_writable(dir, names, &ours)?;
    for n in names {
        if !pending.contains(n) {
            pending.push(n.clone());
        }
    }
    output::manifest::write_sealed(&path, &record).map_err(FolderError::from)?;
    let value = write().map_err(AddError::Write)?;
    let mut added = Vec::new();
    for n in names {
        if dir.join(n).exists() {
            added.push(
                FileEntry::of_file(dir, n, crate::files::limits::STATE_BYTES)
                    .map_err(|e| FolderError::from(OutputError::from(e)))?,
            );
        }
    }
    let (files, pending) = record.written();
    files.retain(|f| !names.contains(&f.name));
    files.extend(added);
    pending.retain(|n| !names.contains(n));
    output::manifest::write_sealed(&path, &record).map_err(FolderError::from)?;
    Ok(value)
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
    fn clearing_removes_what_the_record_lists_and_keeps_the_users() {
        let tmp = tempfile::TempDir::new().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("charts")).unwrap();
        for f in [
            "trust_months.parquet",
            "summary.parquet",
            "charts/fan.png",
            "charts/my.png",
            "notes.txt",
        ] {
            std::fs::write(d.join(f), f.as_bytes()).unwrap();
        }
        std::fs::write(d.join("charts/.fan.partial.png"), b"half").unwrap();
        let files = vec![
            FileEntry::of("trust_months.parquet", b"trust_months.parquet"),
            FileEntry::of("charts/fan.png", b"charts/fan.png"),
        ];
        clear_recorded(d, MANIFEST_FILE, &files, &["summary.parquet".into()]).unwrap();
        for gone in [
            "trust_months.parquet",
            "summary.parquet",
            "charts/fan.png",
            "charts/.fan.partial.png",
        ] {
            assert!(!d.join(gone).exists(), "{gone}");
        }
        assert!(d.join("notes.txt").exists() && d.join("charts/my.png").exists());
        // A file written where trustsim must write is named, never deleted.
        let e = check_writable(d, &["charts/my.png".into()], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("charts/my.png (not written by trustsim"), "{e}");
        assert!(d.join("charts/my.png").exists());
    }

    #[test]
    fn a_changed_file_or_a_linked_folder_stops_the_clearing_before_anything_is_removed() {
        let tmp = tempfile::TempDir::new().unwrap();
        let d = tmp.path().join("run");
        let elsewhere = tmp.path().join("photos");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("fan.png"), b"a photo").unwrap();
        std::os::unix::fs::symlink(&elsewhere, d.join("charts")).unwrap();
        let files = vec![FileEntry::of("charts/fan.png", b"a photo")];
        let e = clear_recorded(&d, MANIFEST_FILE, &files, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("charts (a symbolic link)"), "{e}");
        assert!(elsewhere.join("fan.png").exists());
        std::fs::remove_file(d.join("charts")).unwrap();
        std::fs::write(d.join("summary.parquet"), b"edited").unwrap();
        std::fs::write(d.join("trust_months.parquet"), b"intact").unwrap();
        std::fs::write(d.join("manifest.json"), b"the record").unwrap();
        let files = vec![
            FileEntry::of("trust_months.parquet", b"intact"),
            FileEntry::of("summary.parquet", b"original"),
        ];
        let e = clear_recorded(&d, MANIFEST_FILE, &files, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("summary.parquet (changed since trustsim wrote it)"),
            "{e}"
        );
        // Refused before anything was removed: the edited file, the
        // results the record still vouches for, and the record.
        for kept in ["summary.parquet", "trust_months.parquet", "manifest.json"] {
            assert!(d.join(kept).exists(), "{kept}");
        }
    }
}
