//! One-file HTML report of one or more runs: scenario and key settings, the
//! headline table, the calibration table, every chart (inline SVG) with its
//! caption, and a provenance footer. Inline CSS only; no scripts, links or
//! external references, so the file opens in any browser, offline, and
//! prints cleanly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

mod comparison;
mod html;
mod trust;

pub use comparison::{write_comparison_report, write_comparison_trust_report};
use html::inline_svg;
pub use html::{Paper, esc};

use crate::charts::{self, CHARTS, ChartError, RunData};
use crate::metrics::{self, CheckRow, METRICS, Metric, TargetKind};
use crate::output::{self, Manifest, SummaryRow};

/// Everything the report shows about one run.
pub struct ReportRun {
    pub data: RunData,
    pub summary: Vec<SummaryRow>,
    /// Absent for a run folder without `manifest.json`; the report then
    /// shows what the parquet files record.
    pub manifest: Option<Manifest>,
}

/// Writes the report of `runs` to `out` (atomically), laid out for `paper`
/// when printed; with `trust`, the report of one run ends with that trust's
/// view.
pub fn write_report(
    runs: &[PathBuf],
    out: &Path,
    trust: Option<&str>,
    paper: Paper,
) -> Result<(), ChartError> {
    let data = charts::load_runs(runs)?;
    let mut report = Vec::with_capacity(data.len());
    for d in data {
        let summary = output::read_summary(&d.dir.join(output::SUMMARY_FILE))?;
        let manifest = output::read_manifest(&d.dir.join(output::MANIFEST_FILE)).ok();
        if manifest.as_ref().is_some_and(|m| !m.complete) {
            return Err(ChartError::invalid(
                &d.dir,
                "the run is unfinished (manifest.json says incomplete); run it again to finish it",
            ));
        }
        report.push(ReportRun {
            data: d,
            summary,
            manifest,
        });
    }
    let mut html = render(&report, &today(), paper)?;
    if let (Some(code), [one]) = (trust, runs) {
        let mut section = String::new();
        trust::trust_section(&mut section, one, code, CHARTS.len() + 1)?;
        // Before the footer, so the provenance stays last.
        let at = html.find("<footer>").unwrap_or(html.len());
        html.insert_str(at, &section);
    }
    output::write_atomic(out, html.as_bytes())?;
    Ok(())
}

/// The report as one HTML document for `paper`; `date` is printed in the
/// footer.
pub fn render(runs: &[ReportRun], date: &str, paper: Paper) -> Result<String, ChartError> {
    if runs.is_empty() {
        return Err(ChartError::NoRuns);
    }
    let data: Vec<RunData> = runs.iter().map(|r| r.data.clone()).collect();
    let svgs: Vec<String> = CHARTS
        .par_iter()
        .map(|&c| charts::render_svg(c, &data, false).map(|s| inline_svg(&s)))
        .collect::<Result<_, _>>()?;
    let names: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    let mut h = String::new();
    let title = format!("trustsim report: {}", names.join(" vs "));
    h.push_str(&html::head(&title, paper));
    let intervals = match charts::parameter_sets(&data) {
        None => "intervals show the model's chance variation for one set of assumptions, not \
                 uncertainty in the assumptions themselves"
            .to_string(),
        sets => format!(
            "intervals show {} (replication i uses set i mod M)",
            charts::bands_show(sets).trim_start_matches("bands: ")
        ),
    };
    let _ = writeln!(
        h,
        "<p class=\"lead\">Simulated NHS trusts{}: leadership turnover, staff \
         engagement and outcomes.{} Figures are medians across replications with 90 % \
         intervals (5th to 95th percentile); {intervals}.</p>",
        in_england(&data),
        esc(&scope_note(&data))
    );
    settings(&mut h, runs);
    headline(&mut h, runs);
    check_table(&mut h, runs, TargetKind::Calibration, "Calibration check");
    check_table(
        &mut h,
        runs,
        TargetKind::Pattern,
        "Patterns the model was not tuned to",
    );
    let _ = writeln!(h, "<h2>Charts</h2>");
    for (k, (chart, svg)) in CHARTS.iter().zip(&svgs).enumerate() {
        let text = chart.describe(&data);
        let caption = text.caption.first().cloned().unwrap_or_default();
        let _ = writeln!(
            h,
            "<figure id=\"{}\">\n{svg}\n<figcaption><strong>Figure {}. {}.</strong><br>{}</figcaption>\n</figure>",
            chart.file_stem(),
            k + 1,
            esc(&text.title),
            esc(&caption)
        );
    }
    footer(&mut h, runs, date);
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

/// ` in England` when every run is the full England baseline, otherwise
/// nothing (the scope note then says what each run simulates).
pub(crate) fn in_england(runs: &[RunData]) -> &'static str {
    if charts::place(runs).as_deref() == Some("in England") {
        " in England"
    } else {
        ""
    }
}

