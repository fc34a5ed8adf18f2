//! Output files: streaming parquet tables of results ([`ResultWriter`]), the
//! summary table, the run manifest, and the atomic write-then-rename helpers
//! they all share. Nothing here runs the model; it only turns
//! [`crate::model::ReplicationResult`]s and summaries into files and back.

pub mod atomic;
pub mod batches;
pub mod comparison;
pub mod dictionary;
pub mod error;
pub mod indices;
pub mod manifest;
pub mod parameter_sets;
pub mod parquet;
pub mod replications;
pub mod state;
pub mod summary;
pub mod tables;
pub mod verified;

pub use atomic::{
    OnItsWay, PartialFile, Unsynced, partial_path, start_writeback, sync, write_atomic,
    write_atomic_later, write_atomic_unsynced, write_unsynced_listed,
};
pub use error::OutputError;
pub use manifest::{MANIFEST_FILE, Manifest, read_manifest, write_manifest};
pub use parquet::{
    FileMeta, KEY_DESCRIPTION, KEY_SCENARIO, KEY_SCENARIO_HASH, KEY_SEED, KEY_UNIT, KEY_VERSION,
    ResultWriter,
};
pub use replications::REPLICATIONS_FILE;
pub use summary::{
    SUMMARY_FILE, SummaryRow, meta_of, read_meta, read_summary, write_frame, write_summary,
    write_table,
};
pub use tables::{CEO_SPELLS, RESULT_TABLES, TRUST_MONTHS};
