//! The forest chart of a comparison: for each compared outcome, one panel
//! with each variant's paired difference from the reference variant in the
//! final year and its 95 % interval, in the outcome's own unit (percentage
//! points for rates and shares), so that no outcome is inflated by being
//! expressed relative to a small reference value. With parameter sets, each
//! row also shows, as a thin line, the 95 % of plausible worlds (2.5th to
//! 97.5th percentile of the paired differences): chance and parameter
//! uncertainty together.
//!
//! Outcomes differ in scale by orders of magnitude (engagement moves by
//! hundredths of a point, CEO turnover by percentage points), so every
//! panel has its own labelled value axis ([`axis`], a pure function whose
//! outermost ticks bracket every interval drawn in the panel), and each row
//! prints its estimate and interval beside it in the outcome's unit.

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
             95 % confidence interval (line, t), in the outcome's own unit (pp = percentage points), on each panel's own axis, \
             centred on no difference; beside each row, the difference and its interval [low, high] in that unit. Arrows mark the better direction. Every variant uses the same random \
             streams (common random numbers)."
                    .to_string(),
                Some(w) => format!(
                    "Each panel: mean paired difference from the reference over replications in the final year (point), its \
                     95 % confidence interval (thick line, t) and the 95 % of plausible worlds (thin line: 2.5th to 97.5th \
                     percentile of the paired differences; chance and parameter uncertainty, {} plausible parameter sets, \
                     cycled), in the outcome's own unit (pp = percentage points), on each panel's own axis, centred on no \
                     difference; beside each row, the difference and its 95 % confidence interval [low, high] in that unit. Arrows mark the better direction. Replication i of every variant uses parameter set i mod M \
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

/// The final-year rows of `rows`.
fn final_year(rows: &[Difference]) -> Vec<Difference> {
    rows.iter()
        .filter(|d| d.scope == Scope::FinalYear)
        .filter(|d| d.trusts == crate::metrics::groups::TrustGroup::All)
        .cloned()
        .collect()
}

/// The outcomes with at least one row, in registry order.
fn shown(rows: &[Difference]) -> Vec<&'static Metric> {
    outcomes()
        .filter(|o| rows.iter().any(|d| d.outcome.key == o.key))
        .collect()
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
    let owned = final_year(rows);
    style::figure(root, &describe(&owned, provenance), |plot| {
        if owned.is_empty() {
            return style::empty_note(plot, "No variants to compare");
        }
        let variants = variants(&owned);
        let shown = shown(&owned);
        // Every panel gets the same height: its rows and its own axis.
        let n = shown.len() as i32;
        let h = plot.dim_in_pixel().1 as i32;
        let each = (h / n).max(1);
        let breaks: Vec<i32> = (1..n).map(|i| i * each).collect();
        let panels = plot.split_by_breakpoints(Vec::<i32>::new(), breaks);
        for (panel, o) in panels.iter().zip(&shown) {
            let mine: Vec<&Difference> = owned.iter().filter(|d| d.outcome.key == o.key).collect();
            draw_panel(panel, o, &mine, &variants)?;
        }
        Ok(())
    })
}

/// Height of each panel's value axis (tick labels), in pixels.
const AXIS_HEIGHT: u32 = 56;
/// Height of one variant's row, in pixels.
const ROW_HEIGHT: u32 = 46;
/// Space above each panel's rows, in pixels.
const PANEL_PAD: u32 = 18;
/// Width of the outcome labels left of the panels, in pixels.
const LABEL_WIDTH: u32 = 760;
/// Width of the printed values right of the panels, in pixels.
const VALUE_WIDTH: u32 = 480;
/// Type size of tick labels, row values and outcome labels, in pixels.
const SMALL: f64 = style::TICK * 0.8;

/// The figure's size: the house width, and a height that gives every
/// outcome's panel its rows and its own axis.
pub fn size(rows: &[Difference]) -> (u32, u32) {
    let owned = final_year(rows);
    let panels = shown(&owned).len() as u32;
    let k = variants(&owned).len().max(1) as u32;
    let panel = PANEL_PAD + k * ROW_HEIGHT + AXIS_HEIGHT;
    // Title, legend, notes and a caption of about eight lines.
    let frame = 800;
    (style::WIDTH, (frame + panels * panel).max(style::HEIGHT))
}

