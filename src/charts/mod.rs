//! Board-paper charts drawn from a run's parquet files alone.
//!
//! [`render_run_charts`] reads one or more run folders and writes every chart
//! of [`CHARTS`] as PNG (2400 x 1500 px, for documents) and SVG (for
//! editing) into a folder; several runs are overlaid, one Okabe-Ito colour
//! per scenario. The same drawing code serves both formats: each chart is a
//! function generic over plotters' `DrawingBackend`.
//!
//! - `data`: the reductions of the parquet files (national fan series,
//!   trusts at the horizon, CEO spells), streamed one row group at a time;
//! - `style`: the embedded font, palette, type sizes, axes and the frame
//!   (title, legend, notes, caption) every chart shares;
//! - `fan`, `tenure`, `boxes`, `scatter`: the charts;
//! - `forest` and `indices`: the charts of a comparison and of a sensitivity
//!   analysis, drawn from their results rather than from run folders.
//!
//! Charts depend only on the parquet files: no timestamps, no system fonts.

mod boxes;
pub mod calibration;
pub mod canvas;
pub mod data;
pub mod difference;
mod fan;
pub mod forest;
pub mod indices;
pub mod pngfile;
mod scatter;
pub mod style;
mod tenure;
pub mod trust;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use canvas::Canvas;
pub use data::{Indicator, RunData, load_run, load_runs};
pub use pngfile::png_bytes;
pub use style::FrameText;

use crate::output::{OnItsWay, OutputError};
use style::Drawn;

/// Why charts could not be drawn. Every message names the file involved.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A run file could not be read (its metadata, for example).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A run file could not be opened or decoded.
    #[error("cannot read `{}`: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// A run file was readable but lacks what the charts need.
    #[error("`{}` is not a valid trustsim output file: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    /// The chart folder could not be created.
    #[error("cannot create chart folder `{}`: {cause}", path.display())]
    CreateDir {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// Drawing or encoding a chart failed.
    #[error("cannot draw `{}`: {reason}", path.display())]
    Draw { path: PathBuf, reason: String },
    /// More runs than distinguishable colours.
    #[error("cannot overlay {n} runs: at most {max} (one colour each)")]
    TooManyRuns { n: usize, max: usize },
    /// No run folder was given.
    #[error("no run folder given")]
    NoRuns,
    /// `--trust CODE` names no trust of the run, by code or name.
    #[error("no trust with code or name `{code}` in {}; its trusts include {known}", run.display())]
    UnknownTrust {
        code: String,
        run: PathBuf,
        known: String,
    },
    /// `--trust NAME` is part of the name of more than one trust.
    #[error("`{query}` is in the names of {count} trusts of {}: {matches}; give one of their codes", run.display())]
    AmbiguousTrust {
        query: String,
        run: PathBuf,
        count: usize,
        matches: String,
    },
}

