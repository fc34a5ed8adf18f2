//! Box plots of trust outcomes at the horizon, side by side for engagement
//! and quality: by trust type, or by the number of chief executives a trust
//! had in the last three years. Each observation is one trust in one
//! replication (final-year means); several runs sit side by side in each
//! group, one colour per scenario.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{RunData, TrustHorizon};
use super::style::{self, Coord, Drawn, FrameText, LegendItem, Swatch};
use crate::stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    TrustType,
    CeoCount,
}

/// Fewer observations than this are drawn as points, not a box.
const MIN_BOX: usize = 5;
const TYPE_ORDER: [&str; 4] = ["acute", "mental_health", "community", "ambulance"];

struct Outcome {
    axis: &'static str,
    min_span: f64,
    value: fn(&TrustHorizon) -> f64,
}

const OUTCOMES: [Outcome; 2] = [
    Outcome {
        axis: "Staff engagement (score, 0-10)",
        min_span: 0.4,
        value: |t| t.engagement,
    },
    Outcome {
        axis: "Quality index (0-100)",
        min_span: 6.0,
        value: |t| t.quality,
    },
];

/// The groups along the x axis: (label, member test).
/// A group on the x axis: its label and which trusts belong to it.
type Group = (String, Box<dyn Fn(&TrustHorizon) -> bool>);

fn groups(runs: &[RunData], g: Grouping) -> Vec<Group> {
    match g {
        Grouping::TrustType => {
            let mut types: Vec<String> = TYPE_ORDER.iter().map(|s| s.to_string()).collect();
            for r in runs {
                for t in &r.trusts {
                    if !types.contains(&t.trust_type) {
                        types.push(t.trust_type.clone());
                    }
                }
            }
            types
                .into_iter()
                .filter(|ty| {
                    runs.iter()
                        .any(|r| r.trusts.iter().any(|t| &t.trust_type == ty))
                })
                .map(|ty| {
                    let label = super::pretty(&ty);
                    let f: Box<dyn Fn(&TrustHorizon) -> bool> =
                        Box::new(move |t: &TrustHorizon| t.trust_type == ty);
                    (label, f)
                })
                .collect()
        }
        Grouping::CeoCount => (1..=4u32)
            .map(|k| {
                let label = if k == 4 {
                    "4 or more".to_string()
                } else {
                    k.to_string()
                };
                let f: Box<dyn Fn(&TrustHorizon) -> bool> =
                    Box::new(
                        move |t: &TrustHorizon| {
                            if k == 4 { t.ceos >= 4 } else { t.ceos == k }
                        },
                    );
                (label, f)
            })
            .collect(),
    }
}

fn window_years(runs: &[RunData]) -> String {
    let w = runs.iter().map(|r| r.ceo_window_months).max().unwrap_or(36);
    if w == 36 {
        "3 years".into()
    } else {
        format!("{w} months")
    }
}

pub fn describe(runs: &[RunData], g: Grouping) -> FrameText {
    let several = runs.len() > 1;
    let legend = if several {
        runs.iter()
            .enumerate()
            .map(|(i, r)| {
                LegendItem::new(r.label.clone(), style::scenario_colour(i), Swatch::Boxed)
            })
            .collect()
    } else {
        vec![]
    };
    let notes = super::missing_notes(
        runs,
        |r| r.trusts.is_empty(),
        "no data: the run has no reported months",
    );
    let how = "Box: middle 50 % of trusts; line: median; whiskers: 5th to 95th percentile; \
               groups with fewer than 5 trusts are shown as points. Each trust in each \
               replication counts once, with its mean over the final year. Numbers above the \
               boxes: trusts x replications in the group.";
    let (title, what) = match g {
        Grouping::TrustType => (
            "Staff engagement and quality of care by type of trust, final year".to_string(),
            "The spread shows differences between trusts and between replications.".to_string(),
        ),
        Grouping::CeoCount => {
            let w = window_years(runs);
            (
                format!("Trust outcomes by number of chief executives in the last {w}"),
                format!(
                    "Chief executives counted: everyone in post, permanent or interim, at any \
                     time in the last {w}. An association, not an \
                     effect: trusts in difficulty also change chief executive more often."
                ),
            )
        }
    };
    FrameText {
        title,
        legend,
        notes,
        caption: vec![format!("{how} {what}"), super::provenance(runs)],
    }
}

pub fn draw<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    runs: &[RunData],
    g: Grouping,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    if runs.iter().all(|r| r.trusts.is_empty()) {
        return style::empty_note(plot, "No trusts to draw");
    }
    let groups = groups(runs, g);
    let panels = plot.split_evenly((1, OUTCOMES.len()));
    for (panel, outcome) in panels.iter().zip(&OUTCOMES) {
        draw_panel(panel, runs, g, &groups, outcome)?;
    }
    Ok(())
}

