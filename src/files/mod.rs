//! Files as trustsim reads, trusts and deletes them. Everything that crosses
//! the file system on the way in goes through here:
//!
//! - [`read`]: bounded reads of regular files only (no devices, FIFOs or
//!   sockets; the size limit holds while reading, not by metadata), with
//!   problems phrased without echoing a byte of the file;
//! - [`limits`]: every documented limit on a file's size and on the sizes
//!   of the designs, samples, registers and parameter sets it can ask for;
//! - [`digest`]: SHA-256 checksums and the [`digest::FileEntry`] a manifest
//!   keeps of every file it lists (name, size, checksum);
//! - [`sealed`]: JSON files that carry their own checksum, so that a
//!   changed byte is noticed before the content is used;
//! - [`names`]: the one rule for names that become paths;
//! - [`owned`]: deleting only what trustsim can prove it wrote, never
//!   through a symbolic link.

pub mod digest;
pub mod failpoint;
pub mod guard;
pub mod limits;
pub mod names;
pub mod owned;
pub mod read;
pub mod sealed;

pub use digest::{FileEntry, sha256_hex};
pub use read::{ReadProblem, read_bounded, read_text};