impl ChartError {
    pub(crate) fn read(path: &Path, reason: impl Into<String>) -> Self {
        ChartError::Read {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
    pub(crate) fn invalid(path: &Path, reason: impl Into<String>) -> Self {
        ChartError::Invalid {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
    fn draw(path: &Path, reason: impl ToString) -> Self {
        ChartError::Draw {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// One board-paper chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// National indicator over time: median with 50 % and 90 % bands across
    /// replications.
    Fan(Indicator),
    /// Kaplan-Meier survival of permanent CEO spells with its 95 % band, the
    /// median and the evidence reference.
    Tenure,
    /// Engagement and quality by trust type at the horizon (box plots).
    ByTrustType,
    /// Trust-level engagement against the mortality ratio, by rating.
    EngagementMortality,
    /// Outcomes by the number of CEOs a trust had in the last 3 years.
    CeoTurnover,
}

/// Every chart, in report order.
pub const CHARTS: [Chart; 9] = [
    Chart::Fan(Indicator::Engagement),
    Chart::Fan(Indicator::LeaverRate),
    Chart::Fan(Indicator::Sickness),
    Chart::Fan(Indicator::Quality),
    Chart::Fan(Indicator::Surplus),
    Chart::Tenure,
    Chart::ByTrustType,
    Chart::EngagementMortality,
    Chart::CeoTurnover,
];

/// The files `run` draws into its folder, relative to it
/// (`charts/STEM.png` and `.svg` of every chart in [`CHARTS`]).
pub fn run_chart_files() -> Vec<String> {
    stems_in_charts(CHARTS.iter().map(|c| c.file_stem()))
}

/// The charts `compare` draws into the comparison folder, relative to it:
/// the forest chart and one chart of differences over time per indicator.
pub fn comparison_chart_files() -> Vec<String> {
    let stems: Vec<String> = Indicator::ALL
        .iter()
        .map(|&i| difference::file_stem(i))
        .collect();
    stems_in_charts(std::iter::once(forest::FOREST).chain(stems.iter().map(String::as_str)))
}

/// `charts/STEM.png` and `charts/STEM.svg` of each stem.
pub fn stems_in_charts<'a>(stems: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    stems
        .into_iter()
        .flat_map(|s| [format!("charts/{s}.png"), format!("charts/{s}.svg")])
        .collect()
}

impl Chart {
    /// File name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::Fan(Indicator::Engagement) => "fan_engagement",
            Chart::Fan(Indicator::LeaverRate) => "fan_leaver_rate",
            Chart::Fan(Indicator::Sickness) => "fan_sickness",
            Chart::Fan(Indicator::Quality) => "fan_quality",
            Chart::Fan(Indicator::Surplus) => "fan_surplus",
            Chart::Tenure => "ceo_tenure_survival",
            Chart::ByTrustType => "outcomes_by_trust_type",
            Chart::EngagementMortality => "engagement_vs_mortality",
            Chart::CeoTurnover => "outcomes_by_ceo_turnover",
        }
    }

    /// Title, legend, notes and caption for these runs.
    pub fn describe(self, runs: &[RunData]) -> FrameText {
        match self {
            Chart::Fan(i) => fan::describe(runs, i),
            Chart::Tenure => tenure::describe(runs),
            Chart::ByTrustType => boxes::describe(runs, boxes::Grouping::TrustType),
            Chart::EngagementMortality => scatter::describe(runs),
            Chart::CeoTurnover => boxes::describe(runs, boxes::Grouping::CeoCount),
        }
    }

    fn draw_plot<DB: DrawingBackend>(self, plot: &DrawingArea<DB, Shift>, runs: &[RunData]) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        match self {
            Chart::Fan(i) => fan::draw(plot, runs, i),
            Chart::Tenure => tenure::draw(plot, runs),
            Chart::ByTrustType => boxes::draw(plot, runs, boxes::Grouping::TrustType),
            Chart::EngagementMortality => scatter::draw(plot, runs),
            Chart::CeoTurnover => boxes::draw(plot, runs, boxes::Grouping::CeoCount),
        }
    }

    /// Draws the whole chart (frame and plot) on `root`; without the caption
    /// lines if `caption` is false (the report prints them as text).
    pub fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        runs: &[RunData],
        caption: bool,
    ) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let mut text = self.describe(runs);
        if !caption {
            text.caption.clear();
        }
        style::figure(root, &text, |plot| self.draw_plot(plot, runs))
    }
}

/// Who a note is about: the run's label when several runs are overlaid,
/// nobody when there is one.
fn who(run: &RunData, several: bool) -> String {
    if several {
        format!("{}: ", run.label)
    } else {
        String::new()
    }
}

/// One note for each run that `lacks` data: `Note: LABEL: what` (without
/// the label when there is one run).
fn missing_notes(runs: &[RunData], lacks: impl Fn(&RunData) -> bool, what: &str) -> Vec<String> {
    let several = runs.len() > 1;
    runs.iter()
        .filter(|r| lacks(r))
        .map(|r| format!("Note: {}{what}", who(r, several)))
        .collect()
}

/// The plausible parameter sets the runs used (`--parameter-sets`), if
/// any run used some: the largest count.
pub fn parameter_sets(runs: &[RunData]) -> Option<u32> {
    runs.iter().filter_map(|r| r.meta.parameter_sets).max()
}

/// What bands across replications show: the model's chance variation for
/// one set of assumptions, or, with parameter sets, chance and parameter
/// uncertainty together.
pub fn bands_show(sets: Option<u32>) -> String {
    match sets {
        Some(m) => format!(
            "bands: chance and parameter uncertainty, {m} plausible parameter set{} (cycled)",
            if m == 1 { "" } else { "s" }
        ),
        None => "the model's chance variation for one set of assumptions (not uncertainty in the assumptions)".into(),
    }
}

/// Where the runs' trusts are, for a title: `in England` when every run is
/// the full England baseline, the shared scope otherwise (`in 20 trusts at
/// 2 % of staff`), and nothing when the runs differ in scope or do not
/// record it.
pub fn place(runs: &[RunData]) -> Option<String> {
    let first = runs.first()?.meta.scope?;
    runs.iter()
        .all(|r| r.meta.scope == Some(first))
        .then(|| first.place())
}

