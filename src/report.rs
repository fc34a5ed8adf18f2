//! One-file HTML report of one or more runs: scenario and key settings, the
//! headline table, the calibration table, every chart (inline SVG) with its
//! caption, and a provenance footer. Inline CSS only; no scripts, links or
//! external references, so the file opens in any browser, offline, and
//! prints cleanly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::calibration::{self, METRICS};
use crate::charts::{self, CHARTS, ChartError, RunData};
use crate::output::{self, Manifest, SummaryRow};

/// Everything the report shows about one run.
pub struct ReportRun {
    pub data: RunData,
    pub summary: Vec<SummaryRow>,
    /// Absent for a run folder without `manifest.json`; the report then
    /// shows what the parquet files record.
    pub manifest: Option<Manifest>,
}

/// Writes the report of `runs` to `out` (atomically).
pub fn write_report(runs: &[PathBuf], out: &Path) -> Result<(), ChartError> {
    let data = charts::load_runs(runs)?;
    let mut report = Vec::with_capacity(data.len());
    for d in data {
        let summary = output::read_summary(&d.dir.join(output::SUMMARY_FILE))?;
        let manifest = output::read_manifest(&d.dir.join(output::MANIFEST_FILE)).ok();
        report.push(ReportRun {
            data: d,
            summary,
            manifest,
        });
    }
    let html = render(&report, &today())?;
    output::write_atomic(out, html.as_bytes())?;
    Ok(())
}

