//! Global sensitivity analysis of a model's output to its parameters, on the
//! unit cube (mapping onto parameter ranges is the caller's business):
//! Morris elementary-effects screening ([`morris_design`],
//! [`morris_analyse`]) and variance-based Sobol indices from Saltelli's
//! sampling scheme ([`saltelli_design`], [`sobol_analyse`]), both with
//! seeded percentile-bootstrap 95 % intervals, and two test functions with
//! known indices ([`ishigami`], [`sobol_g`]). Inputs are validated by the
//! caller; nothing here panics: degenerate inputs give an empty design, or
//! indices that are `NaN`.

use rand::RngExt;

pub mod study;

use crate::design::{MAX_SOBOL_DIMS, sobol};
use crate::model::rng::{Stream, from_u64};
use crate::stats::{mean, quantile, sd, sorted};

/// Morris (1991) one-at-a-time trajectories: `r` trajectories over `k`
/// parameters on a `levels`-level grid `{0, 1/(p-1), ..., 1}`, with the step
/// `delta = p / (2 (p - 1))` recommended by Campolongo, Cariboni and Saltelli
/// (2007) (`2/3` for 4 levels). Each trajectory starts at a random grid point
/// from which every parameter can move by `delta`, then moves each parameter
/// once, up or down at random, in a random order. Returns `(k + 1) r` points
/// in `[0,1]^k`, trajectory by trajectory. `k = 0`, `r = 0` or fewer than 2
/// levels gives an empty design. An even number of levels keeps every point
/// on the grid.
pub fn morris_design(k: usize, r: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    if k == 0 || r == 0 || levels < 2 {
        return Vec::new();
    }
    let p = levels as f64;
    let delta = morris_delta(levels);
    // Grid levels from which a step of delta stays inside [0, 1].
    let bases: Vec<f64> = (0..levels)
        .map(|i| i as f64 / (p - 1.0))
        .filter(|x| x + delta <= 1.0 + 1e-12)
        .collect();
    let mut rng = from_u64(seed);
    let mut out = Vec::with_capacity((k + 1) * r);
    for _ in 0..r {
        let mut low = Vec::with_capacity(k);
        let mut up = Vec::with_capacity(k);
        for _ in 0..k {
            low.push(bases[rng.random_range(0..bases.len())]);
            up.push(rng.random::<bool>());
        }
        let high: Vec<f64> = low.iter().map(|x| (x + delta).min(1.0)).collect();
        let mut x: Vec<f64> = (0..k)
            .map(|i| if up[i] { low[i] } else { high[i] })
            .collect();
        out.push(x.clone());
        for i in permutation(k, &mut rng) {
            x[i] = if up[i] { high[i] } else { low[i] };
            out.push(x.clone());
        }
    }
    out
}

/// The Morris step for `levels` grid levels: `p / (2 (p - 1))`.
pub fn morris_delta(levels: usize) -> f64 {
    let p = levels as f64;
    p / (2.0 * (p - 1.0))
}

/// A uniformly random permutation of `0..n` (Fisher-Yates).
fn permutation(n: usize, rng: &mut Stream) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        v.swap(i, rng.random_range(0..=i));
    }
    v
}

/// Morris screening measures of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect (signed: effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect (Campolongo et al. 2007): the
    /// parameter's overall importance.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects: non-linearity and
    /// interactions.
    pub sigma: f64,
    /// 95 % bootstrap interval of `mu_star`.
    pub mu_star_low: f64,
    pub mu_star_high: f64,
}

impl MorrisIndex {
    const NAN: MorrisIndex = MorrisIndex {
        mu: f64::NAN,
        mu_star: f64::NAN,
        sigma: f64::NAN,
        mu_star_low: f64::NAN,
        mu_star_high: f64::NAN,
    };
}

