//! Fan charts: a national indicator month by month, the median across
//! replications with 50 % and 90 % bands, one colour per scenario.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{FanPoint, Indicator, RunData, fan};
use super::style::{self, Drawn, FrameText, LegendItem, Swatch};

/// Opacity of the 90 % and 50 % bands; lighter when runs overlap, so that
/// overlapping bands do not mix into a muddy colour.
const OUTER: f64 = 0.16;
const INNER: f64 = 0.34;
const OUTER_OVERLAY: f64 = 0.09;
const INNER_OVERLAY: f64 = 0.17;

pub fn describe(runs: &[RunData], ind: Indicator) -> FrameText {
    let mut legend = Vec::new();
    let several = runs.len() > 1;
    let bands = runs.iter().any(|r| r.replications.len() > 1);
    for (i, r) in runs.iter().enumerate() {
        let c = style::scenario_colour(i);
        let label = match (several, bands) {
            (true, _) => r.label.clone(),
            (false, true) => "Median".into(),
            (false, false) => "National figure".into(),
        };
        legend.push(LegendItem::new(label, c, Swatch::Line));
    }
    if bands {
        let c = if several {
            style::MUTED
        } else {
            style::scenario_colour(0)
        };
        legend.push(LegendItem::new(
            "Middle 50 % of replications",
            c,
            Swatch::Band(INNER + OUTER),
        ));
        legend.push(LegendItem::new(
            "90 % of replications",
            c,
            Swatch::Band(OUTER),
        ));
    }
    let mut notes = Vec::new();
    for r in runs {
        let who = super::who(r, several);
        match r.replications.len() {
            0 => notes.push(format!(
                "Note: {who}no data: the run has no reported months"
            )),
            1 => notes.push(format!(
                "Note: {who}single replication: no uncertainty bands"
            )),
            _ => {}
        }
    }
    FrameText {
        title: ind.title(super::place(runs).as_deref()),
        legend,
        notes,
        caption: vec![
            format!(
                "{} National figure: {}.",
                match (bands, super::parameter_sets(runs)) {
                    (true, None) =>
                        "Line: median across replications. Bands: the middle 50 % and 90 % of \
                     replications, showing the model's chance variation for one set of \
                     assumptions (not uncertainty in the assumptions)."
                            .to_string(),
                    (true, sets) => format!(
                        "Line: median across replications. Bands: the middle 50 % and 90 % of \
                         replications ({}; replication i uses set i mod M).",
                        super::bands_show(sets)
                    ),
                    (false, _) =>
                        "Line: the national figure of the one replication run; one replication \
                     cannot show the model's chance variation."
                            .to_string(),
                },
                ind.method()
            ),
            super::provenance(runs),
        ],
    }
}

pub fn draw<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    runs: &[RunData],
    ind: Indicator,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let fans: Vec<Vec<FanPoint>> = runs.iter().map(|r| fan(&r.national, ind)).collect();
    let points = || fans.iter().flatten();
    if points().next().is_none() {
        return style::empty_note(plot, "No reported months to draw");
    }
    let last = points().map(|p| p.month).max().unwrap_or(12);
    let axis = style::TimeAxis {
        start: runs.first().and_then(|r| r.start),
    };
    let x_max = axis.x_max(last);
    let lo = points().map(|p| p.q[0]).fold(f64::INFINITY, f64::min);
    let hi = points().map(|p| p.q[4]).fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = style::padded(lo, hi, ind.min_span());

    let mut chart = ChartBuilder::on(plot)
        .margin_top(20)
        .x_label_area_size(130)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..x_max, y0..y1)?;
    let percent = ind.percent();
    let yd = style::decimals(y0, y1, 7);
    style::mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(x_max as usize + 1)
        .y_labels(7)
        .x_label_formatter(&|v| axis.label(*v))
        .y_label_formatter(&|v| style::tick(*v, yd, percent))
        .x_desc(axis.desc())
        .y_desc(ind.axis())
        .draw()?;

    let x = |p: &FanPoint| axis.x(p.month);
    for (i, f) in fans.iter().enumerate() {
        if runs[i].replications.len() < 2 || f.len() < 2 {
            continue;
        }
        let c = style::scenario_colour(i);
        let (outer, inner) = if runs.len() > 1 {
            (OUTER_OVERLAY, INNER_OVERLAY)
        } else {
            (OUTER, INNER)
        };
        draw_bands(&mut chart, axis, f, c, (outer, inner))?;
    }
    for (i, f) in fans.iter().enumerate() {
        let c = style::scenario_colour(i);
        if f.len() == 1 {
            chart.draw_series(
                f.iter()
                    .map(|p| Circle::new((x(p), p.q[2]), 10, c.filled())),
            )?;
        } else {
            chart.draw_series(LineSeries::new(
                f.iter().map(|p| (x(p), p.q[2])),
                c.stroke_width(6),
            ))?;
        }
    }
    Ok(())
}

/// Draws the 90 % and 50 % bands of the fan `f` (x in years) in colour `c`
/// with opacities `(outer, inner)`.
pub(super) fn draw_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, style::Coord>,
    axis: style::TimeAxis,
    f: &[FanPoint],
    c: RGBColor,
    (outer, inner): (f64, f64),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let x = |p: &FanPoint| axis.x(p.month);
    for (lo, hi, alpha) in [(0, 4, outer), (1, 3, inner)] {
        let band: Vec<(f64, f64)> = f
            .iter()
            .map(|p| (x(p), p.q[hi]))
            .chain(f.iter().rev().map(|p| (x(p), p.q[lo])))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, c.mix(alpha).filled())))?;
    }
    Ok(())
}
