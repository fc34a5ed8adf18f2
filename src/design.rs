//! Experimental designs on the unit cube, for sensitivity analysis and
//! parameter sweeps: full factorial grids ([`grid`]), seeded Latin hypercubes
//! ([`latin_hypercube`]) and the Sobol low-discrepancy sequence ([`sobol`],
//! Joe and Kuo's `new-joe-kuo-6.21201` direction numbers, embedded for the
//! first [`MAX_SOBOL_DIMS`] dimensions). Every design is a list of points,
//! each a `Vec<f64>` with one coordinate per dimension; mapping the unit cube
//! onto parameter ranges is the caller's business. Nothing here panics:
//! degenerate requests return an empty design.

use rand::RngExt;

use crate::model::rng::from_u64;

/// Full factorial grid: the cartesian product of each dimension's values
/// (last dimension varies fastest), `prod(values[i].len())` points. No
/// dimensions, or a dimension without values, gives an empty design.
pub fn grid(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    if values.is_empty() || values.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut out: Vec<Vec<f64>> = vec![Vec::with_capacity(values.len())];
    for dim in values {
        out = out
            .iter()
            .flat_map(|prefix| {
                dim.iter().map(move |&v| {
                    let mut p = prefix.clone();
                    p.push(v);
                    p
                })
            })
            .collect();
    }
    out
}

/// Latin hypercube of `n` points in `[0,1)^d`: each dimension is stratified
/// into `n` equal intervals with exactly one point in each, at a uniformly
/// random position within it, and the intervals of different dimensions are
/// paired by independent random permutations. The same seed gives the same
/// design. `n = 0` or `d = 0` gives an empty design.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    if n == 0 || d == 0 {
        return Vec::new();
    }
    let mut rng = from_u64(seed);
    let mut out = vec![vec![0.0; d]; n];
    let below_one = 1.0 - f64::EPSILON / 2.0;
    let mut perm: Vec<usize> = (0..n).collect();
    for j in 0..d {
        // Fisher-Yates shuffle of the interval indices.
        for i in (1..n).rev() {
            let k = rng.random_range(0..=i);
            perm.swap(i, k);
        }
        for (point, &stratum) in out.iter_mut().zip(&perm) {
            let u: f64 = rng.random();
            point[j] = ((stratum as f64 + u) / n as f64).min(below_one);
        }
    }
    out
}

/// Number of dimensions the embedded direction numbers support.
pub const MAX_SOBOL_DIMS: usize = DIRECTIONS.len() + 1;

/// Bits of precision of each coordinate; also the log2 of the longest
/// sequence (`2^32 - 1` points after the skipped origin).
const BITS: usize = 32;

/// The first `n` points of the Sobol low-discrepancy sequence in `[0,1)^d`
/// (Sobol 1967; Bratley and Fox 1988), built with the Gray-code ordering of
/// Antonov and Saleev (1979) and the `new-joe-kuo-6.21201` direction numbers
/// of Joe and Kuo (2008). Dimension 1 is the van der Corput sequence in base
/// 2.
///
/// The sequence's initial point, the origin, is skipped: the first point
/// returned is the sequence's index 1, `(0.5, 0.5, ...)`, and point `i` of
/// the result is index `i + 1` (as in SALib, and scipy's
/// `Sobol(d, scramble=False).random(n + 1)[1:]`). The balance properties of
/// the sequence hold for blocks of `2^m` consecutive *indices* starting at a
/// multiple of `2^m`: the origin with the first `2^m - 1` points returned, or
/// the points returned at `2^m - 1 .. 2^(m+1) - 1` (indices `2^m .. 2^(m+1)`
/// exclusive), each of which puts exactly one point in every interval of
/// width `2^-m` of every dimension. The first `2^m` points returned are not
/// such a block (Owen 2022, "On dropping the first Sobol' point"): the point
/// at index `2^m` shares an interval with another point and the interval at
/// 0 is empty. For estimates, the difference is of order `1 / n`.
///
/// `d = 0`, `d > MAX_SOBOL_DIMS` or `n = 0` gives an empty design; `n` is
/// capped at `2^32 - 1`.
pub fn sobol(n: usize, d: usize) -> Vec<Vec<f64>> {
    if n == 0 || d == 0 || d > MAX_SOBOL_DIMS {
        return Vec::new();
    }
    let n = n.min((1usize << BITS) - 1);
    let v: Vec<[u32; BITS]> = (0..d).map(direction_integers).collect();
    let scale = 1.0 / (1u64 << BITS) as f64;
    let mut x = vec![0u32; d];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // Point i + 1 from point i: flip the direction number of the lowest
        // zero bit of i (Gray code).
        let c = (i as u64).trailing_ones() as usize;
        for (xj, vj) in x.iter_mut().zip(&v) {
            *xj ^= vj[c];
        }
        out.push(x.iter().map(|&xj| f64::from(xj) * scale).collect());
    }
    out
}