/// Morris measures of each of the `k` parameters from the model outputs `y`
/// (one per point of `design`, same order; `design` as [`morris_design`]
/// makes it, `r` trajectories of `k + 1` points). Each step of a trajectory
/// gives the elementary effect `(y_j - y_{j-1}) / (x_j - x_{j-1})` of the
/// parameter it moved. The 95 % interval of `mu*` is the percentile interval
/// over `bootstrap` resamples of the trajectories (seeded by `seed`; no
/// interval if `bootstrap` is 0). Returns `k` indices, all `NaN` if the
/// design and outputs do not match `k` and `r`; empty if `k = 0`.
pub fn morris_analyse(
    design: &[Vec<f64>],
    y: &[f64],
    k: usize,
    r: usize,
    bootstrap: usize,
    seed: u64,
) -> Vec<MorrisIndex> {
    let points = (k + 1) * r;
    // Without parameters, the `k` indices are none.
    if k == 0
        || r == 0
        || design.len() != points
        || y.len() != points
        || design.iter().any(|p| p.len() < k)
    {
        return vec![MorrisIndex::NAN; k];
    }
    // effects[t][i]: the elementary effect of parameter i in trajectory t.
    let effects: Vec<Vec<Option<f64>>> = design
        .chunks(k + 1)
        .zip(y.chunks(k + 1))
        .map(|(xs, ys)| {
            let mut ee = vec![None; k];
            for j in 1..xs.len() {
                let (a, b) = (&xs[j - 1], &xs[j]);
                let moved = (0..k)
                    .map(|i| (i, b[i] - a[i]))
                    .filter(|(_, d)| *d != 0.0)
                    .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()));
                if let Some((i, d)) = moved {
                    ee[i] = Some((ys[j] - ys[j - 1]) / d);
                }
            }
            ee
        })
        .collect();
    let values = |i: usize, trajectories: &mut dyn Iterator<Item = usize>| -> Vec<f64> {
        trajectories.filter_map(|t| effects[t][i]).collect()
    };
    let mut rng = from_u64(seed);
    let mut boot = vec![Vec::with_capacity(bootstrap); k];
    for _ in 0..bootstrap {
        let rows: Vec<usize> = (0..r).map(|_| rng.random_range(0..r)).collect();
        for (i, b) in boot.iter_mut().enumerate() {
            b.push(mean_abs(&values(i, &mut rows.iter().copied())));
        }
    }
    (0..k)
        .map(|i| {
            let ee = values(i, &mut (0..r));
            let b = sorted(&boot[i]);
            MorrisIndex {
                mu: mean(&ee),
                mu_star: mean_abs(&ee),
                sigma: sd(&ee),
                mu_star_low: quantile(&b, 0.025),
                mu_star_high: quantile(&b, 0.975),
            }
        })
        .collect()
}

fn mean_abs(v: &[f64]) -> f64 {
    mean(&v.iter().map(|x| x.abs()).collect::<Vec<_>>())
}

/// Saltelli (2010) sampling for `k` parameters with base sample size `n`:
/// the first `n` points of a Sobol sequence of dimension `2k` (see
/// [`sobol`]; the origin is skipped) split into matrices `A` (first `k`
/// columns) and `B` (last `k` columns), and for each parameter `i` the
/// matrix `AB_i`, `A` with column `i` taken from `B`. Returns `n (k + 2)`
/// points in blocks of `n` rows: `A`, then `B`, then `AB_1`, ..., `AB_k`
/// (the order [`sobol_analyse`] expects). `k = 0`, `n = 0` or
/// `2k > MAX_SOBOL_DIMS` gives an empty design.
pub fn saltelli_design(k: usize, n: usize) -> Vec<Vec<f64>> {
    if k == 0 || n == 0 || 2 * k > MAX_SOBOL_DIMS {
        return Vec::new();
    }
    let base = sobol(n, 2 * k);
    let a = || base.iter().map(|p| p[..k].to_vec());
    let b = || base.iter().map(|p| p[k..].to_vec());
    let mut out = Vec::with_capacity(n * (k + 2));
    out.extend(a());
    out.extend(b());
    for i in 0..k {
        out.extend(base.iter().map(|p| {
            let mut x = p[..k].to_vec();
            x[i] = p[k + i];
            x
        }));
    }
    out
}

