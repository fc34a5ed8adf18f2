//! Gaussian-process emulator of one scalar output of a stochastic simulator,
//! built for history matching.
//!
//! # Model
//!
//! The simulator is run at `n` design points `x_i` in the unit cube `[0,1]^d`,
//! several times each. At each point the caller passes the mean output over the
//! replications, `y_i`, and the variance of that mean, `noise_i` (the
//! replication variance divided by the number of replications). The emulator
//! treats
//!
//! ```text
//! y_i = f(x_i) + e_i,        e_i ~ N(0, noise_i), independent,
//! f(x) = h(x)'b + Z(x) + u(x),
//! ```
//!
//! where `f` is the noise-free mean output we want to predict, `h(x)` is a
//! constant plus one linear term per input (only a constant when
//! `n <= d + 2`; a linear term is also dropped when its input is constant,
//! or nearly a linear combination of the others, across the design), `b` are regression coefficients with a flat prior,
//! `Z` is a zero-mean Gaussian process with a Matérn 5/2 covariance and one
//! length scale per input (automatic relevance determination), and `u` is a
//! small uncorrelated "nugget" whose variance is fitted between 1e-8 and 0.1
//! of the signal variance. The nugget absorbs small-scale structure the smooth
//! process cannot follow; the predictive variance includes it, so it is never
//! hidden from a history match. A tiny jitter is added to the diagonal for
//! numerical stability only.
//!
//! Matérn 5/2 is used rather than the squared exponential because it is twice
//! (not infinitely) differentiable: it is a more realistic prior for simulator
//! outputs, gives less over-confident intervals, and keeps the covariance
//! matrix much better conditioned (Stein 1999; Rasmussen and Williams 2006,
//! section 4.2).
//!
//! Outputs are standardized to mean 0 and standard deviation 1 before fitting,
//! and predictions are transformed back. The coefficients `b` are integrated
//! out (universal kriging), so the predictive variance includes the
//! uncertainty in the regression coefficients. Length scales, signal variance
//! and nugget are chosen by maximizing the restricted (REML) log marginal
//! likelihood, which accounts for the estimated mean (Harville 1974;
//! Rasmussen and Williams 2006, section 2.7). The search runs over the logs of
//! the parameters with a deterministic multi-start Nelder and Mead (1965)
//! simplex, with length scales kept between 0.02 and 10 unit-cube units by
//! clamping plus a quadratic penalty. Everything is sequential and free of
//! random numbers, so the same inputs give bit-identical results.
//!
//! # Assumptions
//!
//! - The mean output is a smooth, stationary function of the inputs, apart
//!   from the linear trend and the small nugget.
//! - The replication noise of each `y_i` is Gaussian, independent across
//!   design points (no common random numbers) and its variance is known; in
//!   practice it is estimated from the replications and treated as exact.
//! - The emulator predicts the *mean* output. To compare a single observed
//!   value with the simulator, the caller must add the simulator's replication
//!   variance at the new point, the observation error and the model
//!   discrepancy to the emulator variance, as in the implausibility measure of
//!   history matching (Vernon et al. 2010; Andrianakis et al. 2015).
//!
//! # Diagnostics
//!
//! [`Emulator::loo_standardized`] gives leave-one-out standardized errors from
//! closed-form formulas (Rasmussen and Williams 2006, section 5.4.2, extended
//! to an estimated mean as in Dubrule 1983). For a good emulator they look
//! like draws from a standard normal (Bastos and O'Hagan 2009). For very
//! smooth outputs without noise, Matérn 5/2 tends to be conservative and the
//! errors have a standard deviation nearer 0.5 than 1; values well above 1
//! are the warning sign.
//!
//! # Cost
//!
//! Each likelihood evaluation is one Cholesky factorization, O(n^3 / 6); a
//! fit takes a few thousand evaluations (about 1.5 s for n = 200, d = 6 at
//! `opt-level = 2`). A prediction costs O(n d + n^2 / 2).
//!
//! # References
//!
//! - Andrianakis I. et al. (2015) Bayesian history matching of complex
//!   infectious disease models using emulation. PLoS Comput Biol 11(1):
//!   e1003968.
//! - Bastos L.S., O'Hagan A. (2009) Diagnostics for Gaussian process
//!   emulators. Technometrics 51(4): 425-438.
//! - Dubrule O. (1983) Cross validation of kriging in a unique neighborhood.
//!   Mathematical Geology 15(6): 687-699.
//! - Harville D.A. (1974) Bayesian inference for variance components using
//!   only error contrasts. Biometrika 61(2): 383-385.
//! - Nelder J.A., Mead R. (1965) A simplex method for function minimization.
//!   The Computer Journal 7(4): 308-313.
//! - Rasmussen C.E., Williams C.K.I. (2006) Gaussian Processes for Machine
//!   Learning. MIT Press.
//! - Stein M.L. (1999) Interpolation of Spatial Data. Springer.
//! - Vernon I., Goldstein M., Bower R.G. (2010) Galaxy formation: a Bayesian
//!   uncertainty analysis. Bayesian Analysis 5(4): 619-669.

use std::fmt;

