//! History matching in waves (Craig et al. 1997; Vernon, Goldstein & Bower
//! 2010; Andrianakis et al. 2015): each wave runs the model at design points
//! of the space not yet ruled out, fits one emulator per target to the
//! points' mean outputs, and rules out every point whose implausibility
//!
//! ```text
//! I_t(x) = |z_t - E[f_t(x)]| / sqrt(V_obs,t + V_disc,t + V_em,t(x) + V_s,t)
//! ```
//!
//! exceeds the cut-off for some target `t`: `z_t` is the observation,
//! `V_obs` its error variance, `V_disc` the model discrepancy, `V_em(x)` the
//! emulator's variance at `x` and `V_s` the model's own stochastic variance
//! (the variance of one replication, estimated from the replications of the
//! wave's points: the world we observe is one realisation). A point is
//! non-implausible when, under the emulators of every wave so far, its
//! largest implausibility is at most the cut-off.
//!
//! Everything here works on the unit cube and is deterministic: the same
//! runs give the same emulators, the same next wave and the same result.

use rayon::prelude::*;

use super::emulator::{Emulator, EmulatorError};
use super::plan::TargetSpec;
use crate::design::latin_hypercube;
use crate::model::rng::from_u64;
use crate::stats;

/// Why a wave cannot be fitted or chosen.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot emulate {target}: {cause}")]
    Emulator {
        target: String,
        cause: EmulatorError,
    },
    #[error(
        "target {target}: fewer than 2 replications with a value at every point, so the model's own variance cannot be estimated"
    )]
    NoVariance { target: String },
    #[error(
        "no non-implausible point remains: none of {screened} candidates meets every target within the cut-off {cutoff}; the smallest largest implausibility was {best:.2}, set by {target}. The targets cannot all be met by varying these parameters within their ranges: widen the ranges, add a parameter, or state a model discrepancy for that target"
    )]
    NothingPlausible {
        screened: usize,
        cutoff: f64,
        best: f64,
        target: String,
    },
}

/// The runs of one wave: design points and every target's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveRuns {
    /// Design points on the unit cube.
    pub unit: Vec<Vec<f64>>,
    /// `outputs[t][p]`: the replications' values of target `t` at point `p`
    /// (NaN where the metric had no value).
    pub outputs: Vec<Vec<Vec<f64>>>,
}

impl WaveRuns {
    /// Mean and number of finite values of target `t` at point `p`.
    pub fn mean(&self, t: usize, p: usize) -> (f64, usize) {
        let v: Vec<f64> = self.outputs[t][p]
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        (stats::mean(&v), v.len())
    }
}

/// The emulators of one wave, one per target, and what they were fitted to.
#[derive(Debug, Clone)]
pub struct WaveFit {
    pub emulators: Vec<Emulator>,
    /// Variance of one replication, per target (pooled over the points).
    pub stochastic_var: Vec<f64>,
    /// Points the emulators were fitted to.
    pub training: usize,
}

/// Pooled within-point variance of target `t` over `runs`' points: the
/// model's own stochastic variance, assumed the same everywhere.
fn pooled_variance(runs: &[&WaveRuns], t: usize) -> Option<f64> {
    let (mut ss, mut df) = (0.0, 0usize);
    for w in runs {
        for reps in &w.outputs[t] {
            let v: Vec<f64> = reps.iter().copied().filter(|x| x.is_finite()).collect();
            if v.len() >= 2 {
                let m = stats::mean(&v);
                ss += v.iter().map(|x| (x - m) * (x - m)).sum::<f64>();
                df += v.len() - 1;
            }
        }
    }
    (df > 0).then(|| (ss / df as f64).max(1e-300))
}

/// Fits one emulator per target to the mean outputs of `runs`' points (with
/// the variance of each mean as known noise).
pub fn fit_wave(runs: &[&WaveRuns], targets: &[TargetSpec]) -> Result<WaveFit, HistoryError> {
    let mut emulators = Vec::with_capacity(targets.len());
    let mut stochastic_var = Vec::with_capacity(targets.len());
    let mut training = 0;
    for (t, target) in targets.iter().enumerate() {
        let s = pooled_variance(runs, t).ok_or_else(|| HistoryError::NoVariance {
            target: target.key.clone(),
        })?;
        let (mut x, mut y, mut noise) = (Vec::new(), Vec::new(), Vec::new());
        for w in runs {
            for (p, u) in w.unit.iter().enumerate() {
                let (m, n) = w.mean(t, p);
                if n > 0 {
                    x.push(u.clone());
                    y.push(m);
                    noise.push(s / n as f64);
                }
            }
        }
        training = training.max(x.len());
        let e = Emulator::fit(&x, &y, &noise).map_err(|cause| HistoryError::Emulator {
            target: target.key.clone(),
            cause,
        })?;
        emulators.push(e);
        stochastic_var.push(s);
    }
    Ok(WaveFit {
        emulators,
        stochastic_var,
        training,
    })
}