/// Variance-based sensitivity indices of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index: the share of the output variance due to the
    /// parameter alone.
    pub first: f64,
    /// 95 % bootstrap interval of `first`.
    pub first_low: f64,
    pub first_high: f64,
    /// Total index: the share due to the parameter with all its
    /// interactions.
    pub total: f64,
    /// 95 % bootstrap interval of `total`.
    pub total_low: f64,
    pub total_high: f64,
}

impl SobolIndex {
    const NAN: SobolIndex = SobolIndex {
        first: f64::NAN,
        first_low: f64::NAN,
        first_high: f64::NAN,
        total: f64::NAN,
        total_low: f64::NAN,
        total_high: f64::NAN,
    };
}

/// First-order and total Sobol indices of each of the `k` parameters from
/// the model outputs `y` at the points of [`saltelli_design`]`(k, n)` (same
/// order, `n (k + 2)` values). With `f_A`, `f_B` and `f_ABi` the outputs of
/// the three blocks and `V` the variance of the `2n` outputs of `A` and `B`
/// together, the first-order index is Saltelli et al.'s (2010) estimator
/// `mean(f_B (f_ABi - f_A)) / V` and the total index Jansen's (1999)
/// `mean((f_A - f_ABi)^2) / (2 V)`. The 95 % intervals are percentile
/// intervals over `bootstrap` resamples of the `n` rows (each resampled row
/// keeps its `A`, `B` and `AB_i` outputs together; seeded by `seed`; no
/// interval if `bootstrap` is 0). Returns `k` indices, all `NaN` if `y` does
/// not have `n (k + 2)` values or has no variance; empty if `k = 0`.
pub fn sobol_analyse(
    y: &[f64],
    k: usize,
    n: usize,
    bootstrap: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    // Without parameters, the `k` indices are none.
    if k == 0 || n == 0 || y.len() != n * (k + 2) {
        return vec![SobolIndex::NAN; k];
    }
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let fab = |i: usize| &y[(2 + i) * n..(3 + i) * n];
    // (first, total) of every parameter over the rows `rows`.
    let estimate = |rows: &[usize]| -> Vec<(f64, f64)> {
        let m = rows.len() as f64;
        let centre = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
        let var = rows
            .iter()
            .map(|&j| (fa[j] - centre).powi(2) + (fb[j] - centre).powi(2))
            .sum::<f64>()
            / (2.0 * m);
        let scale = rows
            .iter()
            .map(|&j| fa[j].abs().max(fb[j].abs()))
            .fold(0.0, f64::max);
        (0..k)
            .map(|i| {
                // No variance beyond rounding error: nothing to apportion.
                if var.is_nan() || var <= (4.0 * f64::EPSILON * scale).powi(2) {
                    return (f64::NAN, f64::NAN);
                }
                let ab = fab(i);
                let (mut s1, mut st) = (0.0, 0.0);
                for &j in rows {
                    s1 += fb[j] * (ab[j] - fa[j]);
                    st += (fa[j] - ab[j]).powi(2);
                }
                (s1 / m / var, st / m / (2.0 * var))
            })
            .collect()
    };
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(&all);
    let mut rng = from_u64(seed);
    let mut first = vec![Vec::with_capacity(bootstrap); k];
    let mut total = vec![Vec::with_capacity(bootstrap); k];
    let mut rows = vec![0usize; n];
    for _ in 0..bootstrap {
        for j in rows.iter_mut() {
            *j = rng.random_range(0..n);
        }
        for (i, (s1, st)) in estimate(&rows).into_iter().enumerate() {
            first[i].push(s1);
            total[i].push(st);
        }
    }
    point
        .into_iter()
        .enumerate()
        .map(|(i, (s1, st))| {
            let (f, t) = (sorted(&first[i]), sorted(&total[i]));
            SobolIndex {
                first: s1,
                first_low: quantile(&f, 0.025),
                first_high: quantile(&f, 0.975),
                total: st,
                total_low: quantile(&t, 0.025),
                total_high: quantile(&t, 0.975),
            }
        })
        .collect()
}