/// The direction integers `v_k = m_k 2^(32 - k)`, `k = 1..=32`, of dimension
/// `j` (0-based).
fn direction_integers(j: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if j == 0 {
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1 << (BITS - 1 - k);
        }
        return v;
    }
    let (s, a, m) = DIRECTIONS[j - 1];
    let s = s as usize;
    for k in 0..s.min(BITS) {
        v[k] = m[k] << (BITS - 1 - k);
    }
    for k in s..BITS {
        let mut vk = v[k - s] ^ (v[k - s] >> s);
        for l in 1..s {
            if (a >> (s - 1 - l)) & 1 == 1 {
                vk ^= v[k - l];
            }
        }
        v[k] = vk;
    }
    v
}

/// Joe and Kuo's `new-joe-kuo-6.21201` direction numbers for dimensions 2 to
/// `MAX_SOBOL_DIMS`, one row per dimension: the degree `s` of the primitive
/// polynomial, its coefficients `a` (as an integer, leading and constant
/// terms omitted) and the initial direction numbers `m_1..m_s`.
#[rustfmt::skip]
const DIRECTIONS: [(u32, u32, &[u32]); 127] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
    (9, 67, &[1, 1, 1, 11, 21, 53, 125, 249, 293]),
    (9, 74, &[1, 1, 7, 11, 11, 7, 57, 79, 323]),
    (9, 81, &[1, 1, 5, 5, 17, 13, 81, 3, 131]),
    (9, 82, &[1, 1, 7, 13, 23, 7, 65, 251, 475]),
    (9, 87, &[1, 3, 5, 1, 9, 43, 3, 149, 11]),
    (9, 91, &[1, 1, 3, 13, 31, 13, 13, 255, 487]),
    (9, 94, &[1, 3, 3, 1, 5, 63, 89, 91, 127]),
    (9, 103, &[1, 1, 3, 3, 1, 19, 123, 127, 237]),
    (9, 104, &[1, 1, 5, 7, 23, 31, 37, 243, 289]),
    (9, 109, &[1, 1, 5, 11, 17, 53, 117, 183, 491]),
    (9, 122, &[1, 1, 1, 5, 1, 13, 13, 209, 345]),
    (9, 124, &[1, 1, 3, 15, 1, 57, 115, 7, 33]),
    (9, 137, &[1, 3, 1, 11, 7, 43, 81, 207, 175]),
    (9, 138, &[1, 3, 1, 1, 15, 27, 63, 255, 49]),
    (9, 143, &[1, 3, 5, 3, 27, 61, 105, 171, 305]),
    (9, 145, &[1, 1, 5, 3, 1, 3, 57, 249, 149]),
    (9, 152, &[1, 1, 3, 5, 5, 57, 15, 13, 159]),
    (9, 157, &[1, 1, 1, 11, 7, 11, 105, 141, 225]),
    (9, 167, &[1, 3, 3, 5, 27, 59, 121, 101, 271]),
    (9, 173, &[1, 3, 5, 9, 11, 49, 51, 59, 115]),
    (9, 176, &[1, 1, 7, 1, 23, 45, 125, 71, 419]),
    (9, 181, &[1, 1, 3, 5, 23, 5, 105, 109, 75]),
    (9, 182, &[1, 1, 7, 15, 7, 11, 67, 121, 453]),
    (9, 185, &[1, 3, 7, 3, 9, 13, 31, 27, 449]),
    (9, 191, &[1, 3, 1, 15, 19, 39, 39, 89, 15]),
    (9, 194, &[1, 1, 1, 1, 1, 33, 73, 145, 379]),
    (9, 199, &[1, 3, 1, 15, 15, 43, 29, 13, 483]),
    (9, 218, &[1, 1, 7, 3, 19, 27, 85, 131, 431]),
    (9, 220, &[1, 3, 3, 3, 5, 35, 23, 195, 349]),
    (9, 227, &[1, 3, 3, 7, 9, 27, 39, 59, 297]),
    (9, 229, &[1, 1, 3, 9, 11, 17, 13, 241, 157]),
    (9, 230, &[1, 3, 7, 15, 25, 57, 33, 189, 213]),
    (9, 234, &[1, 1, 7, 1, 9, 55, 73, 83, 217]),
    (9, 236, &[1, 3, 3, 13, 19, 27, 23, 113, 249]),
    (9, 241, &[1, 3, 5, 3, 23, 43, 3, 253, 479]),
    (9, 244, &[1, 1, 5, 5, 11, 5, 45, 117, 217]),
    (9, 253, &[1, 3, 3, 7, 29, 37, 33, 123, 147]),
    (10, 4, &[1, 3, 1, 15, 5, 5, 37, 227, 223, 459]),
    (10, 13, &[1, 1, 7, 5, 5, 39, 63, 255, 135, 487]),
    (10, 19, &[1, 3, 1, 7, 9, 7, 87, 249, 217, 599]),
    (10, 22, &[1, 1, 3, 13, 9, 47, 7, 225, 363, 247]),
    (10, 50, &[1, 3, 7, 13, 19, 13, 9, 67, 9, 737]),
    (10, 55, &[1, 3, 5, 5, 19, 59, 7, 41, 319, 677]),
    (10, 64, &[1, 1, 5, 3, 31, 63, 15, 43, 207, 789]),
    (10, 69, &[1, 1, 7, 9, 13, 39, 3, 47, 497, 169]),
    (10, 98, &[1, 3, 1, 7, 21, 17, 97, 19, 415, 905]),
    (10, 107, &[1, 3, 7, 1, 3, 31, 71, 111, 165, 127]),
    (10, 115, &[1, 1, 5, 11, 1, 61, 83, 119, 203, 847]),
    (10, 121, &[1, 3, 3, 13, 9, 61, 19, 97, 47, 35]),
    (10, 127, &[1, 1, 7, 7, 15, 29, 63, 95, 417, 469]),
    (10, 134, &[1, 3, 1, 9, 25, 9, 71, 57, 213, 385]),
    (10, 140, &[1, 3, 5, 13, 31, 47, 101, 57, 39, 341]),
    (10, 145, &[1, 1, 3, 3, 31, 57, 125, 173, 365, 551]),
    (10, 152, &[1, 3, 7, 1, 13, 57, 67, 157, 451, 707]),
    (10, 158, &[1, 1, 1, 7, 21, 13, 105, 89, 429, 965]),
    (10, 161, &[1, 1, 5, 9, 17, 51, 45, 119, 157, 141]),
    (10, 171, &[1, 3, 7, 7, 13, 45, 91, 9, 129, 741]),
    (10, 181, &[1, 3, 7, 1, 23, 57, 67, 141, 151, 571]),
    (10, 194, &[1, 1, 3, 11, 17, 47, 93, 107, 375, 157]),
    (10, 199, &[1, 3, 3, 5, 11, 21, 43, 51, 169, 915]),
    (10, 203, &[1, 1, 5, 3, 15, 55, 101, 67, 455, 625]),
    (10, 208, &[1, 3, 5, 9, 1, 23, 29, 47, 345, 595]),
    (10, 227, &[1, 3, 7, 7, 5, 49, 29, 155, 323, 589]),
    (10, 242, &[1, 3, 3, 7, 5, 41, 127, 61, 261, 717]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product_with_the_last_dimension_fastest() {
        let g = grid(&[vec![0.0, 1.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(g.len(), 6);
        assert_eq!(
            g,
            vec![
                vec![0.0, 10.0],
                vec![0.0, 20.0],
                vec![0.0, 30.0],
                vec![1.0, 10.0],
                vec![1.0, 20.0],
                vec![1.0, 30.0],
            ]
        );
        assert_eq!(grid(&[vec![1.0, 2.0], vec![3.0], vec![4.0, 5.0]]).len(), 4);
        assert!(grid(&[]).is_empty());
        assert!(grid(&[vec![1.0], vec![]]).is_empty());
    }

    /// Each coordinate of dimension `j` falls in a distinct interval of
    /// width `1 / cells`, and every interval is hit `n / cells` times.
    fn stratified(points: &[Vec<f64>], j: usize, cells: usize) -> bool {
        let mut count = vec![0usize; cells];
        for p in points {
            let x = p[j];
            if !(0.0..1.0).contains(&x) {
                return false;
            }
            count[(x * cells as f64) as usize] += 1;
        }
        count.iter().all(|&c| c * cells == points.len())
    }

    #[test]
    fn latin_hypercube_has_one_point_per_interval_and_is_reproducible() {
        for (n, d) in [(1, 1), (7, 3), (50, 5), (256, 2)] {
            let x = latin_hypercube(n, d, 11);
            assert_eq!(x.len(), n);
            assert!(x.iter().all(|p| p.len() == d));
            for j in 0..d {
                assert!(stratified(&x, j, n), "n {n} dim {j}");
            }
        }
        assert_eq!(latin_hypercube(20, 4, 3), latin_hypercube(20, 4, 3));
        assert_ne!(latin_hypercube(20, 4, 3), latin_hypercube(20, 4, 4));
        // The pairing is random: the dimensions are not all in step.
        let x = latin_hypercube(20, 2, 3);
        assert!(
            x.iter()
                .any(|p| (p[0] * 20.0) as usize != (p[1] * 20.0) as usize)
        );
        assert!(latin_hypercube(0, 3, 1).is_empty());
        assert!(latin_hypercube(3, 0, 1).is_empty());
    }

    #[test]
    fn sobol_starts_with_the_published_points() {
        // Joe and Kuo's sequence after the origin (as scipy's unscrambled
        // `Sobol(d).random(9)[1:]` prints it).
        let x = sobol(8, MAX_SOBOL_DIMS);
        let column = |j: usize| x.iter().map(|p| p[j]).collect::<Vec<_>>();
        let expect: [(usize, [f64; 8]); 10] = [
            (1, [0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125, 0.1875]),
            (2, [0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625, 0.3125]),
            (3, [0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375, 0.9375]),
            (4, [0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125, 0.4375]),
            (10, [0.5, 0.75, 0.25, 0.625, 0.125, 0.375, 0.875, 0.3125]),
            (21, [0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.1875]),
            (40, [0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125, 0.5625]),
            (64, [0.5, 0.75, 0.25, 0.125, 0.625, 0.875, 0.375, 0.6875]),
            (100, [0.5, 0.75, 0.25, 0.875, 0.375, 0.125, 0.625, 0.9375]),
            (128, [0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375, 0.0625]),
        ];
        for (dim, values) in expect {
            assert_eq!(column(dim - 1), values, "dimension {dim}");
        }
        // A prefix of a longer sequence, and of a higher dimension, is the
        // shorter one.
        assert_eq!(sobol(5, 3), sobol(9, 3)[..5].to_vec());
        assert_eq!(
            sobol(5, 2),
            sobol(5, 7)
                .iter()
                .map(|p| p[..2].to_vec())
                .collect::<Vec<_>>()
        );
    }

    /// The points of sequence indices `start .. start + 2^m` (the result
    /// holds index `i` at position `i - 1`; index 0 is the origin).
    fn indices(x: &[Vec<f64>], start: usize, m: usize) -> Vec<Vec<f64>> {
        (start..start + (1 << m))
            .map(|i| {
                if i == 0 {
                    vec![0.0; x[0].len()]
                } else {
                    x[i - 1].clone()
                }
            })
            .collect()
    }

    #[test]
    fn sobol_stratifies_every_dimension_in_blocks_of_powers_of_two() {
        const { assert!(MAX_SOBOL_DIMS >= 21) };
        let x = sobol(1 << 11, MAX_SOBOL_DIMS);
        for m in 0..=10 {
            // The first 2^m points of the sequence (the origin and the first
            // 2^m - 1 returned), and the next 2^m.
            for start in [0, 1 << m] {
                let block = indices(&x, start, m);
                for j in 0..MAX_SOBOL_DIMS {
                    assert!(
                        stratified(&block, j, 1 << m),
                        "m {m} start {start} dim {}",
                        j + 1
                    );
                }
            }
        }
        // Dropping the origin unbalances the first 2^m points returned: the
        // point at index 2^m joins the interval of index 2^(m-1) (documented).
        assert_eq!(x[0][0], 0.5);
        assert_eq!(x[1][0], 0.75);
        assert!(!stratified(&x[..8], 0, 8));
    }

    #[test]
    fn sobol_dimensions_one_and_two_form_a_net_in_every_box_shape() {
        let x = sobol(1 << 11, 2);
        for m in 1..=10usize {
            for start in [0, 1 << m] {
                let block = indices(&x, start, m);
                for a in 0..=m {
                    let b = m - a;
                    let (na, nb) = (1usize << a, 1usize << b);
                    let mut count = vec![0usize; na * nb];
                    for p in &block {
                        let i = (p[0] * na as f64) as usize;
                        let j = (p[1] * nb as f64) as usize;
                        count[i * nb + j] += 1;
                    }
                    assert!(
                        count.iter().all(|&c| c == 1),
                        "m {m} start {start}: {na} x {nb}"
                    );
                }
            }
        }
    }

    #[test]
    fn sobol_degenerate_requests_are_empty() {
        assert!(sobol(0, 2).is_empty());
        assert!(sobol(4, 0).is_empty());
        assert!(sobol(4, MAX_SOBOL_DIMS + 1).is_empty());
        assert_eq!(sobol(1, MAX_SOBOL_DIMS), vec![vec![0.5; MAX_SOBOL_DIMS]]);
    }

    #[test]
    fn sobol_matches_the_reference_implementation_bit_for_bit() {
        // FNV-1a-style fold of every coordinate (times 2^32) of points 1 to
        // 4095 in all 128 dimensions, as computed from scipy 1.17's
        // unscrambled `qmc.Sobol(128)`, which embeds the same Joe-Kuo table.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for p in sobol(4095, 128) {
            for c in p {
                h = (h ^ (c * 4_294_967_296.0) as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        assert_eq!(h, 0xc976_7713_aabb_5925);
    }
}
