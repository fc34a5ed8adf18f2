//! A chart's PNG file: 8-bit RGB, every row Paeth-filtered and the whole
//! deflated by fdeflate (the fast compressor the png crate uses for its
//! fast setting), stating 300 dots per inch.
//!
//! The bytes are those the png crate writes with those settings
//! (`tests::the_bytes_are_the_png_crates`); the filter is written here so
//! that it runs at the processor's vector width: a chart is 10.8 MB of
//! pixels, which the png crate's filter, built for the baseline x86-64
//! processor, took about 1.3 ms to filter and the AVX2 build of the same
//! loop takes about 0.55 ms. A chart is mostly flat colour, where choosing
//! a filter row by row (the adaptive default) costs more than it saves:
//! with Paeth on every row a chart takes about 2.3 ms here (3.0 ms by the
//! png crate) and 6 % more bytes, against 5.6 ms adaptively at the same
//! compression and 25 ms for the png crate's default compression at a
//! third of the size.

use std::io;

/// Pixels per metre of the stated resolution: 300 dots per inch, so that a
/// document takes a 2400-pixel chart as 8 inches wide.
pub const PIXELS_PER_METRE: u32 = 11_811;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The filter type byte of a Paeth-filtered row.
const PAETH: u8 = 4;

/// The longest chunk the png crate writes (and the format allows).
const MAX_CHUNK: usize = (u32::MAX >> 1) as usize;

