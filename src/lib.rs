//! trustsim: an agent-based simulator of leadership turnover, staff engagement
//! and outcomes in NHS trusts.
//!
//! Data flows one way: scenario file -> [`scenario`] (validated [`model::Params`])
//! -> [`runner`] (replications of [`model::run_replication`] in parallel, kept
//! as they finish)
//! -> [`output`] (parquet, manifest) and [`metrics`] (the metric registry and
//! calibration targets).

pub mod api;
pub mod calibrate;
pub mod charts;
pub mod cli;
pub mod compare;
pub mod design;
pub mod files;
pub mod metrics;
pub mod model;
pub mod output;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
