//! Saved simulation states (`run --save-state`, read by `run --from-state`).
//!
//! A state file holds, for every replication of a run, the whole
//! [`ReplicationState`] at the start of one reported month: every trust with
//! its staff slots, team leaders, executives, CEO and random-stream
//! positions, the CEO market with its stream, and the records so far.
//! Layout (all integers little-endian):
//!
//! ```text
//! "TRUSTSIM-STATE\n"      magic (15 bytes)
//! u32                     format version (STATE_FORMAT)
//! u32, JSON               header length, then the StateHeader
//! frames                  one per replication, where the header says:
//!                         zstd(postcard(ReplicationState)), with SHA-256
//! ```
//!
//! The file is written atomically; a truncated, corrupt or foreign file is
//! refused with a message that names it. The header records the scenario
//! that saved the state, so a run continuing from it can check that its own
//! parameters agree with that history.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::OutputError;
use crate::model::{Params, ReplicationState};

const MAGIC: &[u8; 15] = b"TRUSTSIM-STATE\n";
/// Version of the state-file layout and of the serialised model state. A
/// file of another version is refused (states are not portable across
/// model changes).
pub const STATE_FORMAT: u32 = 1;

/// Where one replication's frame lies in the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frame {
    pub replication: u32,
    pub offset: u64,
    pub length: u64,
    pub sha256: String,
}

/// What a state file says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateHeader {
    pub trustsim_version: String,
    /// The commit trustsim was built from (the model state's layout and
    /// meaning may change between commits).
    pub build: String,
    /// The state is at the start of this reported month (1 = just after
    /// burn-in): months before it have been simulated.
    pub month: u32,
    /// The scenario that saved it (with its timed changes).
    pub scenario: Params,
    pub scenario_hash: String,
    pub frames: Vec<Frame>,
}

/// The state file name for reported month `month`.
pub fn state_file_name(month: u32) -> String {
    format!("state-month-{month:04}.tsstate")
}

/// One replication's state as compressed bytes (what is kept while a run
/// is unfinished and what goes into the file).
pub fn encode(state: &ReplicationState) -> Vec<u8> {
    // Serialising plain structs and vectors into memory cannot fail.
    let raw = postcard::to_stdvec(state).expect("model state serialises");
    zstd::encode_all(raw.as_slice(), 3).expect("compressing into memory")
}