/// The sorted values of `outcome` per group and run.
fn panel_values(runs: &[RunData], groups: &[Group], outcome: &Outcome) -> Vec<Vec<Vec<f64>>> {
    groups
        .iter()
        .map(|(_, member)| {
            runs.iter()
                .map(|r| {
                    stats::sorted(
                        &r.trusts
                            .iter()
                            .filter(|t| member(t))
                            .map(outcome.value)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect()
        })
        .collect()
}

/// One outcome's panel: its axes, the group names and a box per group and run.
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    runs: &[RunData],
    g: Grouping,
    groups: &[Group],
    outcome: &Outcome,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let values = panel_values(runs, groups, outcome);
    let all = || values.iter().flatten().flatten();
    let lo = all().copied().fold(f64::INFINITY, f64::min);
    let hi = all().copied().fold(f64::NEG_INFINITY, f64::max);
    let (y0, mut y1) = style::padded(lo, hi, outcome.min_span);
    // Room for the n labels above the boxes.
    y1 += 0.08 * (y1 - y0);
    let k = groups.len().max(1);
    let yd = style::decimals(y0, y1, 7);
    let x = -0.5..k as f64 - 0.5;
    let labels: Vec<String> = groups.iter().map(|(l, _)| l.clone()).collect();
    let mut chart = ChartBuilder::on(panel)
        .margin_top(20)
        .margin_right(40)
        .x_label_area_size(if g == Grouping::TrustType { 190 } else { 130 })
        .y_label_area_size(200)
        .build_cartesian_2d(x, y0..y1)?;
    let x_desc = match g {
        Grouping::TrustType => "Type of trust".to_string(),
        Grouping::CeoCount => format!("Chief executives in the last {}", window_years(runs)),
    };
    style::mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(k)
        .y_labels(7)
        // Category names are drawn below, wrapped to their slot.
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| style::tick(*v, yd, false))
        .x_desc(x_desc)
        .y_desc(outcome.axis)
        .draw()?;
    category_labels(panel, &chart, &labels, y0)?;
    let n_runs = runs.len();
    let slot = 0.8 / n_runs as f64;
    for (gi, per_run) in values.iter().enumerate() {
        for (ri, v) in per_run.iter().enumerate() {
            let centre = gi as f64 - 0.4 + slot * (ri as f64 + 0.5);
            draw_box(
                &mut chart,
                v,
                centre,
                slot * 0.7,
                style::scenario_colour(ri),
                y1,
                n_runs,
            )?;
        }
    }
    Ok(())
}

/// Writes each category name under its tick, on two lines if it is wider
/// than its slot.
fn category_labels<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Coord>,
    labels: &[String],
    y0: f64,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let style = style::anchored(
        style::text(style::TICK, style::INK),
        HPos::Center,
        VPos::Top,
    );
    let base = panel.get_base_pixel();
    let slot = if labels.len() > 1 {
        chart.backend_coord(&(1.0, y0)).0 - chart.backend_coord(&(0.0, y0)).0
    } else {
        i32::MAX
    };
    for (i, label) in labels.iter().enumerate() {
        let p = chart.backend_coord(&(i as f64, y0));
        let (w, _) = panel.estimate_text_size(label, &style)?;
        let lines: Vec<String> = match label.split_once(' ') {
            Some((a, b)) if w as i32 > slot * 9 / 10 => vec![a.to_string(), b.to_string()],
            _ => vec![label.clone()],
        };
        for (j, line) in lines.iter().enumerate() {
            panel.draw_text(
                line,
                &style,
                (
                    p.0 - base.0,
                    p.1 - base.1 + 22 + j as i32 * (style::TICK * 1.15) as i32,
                ),
            )?;
        }
    }
    Ok(())
}

fn draw_box<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    v: &[f64],
    centre: f64,
    width: f64,
    colour: RGBColor,
    y_top: f64,
    n_runs: usize,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    if v.is_empty() {
        return Ok(());
    }
    let half = width / 2.0;
    if v.len() < MIN_BOX {
        chart.draw_series(
            v.iter()
                .map(|y| Circle::new((centre, *y), 10, colour.filled())),
        )?;
    } else {
        let q = [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| stats::quantile(v, p));
        let line = colour.stroke_width(4);
        for (a, b) in [(q[0], q[1]), (q[3], q[4])] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(centre, a), (centre, b)],
                line,
            )))?;
        }
        for y in [q[0], q[4]] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(centre - half / 2.0, y), (centre + half / 2.0, y)],
                line,
            )))?;
        }
        chart.draw_series(std::iter::once(Rectangle::new(
            [(centre - half, q[1]), (centre + half, q[3])],
            colour.mix(0.3).filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(centre - half, q[1]), (centre + half, q[3])],
            line,
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(centre - half, q[2]), (centre + half, q[2])],
            colour.stroke_width(8),
        )))?;
    }
    // Counts above the boxes: "n = 36" for one run, "36" side by side.
    if n_runs <= 3 {
        let style = style::anchored(
            style::text(style::CAPTION, style::MUTED),
            HPos::Center,
            VPos::Top,
        );
        chart.draw_series(std::iter::once(Text::new(
            if n_runs == 1 {
                format!("n = {}", v.len())
            } else {
                v.len().to_string()
            },
            (centre, y_top),
            style,
        )))?;
    }
    Ok(())
}
