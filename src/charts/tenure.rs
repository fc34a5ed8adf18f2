//! CEO tenure: Kaplan-Meier survival of permanent chief executive spells
//! (delayed entry and censoring respected), one curve per replication, drawn
//! as their median with the middle 90 % of replications and the median tenure
//! marked. No published figure describes completed tenures (the evidence on
//! tenure is of sitting CEOs' time in post, checked in the calibration
//! table), so the chart draws no evidence line and its caption says so.
//!
//! The marked median is the headline's "CEO tenure, KM median": the same
//! function of each replication's spells ([`metrics::ceo_tenure_median_years`])
//! summarised across replications as the summary table does
//! ([`SummaryRow::of`]), so the chart and the table print the same number
//! (before, the chart pooled every replication's spells into one curve and
//! marked its median, 2.7 years, beside the table's 2.92).

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::RunData;
use super::style::{self, Coord, Drawn, FrameText, LegendItem, Swatch};
use crate::metrics::{self, metric};
use crate::output::SummaryRow;
use crate::stats::{self, Observation};

/// The shortest x axis, in years.
const MIN_YEARS: f64 = 4.0;
const BAND: f64 = 0.22;
/// Lighter when curves overlap, so bands do not mix into a muddy colour.
const BAND_OVERLAY: f64 = 0.12;
/// The metric whose median the chart marks.
const KEY: &str = "ceo_tenure_median_years";

/// What the caption says of the evidence: the calibration target on time in
/// post, which is not a completed tenure.
fn evidence_note() -> String {
    metric("ceo_time_in_post_median_years")
        .and_then(|m| m.target)
        .map_or(String::new(), |t| {
            format!(
                " No published figure describes completed tenures: the evidence on tenure is of \
                 sitting chief executives' time in post (median {}, checked in the calibration \
                 table with its sources). A completed tenure is longer than the time in post of \
                 those still serving, which counts each spell only up to the day of the count.",
                t.evidence
            )
        })
}

/// One step of the curve across replications: at `time` (months), the
/// median and the 5th and 95th percentiles of the replications' survival.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    time: f64,
    median: f64,
    lo: f64,
    hi: f64,
}

struct Curve {
    steps: Vec<Step>,
    /// Last observed time (months): where the curve stops.
    end: f64,
    /// Replications with at least one permanent spell.
    replications: usize,
    /// The headline's median tenure across replications (years), if any
    /// replication's curve reaches one half.
    median: Option<SummaryRow>,
}

/// The observations grouped by replication, in replication order.
pub fn by_replication(tenure: &[(u32, Observation)]) -> Vec<Vec<Observation>> {
    let mut reps: Vec<u32> = tenure.iter().map(|(r, _)| *r).collect();
    reps.sort_unstable();
    reps.dedup();
    reps.iter()
        .map(|r| {
            tenure
                .iter()
                .filter(|(x, _)| x == r)
                .map(|(_, o)| *o)
                .collect()
        })
        .collect()
}

/// The median tenure of these spells across replications, computed as the
/// summary table computes the headline's (the metric of each replication,
/// then its distribution across replications).
pub fn median_tenure(tenure: &[(u32, Observation)]) -> SummaryRow {
    let values: Vec<f64> = by_replication(tenure)
        .iter()
        .map(|o| metrics::ceo_tenure_median_years(o))
        .collect();
    SummaryRow::of(KEY, &values)
}

fn curve(tenure: &[(u32, Observation)]) -> Option<Curve> {
    let reps = by_replication(tenure);
    if reps.is_empty() {
        return None;
    }
    let kms: Vec<stats::Survival> = reps.iter().map(|o| stats::kaplan_meier(o)).collect();
    let mut times: Vec<f64> = kms
        .iter()
        .flat_map(|k| k.steps.iter().map(|s| s.0))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let steps = times
        .into_iter()
        .map(|time| {
            let v = stats::sorted(&kms.iter().map(|k| k.at(time)).collect::<Vec<f64>>());
            Step {
                time,
                median: stats::quantile(&v, 0.5),
                lo: stats::quantile(&v, 0.05),
                hi: stats::quantile(&v, 0.95),
            }
        })
        .collect();
    let median = median_tenure(tenure);
    Some(Curve {
        steps,
        end: tenure.iter().map(|(_, o)| o.exit).fold(0.0, f64::max),
        replications: reps.len(),
        median: (median.n > 0).then_some(median),
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
                    "Share still in post (median across replications)".into()
                },
                style::scenario_colour(i),
                Swatch::Line,
            ));
        }
    }
    if runs.iter().any(|r| by_replication(&r.tenure).len() > 1) {
        legend.push(LegendItem::new(
            "90 % of replications",
            if several {
                style::MUTED
            } else {
                style::scenario_colour(0)
            },
            Swatch::Band(BAND),
        ));
    }
    let mut notes = super::missing_notes(
        runs,
        |r| r.tenure.is_empty(),
        "no permanent CEO spells, so no survival curve",
    );
    notes.extend(super::missing_notes(
        runs,
        |r| by_replication(&r.tenure).len() == 1,
        "single replication: no uncertainty bands",
    ));
    let m = metric(KEY);
    let counts = runs
        .iter()
        .filter(|r| !r.tenure.is_empty())
        .map(|r| {
            let ended = r.tenure.iter().filter(|(_, o)| o.event).count();
            let row = median_tenure(&r.tenure);
            let median = match m {
                Some(m) if row.n > 0 => format!(
                    "median {} years, 90 % of replications {} to {}",
                    m.format(row.p50),
                    m.format(row.p05),
                    m.format(row.p95)
                ),
                _ => "median not reached".into(),
            };
            let n = format!(
                "{} spells, {} ended, over {} replications; {median}",
                r.tenure.len(),
                ended,
                by_replication(&r.tenure).len()
            );
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
                "Kaplan-Meier estimate of each replication's permanent chief executive spells ({counts}); \
                 line: the median across replications at each time, band: the middle 90 % of replications. \
                 Spells still running at the end are censored; spells that began before the reported period \
                 enter late. The marked median is the key outcomes' \"CEO tenure, KM median\": the median \
                 across replications of each replication's Kaplan-Meier median.{}",
                evidence_note()
            ),
            super::provenance(runs),
        ],
    }
}

/// The step outline of `f` (median, lower or upper percentile) from time 0
/// to `end`, in years and percent.
fn steps(c: &Curve, f: impl Fn(&Step) -> f64, x_max: f64) -> Vec<(f64, f64)> {
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
        .fold(MIN_YEARS, f64::max);
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

    let alpha = if runs.len() > 1 { BAND_OVERLAY } else { BAND };
    for (i, c) in present(&curves).filter(|(_, c)| c.replications > 1) {
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
            steps(c, |s| s.median, x_max),
            style::scenario_colour(i).stroke_width(6),
        )))?;
    }
    draw_medians(&mut chart, &curves, x_max)
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
        let Some(row) = &c.median else {
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
        let m = row.p50;
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
            &format!(
                "Median {} years",
                metric(KEY).map_or(format!("{m:.2}"), |d| d.format(m))
            ),
            &style,
            (m, 50.0),
            (30, -60 - 70 * k),
        )?;
    }
    Ok(())
}
