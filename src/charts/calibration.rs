//! The charts of a calibration: each run's implausibility by wave against
//! the cut-off; the space left, as pairwise scatter plots of the parameters;
//! and each target's model range, by wave and over the plausible sets,
//! against its evidence.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ChartError;
use super::style::{self, Drawn, FrameText, LegendItem, Swatch};
use crate::calibrate::plan::Plan;
use crate::calibrate::run::Outcome;
use crate::calibrate::store::Summary;

/// Implausibility drawn at most this high; larger values sit on the top edge.
const SHOWN_MAX: f64 = 10.0;

fn provenance(plan: &Plan, summary: &Summary) -> String {
    format!(
        "History matching of {} parameters against {} targets; {} waves, {} replications per point, cut-off {}; trustsim {} ({})",
        plan.parameters.len(),
        plan.targets.len(),
        summary.waves.len(),
        plan.replications,
        plan.cutoff,
        env!("CARGO_PKG_VERSION"),
        summary.build
    )
}

/// Writes the three charts into `out_dir`; returns the files written.
pub fn render(
    out_dir: &Path,
    plan: &Plan,
    outcome: &Outcome,
    summary: &Summary,
) -> Result<Vec<PathBuf>, ChartError> {
    let prov = provenance(plan, summary);
    let mut canvas = super::Canvas::default();
    let mut files = Vec::with_capacity(6);
    files.extend(super::draw_files(
        &mut canvas,
        &Implausibility {
            plan,
            outcome,
            prov: &prov,
        },
        out_dir,
        "implausibility_by_wave",
    )?);
    files.extend(super::draw_files(
        &mut canvas,
        &Space {
            plan,
            outcome,
            prov: &prov,
        },
        out_dir,
        "space_left",
    )?);
    files.extend(super::draw_files(
        &mut canvas,
        &Targets {
            summary,
            prov: &prov,
        },
        out_dir,
        "targets_by_wave",
    )?);
    super::synced(files)
}

struct Implausibility<'a> {
    plan: &'a Plan,
    outcome: &'a Outcome,
    prov: &'a str,
}

impl super::Figure for Implausibility<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let cutoff = self.plan.cutoff;
        let text = FrameText {
            title: "Implausibility of each run, by wave".into(),
            legend: vec![
                LegendItem::new(
                    "Non-implausible point",
                    style::BLUE,
                    Swatch::Marker(style::Marker::Circle),
                ),
                LegendItem::new(
                    "Ruled out",
                    style::MUTED,
                    Swatch::Marker(style::Marker::Circle),
                ),
                LegendItem::new(
                    format!("Cut-off {cutoff}"),
                    style::VERMILLION,
                    Swatch::Dashed,
                ),
            ],
            notes: vec![],
            caption: vec![
                format!(
                    "Each dot is one design point: the largest, over the targets, of |target - mean of its replications| / sqrt(observation and discrepancy variance + the model's own variance). Values above {SHOWN_MAX} are drawn at {SHOWN_MAX}. Later waves' points are chosen where the emulators of the earlier waves did not rule the space out."
                ),
                self.prov.to_string(),
            ],
        };
        let waves = self.outcome.implausibility.len().max(1);
        style::figure(root, &text, |area| {
            let mut chart = ChartBuilder::on(area)
                .x_label_area_size(110)
                .y_label_area_size(140)
                .build_cartesian_2d(0.5..waves as f64 + 0.5, 0.0..SHOWN_MAX * 1.05)?;
            style::mesh(&mut chart)
                .x_labels(waves)
                .x_label_formatter(&|x| format!("{}", x.round() as i64))
                .x_desc("Wave")
                .y_desc("Largest implausibility")
                .draw()?;
            for (w, points) in self.outcome.implausibility.iter().enumerate() {
                let n = points.len().max(1);
                for (p, imp) in points.iter().enumerate() {
                    let m = imp.iter().copied().fold(0.0, f64::max).min(SHOWN_MAX);
                    let jitter = ((p * 7919) % n) as f64 / n as f64 * 0.5 - 0.25;
                    let colour = if m <= cutoff {
                        style::BLUE
                    } else {
                        style::MUTED
                    };
                    chart.draw_series(std::iter::once(Circle::new(
                        (w as f64 + 1.0 + jitter, m),
                        9,
                        colour.mix(0.75).filled(),
                    )))?;
                }
            }
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(0.5, cutoff), (waves as f64 + 0.5, cutoff)],
                16,
                10,
                style::VERMILLION.stroke_width(5),
            )))?;
            Ok(())
        })
    }
}