fn decode(bytes: &[u8], path: &Path) -> Result<ReplicationState, OutputError> {
    let invalid = |reason: String| OutputError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let mut raw = Vec::new();
    let limit = crate::files::limits::STATE_FRAME_BYTES;
    zstd::stream::read::Decoder::new(bytes)
        .and_then(|d| std::io::Read::read_to_end(&mut std::io::Read::take(d, limit + 1), &mut raw))
        .map_err(|e| invalid(format!("cannot decompress: {e}")))?;
    if raw.len() as u64 > limit {
        return Err(invalid(format!(
            "a replication's state decompresses to more than {}; allowed: at most that",
            crate::files::read::human(limit)
        )));
    }
    match postcard::take_from_bytes(&raw) {
        Ok((state, [])) => Ok(state),
        Ok(_) => Err(invalid(
            "the model state has bytes left over (written by another build)".into(),
        )),
        Err(e) => Err(invalid(format!("cannot decode the model state: {e}"))),
    }
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a state file at `path` from `frames` (replication, encoded
/// state), in replication order.
pub fn write_state_file(
    path: &Path,
    month: u32,
    scenario: &Params,
    mut frames: Vec<(u32, Vec<u8>)>,
) -> Result<(), OutputError> {
    frames.sort_by_key(|f| f.0);
    let mut offset = 0u64;
    let index: Vec<Frame> = frames
        .iter()
        .map(|(r, bytes)| {
            let f = Frame {
                replication: *r,
                offset,
                length: bytes.len() as u64,
                sha256: sha(bytes),
            };
            offset += bytes.len() as u64;
            f
        })
        .collect();
    let header = StateHeader {
        trustsim_version: env!("CARGO_PKG_VERSION").to_string(),
        build: env!("TRUSTSIM_COMMIT").to_string(),
        month,
        scenario: scenario.clone(),
        scenario_hash: crate::scenario::scenario_hash(scenario),
        frames: index,
    };
    let json = serde_json::to_vec(&header).map_err(|cause| OutputError::Json {
        path: path.to_path_buf(),
        action: "encode",
        cause,
    })?;
    let mut out = Vec::with_capacity(offset as usize + json.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&STATE_FORMAT.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for (_, bytes) in &frames {
        out.extend_from_slice(bytes);
    }
    super::write_atomic(path, &out)
}

/// A state file read into memory.
#[derive(Debug)]
pub struct StateFile {
    pub path: PathBuf,
    pub header: StateHeader,
    body: Vec<u8>,
}

impl StateFile {
    /// Reads and checks the layout of the state file at `path`.
    pub fn open(path: &Path) -> Result<StateFile, OutputError> {
        let bytes =
            crate::files::read_bounded(path, crate::files::limits::STATE_BYTES, "a state file")
                .map_err(|problem| OutputError::Unreadable {
                    path: path.to_path_buf(),
                    problem,
                })?;
        let invalid = |reason: &str| OutputError::Invalid {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        if bytes.len() < MAGIC.len() + 8 || &bytes[..MAGIC.len()] != MAGIC {
            return Err(invalid(
                "not a trustsim state file (written by `trustsim run --save-state`)",
            ));
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let format = word(MAGIC.len());
        if format != STATE_FORMAT {
            return Err(invalid(&format!(
                "state format {format}, but this trustsim reads format {STATE_FORMAT}; save the state again with this version"
            )));
        }
        let len = word(MAGIC.len() + 4) as usize;
        let start = MAGIC.len() + 8;
        let header_bytes = bytes
            .get(start..start + len)
            .ok_or_else(|| invalid("the file is truncated (header)"))?;
        let header: StateHeader = serde_json::from_slice(header_bytes).map_err(|e| {
            let build = serde_json::from_slice::<serde_json::Value>(header_bytes)
                .ok()
                .and_then(|v| v.get("build")?.as_str().map(str::to_string))
                .unwrap_or_else(|| "unknown".into());
            let ours = env!("TRUSTSIM_COMMIT");
            if build == ours {
                invalid(&format!("unreadable header: {e}"))
            } else {
                invalid(&format!(
                    "it was saved by another build of trustsim (commit {build}; this is {ours}) whose scenario this build cannot read ({}); save the state again with this build",
                    e.to_string().lines().next().unwrap_or_default()
                ))
            }
        })?;
        let body = bytes[start + len..].to_vec();
        let size: u64 = header.frames.iter().map(|f| f.length).sum();
        if size != body.len() as u64 {
            return Err(invalid("the file is truncated or has trailing bytes"));
        }
        Ok(StateFile {
            path: path.to_path_buf(),
            header,
            body,
        })
    }

    /// Replications the file holds.
    pub fn replications(&self) -> Vec<u32> {
        self.header.frames.iter().map(|f| f.replication).collect()
    }

    /// The saved state of replication `r`.
    pub fn state(&self, r: u32) -> Result<ReplicationState, OutputError> {
        let invalid = |reason: String| OutputError::Invalid {
            path: self.path.clone(),
            reason,
        };
        let f = self
            .header
            .frames
            .iter()
            .find(|f| f.replication == r)
            .ok_or_else(|| invalid(format!("holds no state of replication {r}")))?;
        let bytes = f
            .offset
            .checked_add(f.length)
            .and_then(|end| self.body.get(f.offset as usize..end as usize))
            .ok_or_else(|| {
                invalid(format!(
                    "the frame of replication {r} lies outside the file"
                ))
            })?;
        if sha(bytes) != f.sha256 {
            return Err(invalid(format!(
                "the state of replication {r} is corrupt (checksum mismatch)"
            )));
        }
        let state = decode(bytes, &self.path)?;
        if state.out.replication != r {
            return Err(invalid(format!(
                "the frame of replication {r} holds replication {}",
                state.out.replication
            )));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::run_replication;

    fn tiny() -> Params {
        crate::model::params::edited(|p| {
            p.run.staff_scale = 0.01;
            p.run.months = 24;
            p.run.burn_in_months = 12;
            p.trusts.acute.count = 4;
            p.trusts.mental_health.count = 1;
            p.trusts.community.count = 1;
            p.trusts.ambulance.count = 1;
        })
    }

    fn text(r: &crate::model::ReplicationResult) -> String {
        format!(
            "{:?}",
            (&r.trust_months, &r.spells, &r.exec_spells, &r.inspections)
        )
    }

    #[test]
    fn a_state_stored_mid_run_continues_to_exactly_the_uninterrupted_result() {
        let p = tiny();
        let tmp = tempfile::TempDir::new().unwrap();
        let path = tmp.path().join(state_file_name(5));
        let mut frames = vec![];
        for r in [1u32, 0] {
            let mut s = ReplicationState::new(&p, r);
            assert!(s.advance(&p, 12 + 4, &|| false));
            frames.push((r, encode(&s)));
        }
        write_state_file(&path, 5, &p, frames).unwrap();
        let file = StateFile::open(&path).unwrap();
        assert_eq!(file.replications(), vec![0, 1]);
        assert_eq!(file.header.scenario, p);
        for r in [0u32, 1] {
            let mut s = file.state(r).unwrap();
            assert_eq!(s.month, 16);
            let end = s.total(&p);
            assert!(s.advance(&p, end, &|| false));
            assert_eq!(text(&s.finish(&p)), text(&run_replication(&p, r)));
        }
        assert!(
            file.state(2)
                .unwrap_err()
                .to_string()
                .contains("no state of replication 2")
        );
        // A flipped byte in a frame is caught by its checksum.
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let e = StateFile::open(&path)
            .unwrap()
            .state(1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("corrupt"), "{e}");
    }

    #[test]
    fn a_cloned_state_branches_into_independent_continuations() {
        let p = tiny();
        let mut shared = ReplicationState::new(&p, 0);
        assert!(shared.advance(&p, 20, &|| false));
        let mut a = shared.clone();
        let mut b = shared;
        let end = a.total(&p);
        assert!(a.advance(&p, end, &|| false) && b.advance(&p, end, &|| false));
        let (a, b) = (a.finish(&p), b.finish(&p));
        assert_eq!(text(&a), text(&b));
        assert_eq!(text(&a), text(&run_replication(&p, 0)));
    }
}
