//! The report of a comparison folder: which parameters differ, what each
//! policy changed in plain words a board paper can quote, the forest chart,
//! the paired-difference tables in natural units, and each variant's key
//! outcomes.

use std::fmt::Write as _;
use std::path::Path;

use super::html::{self, esc, inline_svg};
use super::{ReportRun, headline, today};
use crate::charts::{self, ChartError};
use crate::compare::{self, Difference};
use crate::metrics::Scope;
use crate::output::comparison::{self as out, ComparisonManifest};
use crate::output::{self, OutputError};

/// Writes the report of the comparison folder `dir` to `out_file`, laid out
/// for `paper` when printed.
pub fn write_comparison_report(
    dir: &Path,
    out_file: &Path,
    paper: html::Paper,
) -> Result<(), ChartError> {
    let record = out::read_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST))?;
    if !record.complete {
        return Err(ChartError::invalid(
            dir,
            "the comparison is unfinished (comparison.json says incomplete); run the same `trustsim compare` command again to finish it",
        ));
    }
    let rows = compare::read_differences(dir, &record.variants)?;
    let mut runs = Vec::new();
    for name in &record.variants {
        let d = dir.join(name);
        runs.push(ReportRun {
            data: charts::load_run(&d)?,
            summary: output::read_summary(&d.join(output::SUMMARY_FILE))?,
            manifest: output::read_manifest(&d.join(output::MANIFEST_FILE)).ok(),
        });
    }
    let html = render(&record, &rows, &runs, &today(), paper)?;
    output::write_atomic(out_file, html.as_bytes()).map_err(|e: OutputError| e.into())
}

/// The comparison report as one HTML document.
pub fn render(
    record: &ComparisonManifest,
    rows: &[Difference],
    runs: &[ReportRun],
    date: &str,
    paper: html::Paper,
) -> Result<String, ChartError> {
    let mut h = html::head(&format!("trustsim comparison: {}", record.name), paper);
    let _ = writeln!(
        h,
        "<p class=\"lead\">{} policy variants of simulated NHS trusts{} against the reference <strong>{}</strong>, \
         {} replications each.{} {} Differences are paired replication by replication; {}</p>",
        record.variants.len() - 1,
        super::in_england(&runs.iter().map(|r| r.data.clone()).collect::<Vec<_>>()),
        esc(&record.variants[0]),
        record.replications,
        runs.first().and_then(|r| r.data.meta.scope).map_or(String::new(), |s| {
            if s.england {
                String::new()
            } else {
                format!(" Scope: {}.", esc(&s.describe()))
            }
        }),
        if record.common_random_numbers {
            "Every variant uses the same random streams (common random numbers), so a difference comes from the policy alone."
        } else {
            "Each variant has its own seed (independent streams), so differences include chance."
        },
        match &record.parameter_sets {
            None => "intervals are 95 % t intervals of the mean paired difference and show the model's chance variation \
                     for one set of assumptions."
                .to_string(),
            Some(s) => format!(
                "replication i of every variant uses plausible parameter set i mod {} (of {} sets from <code>{}</code>, \
                 cycled) and the same random streams, so each replication is one plausible world: same world, same chance, \
                 different policy. Intervals are 95 % t intervals of the mean paired difference; the 95 % of worlds \
                 (2.5th to 97.5th percentile of the paired differences) shows chance and parameter uncertainty together.",
                s.sets,
                s.used,
                esc(&s.path)
            ),
        }
    );
    let _ = writeln!(h, "<h2>What differs between the variants</h2>\n<ul>");
    if record.differences.is_empty() {
        let _ = writeln!(h, "<li>Nothing but their names.</li>");
    }
    for d in &record.differences {
        let _ = writeln!(h, "<li><code>{}</code></li>", esc(d));
    }
    h.push_str("</ul>\n");
    let _ = writeln!(h, "<h2>In plain words</h2>");
    for v in &record.variants[1..] {
        let words = compare::plain_words(rows, v, Scope::FinalYear);
        if let Some((lead, items)) = words.split_first() {
            let _ = writeln!(h, "<div class=\"plain\"><p>{}</p>\n<ul>", esc(lead));
            for w in items {
                let _ = writeln!(h, "<li>{}.</li>", esc(w));
            }
            h.push_str("</ul></div>\n");
        }
    }
    targeted_section(&mut h, rows, &record.variants[1..]);
    let svg = crate::charts::forest::svg(rows, &out::provenance(record))?;
    let _ = writeln!(
        h,
        "<figure id=\"forest\">\n{}\n<figcaption><strong>Figure 1.</strong> How each policy changes outcomes in the final \
         year, in each outcome's own unit (pp = percentage points), with 95 % intervals.{}</figcaption>\n</figure>",
        inline_svg(&svg),
        record
            .parameter_sets
            .as_ref()
            .map_or(String::new(), |s| format!(
                " Thin lines: the 95 % of plausible worlds ({}).",
                esc(charts::bands_show(Some(s.used)).trim_start_matches("bands: "))
            ))
    );
    over_time(&mut h, runs, rows)?;
    for scope in [Scope::FinalYear, Scope::WholeRun] {
        difference_table(&mut h, rows, scope);
    }
    headline(&mut h, runs);
    let _ = writeln!(
        h,
        "<footer>\n<p><strong>Provenance</strong>: {}; scenario hashes <code>{}</code>; comparison folder <code>{}</code>. \
         Report written {} by trustsim {}.</p>\n</footer>\n</main>\n</body>\n</html>",
        esc(&out::provenance(record)),
        esc(&record.scenario_hashes.join(", ")),
        esc(&runs
            .first()
            .and_then(|r| r.data.dir.parent())
            .map_or(String::new(), |p| p.display().to_string())),
        esc(date),
        env!("CARGO_PKG_VERSION")
    );
    Ok(h)
}

