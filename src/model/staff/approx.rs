//! Fixed-operation-order approximations used inside the staff kernel: no
//! platform `libm` call, only IEEE-754 single-precision additions,
//! multiplications, divisions, square roots, comparisons and bit operations,
//! so every build and vector width gives the same bits.

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

/// 1.5 * 2^23: adding and subtracting it rounds an `f32` of either sign
/// below 2^22 to the nearest integer (and the integer is then in the low
/// bits of the sum).
const ROUND_SIGNED: f32 = 12_582_912.0;

/// Engagement `x` clamped to [0, 10], and its bucket `floor(10 v)` (a
/// tenth of a point, 0-100). The product is rounded to single precision
/// first, and truncated: for a non-negative value that is the floor, one
/// vector conversion at the end of the update's longest dependency chain
/// (the rounding trick it replaced took four). Max then min: two vector
/// instructions, and a NaN comes out as 0.
#[inline(always)]
#[allow(clippy::manual_clamp)]
pub fn clamp_and_bucket(x: f32) -> (f32, u32) {
    let v = x.max(0.0).min(10.0);
    // SAFETY: `max` and `min` return the other operand for a NaN, so `v`
    // is in [0, 10] and `10 v` in [0, 100] (10 x 10 is exact): finite and
    // representable as an `i32`, as `to_int_unchecked` requires.
    let bucket = unsafe { (v * 10.0).to_int_unchecked::<i32>() } as u32;
    (v, bucket)
}

/// `2^y` for `y <= 0`, with `y` clamped at -60 (so the result is at least
/// 2^-60): split into an integer `n` (round to nearest) and `f` in
/// [-0.5, 0.5], then `2^f` by its degree-6 Taylor polynomial (relative
/// error below 2e-7) and `2^n` from the exponent bits.
#[inline(always)]
#[allow(clippy::manual_clamp)] // max then min: two vector instructions, no NaN check
pub fn exp2_nonpos(y: f32) -> f32 {
    let y = y.max(-60.0).min(0.0);
    let t = y + ROUND_SIGNED;
    let n = t - ROUND_SIGNED;
    let f = y - n;
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5
                + f * (0.055_504_11
                    + f * (0.009_618_129 + f * (0.001_333_355_8 + f * 0.000_154_035_3)))));
    let exponent = t.to_bits().wrapping_sub(ROUND_SIGNED.to_bits());
    p * f32::from_bits(exponent.wrapping_add(127) << 23)
}

/// Natural logarithm of a positive normal `x`: `x = m 2^k` with `m` in
/// [sqrt(1/2), sqrt(2)), then `ln m = 2 atanh(s)`, `s = (m - 1)/(m + 1)`,
/// by its series to `s^7` (`|s| < 0.172`, so the truncation error is below
/// 3e-8, about a unit in the last place of `ln sqrt(2)`).
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let big = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) > std::f32::consts::SQRT_2;
    let k = ((bits >> 23) & 0xff) as i32 - 127 + i32::from(big);
    let m = f32::from_bits((bits & 0x007f_ffff) | if big { 0x3f00_0000 } else { 0x3f80_0000 });
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = s * (2.0 + s2 * (0.666_666_7 + s2 * (0.4 + s2 * 0.285_714_3)));
    k as f32 * std::f32::consts::LN_2 + series
}

/// `sin t` and `cos t` for `0 < t < pi/4`, by their Taylor polynomials to
/// `t^9` and `t^8` (truncation error below 3e-8).
#[inline(always)]
fn sin_cos_octant(t: f32) -> (f32, f32) {
    let t2 = t * t;
    let sin = t
        * (1.0
            + t2 * (-1.0 / 6.0
                + t2 * (1.0 / 120.0 + t2 * (-1.0 / 5_040.0 + t2 * (1.0 / 362_880.0)))));
    let cos = 1.0 + t2 * (-0.5 + t2 * (1.0 / 24.0 + t2 * (-1.0 / 720.0 + t2 * (1.0 / 40_320.0))));
    (sin, cos)
}

