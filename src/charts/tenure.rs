//! CEO tenure: Kaplan-Meier survival of permanent chief executive spells
//! (delayed entry and censoring respected) with a 95 % band, the median
//! marked and the evidence reference drawn as a labelled line.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{RunData, SurvivalStep, survival_band};
use super::style::{self, Coord, Drawn, FrameText, LegendItem, Swatch};
use crate::metrics::metric;
use crate::stats::{self, Observation};

/// The evidence reference: about 3 years (the calibration target's source).
const EVIDENCE_YEARS: f64 = 3.0;
const BAND: f64 = 0.22;
/// Lighter when curves overlap, so bands do not mix into a muddy colour.
const BAND_OVERLAY: f64 = 0.12;

fn evidence_source() -> &'static str {
    metric("ceo_tenure_median_years")
        .and_then(|m| m.target)
        .map_or("", |t| t.source)
}

struct Curve {
    steps: Vec<SurvivalStep>,
    /// Last observed time (months): where the curve stops.
    end: f64,
    median: Option<f64>,
}

fn curve(obs: &[Observation]) -> Option<Curve> {
    if obs.is_empty() {
        return None;
    }
    let km = stats::kaplan_meier(obs);
    Some(Curve {
        median: km.median(),
        steps: survival_band(&km),
        end: obs.iter().map(|o| o.exit).fold(0.0, f64::max),
    })
}

pub fn describe(runs: &[RunData]) -> FrameText {
    let several = runs.len() > 1;
    let mut legend = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        if !r.tenure.is_empty() {
            legend.push(LegendItem::new(
                if several {
                    r.label.clone()
                } else {
                    "Share still in post".into()
                },
                style::scenario_colour(i),
                Swatch::Line,
            ));
        }
    }
    if runs.iter().any(|r| !r.tenure.is_empty()) {
        legend.push(LegendItem::new(
            "95 % confidence band",
            if several {
                style::MUTED
            } else {
                style::scenario_colour(0)
            },
            Swatch::Band(BAND),
        ));
    }
    legend.push(LegendItem::new(
        "Evidence: median about 3 years",
        style::REFERENCE,
        Swatch::Dashed,
    ));
    let notes = super::missing_notes(
        runs,
        |r| r.tenure.is_empty(),
        "no permanent CEO spells, so no survival curve",
    );
    let counts = runs
        .iter()
        .map(|r| {
            let ended = r.tenure.iter().filter(|o| o.event).count();
            let n = format!("{} spells, {} ended", r.tenure.len(), ended);
            if several {
                format!("{}: {n}", r.label)
            } else {
                n
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    FrameText {
        title: "How long chief executives stay in post".into(),
        legend,
        notes,
        caption: vec![
            format!(
                "Kaplan-Meier estimate over the permanent chief executive spells of all \
                 replications pooled ({counts}). Spells still running at the end are censored; \
                 spells that began before the reported period enter late. Band: pointwise \
                 95 % confidence interval (Greenwood, log-log). Evidence: {}.",
                evidence_source()
            ),
            super::provenance(runs),
        ],
    }
}

/// The step outline of `f` (survival, lower or upper limit) from time 0 to
/// `end`, in years and percent.
fn steps(c: &Curve, f: impl Fn(&SurvivalStep) -> f64, x_max: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(0.0, 100.0)];
    let mut prev = 100.0;
    for s in &c.steps {
        let t = (s.time / 12.0).min(x_max);
        pts.push((t, prev));
        prev = 100.0 * f(s);
        pts.push((t, prev));
    }
    pts.push(((c.end / 12.0).min(x_max), prev));
    pts
}

/// The curves that exist, with the index of their run (for its colour).
fn present(curves: &[Option<Curve>]) -> impl Iterator<Item = (usize, &Curve)> {
    curves
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
}

pub fn draw<DB: DrawingBackend>(plot: &DrawingArea<DB, Shift>, runs: &[RunData]) -> Drawn
where
    DB::ErrorType: 'static,
{
    let curves: Vec<Option<Curve>> = runs.iter().map(|r| curve(&r.tenure)).collect();
    if curves.iter().all(Option::is_none) {
        return style::empty_note(plot, "No permanent CEO spells to draw");
    }
    let end = curves
        .iter()
        .flatten()
        .map(|c| c.end / 12.0)
        .fold(EVIDENCE_YEARS + 1.0, f64::max);
    let x_max = end.ceil().min(20.0);
    let mut chart = ChartBuilder::on(plot)
        .margin_top(20)
        .x_label_area_size(130)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..x_max, 0.0..100.0)?;
    style::mesh(&mut chart)
        .disable_x_mesh()
        .x_labels((x_max as usize + 1).min(21))
        .y_labels(6)
        .x_label_formatter(&|v| style::tick(*v, 0, false))
        .y_label_formatter(&|v| style::tick(*v, 0, true))
        .x_desc("Years since appointment")
        .y_desc("Chief executives still in post (%)")
        .draw()?;

    // Evidence reference.
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(EVIDENCE_YEARS, 0.0), (EVIDENCE_YEARS, 100.0)],
        22,
        14,
        style::REFERENCE.stroke_width(4),
    )))?;
    let alpha = if runs.len() > 1 { BAND_OVERLAY } else { BAND };
    for (i, c) in present(&curves) {
        let hi = steps(c, |s| s.hi, x_max);
        let lo = steps(c, |s| s.lo, x_max);
        let band: Vec<(f64, f64)> = hi.iter().copied().chain(lo.into_iter().rev()).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            style::scenario_colour(i).mix(alpha).filled(),
        )))?;
    }
    for (i, c) in present(&curves) {
        chart.draw_series(std::iter::once(PathElement::new(
            steps(c, |s| s.survival, x_max),
            style::scenario_colour(i).stroke_width(6),
        )))?;
    }
    draw_medians(&mut chart, &curves, x_max)?;
    let label = style::anchored(
        style::text(style::LEGEND, style::REFERENCE),
        HPos::Left,
        VPos::Top,
    );
    style::chart_label(
        &chart,
        "Evidence: median about 3 years",
        &label,
        (EVIDENCE_YEARS, 98.0),
        (20, 0),
    )
}

/// Each curve's median: a dotted guide from 50 % to the axis and the value,
/// or a label saying that over half are still in post.
fn draw_medians<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    curves: &[Option<Curve>],
    x_max: f64,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    for (k, (i, c)) in present(curves).enumerate() {
        let k = k as i32;
        let colour = style::scenario_colour(i);
        let Some(m) = c.median else {
            let style = style::anchored(style::bold(style::LEGEND, colour), HPos::Right, VPos::Top);
            style::chart_label(
                chart,
                "Median not reached: over half still in post",
                &style,
                (x_max, 80.0),
                (-20, 70 * k),
            )?;
            continue;
        };
        let m = m / 12.0;
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 50.0), (m, 50.0), (m, 0.0)],
            10,
            10,
            colour.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(Circle::new((m, 50.0), 12, colour.filled())))?;
        let style = style::anchored(style::bold(style::LEGEND, colour), HPos::Left, VPos::Center);
        style::chart_label(
            chart,
            &format!("Median {m:.1} years"),
            &style,
            (m, 50.0),
            (30, -60 - 70 * k),
        )?;
    }
    Ok(())
}