/// The report as one HTML document; `date` is printed in the footer.
pub fn render(runs: &[ReportRun], date: &str) -> Result<String, ChartError> {
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
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<p class=\"lead\">Simulated NHS trusts in England: leadership turnover, staff \
         engagement and outcomes. Figures are medians across replications with 90 % \
         intervals (5th to 95th percentile); intervals show the model's chance variation \
         for one set of assumptions, not uncertainty in the assumptions themselves.</p>"
    );
    settings(&mut h, runs);
    headline(&mut h, runs);
    calibration_table(&mut h, runs);
    let _ = writeln!(h, "<h2>Charts</h2>");
    for (k, (chart, svg)) in CHARTS.iter().zip(&svgs).enumerate() {
        let text = chart.describe(&data);
        let caption = text.caption.first().cloned().unwrap_or_default();
        let _ = writeln!(
            h,
            "<figure id=\"{}\">\n{svg}\n<figcaption><strong>Figure {}.</strong> {} {}</figcaption>\n</figure>",
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

const CSS: &str = "
body{margin:0;background:#fff;color:#222;font:16px/1.45 'DejaVu Sans',Verdana,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 32px 48px}
.scroll{overflow-x:auto}
h1{font-size:1.7em;margin:.4em 0 .3em}
h2{font-size:1.3em;margin:1.6em 0 .5em;border-bottom:2px solid #0072B2;padding-bottom:.15em}
.lead{color:#444}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.92em}
th,td{padding:.32em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:bold}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.settings td.num{text-align:left}
.pass{color:#00664a;font-weight:bold}
.fail{color:#a53c00;font-weight:bold}
.summary-line{color:#444;margin-top:-.4em}
figure{margin:1.6em 0;page-break-inside:avoid;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.9em;color:#444;margin-top:.3em}
footer{margin-top:2.5em;border-top:1px solid #ccc;padding-top:.8em;font-size:.85em;color:#555}
footer code{font-size:.95em;word-break:break-all}
@media print{body{font-size:11pt}main{max-width:none;padding:0}h2{page-break-after:avoid}}
";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document made fit to sit inside HTML: no XML namespace URL (HTML
/// needs none, and the report must hold no external reference).
fn inline_svg(svg: &str) -> String {
    let s = svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    let s = s.trim_start();
    let s = s
        .strip_prefix("<?xml")
        .and_then(|r| r.split_once("?>").map(|(_, rest)| rest.trim_start()))
        .unwrap_or(s);
    s.replacen("<svg ", "<svg role=\"img\" ", 1)
}

use crate::calibration::format_value as fmt;

fn interval(lo: f64, hi: f64, percent: bool) -> String {
    format!("{} to {}", fmt(lo, percent), fmt(hi, percent))
}

fn run_headers(h: &mut String, runs: &[ReportRun], cols: &[&str]) {
    for r in runs {
        for c in cols {
            let label = if runs.len() > 1 {
                format!("{}: {c}", r.data.label)
            } else {
                (*c).to_string()
            };
            let _ = write!(h, "<th class=\"num\">{}</th>", esc(&label));
        }
    }
}

fn pointer<'a>(m: &'a Manifest, path: &str) -> Option<&'a serde_json::Value> {
    m.scenario.pointer(path)
}

fn value(m: &Manifest, path: &str) -> String {
    match pointer(m, path) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => b.to_string(),
        _ => "-".into(),
    }
}

fn trust_count(m: &Manifest) -> String {
    match pointer(m, "/trusts") {
        Some(serde_json::Value::Object(o)) => {
            let n: u64 = o
                .values()
                .filter_map(|t| t.get("count").and_then(serde_json::Value::as_u64))
                .sum();
            n.to_string()
        }
        _ => "-".into(),
    }
}

fn settings(h: &mut String, runs: &[ReportRun]) {
    let _ = writeln!(h, "<h2>Scenario and key settings</h2>");
    h.push_str("<div class=\"scroll\"><table class=\"settings\">\n<thead><tr><th>Setting</th>");
    for r in runs {
        let _ = write!(h, "<th>{}</th>", esc(&r.data.label));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    type Getter = Box<dyn Fn(&ReportRun) -> String>;
    let from_manifest = |path: &'static str| -> Getter {
        Box::new(move |r: &ReportRun| r.manifest.as_ref().map_or("-".into(), |m| value(m, path)))
    };
    let rows: Vec<(&str, Getter)> = vec![
        (
            "Scenario",
            Box::new(|r: &ReportRun| r.data.meta.scenario_name.clone()),
        ),
        ("Description", from_manifest("/run/description")),
        (
            "Replications",
            Box::new(|r: &ReportRun| r.data.replications.len().to_string()),
        ),
        (
            "Seed",
            Box::new(|r: &ReportRun| r.data.meta.seed.to_string()),
        ),
        (
            "Reported months",
            Box::new(|r: &ReportRun| r.data.months.to_string()),
        ),
        ("Burn-in months", from_manifest("/run/burn_in_months")),
        (
            "Trusts",
            Box::new(|r: &ReportRun| r.manifest.as_ref().map_or("-".into(), trust_count)),
        ),
        (
            "Staff scale (share of real staff)",
            from_manifest("/run/staff_scale"),
        ),
        (
            "Oversight punitiveness (0-1)",
            from_manifest("/oversight/punitiveness"),
        ),
        (
            "Development budget (share of pay bill)",
            from_manifest("/development/budget_share_of_paybill"),
        ),
        (
            "Succession planning (0-1)",
            from_manifest("/development/succession_planning"),
        ),
    ];
    for (label, get) in rows {
        let _ = write!(h, "<tr><td>{}</td>", esc(label));
        for r in runs {
            let v = get(r);
            let class = if v.parse::<f64>().is_ok() {
                "num"
            } else {
                "text"
            };
            let _ = write!(h, "<td class=\"{class}\">{}</td>", esc(&v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
    if runs.iter().any(|r| r.manifest.is_none()) {
        let _ = writeln!(
            h,
            "<p class=\"summary-line\">A run folder without <code>manifest.json</code> shows only \
             what its parquet files record.</p>"
        );
    }
}

fn lookup<'a>(rows: &'a [SummaryRow], key: &str) -> Option<&'a SummaryRow> {
    rows.iter().find(|r| r.metric == key)
}

fn headline(h: &mut String, runs: &[ReportRun]) {
    let _ = writeln!(h, "<h2>Key outcomes</h2>");
    h.push_str("<div class=\"scroll\"><table class=\"headline\">\n<thead><tr><th>Outcome</th>");
    run_headers(h, runs, &["Median", "90 % interval"]);
    h.push_str("</tr></thead>\n<tbody>\n");
    for def in METRICS.iter().filter(|m| m.headline) {
        let _ = write!(h, "<tr><td>{}</td>", esc(def.label));
        for r in runs {
            match lookup(&r.summary, def.key) {
                Some(s) => {
                    let _ = write!(
                        h,
                        "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                        esc(&fmt(s.p50, def.percent)),
                        esc(&interval(s.p05, s.p95, def.percent))
                    );
                }
                None => h.push_str("<td class=\"num\">-</td><td class=\"num\">-</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
}

fn calibration_table(h: &mut String, runs: &[ReportRun]) {
    let _ = writeln!(h, "<h2>Calibration check</h2>");
    let checks: Vec<Vec<calibration::CheckRow>> = runs
        .iter()
        .map(|r| calibration::check(|k| lookup(&r.summary, k).map(|s| (s.p05, s.p50, s.p95))))
        .collect();
    h.push_str(
        "<div class=\"scroll\"><table class=\"calibration\">\n<thead><tr><th>Calibration target</th><th>Evidence</th>\
         <th>Source</th>",
    );
    run_headers(h, runs, &["Model", "90 % interval", "Result"]);
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, t) in calibration::TARGETS.iter().enumerate() {
        let label = checks.first().map_or(t.key, |c| c[i].label);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(label),
            esc(t.evidence),
            esc(t.source)
        );
        for c in &checks {
            let row = &c[i];
            let (class, word) = if row.pass {
                ("pass", "pass")
            } else {
                ("fail", "FAIL")
            };
            let _ = write!(
                h,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{word}</td>",
                esc(&fmt(row.median, row.percent)),
                esc(&interval(row.p05, row.p95, row.percent))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table></div>\n");
    for (r, c) in runs.iter().zip(&checks) {
        let passed = c.iter().filter(|x| x.pass).count();
        let who = if runs.len() > 1 {
            format!("{}: ", r.data.label)
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<p class=\"summary-line\">{}{passed} of {} targets met (model median inside the \
             evidence range).</p>",
            esc(&who),
            c.len()
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"summary-line\">Calibration holds at full staff scale; a run at reduced \
         <code>run.staff_scale</code> is a smoke test, not a calibrated scenario.</p>"
    );
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
fn today() -> String {
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