/// Standard normal deviates in pairs by the Box-Muller transform: pair `j`
/// takes the radius from the 24-bit uniform `radius[j]` and the angle from
/// `angle[j]`, and gives `x[j] = r cos a` and `y[j] = r sin a`.
///
/// The radius is `sqrt(-2 ln p)` with `p = (u + 1) / 2^24` (so at most
/// 5.77); the angle's top two bits pick the quadrant and the other 22 the
/// point `(2v + 1) / 2^23` of a quarter turn within it, so the angles are
/// exactly symmetric. In the quadrant's upper half (`v`'s top bit set) the
/// sine and cosine are those of the complementary angle, whose `v` is the
/// other 21 bits inverted, so the polynomials only ever see an eighth of a
/// turn. Branch-free over a block of pairs, and every lane's result is the
/// same whichever lanes share its block.
#[inline(always)]
pub fn box_muller<const P: usize>(
    radius: &[u32; P],
    angle: &[u32; P],
    x: &mut [f32; P],
    y: &mut [f32; P],
) {
    for j in 0..P {
        // u + 1 is at most 2^24: exact in f32.
        let p = ((radius[j] & 0x00ff_ffff) + 1) as i32 as f32 * (1.0 / 16_777_216.0);
        let r = (-2.0 * ln(p)).sqrt();
        let a = angle[j] & 0x00ff_ffff;
        let quadrant = a >> 22;
        // All ones in the quadrant's upper half: v -> 2^22 - 1 - v there,
        // the angle's complement, below 2^21.
        let upper = 0u32.wrapping_sub((a >> 21) & 1);
        let v = (a ^ upper) & 0x001f_ffff;
        // 2v + 1 is odd and below 2^22: exact in f32.
        let t = (2 * v + 1) as i32 as f32 * (std::f32::consts::FRAC_PI_2 / 8_388_608.0);
        let (sin, cos) = sin_cos_octant(t);
        // Swap for the complement, and again in quadrants 1 and 3:
        // quadrants 0-3 give (cos, sin), (-sin, cos), (-cos, -sin), (sin, -cos).
        let swap = 0u32.wrapping_sub(quadrant & 1) ^ upper;
        let c = (cos.to_bits() & !swap) | (sin.to_bits() & swap);
        let s = (sin.to_bits() & !swap) | (cos.to_bits() & swap);
        x[j] = r * f32::from_bits(c ^ ((((quadrant + 1) >> 1) & 1) << 31));
        y[j] = r * f32::from_bits(s ^ ((quadrant >> 1) << 31));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Box-Muller in double precision with the platform's `ln`, `sin` and
    /// `cos` (reference).
    fn box_muller_f64(ua: u32, ub: u32) -> (f64, f64) {
        let p = (f64::from(ua) + 1.0) / 16_777_216.0;
        let r = (-2.0 * p.ln()).sqrt();
        let a = std::f64::consts::FRAC_PI_2
            * (f64::from(ub >> 22) + (2.0 * f64::from(ub & 0x003f_ffff) + 1.0) / 8_388_608.0);
        (r * a.cos(), r * a.sin())
    }

    #[test]
    fn box_muller_pairs_match_double_precision() {
        // A grid over both 24-bit ranges, dense at the radius's ends and at
        // the quadrants' edges.
        let mut radii: Vec<u32> = (0..300).map(|i| i * 55_924).collect();
        radii.extend((0..24).flat_map(|i| [1u32 << i, (1 << 24) - (1 << i)]));
        radii.extend([0, 1, (1 << 24) - 1]);
        let mut angles: Vec<u32> = (0..300).map(|i| i * 55_924 + 7).collect();
        angles.extend((0..4).flat_map(|q| [q << 22, (q << 22) + 1, ((q + 1) << 22) - 1]));
        let mut worst: f64 = 0.0;
        for chunk in radii.chunks(8) {
            for &b in &angles {
                let mut ua = [0u32; 8];
                ua[..chunk.len()].copy_from_slice(chunk);
                let ub = [b; 8];
                let (mut zx, mut zy) = ([0f32; 8], [0f32; 8]);
                box_muller(&ua, &ub, &mut zx, &mut zy);
                for j in 0..chunk.len() {
                    let (x, y) = box_muller_f64(ua[j], b);
                    for (got, want) in [(zx[j], x), (zy[j], y)] {
                        worst = worst.max((f64::from(got) - want).abs() / (1.0 + want.abs()));
                    }
                }
            }
        }
        assert!(worst < 2e-6, "worst error {worst}");
        // The largest radius, and exact symmetry between quadrants.
        let (mut x, mut y) = ([0f32], [0f32]);
        box_muller(&[0], &[0], &mut x, &mut y);
        assert!((f64::from(x[0]) - (48.0 * std::f64::consts::LN_2).sqrt()).abs() < 1e-5);
        for v in [0u32, 12_345, (1 << 21) - 1, 1 << 21, (1 << 22) - 1] {
            let mut zq = [[0f32; 2]; 4];
            for q in 0..4u32 {
                let (mut x, mut y) = ([0f32], [0f32]);
                box_muller(&[777], &[(q << 22) | v], &mut x, &mut y);
                zq[q as usize] = [x[0], y[0]];
            }
            assert_eq!(zq[2], [-zq[0][0], -zq[0][1]]);
            assert_eq!(zq[3], [-zq[1][0], -zq[1][1]]);
            assert_eq!(zq[1], [-zq[0][1], zq[0][0]]);
        }
    }

    #[test]
    fn every_24_bit_radius_and_angle_give_standard_normal_moments() {
        // All 2^24 radii (with one angle) and all 2^24 angles (with one
        // radius): E r^2 = 2 and E r^4 = 8; E cos = 0, E cos^2 = 1/2 and
        // E cos^4 = 3/8, so z has mean 0, variance 1 and fourth moment 3 to
        // the accuracy of the discretisation.
        let (mut r2, mut r4) = (0.0f64, 0.0f64);
        let (mut c1, mut c2, mut c4, mut s1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let (mut zx, mut zy) = ([0f32; 8], [0f32; 8]);
        for i in (0..1u32 << 24).step_by(8) {
            let u: [u32; 8] = std::array::from_fn(|l| i + l as u32);
            // The angle 0 of quadrant 0 (cos very nearly 1) ...
            box_muller(&u, &[0; 8], &mut zx, &mut zy);
            for l in 0..8 {
                let r = f64::from(zx[l]);
                r2 += r * r;
                r4 += r * r * r * r;
            }
            // ... and one radius (about 1.05).
            box_muller(&[8_000_000; 8], &u, &mut zx, &mut zy);
            for l in 0..8 {
                let (x, y) = (f64::from(zx[l]), f64::from(zy[l]));
                let rr = (x * x + y * y).sqrt();
                let c = x / rr;
                c1 += c;
                c2 += c * c;
                c4 += c * c * c * c;
                s1 += y / rr;
            }
        }
        let n = f64::from(1u32 << 24);
        assert!((r2 / n - 2.0).abs() < 1e-5, "E r^2 {}", r2 / n);
        assert!((r4 / n - 8.0).abs() < 1e-4, "E r^4 {}", r4 / n);
        assert!(
            (c1 / n).abs() < 1e-6 && (s1 / n).abs() < 1e-6,
            "{} {}",
            c1 / n,
            s1 / n
        );
        assert!((c2 / n - 0.5).abs() < 1e-6, "E cos^2 {}", c2 / n);
        assert!((c4 / n - 0.375).abs() < 1e-6, "E cos^4 {}", c4 / n);
    }

    #[test]
    fn exp2_and_ln_match_the_platform_to_single_precision() {
        for i in 0..=6000 {
            let y = -(i as f32) * 0.01;
            let want = 2f64.powf(f64::from(y));
            let got = f64::from(exp2_nonpos(y));
            assert!(((got - want) / want).abs() < 3e-7, "2^{y}: {got} vs {want}");
        }
        assert_eq!(exp2_nonpos(0.0), 1.0);
        assert_eq!(exp2_nonpos(5.0), 1.0);
        assert!(exp2_nonpos(-1e9) > 0.0);
        for i in 1..=4000 {
            let x = (i as f32) * 2.5e-4;
            let want = f64::from(x).ln();
            let got = f64::from(ln(x));
            assert!(
                (got - want).abs() < 2e-7 * want.abs().max(1.0),
                "ln {x}: {got} vs {want}"
            );
        }
    }

    /// The bucket is the floor of the single-precision product, as the
    /// rounding trick it replaced computed it: every float in [0.1, 10],
    /// every 97th below, the tenths and their neighbours, and values
    /// outside [0, 10] (and NaN) clamped.
    #[test]
    fn buckets_are_the_floor_of_ten_times_the_clamped_engagement() {
        let check = |x: f32| {
            let (v, b) = clamp_and_bucket(x);
            let want = if x.is_nan() { 0.0 } else { x.clamp(0.0, 10.0) };
            // (-0.0 may come out as either zero.)
            assert!(
                v == want && v.to_bits() & 0x7fff_ffff == want.to_bits() & 0x7fff_ffff,
                "clamp {x}"
            );
            assert_eq!(b, f64::from(want * 10.0).floor() as u32, "bucket {x}");
        };
        let mut x = 0.0f32;
        while x < 0.1 {
            check(x);
            x = f32::from_bits(x.to_bits() + 97);
        }
        let mut x = 0.1f32;
        while x <= 10.0 {
            check(x);
            x = f32::from_bits(x.to_bits() + 1);
        }
        for i in 0..=100u32 {
            let t = i as f32 / 10.0;
            for y in [
                t,
                f32::from_bits(t.to_bits() + 1),
                f32::from_bits(t.to_bits().max(1) - 1),
            ] {
                check(y);
            }
        }
        for y in [
            -0.0,
            -1e-30,
            -3.0,
            10.000_001,
            1e9,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ] {
            check(y);
        }
        assert_eq!(clamp_and_bucket(10.0), (10.0, 100));
        assert_eq!(clamp_and_bucket(f32::NAN), (0.0, 0));
    }
}