/// The caption line naming what was run: scenario, replications, seed and
/// scope (trusts and staff scale).
pub fn provenance(runs: &[RunData]) -> String {
    let one = |r: &RunData| {
        let n = r.replications.len();
        format!(
            "{} replication{}, seed {}{}",
            n,
            if n == 1 { "" } else { "s" },
            r.meta.seed,
            r.meta
                .scope
                .map_or(String::new(), |s| format!(", {}", s.describe()))
        )
    };
    let version = runs
        .first()
        .map(|r| format!("; trustsim {}", r.meta.version))
        .unwrap_or_default();
    match runs {
        [] => "No run".into(),
        [r] => format!("Scenario: {}; {}{version}", r.label, one(r)),
        _ => format!(
            "Scenarios: {}{version}",
            runs.iter()
                .map(|r| format!("{} ({})", r.label, one(r)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Most runs one chart can overlay (one colour each).
pub const MAX_RUNS: usize = style::SCENARIO_COLOURS.len();

fn check_runs(n: usize) -> Result<(), ChartError> {
    match n {
        0 => Err(ChartError::NoRuns),
        n if n > MAX_RUNS => Err(ChartError::TooManyRuns { n, max: MAX_RUNS }),
        _ => Ok(()),
    }
}

/// Anything drawable as a whole chart on any plotters backend.
pub trait Figure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static;

    /// Width and height in pixels: the house size unless the figure needs
    /// more room (the forest chart grows with its outcomes).
    fn size(&self) -> (u32, u32) {
        (style::WIDTH, style::HEIGHT)
    }
}

/// One of the run charts over loaded runs, with or without its caption.
pub struct RunChart<'a> {
    pub chart: Chart,
    pub runs: &'a [RunData],
    pub caption: bool,
}

impl Figure for RunChart<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        self.chart.draw(root, self.runs, self.caption)
    }
}

/// The figure as an SVG document (`name` names it in errors).
pub fn svg_string(figure: &impl Figure, name: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area();
        figure
            .draw_on(&root)
            .map_err(|e| ChartError::draw(Path::new(name), e))?;
    }
    Ok(svg)
}

/// The chart as an SVG document.
pub fn render_svg(chart: Chart, runs: &[RunData], caption: bool) -> Result<String, ChartError> {
    svg_string(
        &RunChart {
            chart,
            runs,
            caption,
        },
        chart.file_stem(),
    )
}

/// Writes the figure as `STEM.png` and `STEM.svg` in `out_dir`, each
/// atomically and synced; returns both paths.
pub fn save(figure: &impl Figure, out_dir: &Path, stem: &str) -> Result<Vec<PathBuf>, ChartError> {
    synced(draw_files(&mut Canvas::default(), figure, out_dir, stem)?)
}

/// Waits until every file of `files` is on the disk; returns their paths.
pub fn synced(files: impl IntoIterator<Item = OnItsWay>) -> Result<Vec<PathBuf>, ChartError> {
    files
        .into_iter()
        .map(|f| f.sync().map_err(ChartError::from))
        .collect()
}

/// Writes the figure as `STEM.png` then `STEM.svg` in `out_dir`, each
/// atomically, without waiting for the disk ([`synced`] waits). The PNG's
/// pixels are drawn on `canvas`, which can be handed from one chart to the
/// next: a fresh 2400 x 1500 canvas costs its 10.8 MB of memory mapped in
/// page by page, about as much as encoding the chart, and its glyphs are
/// rasterised again.
pub fn draw_files(
    canvas: &mut Canvas,
    figure: &impl Figure,
    out_dir: &Path,
    stem: &str,
) -> Result<[OnItsWay; 2], ChartError> {
    std::fs::create_dir_all(out_dir).map_err(|cause| ChartError::CreateDir {
        path: out_dir.to_path_buf(),
        cause,
    })?;
    style::register_fonts();
    let png = out_dir.join(format!("{stem}.png"));
    let size = figure.size();
    {
        let root = canvas.backend(size).into_drawing_area();
        figure
            .draw_on(&root)
            .map_err(|e| ChartError::draw(&png, e))?;
    }
    let bytes = png_bytes(canvas.pixels(), size).map_err(|e| ChartError::draw(&png, e))?;
    let png = crate::output::write_atomic_later(&png, &bytes)?;
    let svg = out_dir.join(format!("{stem}.svg"));
    let svg = crate::output::write_atomic_later(&svg, svg_string(figure, stem)?.as_bytes())?;
    Ok([png, svg])
}

