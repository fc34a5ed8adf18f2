//! The bitmap a chart's PNG is drawn on, kept from one chart to the next,
//! with its text drawn from glyphs rasterised once.
//!
//! plotters draws text on a bitmap by rasterising every glyph of every
//! string afresh and handing each pixel of the glyph's box, covered or not,
//! to the backend. A glyph of the house font at one size is the same
//! coverage wherever it is drawn (plotters places glyphs at whole pixels),
//! so [`CanvasBackend`] keeps each glyph's covered pixels the first time it
//! is drawn and draws later copies from them, through the same pixel
//! blending, in the same order: the pixels are exactly plotters' own
//! (`tests::the_canvas_draws_the_pixels_plotters_draws`). Everything else
//! is plotters' bitmap backend unchanged.

use std::collections::BTreeMap;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
    text_anchor::{HPos, VPos},
};
use plotters_bitmap::BitMapBackendError;
use plotters_bitmap::bitmap_pixel::RGBPixel;

use super::style;

/// A chart's pixels and the glyphs drawn on them so far, handed from one
/// chart to the next.
#[derive(Default)]
pub struct Canvas {
    pixels: Vec<u8>,
    glyphs: Glyphs,
}

impl Canvas {
    /// The canvas resized to `w` x `h` RGB pixels, as a plotters backend.
    /// Its old pixels are left as they were: every figure is drawn over a
    /// white fill ([`style::figure`]).
    pub fn backend(&mut self, (w, h): (u32, u32)) -> CanvasBackend<'_> {
        self.pixels.resize(3 * w as usize * h as usize, u8::MAX);
        CanvasBackend {
            pixels: &mut self.pixels,
            size: (w, h),
            glyphs: &mut self.glyphs,
        }
    }

    /// The pixels, 8-bit RGB, row after row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
}

/// The glyphs of the house font rasterised so far, by (bold, size, char);
/// `None` for a character with no outline (a space).
type Glyphs = BTreeMap<(bool, u64, char), Option<Glyph>>;

/// One glyph at one size as plotters' ab_glyph font draws it: its rows
/// shifted by `y_shift`, its covered pixels (coverage above zero), each
/// with its coverage, in the order the rasteriser gives them.
struct Glyph {
    y_shift: i32,
    covered: Vec<(i32, i32, f32)>,
}

impl Glyph {
    /// `c` at `size` pixels in `font`, computed as plotters computes it.
    fn rasterise(font: &FontRef<'static>, size: f64, c: char) -> Option<Glyph> {
        let scaled = font.as_scaled(size as f32);
        let outline = scaled.outline_glyph(scaled.scaled_glyph(c))?;
        let y_shift = ((size as f32) / 2.0 + outline.px_bounds().min.y) as i32;
        let mut covered = Vec::new();
        outline.draw(|x, y, a| {
            if a > 0.0 {
                covered.push((x as i32, y as i32, a));
            }
        });
        Some(Glyph { y_shift, covered })
    }
}

/// plotters' bitmap backend on a [`Canvas`], drawing the house font's text
/// from its kept glyphs.
pub struct CanvasBackend<'a> {
    pixels: &'a mut [u8],
    size: (u32, u32),
    glyphs: &'a mut Glyphs,
}

impl CanvasBackend<'_> {
    /// plotters' bitmap backend on the same pixels, for all but text.
    fn bitmap(&mut self) -> BitMapBackend<'_, RGBPixel> {
        BitMapBackend::with_buffer(self.pixels, self.size)
    }
}

type Result<T = ()> = std::result::Result<T, DrawingErrorKind<BitMapBackendError>>;