/// The implausibility of each target at `x` under `fit`.
pub fn implausibilities(fit: &WaveFit, targets: &[TargetSpec], x: &[f64]) -> Vec<f64> {
    targets
        .iter()
        .zip(&fit.emulators)
        .zip(&fit.stochastic_var)
        .map(|((t, e), s)| {
            let (m, v) = e.predict(x);
            (t.value - m).abs() / (t.fixed_variance() + v + s).sqrt()
        })
        .collect()
}

/// Largest implausibility at `x` over every target and every wave's fit,
/// and the target that sets it.
pub fn max_implausibility(fits: &[WaveFit], targets: &[TargetSpec], x: &[f64]) -> (f64, usize) {
    let mut best = (0.0, 0);
    for fit in fits {
        for (t, i) in implausibilities(fit, targets, x).into_iter().enumerate() {
            if i > best.0 || i.is_nan() {
                best = (if i.is_nan() { f64::INFINITY } else { i }, t);
            }
        }
    }
    best
}

/// Whether `x` is non-implausible under every fit: each wave is checked in
/// turn and the first implausible target ends the check.
pub fn plausible(fits: &[WaveFit], targets: &[TargetSpec], x: &[f64], cutoff: f64) -> bool {
    fits.iter().all(|fit| {
        targets
            .iter()
            .zip(&fit.emulators)
            .zip(&fit.stochastic_var)
            .all(|((t, e), s)| {
                let (m, v) = e.predict(x);
                let i = (t.value - m).abs() / (t.fixed_variance() + v + s).sqrt();
                i <= cutoff
            })
    })
}

/// The implausibility of each target at a simulated point, from its
/// replications (no emulator): the mean's own uncertainty `V_s / n` is added
/// to the variance of one replication.
pub fn simulated_implausibilities(
    runs: &WaveRuns,
    p: usize,
    targets: &[TargetSpec],
    stochastic_var: &[f64],
) -> Vec<f64> {
    targets
        .iter()
        .enumerate()
        .map(|(t, target)| {
            let (m, n) = runs.mean(t, p);
            if n == 0 {
                return f64::INFINITY;
            }
            let s = stochastic_var[t];
            (target.value - m).abs() / (target.fixed_variance() + s * (1.0 + 1.0 / n as f64)).sqrt()
        })
        .collect()
}

/// The design of the next wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The chosen points on the unit cube.
    pub unit: Vec<Vec<f64>>,
    /// Share of the space-filling candidates found non-implausible: an
    /// estimate of the share of the prior box still in play.
    pub nroy_fraction: f64,
    /// Candidates screened, and non-implausible ones found (with those found
    /// by searching around them when the space-filling ones were too few).
    pub screened: usize,
    pub found: usize,
}

/// How a wave's points are picked from the non-implausible candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// A space-filling subset (greedy maximin): reaches the edges of the
    /// space, where the next emulators most need runs.
    Maximin,
    /// A uniform random subset of the space-filling candidates: a uniform
    /// sample of the space left (the prior restricted to it), as the last
    /// wave needs, whose plausible points become the parameter sets.
    Uniform,
}

/// What [`propose`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// Parameters (dimensions of the unit cube).
    pub dims: usize,
    /// Points wanted.
    pub n: usize,
    /// Latin-hypercube candidates screened.
    pub candidates: usize,
    pub cutoff: f64,
    pub seed: u64,
    pub pick: Pick,
}

