//! The house style shared by every chart: the embedded font, the Okabe-Ito
//! palette, text sizes for print at A4 width, and the frame (title, legend,
//! notes and caption) around each plot.

use std::error::Error;
use std::sync::{Once, OnceLock};

use ab_glyph::{Font, FontRef, GlyphId, PxScaleFont, ScaleFont};

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Result of drawing on any backend.
pub type Drawn<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// The coordinates of every chart: numbers on both axes.
pub type Coord = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// The mesh settings of a chart on [`Coord`].
pub type Mesh<'a, 'b, DB> = MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB>;

/// The font family name given to plotters. It is also written into SVG
/// files as is, where it reads as a CSS font list: DejaVu Sans if the viewer
/// has it, any sans-serif font otherwise.
pub const FONT: &str = "DejaVu Sans, sans-serif";

/// Chart size in pixels. At A4 text width (about 17 cm) 2400 px is about
/// 360 dpi, so 1 pt of type is about 5 px.
pub const WIDTH: u32 = 2400;
pub const HEIGHT: u32 = 1500;

/// Type sizes in pixels (roughly 12, 9, 8 and 7 pt at A4 width).
pub const TITLE: f64 = 64.0;
pub const AXIS: f64 = 46.0;
pub const TICK: f64 = 42.0;
pub const LEGEND: f64 = 42.0;
pub const CAPTION: f64 = 36.0;

/// Registers the embedded DejaVu Sans (regular and bold) once per process,
/// so no system font is needed.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a font the dejavu crate ships; they always parse.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Okabe-Ito colours (Okabe and Ito 2008), safe for colour-blind readers.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);

/// One colour per overlaid scenario, in this order everywhere. Okabe-Ito's
/// yellow is left out: it does not show on white paper.
pub const SCENARIO_COLOURS: [RGBColor; 7] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    BLACK,
];

/// Text and axes.
pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
pub const GRID: RGBColor = RGBColor(224, 224, 224);
/// Reference lines (evidence, national average).
pub const REFERENCE: RGBColor = RGBColor(60, 60, 60);

pub fn scenario_colour(i: usize) -> RGBColor {
    SCENARIO_COLOURS[i % SCENARIO_COLOURS.len()]
}

pub fn text(size: f64, colour: RGBColor) -> TextStyle<'static> {
    let mut s = TextStyle::from((FONT, size).into_font());
    s.color = colour.to_backend_color();
    s
}

pub fn bold(size: f64, colour: RGBColor) -> TextStyle<'static> {
    let mut s = TextStyle::from((FONT, size, FontStyle::Bold).into_font());
    s.color = colour.to_backend_color();
    s
}

pub fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// The decimals that the tick labels of `lo..hi` need when plotters draws
/// about `n` of them, so that every label on an axis has the same number of
/// decimals ("7.0" next to "6.9", not "7").
pub fn decimals(lo: f64, hi: f64, n: usize) -> usize {
    let points = RangedCoordf64::from(lo..hi).key_points(n);
    (0..4)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            points
                .iter()
                .all(|p| ((p * f) - (p * f).round()).abs() < 1e-6)
        })
        .unwrap_or(4)
}

/// Formats a tick value with `d` decimals, as a percentage if asked.
pub fn tick(v: f64, d: usize, percent: bool) -> String {
    let s = format!("{v:.d$}");
    let s = if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    };
    if percent { format!("{s} %") } else { s }
}

/// Draws `label` at backend pixel `(x, y)` of `area` on a white patch, so it
/// stays legible over lines and bands.
pub fn patched_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    style: &TextStyle,
    (x, y): (i32, i32),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.estimate_text_size(label, style)?;
    let (w, h) = (w as i32, h as i32);
    let x0 = match style.pos.h_pos {
        HPos::Left => x,
        HPos::Center => x - w / 2,
        HPos::Right => x - w,
    };
    let y0 = match style.pos.v_pos {
        VPos::Top => y,
        VPos::Center => y - h / 2,
        VPos::Bottom => y - h,
    };
    let pad = 10;
    area.draw(&Rectangle::new(
        [(x0 - pad, y0 - pad), (x0 + w + pad, y0 + h + pad)],
        WHITE.mix(0.9).filled(),
    ))?;
    area.draw_text(label, style, (x, y))?;
    Ok(())
}

