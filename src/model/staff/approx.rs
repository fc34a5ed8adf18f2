//! Fixed-operation-order approximations used inside the staff kernel: no
//! platform `libm` call, only IEEE-754 single-precision additions,
//! multiplications, divisions, square roots, comparisons and bit operations,
//! so every build and vector width gives the same bits.

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

/// 2^23: adding and subtracting it rounds a non-negative `f32` below 2^23
/// to an integer (and a non-negative integer below it, added to it, is in
/// the low bits of the sum).
pub(super) const ROUND: f32 = 8_388_608.0;
/// 1.5 * 2^23: the same for values of either sign below 2^22.
const ROUND_SIGNED: f32 = 12_582_912.0;

/// `floor(x)` for `0 <= x < 2^23`.
#[inline(always)]
pub fn floor_nonneg(x: f32) -> f32 {
    let r = (x + ROUND) - ROUND;
    if r > x { r - 1.0 } else { r }
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
/// by its series to `s^9` (absolute error below 1e-9).
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let big = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) > std::f32::consts::SQRT_2;
    let k = ((bits >> 23) & 0xff) as i32 - 127 + i32::from(big);
    let m = f32::from_bits((bits & 0x007f_ffff) | if big { 0x3f00_0000 } else { 0x3f80_0000 });
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series =
        s * (2.0 + s2 * (0.666_666_7 + s2 * (0.4 + s2 * (0.285_714_3 + s2 * 0.222_222_22))));
    k as f32 * std::f32::consts::LN_2 + series
}

/// Coefficients of Giles' single-precision inverse error function
/// ("Approximating the erfinv function", GPU Computing Gems, 2011): the
/// central branch (w < 5) in powers of w - 2.5 ...
const CENTRAL: [f32; 9] = [
    2.810_226_4e-8,
    3.432_739_4e-7,
    -3.523_387_7e-6,
    -4.391_506_5e-6,
    0.000_218_580_87,
    -0.001_253_725,
    -0.004_177_681_6,
    0.246_640_73,
    1.501_409_4,
];
/// ... and the tail branch in powers of sqrt(w) - 3.
const TAIL: [f32; 9] = [
    -0.000_200_214_26,
    0.000_100_950_56,
    0.001_349_343_2,
    -0.003_673_428_4,
    0.005_739_507_7,
    -0.007_622_461_3,
    0.009_438_870_5,
    1.001_674,
    2.832_976_8,
];

#[inline(always)]
fn horner(c: &[f32; 9], w: f32) -> f32 {
    let mut p = c[0];
    for &a in &c[1..] {
        p = a + p * w;
    }
    p
}

/// Standard normal deviates from 24-bit uniforms by inversion: `u` maps to
/// the probability `p = (u + 1/2) / 2^24` and `z = sqrt(2) erfinv(2p - 1)`.
/// Branch-free over a block of lanes; the tail branch (|z| > 2.9, about one
/// draw in 300) is evaluated only when a lane of the block needs it, and
/// every lane's result is the same whichever lanes share its block.
#[inline(always)]
pub fn normals<const N: usize>(u: &[u32; N], z: &mut [f32; N]) {
    let mut x = [0f32; N];
    let mut w = [0f32; N];
    let mut tail = false;
    for l in 0..N {
        // 2u - 2^24 + 1 is odd and below 2^24 in magnitude: exact in f32.
        let v = (2 * (u[l] & 0x00ff_ffff) as i32 - (1 << 24) + 1) as f32;
        x[l] = v * (1.0 / 16_777_216.0);
        w[l] = -ln((1.0 - x[l]) * (1.0 + x[l]));
        tail |= w[l] >= 5.0;
        z[l] = std::f32::consts::SQRT_2 * (horner(&CENTRAL, w[l] - 2.5) * x[l]);
    }
    if tail {
        for l in 0..N {
            let zt = std::f32::consts::SQRT_2 * (horner(&TAIL, w[l].sqrt() - 3.0) * x[l]);
            z[l] = if w[l] >= 5.0 { zt } else { z[l] };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upper tail of the standard normal, by Simpson's rule (reference).
    fn upper_tail(z: f64) -> f64 {
        let (a, b, n) = (z, z + 12.0, 6000);
        let h = (b - a) / f64::from(n);
        let phi = |t: f64| (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mut s = phi(a) + phi(b);
        for i in 1..n {
            s += phi(a + h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    #[test]
    fn normal_deviates_invert_the_normal_distribution() {
        // A grid over the whole 24-bit range, dense in both tails.
        let mut us: Vec<u32> = (0..2000).map(|i| i * 8389).collect();
        us.extend((0..64).flat_map(|i| [1u32 << (i % 24), (1 << 24) - 1 - (1 << (i % 24))]));
        us.extend([0, 1, 2, (1 << 24) - 1, (1 << 23) - 1, 1 << 23]);
        let mut worst: f64 = 0.0;
        for chunk in us.chunks(8) {
            let mut u = [1u32 << 23; 8];
            u[..chunk.len()].copy_from_slice(chunk);
            let mut z = [0f32; 8];
            normals(&u, &mut z);
            for l in 0..chunk.len() {
                let p = (f64::from(u[l]) + 0.5) / 16_777_216.0;
                let zf = f64::from(z[l]);
                // The probability below zf against p, as an error in z.
                let below = if zf < 0.0 {
                    upper_tail(-zf)
                } else {
                    1.0 - upper_tail(zf)
                };
                let density = (-0.5 * zf * zf).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let err = (below - p) / density;
                worst = worst.max(err.abs() / (1.0 + zf.abs()));
            }
        }
        assert!(worst < 2e-6, "worst error in z {worst}");
        // Symmetric: u and 2^24 - 1 - u give z and -z.
        let mut a = [0u32; 8];
        let mut b = [0u32; 8];
        for l in 0..8 {
            a[l] = (l as u32) * 1_234_567 + 3;
            b[l] = (1 << 24) - 1 - a[l];
        }
        let (mut za, mut zb) = ([0f32; 8], [0f32; 8]);
        normals(&a, &mut za);
        normals(&b, &mut zb);
        assert_eq!(za.map(|z| -z), zb);
    }

    #[test]
    fn every_24_bit_uniform_gives_a_standard_normal_moment() {
        // All 2^24 inputs: the mean is 0 and the variance 1 to the accuracy
        // of the discretisation.
        let (mut s1, mut s2, mut s4) = (0.0f64, 0.0f64, 0.0f64);
        let mut u = [0u32; 8];
        let mut z = [0f32; 8];
        for i in (0..1u32 << 24).step_by(8) {
            for l in 0..8 {
                u[l] = i + l as u32;
            }
            normals(&u, &mut z);
            for &x in &z {
                let x = f64::from(x);
                s1 += x;
                s2 += x * x;
                s4 += x * x * x * x;
            }
        }
        let n = f64::from(1u32 << 24);
        assert!((s1 / n).abs() < 1e-6, "mean {}", s1 / n);
        assert!((s2 / n - 1.0).abs() < 1e-5, "variance {}", s2 / n);
        assert!((s4 / n - 3.0).abs() < 1e-3, "fourth moment {}", s4 / n);
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
        for i in 0..1000 {
            let x = i as f32 * 0.1 + 0.05;
            assert_eq!(floor_nonneg(x), x.floor());
        }
        assert_eq!(floor_nonneg(3.0), 3.0);
        assert_eq!(floor_nonneg(0.0), 0.0);
    }
}
