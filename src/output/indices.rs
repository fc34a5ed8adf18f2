//! `sensitivity.parquet`: the sensitivity indices of a study, one row per
//! output, parameter and index, with its bootstrap interval.

use std::path::Path;

use super::error::OutputError;
use super::parquet::FileMeta;
use super::summary::write_table;
use super::tables::{Col, Get, Table, table};

/// Conventional file name inside a sensitivity study's folder.
pub const INDICES_FILE: &str = "sensitivity.parquet";

/// One index of one parameter for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub output: &'static str,
    pub parameter: String,
    pub index: &'static str,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// The kinds of index: Morris (mu_star, mu, sigma) and Sobol (first_order, total).
pub const INDEX_LABELS: [&str; 5] = ["mu_star", "mu", "sigma", "first_order", "total"];

table! {
    /// One row per output, parameter and sensitivity index.
    pub static INDICES: Table<IndexRow> = "sensitivity.parquet";
    pub mod col {
        OUTPUT = "output", "", Get::Str(|r| r.output), "Metric key analysed.";
        PARAMETER = "parameter", "", Get::Str(|r| &r.parameter), "Dotted key of the varied parameter.";
        INDEX = "index", "", Get::Enum(|r| r.index, &INDEX_LABELS), "mu_star, mu, sigma (Morris elementary effects) or first_order, total (Sobol).";
        ESTIMATE = "estimate", "output unit (Morris) or share of variance (Sobol)", Get::F64(|r| r.estimate), "The index.";
        LOW = "low", "as estimate", Get::F64(|r| r.low), "Lower end of the 95 % bootstrap interval (empty where none).";
        HIGH = "high", "as estimate", Get::F64(|r| r.high), "Upper end of the 95 % bootstrap interval (empty where none).";
    }
}

/// Writes the indices (atomically).
pub fn write_indices(path: &Path, rows: &[IndexRow], meta: &FileMeta) -> Result<(), OutputError> {
    write_table(path, &INDICES, rows, meta)
}