/// Draws `label` on a white patch at data point `at` of `chart`, shifted
/// by `offset` pixels.
pub fn chart_label<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Coord>,
    label: &str,
    style: &TextStyle,
    at: (f64, f64),
    offset: (i32, i32),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let area = chart.plotting_area().strip_coord_spec();
    let base = area.get_base_pixel();
    let p = chart.backend_coord(&at);
    patched_label(
        &area,
        label,
        style,
        (p.0 - base.0 + offset.0, p.1 - base.1 + offset.1),
    )
}

/// The house axes of a plot over time or values: light grey grid lines at
/// the labelled ticks only, muted axes, ticks and axis titles in house type.
/// Callers add the labels, formatters and axis titles.
pub fn mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut ChartContext<'a, DB, Coord>,
) -> Mesh<'a, 'b, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(3))
        .set_all_tick_mark_size(12)
        .label_style(text(TICK, INK))
        .axis_desc_style(text(AXIS, INK));
    mesh
}

/// The axes of a chart of horizontal rows (forest, bars): grid lines across
/// the value axis only, at the labelled ticks.
pub fn row_mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut ChartContext<'a, DB, Coord>,
) -> Mesh<'a, 'b, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .max_light_lines(0)
        .light_line_style(GRID)
        .bold_line_style(GRID);
    mesh
}

/// The reference line of no effect: a vertical line at 0 from `y0` to `y1`.
pub fn zero_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    y0: f64,
    y1: f64,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, y0), (0.0, y1)],
        ShapeStyle::from(&REFERENCE).stroke_width(3),
    )))?;
    Ok(())
}

/// What a legend entry looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    Line,
    Dashed,
    /// Short dashes with wide gaps (a second dashed line beside `Dashed`).
    ShortDashed,
    /// A filled band with this opacity.
    Band(f64),
    /// A box of a box plot.
    Boxed,
    Marker(Marker),
}

/// Point shapes, so categories read in black and white too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub label: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, colour: RGBColor, swatch: Swatch) -> Self {
        LegendItem {
            label: label.into(),
            colour,
            swatch,
        }
    }
}

/// Draws a marker centred at a backend pixel.
pub fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: Marker,
    (x, y): (i32, i32),
    r: i32,
    style: ShapeStyle,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    match m {
        Marker::Circle => area.draw(&Circle::new((x, y), r, style))?,
        Marker::Square => area.draw(&Rectangle::new(
            [
                (x - r * 9 / 10, y - r * 9 / 10),
                (x + r * 9 / 10, y + r * 9 / 10),
            ],
            style,
        ))?,
        Marker::Triangle => area.draw(&Polygon::new(
            vec![
                (x, y - r * 6 / 5),
                (x + r * 11 / 10, y + r * 4 / 5),
                (x - r * 11 / 10, y + r * 4 / 5),
            ],
            style,
        ))?,
        Marker::Diamond => area.draw(&Polygon::new(
            vec![
                (x, y - r * 6 / 5),
                (x + r, y),
                (x, y + r * 6 / 5),
                (x - r, y),
            ],
            style,
        ))?,
    }
    Ok(())
}

/// The words of the frame around a plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrameText {
    pub title: String,
    pub legend: Vec<LegendItem>,
    /// Warnings shown prominently under the legend (for example "single
    /// replication: no uncertainty bands").
    pub notes: Vec<String>,
    /// Caption lines at the foot: what is drawn and how, then provenance.
    pub caption: Vec<String>,
}

const SIDE: i32 = 60;

