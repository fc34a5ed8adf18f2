//! Plain-text tables for the terminal: the headline outcomes, the
//! calibration (or pattern) check and the paired comparison.

use crate::compare::Difference;
use crate::metrics::{CheckRow, METRICS};
use crate::output::SummaryRow;

/// The 5th, 50th and 95th percentiles of each metric in `rows`.
pub fn quantile_lookup(rows: &[SummaryRow]) -> impl Fn(&str) -> Option<(f64, f64, f64)> + '_ {
    |k| {
        rows.iter()
            .find(|r| r.metric == k)
            .map(|r| (r.p05, r.p50, r.p95))
    }
}

/// Key outcomes: median and 90 % interval across replications.
pub fn headline(rows: &[SummaryRow]) -> String {
    let mut out = format!(
        "{:<40} {:>10}  {:>21}\n",
        "outcome", "median", "90 % interval"
    );
    for def in METRICS.iter().filter(|m| m.headline) {
        if let Some(r) = rows.iter().find(|r| r.metric == def.key) {
            let interval = format!("{} to {}", def.format(r.p05), def.format(r.p95));
            out += &format!(
                "{:<40} {:>10}  {:>21}\n",
                def.label,
                def.format(r.p50),
                interval
            );
        }
    }
    out
}

/// A check table: target, evidence, model median and interval, pass/fail.
/// `title` names the first column ("calibration target", "pattern").
pub fn checks(rows: &[CheckRow], title: &str) -> String {
    let mut out = format!(
        "{:<44} {:>26} {:>9} {:>21}  {}\n",
        title, "evidence", "model", "90 % interval", "result"
    );
    for r in rows {
        let m = r.metric;
        let interval = format!("{} to {}", m.format(r.p05), m.format(r.p95));
        out += &format!(
            "{:<44} {:>26} {:>9} {:>21}  {}\n",
            m.label,
            r.target.evidence,
            m.format(r.median),
            interval,
            match (r.pass, r.target.known_gap) {
                (true, _) => "pass",
                (false, None) => "FAIL",
                (false, Some(_)) => "FAIL (known gap)",
            }
        );
    }
    let passed = rows.iter().filter(|r| r.pass).count();
    out += &format!(
        "{passed} of {} met (model median inside the evidence range)\n",
        rows.len()
    );
    let gaps: Vec<String> = rows
        .iter()
        .filter_map(|r| Some(format!("  {}: {}", r.metric.label, r.target.known_gap?)))
        .collect();
    if !gaps.is_empty() {
        out += &format!(
            "known gaps (docs/ODD.md, \"Known gaps\"):\n{}\n",
            gaps.join("\n")
        );
    }
    out
}

/// The calibration table, then the table of patterns the model was not
/// tuned to.
pub fn all_checks(rows: &[SummaryRow]) -> String {
    let lookup = quantile_lookup(rows);
    let mut out = checks(
        &crate::metrics::check(crate::metrics::TargetKind::Calibration, &lookup),
        "calibration target",
    );
    out.push('\n');
    out += &checks(
        &crate::metrics::check(crate::metrics::TargetKind::Pattern, &lookup),
        "pattern (not tuned to)",
    );
    out
}

/// Paired differences against the first variant, one block per variant and
/// scope; variant names in full.
pub fn comparison(rows: &[Difference]) -> String {
    let mut out = String::new();
    let mut last: Option<(&str, &str)> = None;
    let width = rows
        .iter()
        .flat_map(|d| [d.variant.len(), d.baseline.len()])
        .max()
        .unwrap_or(0)
        .max(10);
    for d in rows {
        let key = (d.variant.as_str(), d.scope.as_str());
        if last != Some(key) {
            if last.is_some() {
                out.push('\n');
            }
            out += &format!(
                "{} vs {} ({}, {} paired replications)\n{:<34} {:>width$} {:>width$} {:>32} {:>9}\n",
                d.variant,
                d.baseline,
                d.scope.label(),
                d.n,
                "outcome",
                d.baseline,
                d.variant,
                "difference [95 % CI]",
                "better in"
            );
            last = Some(key);
        }
        let u = d.outcome.unit;
        let diff = format!(
            "{} [{}, {}]",
            u.format_difference(d.mean_difference),
            u.format_difference(d.ci_low),
            u.format_difference(d.ci_high)
        );
        out += &format!(
            "{:<34} {:>width$} {:>width$} {:>32} {:>8.0} %\n",
            d.outcome.label,
            u.format(d.baseline_mean),
            u.format(d.variant_mean),
            diff,
            100.0 * d.share_better
        );
    }
    out
}
