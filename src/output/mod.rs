//! Output files: streaming parquet tables of results ([`ResultWriter`]), the
//! summary table, the run manifest, and the atomic write-then-rename helpers
//! they all share. Nothing here runs the model; it only turns
//! [`crate::model::ReplicationResult`]s and summaries into files and back.

pub mod atomic;
pub mod batches;
pub mod comparison;
pub mod error;
pub mod manifest;
pub mod parquet;
pub mod summary;

pub use atomic::{PartialFile, partial_path, write_atomic};
pub use error::OutputError;
pub use manifest::{MANIFEST_FILE, Manifest, read_manifest, write_manifest};
pub use parquet::{
    CEO_SPELLS_FILE, FileMeta, KEY_SCENARIO, KEY_SCENARIO_HASH, KEY_SEED, KEY_VERSION,
    ResultWriter, TRUST_MONTHS_FILE, ceo_spells_frame, trust_months_frame,
};
pub use summary::{SUMMARY_FILE, SummaryRow, read_meta, read_summary, write_summary, write_table};