/// Greedy word wrap to `width` pixels: each line as many words as fit
/// (the first word of a line always), by the widths plotters estimates.
pub fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    line: &str,
    style: &TextStyle,
    width: u32,
) -> Drawn<Vec<String>>
where
    DB::ErrorType: 'static,
{
    let Some(face) = house_face(style) else {
        return wrap_measuring(area, line, style, width);
    };
    let font = face.as_scaled(style.font.get_size() as f32);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut run = Run::default();
    for word in line.split(' ') {
        if cur.is_empty() {
            cur = word.to_string();
            run = Run::default().then(&font, word);
            continue;
        }
        let longer = run.then(&font, " ").then(&font, word);
        if longer.width() > width {
            out.push(std::mem::replace(&mut cur, word.to_string()));
            run = Run::default().then(&font, word);
        } else {
            cur.push(' ');
            cur.push_str(word);
            run = longer;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// [`wrap`] by asking the drawing area for the width of every longer
/// line: the same lines, for any font, in time that grows with the square
/// of a line's words.
fn wrap_measuring<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    line: &str,
    style: &TextStyle,
    width: u32,
) -> Drawn<Vec<String>>
where
    DB::ErrorType: 'static,
{
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in line.split(' ') {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && area.estimate_text_size(&candidate, style)?.0 > width {
            out.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = candidate;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// The house font's two faces as ab_glyph reads them (the bytes
/// [`register_fonts`] gives plotters): regular, bold.
fn faces() -> &'static [FontRef<'static>; 2] {
    static FACES: OnceLock<[FontRef<'static>; 2]> = OnceLock::new();
    FACES.get_or_init(|| {
        // The bytes are fonts the dejavu crate ships; they always parse.
        let face = |bytes| FontRef::try_from_slice(bytes).expect("the embedded font parses");
        [face(dejavu::sans::regular()), face(dejavu::sans::bold())]
    })
}

/// The house font's face that plotters draws `style` in: bold for bold,
/// else regular (plotters falls back to the regular face for any style it
/// has no face for).
pub fn face(style: FontStyle) -> &'static FontRef<'static> {
    &faces()[usize::from(matches!(style, FontStyle::Bold))]
}

/// The face plotters draws `style` in, if it is the house font unturned.
fn house_face(style: &TextStyle) -> Option<&'static FontRef<'static>> {
    let unturned = matches!(style.font.get_transform(), FontTransform::None);
    (style.font.get_name() == FONT && unturned).then(|| face(style.font.get_style()))
}

/// A line's width as plotters' ab_glyph font estimates it
/// (`estimate_layout`: each glyph's advance, then its kerning with the
/// glyph before, summed in `f32` in that order), carried from one word to
/// the next: a line's estimate is its start's continued, the same sum.
#[derive(Clone, Copy, Default)]
struct Run {
    x: f32,
    prev: Option<GlyphId>,
}

impl Run {
    fn then(mut self, font: &PxScaleFont<&FontRef<'static>>, text: &str) -> Run {
        for c in text.chars() {
            let id = font.glyph_id(c);
            self.x += font.h_advance(id);
            if let Some(pc) = self.prev {
                self.x += font.kern(pc, id);
            }
            self.prev = Some(id);
        }
        self
    }

    /// The width in whole pixels, as plotters gives it.
    fn width(self) -> u32 {
        (self.x as i32).unsigned_abs()
    }
}

/// Fills `root` white, draws the title, legend, notes and caption, and
/// returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &FrameText,
) -> Drawn<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let inner = w - 2 * SIDE as u32;
    let title_style = anchored(bold(TITLE, INK), HPos::Left, VPos::Top);
    let mut y = 36;
    for line in wrap(root, &f.title, &title_style, inner)? {
        root.draw_text(&line, &title_style, (SIDE, y))?;
        y += (TITLE * 1.3) as i32;
    }
    y += 12;

    // Legend: swatch and label, left to right, wrapping.
    let legend_style = anchored(text(LEGEND, INK), HPos::Left, VPos::Center);
    let row = (LEGEND * 1.5) as i32;
    let mut x = SIDE;
    if !f.legend.is_empty() {
        for item in &f.legend {
            let tw = root.estimate_text_size(&item.label, &legend_style)?.0 as i32;
            let needed = 80 + tw + 60;
            if x > SIDE && x + needed > w as i32 - SIDE {
                x = SIDE;
                y += row;
            }
            let cy = y + row / 2;
            legend_swatch(root, item, (x, cy))?;
            root.draw_text(&item.label, &legend_style, (x + 84, cy))?;
            x += needed;
        }
        y += row + 8;
    }
    let note_style = anchored(bold(LEGEND, VERMILLION_DARK), HPos::Left, VPos::Top);
    for note in &f.notes {
        for line in wrap(root, note, &note_style, inner)? {
            root.draw_text(&line, &note_style, (SIDE, y))?;
            y += (LEGEND * 1.35) as i32;
        }
    }
    y += 16;

    let caption_style = anchored(text(CAPTION, MUTED), HPos::Left, VPos::Top);
    let mut lines = Vec::new();
    for c in &f.caption {
        lines.extend(wrap(root, c, &caption_style, inner)?);
    }
    let line_h = (CAPTION * 1.35) as i32;
    let foot = 28 + line_h * lines.len() as i32 + 24;
    let mut cy = h as i32 - foot + 28;
    for line in &lines {
        root.draw_text(line, &caption_style, (SIDE, cy))?;
        cy += line_h;
    }
    let plot_h = (h as i32 - y - foot).max(200) as u32;
    let (_, rest) = root.split_vertically(y as u32);
    let (plot, _) = rest.split_vertically(plot_h);
    Ok(plot.margin(0, 0, SIDE as u32 - 20, SIDE as u32 + 20))
}

/// Draws a whole figure on `root`: the frame around the plot (with the
/// embedded fonts registered), then `plot` on the area the frame leaves;
/// then presents it.
pub fn figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &FrameText,
    plot: impl FnOnce(&DrawingArea<DB, Shift>) -> Drawn,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    register_fonts();
    let area = frame(root, text)?;
    plot(&area)?;
    root.present()?;
    Ok(())
}

/// A darker vermillion for warning text (the palette colour is too light for
/// small type).
pub const VERMILLION_DARK: RGBColor = RGBColor(165, 60, 0);

fn legend_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    item: &LegendItem,
    (x, cy): (i32, i32),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let c = item.colour;
    match item.swatch {
        Swatch::Line => root.draw(&PathElement::new(
            vec![(x, cy), (x + 64, cy)],
            c.stroke_width(7),
        ))?,
        Swatch::Dashed => root.draw(&DashedPathElement::new(
            vec![(x, cy), (x + 64, cy)],
            14,
            8,
            c.stroke_width(5),
        ))?,
        Swatch::ShortDashed => root.draw(&DashedPathElement::new(
            vec![(x, cy), (x + 64, cy)],
            5,
            9,
            c.stroke_width(5),
        ))?,
        Swatch::Band(alpha) => root.draw(&Rectangle::new(
            [(x, cy - 18), (x + 64, cy + 18)],
            c.mix(alpha).filled(),
        ))?,
        Swatch::Boxed => {
            root.draw(&Rectangle::new(
                [(x + 8, cy - 20), (x + 56, cy + 20)],
                c.mix(0.35).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x + 8, cy - 20), (x + 56, cy + 20)],
                c.stroke_width(4),
            ))?;
        }
        Swatch::Marker(m) => draw_marker(root, m, (x + 32, cy), 14, c.filled())?,
    }
    Ok(())
}

