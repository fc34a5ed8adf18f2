//! Plain-text tables for the terminal: the headline outcomes, the
//! calibration (or pattern) check and the paired comparison.

use crate::compare::Difference;
use crate::metrics::{CheckRow, METRICS, Period};
use crate::model::params::RunScope;
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

/// A check table: target, evidence, the range the median must fall in,
/// model median and interval, result. `title` names the first column
/// ("calibration target", "pattern").
pub fn checks(rows: &[CheckRow], title: &str) -> String {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let m = r.metric;
            let missing = !r.median.is_finite();
            [
                m.label.to_string(),
                r.target.evidence.to_string(),
                format!("{} to {}", m.format(r.target.lo), m.format(r.target.hi)),
                m.format(r.median),
                format!("{} to {}", m.format(r.p05), m.format(r.p95)),
                match (r.pass, missing, r.target.known_gap, r.target.period) {
                    (true, ..) => "pass".to_string(),
                    (false, true, _, Some(p)) => format!("other dates ({})", p.label),
                    (false, true, _, None) => "n/a (no value)".to_string(),
                    (false, false, None, _) => "FAIL".to_string(),
                    (false, false, Some(_), _) => "FAIL (known gap)".to_string(),
                },
            ]
        })
        .collect();
    let head = [
        title,
        "evidence",
        "passes in",
        "model",
        "90 % interval",
        "result",
    ];
    let width = |k: usize| {
        cells
            .iter()
            .map(|c| c[k].chars().count())
            .chain([head[k].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let w: Vec<usize> = (0..5).map(width).collect();
    let line = |c: [&str; 6]| {
        format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {}\n",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4]
        )
    };
    let mut out = line(head);
    for c in &cells {
        out += &line([&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]]);
    }
    let passed = rows.iter().filter(|r| r.pass).count();
    let dated: Vec<(&CheckRow, Period)> = rows
        .iter()
        .filter(|r| !r.in_dates())
        .filter_map(|r| Some((r, r.target.period?)))
        .collect();
    out += &format!(
        "{passed} of {} met (model median across replications inside the \"passes in\" range)\n",
        rows.len() - dated.len()
    );
    for (r, p) in dated {
        out += &format!(
            "  not counted: {} describes {}, outside this run's dates; {} covers it\n",
            r.metric.label, p.label, p.scenario
        );
    }
    let gaps: Vec<String> = rows
        .iter()
        .filter(|r| !r.pass)
        .filter_map(|r| Some(format!("  {}: {}", r.metric.label, r.target.known_gap?)))
        .collect();
    if !gaps.is_empty() {
        out += &format!(
            "known gaps, explained in docs/ODD.md (\"Known gaps\"):\n{}\n",
            gaps.join("\n")
        );
    }
    out
}

/// The note beside the check tables of a run that is not the full England
/// baseline (the targets describe England at full staff scale), or `None`.
pub fn scope_note(scope: Option<&RunScope>) -> Option<String> {
    let s = scope.filter(|s| !s.england)?;
    Some(format!(
        "note: this run simulates {}; the model is calibrated for the full England baseline (scenarios/baseline.toml){}, so targets and patterns that fail here say nothing about the calibration\n",
        s.describe().replace(" (not the full England baseline)", ""),
        if s.reduced() {
            ", not at reduced run.staff_scale, where smaller trusts have noisier rates"
        } else {
            ""
        }
    ))
}

/// The calibration table, then the table of patterns the model was not
/// tuned to, each with the scope note of a run that is not the full England
/// baseline.
pub fn all_checks(rows: &[SummaryRow], scope: Option<&RunScope>) -> String {
    let lookup = quantile_lookup(rows);
    let note = scope_note(scope).unwrap_or_default();
    let mut out = note.clone();
    out += &checks(
        &crate::metrics::check(crate::metrics::TargetKind::Calibration, &lookup),
        "calibration target",
    );
    out.push('\n');
    out += &note;
    out += &checks(
        &crate::metrics::check(crate::metrics::TargetKind::Pattern, &lookup),
        "pattern (not tuned to)",
    );
    out
}