/// Fan charts of the paired differences month by month (figures 2 to 6).
fn over_time(h: &mut String, runs: &[ReportRun], rows: &[Difference]) -> Result<(), ChartError> {
    let Some((reference, rest)) = runs.split_first() else {
        return Ok(());
    };
    let variants: Vec<charts::RunData> = rest.iter().map(|r| r.data.clone()).collect();
    let changes = charts::difference::change_months(
        runs.iter()
            .filter_map(|r| r.manifest.as_ref())
            .map(|m| &m.scenario),
    );
    let _ = writeln!(h, "<h2>How the differences develop over time</h2>");
    let names: Vec<String> = runs
        .iter()
        .map(|r| r.data.meta.scenario_name.clone())
        .collect();
    let groups = match reference.data.dir.parent() {
        Some(dir) => charts::difference::group_pairs(dir, &names)?,
        None => vec![],
    };
    for (i, ind) in charts::Indicator::ALL.into_iter().enumerate() {
        let fig = charts::difference::Differences {
            reference: &reference.data,
            variants: &variants,
            changes: changes.clone(),
            indicator: ind,
            caption: false,
            worlds: vec![],
            groups: groups.clone(),
        };
        let worlds = charts::difference::worlds_lines(rows, ind);
        let svg = charts::svg_string(&fig, &charts::difference::file_stem(ind))?;
        let _ = writeln!(
            h,
            "<figure>\n{}\n<figcaption><strong>Figure {}.</strong> Paired difference against {} month by month: median and \
             the middle 50 % and 90 % of replications{}.{}{}</figcaption>\n</figure>",
            inline_svg(&svg),
            i + 2,
            esc(&reference.data.label),
            match charts::parameter_sets(std::slice::from_ref(&reference.data)) {
                None => String::new(),
                sets => format!(" ({})", esc(&charts::bands_show(sets))),
            },
            if changes.is_empty() {
                String::new()
            } else {
                " The dashed vertical line marks where a timed change starts; before it the difference is exactly zero.".into()
            } + if groups.is_empty() {
                ""
            } else {
                " For a policy aimed at some trusts, long dashes show the median difference at the trusts it is for (with their 90 % band) and short dashes at the other trusts, each against the same trusts of the reference; the solid line is all trusts."
            },
            worlds
                .iter()
                .map(|w| format!(" {}", esc(w)))
                .collect::<String>()
        );
    }
    Ok(())
}

