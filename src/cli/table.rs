//! Plain-text tables for the terminal: the headline outcomes and the
//! calibration check.

use crate::calibration::{CheckRow, METRICS};
use crate::compare::Difference;
use crate::output::SummaryRow;

use crate::calibration::format_value as fmt;

/// Key outcomes: median and 90 % interval across replications.
pub fn headline(rows: &[SummaryRow]) -> String {
    let mut out = format!(
        "{:<40} {:>10}  {:>21}\n",
        "outcome", "median", "90 % interval"
    );
    for def in METRICS.iter().filter(|m| m.headline) {
        if let Some(r) = rows.iter().find(|r| r.metric == def.key) {
            let interval = format!("{} to {}", fmt(r.p05, def.percent), fmt(r.p95, def.percent));
            out += &format!(
                "{:<40} {:>10}  {:>21}\n",
                def.label,
                fmt(r.p50, def.percent),
                interval
            );
        }
    }
    out
}

/// The calibration table: target, evidence, model median and interval, pass/fail.
pub fn calibration(rows: &[CheckRow]) -> String {
    let mut out = format!(
        "{:<42} {:>24} {:>9} {:>21}  {}\n",
        "calibration target", "evidence", "model", "90 % interval", "result"
    );
    for r in rows {
        let interval = format!("{} to {}", fmt(r.p05, r.percent), fmt(r.p95, r.percent));
        out += &format!(
            "{:<42} {:>24} {:>9} {:>21}  {}\n",
            r.label,
            r.target.evidence,
            fmt(r.median, r.percent),
            interval,
            if r.pass { "pass" } else { "FAIL" }
        );
    }
    let passed = rows.iter().filter(|r| r.pass).count();
    out += &format!(
        "{passed} of {} targets met (model median inside the evidence range)\n",
        rows.len()
    );
    out
}

/// Paired differences against the first variant, one block per variant and scope.
pub fn comparison(rows: &[Difference]) -> String {
    let mut out = String::new();
    let mut last: Option<(&str, &str)> = None;
    for d in rows {
        let key = (d.variant.as_str(), d.scope.as_str());
        if last != Some(key) {
            if last.is_some() {
                out.push('\n');
            }
            let scope = match d.scope {
                crate::compare::Scope::Horizon => "final year",
                crate::compare::Scope::RunMean => "whole run",
            };
            out += &format!(
                "{} vs {} ({scope}, {} paired replications)\n{:<32} {:>10} {:>10} {:>30} {:>9}\n",
                d.variant,
                d.baseline,
                d.n,
                "outcome",
                d.baseline.chars().take(10).collect::<String>(),
                d.variant.chars().take(10).collect::<String>(),
                "difference [95 % CI]",
                "better in"
            );
            last = Some(key);
        }
        let p = d.outcome.percent;
        let diff = if p {
            format!(
                "{:+.2} pp [{:+.2}, {:+.2}]",
                100.0 * d.mean_difference,
                100.0 * d.ci_low,
                100.0 * d.ci_high
            )
        } else {
            format!(
                "{:+.3} [{:+.3}, {:+.3}]",
                d.mean_difference, d.ci_low, d.ci_high
            )
        };
        out += &format!(
            "{:<32} {:>10} {:>10} {:>30} {:>8.0} %\n",
            d.outcome.label,
            fmt(d.baseline_mean, p),
            fmt(d.variant_mean, p),
            diff,
            100.0 * d.share_better
        );
    }
    out
}