/// Shortest allowed length scale, in unit-cube units.
const LEN_MIN: f64 = 0.02;
/// Longest allowed length scale, in unit-cube units.
const LEN_MAX: f64 = 10.0;
/// Bounds on the signal variance of the standardized output.
const SIG2_MIN: f64 = 1e-6;
const SIG2_MAX: f64 = 1e2;
/// Bounds on the nugget variance as a fraction of the signal variance.
const NUG_MIN: f64 = 1e-8;
const NUG_MAX: f64 = 0.1;
/// Jitter added to the diagonal, as a fraction of the signal variance.
const JITTER: f64 = 1e-10;
/// How far outside [0, 1] a design coordinate may lie (rounding).
const UNIT_TOL: f64 = 1e-9;
/// Weight of the quadratic penalty for leaving the parameter box.
const PENALTY: f64 = 100.0;
/// Nelder-Mead: number of starts refined, evaluation budget per unknown, and
/// the tolerance on the spread of the negative log likelihood in the simplex.
const NM_RUNS: usize = 2;
const NM_EVALS_PER_DIM: usize = 60;
const NM_FTOL: f64 = 1e-6;

/// Why an emulator could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum EmulatorError {
    /// Fewer design points than the emulator needs.
    TooFewPoints { got: usize, needed: usize },
    /// The inputs are inconsistent or invalid; the message says how.
    BadInput(String),
    /// The covariance matrix could not be factorized, even with extra jitter.
    NotPositiveDefinite,
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewPoints { got, needed } => write!(
                f,
                "an emulator needs at least {needed} design points, but {got} were given"
            ),
            Self::BadInput(msg) => write!(f, "invalid emulator input: {msg}"),
            Self::NotPositiveDefinite => write!(
                f,
                "the emulator's covariance matrix is not positive definite \
                 (are some design points duplicated with zero noise?)"
            ),
        }
    }
}

impl std::error::Error for EmulatorError {}

/// Emulator of one scalar model output over the unit cube `[0,1]^d`.
///
/// Built by [`Emulator::fit`]; everything the predictions need is computed
/// once there, so [`Emulator::predict`] costs O(n d) for the mean and O(n^2)
/// for the variance.
#[derive(Debug, Clone)]
pub struct Emulator {
    d: usize,
    n: usize,
    /// Design points, row-major n x d.
    x: Vec<f64>,
    len: Vec<f64>,
    inv_len: Vec<f64>,
    /// Signal variance of the standardized output.
    sigma2: f64,
    /// Nugget variance as a fraction of `sigma2`.
    nugget: f64,
    /// Inputs with a linear term in the mean.
    lin_dims: Vec<usize>,
    y_mean: f64,
    y_scale: f64,
    /// Cholesky factor L of the covariance matrix K, packed lower, row-major.
    chol: Vec<f64>,
    /// L^-1 H, one row of length n per regression function.
    h_tilde: Vec<f64>,
    /// Cholesky factor of H' K^-1 H, packed lower.
    chol_a: Vec<f64>,
    /// Generalized least squares coefficients.
    beta: Vec<f64>,
    /// K^-1 (y - H beta).
    alpha: Vec<f64>,
}