/// The paired differences of one scope, one table per variant.
fn difference_table(h: &mut String, rows: &[Difference], scope: Scope) {
    let _ = writeln!(h, "<h2>Paired differences: {}</h2>", scope.label());
    let rows = &compare::national(rows);
    let mut variants: Vec<&str> = Vec::new();
    for d in rows.iter().filter(|d| d.scope == scope) {
        if !variants.contains(&d.variant.as_str()) {
            variants.push(&d.variant);
        }
    }
    for v in variants {
        let mine: Vec<&Difference> = rows
            .iter()
            .filter(|d| d.scope == scope && d.variant == v)
            .collect();
        let Some(first) = mine.first() else { continue };
        let worlds_head = if first.worlds.is_some() {
            "<th class=\"num\">95 % of worlds</th><th class=\"num\">Better in sets</th>"
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<h3>{} vs {} ({} paired replications)</h3>\n<table>\n<thead><tr><th>Outcome</th><th class=\"num\">{}</th>\
             <th class=\"num\">{}</th><th class=\"num\">Difference (95 % interval)</th>{worlds_head}<th class=\"num\">Better in</th></tr></thead>\n<tbody>",
            esc(v),
            esc(&first.baseline),
            first.n,
            html::cell(&first.baseline),
            html::cell(v)
        );
        for d in mine {
            let u = d.outcome.unit;
            let class = verdict_class(d);
            let worlds = d.worlds.as_ref().map_or(String::new(), |w| {
                format!(
                    "<td class=\"num\">{} to {}</td><td class=\"num\">{} of {}</td>",
                    html::cell(&u.format_difference(w.low)),
                    html::cell(&u.format_difference(w.high)),
                    w.sets_better,
                    w.sets()
                )
            });
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num{class}\">{} ({} to {})</td>\
                 {worlds}<td class=\"num\">{:.0}&nbsp;%</td></tr>",
                esc(d.outcome.label),
                html::cell(&u.format(d.baseline_mean)),
                html::cell(&u.format(d.variant_mean)),
                html::cell(&u.format_difference(d.mean_difference)),
                html::cell(&u.format_difference(d.ci_low)),
                html::cell(&u.format_difference(d.ci_high)),
                100.0 * d.share_better
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

/// For each variant with a targeted policy: its effect on the trusts it is
/// for, on the others (spill-over) and on all trusts, final year and whole
/// run, each with its 95 % interval (and, with parameter sets, in how many
/// plausible worlds it did better).
fn targeted_section(h: &mut String, rows: &[Difference], variants: &[String]) {
    let targeted: Vec<&String> = variants
        .iter()
        .filter(|v| compare::is_targeted(rows, v))
        .collect();
    if targeted.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h2>Where the policy acts: targeted trusts, the others, all trusts</h2>\n<p>A policy for some trusts is \
         measured three times, each against the same trusts in the reference world of the same replication: at the \
         trusts it is for (decided as it starts, so the same trusts in both worlds), at the others (what spills over, \
         for example through the shared chief executive labour market), and nationally.</p>"
    );
    for v in targeted {
        for line in compare::targeted_words(rows, v, Scope::FinalYear)
            .iter()
            .take(1)
        {
            let _ = writeln!(h, "<p>{}</p>", esc(line));
        }
        for scope in [Scope::FinalYear, Scope::WholeRun] {
            let table = compare::by_trusts(rows, v, scope);
            let Some((_, first)) = table.first() else {
                continue;
            };
            let head = |k: usize, name: &str| {
                first[k]
                    .and_then(|d| d.group_trusts)
                    .map_or(name.to_string(), |c| {
                        format!("{name} ({})", compare::trusts_count(c))
                    })
            };
            let _ = writeln!(
                h,
                "<h3>{}: {}</h3>\n<table>\n<thead><tr><th>Outcome</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
                 <th class=\"num\">{}</th></tr></thead>\n<tbody>",
                esc(v),
                scope.label(),
                esc(&head(0, "Targeted trusts")),
                esc(&head(1, "Other trusts")),
                esc(&head(2, "All trusts"))
            );
            for (o, cells) in &table {
                let _ = write!(h, "<tr><td>{}</td>", esc(o.label));
                for c in cells {
                    let Some(d) = c else {
                        h.push_str("<td class=\"num\">-</td>");
                        continue;
                    };
                    let u = d.outcome.unit;
                    let class = verdict_class(d);
                    let worlds = d.worlds.as_ref().map_or(String::new(), |w| {
                        format!("; better in {} of {} worlds", w.sets_better, w.sets())
                    });
                    let _ = write!(
                        h,
                        "<td class=\"num{class}\">{} ({} to {}{worlds})</td>",
                        html::cell(&u.format_difference(d.mean_difference)),
                        html::cell(&u.format_difference(d.ci_low)),
                        html::cell(&u.format_difference(d.ci_high)),
                    );
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</tbody>\n</table>\n");
        }
    }
}

/// Writes the trust view of trust `code` in the comparison folder `dir` to
/// `out_file`: the trust in each policy's world against itself in the
/// reference's world, replication by replication (common random numbers),
/// month by month and by financial year.
pub fn write_comparison_trust_report(
    dir: &Path,
    code: &str,
    out_file: &Path,
    paper: html::Paper,
) -> Result<(), ChartError> {
    let record = out::read_comparison_manifest(&dir.join(out::COMPARISON_MANIFEST))?;
    if !record.complete {
        return Err(ChartError::invalid(
            dir,
            "the comparison is unfinished (comparison.json says incomplete); run the same `trustsim compare` command again to finish it",
        ));
    }
    let mut h = html::head(
        &format!("trustsim comparison {}: trust {code}", record.name),
        paper,
    );
    super::trust::comparison_trust_section(&mut h, dir, &record.variants, code)?;
    let _ = writeln!(
        h,
        "<footer>\n<p><strong>Provenance</strong>: {}; scenario hashes <code>{}</code>; comparison folder <code>{}</code>. \
         Report written {} by trustsim {}.</p>\n</footer>\n</main>\n</body>\n</html>",
        esc(&out::provenance(&record)),
        esc(&record.scenario_hashes.join(", ")),
        esc(&dir.display().to_string()),
        esc(&today()),
        env!("CARGO_PKG_VERSION")
    );
    output::write_atomic(out_file, h.as_bytes()).map_err(|e: OutputError| e.into())
}

/// The cell class of a difference: better or worse when its interval
/// excludes no change, else none.
fn verdict_class(d: &Difference) -> &'static str {
    if !d.clear() {
        ""
    } else if d.outcome.improves(d.mean_difference) {
        " better"
    } else {
        " worse"
    }
}