/// Draws every chart of `runs` (already loaded) into `out_dir` as PNG and
/// SVG; returns the files written, in [`CHARTS`] order, PNG before SVG.
pub fn render_charts(runs: &[RunData], out_dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    check_runs(runs.len())?;
    // One canvas for each thread's share of the charts, in CHARTS order;
    // every file synced once all are written.
    let share = CHARTS.len().div_ceil(rayon::current_num_threads());
    let written: Vec<Vec<[OnItsWay; 2]>> = CHARTS
        .par_chunks(share)
        .map(|charts| {
            let mut canvas = Canvas::default();
            charts
                .iter()
                .map(|&chart| {
                    draw_files(
                        &mut canvas,
                        &RunChart {
                            chart,
                            runs,
                            caption: true,
                        },
                        out_dir,
                        chart.file_stem(),
                    )
                })
                .collect()
        })
        .collect::<Result<_, ChartError>>()?;
    synced(written.into_iter().flatten().flatten())
}

/// Draws every chart of `runs` (overlaid when several) into `out_dir`, as PNG
/// and SVG; returns the files written.
pub fn render_run_charts(runs: &[PathBuf], out_dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    check_runs(runs.len())?;
    let data = load_runs(runs)?;
    render_charts(&data, out_dir)
}

/// Draws the charts of a comparison folder `dir` from what is written
/// there (its record, the variants' run folders): the forest chart and one
/// chart of differences over time per indicator, into `dir/charts`
/// ([`comparison_chart_files`]).
pub fn render_comparison_charts(dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    use crate::output::comparison::{self as out, COMPARISON_MANIFEST};
    let record = out::read_comparison_manifest(&dir.join(COMPARISON_MANIFEST))?;
    let rows = crate::compare::read_differences(dir, &record.variants)?;
    let scenarios = record
        .variants
        .iter()
        .map(|v| crate::output::read_manifest(&dir.join(v).join(crate::output::MANIFEST_FILE)))
        .collect::<Result<Vec<_>, _>>()?;
    let changes = difference::change_months(scenarios.iter().map(|m| &m.scenario));
    let mut files = forest::render_forest(&rows, &dir.join("charts"), &out::provenance(&record))?;
    files.extend(difference::render_differences(
        dir,
        &record.variants,
        changes,
        &rows,
    )?);
    Ok(files)
}