/// `rgb` (`w` x `h` pixels, 8-bit RGB, row after row) as a PNG file.
pub fn png_bytes(rgb: &[u8], (w, h): (u32, u32)) -> io::Result<Vec<u8>> {
    let stride = 3 * w as usize;
    if w == 0 || h == 0 || rgb.len() != stride * h as usize {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} bytes are not {w} x {h} RGB pixels", rgb.len()),
        ));
    }
    let mut z = fdeflate::Compressor::new(Vec::with_capacity(rgb.len() / 16))?;
    let mut row = vec![0u8; 1 + stride];
    row[0] = PAETH;
    let above_the_first = vec![0u8; stride];
    let mut prev: &[u8] = &above_the_first;
    for cur in rgb.chunks_exact(stride) {
        paeth_row(prev, cur, &mut row[1..]);
        z.write_data(&row)?;
        prev = cur;
    }
    let mut idat = z.finish()?;
    // As the png crate: stored, unfiltered, if deflating only added bytes.
    let raw = (1 + stride) * h as usize;
    if idat.len() > fdeflate::StoredOnlyCompressor::<()>::compressed_size(raw) {
        let mut stored = fdeflate::StoredOnlyCompressor::new(io::Cursor::new(Vec::new()))?;
        for cur in rgb.chunks_exact(stride) {
            stored.write_data(&[0])?;
            stored.write_data(cur)?;
        }
        idat = stored.finish()?.into_inner();
    }
    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&w.to_be_bytes());
    ihdr[4..8].copy_from_slice(&h.to_be_bytes());
    ihdr[8] = 8; // bits a channel
    ihdr[9] = 2; // RGB; compression, filter method and interlace all 0
    chunk(&mut out, b"IHDR", &ihdr);
    let mut phys = [0u8; 9];
    phys[..4].copy_from_slice(&PIXELS_PER_METRE.to_be_bytes());
    phys[4..8].copy_from_slice(&PIXELS_PER_METRE.to_be_bytes());
    phys[8] = 1; // the unit is the metre
    chunk(&mut out, b"pHYs", &phys);
    for part in idat.chunks(MAX_CHUNK) {
        chunk(&mut out, b"IDAT", part);
    }
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// Appends a chunk: its length, type, data and the CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// `cur` Paeth-filtered against the row above, `prev`, into `out`, at the
/// widest vector width the processor has (the same bytes at every width).
/// A row the same as the one above (a chart's margins and flat areas) is
/// all zeros: where the left byte equals the above-left one, the predictor
/// is the byte above.
fn paeth_row(prev: &[u8], cur: &[u8], out: &mut [u8]) {
    if prev == cur {
        out.fill(0);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has just reported AVX2, the one feature
        // this build of the loop is compiled for.
        unsafe { paeth_row_avx2(prev, cur, out) };
        return;
    }
    paeth_row_portable(prev, cur, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn paeth_row_avx2(prev: &[u8], cur: &[u8], out: &mut [u8]) {
    paeth_row_portable(prev, cur, out);
}

/// The Paeth filter of one row of 3-byte pixels: each byte less the
/// Paeth predictor of the bytes to its left (`a`), above (`b`) and above
/// left (`c`), zero off the image's left edge. The loop has no branch a
/// vector unit cannot take as a select.
#[inline(always)]
fn paeth_row_portable(prev: &[u8], cur: &[u8], out: &mut [u8]) {
    const BPP: usize = 3;
    let n = cur.len();
    assert!(n >= BPP && prev.len() == n && out.len() == n);
    for i in 0..BPP {
        out[i] = cur[i].wrapping_sub(predict(0, prev[i], 0));
    }
    let (out, cur_right) = (&mut out[BPP..], &cur[BPP..]);
    let (left, above, above_left) = (&cur[..n - BPP], &prev[BPP..], &prev[..n - BPP]);
    for i in 0..out.len() {
        out[i] = cur_right[i].wrapping_sub(predict(left[i], above[i], above_left[i]));
    }
}

/// The Paeth predictor on unsigned bytes alone (Versari's formulation for
/// FPNGE, as the png crate computes it): `a`, `b` or `c`, whichever is
/// nearest to `a + b - c`, ties in that order.
#[inline(always)]
fn predict(a: u8, b: u8, c: u8) -> u8 {
    let pa = b.max(c) - c.min(b);
    let pb = a.max(c) - c.min(a);
    // When `c` is below both or above both, `pc` exceeds `pa` and `pb`.
    let pc = if (a < c) == (c < b) {
        pa.max(pb) - pa.min(pb)
    } else {
        u8::MAX
    };
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels that are mostly flat colour with edges, noise and every byte
    /// value, like a chart's, from a fixed seed.
    fn pixels(w: u32, h: u32) -> Vec<u8> {
        let mut x = 0x9e37_79b9_u32;
        let mut v = vec![255u8; 3 * w as usize * h as usize];
        for (i, b) in v.iter_mut().enumerate() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let col = (i / 3) % w as usize;
            if col % 17 < 3 || (i / 3 / w as usize).is_multiple_of(11) {
                *b = (x >> 24) as u8;
            } else if col % 29 == 5 {
                *b = (i % 256) as u8;
            }
        }
        v
    }

    /// The png crate's bytes for the same pixels and settings.
    fn reference(rgb: &[u8], (w, h): (u32, u32)) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Rgb);
        e.set_depth(png::BitDepth::Eight);
        e.set_compression(png::Compression::Fast);
        e.set_filter(png::FilterType::Paeth);
        e.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        e.set_pixel_dims(Some(png::PixelDimensions {
            xppu: PIXELS_PER_METRE,
            yppu: PIXELS_PER_METRE,
            unit: png::Unit::Meter,
        }));
        let mut writer = e.write_header().unwrap();
        writer.write_image_data(rgb).unwrap();
        writer.finish().unwrap();
        out
    }

    /// The file is byte for byte the png crate's with the same settings,
    /// for images wide and narrow, flat and noisy (and one that deflate
    /// cannot shrink, stored), and reads back as its pixels.
    #[test]
    fn the_bytes_are_the_png_crates() {
        let noise = {
            let mut x = 7u32;
            (0..3 * 61 * 40)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (x >> 24) as u8
                })
                .collect::<Vec<u8>>()
        };
        let cases = [
            (pixels(1, 1), (1, 1)),
            (pixels(2, 3), (2, 3)),
            (pixels(97, 31), (97, 31)),
            (pixels(640, 200), (640, 200)),
            (vec![255u8; 3 * 300 * 20], (300, 20)),
            (pixels(97, 1).repeat(9), (97, 9)),
            (
                [pixels(50, 4), pixels(50, 1).repeat(3), pixels(50, 2)].concat(),
                (50, 9),
            ),
            (noise, (61, 40)),
        ];
        for (rgb, size) in cases {
            let ours = png_bytes(&rgb, size).unwrap();
            assert!(ours == reference(&rgb, size), "{size:?}");
            let mut reader = png::Decoder::new(ours.as_slice()).read_info().unwrap();
            let mut back = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut back).unwrap();
            assert!(back[..info.buffer_size()] == rgb[..], "{size:?}");
        }
        assert!(png_bytes(&[0; 5], (1, 2)).is_err());
        assert!(png_bytes(&[], (0, 0)).is_err());
    }

    /// The AVX2 build of the filter gives the portable build's bytes, on
    /// rows of every length from one pixel to well past a vector, and for
    /// every pair of left and above bytes with eight above-left bytes each.
    #[test]
    fn every_width_filters_alike() {
        let rgb = pixels(257, 3);
        for w in 1..=257usize {
            let (prev, cur) = (&rgb[..3 * w], &rgb[3 * 257..3 * 257 + 3 * w]);
            let mut portable = vec![0u8; 3 * w];
            paeth_row_portable(prev, cur, &mut portable);
            let mut widest = vec![0u8; 3 * w];
            paeth_row(prev, cur, &mut widest);
            assert_eq!(portable, widest, "{w} pixels");
            // A row under its double, which the filter takes as all zeros.
            paeth_row_portable(cur, cur, &mut portable);
            paeth_row(cur, cur, &mut widest);
            assert_eq!(portable, widest, "{w} pixels under their double");
            assert!(widest.iter().all(|&b| b == 0), "{w} pixels");
        }
        // Every (a, b, c), through the row filter at one pixel's offset.
        for a in 0..=255u8 {
            let mut prev = Vec::with_capacity(2 * 256 * 3);
            let mut cur = Vec::with_capacity(2 * 256 * 3);
            for b in 0..=255u8 {
                for c in [0u8, 1, 127, 128, 254, 255, b, b.wrapping_add(1)] {
                    prev.extend_from_slice(&[c, c, c, b, b, b]);
                    cur.extend_from_slice(&[a, a, a, 0, 0, 0]);
                }
            }
            let mut portable = vec![0u8; cur.len()];
            let mut widest = vec![0u8; cur.len()];
            paeth_row_portable(&prev, &cur, &mut portable);
            paeth_row(&prev, &cur, &mut widest);
            assert_eq!(portable, widest, "a = {a}");
        }
    }
}
