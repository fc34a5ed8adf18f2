//! The forest chart of a comparison: for each key outcome, each variant's
//! paired difference from the reference variant in the final year, with its
//! 95 % interval, as a percentage of the reference value so that outcomes on
//! different scales share one axis.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::style::{self, Drawn, FrameText, LegendItem, Marker, Swatch};
use crate::compare::{Difference, OUTCOMES, Scope};

/// File stem of the forest chart.
pub const FOREST: &str = "comparison_forest";

/// A difference relative to the reference mean, in per cent:
/// `(estimate, low, high)`.
pub fn relative(d: &Difference) -> (f64, f64, f64) {
    let base = d.baseline_mean.abs();
    let r = |x: f64| {
        if base > 0.0 {
            100.0 * x / base
        } else {
            f64::NAN
        }
    };
    (r(d.mean_difference), r(d.ci_low), r(d.ci_high))
}

fn describe(rows: &[Difference], provenance: &str) -> FrameText {
    let variants = variants(rows);
    let reference = rows.first().map_or(String::new(), |d| d.baseline.clone());
    let mut notes = vec![];
    if rows.iter().any(|d| d.scope == Scope::Horizon && d.n < 2) {
        notes.push("Note: fewer than two replications: no intervals".into());
    }
    FrameText {
        title: format!("How each policy changes outcomes, compared with {reference}"),
        legend: variants
            .iter()
            .enumerate()
            .map(|(i, v)| LegendItem::new(v.clone(), style::scenario_colour(i + 1), Swatch::Marker(Marker::Circle)))
            .collect(),
        notes,
        caption: vec![
            "Point: mean paired difference from the reference over replications in the final year, as a percentage of \
             the reference value; line: 95 % confidence interval (t). Every variant uses the same random streams \
             (common random numbers). Arrows mark the better direction for each outcome."
                .into(),
            provenance.to_string(),
        ],
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
    style::register_fonts();
    let rows: Vec<&Difference> = rows.iter().filter(|d| d.scope == Scope::Horizon).collect();
    let owned: Vec<Difference> = rows.iter().map(|d| (*d).clone()).collect();
    let plot = style::frame(root, &describe(&owned, provenance))?;
    let variants = variants(&owned);
    if rows.is_empty() {
        style::empty_note(&plot, "No variants to compare")?;
        root.present()?;
        return Ok(());
    }
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for d in &rows {
        let (e, l, h) = relative(d);
        for x in [e, l, h] {
            if x.is_finite() {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    let (lo, hi) = style::padded(lo, hi, 1.0);
    let n = OUTCOMES.len();
    let labels: Vec<String> = OUTCOMES
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o.label,
                if o.higher_is_better {
                    "(\u{2191})"
                } else {
                    "(\u{2193})"
                }
            )
        })
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(110)
        .y_label_area_size(760)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))?;
    let d = style::decimals(lo, hi, 8);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(0)
        .light_line_style(style::GRID)
        .bold_line_style(style::GRID)
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels[n - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x| format!("{} %", style::tick(*x, d, false)))
        .x_desc(format!(
            "Difference from {} (% of its value)",
            owned[0].baseline
        ))
        .axis_desc_style(style::text(style::AXIS, style::INK))
        .label_style(style::text(style::TICK, style::INK))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        ShapeStyle::from(&style::REFERENCE).stroke_width(3),
    )))?;
    let k = variants.len().max(1) as f64;
    for (vi, v) in variants.iter().enumerate() {
        let colour = style::scenario_colour(vi + 1);
        let offset = if k > 1.0 {
            0.5 * (vi as f64 / (k - 1.0) - 0.5)
        } else {
            0.0
        };
        for d in rows.iter().filter(|d| &d.variant == v) {
            let Some(pos) = OUTCOMES.iter().position(|o| o.key == d.outcome.key) else {
                continue;
            };
            let y = (n - 1 - pos) as f64 - offset;
            let (e, l, h) = relative(d);
            if l.is_finite() && h.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(l, y), (h, y)],
                    colour.stroke_width(6),
                )))?;
            }
            if e.is_finite() {
                chart.draw_series(std::iter::once(Circle::new((e, y), 14, colour.filled())))?;
            }
        }
    }
    root.present()?;
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
    use crate::compare::{Values, paired_differences};

    fn rows(n: usize) -> Vec<Difference> {
        let v = |shift: f64| -> Values {
            (0..n)
                .map(|r| vec![5.0 + r as f64 * 0.1 + shift; OUTCOMES.len()])
                .collect()
        };
        paired_differences(
            &[("base".into(), v(0.0)), ("policy".into(), v(0.2))],
            Scope::Horizon,
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
    fn the_forest_names_the_reference_and_every_outcome() {
        let s = svg(&rows(5));
        assert!(s.contains("compared with base") && s.contains("policy"));
        for o in OUTCOMES {
            assert!(
                s.contains(o.label.split(' ').next().unwrap()),
                "{}",
                o.label
            );
        }
        let (e, l, h) = relative(&rows(5)[0]);
        assert!(
            (e - 100.0 * 0.2 / 5.2).abs() < 1e-9 && (l - e).abs() < 1e-6 && (h - e).abs() < 1e-6
        );
    }

    #[test]
    fn one_replication_draws_points_with_a_note_and_no_rows_draws_a_note() {
        assert!(svg(&rows(1)).contains("no intervals"));
        assert!(svg(&[]).contains("No variants to compare"));
    }
}