/// Category names as people write them: `mental_health` -> `Mental health`.
pub fn pretty(name: &str) -> String {
    let s = name.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::FileMeta;
    use crate::stats::Observation;
    use data::{NationalMonth, TrustHorizon};

    fn run(reps: u32, label: &str) -> RunData {
        let trusts = (0..reps)
            .flat_map(|r| {
                (0..12u32).map(move |t| TrustHorizon {
                    replication: r,
                    trust_id: t,
                    trust_type: ["acute", "mental_health", "community"][t as usize % 3].into(),
                    engagement: 6.8 + 0.02 * f64::from(t),
                    quality: 70.0 + f64::from(t),
                    mortality: 1.05 - 0.01 * f64::from(t),
                    rating: ["good", "requires_improvement", "outstanding", "inadequate"]
                        [t as usize % 4]
                        .into(),
                    ceos: 1 + t % 4,
                })
            })
            .collect();
        RunData {
            dir: PathBuf::from(format!("out/{label}")),
            label: label.into(),
            meta: FileMeta {
                scenario_hash: "abc".into(),
                seed: 7,
                version: "0.1.0".into(),
                scenario_name: label.into(),
                parameter_sets: None,
                scope: None,
            },
            replications: (0..reps).collect(),
            months: 24,
            start: None,
            national: (1..=24)
                .map(|m| NationalMonth {
                    month: m,
                    values: (0..reps)
                        .map(|r| {
                            let x = f64::from(m) * 0.01 + f64::from(r) * 0.02;
                            [6.9 + x, 11.0 + x, 4.5 + x, 70.0 + x, -0.5 + x]
                        })
                        .collect(),
                })
                .collect(),
            trusts,
            tenure: (1..=30)
                .map(|i| {
                    (
                        i % reps.max(1),
                        Observation {
                            entry: 0.0,
                            exit: f64::from(i) * 2.0 + 0.5,
                            event: i % 3 != 0,
                        },
                    )
                })
                .collect(),
            final_window_months: 12,
            ceo_window_months: 24,
        }
    }

    fn empty() -> RunData {
        let mut r = run(0, "empty");
        r.tenure.clear();
        r.national.clear();
        r
    }

    #[test]
    fn every_chart_draws_for_many_one_and_no_replications_and_overlays() {
        let cases: Vec<Vec<RunData>> = vec![
            vec![run(3, "a")],
            vec![run(1, "single")],
            vec![empty()],
            vec![run(3, "a"), run(2, "b"), empty()],
        ];
        for runs in &cases {
            for chart in CHARTS {
                let svg = render_svg(chart, runs, true).unwrap();
                assert!(svg.starts_with("<svg"), "{chart:?}");
                let title = chart.describe(runs).title;
                assert!(!title.is_empty());
                assert!(svg.contains("</svg>"));
            }
        }
    }

    /// Every chart drawn on one canvas after another has the pixels plotters'
    /// own bitmap backend draws, fresh for each chart, and encodes as a PNG
    /// that reads back as those pixels at 300 dots per inch.
    #[test]
    fn charts_on_a_handed_on_canvas_are_plotters_pixels_and_their_pngs_read_back() {
        style::register_fonts();
        let runs = vec![run(3, "a"), run(2, "b")];
        let mut canvas = Canvas::default();
        for chart in CHARTS {
            let figure = RunChart {
                chart,
                runs: &runs,
                caption: true,
            };
            let (w, h) = figure.size();
            let mut plain = vec![0u8; 3 * w as usize * h as usize];
            {
                let root = BitMapBackend::with_buffer(&mut plain, (w, h)).into_drawing_area();
                figure.draw_on(&root).unwrap();
            }
            {
                let root = canvas.backend((w, h)).into_drawing_area();
                figure.draw_on(&root).unwrap();
            }
            assert!(canvas.pixels() == plain.as_slice(), "{chart:?}");

            let png = png_bytes(canvas.pixels(), (w, h)).unwrap();
            let mut reader = png::Decoder::new(png.as_slice()).read_info().unwrap();
            let mut back = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut back).unwrap();
            assert_eq!((info.width, info.height), (w, h));
            assert_eq!(info.color_type, png::ColorType::Rgb);
            assert!(back[..info.buffer_size()] == plain[..], "{chart:?}");
            let dims = reader.info().pixel_dims.unwrap();
            assert_eq!((dims.xppu, dims.yppu), (11_811, 11_811));
            assert_eq!(dims.unit, png::Unit::Meter);
        }
    }

    #[test]
    fn single_and_empty_runs_carry_a_note_instead_of_bands() {
        let text = Chart::Fan(Indicator::Engagement).describe(&[run(1, "single")]);
        assert!(
            text.notes
                .iter()
                .any(|n| n.contains("single replication: no uncertainty bands")),
            "{:?}",
            text.notes
        );
        let text = Chart::Tenure.describe(&[empty()]);
        assert!(!text.notes.is_empty());
        let text = Chart::Fan(Indicator::Engagement).describe(&[run(3, "a")]);
        assert!(text.notes.is_empty(), "{:?}", text.notes);
    }

    #[test]
    fn with_parameter_sets_the_bands_say_they_mix_chance_and_parameter_uncertainty() {
        let plain = Chart::Fan(Indicator::Engagement).describe(&[run(3, "a")]);
        assert!(plain.caption[0].contains("chance variation for one set of assumptions"));
        let mut r = run(3, "a");
        r.meta.parameter_sets = Some(3);
        let text = Chart::Fan(Indicator::Engagement).describe(&[r.clone()]);
        assert!(
            text.caption[0].contains(
                "bands: chance and parameter uncertainty, 3 plausible parameter sets (cycled)"
            ),
            "{:?}",
            text.caption
        );
        let fig = difference::Differences {
            reference: &r,
            variants: std::slice::from_ref(&r),
            changes: vec![],
            indicator: Indicator::LeaverRate,
            caption: true,
            worlds: vec!["Final year. In 2 of 3 plausible worlds b lowered leaving.".into()],
            groups: vec![],
        };
        let caption = fig.text().caption.join(" ");
        assert!(
            caption.contains("chance and parameter uncertainty, 3 plausible"),
            "{caption}"
        );
        assert!(
            caption.contains("In 2 of 3 plausible worlds b lowered leaving"),
            "{caption}"
        );
        assert!(svg_string(&fig, "t").unwrap().starts_with("<svg"));
    }

    #[test]
    fn provenance_names_scenario_replications_and_seed() {
        assert_eq!(
            provenance(&[run(1, "quick")]),
            "Scenario: quick; 1 replication, seed 7; trustsim 0.1.0"
        );
        let p = provenance(&[run(2, "a"), run(3, "b")]);
        assert!(
            p.contains("a (2 replications, seed 7); b (3 replications"),
            "{p}"
        );
    }

    #[test]
    fn too_many_runs_is_an_error() {
        let err = check_runs(MAX_RUNS + 1).unwrap_err().to_string();
        assert!(err.starts_with("cannot overlay 8 runs"), "{err}");
        assert_eq!(pretty("mental_health"), "Mental health");
    }
}