/// Chooses up to `n` points of the space not yet ruled out by `fits`:
/// screens `candidates` Latin-hypercube points with the emulators, searches
/// around the survivors when they are fewer than `4 n`, and picks `n` of
/// them as `pick` says.
pub fn propose(
    fits: &[WaveFit],
    targets: &[TargetSpec],
    r: &Request,
) -> Result<Proposal, HistoryError> {
    let cand = latin_hypercube(r.candidates, r.dims, r.seed);
    let keep: Vec<bool> = cand
        .par_iter()
        .map(|x| plausible(fits, targets, x, r.cutoff))
        .collect();
    let mut found: Vec<Vec<f64>> = cand
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| x.clone())
        .collect();
    let screened_found = found.len();
    let nroy_fraction = screened_found as f64 / r.candidates.max(1) as f64;
    if found.is_empty() {
        let (best, t) = cand
            .par_iter()
            .map(|x| max_implausibility(fits, targets, x))
            .reduce(|| (f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a });
        return Err(HistoryError::NothingPlausible {
            screened: r.candidates,
            cutoff: r.cutoff,
            best,
            target: targets.get(t).map_or(String::new(), |t| t.key.clone()),
        });
    }
    let mut rng = from_u64(r.seed ^ 0x5eed_0f5e_a7c4);
    let mut round = 0;
    while found.len() < 4 * r.n && round < 30 {
        found.extend(search_around(fits, targets, &found, r.cutoff, &mut rng));
        round += 1;
    }
    let unit = match r.pick {
        Pick::Maximin => maximin(&found, r.n),
        // The screened candidates are a uniform sample of the space left;
        // the points found around them are not, so they fill in only when
        // the screened ones are too few.
        Pick::Uniform if screened_found >= r.n => uniform(&found[..screened_found], r.n, &mut rng),
        Pick::Uniform => uniform(&found, r.n, &mut rng),
    };
    Ok(Proposal {
        unit,
        nroy_fraction,
        screened: r.candidates,
        found: found.len(),
    })
}

/// `n` of `points` chosen uniformly at random (all of them if there are no
/// more), in their original order.
fn uniform(points: &[Vec<f64>], n: usize, rng: &mut crate::model::rng::Stream) -> Vec<Vec<f64>> {
    use rand::RngExt;
    let mut idx: Vec<usize> = (0..points.len()).collect();
    let n = n.min(points.len());
    for i in 0..n {
        let j = rng.random_range(i..idx.len());
        idx.swap(i, j);
    }
    let mut chosen = idx[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| points[i].clone()).collect()
}

