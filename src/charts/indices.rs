//! The bar chart of a sensitivity analysis: one group of horizontal bars per
//! parameter, most influential at the top. For Sobol indices, the
//! first-order and total index of each parameter; for Morris screening,
//! `mu*` and `sigma`; each with its 95 % bootstrap interval where there is
//! one. The indices come from [`crate::sensitivity`].

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ChartError;
use super::style::{self, Coord, Drawn, FrameText, LegendItem, Swatch};
use crate::sensitivity::{MorrisIndex, SobolIndex};

/// The indices to draw.
#[derive(Debug, Clone, Copy)]
pub enum Indices<'a> {
    Sobol(&'a [SobolIndex]),
    Morris(&'a [MorrisIndex]),
}

/// One parameter's two bars: `(value, interval)` each, the interval `None`
/// where the measure has none or it could not be estimated.
type Bars = [(f64, Option<(f64, f64)>); 2];

/// Colours of the two bars of a group (leading measure first).
const COLOURS: [RGBColor; 2] = [style::BLUE, style::ORANGE];

/// Most parameters that get a value label beside their bars.
const MAX_LABELLED: usize = 16;

impl Indices<'_> {
    fn len(&self) -> usize {
        match self {
            Indices::Sobol(s) => s.len(),
            Indices::Morris(m) => m.len(),
        }
    }

    fn bars(&self, i: usize) -> Bars {
        let ci = |lo: f64, hi: f64| (lo.is_finite() && hi.is_finite()).then_some((lo, hi));
        match self {
            Indices::Sobol(s) => {
                let s = &s[i];
                [
                    (s.first, ci(s.first_low, s.first_high)),
                    (s.total, ci(s.total_low, s.total_high)),
                ]
            }
            Indices::Morris(m) => {
                let m = &m[i];
                [
                    (m.mu_star, ci(m.mu_star_low, m.mu_star_high)),
                    (m.sigma, None),
                ]
            }
        }
    }

    fn names(&self) -> [&'static str; 2] {
        match self {
            Indices::Sobol(_) => ["First-order index", "Total index"],
            Indices::Morris(_) => [
                "\u{3bc}* (mean absolute effect)",
                "\u{3c3} (spread of effects)",
            ],
        }
    }
}

/// Parameter order for the chart: by the leading measure (first-order index
/// or `mu*`), largest first, the second measure breaking ties; parameters
/// whose leading measure could not be estimated go last.
pub fn order(idx: Indices, n: usize) -> Vec<usize> {
    let key = |i: usize| {
        let [a, b] = idx.bars(i);
        let f = |v: f64| if v.is_finite() { v } else { f64::NEG_INFINITY };
        (f(a.0), f(b.0))
    };
    let mut order: Vec<usize> = (0..n.min(idx.len())).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (key(i), key(j));
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(i.cmp(&j))
    });
    order
}

fn describe(title: &str, idx: Indices, n: usize, provenance: &str) -> FrameText {
    let names = idx.names();
    let mut legend: Vec<LegendItem> = names
        .iter()
        .zip(COLOURS)
        .map(|(name, c)| LegendItem::new(*name, c, Swatch::Band(1.0)))
        .collect();
    legend.push(LegendItem::new(
        "95 % bootstrap interval",
        style::INK,
        Swatch::Line,
    ));
    let mut notes = Vec::new();
    let shown = (0..n).map(|i| idx.bars(i)).collect::<Vec<_>>();
    if shown.iter().any(|b| b.iter().any(|(v, _)| !v.is_finite())) {
        notes.push(
            "Note: some indices could not be estimated (no output variance, or runs missing) \
             and are not drawn"
                .into(),
        );
    } else if n > 0 && shown.iter().all(|b| b[0].1.is_none()) {
        notes.push("Note: no bootstrap resamples: no intervals".into());
    }
    let how = match idx {
        Indices::Sobol(_) => {
            "Bars: variance-based Sobol indices, the share of the output's variance due to each \
             parameter alone (first-order; Saltelli et al. 2010) and with all its interactions \
             (total; Jansen 1999), estimated from a Saltelli design on a Sobol sequence. \
             Whiskers: 95 % percentile bootstrap interval over the base sample's rows. \
             Parameters are ordered by first-order index."
        }
        Indices::Morris(_) => {
            "Bars: Morris elementary-effects screening (Morris 1991; Campolongo et al. 2007): \
             \u{3bc}*, the mean absolute change in the output per unit change of the parameter \
             on its scaled range, measures overall influence; \u{3c3}, the standard deviation \
             of the effects, measures non-linearity and interactions. Whiskers: 95 % \
             percentile bootstrap interval of \u{3bc}* over trajectories. Parameters are ordered \
             by \u{3bc}*."
        }
    };
    FrameText {
        title: title.to_string(),
        legend,
        notes,
        caption: vec![how.into(), provenance.to_string()],
    }
}