/// A plot-sized note where there is nothing to draw.
pub fn empty_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, note: &str) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        GRID.stroke_width(3),
    ))?;
    let style = anchored(text(AXIS, MUTED), HPos::Center, VPos::Center);
    area.draw_text(note, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// Pads `[lo, hi]` by 6 % and widens it to at least `min_span`, centred.
pub fn padded(lo: f64, hi: f64, min_span: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let pad = 0.06 * (hi - lo);
    let (mut lo, mut hi) = (lo - pad, hi + pad);
    if hi - lo < min_span {
        let mid = 0.5 * (lo + hi);
        lo = mid - 0.5 * min_span;
        hi = mid + 0.5 * min_span;
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines wrapped from one running width per line are those wrapped by
    /// measuring every longer line, in every face and size the charts use,
    /// at widths down to a word a line; and the widths are plotters' own.
    #[test]
    fn wrapping_by_running_widths_wraps_as_measuring_does() {
        register_fonts();
        let words = "Median with 50 % and 90 % bands across 24 replications; \
                    CEO tenure (Kaplan-Meier) of AVA's trusts -- “quoted”  twice-spaced, \
                    Ærø Wy. To.";
        let mut buf = vec![0u8; 3 * 400 * 100];
        let root = BitMapBackend::with_buffer(&mut buf, (400, 100)).into_drawing_area();
        let mut svg = String::new();
        let svg_root = SVGBackend::with_string(&mut svg, (400, 100)).into_drawing_area();
        for style in [
            text(CAPTION, MUTED),
            bold(TITLE, INK),
            anchored(bold(LEGEND, VERMILLION_DARK), HPos::Left, VPos::Top),
            text(13.0, INK),
        ] {
            for width in [0, 60, 300, 777, 1400, 2280, 100_000] {
                let lines = wrap(&root, words, &style, width).unwrap();
                assert_eq!(lines, wrap_measuring(&root, words, &style, width).unwrap());
                assert_eq!(lines, wrap(&svg_root, words, &style, width).unwrap());
                assert!(!lines.is_empty());
            }
            let font = house_face(&style)
                .unwrap()
                .as_scaled(style.font.get_size() as f32);
            for piece in ["", "W", "AVA To", words] {
                let run = Run::default().then(&font, piece);
                assert_eq!(
                    run.width(),
                    root.estimate_text_size(piece, &style).unwrap().0
                );
            }
        }
        let turned = text(CAPTION, INK).transform(FontTransform::Rotate90);
        assert!(house_face(&turned).is_none());
    }

    #[test]
    fn ticks_share_the_decimals_the_axis_needs() {
        assert_eq!(decimals(6.6, 7.1, 7), 1);
        assert_eq!(decimals(0.9, 1.1, 7), 2);
        assert_eq!(decimals(0.0, 100.0, 6), 0);
        assert_eq!(tick(7.0, 1, false), "7.0");
        assert_eq!(tick(12.0, 0, true), "12 %");
        assert_eq!(tick(-0.001, 1, true), "0.0 %");
        assert_eq!(tick(-1.5, 1, false), "-1.5");
    }

    #[test]
    fn padding_keeps_a_minimum_span() {
        let (lo, hi) = padded(6.9, 6.95, 0.4);
        assert!((hi - lo - 0.4).abs() < 1e-12);
        assert!((0.5 * (lo + hi) - 6.925).abs() < 1e-12);
        let (lo, hi) = padded(0.0, 10.0, 1.0);
        assert!(lo < 0.0 && hi > 10.0);
        assert_eq!(padded(f64::NAN, 1.0, 0.0).0, -0.06);
    }
}

/// The time axis of the month-by-month charts: dated (`Apr 2026`,
/// `Apr 2027`, ...) when the run's calendar is known, else years since the
/// start of the reported period. Reported month `m` sits at `(m - 1) / 12`,
/// so a tick marks the first month of each year of the run.
#[derive(Debug, Clone, Copy)]
pub struct TimeAxis {
    pub start: Option<crate::model::calendar::YearMonth>,
}

impl TimeAxis {
    /// Where reported month `month` is drawn.
    pub fn x(self, month: u32) -> f64 {
        f64::from(month.max(1) - 1) / 12.0
    }

    /// The axis' right end for a last reported month `last`.
    pub fn x_max(self, last: u32) -> f64 {
        self.x(last).ceil().max(1.0)
    }

    /// The label of the tick at `v` (a whole number of years).
    pub fn label(self, v: f64) -> String {
        match self.start {
            Some(s) => s.plus((v.round() as i64) * 12).short(),
            None => tick(v, 0, false),
        }
    }

    pub fn desc(self) -> String {
        match self.start {
            Some(s) => format!("Month (the reported period starts in {})", s.long()),
            None => "Years since the start of the reported period".into(),
        }
    }

    /// Reported month `month` in words: `April 2027 (month 13)`, or
    /// `reported month 13` without a calendar.
    pub fn month_words(self, month: u32) -> String {
        match self.start {
            Some(s) => format!("{} (month {month})", s.plus(i64::from(month) - 1).long()),
            None => format!("reported month {month}"),
        }
    }
}