impl Emulator {
    /// Fits to `x` (n points, each of length d, in the unit cube), `y` (the mean model output at each
    /// point, over its replications) and `noise` (the known variance of each `y[i]`, i.e. the
    /// replication variance at that point divided by its number of replications; may be 0).
    ///
    /// If all `y` are equal, no hyperparameters are fitted and the emulator
    /// predicts that constant with a tiny variance (plus what the noise implies).
    pub fn fit(x: &[Vec<f64>], y: &[f64], noise: &[f64]) -> Result<Emulator, EmulatorError> {
        let d = validate(x, y, noise)?;
        let n = y.len();
        let y_mean = y.iter().sum::<f64>() / n as f64;
        let ss: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let constant = sd <= 1e-12 * y_mean.abs();
        let y_scale = if !constant {
            sd
        } else if y_mean != 0.0 {
            y_mean.abs()
        } else {
            1.0
        };
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let ys: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_scale).collect();
        let ns: Vec<f64> = noise.iter().map(|v| v / (y_scale * y_scale)).collect();
        let problem = Problem::new(flat, ys, ns, d);
        let theta = if constant {
            let mut t = vec![0.0; d];
            t.extend([SIG2_MIN.ln(), NUG_MIN.ln()]);
            t
        } else {
            problem.optimize()
        };
        problem.into_emulator(&theta, y_mean, y_scale)
    }

    /// Posterior mean and variance of the noise-free mean output at `x` (variance >= 0).
    ///
    /// The variance includes the fitted nugget and the uncertainty in the
    /// regression coefficients, but not the replication noise. Returns
    /// `(NaN, NaN)` if `x` does not have [`Emulator::dims`] finite coordinates.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        if x.len() != self.d || x.iter().any(|v| !v.is_finite()) {
            return (f64::NAN, f64::NAN);
        }
        let n = self.n;
        let mut z: Vec<f64> = self
            .x
            .chunks_exact(self.d)
            .map(|xi| self.sigma2 * matern52(x, xi, &self.inv_len))
            .collect();
        let mut h = basis_at(x, &self.lin_dims);
        let mean = dot(&h, &self.beta) + dot(&z, &self.alpha);
        forward_solve(&self.chol, &mut z);
        for (hb, row) in h.iter_mut().zip(self.h_tilde.chunks_exact(n)) {
            *hb -= dot(row, &z);
        }
        forward_solve(&self.chol_a, &mut h);
        let var = self.sigma2 * (1.0 + self.nugget) - dot(&z, &z) + dot(&h, &h);
        (
            self.y_mean + self.y_scale * mean,
            self.y_scale * self.y_scale * var.max(0.0),
        )
    }

    /// Leave-one-out standardized errors (y_i - mean_{-i}) / sd_{-i}, computed with the
    /// closed-form formulas from the Cholesky factor (Rasmussen & Williams 5.4.2), for diagnostics.
    ///
    /// The regression coefficients are re-estimated without point i and the
    /// hyperparameters are kept fixed; `sd_{-i}` includes the noise of `y_i`
    /// and the nugget. With P = K^-1 - K^-1 H (H' K^-1 H)^-1 H' K^-1, the
    /// error is (P y)_i / P_ii and its variance 1 / P_ii. An entry is NaN if
    /// rounding made P_ii non-positive. Costs O(n^3 / 6).
    pub fn loo_standardized(&self) -> Vec<f64> {
        let n = self.n;
        let mut col = vec![0.0; n];
        (0..n)
            .map(|i| {
                // Column i of L^-1 is zero above row i.
                col.iter_mut().for_each(|v| *v = 0.0);
                col[i] = 1.0;
                forward_solve_from(&self.chol, &mut col, i);
                let tail = &col[i..];
                let k_inv_ii = dot(tail, tail);
                let mut g: Vec<f64> = self
                    .h_tilde
                    .chunks_exact(n)
                    .map(|row| dot(&row[i..], tail))
                    .collect();
                forward_solve(&self.chol_a, &mut g);
                let p_ii = k_inv_ii - dot(&g, &g);
                if p_ii > 0.0 {
                    self.alpha[i] / p_ii.sqrt()
                } else {
                    f64::NAN
                }
            })
            .collect()
    }

    /// Fitted length scale of each input, in unit-cube units. Long length
    /// scales (near 10) mean the output hardly depends on that input beyond
    /// the linear trend; short ones mean it varies quickly.
    pub fn length_scales(&self) -> &[f64] {
        &self.len
    }

    /// Fitted standard deviation of the Gaussian-process part of the output,
    /// in the output's own units.
    pub fn signal_sd(&self) -> f64 {
        self.y_scale * self.sigma2.sqrt()
    }

    /// Number of inputs, d.
    pub fn dims(&self) -> usize {
        self.d
    }

    /// Number of design points, n.
    pub fn points(&self) -> usize {
        self.n
    }
}

/// Checks the inputs and returns the number of dimensions.
fn validate(x: &[Vec<f64>], y: &[f64], noise: &[f64]) -> Result<usize, EmulatorError> {
    let n = x.len();
    if n < 2 {
        return Err(EmulatorError::TooFewPoints { got: n, needed: 2 });
    }
    let bad = |msg: String| Err(EmulatorError::BadInput(msg));
    if y.len() != n || noise.len() != n {
        return bad(format!(
            "{n} design points but {} outputs and {} noise variances",
            y.len(),
            noise.len()
        ));
    }
    let d = x[0].len();
    if d == 0 {
        return bad("design points have no coordinates".into());
    }
    for (i, xi) in x.iter().enumerate() {
        if xi.len() != d {
            return bad(format!(
                "design point {i} has {} coordinates, point 0 has {d}",
                xi.len()
            ));
        }
        if let Some(v) = xi.iter().find(|v| !v.is_finite()) {
            return bad(format!("design point {i} has a non-finite coordinate {v}"));
        }
        if let Some(v) = xi.iter().find(|v| **v < -UNIT_TOL || **v > 1.0 + UNIT_TOL) {
            return bad(format!(
                "design point {i} has coordinate {v}, outside the unit cube [0, 1]"
            ));
        }
        if !y[i].is_finite() {
            return bad(format!("output {i} is not finite ({})", y[i]));
        }
        if !noise[i].is_finite() || noise[i] < 0.0 {
            return bad(format!(
                "noise variance {i} is {}; it must be finite and non-negative",
                noise[i]
            ));
        }
    }
    Ok(d)
}

/// Matérn 5/2 correlation between `a` and `b` with inverse length scales `w`.
fn matern52(a: &[f64], b: &[f64], w: &[f64]) -> f64 {
    let r2: f64 = a
        .iter()
        .zip(b)
        .zip(w)
        .map(|((p, q), w)| {
            let t = (p - q) * w;
            t * t
        })
        .sum();
    let s = (5.0 * r2).sqrt();
    (1.0 + s + s * s / 3.0) * (-s).exp()
}

/// Regression functions at `x`: a constant, then `x_j - 0.5` for each `j` in `dims`.
fn basis_at(x: &[f64], dims: &[usize]) -> Vec<f64> {
    let mut h = Vec::with_capacity(dims.len() + 1);
    h.push(1.0);
    h.extend(dims.iter().map(|&j| x.get(j).map_or(0.0, |v| v - 0.5)));
    h
}