/// The value axis of one panel, in display units.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The drawn range (a little wider than the outermost ticks, so a point
    /// on them is not clipped).
    pub lo: f64,
    pub hi: f64,
    /// Tick positions and their labels, from lowest to highest.
    pub ticks: Vec<(f64, String)>,
    /// Decimals of the tick labels.
    pub decimals: usize,
}

/// The axis of a panel whose drawn values reach `reach` on either side of
/// no difference: symmetric about 0, with at most seven ticks at round
/// steps (1, 2, 2.5 or 5 times a power of ten), the outermost of which lie
/// at or beyond `reach`, so they bracket every interval drawn. Labels carry
/// a sign and the decimals the step needs.
pub fn axis(reach: f64) -> Axis {
    let reach = if reach.is_finite() && reach > 0.0 {
        reach
    } else {
        1.0
    };
    let raw = reach / 3.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude);
    let n = ((reach / step) * (1.0 - 1e-12)).ceil().max(1.0) as i32;
    let decimals = (0..10)
        .find(|&d| {
            let f = step * 10f64.powi(d);
            (f - f.round()).abs() < 1e-6 * f.max(1.0)
        })
        .unwrap_or(10) as usize;
    let ticks = (-n..=n)
        .map(|i| {
            let v = f64::from(i) * step;
            let label = if i == 0 {
                "0".to_string()
            } else {
                format!("{v:+.decimals$}")
            };
            (v, label)
        })
        .collect();
    let edge = f64::from(n) * step * 1.06;
    Axis {
        lo: -edge,
        hi: edge,
        ticks,
        decimals,
    }
}

/// How far from no difference the drawn values of a panel reach (estimates,
/// intervals and, with parameter sets, the 95 % of worlds).
pub fn reach(rows: &[&Difference]) -> f64 {
    rows.iter()
        .flat_map(|d| {
            let (e, l, h) = drawn(d);
            let (wl, wh) = drawn_worlds(d).unwrap_or((e, e));
            [e, l, h, wl, wh]
        })
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |a, x| a.max(x.abs()))
}

/// The label of an outcome's panel: its name, the better direction as an
/// arrow and the unit of its differences.
pub fn panel_label(o: &Metric) -> String {
    let arrow = match o.better {
        Better::Higher => " (\u{2191})",
        Better::Lower => " (\u{2193})",
        Better::Neither => "",
    };
    let unit = o.unit.difference_label().replace("percentage points", "pp");
    format!("{}{arrow}, {unit}", o.label)
}

/// The decimals of the values printed beside a panel's rows: one more
/// than its axis labels, and enough for the narrowest interval's width to
/// show (at most three more than the axis labels).
pub fn value_decimals(ax: &Axis, rows: &[&Difference]) -> usize {
    let narrowest = rows
        .iter()
        .map(|d| {
            let (_, l, h) = drawn(d);
            h - l
        })
        .filter(|w| w.is_finite() && *w > 0.0)
        .fold(f64::INFINITY, f64::min);
    let width = if narrowest.is_finite() {
        (-narrowest.log10()).ceil().max(0.0) as usize
    } else {
        0
    };
    width.clamp(ax.decimals + 1, ax.decimals + 3)
}

/// A row's estimate and 95 % interval as printed beside it, in the
/// outcome's display unit (percentage points for shares, named in the panel
/// label), with `decimals` decimals (see [`value_decimals`]).
pub fn row_value(d: &Difference, decimals: usize) -> String {
    let k = d.outcome.unit.display_scale();
    let f = |x: f64| {
        if x.is_finite() {
            format!("{:+.decimals$}", k * x)
        } else {
            "-".into()
        }
    };
    if d.ci_low.is_finite() && d.ci_high.is_finite() {
        format!(
            "{} [{}, {}]",
            f(d.mean_difference),
            f(d.ci_low),
            f(d.ci_high)
        )
    } else {
        f(d.mean_difference)
    }
}

