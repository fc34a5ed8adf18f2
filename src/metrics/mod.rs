//! The metric registry: every outcome trustsim reports, defined once.
//!
//! A [`Metric`] has a key (the name in `summary.parquet`, sweeps and
//! comparisons), a label and unit for people, a description, the direction
//! that counts as better, whether it is a headline outcome or compared
//! between policies, an optional calibration [`Target`], and how it is
//! computed: from a [`Window`] of one replication's records, or from the
//! replication's virtual trials. The summary, `validate`, `compare`, the
//! headline table, sweeps, sensitivity analysis, charts and the report all
//! read this one list; nothing refers to a metric by position.

mod check;
pub mod groups;
pub(crate) mod patterns;
mod registry;
mod trials;
mod window;

use std::collections::BTreeMap;

pub use check::{CheckRow, check};
pub use registry::METRICS;
pub use trials::{Trials, virtual_trials};
pub use window::{Window, ceo_tenure_median_years, tenure_observation, tenure_observed};

use crate::model::{Params, ReplicationResult};

/// How a metric's values are expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share stored on 0-1 and shown as a percentage.
    Share,
    /// Points on the NHS Staff Survey 0-10 scale.
    Score10,
    /// Points of the 0-100 quality index.
    Index100,
    /// A score on 0-1.
    Score01,
    /// A ratio (mortality: observed over expected).
    Ratio,
    /// Years.
    Years,
    /// Months.
    Months,
    /// Millions of pounds a year.
    GbpMillions,
    /// An oversight level, 1-4.
    Level,
    /// A standardised effect size (Cohen's d).
    EffectSd,
    /// A correlation coefficient.
    Correlation,
    /// A dimensionless model parameter (a fitted shape).
    Shape,
    /// How many times one share is another (a ratio of two shares).
    Times,
    /// A drift of a score or index: points a year.
    PointsPerYear,
    /// A drift of a share: stored as a fraction a year, shown in
    /// percentage points a year.
    PpPerYear,
}

impl Unit {
    /// The unit as a table or axis names it.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Share => "%",
            Unit::Score10 => "points (0-10)",
            Unit::Index100 => "points (0-100)",
            Unit::Score01 => "score (0-1)",
            Unit::Ratio => "ratio",
            Unit::Years => "years",
            Unit::Months => "months",
            Unit::GbpMillions => "GBP m a year",
            Unit::Level => "level (1-4)",
            Unit::EffectSd => "SD",
            Unit::Correlation => "r",
            Unit::Shape => "shape",
            Unit::Times => "times",
            Unit::PointsPerYear => "points a year",
            Unit::PpPerYear => "percentage points a year",
        }
    }

    /// The unit of the values as files store them (`summary`, `comparison`
    /// and `replications`, parquet and CSV): shares are fractions there,
    /// so `0.134` means 13.4 %.
    pub fn stored_label(self) -> &'static str {
        match self {
            Unit::Share => "fraction (0-1)",
            Unit::PpPerYear => "fraction (0-1) a year",
            other => other.label(),
        }
    }

    /// The unit of a difference of two values (percentage points for shares).
    pub fn difference_label(self) -> &'static str {
        match self {
            Unit::Share => "percentage points",
            other => other.label(),
        }
    }

    /// Whether values are shares shown as percentages.
    pub fn percent(self) -> bool {
        self == Unit::Share
    }

    /// A value as tables print it: shares as percentages with one decimal,
    /// large numbers with one decimal, others with two; `-` when not finite.
    pub fn format(self, v: f64) -> String {
        match self {
            _ if !v.is_finite() => "-".into(),
            Unit::PointsPerYear => format!("{v:+.3}"),
            Unit::PpPerYear => format!("{:+.3} pp", 100.0 * v),
            _ => format_value(v, self.percent()),
        }
    }

    /// A difference as tables print it: shares in percentage points.
    pub fn format_difference(self, d: f64) -> String {
        if !d.is_finite() {
            "-".into()
        } else if self == Unit::PpPerYear {
            format!("{:+.3} pp", 100.0 * d)
        } else if self.percent() {
            format!("{:+.2} pp", 100.0 * d)
        } else if d.abs() >= 100.0 {
            format!("{d:+.1}")
        } else {
            format!("{d:+.3}")
        }
    }

    /// Factor from stored values to displayed ones (100 for shares).
    pub fn display_scale(self) -> f64 {
        if self.percent() || self == Unit::PpPerYear {
            100.0
        } else {
            1.0
        }
    }
}