/// Inputs that get a linear term in the mean: none if `n <= d + 2`, otherwise
/// each input whose centred column is not (nearly) a combination of the
/// constant and earlier columns, found by Gram-Schmidt.
fn linear_dims(x: &[f64], n: usize, d: usize) -> Vec<usize> {
    if n <= d + 2 {
        return Vec::new();
    }
    let mut q: Vec<Vec<f64>> = vec![vec![1.0 / (n as f64).sqrt(); n]];
    let mut dims = Vec::new();
    for j in 0..d {
        let mut v: Vec<f64> = x.chunks_exact(d).map(|r| r[j] - 0.5).collect();
        for qk in &q {
            let c = dot(qk, &v);
            v.iter_mut().zip(qk).for_each(|(vi, qi)| *vi -= c * qi);
        }
        let norm = dot(&v, &v).sqrt();
        if norm > 1e-6 * (n as f64).sqrt() {
            v.iter_mut().for_each(|t| *t /= norm);
            q.push(v);
            dims.push(j);
        }
    }
    dims
}

/// Dot product with four accumulators (faster, and still deterministic).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(p, q)| p * q)
        .sum();
    let mut acc = [0.0; 4];
    for (p, q) in ca.zip(cb) {
        acc[0] += p[0] * q[0];
        acc[1] += p[1] * q[1];
        acc[2] += p[2] * q[2];
        acc[3] += p[3] * q[3];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Start of row `i` in a packed lower-triangular matrix.
fn row_start(i: usize) -> usize {
    i * (i + 1) / 2
}

/// Replaces the packed lower triangle of a symmetric `n x n` matrix by its
/// Cholesky factor L (A = L L').
fn cholesky_in_place(a: &mut [f64], n: usize) -> Result<(), EmulatorError> {
    for i in 0..n {
        let ri = row_start(i);
        for j in 0..=i {
            let rj = row_start(j);
            let v = a[ri + j] - dot(&a[ri..ri + j], &a[rj..rj + j]);
            if i == j {
                if v <= 0.0 || !v.is_finite() {
                    return Err(EmulatorError::NotPositiveDefinite);
                }
                a[ri + j] = v.sqrt();
            } else {
                a[ri + j] = v / a[rj + j];
            }
        }
    }
    Ok(())
}

/// Solves L z = b in place, for packed lower-triangular L.
fn forward_solve(l: &[f64], b: &mut [f64]) {
    forward_solve_from(l, b, 0);
}

/// Forward substitution that assumes `b[..start]` and the solution there are zero.
fn forward_solve_from(l: &[f64], b: &mut [f64], start: usize) {
    for i in start..b.len() {
        let ri = row_start(i);
        let (done, rest) = b.split_at_mut(i);
        let s = dot(&l[ri + start..ri + i], &done[start..]);
        rest[0] = (rest[0] - s) / l[ri + i];
    }
}

/// Solves L' z = b in place, for packed lower-triangular L.
fn back_solve(l: &[f64], b: &mut [f64]) {
    for i in (0..b.len()).rev() {
        let ri = row_start(i);
        let (head, rest) = b.split_at_mut(i);
        rest[0] /= l[ri + i];
        let zi = rest[0];
        head.iter_mut()
            .zip(&l[ri..ri + i])
            .for_each(|(h, li)| *h -= li * zi);
    }
}

/// Covariance hyperparameters of the standardized output.
struct Hyper {
    inv_len: Vec<f64>,
    sigma2: f64,
    nugget: f64,
}

impl Hyper {
    /// Hyperparameters from log-parameters `[ln l_1..ln l_d, ln sigma2, ln nugget]`,
    /// clamped to their bounds, and the squared distance that clamping moved them.
    fn from_theta(theta: &[f64], d: usize) -> (Hyper, f64) {
        let mut excess = 0.0;
        let mut clamp = |t: f64, lo: f64, hi: f64| {
            let c = t.clamp(lo.ln(), hi.ln());
            excess += (t - c) * (t - c);
            c
        };
        let inv_len = (0..d)
            .map(|j| (-clamp(theta.get(j).copied().unwrap_or(0.0), LEN_MIN, LEN_MAX)).exp())
            .collect();
        let sigma2 = clamp(theta.get(d).copied().unwrap_or(0.0), SIG2_MIN, SIG2_MAX).exp();
        let nugget = clamp(theta.get(d + 1).copied().unwrap_or(0.0), NUG_MIN, NUG_MAX).exp();
        let hyper = Hyper {
            inv_len,
            sigma2,
            nugget,
        };
        (hyper, excess)
    }
}

/// Factorization of the covariance matrix and the generalized least squares fit.
struct Factors {
    chol: Vec<f64>,
    h_tilde: Vec<f64>,
    chol_a: Vec<f64>,
    beta: Vec<f64>,
    /// L^-1 (y - H beta).
    resid: Vec<f64>,
}

impl Factors {
    /// Negative restricted log likelihood, without its constant:
    /// (r' K^-1 r + ln|K| + ln|H' K^-1 H|) / 2.
    fn neg_reml(&self) -> f64 {
        let log_diag =
            |l: &[f64], m: usize| -> f64 { (0..m).map(|i| l[row_start(i) + i].ln()).sum::<f64>() };
        let n = self.resid.len();
        0.5 * dot(&self.resid, &self.resid)
            + log_diag(&self.chol, n)
            + log_diag(&self.chol_a, self.beta.len())
    }
}

/// Standardized data and mean basis, shared by the likelihood and the final fit.
struct Problem {
    n: usize,
    d: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    noise: Vec<f64>,
    lin_dims: Vec<usize>,
    /// Regression functions at the design points, one row of length n each.
    basis: Vec<f64>,
}

impl Problem {
    fn new(x: Vec<f64>, y: Vec<f64>, noise: Vec<f64>, d: usize) -> Problem {
        let n = y.len();
        let lin_dims = linear_dims(&x, n, d);
        let mut basis = vec![1.0; n];
        for &j in &lin_dims {
            basis.extend(x.chunks_exact(d).map(|r| r[j] - 0.5));
        }
        Problem {
            n,
            d,
            x,
            y,
            noise,
            lin_dims,
            basis,
        }
    }

    /// Factorizes K = sigma2 (R + nugget I) + diag(noise) + jitter I and fits
    /// the regression coefficients by generalized least squares.
    fn factorize(&self, hyp: &Hyper, jitter: f64) -> Result<Factors, EmulatorError> {
        let (n, d) = (self.n, self.d);
        let mut chol = vec![0.0; row_start(n)];
        for (i, xi) in self.x.chunks_exact(d).enumerate() {
            let ri = row_start(i);
            for (j, xj) in self.x.chunks_exact(d).take(i).enumerate() {
                chol[ri + j] = hyp.sigma2 * matern52(xi, xj, &hyp.inv_len);
            }
            chol[ri + i] = hyp.sigma2 * (1.0 + hyp.nugget) + self.noise[i] + jitter;
        }
        cholesky_in_place(&mut chol, n)?;
        let mut resid = self.y.clone();
        forward_solve(&chol, &mut resid);
        let mut h_tilde = self.basis.clone();
        h_tilde
            .chunks_exact_mut(n)
            .for_each(|row| forward_solve(&chol, row));
        let rows: Vec<&[f64]> = h_tilde.chunks_exact(n).collect();
        let p = rows.len();
        let mut chol_a = Vec::with_capacity(row_start(p));
        for (a, ra) in rows.iter().enumerate() {
            chol_a.extend(rows[..=a].iter().map(|rb| dot(ra, rb)));
        }
        cholesky_in_place(&mut chol_a, p)?;
        let mut beta: Vec<f64> = rows.iter().map(|r| dot(r, &resid)).collect();
        forward_solve(&chol_a, &mut beta);
        back_solve(&chol_a, &mut beta);
        for (row, b) in rows.iter().zip(&beta) {
            resid.iter_mut().zip(*row).for_each(|(r, h)| *r -= b * h);
        }
        Ok(Factors {
            chol,
            h_tilde,
            chol_a,
            beta,
            resid,
        })
    }

    /// Penalized negative restricted log likelihood at log-parameters `theta`;
    /// infinite where the covariance matrix cannot be factorized.
    fn objective(&self, theta: &[f64]) -> f64 {
        let (hyp, excess) = Hyper::from_theta(theta, self.d);
        match self.factorize(&hyp, JITTER * hyp.sigma2) {
            Ok(f) => {
                let v = f.neg_reml() + PENALTY * excess;
                if v.is_finite() { v } else { f64::INFINITY }
            }
            Err(_) => f64::INFINITY,
        }
    }

    /// Log-parameters maximizing the restricted likelihood: scores a fixed set
    /// of starting points, refines the best few by Nelder-Mead, restarts each
    /// once from where it stopped, and keeps the best.
    fn optimize(&self) -> Vec<f64> {
        let d = self.d;
        let starts = [
            (0.5, 1.0, 1e-6),
            (0.2, 1.0, 1e-4),
            (1.5, 1.0, 1e-6),
            (0.1, 0.5, 1e-3),
            (4.0, 3.0, 1e-6),
            (0.5, 0.1, 1e-3),
        ];
        let mut scored: Vec<(f64, Vec<f64>)> = starts
            .iter()
            .map(|&(l, s2, g)| {
                let mut t = vec![f64::ln(l); d];
                t.extend([f64::ln(s2), f64::ln(g)]);
                (self.objective(&t), t)
            })
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        let budget = NM_EVALS_PER_DIM * (d + 2);
        let f = |t: &[f64]| self.objective(t);
        let mut best = scored[0].clone();
        for (_, t0) in scored.iter().take(NM_RUNS) {
            let (t1, _) = nelder_mead(&f, t0, 1.0, budget);
            let (t2, v2) = nelder_mead(&f, &t1, 0.3, budget);
            if v2 < best.0 {
                best = (v2, t2);
            }
        }
        best.1
    }

    /// Builds the emulator at log-parameters `theta`, adding jitter if needed.
    fn into_emulator(
        self,
        theta: &[f64],
        y_mean: f64,
        y_scale: f64,
    ) -> Result<Emulator, EmulatorError> {
        let (hyp, _) = Hyper::from_theta(theta, self.d);
        let mut jitter = JITTER * hyp.sigma2;
        let mut fac = self.factorize(&hyp, jitter);
        for _ in 0..3 {
            if fac.is_ok() {
                break;
            }
            jitter *= 100.0;
            fac = self.factorize(&hyp, jitter);
        }
        let fac = fac?;
        let mut alpha = fac.resid;
        back_solve(&fac.chol, &mut alpha);
        Ok(Emulator {
            d: self.d,
            n: self.n,
            x: self.x,
            len: hyp.inv_len.iter().map(|w| 1.0 / w).collect(),
            inv_len: hyp.inv_len,
            sigma2: hyp.sigma2,
            nugget: hyp.nugget,
            lin_dims: self.lin_dims,
            y_mean,
            y_scale,
            chol: fac.chol,
            h_tilde: fac.h_tilde,
            chol_a: fac.chol_a,
            beta: fac.beta,
            alpha,
        })
    }
}

/// Minimizes `f` by the Nelder-Mead simplex method from `x0`, with an initial
/// simplex of side `step` along each axis. Stops when the values at the
/// simplex vertices agree within `NM_FTOL` or after `max_evals` evaluations.
/// Returns the best point and its value.
fn nelder_mead<F: Fn(&[f64]) -> f64>(
    f: &F,
    x0: &[f64],
    step: f64,
    max_evals: usize,
) -> (Vec<f64>, f64) {
    let m = x0.len();
    let mut pts: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..m {
        let mut v = x0.to_vec();
        v[i] += step;
        pts.push(v);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| f(p)).collect();
    let mut evals = m + 1;
    let along = |from: &[f64], to: &[f64], t: f64| -> Vec<f64> {
        from.iter().zip(to).map(|(a, b)| a + t * (b - a)).collect()
    };
    loop {
        let mut order: Vec<usize> = (0..=m).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        if evals >= max_evals || vals[m] - vals[0] <= NM_FTOL {
            break;
        }
        let mut centroid = vec![0.0; m];
        for p in &pts[..m] {
            centroid
                .iter_mut()
                .zip(p)
                .for_each(|(c, v)| *c += v / m as f64);
        }
        let xr = along(&centroid, &pts[m], -1.0);
        let fr = f(&xr);
        evals += 1;
        let (xn, fnew) = if fr < vals[0] {
            let xe = along(&centroid, &pts[m], -2.0);
            let fe = f(&xe);
            evals += 1;
            if fe < fr { (xe, fe) } else { (xr, fr) }
        } else if fr < vals[m - 1] {
            (xr, fr)
        } else {
            let t = if fr < vals[m] { -0.5 } else { 0.5 };
            let xc = along(&centroid, &pts[m], t);
            let fc = f(&xc);
            evals += 1;
            if fc < fr.min(vals[m]) {
                (xc, fc)
            } else {
                for i in 1..=m {
                    pts[i] = along(&pts[0], &pts[i], 0.5);
                    vals[i] = f(&pts[i]);
                }
                evals += m;
                continue;
            }
        };
        pts[m] = xn;
        vals[m] = fnew;
    }
    (pts.swap_remove(0), vals[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64, for reproducible test data.
    struct SplitMix(u64);

    impl SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        fn normal(&mut self) -> f64 {
            let u1 = 1.0 - self.uniform();
            let u2 = self.uniform();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        }
    }

    /// Latin hypercube of `n` points in `[0,1]^d`.
    fn lhs(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = SplitMix(seed);
        let mut x = vec![vec![0.0; d]; n];
        for j in 0..d {
            let mut perm: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let k = (rng.next_u64() % (i as u64 + 1)) as usize;
                perm.swap(i, k);
            }
            for (xi, p) in x.iter_mut().zip(&perm) {
                xi[j] = (*p as f64 + rng.uniform()) / n as f64;
            }
        }
        x
    }

    fn f2(x: &[f64]) -> f64 {
        (6.0 * x[0]).sin() + (4.0 * x[1]).cos()
    }

    fn sd(v: &[f64]) -> f64 {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    }

    fn fit_f2(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>, Emulator) {
        let x = lhs(n, 2, seed);
        let y: Vec<f64> = x.iter().map(|p| f2(p)).collect();
        let em = Emulator::fit(&x, &y, &vec![0.0; n]).unwrap();
        (x, y, em)
    }

    #[test]
    fn predicts_held_out_2d_function_with_calibrated_intervals() {
        let (_, _, em) = fit_f2(35, 1);
        let test = lhs(200, 2, 99);
        let truth: Vec<f64> = test.iter().map(|p| f2(p)).collect();
        let mut sq = 0.0;
        let mut covered = 0;
        for (p, t) in test.iter().zip(&truth) {
            let (m, v) = em.predict(p);
            sq += (m - t) * (m - t);
            if (m - t).abs() <= 2.0 * v.sqrt() {
                covered += 1;
            }
        }
        let rmse = (sq / test.len() as f64).sqrt();
        let share = covered as f64 / test.len() as f64;
        assert!(rmse < 0.05 * sd(&truth), "rmse {rmse}");
        assert!((0.8..=1.0).contains(&share), "coverage {share}");
    }

    #[test]
    fn reproduces_noise_free_data_and_variance_grows_away_from_it() {
        // Design crowded into one corner, function with short length scales.
        let f = |p: &[f64]| (12.0 * p[0]).sin() + (10.0 * p[1]).cos();
        let x: Vec<Vec<f64>> = lhs(30, 2, 5)
            .into_iter()
            .map(|p| vec![0.4 * p[0], 0.4 * p[1]])
            .collect();
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        let em = Emulator::fit(&x, &y, &[0.0; 30]).unwrap();
        let s = sd(&y);
        let mut max_var = 0.0_f64;
        for (p, t) in x.iter().zip(&y) {
            let (m, v) = em.predict(p);
            assert!((m - t).abs() < 1e-3 * s, "at {p:?}: {m} vs {t}");
            assert!(v >= 0.0);
            max_var = max_var.max(v);
        }
        assert!(max_var < 1e-5 * s * s, "variance at data {max_var}");
        let (_, v_mid) = em.predict(&[0.6, 0.6]);
        let (_, v_far) = em.predict(&[0.95, 0.95]);
        assert!(v_mid > 1e3 * max_var, "variance at 0.6: {v_mid}");
        assert!(v_far > v_mid, "variance {v_far} at 0.95 vs {v_mid} at 0.6");
        assert!(v_far.sqrt() > 0.3 * s, "sd far away {}", v_far.sqrt());
    }

    #[test]
    fn does_not_interpolate_known_noise() {
        let n = 40;
        let x = lhs(n, 2, 7);
        let truth: Vec<f64> = x.iter().map(|p| f2(p)).collect();
        let tau = 0.2;
        let mut rng = SplitMix(11);
        let y: Vec<f64> = truth.iter().map(|t| t + tau * rng.normal()).collect();
        let em = Emulator::fit(&x, &y, &vec![tau * tau; n]).unwrap();
        let mut err_pred = 0.0;
        let mut err_data = 0.0;
        for ((p, t), yi) in x.iter().zip(&truth).zip(&y) {
            err_pred += (em.predict(p).0 - t).abs();
            err_data += (yi - t).abs();
        }
        assert!(
            err_pred < 0.8 * err_data,
            "mean abs error: emulator {err_pred}, data {err_data}"
        );
    }

    #[test]
    fn leave_one_out_errors_look_standard_normal() {
        // A smooth function observed with a little replication noise, as from
        // a stochastic simulator. (Without noise, Matern 5/2 is conservative
        // for such a smooth function and the sd falls to about 0.5.)
        let n = 40;
        let x = lhs(n, 2, 3);
        let tau = 0.05;
        let mut rng = SplitMix(5);
        let y: Vec<f64> = x.iter().map(|p| f2(p) + tau * rng.normal()).collect();
        let em = Emulator::fit(&x, &y, &vec![tau * tau; n]).unwrap();
        let loo = em.loo_standardized();
        assert_eq!(loo.len(), 40);
        let mean = loo.iter().sum::<f64>() / loo.len() as f64;
        let s = sd(&loo);
        assert!(mean.abs() < 0.5, "mean {mean}");
        assert!((0.5..2.0).contains(&s), "sd {s}");
    }

    #[test]
    fn leave_one_out_formula_matches_refitting_without_each_point() {
        let n = 25;
        let x = lhs(n, 2, 13);
        let mut rng = SplitMix(17);
        let noise: Vec<f64> = (0..n).map(|i| 0.001 * (i % 3) as f64).collect();
        let y: Vec<f64> = x
            .iter()
            .zip(&noise)
            .map(|(p, v)| f2(p) + v.sqrt() * rng.normal())
            .collect();
        let em = Emulator::fit(&x, &y, &noise).unwrap();
        let loo = em.loo_standardized();
        let mut theta: Vec<f64> = em.length_scales().iter().map(|l| l.ln()).collect();
        theta.extend([em.sigma2.ln(), em.nugget.ln()]);
        let scale2 = em.y_scale * em.y_scale;
        for i in 0..n {
            let keep =
                |v: &[f64]| -> Vec<f64> { (0..n).filter(|&k| k != i).map(|k| v[k]).collect() };
            let xs: Vec<f64> = (0..n)
                .filter(|&k| k != i)
                .flat_map(|k| x[k].clone())
                .collect();
            let ys: Vec<f64> = keep(&y)
                .iter()
                .map(|v| (v - em.y_mean) / em.y_scale)
                .collect();
            let ns: Vec<f64> = keep(&noise).iter().map(|v| v / scale2).collect();
            let sub = Problem::new(xs, ys, ns, 2)
                .into_emulator(&theta, em.y_mean, em.y_scale)
                .unwrap();
            let (m, v) = sub.predict(&x[i]);
            let direct = (y[i] - m) / (v + noise[i]).sqrt();
            assert!(
                (direct - loo[i]).abs() < 1e-5 * (1.0 + direct.abs()),
                "point {i}: refit {direct}, formula {}",
                loo[i]
            );
        }
    }

    #[test]
    fn inert_inputs_get_long_length_scales() {
        let n = 70;
        let x = lhs(n, 6, 21);
        let y: Vec<f64> = x
            .iter()
            .map(|p| (5.0 * p[0]).sin() + (4.0 * p[1] - 1.0).powi(2))
            .collect();
        let em = Emulator::fit(&x, &y, &vec![0.0; n]).unwrap();
        let len = em.length_scales();
        let longest_active = len[0].max(len[1]);
        let shortest_inert = len[2..].iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            shortest_inert > 3.0 * longest_active,
            "length scales {len:?}"
        );
    }

    #[test]
    fn rejects_bad_input() {
        let x = vec![vec![0.1, 0.2], vec![0.5, 0.9], vec![0.3, 0.4]];
        let y = [1.0, 2.0, 3.0];
        let z = [0.0; 3];
        let one = Emulator::fit(&x[..1], &y[..1], &z[..1]);
        assert_eq!(
            one.unwrap_err(),
            EmulatorError::TooFewPoints { got: 1, needed: 2 }
        );
        let is_bad = |r: Result<Emulator, EmulatorError>| matches!(r, Err(EmulatorError::BadInput(ref m)) if !m.is_empty());
        assert!(is_bad(Emulator::fit(&x, &y[..2], &z)));
        assert!(is_bad(Emulator::fit(&x, &y, &z[..2])));
        let ragged = vec![vec![0.1, 0.2], vec![0.5], vec![0.3, 0.4]];
        assert!(is_bad(Emulator::fit(&ragged, &y, &z)));
        let outside = vec![vec![0.1, 0.2], vec![0.5, 1.2], vec![0.3, 0.4]];
        assert!(is_bad(Emulator::fit(&outside, &y, &z)));
        let nan_x = vec![vec![0.1, f64::NAN], vec![0.5, 0.9], vec![0.3, 0.4]];
        assert!(is_bad(Emulator::fit(&nan_x, &y, &z)));
        assert!(is_bad(Emulator::fit(&x, &[1.0, f64::INFINITY, 3.0], &z)));
        assert!(is_bad(Emulator::fit(&x, &y, &[0.0, -1e-3, 0.0])));
        assert!(is_bad(Emulator::fit(&[vec![], vec![]], &y[..2], &z[..2])));
        // Coordinates a rounding error outside the cube are accepted.
        let edge = vec![vec![-1e-12, 0.2], vec![0.5, 1.0 + 1e-12], vec![0.3, 0.4]];
        assert!(Emulator::fit(&edge, &y, &z).is_ok());
        let msg = EmulatorError::TooFewPoints { got: 1, needed: 2 }.to_string();
        assert!(msg.contains("at least 2"), "{msg}");
    }

    #[test]
    fn duplicated_points_without_noise_still_fit() {
        let mut x = lhs(12, 2, 31);
        x.push(x[0].clone());
        let y: Vec<f64> = x.iter().map(|p| f2(p)).collect();
        let em = Emulator::fit(&x, &y, &[0.0; 13]).unwrap();
        let (m, v) = em.predict(&x[0]);
        assert!((m - y[0]).abs() < 0.05 && v.is_finite());
    }

    #[test]
    fn constant_output_gives_constant_prediction() {
        let x = lhs(10, 3, 41);
        let em = Emulator::fit(&x, &[2.5; 10], &[0.0; 10]).unwrap();
        for p in [[0.1, 0.5, 0.9], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]] {
            let (m, v) = em.predict(&p);
            assert!((m - 2.5).abs() < 1e-12, "mean {m}");
            assert!((0.0..1e-4).contains(&v), "variance {v}");
        }
        let zero = Emulator::fit(&x, &[0.0; 10], &[0.0; 10]).unwrap();
        assert_eq!(zero.predict(&[0.5, 0.5, 0.5]).0, 0.0);
        assert!(zero.loo_standardized().iter().all(|e| e.is_finite()));
    }

    #[test]
    fn few_points_use_a_constant_mean() {
        let x = vec![vec![0.2, 0.3, 0.9], vec![0.7, 0.1, 0.4]];
        let em = Emulator::fit(&x, &[1.0, 3.0], &[0.0, 0.1]).unwrap();
        assert_eq!((em.dims(), em.points()), (3, 2));
        assert!(em.lin_dims.is_empty());
        let (m, v) = em.predict(&[0.5, 0.5, 0.5]);
        assert!(m.is_finite() && v > 0.0);
        assert!(em.predict(&[0.5, 0.5]).0.is_nan());
    }

    #[test]
    fn fits_are_deterministic() {
        let (x, y, a) = fit_f2(30, 51);
        let b = Emulator::fit(&x, &y, &[0.0; 30]).unwrap();
        assert_eq!(a.length_scales(), b.length_scales());
        assert_eq!(a.signal_sd().to_bits(), b.signal_sd().to_bits());
        for p in lhs(50, 2, 52) {
            let (ma, va) = a.predict(&p);
            let (mb, vb) = b.predict(&p);
            assert_eq!((ma.to_bits(), va.to_bits()), (mb.to_bits(), vb.to_bits()));
        }
        let la: Vec<u64> = a.loo_standardized().iter().map(|v| v.to_bits()).collect();
        let lb: Vec<u64> = b.loo_standardized().iter().map(|v| v.to_bits()).collect();
        assert_eq!(la, lb);
    }
}