/// The panel of outcome `o`: its label on the left, one row per variant
/// with its difference `mine` and interval on its own labelled axis, and
/// each row's value on the right.
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    o: &Metric,
    mine: &[&Difference],
    variants: &[String],
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let ax = axis(reach(mine));
    let decimals = value_decimals(&ax, mine);
    let k = variants.len().max(1) as f64;
    let (y0, y1) = (-0.6, k - 0.4);
    let mut chart = ChartBuilder::on(panel)
        .margin_top(PANEL_PAD)
        .x_label_area_size(AXIS_HEIGHT)
        .y_label_area_size(LABEL_WIDTH)
        .right_y_label_area_size(VALUE_WIDTH)
        .build_cartesian_2d(ax.lo..ax.hi, y0..y1)?;
    // The mesh draws only the frame; ticks, grid and labels are drawn at
    // this panel's own round values below.
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_style(style::MUTED.stroke_width(2))
        .draw()?;
    let base = panel.get_base_pixel();
    let tick_style = style::anchored(
        style::text(SMALL, style::INK),
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Top,
    );
    for (v, label) in &ax.ticks {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*v, y0), (*v, y1)],
            style::GRID.stroke_width(2),
        )))?;
        let (px, py) = chart.backend_coord(&(*v, y0));
        panel.draw(&PathElement::new(
            vec![(px - base.0, py - base.1), (px - base.0, py - base.1 + 10)],
            style::MUTED.stroke_width(2),
        ))?;
        panel.draw_text(label, &tick_style, (px - base.0, py - base.1 + 12))?;
    }
    style::zero_line(&mut chart, y0, y1)?;
    // The outcome's label, wrapped, in the middle of its rows.
    let label_style = style::anchored(
        style::bold(SMALL, style::INK),
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Top,
    );
    let lines = style::wrap(panel, &panel_label(o), &label_style, LABEL_WIDTH - 40)?;
    let (_, mid) = chart.backend_coord(&(ax.lo, 0.5 * (y0 + y1)));
    let line_h = (SMALL * 1.25) as i32;
    let mut ly = mid - base.1 - line_h * lines.len() as i32 / 2;
    for line in &lines {
        panel.draw_text(line, &label_style, (0, ly))?;
        ly += line_h;
    }
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
            let (px, py) = chart.backend_coord(&(ax.hi, y));
            let value_style = style::anchored(
                style::text(SMALL, style::INK),
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            );
            panel.draw_text(
                &row_value(dd, decimals),
                &value_style,
                (px - base.0 + 24, py - base.1),
            )?;
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

    fn size(&self) -> (u32, u32) {
        size(self.rows)
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
            let root = SVGBackend::with_string(&mut svg, size(rows)).into_drawing_area();
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

    #[test]
    fn an_axis_brackets_its_reach_with_few_round_signed_ticks() {
        for reach in [
            0.000_37, 0.0123, 0.038, 0.2, 1.0, 1.19, 4.96, 6.2, 7.43, 99.0, 1234.5,
        ] {
            let ax = axis(reach);
            let values: Vec<f64> = ax.ticks.iter().map(|t| t.0).collect();
            assert!(
                values.len() >= 3 && values.len() <= 7,
                "{reach}: {values:?}"
            );
            assert!(values.contains(&0.0), "{reach}: {values:?}");
            let (first, last) = (values[0], values[values.len() - 1]);
            assert!(first <= -reach && last >= reach, "{reach}: {values:?}");
            assert!((first + last).abs() < 1e-12, "{reach}: symmetric");
            // Not needlessly wide: the outermost tick is within three steps
            // of the reach.
            assert!(last < 2.5 * reach + 1e-12, "{reach}: {values:?}");
            assert!(
                ax.lo < first && ax.hi > last,
                "{reach}: points on the outer ticks show"
            );
            for (v, label) in &ax.ticks {
                let parsed: f64 = label.parse().unwrap();
                assert!(
                    (parsed - v).abs() <= 1e-9 * v.abs().max(1.0),
                    "{label} for {v}"
                );
                assert!(*v == 0.0 || label.starts_with(['+', '-']), "{label}");
            }
        }
        assert_eq!(
            axis(0.038)
                .ticks
                .iter()
                .map(|t| t.1.as_str())
                .collect::<Vec<_>>(),
            ["-0.04", "-0.02", "0", "+0.02", "+0.04"]
        );
        assert_eq!(
            axis(0.0)
                .ticks
                .iter()
                .map(|t| t.1.as_str())
                .collect::<Vec<_>>(),
            ["-1.0", "-0.5", "0", "+0.5", "+1.0"],
            "no difference at all: a unit axis"
        );
    }

    /// The text elements of an SVG document, in drawing order.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..t.find("</text>")?];
                Some(
                    body.trim()
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&"),
                )
            })
            .collect()
    }

    #[test]
    fn every_panel_has_its_own_labelled_axis_that_brackets_its_intervals() {
        // Regression: one axis labelled -5..5 served every panel, so
        // engagement's +0.038 and quality's +1.19 read alike. Outcomes here
        // differ by five orders of magnitude.
        let shown: Vec<&Metric> = outcomes().collect();
        let scale = |j: usize| 10f64.powi(j as i32 % 6 - 4) * (1.0 + j as f64 / 7.0);
        let v = |policy: f64| -> Vec<Values> {
            (0..6)
                .map(|r| {
                    let mut v = Values::default();
                    for (j, o) in shown.iter().enumerate() {
                        let noise = [0.0, 0.3, -0.2, 0.5, -0.4, 0.1][r];
                        v.insert(
                            o.key,
                            1.0 + policy * scale(j) * (1.0 + 0.2 * noise) + 0.1 * r as f64,
                        );
                    }
                    v
                })
                .collect()
        };
        let rows = paired_differences(
            &[
                ("base".into(), v(0.0)),
                ("policy_up".into(), v(1.0)),
                ("policy_down".into(), v(-0.6)),
            ],
            Scope::FinalYear,
        );
        let t = texts(&svg(&rows));
        // Each panel draws its tick labels (numbers), then its outcome's
        // label, then one value per row ("+0.038 [+0.030, +0.046]").
        let start = t.iter().position(|x| x.parse::<f64>().is_ok()).unwrap();
        let mut panels: Vec<(Vec<f64>, Vec<String>)> = Vec::new();
        let mut in_values = true;
        for x in &t[start..] {
            if let Ok(v) = x.parse::<f64>() {
                if in_values {
                    panels.push((vec![], vec![]));
                    in_values = false;
                }
                panels.last_mut().unwrap().0.push(v);
            } else if x.contains(" [") {
                in_values = true;
                panels.last_mut().unwrap().1.push(x.clone());
            }
        }
        assert_eq!(panels.len(), shown.len(), "one labelled axis per outcome");
        for ((ticks, values), o) in panels.iter().zip(&shown) {
            let lo = ticks.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = ticks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(ticks.len() >= 3, "{}: {ticks:?}", o.key);
            let mine: Vec<&Difference> = rows.iter().filter(|d| d.outcome.key == o.key).collect();
            assert_eq!(
                values.len(),
                mine.len(),
                "{}: a value beside every row",
                o.key
            );
            // The axis is not so wide that the intervals are dots: the
            // outermost label is within 2.5 times the panel's reach.
            let panel = reach(&mine);
            assert!(
                hi <= 2.5 * panel + 1e-12,
                "{}: {ticks:?} for {panel}",
                o.key
            );
            let decimals = value_decimals(&axis(panel), &mine);
            for d in mine {
                let (e, l, h) = drawn(d);
                assert!(
                    lo <= l && h <= hi && lo < e && e < hi,
                    "{}: interval {l}..{h} outside its axis labels {ticks:?}",
                    o.key
                );
                assert!(
                    values.contains(&row_value(d, decimals)),
                    "{}: {values:?}",
                    o.key
                );
            }
        }
    }
}
