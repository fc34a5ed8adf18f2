//! The data dictionary: every table trustsim writes, from the definitions
//! the writers use (`trustsim columns` and the README print it).

use super::comparison::COMPARISON;
use super::indices::INDICES;
use super::replications::REPLICATION_METRICS;
use super::summary::SUMMARY;
use super::tables::{ColumnInfo, RESULT_TABLES};

/// Every table trustsim writes: (file, description, columns).
pub fn dictionary() -> Vec<(&'static str, &'static str, Vec<ColumnInfo>)> {
    let mut v: Vec<_> = RESULT_TABLES
        .iter()
        .map(|t| (t.file(), t.description(), t.info()))
        .collect();
    v.push((
        REPLICATION_METRICS.file,
        REPLICATION_METRICS.description,
        REPLICATION_METRICS.info(),
    ));
    v.push((SUMMARY.file, SUMMARY.description, SUMMARY.info()));
    v.push((COMPARISON.file, COMPARISON.description, COMPARISON.info()));
    v.push((INDICES.file, INDICES.description, INDICES.info()));
    v
}

/// The dictionary as Markdown: one table per file.
pub fn markdown(tables: &[(&str, &str, Vec<ColumnInfo>)]) -> String {
    let mut out = String::new();
    for (file, description, cols) in tables {
        out += &format!(
            "#### `{file}`\n\n{}\n\n| column | type | unit | description |\n|---|---|---|---|\n",
            description.trim()
        );
        for c in cols {
            out += &format!(
                "| `{}` | {} | {} | {} |\n",
                c.name, c.type_name, c.unit, c.description
            );
        }
        out.push('\n');
    }
    out
}

/// Every metric of the registry as a Markdown table (README, "Metrics").
pub fn metrics_markdown() -> String {
    let mut out = String::from(
        "| metric | what it is | unit | how it is measured | target |\n|---|---|---|---|---|\n",
    );
    for m in crate::metrics::METRICS.iter() {
        let target = m.target.map_or(String::new(), |t| {
            format!(
                "{} {} ({})",
                match t.kind {
                    crate::metrics::TargetKind::Calibration => "calibration:",
                    crate::metrics::TargetKind::Pattern => "pattern:",
                },
                t.evidence,
                t.source
            )
        });
        out += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            m.key,
            m.label,
            m.unit.stored_label(),
            m.description,
            target
        );
    }
    out
}