/// What the runs simulated, when any is not the full England baseline: one
/// sentence per run (`quick: 20 trusts at 2 % of their staff (not the full
/// England baseline).`), or nothing.
pub(crate) fn scope_note(runs: &[RunData]) -> String {
    if runs.iter().all(|r| r.meta.scope.is_none_or(|s| s.england)) {
        return String::new();
    }
    runs.iter()
        .filter_map(|r| {
            r.meta
                .scope
                .map(|s| format!(" {}: {}.", r.label, s.describe()))
        })
        .collect()
}

/// A median with its 90 % interval in one cell: `6.90 (6.85 to 6.95)`.
fn with_interval(m: &Metric, median: f64, lo: f64, hi: f64) -> String {
    format!(
        "{} ({} to {})",
        m.format(median),
        m.format(lo),
        m.format(hi)
    )
}

/// One header cell per run (the run's name when there are several).
fn run_headers(h: &mut String, runs: &[&ReportRun], single: &str) {
    for r in runs {
        let label = if runs.len() > 1 {
            r.data.label.as_str()
        } else {
            single
        };
        // Long names may break after an underscore rather than anywhere.
        let _ = write!(h, "<th class=\"num\">{}</th>", html::cell(label));
    }
}

/// Runs per table: wider tables are split so that every column fits on a
/// printed page.
const RUNS_PER_TABLE: usize = 4;