struct Space<'a> {
    plan: &'a Plan,
    outcome: &'a Outcome,
    prov: &'a str,
}

impl Space<'_> {
    /// Every run point (grey) and the plausible sets (blue), in parameter
    /// units, for parameters `i` (x) and `j` (y).
    fn panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, i: usize, j: usize) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let (pi, pj) = (&self.plan.parameters[i], &self.plan.parameters[j]);
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .build_cartesian_2d(pi.min..pi.max, pj.min..pj.max)?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(pi.min, pj.min), (pi.max, pj.max)],
            style::MUTED.stroke_width(2),
        )))?;
        let at = |v: &crate::sweep::Varied, u: f64| v.min + (v.max - v.min) * u;
        for r in &self.outcome.runs {
            chart.draw_series(r.unit.iter().map(|u| {
                Circle::new(
                    (at(pi, u[i]), at(pj, u[j])),
                    3,
                    style::MUTED.mix(0.35).filled(),
                )
            }))?;
        }
        chart.draw_series(
            self.outcome
                .sets
                .iter()
                .map(|s| Circle::new((s[i], s[j]), 6, style::BLUE.mix(0.85).filled())),
        )?;
        Ok(())
    }
}

impl super::Figure for Space<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let k = self.plan.parameters.len();
        let text = FrameText {
            title: "The parameter space left: plausible sets among every run".into(),
            legend: vec![
                LegendItem::new("Plausible parameter set", style::BLUE, Swatch::Marker(style::Marker::Circle)),
                LegendItem::new("Run, any wave", style::MUTED, Swatch::Marker(style::Marker::Circle)),
            ],
            notes: if self.outcome.sets.is_empty() {
                vec!["No parameter set is plausible".into()]
            } else {
                vec![]
            },
            caption: vec![
                "Each panel plots one parameter against another over its prior range (the box). The diagonal names the parameter and its prior range; the panel in row r and column c has parameter c across and parameter r up. Where the blue points gather, the evidence constrains the pair; where they fill the box, it does not.".into(),
                self.prov.to_string(),
            ],
        };
        style::figure(root, &text, |area| {
            if k < 2 {
                return style::empty_note(area, "One parameter: no pairs to plot");
            }
            let cells = area.split_evenly((k, k));
            let name = style::anchored(
                style::text(style::CAPTION, style::INK),
                HPos::Center,
                VPos::Center,
            );
            for r in 0..k {
                for c in 0..k {
                    let cell = &cells[r * k + c];
                    if r == c {
                        let v = &self.plan.parameters[r];
                        let (w, h) = cell.dim_in_pixel();
                        let short = v.key.rsplit('.').next().unwrap_or(&v.key);
                        cell.draw_text(short, &name, (w as i32 / 2, h as i32 / 2 - 20))?;
                        cell.draw_text(
                            &format!("{} to {}", fmt(v.min), fmt(v.max)),
                            &name,
                            (w as i32 / 2, h as i32 / 2 + 24),
                        )?;
                    } else if r > c {
                        self.panel(cell, c, r)?;
                    }
                }
            }
            Ok(())
        })
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

struct Targets<'a> {
    summary: &'a Summary,
    prov: &'a str,
}

/// Lower bound of the axis, in observation SDs from the target.
const Z_MIN: f64 = -8.0;