/// Draws the bar chart of `idx` (one group per name in `params`, in the
/// same order as the indices) on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    params: &[String],
    idx: Indices,
    provenance: &str,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let n = params.len().min(idx.len());
    let mut text = describe(title, idx, n, provenance);
    if params.len() != idx.len() && n > 0 {
        text.notes.push(format!(
            "Note: {} parameter names for {} indices: only the first {n} are drawn",
            params.len(),
            idx.len()
        ));
    }
    style::figure(root, &text, |plot| {
        if n == 0 {
            return style::empty_note(plot, "No parameters to show");
        }
        draw_plot(plot, params, idx, n)
    })
}

/// The value axis: from 0 (or below the lowest value or interval end) to
/// beyond the highest, with room on the right for the value labels if
/// they are `labelled`.
fn value_range(bars: &[Bars], idx: Indices, labelled: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for group in bars {
        for (v, ci) in group {
            for x in std::iter::once(*v).chain(ci.iter().flat_map(|(l, h)| [*l, *h])) {
                if x.is_finite() {
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
        }
    }
    let min_span = match idx {
        Indices::Sobol(_) => 0.1,
        Indices::Morris(_) => f64::EPSILON.max(hi.abs() * 1e-6),
    };
    // Room on the right for the value labels.
    let pad_right = if labelled { 0.14 } else { 0.06 };
    let span = (hi - lo).max(min_span);
    let lo = if lo < 0.0 { lo - 0.04 * span } else { 0.0 };
    let hi = hi.max(lo + min_span) + pad_right * span;
    (lo, hi)
}

/// Width of the area for the parameter names: the widest name and a
/// margin, at least 160 pixels and at most half the plot.
fn label_area<DB: DrawingBackend>(plot: &DrawingArea<DB, Shift>, labels: &[&str]) -> Drawn<u32>
where
    DB::ErrorType: 'static,
{
    let tick_style = style::text(style::TICK, style::INK);
    let mut label_w = 0;
    for l in labels {
        label_w = label_w.max(plot.estimate_text_size(l, &tick_style)?.0);
    }
    let (plot_w, _) = plot.dim_in_pixel();
    Ok((label_w + 40).clamp(160, plot_w / 2))
}

/// The axes and bars of the first `n` parameters (`n` at least 1), most
/// influential at the top.
fn draw_plot<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    params: &[String],
    idx: Indices,
    n: usize,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let order = order(idx, n);
    let bars: Vec<Bars> = order.iter().map(|&i| idx.bars(i)).collect();
    let labels: Vec<&str> = order.iter().map(|&i| params[i].as_str()).collect();
    let labelled = n <= MAX_LABELLED;
    let (lo, hi) = value_range(&bars, idx, labelled);
    let mut chart = ChartBuilder::on(plot)
        .x_label_area_size(110)
        .y_label_area_size(label_area(plot, &labels)?)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))?;
    let d = style::decimals(lo, hi, 8);
    style::row_mesh(&mut chart)
        .y_labels(n.min(60))
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels[n - 1 - i as usize].to_string()
            } else {
                String::new()
            }
        })
        .x_labels(8)
        .x_label_formatter(&|x| style::tick(*x, d, false))
        .x_desc(match idx {
            Indices::Sobol(_) => "Sobol index (share of output variance)",
            Indices::Morris(_) => "Elementary effect (output change per unit of scaled parameter)",
        })
        .axis_desc_style(style::text(style::AXIS, style::INK))
        .label_style(style::text(style::TICK, style::INK))
        .draw()?;
    if lo < 0.0 {
        style::zero_line(&mut chart, -0.5, n as f64 - 0.5)?;
    }
    draw_bars(&mut chart, &bars, labelled, d)
}

/// Each parameter's two bars (top row first) with their intervals and, if
/// `labelled`, their values with one decimal more than the axis (at least 2).
fn draw_bars<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    bars: &[Bars],
    labelled: bool,
    d: usize,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let n = bars.len();
    // Bar geometry in row units: two bars per row, a gap between rows.
    let half = 0.17;
    let offsets = [0.19, -0.19];
    let cap = 0.09;
    let value_style = style::anchored(
        style::text(style::CAPTION, style::MUTED),
        HPos::Left,
        VPos::Center,
    );
    let dv = (d + 1).max(2);
    for (row, group) in bars.iter().enumerate() {
        let y = (n - 1 - row) as f64;
        for (b, ((v, ci), colour)) in group.iter().zip(COLOURS).enumerate() {
            if !v.is_finite() {
                continue;
            }
            let yc = y + offsets[b];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yc - half), (*v, yc + half)],
                colour.filled(),
            )))?;
            let mut right = *v;
            if let Some((l, h)) = ci {
                let ink = style::INK.stroke_width(4);
                chart.draw_series([
                    PathElement::new(vec![(*l, yc), (*h, yc)], ink),
                    PathElement::new(vec![(*l, yc - cap), (*l, yc + cap)], ink),
                    PathElement::new(vec![(*h, yc - cap), (*h, yc + cap)], ink),
                ])?;
                right = right.max(*h);
            }
            if labelled {
                style::chart_label(
                    chart,
                    &style::tick(*v, dv, false),
                    &value_style,
                    (right.max(0.0), yc),
                    (16, 0),
                )?;
            }
        }
    }
    Ok(())
}