/// A value as tables print it: a share as a percentage with one decimal,
/// large numbers with one decimal, others with two; `-` when not finite.
pub fn format_value(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        "-".into()
    } else if percent {
        format!("{:.1} %", 100.0 * v)
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Which direction of a metric is better for staff, patients or finances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (a description of the system, such as CEO tenure).
    Neither,
}

/// What a metric's target range says about the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A point the model was tuned to.
    Calibration,
    /// A relationship the model must reproduce by its mechanisms (not tuned).
    Pattern,
}

/// The evidence a metric is checked against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub kind: TargetKind,
    /// The evidence as a person would quote it.
    pub evidence: &'static str,
    /// The range the model's median must fall in.
    pub lo: f64,
    pub hi: f64,
    pub source: &'static str,
    /// A pattern the model is known to miss, with the reason (docs/ODD.md,
    /// "Known gaps"); the check still reports it as failed.
    pub known_gap: Option<&'static str>,
    /// The calendar months the evidence describes, if it belongs to one
    /// period: the metric is then measured on those months of a run that
    /// covers them (and not at all on other runs).
    pub period: Option<Period>,
}

/// The calendar months a piece of evidence describes, and the bundled
/// scenario that covers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First and last calendar month, as (year, month).
    pub from: (i32, u32),
    pub to: (i32, u32),
    /// The period in words ("October 2013").
    pub label: &'static str,
    /// The bundled scenario whose run covers the period.
    pub scenario: &'static str,
}

/// How a metric is computed from one replication.
#[derive(Clone, Copy)]
pub enum Compute {
    /// From the records of a window of reported months.
    Window(fn(&Window) -> f64),
    /// From the replication's virtual trials.
    Trial(fn(&Trials) -> f64),
}

impl std::fmt::Debug for Compute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compute::Window(_) => "Window",
            Compute::Trial(_) => "Trial",
        })
    }
}

/// One outcome trustsim reports.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Name in `summary.parquet`, sweeps and comparisons (snake_case).
    pub key: &'static str,
    /// Name in tables and charts.
    pub label: &'static str,
    pub unit: Unit,
    /// How it is measured, in a sentence.
    pub description: &'static str,
    pub better: Better,
    /// Shown in the headline table printed after a run.
    pub headline: bool,
    /// Compared between policy variants by `compare`.
    pub compare: bool,
    pub target: Option<Target>,
    pub compute: Compute,
}

/// Metrics are the same metric when their keys are (keys are unique).
impl PartialEq for Metric {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Metric {
    /// Whether a difference `d` (variant minus reference) is an improvement.
    pub fn improves(&self, d: f64) -> bool {
        match self.better {
            Better::Higher => d > 0.0,
            Better::Lower => d < 0.0,
            Better::Neither => false,
        }
    }

    /// A value in this metric's unit, as tables print it.
    pub fn format(&self, v: f64) -> String {
        self.unit.format(v)
    }
}

/// The metric with key `key`.
pub fn metric(key: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.key == key)
}

/// The metrics with a target of `kind`, in registry order.
pub fn targets(kind: TargetKind) -> impl Iterator<Item = &'static Metric> {
    METRICS
        .iter()
        .filter(move |m| m.target.is_some_and(|t| t.kind == kind))
}

/// The value of each metric for one replication (or one window of it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(BTreeMap<&'static str, f64>);

impl Values {
    /// The value of `key` (NaN if it was not computed).
    pub fn get(&self, key: &str) -> f64 {
        self.0.get(key).copied().unwrap_or(f64::NAN)
    }

    pub fn insert(&mut self, key: &'static str, v: f64) {
        self.0.insert(key, v);
    }