impl DrawingBackend for CanvasBackend<'_> {
    type ErrorType = BitMapBackendError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result {
        self.bitmap().ensure_prepared()
    }

    fn present(&mut self) -> Result {
        self.bitmap().present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result {
        self.bitmap().draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        s: &S,
    ) -> Result {
        self.bitmap().draw_line(from, to, s)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Result {
        self.bitmap().draw_rect(upper_left, bottom_right, s, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Result {
        self.bitmap().draw_path(path, s)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        s: &S,
        fill: bool,
    ) -> Result {
        self.bitmap().draw_circle(center, radius, s, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Result {
        self.bitmap().fill_polygon(vert, s)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result {
        self.bitmap().blit_bitmap(pos, size, src)
    }

    /// plotters' own text drawing (the backend's default `draw_text` over
    /// its ab_glyph font's `draw` and the bitmap's `draw_pixel`), step for
    /// step, with each glyph's covered pixels taken from the kept glyphs.
    /// Text in any other font is left to plotters.
    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, s: &T, pos: BackendCoord) -> Result {
        if s.family().as_str() != style::FONT {
            return self.bitmap().draw_text(text, s, pos);
        }
        let color = s.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = s
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match s.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match s.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = s.transform();
        let (w, h) = self.size;
        let (red, green, blue) = color.rgb;
        let size = s.size();
        let font = style::face(s.style());
        let bold = matches!(s.style(), FontStyle::Bold);
        let scaled = font.as_scaled(size as f32);
        let mut x_shift = 0f32;
        let mut prev = None;
        for c in text.chars() {
            if let Some(pc) = prev {
                x_shift += scaled.kern(scaled.glyph_id(pc), scaled.glyph_id(c));
            }
            prev = Some(c);
            let glyph = self
                .glyphs
                .entry((bold, size.to_bits(), c))
                .or_insert_with(|| Glyph::rasterise(font, size, c));
            if let Some(glyph) = glyph {
                let (ox, oy) = (x_shift as i32 + dx - min_x, glyph.y_shift + dy - min_y);
                for &(x, y, a) in &glyph.covered {
                    let (x, y) = trans.transform(x + ox, y + oy);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        let at = 3 * (y as usize * w as usize + x as usize);
                        let weight = weight(color.alpha * f64::from(a));
                        blend(&mut self.pixels[at..at + 3], [red, green, blue], weight);
                    }
                }
            }
            x_shift += scaled.h_advance(scaled.glyph_id(c));
        }
        Ok(())
    }
}

/// The 256ths by which plotters' bitmap paints a pixel at opacity
/// `alpha` (`PixelFormat::draw_pixel`): all 256 from 255/256, none at 0 or
/// below (or NaN), else the whole 256ths (the cast is the floor of a
/// positive value).
#[inline]
fn weight(alpha: f64) -> u64 {
    if alpha >= 1.0 - 1.0 / 256.0 {
        256
    } else if alpha > 0.0 {
        (alpha * 256.0) as u64
    } else {
        0
    }
}

/// One pixel moved towards `rgb` by `weight` 256ths, channel by channel,
/// as plotters' `blend` moves it (all 256: the colour itself).
#[inline]
fn blend(pixel: &mut [u8], rgb: [u8; 3], weight: u64) {
    for (p, new) in pixel.iter_mut().zip(rgb) {
        if new > *p {
            *p += (u64::from(new - *p) * weight / 256) as u8;
        } else {
            *p -= (u64::from(*p - new) * weight / 256) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::text_anchor::Pos;

    /// Text in every face, size, anchor and turn the charts use, and a
    /// run chart whole, drawn on a canvas and on plotters' bitmap backend:
    /// the same pixels.
    #[test]
    fn the_canvas_draws_the_pixels_plotters_draws() {
        style::register_fonts();
        let (w, h) = (900, 400);
        fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, plotters::coord::Shift>)
        where
            DB::ErrorType: 'static,
        {
            root.fill(&WHITE).unwrap();
            let mut y = 10;
            for (i, size) in [style::TITLE, 41.5, style::CAPTION, 13.0]
                .into_iter()
                .enumerate()
            {
                for (j, (hp, vp)) in [
                    (HPos::Left, VPos::Top),
                    (HPos::Center, VPos::Center),
                    (HPos::Right, VPos::Bottom),
                ]
                .into_iter()
                .enumerate()
                {
                    let base = if (i + j) % 2 == 0 {
                        style::text(size, style::BLUE)
                    } else {
                        let mut s = style::bold(size, style::VERMILLION);
                        s.color = style::VERMILLION.mix(0.6).to_backend_color();
                        s
                    };
                    let s = base.pos(Pos::new(hp, vp));
                    root.draw_text("Wavy AVA: 3.9 % ± 0.2, fjq", &s, (40 + 300 * j as i32, y))
                        .unwrap();
                }
                y += 60;
            }
            let turned = style::text(30.0, style::INK).transform(FontTransform::Rotate270);
            root.draw_text("Engagement (1-5)", &turned, (20, 390))
                .unwrap();
            // Off the edge: clipped alike.
            root.draw_text("edge", &style::text(40.0, style::INK), (880, 380))
                .unwrap();
        }
        let mut plain = vec![0u8; 3 * w * h];
        {
            let root =
                BitMapBackend::with_buffer(&mut plain, (w as u32, h as u32)).into_drawing_area();
            draw(&root);
        }
        let mut canvas = Canvas::default();
        for _ in 0..2 {
            let root = canvas.backend((w as u32, h as u32)).into_drawing_area();
            draw(&root);
            drop(root);
            assert!(canvas.pixels() == plain.as_slice(), "text pixels differ");
        }
        assert!(plain.iter().any(|&b| b != u8::MAX), "nothing was drawn");
    }
}