/// Non-implausible points found by perturbing each of `found` with normal
/// steps of a tenth of their spread in each dimension.
fn search_around(
    fits: &[WaveFit],
    targets: &[TargetSpec],
    found: &[Vec<f64>],
    cutoff: f64,
    rng: &mut crate::model::rng::Stream,
) -> Vec<Vec<f64>> {
    use rand_distr::{Distribution, StandardNormal};
    let dims = found[0].len();
    let spread: Vec<f64> = (0..dims)
        .map(|j| {
            let v: Vec<f64> = found.iter().map(|x| x[j]).collect();
            (stats::sd(&v).max(0.0) * 0.5).clamp(0.01, 0.1)
        })
        .collect();
    let tries: Vec<Vec<f64>> = found
        .iter()
        .flat_map(|x| {
            (0..4)
                .map(|_| {
                    x.iter()
                        .zip(&spread)
                        .map(|(xi, s)| {
                            let z: f64 = StandardNormal.sample(rng);
                            (xi + s * z).clamp(0.0, 1.0)
                        })
                        .collect::<Vec<f64>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    tries
        .into_par_iter()
        .filter(|x| plausible(fits, targets, x, cutoff))
        .collect()
}

/// A space-filling subset of `n` of `points` (all of them if there are no
/// more): starts from the point nearest the centre of the set, then adds the
/// point farthest from those chosen, in turn.
pub fn maximin(points: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    if points.len() <= n {
        return points.to_vec();
    }
    let dims = points[0].len();
    let centre: Vec<f64> = (0..dims)
        .map(|j| points.iter().map(|p| p[j]).sum::<f64>() / points.len() as f64)
        .collect();
    let d2 = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>();
    let first = (0..points.len())
        .min_by(|&i, &j| d2(&points[i], &centre).total_cmp(&d2(&points[j], &centre)))
        .unwrap_or(0);
    let mut chosen = vec![first];
    let mut nearest: Vec<f64> = points.iter().map(|p| d2(p, &points[first])).collect();
    while chosen.len() < n {
        let next = (0..points.len())
            .max_by(|&i, &j| nearest[i].total_cmp(&nearest[j]).then(j.cmp(&i)))
            .unwrap_or(0);
        chosen.push(next);
        for (k, p) in points.iter().enumerate() {
            nearest[k] = nearest[k].min(d2(p, &points[next]));
        }
    }
    chosen.into_iter().map(|i| points[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(key: &str, value: f64, sd: f64) -> TargetSpec {
        TargetSpec {
            key: key.into(),
            value,
            sd,
            discrepancy_sd: 0.0,
            source: String::new(),
        }
    }

    /// A toy stochastic model: two outputs of two inputs, with noise.
    fn toy(unit: &[Vec<f64>], reps: usize, seed: u64) -> WaveRuns {
        use rand_distr::{Distribution, Normal};
        let mut rng = from_u64(seed);
        let noise = Normal::new(0.0, 0.02).unwrap();
        let mut outputs = vec![Vec::new(), Vec::new()];
        for x in unit {
            let f = [x[0] + 0.3 * x[1] * x[1], (3.0 * x[1]).sin() + 0.2 * x[0]];
            for (t, o) in outputs.iter_mut().enumerate() {
                o.push((0..reps).map(|_| f[t] + noise.sample(&mut rng)).collect());
            }
        }
        WaveRuns {
            unit: unit.to_vec(),
            outputs,
        }
    }

    #[test]
    fn waves_close_in_on_the_true_point_of_a_toy_model() {
        let truth: [f64; 2] = [0.3, 0.6];
        let t0 = truth[0] + 0.3 * truth[1] * truth[1];
        let t1 = (3.0 * truth[1]).sin() + 0.2 * truth[0];
        let targets = vec![target("a", t0, 0.02), target("b", t1, 0.02)];
        let mut fits = Vec::new();
        let mut all = Vec::new();
        let mut unit = latin_hypercube(20, 2, 3);
        let mut fractions = Vec::new();
        for wave in 0..3 {
            all.push(toy(&unit, 3, 10 + wave));
            let refs: Vec<&WaveRuns> = all.iter().collect();
            fits.push(fit_wave(&refs, &targets).unwrap());
            let pick = if wave == 2 {
                Pick::Uniform
            } else {
                Pick::Maximin
            };
            let request = Request {
                dims: 2,
                n: 20,
                candidates: 4000,
                cutoff: 3.0,
                seed: 7 + wave,
                pick,
            };
            let p = propose(&fits, &targets, &request).unwrap();
            fractions.push(p.nroy_fraction);
            unit = p.unit;
        }
        assert!(
            plausible(&fits, &targets, &truth, 3.0),
            "the truth was ruled out"
        );
        assert!(
            fractions.iter().all(|f| *f < 0.1),
            "space left {fractions:?}"
        );
        // Far from the truth is ruled out.
        assert!(!plausible(&fits, &targets, &[0.95, 0.05], 3.0));
        // Every proposed point is non-implausible.
        assert!(unit.iter().all(|x| plausible(&fits, &targets, x, 3.0)));
    }

    #[test]
    fn an_unreachable_target_is_reported_with_its_key() {
        let targets = vec![target("a", 5.0, 0.01), target("b", 0.5, 1.0)];
        let runs = toy(&latin_hypercube(15, 2, 1), 3, 2);
        let fits = vec![fit_wave(&[&runs], &targets).unwrap()];
        let request = Request {
            dims: 2,
            n: 10,
            candidates: 500,
            cutoff: 3.0,
            seed: 1,
            pick: Pick::Maximin,
        };
        match propose(&fits, &targets, &request) {
            Err(HistoryError::NothingPlausible { target, best, .. }) => {
                assert_eq!(target, "a");
                assert!(best > 3.0);
            }
            other => panic!("expected nothing plausible, got {other:?}"),
        }
    }

    #[test]
    fn one_replication_cannot_give_the_models_variance() {
        let targets = vec![target("a", 0.5, 0.1), target("b", 0.5, 0.1)];
        let runs = toy(&latin_hypercube(10, 2, 1), 1, 2);
        assert!(matches!(
            fit_wave(&[&runs], &targets),
            Err(HistoryError::NoVariance { .. })
        ));
    }

    #[test]
    fn maximin_spreads_the_chosen_points() {
        let pts: Vec<Vec<f64>> = (0..=10).map(|i| vec![i as f64 / 10.0]).collect();
        let mut chosen: Vec<f64> = maximin(&pts, 3).iter().map(|p| p[0]).collect();
        chosen.sort_by(f64::total_cmp);
        assert_eq!(chosen, vec![0.0, 0.5, 1.0]);
        assert_eq!(maximin(&pts, 20).len(), 11);
    }
}