struct IndexChart<'a> {
    title: &'a str,
    params: &'a [String],
    idx: Indices<'a>,
    provenance: &'a str,
}

impl super::Figure for IndexChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        draw(root, self.title, self.params, self.idx, self.provenance)
    }
}

/// Writes the chart as `STEM.png` and `STEM.svg` into `out_dir`; returns the
/// PNG path then the SVG path.
pub fn render_indices(
    out_dir: &Path,
    stem: &str,
    title: &str,
    params: &[String],
    idx: Indices,
    provenance: &str,
) -> Result<Vec<PathBuf>, ChartError> {
    super::save(
        &IndexChart {
            title,
            params,
            idx,
            provenance,
        },
        out_dir,
        stem,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::{
        ishigami, morris_analyse, morris_design, saltelli_design, sobol_analyse, sobol_g,
    };

    fn names(k: usize) -> Vec<String> {
        [
            "staff.leave_base_monthly",
            "ceo.exit_hazard",
            "friction.shock_rate",
            "development.places",
            "finance.shock_sd",
            "oversight.threshold",
        ]
        .iter()
        .take(k)
        .map(|s| s.to_string())
        .collect()
    }

    fn sobol_indices() -> Vec<SobolIndex> {
        let n = 1 << 10;
        let y: Vec<f64> = saltelli_design(3, n).iter().map(|x| ishigami(x)).collect();
        sobol_analyse(&y, 3, n, 200, 1)
    }

    fn morris_indices() -> Vec<MorrisIndex> {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let x = morris_design(6, 30, 4, 1);
        let y: Vec<f64> = x.iter().map(|p| sobol_g(p, &a)).collect();
        morris_analyse(&x, &y, 6, 30, 200, 1)
    }

    fn svg(title: &str, params: &[String], idx: Indices) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (style::WIDTH, style::HEIGHT))
                .into_drawing_area();
            draw(&root, title, params, idx, "Scenario: quick; seed 7").unwrap();
        }
        svg
    }

    #[test]
    fn the_chart_names_its_title_and_every_parameter() {
        let s = sobol_indices();
        let out = svg("Sensitivity of engagement", &names(3), Indices::Sobol(&s));
        assert!(out.starts_with("<svg") && out.contains("</svg>"));
        assert!(out.contains("Sensitivity of engagement"));
        for p in names(3) {
            assert!(out.contains(&p), "{p}");
        }
        assert!(out.contains("First-order index") && out.contains("Scenario: quick"));
        let m = morris_indices();
        let out = svg("Screening", &names(6), Indices::Morris(&m));
        assert!(out.contains("Screening"));
        for p in names(6) {
            assert!(out.contains(&p), "{p}");
        }
    }

    #[test]
    fn parameters_are_ordered_by_the_leading_index() {
        let m = morris_indices();
        assert_eq!(order(Indices::Morris(&m), 6)[..4], [0, 1, 2, 3]);
        let s = sobol_indices();
        assert_eq!(order(Indices::Sobol(&s), 3), vec![1, 0, 2]);
        assert_eq!(order(Indices::Sobol(&s), 2), vec![1, 0]);
    }

    #[test]
    fn empty_and_degenerate_indices_draw_a_note() {
        let out = svg("Nothing", &[], Indices::Sobol(&[]));
        assert!(out.contains("No parameters to show"));
        let nan = sobol_analyse(&[1.0; 50], 3, 10, 10, 1);
        let out = svg("Constant", &names(3), Indices::Sobol(&nan));
        assert!(out.contains("could not be estimated"));
        let s = sobol_indices();
        let out = svg("Short", &names(2), Indices::Sobol(&s));
        assert!(out.contains("2 parameter names for 3 indices"));
    }

    #[test]
    fn render_writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let s = sobol_indices();
        let files = render_indices(
            dir.path(),
            "sobol_indices",
            "Which parameters drive the outcome",
            &names(3),
            Indices::Sobol(&s),
            "Scenario: quick; seed 7",
        )
        .unwrap();
        assert_eq!(files.len(), 2);
        for f in &files {
            assert!(
                std::fs::metadata(f).unwrap().len() > 1000,
                "{}",
                f.display()
            );
        }
        assert!(!dir.path().join(".sobol_indices.partial.png").exists());
    }
}
