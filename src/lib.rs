//! trustsim: an agent-based simulator of leadership turnover, staff engagement
//! and outcomes in NHS trusts.
//!
//! Data flows one way: scenario file -> [`scenario`] (validated [`model::Params`])
//! -> [`ensemble`] (replications of [`model::run_replication`] in parallel)
//! -> [`output`] (parquet, manifest) and [`calibration`] (targets).

pub mod calibration;
pub mod charts;
pub mod cli;
pub mod compare;
pub mod design;
pub mod ensemble;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