    /// Keys and values in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

/// Every metric over the whole reported horizon of `r`, virtual trials
/// included.
pub fn evaluate(r: &ReplicationResult, p: &Params) -> Values {
    evaluate_with(r, virtual_trials(p, r.replication))
}

/// [`evaluate`] with the replication's virtual trials already run (they
/// depend only on the parameters and the replication's number, so a caller
/// can run them beside the simulation).
pub fn evaluate_with(r: &ReplicationResult, trials: Trials) -> Values {
    let w = Window::horizon(r);
    let mut v = Values::default();
    for m in METRICS.iter() {
        v.insert(
            m.key,
            match (m.compute, m.target.and_then(|t| t.period)) {
                (Compute::Window(f), Some(p)) => w.dated(p).map_or(f64::NAN, |d| f(&d)),
                (Compute::Window(f), None) => f(&w),
                (Compute::Trial(f), _) => f(&trials),
            },
        );
    }
    v
}

/// Which months of a run a value covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Every reported month.
    WholeRun,
    /// The final 12 reported months.
    FinalYear,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::WholeRun, Scope::FinalYear];
    pub const LABELS: [&'static str; 2] = ["whole_run", "final_year"];
    pub fn as_str(self) -> &'static str {
        Scope::LABELS[self as usize]
    }
    /// How tables and charts name the scope.
    pub fn label(self) -> &'static str {
        match self {
            Scope::WholeRun => "whole run",
            Scope::FinalYear => "final year",
        }
    }
}

/// The metrics of one replication: every metric over the whole run, and
/// the compared ones over the final year.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationMetrics {
    pub replication: u32,
    /// The plausible parameter set the replication used (`--parameter-sets`),
    /// if any.
    pub parameter_set: Option<u32>,
    pub whole_run: Values,
    pub final_year: Values,
    /// The compared metrics of the targeted and the other trusts of each
    /// targeted policy of a comparison (empty outside one).
    pub groups: Vec<groups::GroupValues>,
}

impl ReplicationMetrics {
    /// The values of one scope.
    pub fn scope(&self, s: Scope) -> &Values {
        match s {
            Scope::WholeRun => &self.whole_run,
            Scope::FinalYear => &self.final_year,
        }
    }
}

/// The metrics of one replication (both scopes).
pub fn evaluate_replication(r: &ReplicationResult, p: &Params) -> ReplicationMetrics {
    evaluate_replication_with(r, virtual_trials(p, r.replication))
}

/// [`evaluate_replication`] with the replication's virtual trials already
/// run.
pub fn evaluate_replication_with(r: &ReplicationResult, trials: Trials) -> ReplicationMetrics {
    ReplicationMetrics {
        replication: r.replication,
        parameter_set: None,
        whole_run: evaluate_with(r, trials),
        final_year: evaluate_window(&Window::horizon(r).final_year()),
        groups: vec![],
    }
}

/// The compared metrics over one window (no virtual trials).
pub fn evaluate_window(w: &Window) -> Values {
    let mut v = Values::default();
    for m in METRICS.iter().filter(|m| m.compare) {
        if let Compute::Window(f) = m.compute {
            v.insert(m.key, f(w));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_snake_case_and_targets_are_ordered_ranges() {
        let mut keys: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), METRICS.len());
        for m in METRICS.iter() {
            assert!(
                m.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                m.key
            );
            assert!(!m.description.is_empty() && !m.label.is_empty());
            if let Some(t) = m.target {
                assert!(t.lo <= t.hi, "{}", m.key);
                assert!(
                    t.known_gap.is_none() || t.kind == TargetKind::Pattern,
                    "{}: only a pattern can be a known gap",
                    m.key
                );
            }
            if m.compare {
                assert!(matches!(m.compute, Compute::Window(_)), "{}", m.key);
                assert_ne!(m.better, Better::Neither, "{}", m.key);
            }
        }
        // The brief's 14 targets, 13 levels set against evidence and 12
        // differences between trust types and trusts.
        assert_eq!(targets(TargetKind::Calibration).count(), 39);
    }

    #[test]
    fn shares_print_as_percentages_and_differences_as_points() {
        assert_eq!(Unit::Share.format(0.1234), "12.3 %");
        assert_eq!(Unit::Share.format_difference(0.0012), "+0.12 pp");
        assert_eq!(Unit::Score10.format_difference(-0.05), "-0.050");
        assert_eq!(Unit::Ratio.format(f64::NAN), "-");
    }
}
