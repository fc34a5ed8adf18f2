//! Trust-level scatter of staff engagement against the mortality ratio at
//! the horizon, coloured (and shaped) by rating; one panel per run.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::RunData;
use super::style::{self, Coord, Drawn, FrameText, LegendItem, Marker, Swatch};
use crate::stats;

/// Ratings, best first, with their colour and marker.
const RATINGS: [(&str, &str, RGBColor, Marker); 4] = [
    (
        "outstanding",
        "Outstanding",
        style::BLUISH_GREEN,
        Marker::Circle,
    ),
    ("good", "Good", style::BLUE, Marker::Square),
    (
        "requires_improvement",
        "Requires improvement",
        style::ORANGE,
        Marker::Triangle,
    ),
    (
        "inadequate",
        "Inadequate",
        style::VERMILLION,
        Marker::Diamond,
    ),
];

fn rating(name: &str) -> (RGBColor, Marker) {
    RATINGS
        .iter()
        .find(|r| r.0 == name)
        .map_or((style::MUTED, Marker::Circle), |r| (r.2, r.3))
}

pub fn describe(runs: &[RunData]) -> FrameText {
    let legend = RATINGS
        .iter()
        .map(|(_, label, c, m)| LegendItem::new(*label, *c, Swatch::Marker(*m)))
        .chain(std::iter::once(LegendItem::new(
            "Mortality as expected (ratio 1)",
            style::REFERENCE,
            Swatch::Dashed,
        )))
        .collect();
    let notes = super::missing_notes(
        runs,
        |r| r.trusts.is_empty(),
        "no data: the run has no reported months",
    );
    FrameText {
        title: "Staff engagement and mortality by trust, final year".into(),
        legend,
        notes,
        caption: vec![
            "Each point is one trust in one replication: its mean engagement and mortality \
             ratio over the final year, coloured by its rating at the end. Mortality ratio: \
             observed over expected deaths (1 = as expected, lower is better). r: Pearson \
             correlation."
                .into(),
            super::provenance(runs),
        ],
    }
}

pub fn draw<DB: DrawingBackend>(plot: &DrawingArea<DB, Shift>, runs: &[RunData]) -> Drawn
where
    DB::ErrorType: 'static,
{
    draw_highlighting(plot, runs, None)
}

/// As [`draw`], with trust `highlight`'s points (one per replication) ringed.
pub fn draw_highlighting<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    runs: &[RunData],
    highlight: Option<u32>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let all = || runs.iter().flat_map(|r| &r.trusts);
    if all().next().is_none() {
        return style::empty_note(plot, "No trusts to draw");
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    let ex: Vec<f64> = all().filter_map(|t| finite(t.engagement)).collect();
    let my: Vec<f64> = all()
        .filter_map(|t| finite(t.mortality))
        .chain([1.0])
        .collect();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let x = style::padded(min(&ex), max(&ex), 0.4);
    let y = style::padded(min(&my), max(&my), 0.2);
    let panels = plot.split_evenly((1, runs.len()));
    let several = runs.len() > 1;
    for (i, (panel, run)) in panels.iter().zip(runs).enumerate() {
        draw_panel(panel, run, i, several, x, y)?;
        if let Some(id) = highlight {
            ring(panel, run, id, x, y)?;
        }
    }
    Ok(())
}

/// Rings around trust `id`'s points, drawn over a panel laid out as
/// [`draw_panel`] lays it out.
fn ring<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    run: &RunData,
    id: u32,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(panel)
        .margin_top(20)
        .margin_right(40)
        .x_label_area_size(130)
        .y_label_area_size(200)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let points = run
        .trusts
        .iter()
        .filter(|t| t.trust_id == id && t.engagement.is_finite() && t.mortality.is_finite());
    chart.draw_series(
        points.map(|t| Circle::new((t.engagement, t.mortality), 24, style::INK.stroke_width(5))),
    )?;
    Ok(())
}

/// The panel of run `i` over the shared ranges `(x0, x1)` and `(y0, y1)`:
/// axes (the y axis titled on the first panel only), the reference line,
/// the trusts and their correlation.
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    run: &RunData,
    i: usize,
    several: bool,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (xd, yd) = (style::decimals(x0, x1, 6), style::decimals(y0, y1, 7));
    let mut builder = ChartBuilder::on(panel);
    builder
        .margin_top(20)
        .margin_right(40)
        .x_label_area_size(130)
        .y_label_area_size(if i == 0 { 200 } else { 130 });
    if several {
        builder.caption(
            &run.label,
            style::bold(style::AXIS, style::scenario_colour(i)),
        );
    }
    let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
    style::mesh(&mut chart)
        .x_labels(6)
        .y_labels(7)
        .x_label_formatter(&|v| style::tick(*v, xd, false))
        .y_label_formatter(&|v| style::tick(*v, yd, false))
        .x_desc("Staff engagement (score, 0-10)")
        .y_desc(if i == 0 {
            "Mortality ratio (observed / expected)"
        } else {
            ""
        })
        .draw()?;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(x0, 1.0), (x1, 1.0)],
        22,
        14,
        style::REFERENCE.stroke_width(3),
    )))?;
    draw_trusts(&mut chart, run)?;
    draw_correlation(&mut chart, run, (x0, x1), (y0, y1))
}

/// One marker per trust, coloured and shaped by its rating (grey circles for
/// an unknown rating); smaller and fainter the more trusts there are.
fn draw_trusts<DB: DrawingBackend>(chart: &mut ChartContext<'_, DB, Coord>, run: &RunData) -> Drawn
where
    DB::ErrorType: 'static,
{
    let n = run.trusts.len();
    let (r, alpha) = match n {
        0..=300 => (13, 0.85),
        301..=2000 => (10, 0.6),
        _ => (7, 0.4),
    };
    // Worst ratings last, so they stay visible.
    let area = chart.plotting_area().strip_coord_spec();
    for (name, ..) in RATINGS {
        for t in run.trusts.iter().filter(|t| t.rating == name) {
            if !(t.engagement.is_finite() && t.mortality.is_finite()) {
                continue;
            }
            let (c, m) = rating(&t.rating);
            let px = chart.backend_coord(&(t.engagement, t.mortality));
            let base = area.get_base_pixel();
            style::draw_marker(
                &area,
                m,
                (px.0 - base.0, px.1 - base.1),
                r,
                c.mix(alpha).filled(),
            )?;
        }
    }
    for t in run
        .trusts
        .iter()
        .filter(|t| RATINGS.iter().all(|r| r.0 != t.rating))
    {
        chart.draw_series(std::iter::once(Circle::new(
            (t.engagement, t.mortality),
            r,
            style::MUTED.mix(alpha).filled(),
        )))?;
    }
    Ok(())
}

/// The Pearson correlation of the run's trusts, in the top right corner
/// (nothing if it is undefined).
fn draw_correlation<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    run: &RunData,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (xs, ys): (Vec<f64>, Vec<f64>) = run
        .trusts
        .iter()
        .filter(|t| t.engagement.is_finite() && t.mortality.is_finite())
        .map(|t| (t.engagement, t.mortality))
        .unzip();
    let rho = stats::correlation(&xs, &ys);
    if rho.is_finite() {
        let s = style::anchored(
            style::text(style::LEGEND, style::INK),
            HPos::Right,
            VPos::Top,
        );
        chart.draw_series(std::iter::once(Text::new(
            format!("r = {rho:.2} (n = {})", xs.len()),
            (x1 - 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0)),
            s,
        )))?;
    }
    Ok(())
}
