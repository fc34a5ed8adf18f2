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
