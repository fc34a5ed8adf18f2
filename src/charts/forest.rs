//! The forest chart of a comparison: for each compared outcome, one panel
//! with each variant's paired difference from the reference variant in the
//! final year and its 95 % interval, in the outcome's own unit (percentage
//! points for rates and shares), so that no outcome is inflated by being
//! expressed relative to a small reference value. With parameter sets, each
//! row also shows, as a thin line, the 95 % of plausible worlds (2.5th to
//! 97.5th percentile of the paired differences): chance and parameter
//! uncertainty together.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::style::{self, Drawn, FrameText, LegendItem, Marker, Swatch};
use crate::compare::{Difference, outcomes};
use crate::metrics::{Better, Metric, Scope};

/// File stem of the forest chart.
pub const FOREST: &str = "comparison_forest";

/// A difference as drawn, in display units (percentage points for shares):
/// `(estimate, low, high)`.
pub fn drawn(d: &Difference) -> (f64, f64, f64) {
    let k = d.outcome.unit.display_scale();
    (k * d.mean_difference, k * d.ci_low, k * d.ci_high)
}

/// The 95 % of plausible worlds of a difference as drawn (display units),
/// with parameter sets.
pub fn drawn_worlds(d: &Difference) -> Option<(f64, f64)> {
    let k = d.outcome.unit.display_scale();
    d.worlds.as_ref().map(|w| (k * w.low, k * w.high))
}

fn describe(rows: &[Difference], provenance: &str) -> FrameText {
    let variants = variants(rows);
    let reference = rows.first().map_or(String::new(), |d| d.baseline.clone());
    let mut notes = vec![];
    if rows.iter().any(|d| d.n < 2) {
        notes.push("Note: fewer than two replications: no intervals".into());
    }
    FrameText {
        title: format!("How each policy changes outcomes, compared with {reference}"),
        legend: variants
            .iter()
            .enumerate()
            .map(|(i, v)| {
                LegendItem::new(
                    v.clone(),
                    style::scenario_colour(i + 1),
                    Swatch::Marker(Marker::Circle),
                )
            })
            .collect(),
        notes,
        caption: {
            let mut c = vec![match rows.iter().find_map(|d| d.worlds.as_ref()) {
                None => "Each panel: mean paired difference from the reference over replications in the final year (point) and its \
             95 % confidence interval (line, t), in the outcome's own unit (pp = percentage points); the axis of each \
             panel is centred on no difference. Arrows mark the better direction. Every variant uses the same random \
             streams (common random numbers)."
                    .to_string(),
                Some(w) => format!(
                    "Each panel: mean paired difference from the reference over replications in the final year (point), its \
                     95 % confidence interval (thick line, t) and the 95 % of plausible worlds (thin line: 2.5th to 97.5th \
                     percentile of the paired differences; chance and parameter uncertainty, {} plausible parameter sets, \
                     cycled), in the outcome's own unit (pp = percentage points); the axis of each panel is centred on no \
                     difference. Arrows mark the better direction. Replication i of every variant uses parameter set i mod M \
                     and the same random streams.",
                    w.sets()
                ),
            }];
            c.push(provenance.to_string());
            c
        },
    }
}

fn variants(rows: &[Difference]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for d in rows {
        if !v.contains(&d.variant) {
            v.push(d.variant.clone());
        }
    }
    v
}

/// Draws the forest chart of the final-year differences on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[Difference],
    provenance: &str,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let owned: Vec<Difference> = rows
        .iter()
        .filter(|d| d.scope == Scope::FinalYear)
        .cloned()
        .collect();
    style::figure(root, &describe(&owned, provenance), |plot| {
        if owned.is_empty() {
            return style::empty_note(plot, "No variants to compare");
        }
        let variants = variants(&owned);
        let shown: Vec<_> = outcomes()
            .filter(|o| owned.iter().any(|d| d.outcome.key == o.key))
            .collect();
        // Every panel gets the same plotting height; the last also holds the
        // axis labels below it.
        let n = shown.len() as i32;
        let h = plot.dim_in_pixel().1 as i32;
        let each = ((h - AXIS_HEIGHT) / n).max(1);
        let breaks: Vec<i32> = (1..n).map(|i| i * each).collect();
        let panels = plot.split_by_breakpoints(Vec::<i32>::new(), breaks);
        for (i, (panel, o)) in panels.iter().zip(&shown).enumerate() {
            let mine: Vec<&Difference> = owned.iter().filter(|d| d.outcome.key == o.key).collect();
            draw_panel(panel, o, &mine, &variants, i + 1 == shown.len())?;
        }
        Ok(())
    })
}

/// Height of the value axis under the last panel, in pixels.
const AXIS_HEIGHT: i32 = 60;