/// A key setting as the report shows it.
type Setting = (&'static str, fn(&ReportRun, &Manifest) -> String);

const SETTINGS: &[Setting] = &[
    ("Description", |_, m| m.scenario.run.description.clone()),
    ("Replications", |r, _| r.data.replications.len().to_string()),
    ("Seed", |_, m| m.seed.to_string()),
    ("Period", |_, m| {
        crate::model::calendar::period(m.scenario.run.calendar().start, m.months)
    }),
    ("Reported months", |_, m| m.months.to_string()),
    ("Burn-in months", |_, m| m.burn_in_months.to_string()),
    ("Trusts", |_, m| m.scenario.trusts.total().to_string()),
    ("Staff scale (share of real staff)", |_, m| {
        m.scenario.run.staff_scale.to_string()
    }),
    ("Oversight punitiveness (0-1)", |_, m| {
        m.scenario.oversight.punitiveness.to_string()
    }),
    ("Development budget (share of pay bill)", |_, m| {
        m.scenario.development.budget_share_of_paybill.to_string()
    }),
    ("Succession planning (0-1)", |_, m| {
        m.scenario.development.succession_planning.to_string()
    }),
    ("Command-line settings", |_, m| {
        if m.settings.is_empty() {
            "none".into()
        } else {
            m.settings.join("; ")
        }
    }),
];

fn settings(h: &mut String, runs: &[ReportRun]) {
    let _ = writeln!(h, "<h2>Scenario and key settings</h2>");
    let all: Vec<&ReportRun> = runs.iter().collect();
    for chunk in all.chunks(RUNS_PER_TABLE) {
        h.push_str("<table class=\"settings\">\n<thead><tr><th>Setting</th>");
        for r in chunk {
            let _ = write!(h, "<th>{}</th>", html::cell(&r.data.label));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (label, get) in SETTINGS {
            let _ = write!(h, "<tr><td>{}</td>", esc(label));
            for r in chunk {
                let v = r.manifest.as_ref().map_or("-".into(), |m| get(r, m));
                let _ = write!(h, "<td>{}</td>", html::cell(&v));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

fn lookup<'a>(rows: &'a [SummaryRow], key: &str) -> Option<&'a SummaryRow> {
    rows.iter().find(|r| r.metric == key)
}

fn headline(h: &mut String, runs: &[ReportRun]) {
    let _ = writeln!(h, "<h2>Key outcomes</h2>");
    let all: Vec<&ReportRun> = runs.iter().collect();
    for chunk in all.chunks(RUNS_PER_TABLE) {
        h.push_str("<table class=\"headline\">\n<thead><tr><th>Outcome</th>");
        run_headers(h, chunk, "Median (90 % interval)");
        h.push_str("</tr></thead>\n<tbody>\n");
        for def in METRICS.iter().filter(|m| m.headline) {
            let _ = write!(h, "<tr><td>{}</td>", esc(def.label));
            for r in chunk {
                let value = lookup(&r.summary, def.key)
                    .map_or("-".into(), |s| with_interval(def, s.p50, s.p05, s.p95));
                let _ = write!(h, "<td class=\"num\">{}</td>", html::cell(&value));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

/// The check table of targets of `kind` (calibration or patterns).
fn check_table(h: &mut String, runs: &[ReportRun], kind: TargetKind, title: &str) {
    let checks: Vec<Vec<CheckRow>> = runs
        .iter()
        .map(|r| {
            metrics::check(kind, |k| {
                lookup(&r.summary, k).map(|s| (s.p05, s.p50, s.p95))
            })
        })
        .collect();
    let Some(first) = checks.first().filter(|c| !c.is_empty()) else {
        return;
    };
    let _ = writeln!(h, "<h2>{}</h2>", esc(title));
    let all: Vec<(&ReportRun, &Vec<CheckRow>)> = runs.iter().zip(&checks).collect();
    for chunk in all.chunks(RUNS_PER_TABLE) {
        h.push_str("<table class=\"calibration\">\n<thead><tr><th>Target</th><th>Evidence</th><th>Source</th>");
        let rs: Vec<&ReportRun> = chunk.iter().map(|(r, _)| *r).collect();
        run_headers(h, &rs, "Model median (90 % interval)");
        h.push_str("</tr></thead>\n<tbody>\n");
        for (i, row0) in first.iter().enumerate() {
            let t = row0.target;
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td>",
                esc(row0.metric.label),
                esc(t.evidence),
                esc(t.source)
            );
            for (_, c) in chunk {
                let row = &c[i];
                let (class, word) = if row.pass {
                    ("pass", "pass")
                } else if !row.in_dates() {
                    ("other", "other dates")
                } else {
                    ("fail", "FAIL")
                };
                let _ = write!(
                    h,
                    "<td class=\"num\">{} <span class=\"{class}\">{word}</span></td>",
                    html::cell(&with_interval(row.metric, row.median, row.p05, row.p95))
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    for (r, c) in runs.iter().zip(&checks) {
        let passed = c.iter().filter(|x| x.pass).count();
        let counted = c.iter().filter(|x| x.in_dates()).count();
        let who = if runs.len() > 1 {
            format!("{}: ", r.data.label)
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<p class=\"summary-line\">{}{passed} of {} met (model median inside the evidence range).</p>",
            esc(&who),
            counted
        );
        for x in c.iter().filter(|x| !x.in_dates()) {
            if let Some(p) = x.target.period {
                let _ = writeln!(
                    h,
                    "<p class=\"summary-line\">Not counted: {} describes {}, outside this run's dates; <code>{}</code> covers it.</p>",
                    esc(x.metric.label),
                    esc(p.label),
                    esc(p.scenario)
                );
            }
        }
    }
    if kind == TargetKind::Calibration {
        let _ = writeln!(
            h,
            "<p class=\"summary-line\">Calibration holds at full staff scale; a run at reduced \
             <code>run.staff_scale</code> is a smoke test, not a calibrated scenario.</p>"
        );
    }
}

fn footer(h: &mut String, runs: &[ReportRun], date: &str) {
    h.push_str("<footer>\n<p><strong>Provenance</strong></p>\n<ul>\n");
    for r in runs {
        let m = &r.data.meta;
        let _ = writeln!(
            h,
            "<li>{}: trustsim {}, seed {}, {} replications, scenario hash <code>{}</code>, \
             run folder <code>{}</code>{}</li>",
            esc(&r.data.label),
            esc(&m.version),
            m.seed,
            r.data.replications.len(),
            esc(&m.scenario_hash),
            esc(&r.data.dir.display().to_string()),
            match &r.manifest {
                Some(x) if !x.complete => " (the manifest marks the run incomplete)",
                _ => "",
            }
        );
    }
    let _ = writeln!(
        h,
        "</ul>\n<p>Report written {} by trustsim {}. Charts are drawn from the run's parquet \
         files alone; PNG and SVG versions are written by <code>trustsim plot</code>.</p>\n</footer>",
        esc(date),
        env!("CARGO_PKG_VERSION")
    );
}

/// Today's date (UTC) as YYYY-MM-DD.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_escaping() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_454), "2026-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn inline_svg_drops_the_namespace_url() {
        let s = inline_svg("<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>");
        assert!(!s.contains("http"), "{s}");
        assert!(s.starts_with("<svg role=\"img\" "), "{s}");
    }
}
