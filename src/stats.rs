//! Small statistics used by calibration and summaries: quantiles, moments,
//! correlation, Kaplan-Meier survival with delayed entry and right censoring,
//! and a Weibull fit by maximum likelihood under the same observation scheme.

/// Quantile `q` (0-1) by linear interpolation between order statistics
/// (Hyndman and Fan type 7, as in R and numpy). `NaN` for an empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Sorts a copy, dropping non-finite values.
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Sample standard deviation (n - 1); `NaN` below two values.
pub fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Pearson correlation; `NaN` if either side has no variance.
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return f64::NAN;
    }
    let (mx, my) = (mean(&x[..n]), mean(&y[..n]));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        f64::NAN
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// One spell observed from `entry` (delayed entry, left truncation) to `exit`,
/// both in time since the spell began; `event` is false if right-censored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub entry: f64,
    pub exit: f64,
    pub event: bool,
}

/// A Kaplan-Meier survival curve: `(time, survival just after time)` steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Survival {
    pub steps: Vec<(f64, f64)>,
    /// Greenwood variance of survival at each step.
    pub variance: Vec<f64>,
}

/// Kaplan-Meier estimate with delayed entry: a spell is at risk at time `t`
/// when `entry < t <= exit`.
pub fn kaplan_meier(obs: &[Observation]) -> Survival {
    let mut times: Vec<f64> = obs.iter().filter(|o| o.event).map(|o| o.exit).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut entries: Vec<f64> = obs.iter().map(|o| o.entry).collect();
    let mut exits: Vec<f64> = obs.iter().map(|o| o.exit).collect();
    entries.sort_by(f64::total_cmp);
    exits.sort_by(f64::total_cmp);
    let mut events: Vec<f64> = obs.iter().filter(|o| o.event).map(|o| o.exit).collect();
    events.sort_by(f64::total_cmp);
    let mut s = 1.0;
    let mut green = 0.0;
    let mut out = Survival {
        steps: Vec::with_capacity(times.len()),
        variance: Vec::new(),
    };
    for t in times {
        // at risk: entry < t and exit >= t
        let entered = entries.partition_point(|e| *e < t);
        let left = exits.partition_point(|x| *x < t);
        let n = entered.saturating_sub(left) as f64;
        let d = (events.partition_point(|x| *x <= t) - events.partition_point(|x| *x < t)) as f64;
        if n <= 0.0 {
            continue;
        }
        s *= 1.0 - d / n;
        if n > d {
            green += d / (n * (n - d));
        }
        out.steps.push((t, s));
        out.variance.push(s * s * green);
    }
    out
}

impl Survival {
    /// First time at which survival falls to one half or below; `None` if it never does.
    pub fn median(&self) -> Option<f64> {
        self.steps.iter().find(|(_, s)| *s <= 0.5).map(|(t, _)| *t)
    }

    /// Survival at time `t`.
    pub fn at(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|(x, _)| *x <= t)
            .last()
            .map_or(1.0, |(_, s)| *s)
    }
}

/// Maximum-likelihood Weibull `(shape, scale)` for delayed-entry,
/// right-censored observations. `None` without events.
pub fn weibull_fit(obs: &[Observation]) -> Option<(f64, f64)> {
    let d = obs.iter().filter(|o| o.event).count() as f64;
    if d == 0.0 {
        return None;
    }
    let sum_log_t: f64 = obs.iter().filter(|o| o.event).map(|o| o.exit.ln()).sum();
    // Profile log-likelihood in the shape k, with scale^k solved in closed form.
    let profile = |k: f64| -> (f64, f64) {
        let s: f64 = obs
            .iter()
            .map(|o| o.exit.powf(k) - o.entry.max(0.0).powf(k))
            .sum();
        let lk = s / d;
        (d * k.ln() - d * lk.ln() + (k - 1.0) * sum_log_t - d, lk)
    };
    let (mut a, mut b) = (0.05_f64, 10.0_f64);
    let g = (5.0_f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let c = b - g * (b - a);
        let e = a + g * (b - a);
        if profile(c).0 > profile(e).0 {
            b = e
        } else {
            a = c
        }
    }
    let k = (a + b) / 2.0;
    let (_, lk) = profile(k);
    Some((k, lk.powf(1.0 / k)))
}

/// Natural log of the gamma function (Lanczos approximation, g = 7).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized incomplete beta function `I_x(a, b)` (continued fraction).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(b, a, 1.0 - x);
    }
    // Lentz's algorithm for the continued fraction.
    let tiny = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        for n in [
            num,
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + n * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + n / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * h / a
}