impl super::Figure for Targets<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let targets = &self.summary.targets;
        let waves = self.summary.waves.len();
        let mut legend: Vec<LegendItem> = (0..waves)
            .map(|w| {
                LegendItem::new(
                    format!("Wave {}", w + 1),
                    style::scenario_colour(w),
                    Swatch::Line,
                )
            })
            .collect();
        legend.push(LegendItem::new(
            "Plausible sets",
            style::BLACK,
            Swatch::Line,
        ));
        legend.push(LegendItem::new(
            "Evidence (95 % interval)",
            style::BLUISH_GREEN,
            Swatch::Band(0.25),
        ));
        legend.push(LegendItem::new(
            "Plausible limit",
            style::BLUISH_GREEN,
            Swatch::Dashed,
        ));
        let text = FrameText {
            title: "Each target: the model's range by wave against its evidence".into(),
            legend,
            notes: vec![],
            caption: vec![
                format!(
                    "Distance from each target in its observation SDs: the band is the evidence's 95 % interval (plus or minus 2 SD); the dashed limits are how far a point's mean may lie and still count as plausible (the cut-off times the root of the observation, discrepancy and model's own variances, the last from the last wave); each line is the 5th to 95th percentile of the design points' mean outputs in a wave, the dot their median. Values beyond {Z_MIN} or {} SD are drawn at the edge.",
                    -Z_MIN
                ),
                self.prov.to_string(),
            ],
        };
        let n = targets.len();
        style::figure(root, &text, |area| {
            let mut chart = ChartBuilder::on(area)
                .x_label_area_size(110)
                .y_label_area_size(620)
                .build_cartesian_2d(Z_MIN..-Z_MIN, -0.5..n as f64 - 0.5)?;
            let labels: Vec<String> = targets
                .iter()
                .map(|t| t.spec.metric().label.to_string())
                .collect();
            style::mesh(&mut chart)
                .y_labels(n)
                .y_label_formatter(&|y| {
                    let i = y.round();
                    if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                        labels[n - 1 - i as usize].clone()
                    } else {
                        String::new()
                    }
                })
                .x_desc("Distance from the target (observation SDs)")
                .draw()?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(-2.0, -0.5), (2.0, n as f64 - 0.5)],
                style::BLUISH_GREEN.mix(0.25).filled(),
            )))?;
            // What a point's mean may be and still count as plausible: the
            // cut-off times the root of the observation, discrepancy and
            // stochastic variances (of the last wave), in observation SDs.
            let last = self.summary.waves.last();
            for (i, t) in targets.iter().enumerate() {
                let Some(e) = last.and_then(|w| w.emulators.get(i)) else {
                    continue;
                };
                let half = (self.summary.cutoff
                    * (t.spec.fixed_variance() + e.stochastic_sd * e.stochastic_sd).sqrt()
                    / t.spec.sd)
                    .min(-Z_MIN);
                let y0 = (n - 1 - i) as f64;
                chart.draw_series([-half, half].map(|x| {
                    DashedPathElement::new(
                        vec![(x, y0 - 0.45), (x, y0 + 0.45)],
                        12,
                        8,
                        style::BLUISH_GREEN.stroke_width(4),
                    )
                }))?;
            }
            let z = |t: &crate::calibrate::plan::TargetSpec, v: f64| {
                ((v - t.value) / t.sd).clamp(Z_MIN, -Z_MIN)
            };
            for (i, t) in targets.iter().enumerate() {
                let y0 = (n - 1 - i) as f64;
                let rows: Vec<(Option<&crate::calibrate::store::Range>, RGBColor)> = t
                    .waves
                    .iter()
                    .enumerate()
                    .map(|(w, r)| (r.as_ref(), style::scenario_colour(w)))
                    .chain(std::iter::once((t.sets.as_ref(), style::BLACK)))
                    .collect();
                let m = rows.len() as f64;
                for (j, (r, colour)) in rows.into_iter().enumerate() {
                    let Some(r) = r else { continue };
                    let y = y0 + 0.35 - 0.7 * j as f64 / (m - 1.0).max(1.0);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(z(&t.spec, r.p05), y), (z(&t.spec, r.p95), y)],
                        colour.stroke_width(7),
                    )))?;
                    chart.draw_series(std::iter::once(Circle::new(
                        (z(&t.spec, r.p50), y),
                        10,
                        colour.filled(),
                    )))?;
                }
            }
            Ok(())
        })
    }
}
