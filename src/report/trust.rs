//! The trust view in a run's report (`trustsim report RUN_DIR --trust
//! CODE`): the chosen trust's trajectories against its peers, its CEO
//! tenure against the national curve and its place in the
//! engagement-mortality scatter, each with its caption, for a board paper.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use super::html::{esc, inline_svg};
use crate::charts::ChartError;
use crate::charts::trust::{self, TRUST_CHARTS, TrustFigure};

/// Appends the trust view of trust `code` of the run in `dir` to `h`,
/// numbering its figures from `first`.
pub fn trust_section(
    h: &mut String,
    dir: &Path,
    code: &str,
    first: usize,
) -> Result<(), ChartError> {
    let view = trust::load(dir, code)?;
    let t = &view.trust;
    let place = match (&t.region, &t.icb) {
        (Some(r), Some(i)) => format!(" in {r} ({i})"),
        (Some(r), None) => format!(" in {r}"),
        _ => String::new(),
    };
    let period = view.run.start.map_or(String::new(), |s| {
        format!(
            " It covers {}.",
            crate::model::calendar::period(s, view.run.months)
        )
    });
    let _ = writeln!(
        h,
        "<h2 id=\"trust-{}\">Trust view: {} {}</h2>\n<p>{} trust{} of the simulated {}.{} Its own lines and \
         bands are this trust across the {} replications; the comparison is {} (trust-level values over trusts \
         and replications), the national CEO tenure curve and all trusts in the scatter. The bands show {}.</p>",
        esc(&t.code),
        esc(&t.code),
        esc(&t.name),
        esc(&with_article(
            &crate::charts::pretty(&t.trust_type).to_lowercase()
        )),
        esc(&place),
        esc(&view
            .run
            .meta
            .scope
            .map_or("trusts".into(), |s| if s.england {
                "England".into()
            } else {
                s.describe()
            })),
        esc(&period),
        view.run.replications.len(),
        esc(&peer_words(&view)),
        match view.run.meta.parameter_sets {
            None => "the model's chance variation for one set of assumptions".to_string(),
            sets => format!(
                "{} (replication i uses set i mod M)",
                crate::charts::bands_show(sets).trim_start_matches("bands: ")
            ),
        }
    );
    financial_year_table(h, &view);
    let svgs: Vec<(String, String, String)> = TRUST_CHARTS
        .par_iter()
        .map(|&chart| {
            let fig = TrustFigure {
                chart,
                view: &view,
                caption: false,
            };
            let text = TrustFigure {
                caption: true,
                ..fig
            }
            .describe();
            let svg = crate::charts::svg_string(&fig, &chart.file_stem())?;
            let caption = text.caption.first().cloned().unwrap_or_default();
            Ok((inline_svg(&svg), text.title, caption))
        })
        .collect::<Result<_, ChartError>>()?;
    for (k, (svg, title, caption)) in svgs.iter().enumerate() {
        let _ = writeln!(
            h,
            "<figure>\n{svg}\n<figcaption><strong>Figure {}. {}.</strong><br>{}</figcaption>\n</figure>",
            first + k,
            esc(title),
            esc(caption)
        );
    }
    Ok(())
}