/// Paired differences against the first variant, one block per variant and
/// scope; variant names in full. With parameter sets, each row also shows
/// the 95 % of plausible worlds (2.5th to 97.5th percentile of the paired
/// differences) and the probability that the variant is better.
pub fn comparison(rows: &[Difference]) -> String {
    let rows = &crate::compare::national(rows);
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
        let worlds = d.worlds.as_ref();
        if last != Some(key) {
            if last.is_some() {
                out.push('\n');
            }
            let sets = worlds.map_or(String::new(), |w| {
                format!(
                    ", {} plausible parameter sets (cycled): chance and parameter uncertainty",
                    w.sets()
                )
            });
            out += &format!(
                "{} vs {} ({}, {} paired replications{sets})\n{:<34} {:>width$} {:>width$} {:>32}",
                d.variant,
                d.baseline,
                d.scope.label(),
                d.n,
                "outcome",
                d.baseline,
                d.variant,
                "difference [95 % CI]",
            );
            if worlds.is_some() {
                out += &format!(" {:>26} {:>9}\n", "95 % of worlds", "P(better)");
            } else {
                out += &format!(" {:>9}\n", "better in");
            }
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
            "{:<34} {:>width$} {:>width$} {:>32}",
            d.outcome.label,
            u.format(d.baseline_mean),
            u.format(d.variant_mean),
            diff,
        );
        match worlds {
            Some(w) => {
                let spread = format!(
                    "{} to {}",
                    u.format_difference(w.low),
                    u.format_difference(w.high)
                );
                out += &format!(" {spread:>26} {:>7.0} %\n", 100.0 * d.share_better);
            }
            None => out += &format!(" {:>8.0} %\n", 100.0 * d.share_better),
        }
    }
    out
}

/// With parameter sets: for each variant and outcome of `scope`, the mean
/// paired difference within each set and in how many sets the variant did
/// better.
/// Most per-set means printed one by one.
const MAX_SET_MEANS: usize = 12;

pub fn set_means(rows: &[Difference], scope: crate::metrics::Scope) -> String {
    let rows = &crate::compare::national(rows);
    let mut out = String::new();
    let mut last: Option<&str> = None;
    for d in rows.iter().filter(|d| d.scope == scope) {
        let Some(w) = &d.worlds else { continue };
        if last != Some(d.variant.as_str()) {
            if last.is_some() {
                out.push('\n');
            }
            out += &format!(
                "{} vs {}, {}: mean paired difference by parameter set (in set order; with more than 12 sets, their range and median)\n",
                d.variant,
                d.baseline,
                scope.label()
            );
            last = Some(&d.variant);
        }
        let u = d.outcome.unit;
        // Every set's mean while they fit on a line; beyond that, their
        // range and median (comparison.parquet keeps them all).
        let shown = if w.set_means.len() <= MAX_SET_MEANS {
            w.set_means
                .iter()
                .map(|m| u.format_difference(*m))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let sorted = crate::stats::sorted(&w.set_means);
            format!(
                "from {} to {}, median {}",
                u.format_difference(sorted[0]),
                u.format_difference(sorted[sorted.len() - 1]),
                u.format_difference(crate::stats::quantile(&sorted, 0.5))
            )
        };
        out += &format!(
            "{:<34} better in {} of {} sets: {shown}\n",
            d.outcome.label,
            w.sets_better,
            w.sets(),
        );
    }
    out
}

/// For a variant with a targeted policy: per outcome over `scope`, the
/// paired difference with its 95 % interval for the targeted trusts, the
/// other trusts and all trusts (with parameter sets, also in how many
/// plausible worlds each did better).
pub fn by_trusts(rows: &[Difference], variant: &str, scope: crate::metrics::Scope) -> String {
    let table = crate::compare::by_trusts(rows, variant, scope);
    let Some((_, first)) = table.first() else {
        return String::new();
    };
    let Some(any) = first.iter().flatten().next() else {
        return String::new();
    };
    let worlds = any.worlds.as_ref().map(|w| w.sets());
    let count = |k: usize| {
        first[k]
            .and_then(|d| d.group_trusts)
            .map_or(String::new(), |c| {
                format!(" ({})", crate::compare::trusts_count(c))
            })
    };
    let heads = [
        format!("targeted trusts{}", count(0)),
        format!("other trusts{}", count(1)),
        "all trusts".to_string(),
    ];
    let mut out = format!(
        "{variant} vs {} by trusts ({}, {} paired replications{})\n{:<34}",
        any.baseline,
        scope.label(),
        any.n,
        worlds.map_or(String::new(), |m| format!(
            "; better in N of {m} plausible worlds"
        )),
        "outcome"
    );
    let width = if worlds.is_some() { 42 } else { 34 };
    for h in &heads {
        out += &format!(" {h:>width$}");
    }
    out.push('\n');
    for (o, cells) in &table {
        out += &format!("{:<34}", o.label);
        for c in cells {
            let text = c.map_or("-".to_string(), |d| {
                let u = d.outcome.unit;
                let w = d.worlds.as_ref().map_or(String::new(), |w| {
                    format!(" {}/{}", w.sets_better, w.sets())
                });
                format!(
                    "{} [{}, {}]{w}",
                    u.format_difference(d.mean_difference),
                    u.format_difference(d.ci_low),
                    u.format_difference(d.ci_high)
                )
            });
            out += &format!(" {text:>width$}");
        }
        out.push('\n');
    }
    out
}