/// The label of an outcome's panel: its name, the better direction as an
/// arrow and the unit of its differences.
fn panel_label(o: &Metric) -> String {
    let arrow = match o.better {
        Better::Higher => " (\u{2191})",
        Better::Lower => " (\u{2193})",
        Better::Neither => "",
    };
    let unit = o.unit.difference_label().replace("percentage points", "pp");
    format!("{}{arrow}, {unit}", o.label)
}

/// The panel of outcome `o`: one row per variant with its difference `mine`
/// and interval, on an axis centred on no difference (labelled if `last`).
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    o: &Metric,
    mine: &[&Difference],
    variants: &[String],
    last: bool,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let reach = mine
        .iter()
        .flat_map(|d| {
            let (e, l, h) = drawn(d);
            let (wl, wh) = drawn_worlds(d).unwrap_or((e, e));
            [e, l, h, wl, wh]
        })
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |a, x| a.max(x.abs()));
    let reach = if reach > 0.0 { reach * 1.15 } else { 1.0 };
    let label = panel_label(o);
    let k = variants.len().max(1) as f64;
    let mut chart = ChartBuilder::on(panel)
        .x_label_area_size(if last { AXIS_HEIGHT as u32 } else { 0 })
        .y_label_area_size(900)
        .margin_right(40)
        .build_cartesian_2d(-reach..reach, -0.6..(k - 0.4))?;
    let d = style::decimals(-reach, reach, 6);
    style::row_mesh(&mut chart)
        .x_labels(7)
        .y_labels(1)
        .y_label_formatter(&|y| {
            if y.abs() < 0.5 {
                label.clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x| style::tick(*x, d, false))
        .label_style(style::text(style::TICK * 0.8, style::INK))
        .draw()?;
    style::zero_line(&mut chart, -0.6, k - 0.4)?;
    for (vi, v) in variants.iter().enumerate() {
        let colour = style::scenario_colour(vi + 1);
        let y = k - 1.0 - vi as f64;
        for dd in mine.iter().filter(|dd| &dd.variant == v) {
            let (e, l, h) = drawn(dd);
            if let Some((wl, wh)) = drawn_worlds(dd)
                && wl.is_finite()
                && wh.is_finite()
            {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(wl, y), (wh, y)],
                    colour.stroke_width(2),
                )))?;
            }
            if l.is_finite() && h.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(l, y), (h, y)],
                    colour.stroke_width(5),
                )))?;
            }
            if e.is_finite() {
                chart.draw_series(std::iter::once(Circle::new((e, y), 10, colour.filled())))?;
            }
        }
    }
    Ok(())
}

struct Forest<'a> {
    rows: &'a [Difference],
    provenance: &'a str,
}

impl super::Figure for Forest<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        draw(root, self.rows, self.provenance)
    }
}

/// The forest chart as an SVG document (for the report).
pub fn svg(rows: &[Difference], provenance: &str) -> Result<String, ChartError> {
    super::svg_string(&Forest { rows, provenance }, FOREST)
}

/// Writes the forest chart as PNG and SVG into `out_dir`.
pub fn render_forest(
    rows: &[Difference],
    out_dir: &Path,
    provenance: &str,
) -> Result<Vec<PathBuf>, ChartError> {
    super::save(&Forest { rows, provenance }, out_dir, FOREST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::paired_differences;
    use crate::metrics::Values;

    fn rows(n: usize) -> Vec<Difference> {
        let v = |shift: f64| -> Vec<Values> {
            (0..n)
                .map(|r| {
                    let mut v = Values::default();
                    for o in outcomes() {
                        v.insert(o.key, 0.05 + r as f64 * 0.001 + shift);
                    }
                    v
                })
                .collect()
        };
        paired_differences(
            &[
                ("base".into(), v(0.0)),
                ("a policy with a long name".into(), v(0.0012)),
            ],
            Scope::FinalYear,
        )
    }

    fn svg(rows: &[Difference]) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (style::WIDTH, style::HEIGHT))
                .into_drawing_area();
            draw(&root, rows, "Variants: base, policy").unwrap();
        }
        svg
    }

    #[test]
    fn the_forest_names_the_reference_every_outcome_and_full_variant_names() {
        let s = svg(&rows(5));
        assert!(s.contains("compared with base") && s.contains("a policy with a long name"));
        for o in outcomes() {
            assert!(
                s.contains(o.label.split(' ').next().unwrap()),
                "{}",
                o.label
            );
        }
        // A share's difference is drawn in percentage points, not as a
        // percentage of the reference.
        let surplus = rows(5)
            .into_iter()
            .find(|d| d.outcome.key == "surplus_share")
            .unwrap();
        let (e, _, _) = drawn(&surplus);
        assert!((e - 0.12).abs() < 1e-9, "{e}");
        assert!(s.contains("pp"));
    }

    #[test]
    fn one_replication_draws_points_with_a_note_and_no_rows_draws_a_note() {
        assert!(svg(&rows(1)).contains("no intervals"));
        assert!(svg(&[]).contains("No variants to compare"));
    }
}
