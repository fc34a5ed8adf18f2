//! Plain-text tables for the terminal: the headline outcomes and the
//! calibration check.

use crate::calibration::{CheckRow, METRICS};
use crate::output::SummaryRow;

fn fmt(v: f64, percent: bool) -> String {
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