/// Cumulative distribution of Student's t with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// Quantile `p` (0-1) of Student's t with `df` degrees of freedom.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) || df <= 0.0 {
        return f64::NAN;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
        if hi > 1e12 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df) < p {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

/// Mean with a two-sided `level` (e.g. 0.95) t confidence interval:
/// `(mean, low, high)`; the interval is `NaN` below two values.
pub fn mean_ci(v: &[f64], level: f64) -> (f64, f64, f64) {
    let m = mean(v);
    if v.len() < 2 {
        return (m, f64::NAN, f64::NAN);
    }
    let half = student_t_quantile(0.5 + level / 2.0, (v.len() - 1) as f64) * sd(v)
        / (v.len() as f64).sqrt();
    (m, m - half, m + half)
}

#[cfg(test)]
mod tests {
    #[test]
    fn t_quantiles_match_tables() {
        for (df, q) in [
            (1.0, 12.706),
            (2.0, 4.303),
            (9.0, 2.262),
            (30.0, 2.042),
            (1000.0, 1.962),
        ] {
            let got = student_t_quantile(0.975, df);
            assert!((got - q).abs() < 1e-3, "df {df}: {got} vs {q}");
        }
        assert!((student_t_cdf(0.0, 5.0) - 0.5).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24.0_f64.ln()).abs() < 1e-10);
        let (m, lo, hi) = mean_ci(&[1.0, 2.0, 3.0, 4.0], 0.95);
        assert_eq!(m, 2.5);
        assert!((hi - lo - 2.0 * 3.182 * (5.0_f64 / 3.0).sqrt() / 2.0).abs() < 1e-2);
    }

    use super::*;
    use rand::RngExt;

    #[test]
    fn quantiles_match_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert!((quantile(&v, 0.05) - 1.15).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(
            sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            (32.0_f64 / 7.0).sqrt()
        );
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9986).abs() < 1e-3);
    }

    #[test]
    fn kaplan_meier_matches_a_hand_computed_curve() {
        // Times 1, 2+ (censored), 3, 4 with no delayed entry:
        // S(1)=3/4, S(3)=3/4*1/2=3/8, S(4)=0.
        let o = |exit, event| Observation {
            entry: 0.0,
            exit,
            event,
        };
        let km = kaplan_meier(&[o(1.0, true), o(2.0, false), o(3.0, true), o(4.0, true)]);
        assert_eq!(km.steps, vec![(1.0, 0.75), (3.0, 0.375), (4.0, 0.0)]);
        assert_eq!(km.median(), Some(3.0));
        assert_eq!(km.at(2.0), 0.75);
    }

    #[test]
    fn delayed_entry_removes_the_bias_of_long_spells() {
        // Exponential spells with mean 10, observed only if still running at
        // a window start: without delayed entry the median would be biased up.
        let mut rng = crate::model::rng::from_u64(4);
        let mut obs = vec![];
        for _ in 0..20_000 {
            let start: f64 = rng.random::<f64>() * -60.0;
            let len = -10.0 * rng.random::<f64>().max(1e-12).ln();
            let end = start + len;
            if end < 0.0 {
                continue;
            }
            let entry = -start;
            let (exit, event) = if end > 30.0 {
                (30.0 - start, false)
            } else {
                (len, true)
            };
            obs.push(Observation { entry, exit, event });
        }
        let med = kaplan_meier(&obs).median().unwrap();
        assert!(
            (med - 10.0 * std::f64::consts::LN_2).abs() < 0.4,
            "median {med}"
        );
        let (k, scale) = weibull_fit(&obs).unwrap();
        assert!(
            (k - 1.0).abs() < 0.05 && (scale - 10.0).abs() < 0.5,
            "{k} {scale}"
        );
    }

    #[test]
    fn weibull_fit_recovers_a_falling_hazard() {
        let mut rng = crate::model::rng::from_u64(8);
        let obs: Vec<Observation> = (0..20_000)
            .map(|_| {
                let t = 40.0 * (-rng.random::<f64>().max(1e-12).ln()).powf(1.0 / 0.7);
                if t > 200.0 {
                    Observation {
                        entry: 0.0,
                        exit: 200.0,
                        event: false,
                    }
                } else {
                    Observation {
                        entry: 0.0,
                        exit: t,
                        event: true,
                    }
                }
            })
            .collect();
        let (k, s) = weibull_fit(&obs).unwrap();
        assert!((k - 0.7).abs() < 0.03 && (s - 40.0).abs() < 2.0, "{k} {s}");
    }
}
