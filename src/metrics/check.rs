//! Checking a run's metrics against their evidence: a target passes when
//! the median across replications lies in its range.

use super::{Metric, Target, TargetKind, targets};

/// One line of the calibration (or pattern) table.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub metric: &'static Metric,
    pub target: Target,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    pub pass: bool,
}

impl CheckRow {
    /// Whether the run covers the months the evidence describes (always,
    /// for evidence of no one period).
    pub fn in_dates(&self) -> bool {
        self.target.period.is_none() || self.median.is_finite()
    }
}

/// Checks every metric with a target of `kind`; `quantiles(key)` gives the
/// 5th, 50th and 95th percentiles across replications.
pub fn check(
    kind: TargetKind,
    quantiles: impl Fn(&str) -> Option<(f64, f64, f64)>,
) -> Vec<CheckRow> {
    targets(kind)
        .filter_map(|m| {
            let target = m.target?;
            let (p05, median, p95) = quantiles(m.key).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            Some(CheckRow {
                metric: m,
                target,
                median,
                p05,
                p95,
                pass: median >= target.lo && median <= target.hi,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_passes_inside_its_range_and_fails_outside_or_when_missing() {
        let rows = check(TargetKind::Calibration, |k| match k {
            "sickness_rate" => Some((0.04, 0.045, 0.05)),
            "vacancy_rate" => Some((0.0, 0.5, 1.0)),
            _ => None,
        });
        let row = |k: &str| rows.iter().find(|r| r.metric.key == k).unwrap();
        assert!(row("sickness_rate").pass);
        assert!(!row("vacancy_rate").pass);
        assert!(!row("engagement_mean").pass && row("engagement_mean").median.is_nan());
    }
}