/// The Ishigami and Homma (1990) function with `a = 7`, `b = 0.1`:
/// `sin x1 + a sin^2 x2 + b x3^4 sin x1` with each `x_i` of `x` in `[0,1]`
/// mapped to `[-pi, pi]`. Its indices are known analytically (Saltelli et
/// al. 2008): first-order 0.3139, 0.4424, 0; total 0.5576, 0.4424, 0.2437.
/// `NaN` unless `x` has three coordinates.
pub fn ishigami(x: &[f64]) -> f64 {
    let &[x1, x2, x3] = x else {
        return f64::NAN;
    };
    let map = |u: f64| std::f64::consts::PI * (2.0 * u - 1.0);
    let (x1, x2, x3) = (map(x1), map(x2), map(x3));
    x1.sin() + 7.0 * x2.sin().powi(2) + 0.1 * x3.powi(4) * x1.sin()
}

/// Sobol's g-function `prod_i (|4 x_i - 2| + a_i) / (1 + a_i)` on `[0,1]^k`
/// (Saltelli and Sobol 1995): parameter `i` matters less the larger `a_i`.
/// Analytically `V_i = 1 / (3 (1 + a_i)^2)`, `V = prod (1 + V_i) - 1` and the
/// first-order index is `V_i / V`. `NaN` if `x` and `a` differ in length.
pub fn sobol_g(x: &[f64], a: &[f64]) -> f64 {
    if x.len() != a.len() {
        return f64::NAN;
    }
    x.iter()
        .zip(a)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISHIGAMI_FIRST: [f64; 3] = [0.3139, 0.4424, 0.0];
    const ISHIGAMI_TOTAL: [f64; 3] = [0.5576, 0.4424, 0.2437];
    const G_A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];

    /// Analytic first-order and total indices of the g-function.
    fn g_indices(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = prod - 1.0;
        let first = vi.iter().map(|x| x / v).collect();
        let total = vi.iter().map(|x| x * prod / (1.0 + x) / v).collect();
        (first, total)
    }

    #[test]
    fn the_analytic_ishigami_indices_are_the_published_ones() {
        // V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2,
        // V2 = a^2/8, V13 = b^2 pi^8 (1/18 - 1/50).
        let (a, b, pi) = (7.0_f64, 0.1_f64, std::f64::consts::PI);
        let v = a * a / 8.0 + b * pi.powi(4) / 5.0 + b * b * pi.powi(8) / 18.0 + 0.5;
        let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * pi.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let first = [v1 / v, v2 / v, 0.0];
        let total = [(v1 + v13) / v, v2 / v, v13 / v];
        for i in 0..3 {
            assert!((first[i] - ISHIGAMI_FIRST[i]).abs() < 5e-5);
            assert!((total[i] - ISHIGAMI_TOTAL[i]).abs() < 5e-5);
        }
        assert!((ishigami(&[0.75, 0.75, 0.5]) - 8.0).abs() < 1e-12);
    }

    fn saltelli_run(k: usize, n: usize, f: impl Fn(&[f64]) -> f64) -> Vec<SobolIndex> {
        let x = saltelli_design(k, n);
        assert_eq!(x.len(), n * (k + 2));
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        sobol_analyse(&y, k, n, 400, 9)
    }

    #[test]
    fn sobol_indices_of_ishigami_match_the_analytic_values_and_intervals_cover_them() {
        let s = saltelli_run(3, 1 << 13, ishigami);
        for (i, si) in s.iter().enumerate() {
            let (f, t) = (ISHIGAMI_FIRST[i], ISHIGAMI_TOTAL[i]);
            assert!((si.first - f).abs() < 0.03, "S{} {si:?}", i + 1);
            assert!((si.total - t).abs() < 0.03, "ST{} {si:?}", i + 1);
            assert!(si.first_low <= f && f <= si.first_high, "S{} {si:?}", i + 1);
            assert!(
                si.total_low <= t && t <= si.total_high,
                "ST{} {si:?}",
                i + 1
            );
            assert!(si.first_low <= si.first && si.first <= si.first_high);
            assert!(si.total_high - si.total_low < 0.1, "{si:?}");
        }
    }

    #[test]
    fn sobol_indices_of_the_g_function_match_the_analytic_values() {
        let (first, total) = g_indices(&G_A);
        assert!((first[0] - 0.7162).abs() < 1e-3, "{first:?}");
        let s = saltelli_run(6, 1 << 13, |x| sobol_g(x, &G_A));
        for (i, si) in s.iter().enumerate() {
            assert!(
                (si.first - first[i]).abs() < 0.03,
                "S{} {si:?} vs {}",
                i + 1,
                first[i]
            );
            assert!(
                (si.total - total[i]).abs() < 0.03,
                "ST{} {si:?} vs {}",
                i + 1,
                total[i]
            );
            assert!(
                si.first_low <= first[i] && first[i] <= si.first_high,
                "S{} {si:?}",
                i + 1
            );
            assert!(
                si.total_low <= total[i] && total[i] <= si.total_high,
                "ST{} {si:?}",
                i + 1
            );
        }
    }

    #[test]
    fn saltelli_blocks_are_a_b_and_a_with_one_column_of_b() {
        let (k, n) = (3, 8);
        let x = saltelli_design(k, n);
        let base = sobol(n, 2 * k);
        for j in 0..n {
            assert_eq!(x[j], base[j][..k]);
            assert_eq!(x[n + j], base[j][k..]);
            for i in 0..k {
                let ab = &x[(2 + i) * n + j];
                for c in 0..k {
                    assert_eq!(ab[c], if c == i { x[n + j][c] } else { x[j][c] });
                }
            }
        }
        assert!(saltelli_design(0, 8).is_empty());
        assert!(saltelli_design(3, 0).is_empty());
        assert!(saltelli_design(MAX_SOBOL_DIMS / 2 + 1, 8).is_empty());
    }

    #[test]
    fn morris_trajectories_move_one_parameter_by_delta_per_step() {
        let (k, r, p) = (5, 20, 4);
        let x = morris_design(k, r, p, 1);
        assert_eq!(x.len(), (k + 1) * r);
        let delta = morris_delta(p);
        assert!((delta - 2.0 / 3.0).abs() < 1e-15);
        for t in x.chunks(k + 1) {
            let mut moved = vec![false; k];
            for w in t.windows(2) {
                let d: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(d.len(), 1);
                assert!(((w[1][d[0]] - w[0][d[0]]).abs() - delta).abs() < 1e-12);
                moved[d[0]] = true;
            }
            assert!(moved.iter().all(|&m| m));
            for pt in t {
                for &c in pt {
                    let level = c * (p - 1) as f64;
                    assert!((0.0..=1.0).contains(&c) && (level - level.round()).abs() < 1e-12);
                }
            }
        }
        assert_eq!(morris_design(k, r, p, 1), x);
        assert_ne!(morris_design(k, r, p, 2), x);
        assert!(morris_design(0, 3, 4, 1).is_empty());
        assert!(morris_design(3, 0, 4, 1).is_empty());
        assert!(morris_design(3, 3, 1, 1).is_empty());
        // Odd levels and two levels still give valid steps inside [0, 1].
        for p in [2, 3, 5] {
            let x = morris_design(3, 4, p, 1);
            assert!(x.iter().flatten().all(|c| (0.0..=1.0).contains(c)));
        }
    }

    #[test]
    fn morris_recovers_the_coefficients_of_a_linear_function() {
        let c = [3.0, -2.0, 0.5, 0.0];
        let (k, r) = (4, 10);
        let x = morris_design(k, r, 4, 5);
        let y: Vec<f64> = x
            .iter()
            .map(|p| p.iter().zip(&c).map(|(x, c)| x * c).sum())
            .collect();
        let m = morris_analyse(&x, &y, k, r, 200, 3);
        for (i, mi) in m.iter().enumerate() {
            assert!((mi.mu_star - c[i].abs()).abs() < 1e-12, "{i}: {mi:?}");
            assert!((mi.mu - c[i]).abs() < 1e-12, "{i}: {mi:?}");
            assert!(mi.sigma.abs() < 1e-12, "{i}: {mi:?}");
            assert!((mi.mu_star_low - c[i].abs()).abs() < 1e-12);
            assert!((mi.mu_star_high - c[i].abs()).abs() < 1e-12);
        }
    }

    #[test]
    fn morris_ranks_the_g_function_parameters_by_importance() {
        let (k, r) = (6, 60);
        let x = morris_design(k, r, 4, 17);
        let y: Vec<f64> = x.iter().map(|p| sobol_g(p, &G_A)).collect();
        let m = morris_analyse(&x, &y, k, r, 500, 4);
        for i in 0..3 {
            assert!(m[i].mu_star > m[i + 1].mu_star, "{i}: {m:?}");
            // Clearly separated: the intervals of the first three do not
            // overlap the next one.
            assert!(m[i].mu_star_low > m[i + 1].mu_star_high, "{i}: {m:?}");
        }
        assert!(m[3].mu_star > m[4].mu_star.max(m[5].mu_star), "{m:?}");
        for mi in &m[4..] {
            assert!(mi.mu_star < 0.02 * m[0].mu_star, "{mi:?}");
        }
        for mi in &m {
            assert!(mi.mu_star_low <= mi.mu_star && mi.mu_star <= mi.mu_star_high);
            assert!(mi.sigma >= 0.0);
        }
        assert_eq!(morris_analyse(&x, &y, k, r, 500, 4), m);
    }

    #[test]
    fn degenerate_inputs_give_empty_or_nan_without_panicking() {
        assert!(sobol_analyse(&[], 0, 0, 10, 1).is_empty());
        assert!(morris_analyse(&[], &[], 0, 0, 10, 1).is_empty());
        let nan_sobol = |s: &[SobolIndex]| {
            s.iter().all(|i| {
                [
                    i.first,
                    i.first_low,
                    i.first_high,
                    i.total,
                    i.total_low,
                    i.total_high,
                ]
                .iter()
                .all(|v| v.is_nan())
            })
        };
        // Empty or mismatched outputs.
        let s = sobol_analyse(&[], 3, 16, 10, 1);
        assert_eq!(s.len(), 3);
        assert!(nan_sobol(&s));
        assert!(nan_sobol(&sobol_analyse(&[1.0; 7], 3, 2, 10, 1)));
        assert!(nan_sobol(&sobol_analyse(&[], 2, 0, 10, 1)));
        // Constant output: no variance to apportion.
        let s = sobol_analyse(&vec![4.2; 16 * 5], 3, 16, 10, 1);
        assert!(nan_sobol(&s));
        // Without bootstrap: estimates but no intervals.
        let x = saltelli_design(3, 64);
        let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
        let s = sobol_analyse(&y, 3, 64, 0, 1);
        assert!(
            s.iter()
                .all(|i| i.first.is_finite() && i.first_low.is_nan())
        );
        // Non-finite outputs propagate.
        let mut y2 = y.clone();
        y2[3] = f64::NAN;
        assert!(sobol_analyse(&y2, 3, 64, 5, 1)[0].first.is_nan());

        let m = morris_analyse(&[], &[], 3, 4, 10, 1);
        assert_eq!(m.len(), 3);
        assert!(
            m.iter()
                .all(|i| i.mu_star.is_nan() && i.mu_star_low.is_nan())
        );
        let x = morris_design(3, 4, 4, 1);
        assert!(morris_analyse(&x, &[1.0; 3], 3, 4, 10, 1)[0].mu.is_nan());
        assert!(
            morris_analyse(&x[..5], &[1.0; 5], 3, 4, 10, 1)[0]
                .mu
                .is_nan()
        );
        // Constant output: no effect at all.
        let m = morris_analyse(&x, &[2.0; 16], 3, 4, 10, 1);
        assert!(m.iter().all(|i| i.mu_star == 0.0 && i.sigma == 0.0));
        // One trajectory: no spread.
        let x1 = morris_design(3, 1, 4, 1);
        let m = morris_analyse(&x1, &[0.0, 1.0, 2.0, 3.0], 3, 1, 10, 1);
        assert!(m.iter().all(|i| i.mu_star.is_finite() && i.sigma.is_nan()));

        assert!(ishigami(&[0.5, 0.5]).is_nan());
        assert!(sobol_g(&[0.5], &[1.0, 2.0]).is_nan());
        assert_eq!(sobol_g(&[], &[]), 1.0);
    }
}
