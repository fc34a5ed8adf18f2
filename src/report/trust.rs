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
    let _ = writeln!(
        h,
        "<h2 id=\"trust-{}\">Trust view: {} {}</h2>\n<p>A {} trust of the simulated {}. Its own lines and \
         bands are this trust across the {} replications; the comparison is the other trusts of its type \
         (trust-level values over trusts and replications), the national CEO tenure curve and all trusts in the \
         scatter. The bands show {}.</p>",
        esc(&t.code),
        esc(&t.code),
        esc(&t.name),
        esc(&crate::charts::pretty(&t.trust_type).to_lowercase()),
        esc(&view
            .run
            .meta
            .scope
            .map_or("trusts".into(), |s| if s.england {
                "England".into()
            } else {
                s.describe()
            })),
        view.run.replications.len(),
        match view.run.meta.parameter_sets {
            None => "the model's chance variation for one set of assumptions".to_string(),
            sets => format!(
                "{} (replication i uses set i mod M)",
                crate::charts::bands_show(sets).trim_start_matches("bands: ")
            ),
        }
    );
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