/// The trust against its peers by financial year: the board paper's table.
fn financial_year_table(h: &mut String, view: &trust::TrustView) {
    let rows = view.financial_years();
    if rows.is_empty() {
        return;
    }
    const HEADS: [(&str, usize); 5] = [
        ("Engagement (0-10)", 2),
        ("Leaving (% a year)", 1),
        ("Sickness (%)", 1),
        ("Quality (0-100)", 1),
        ("Surplus (% of income)", 1),
    ];
    let _ = writeln!(
        h,
        "<p><strong>By financial year.</strong> {} against {}: the trust's median over \
         replications of its mean for the year, with the 90 % interval, and its peers' median. \
         A year with fewer than 12 reported months says so.</p>",
        esc(&view.trust.code),
        esc(&peer_words(view)),
    );
    h.push_str("<table class=\"headline\">\n<thead><tr><th>Financial year</th>");
    for (name, _) in HEADS {
        let _ = write!(h, "<th>{}: trust</th><th>peers</th>", esc(name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &rows {
        let label = if r.months < 12 {
            format!("{} ({} months)", r.label, r.months)
        } else {
            r.label.clone()
        };
        let _ = write!(h, "<tr><td>{}</td>", esc(&label));
        for (k, (_, d)) in HEADS.iter().enumerate() {
            let _ = write!(
                h,
                "<td>{:.d$} <small>({:.d$} to {:.d$})</small></td><td>{:.d$}</td>",
                r.own[k],
                r.own_lo[k],
                r.own_hi[k],
                r.peers[k],
                d = *d
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

/// `an acute`, `a mental health`: the indefinite article, capitalised.
fn with_article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("An {kind}")
    } else {
        format!("A {kind}")
    }
}

/// The peers as a sentence names them: `the other acute trusts in London (17)`.
fn peer_words(view: &trust::TrustView) -> String {
    view.peers.label.replacen("Other", "the other", 1)
}

/// The trust view of a comparison: trust `code` in each policy's world
/// (`variants[1..]` under the comparison folder `dir`) against the same
/// trust in the reference's world (`variants[0]`), paired replication by
/// replication, month by month (one chart per indicator) and by financial
/// year (mean paired difference with its 95 % interval).
pub fn comparison_trust_section(
    h: &mut String,
    dir: &Path,
    variants: &[String],
    code: &str,
) -> Result<(), ChartError> {
    let code = trust::canonical_code(&dir.join(&variants[0]), code)?;
    let views: Vec<trust::TrustView> = variants
        .iter()
        .map(|v| trust::load(&dir.join(v), &code))
        .collect::<Result<_, _>>()?;
    let Some((reference, rest)) = views.split_first() else {
        return Ok(());
    };
    let t = &reference.trust;
    let place = match (&t.region, &t.icb) {
        (Some(r), Some(i)) => format!(" in {r} ({i})"),
        (Some(r), None) => format!(" in {r}"),
        _ => String::new(),
    };
    let manifests: Vec<crate::output::Manifest> = variants
        .iter()
        .map(|v| crate::output::read_manifest(&dir.join(v).join(crate::output::MANIFEST_FILE)))
        .collect::<Result<_, _>>()?;
    let _ = writeln!(
        h,
        "<h1>{} {}: each policy against its own baseline world</h1>\n<p class=\"lead\">{} trust{}. Every policy \
         world runs the same random streams as the reference <strong>{}</strong> (common random numbers), so in each \
         replication the trust meets the same chance in both worlds and the difference is the policy's, for this \
         trust. {} replications.{}</p>",
        esc(&t.code),
        esc(&t.name),
        esc(&with_article(
            &crate::charts::pretty(&t.trust_type).to_lowercase()
        )),
        esc(&place),
        esc(&variants[0]),
        reference.run.replications.len(),
        reference.run.start.map_or(String::new(), |s| format!(
            " The period is {}.",
            crate::model::calendar::period(s, reference.run.months)
        )),
    );
    h.push_str("<h2>The policies and this trust</h2>\n<ul>\n");
    for (m, name) in manifests.iter().zip(variants).skip(1) {
        let _ = writeln!(
            h,
            "<li><strong>{}</strong>: {}</li>",
            esc(name),
            esc(&reach_words(
                &m.scenario,
                &manifests[0].scenario,
                reference.trust.trust_id
            ))
        );
    }
    h.push_str("</ul>\n");
    let changes = crate::charts::difference::change_months(manifests.iter().map(|m| &m.scenario));
    let labelled = |v: &trust::TrustView, label: &str| crate::charts::RunData {
        label: label.to_string(),
        ..v.own.clone()
    };
    let base = labelled(reference, &format!("{} in {}", t.code, variants[0]));
    let others: Vec<crate::charts::RunData> = rest
        .iter()
        .zip(&variants[1..])
        .map(|(v, name)| labelled(v, name))
        .collect();
    let _ = writeln!(h, "<h2>Month by month</h2>");
    for (i, ind) in crate::charts::Indicator::ALL.into_iter().enumerate() {
        let fig = crate::charts::difference::Differences {
            reference: &base,
            variants: &others,
            changes: changes.clone(),
            indicator: ind,
            caption: false,
            worlds: vec![],
            groups: vec![],
        };
        let svg = crate::charts::svg_string(&fig, &format!("trust_difference_{}", ind.key()))?;
        let _ = writeln!(
            h,
            "<figure>\n{}\n<figcaption><strong>Figure {}.</strong> {} at {}: the trust in each policy's world minus \
             the trust in {}'s world, replication by replication. Line: median across replications; bands: the middle \
             50 % and 90 % of replications.{}</figcaption>\n</figure>",
            inline_svg(&svg),
            i + 1,
            esc(ind.name()),
            esc(&t.code),
            esc(&variants[0]),
            if changes.is_empty() {
                ""
            } else {
                " The dashed vertical line marks where a change starts; before it the difference is exactly zero."
            }
        );
    }
    trust_difference_table(h, &base, &others);
    Ok(())
}

/// Whether and how the targeted entries of `p` (those `reference` does not
/// have) reach trust `trust_id`, in words.
fn reach_words(
    p: &crate::model::Params,
    reference: &crate::model::Params,
    trust_id: u32,
) -> String {
    let mut parts = vec![];
    for (k, e) in p.targeted().iter().enumerate() {
        if reference.targeted().contains(e) {
            continue;
        }
        let when = if e.month == 0 {
            "for the whole run".to_string()
        } else {
            format!(
                "from {}",
                p.run.calendar().reported(i64::from(e.month)).long()
            )
        };
        let set: Vec<String> = e.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let reach = p.reach_of(k);
        let here = if !reach.contains(&trust_id) {
            "does not reach this trust (any effect here is spill-over)"
        } else if e.target.is_dynamic() {
            "reaches this trust in the months it meets the target"
        } else {
            "reaches this trust"
        };
        parts.push(format!(
            "{when}, for {}: {} — {here}",
            e.target.describe(),
            set.join(", ")
        ));
    }
    if parts.is_empty() {
        let national = crate::scenario::keys::timed_changes(p);
        return format!("a policy for every trust ({national})");
    }
    parts.join("; ")
}

/// By financial year: the mean over replications of the paired difference
/// of the trust's yearly mean, with its 95 % interval, per policy.
fn trust_difference_table(
    h: &mut String,
    base: &crate::charts::RunData,
    others: &[crate::charts::RunData],
) {
    const HEADS: [(&str, usize); 5] = [
        ("Engagement (0-10)", 3),
        ("Leaving (pp a year)", 2),
        ("Sickness (pp)", 2),
        ("Quality (0-100)", 2),
        ("Surplus (pp of income)", 2),
    ];
    let Some(start) = base.start else {
        return;
    };
    let cal = crate::model::calendar::Calendar { start, burn_in: 0 };
    let _ = writeln!(
        h,
        "<h2>By financial year</h2>\n<p>The trust's mean over each financial year in the policy's world minus the same in \
         the reference's world, averaged over replications, with the 95 % interval of that mean.</p>"
    );
    for v in others {
        let d = crate::charts::difference::paired(base, v);
        let mut years: Vec<(String, Vec<&crate::charts::data::NationalMonth>)> = Vec::new();
        for m in &d {
            let fy = cal.reported(i64::from(m.month)).financial_year();
            match years.last_mut() {
                Some((y, ms)) if *y == fy => ms.push(m),
                _ => years.push((fy, vec![m])),
            }
        }
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<table class=\"headline\">\n<thead><tr><th>Financial year</th>{}</tr></thead>\n<tbody>",
            esc(&v.label),
            HEADS
                .iter()
                .map(|(n, _)| format!("<th class=\"num\">{}</th>", esc(n)))
                .collect::<String>()
        );
        for (fy, months) in &years {
            let reps = months.iter().map(|m| m.values.len()).min().unwrap_or(0);
            let _ = write!(
                h,
                "<tr><td>{}{}</td>",
                esc(fy),
                if months.len() < 12 {
                    format!(" ({} months)", months.len())
                } else {
                    String::new()
                }
            );
            for (k, (_, dp)) in HEADS.iter().enumerate() {
                let per_rep: Vec<f64> = (0..reps)
                    .map(|r| {
                        let x: Vec<f64> = months.iter().map(|m| m.values[r][k]).collect();
                        crate::stats::mean(&x)
                    })
                    .collect();
                let (mean, lo, hi) = crate::stats::mean_ci(&per_rep, 0.95);
                let fmt = |x: f64| {
                    let s = format!("{x:+.dp$}", dp = *dp);
                    if s.trim_start_matches(['+', '-'])
                        .chars()
                        .all(|c| c == '0' || c == '.')
                    {
                        format!("{:.dp$}", 0.0, dp = *dp)
                    } else {
                        s
                    }
                };
                let _ = write!(
                    h,
                    "<td class=\"num\">{} <small>({} to {})</small></td>",
                    fmt(mean),
                    fmt(lo),
                    fmt(hi)
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table>\n");
    }
}
