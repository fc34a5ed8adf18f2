//! The computations behind the pattern metrics: relationships the model
//! must reproduce by its mechanisms (not tuned to): who loses a CEO, what a
//! CEO change does (a matched event study), the regulator's ratings and
//! their persistence, the mortality ratio, the staff survey, board
//! vacancies and whether the baseline is stationary.

use super::window::{Window, mean_over_years};
use crate::model::{Rating, TrustMonth, TrustType};
use crate::stats::{self, Observation};

fn share(v: impl Iterator<Item = bool>) -> f64 {
    let (mut yes, mut n) = (0usize, 0usize);
    for b in v {
        yes += usize::from(b);
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        yes as f64 / n as f64
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Per trust and year: whether a CEO or interim spell started in it.
pub fn changes(w: &Window) -> Vec<Vec<bool>> {
    let years = w.years();
    let mut changed = vec![vec![false; years]; w.trusts];
    for s in w.starts() {
        let y = ((s.start_month - w.first as i32) / 12) as usize;
        if y < years {
            changed[s.trust_id as usize][y] = true;
        }
    }
    changed
}

/// Per trust and year: whether a permanent CEO left during it.
fn permanent_exits(w: &Window) -> Vec<Vec<bool>> {
    let years = w.years();
    let mut left = vec![vec![false; years]; w.trusts];
    for s in w.exits().filter(|s| !s.interim) {
        // Left during the month after its last month in post.
        let y = ((s.end_month + 1 - w.first as i32) / 12) as usize;
        if y < years {
            left[s.trust_id as usize][y] = true;
        }
    }
    left
}

/// The record of each trust in the first month of each year.
fn year_starts<'a>(w: &'a Window) -> Vec<Vec<Option<&'a TrustMonth>>> {
    (0..w.trusts as u32)
        .map(|t| {
            (0..w.years())
                .map(|y| w.at(t, w.first + 12 * y as u32))
                .collect()
        })
        .collect()
}

/// Annual CEO change rate among trust-years that began with a status for
/// which `status` holds.
pub fn change_rate_where(w: &Window, status: impl Fn(&TrustMonth) -> bool) -> f64 {
    let changed = changes(w);
    let starts = year_starts(w);
    let mut v = vec![];
    for (t, years) in starts.iter().enumerate() {
        for (y, m) in years.iter().enumerate() {
            if let Some(m) = m
                && status(m)
            {
                v.push(changed[t][y]);
            }
        }
    }
    share(v.into_iter())
}

/// Change rate of trust-years starting rated inadequate over that of those
/// starting rated good or outstanding.
pub fn change_ratio_inadequate(w: &Window) -> f64 {
    ratio(
        change_rate_where(w, |m| m.rating == Rating::Inadequate),
        change_rate_where(w, |m| m.rating <= Rating::Good),
    )
}

/// Interim share of trust-months in special measures over the interim
/// share of all trust-months.
pub fn interim_ratio_special_measures(w: &Window) -> f64 {
    ratio(
        share(
            w.rows
                .iter()
                .filter(|m| m.oversight_level == 4)
                .map(|m| m.interim),
        ),
        share(w.rows.iter().map(|m| m.interim)),
    )
}

fn is_acute(w: &Window, t: u32) -> bool {
    w.at(t, w.first)
        .is_some_and(|m| m.trust_type == TrustType::Acute)
}

/// Over 60-month blocks, the share of acute trusts whose CEOs (interims
/// included) numbered `accept`.
pub fn ceos_in_five_years(w: &Window, accept: impl Fn(usize) -> bool) -> f64 {
    ceos_in_blocks(w, 60, true, accept)
}

/// Over consecutive blocks of `months` months from the window's start, the
/// share of trusts (acute trusts only if `acute_only`) whose CEOs in post at
/// the months' ends (interims included) numbered `accept`.
pub fn ceos_in_blocks(
    w: &Window,
    months: u32,
    acute_only: bool,
    accept: impl Fn(usize) -> bool,
) -> f64 {
    share(
        ceo_counts_in_blocks(w, months, acute_only)
            .into_iter()
            .map(|b| accept(b.ceos)),
    )
}

/// One trust over one block of months.
struct Block {
    trust: u32,
    /// The block's last month.
    last: u32,
    /// CEOs in post at the months' ends, interims included.
    ceos: usize,
}

/// The CEOs of each trust (acute trusts only if `acute_only`) over
/// consecutive blocks of `months` months from the window's start.
fn ceo_counts_in_blocks(w: &Window, months: u32, acute_only: bool) -> Vec<Block> {
    let mut v = vec![];
    let mut start = w.first;
    while months > 0 && start + months - 1 <= w.last {
        for t in (0..w.trusts as u32).filter(|&t| !acute_only || is_acute(w, t)) {
            let mut ids: Vec<u64> = (start..start + months)
                .filter_map(|m| w.at(t, m).map(|r| r.ceo_id))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            v.push(Block {
                trust: t,
                last: start + months - 1,
                ceos: ids.len(),
            });
        }
        start += months;
    }
    v
}

/// Over 36-month blocks, the share of trusts rated requires improvement or
/// inadequate at the block's end among those that had three or more CEOs
/// (interims included) in it, over that share among those that had one.
pub fn ri_or_worse_ratio_churned_vs_stable(w: &Window) -> f64 {
    let blocks = ceo_counts_in_blocks(w, 36, false);
    let ri_or_worse = |keep: fn(usize) -> bool| {
        share(
            blocks
                .iter()
                .filter(|b| keep(b.ceos))
                .filter_map(|b| w.at(b.trust, b.last))
                .map(|m| m.rating >= Rating::RequiresImprovement),
        )
    };
    ratio(ri_or_worse(|n| n >= 3), ri_or_worse(|n| n == 1))
}

/// At each year end, the median time in post (years) of the permanent CEOs
/// in post at every trust, averaged over the years.
pub fn sitting_ceo_median_years(w: &Window) -> f64 {
    year_end_median_tenure(w, |m| !m.interim)
}

/// At each year end, the median time in post (years) of the CEOs, interim
/// or permanent, of the trusts whose published rating is `rating`, averaged
/// over the years that have any.
pub fn rated_ceo_median_years(w: &Window, rating: Rating) -> f64 {
    year_end_median_tenure(w, |m| m.rating == rating)
}

fn year_end_median_tenure(w: &Window, keep: impl Fn(&TrustMonth) -> bool) -> f64 {
    let medians: Vec<f64> = w
        .year_ends()
        .filter_map(|end| {
            let t: Vec<f64> = w
                .rows
                .iter()
                .filter(|m| m.month == end && keep(m))
                .map(|m| f64::from(m.ceo_tenure_months) / 12.0)
                .collect();
            (!t.is_empty()).then(|| stats::quantile(&stats::sorted(&t), 0.5))
        })
        .collect();
    stats::mean(&medians)
}

/// Share of the permanent CEOs of acute trusts in the window's first month
/// whose time in post (months) satisfies `accept`: a snapshot, as the
/// survey of October 2013 took it.
pub fn snapshot_time_in_post_share(w: &Window, accept: impl Fn(u32) -> bool) -> f64 {
    snapshot_time_in_post_share_of(w, &[TrustType::Acute], accept)
}

/// In the window's first month, the share of the permanent CEOs of trusts
/// of the given types whose time in post (months) satisfies `accept`.
pub fn snapshot_time_in_post_share_of(
    w: &Window,
    kinds: &[TrustType],
    accept: impl Fn(u32) -> bool,
) -> f64 {
    share(snapshot_of(w, kinds).map(|m| accept(m.ceo_tenure_months)))
}

/// The permanent CEOs of acute trusts in the window's first month: the
/// survey's snapshot.
fn snapshot<'a>(w: &'a Window) -> impl Iterator<Item = &'a TrustMonth> + 'a {
    snapshot_of(w, &[TrustType::Acute])
}

/// The permanent CEOs of trusts of the given types in the window's first
/// month.
fn snapshot_of<'a>(
    w: &'a Window,
    kinds: &'a [TrustType],
) -> impl Iterator<Item = &'a TrustMonth> + 'a {
    w.rows
        .iter()
        .filter(move |m| m.month == w.first && !m.interim && kinds.contains(&m.trust_type))
}

/// Maximum-likelihood Weibull shape of the time in post (months, plus half
/// a month) of the permanent CEOs of acute trusts in the window's first
/// month: a snapshot fitted as a sample of durations, as the survey was.
pub fn time_in_post_weibull_shape(w: &Window) -> f64 {
    let obs: Vec<Observation> = snapshot(w)
        .map(|m| Observation {
            entry: 0.0,
            exit: f64::from(m.ceo_tenure_months) + 0.5,
            event: true,
        })
        .collect();
    stats::weibull_fit(&obs).map_or(f64::NAN, |(k, _)| k)
}

/// At year ends, the share of permanent sitting CEOs of acute trusts whose
/// time in post satisfies `accept` (months).
pub fn sitting_ceo_share(w: &Window, accept: impl Fn(u32) -> bool) -> f64 {
    let ends: Vec<u32> = w.year_ends().collect();
    share(
        w.rows
            .iter()
            .filter(|m| ends.contains(&m.month) && !m.interim && m.trust_type == TrustType::Acute)
            .map(|m| accept(m.ceo_tenure_months)),
    )
}

/// Executive vacancy share of trust-months rated inadequate over that of
/// those rated good or outstanding.
pub fn exec_vacancy_ratio(w: &Window) -> f64 {
    let mean_where = |f: &dyn Fn(&TrustMonth) -> bool| {
        let v: Vec<f64> = w
            .rows
            .iter()
            .filter(|m| f(m))
            .map(|m| m.exec_vacancy_share)
            .collect();
        stats::mean(&v)
    };
    ratio(
        mean_where(&|m| m.rating == Rating::Inadequate),
        mean_where(&|m| m.rating <= Rating::Good),
    )
}

/// At year ends, the share of substantive executives in post who were
/// appointed in the preceding 12 months.
pub fn execs_appointed_last_year(w: &Window) -> f64 {
    let ends: Vec<i32> = w.year_ends().map(|m| m as i32).collect();
    share(w.exec_spells.iter().filter(|s| !s.interim).flat_map(|s| {
        ends.iter()
            .filter(move |&&e| s.start_month <= e && e <= s.end_month)
            .map(move |&e| s.start_month > e - 12)
    }))
}

/// Standardised annual means of one outcome: `[trust][year]`, with the
/// pooled SD across trusts used to standardise.
fn standardised_years(w: &Window, f: fn(&TrustMonth) -> f64) -> (Vec<Vec<f64>>, f64) {
    let by_trust = w.trust_years(f);
    let years = w.years();
    let sds: Vec<f64> = (0..years)
        .map(|y| stats::sd(&by_trust.iter().map(|t| t[y]).collect::<Vec<_>>()))
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect();
    (by_trust, stats::mean(&sds))
}

/// The matched difference-in-differences of a CEO exit, as the
/// quasi-experimental NHS study designs it: an event is a trust-year `t`
/// in which a permanent CEO left, with no exit in the two years before nor
/// in the year after; controls are up to three trusts of the same type
/// with no exit in `t-2..=t+1`, nearest in size; the outcome is the change
/// of the annual mean from `t-1` to `t+1`, in standard deviations across
/// trusts.
pub fn ceo_exit_event_study(w: &Window, f: fn(&TrustMonth) -> f64) -> f64 {
    let years = w.years();
    if years < 4 {
        return f64::NAN;
    }
    let exits = permanent_exits(w);
    let (y, sd) = standardised_years(w, f);
    let info: Vec<Option<(TrustType, u32)>> = (0..w.trusts as u32)
        .map(|t| w.at(t, w.first).map(|m| (m.trust_type, m.establishment)))
        .collect();
    let quiet = |t: usize, from: usize, to: usize| (from..=to).all(|k| !exits[t][k]);
    let mut did = vec![];
    for t in 2..years - 1 {
        for i in 0..w.trusts {
            if !exits[i][t] || !quiet(i, t - 2, t - 1) || exits[i][t + 1] {
                continue;
            }
            let Some((kind, size)) = info[i] else {
                continue;
            };
            let mut controls: Vec<(u32, usize)> = (0..w.trusts)
                .filter(|&j| j != i && quiet(j, t - 2, t + 1))
                .filter_map(|j| {
                    let (k, s) = info[j]?;
                    (k == kind).then_some((s.abs_diff(size), j))
                })
                .collect();
            controls.sort_unstable();
            controls.truncate(3);
            if controls.is_empty() {
                continue;
            }
            let change = |k: usize| y[k][t + 1] - y[k][t - 1];
            let c: Vec<f64> = controls.iter().map(|&(_, j)| change(j)).collect();
            did.push(change(i) - stats::mean(&c));
        }
    }
    let did: Vec<f64> = did.into_iter().filter(|x| x.is_finite()).collect();
    stats::mean(&did) / sd
}

/// Quality of trusts in the 12 months before each permanent CEO exit,
/// relative to all trusts over the same months, in SD across trusts
/// (negative: exits follow poor performance).
pub fn quality_before_exits(w: &Window) -> f64 {
    let mut gaps = vec![];
    for s in w
        .exits()
        .filter(|s| !s.interim && s.end_month >= w.first as i32 + 11)
    {
        let last = s.end_month as u32;
        let (mut own, mut all) = (vec![], vec![]);
        for m in last - 11..=last {
            if let Some(r) = w.at(s.trust_id, m) {
                own.push(r.quality_index);
            }
            let month: Vec<f64> = (0..w.trusts as u32)
                .filter_map(|t| w.at(t, m).map(|r| r.quality_index))
                .collect();
            all.push((stats::mean(&month), stats::sd(&month)));
        }
        let mean_all = stats::mean(&all.iter().map(|a| a.0).collect::<Vec<_>>());
        let sd_all = stats::mean(&all.iter().map(|a| a.1).collect::<Vec<_>>());
        if sd_all > 0.0 {
            gaps.push((stats::mean(&own) - mean_all) / sd_all);
        }
    }
    stats::mean(&gaps)
}

/// Share of trust-months whose published rating is the same 12 months later.
pub fn rating_unchanged_after_a_year(w: &Window) -> f64 {
    share(w.rows.iter().filter_map(|m| {
        w.at(m.trust_id, m.month + 12)
            .map(|later| later.rating == m.rating)
    }))
}

/// Share of inspections whose rating of domain `d` satisfies `accept`.
pub fn domain_share(w: &Window, d: usize, accept: impl Fn(Rating) -> bool) -> f64 {
    share(w.inspections.iter().map(|i| accept(i.domains[d])))
}

/// Mean length in months of completed spells in special measures.
pub fn special_measures_months(w: &Window) -> f64 {
    let mut lengths = vec![];
    for t in 0..w.trusts as u32 {
        let mut run: Option<u32> = None;
        let mut seen_out = false;
        for m in w.first..=w.last {
            let Some(r) = w.at(t, m) else { continue };
            match (r.oversight_level == 4, run) {
                (true, None) if seen_out => run = Some(m),
                (true, _) => {}
                (false, Some(s)) => {
                    lengths.push(f64::from(m - s));
                    run = None;
                }
                (false, None) => {}
            }
            seen_out |= r.oversight_level != 4;
        }
    }
    stats::mean(&lengths)
}

/// Per acute trust and year: (annual mean of `f`, published mortality ratio
/// at the year's end), for the years both exist.
fn acute_year_pairs(w: &Window, f: fn(&TrustMonth) -> f64) -> Vec<Vec<(f64, f64)>> {
    let means = w.trust_years(f);
    w.year_ends()
        .enumerate()
        .map(|(y, end)| {
            (0..w.trusts as u32)
                .filter_map(|t| {
                    let r = w.at(t, end)?;
                    (r.trust_type == TrustType::Acute && r.mortality_ratio.is_finite())
                        .then(|| (means[t as usize][y], r.mortality_ratio))
                })
                .collect()
        })
        .collect()
}

/// Mean over years of the correlation across acute trusts between the
/// annual mean of `f` and the published mortality ratio.
pub fn correlation_with_mortality(w: &Window, f: fn(&TrustMonth) -> f64) -> f64 {
    let rs: Vec<f64> = acute_year_pairs(w, f)
        .iter()
        .map(|pairs| {
            let (a, b): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
            stats::correlation(&a, &b)
        })
        .filter(|r| r.is_finite())
        .collect();
    stats::mean(&rs)
}

/// Mean over years of the SD across acute trusts of the published ratio.
pub fn mortality_sd(w: &Window) -> f64 {
    let sds: Vec<f64> = acute_year_pairs(w, |m| m.engagement)
        .iter()
        .map(|pairs| stats::sd(&pairs.iter().map(|p| p.1).collect::<Vec<_>>()))
        .filter(|s| s.is_finite())
        .collect();
    stats::mean(&sds)
}

/// Mean correlation across acute trusts of the published ratio at
/// consecutive year ends.
pub fn mortality_year_correlation(w: &Window) -> f64 {
    let ends: Vec<u32> = w.year_ends().collect();
    let rs: Vec<f64> = ends
        .windows(2)
        .map(|e| {
            let (a, b): (Vec<f64>, Vec<f64>) = (0..w.trusts as u32)
                .filter_map(|t| {
                    let (x, y) = (w.at(t, e[0])?, w.at(t, e[1])?);
                    (x.mortality_ratio.is_finite() && y.mortality_ratio.is_finite())
                        .then_some((x.mortality_ratio, y.mortality_ratio))
                })
                .unzip();
            stats::correlation(&a, &b)
        })
        .filter(|r| r.is_finite())
        .collect();
    stats::mean(&rs)
}

/// Per acute trust and year, the annual mean of `f` (the staff-survey
/// evidence is for acute trusts).
fn acute_trust_years(w: &Window, f: fn(&TrustMonth) -> f64) -> Vec<Vec<f64>> {
    let mut acute = vec![false; w.trusts];
    for r in w.rows {
        acute[r.trust_id as usize] = r.trust_type == TrustType::Acute;
    }
    w.trust_years(f)
        .into_iter()
        .zip(acute)
        .filter_map(|(t, a)| a.then_some(t))
        .collect()
}

/// Mean over years of the SD across acute trusts of the annual mean of `f`.
pub fn sd_between_acute_trusts(w: &Window, f: fn(&TrustMonth) -> f64) -> f64 {
    let by_trust = acute_trust_years(w, f);
    let sds: Vec<f64> = (0..w.years())
        .map(|y| stats::sd(&by_trust.iter().map(|t| t[y]).collect::<Vec<_>>()))
        .filter(|s| s.is_finite())
        .collect();
    stats::mean(&sds)
}

/// Mean over years of the correlation across acute trusts of the annual
/// means of `f` and `g`.
pub fn correlation_between_acute_trusts(
    w: &Window,
    f: fn(&TrustMonth) -> f64,
    g: fn(&TrustMonth) -> f64,
) -> f64 {
    let (a, b) = (acute_trust_years(w, f), acute_trust_years(w, g));
    let rs: Vec<f64> = (0..w.years())
        .map(|y| {
            let x: Vec<f64> = a.iter().map(|t| t[y]).collect();
            let z: Vec<f64> = b.iter().map(|t| t[y]).collect();
            stats::correlation(&x, &z)
        })
        .filter(|r| r.is_finite())
        .collect();
    stats::mean(&rs)
}

/// Least-squares slope per year of a yearly national series.
fn slope_per_year(series: &[f64]) -> f64 {
    let pts: Vec<(f64, f64)> = series
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| (i as f64, *v))
        .collect();
    if pts.len() < 2 {
        return f64::NAN;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

/// Drift per year of a national annual mean (weighted by `weight`).
pub fn drift(w: &Window, f: fn(&TrustMonth) -> f64, weight: fn(&TrustMonth) -> f64) -> f64 {
    let years = w.years();
    let series: Vec<f64> = (0..years)
        .map(|y| {
            let from = w.first + 12 * y as u32;
            let rows = w
                .rows
                .iter()
                .filter(|m| m.month >= from && m.month < from + 12);
            let (mut s, mut n) = (0.0, 0.0);
            for m in rows {
                s += f(m) * weight(m);
                n += weight(m);
            }
            if n > 0.0 { s / n } else { f64::NAN }
        })
        .collect();
    slope_per_year(&series)
}

/// The winter-over-summer ratio of a national mean (weighted by `weight`):
/// December to February over June to August, pooled over the window's
/// years.
pub fn winter_over_summer(
    w: &Window,
    f: fn(&TrustMonth) -> f64,
    weight: fn(&TrustMonth) -> f64,
) -> f64 {
    let mean_in = |months: [u32; 3]| {
        let (mut s, mut n) = (0.0, 0.0);
        for m in w.rows.iter().filter(|m| months.contains(&m.date.month())) {
            s += f(m) * weight(m);
            n += weight(m);
        }
        if n > 0.0 { s / n } else { f64::NAN }
    };
    ratio(mean_in([12, 1, 2]), mean_in([6, 7, 8]))
}

/// Drift per year of the share of trusts in deficit over the year.
pub fn deficit_drift(w: &Window) -> f64 {
    let by_trust = w.trust_years(|m| m.surplus_share);
    let series: Vec<f64> = (0..w.years())
        .map(|y| share(by_trust.iter().map(|t| t[y] < 0.0)))
        .collect();
    slope_per_year(&series)
}

/// Whether each sitting permanent CEO at the window's year ends is in a
/// first CEO post (appointed first-time, internal appointees included),
/// with whether the trust is among the largest fifth by establishment.
fn sitting_first_time(w: &Window) -> Vec<(bool, bool)> {
    let mut sizes: Vec<u32> = (0..w.trusts as u32)
        .filter_map(|t| w.at(t, w.first).map(|m| m.establishment))
        .collect();
    sizes.sort_unstable();
    let Some(&cut) = sizes.get(sizes.len() * 4 / 5) else {
        return Vec::new();
    };
    let first_time: std::collections::BTreeMap<(u32, u64), bool> = w
        .spells
        .iter()
        .filter(|s| !s.interim)
        .map(|s| ((s.trust_id, s.ceo_id), s.first_time))
        .collect();
    let ends: Vec<u32> = w.year_ends().collect();
    w.rows
        .iter()
        .filter(|m| ends.contains(&m.month) && !m.interim)
        .filter_map(|m| {
            let ft = *first_time.get(&(m.trust_id, m.ceo_id))?;
            Some((m.establishment >= cut, ft))
        })
        .collect()
}

/// At year ends, the share of sitting permanent CEOs in a first CEO post.
pub fn first_time_in_post_share(w: &Window) -> f64 {
    share(sitting_first_time(w).into_iter().map(|(_, ft)| ft))
}

/// At year ends, the share of sitting permanent CEOs in a first CEO post at
/// the largest fifth of trusts (by establishment) over the share at all
/// trusts (CEOs move up to bigger trusts).
pub fn first_time_ratio_largest(w: &Window) -> f64 {
    let sitting = sitting_first_time(w);
    ratio(
        share(
            sitting
                .iter()
                .filter(|(large, _)| *large)
                .map(|(_, ft)| *ft),
        ),
        share(sitting.iter().map(|(_, ft)| *ft)),
    )
}

/// Mean of `f` over the trust-months of trusts of type `kind`, weighted
/// by staff in post (`per_post`: by establishment).
pub fn type_mean(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> f64, per_post: bool) -> f64 {
    let (mut s, mut n) = (0.0, 0.0);
    for m in w.rows.iter().filter(|m| m.trust_type == kind) {
        let wt = f64::from(if per_post {
            m.establishment
        } else {
            m.staff_in_post
        });
        s += f(m) * wt;
        n += wt;
    }
    if n > 0.0 { s / n } else { f64::NAN }
}

/// Vacancy rate (weighted by establishment) of London's trusts over that of
/// all trusts (NaN without register trusts in London).
pub fn vacancy_ratio_london(w: &Window) -> f64 {
    let mut london = vec![false; w.trusts];
    for r in w.records {
        if let Some(x) = london.get_mut(r.trust_id as usize) {
            *x = r
                .region
                .as_deref()
                .is_some_and(crate::model::params::is_london);
        }
    }
    let post = |m: &TrustMonth| f64::from(m.establishment);
    let in_london = |m: &TrustMonth| london.get(m.trust_id as usize).copied().unwrap_or(false);
    let london_rate = w.weighted(
        |m| m.vacancy_rate,
        |m| if in_london(m) { post(m) } else { 0.0 },
    );
    ratio(london_rate, w.per_post(|m| m.vacancy_rate))
}

/// Share of the trust-months of type `kind` for which `f` holds.
pub fn type_share(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> bool) -> f64 {
    share(w.rows.iter().filter(|m| m.trust_type == kind).map(f))
}

/// The annual means of `f` (`[trust][year]`) of the trusts of type `kind`.
fn type_years(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> f64) -> Vec<Vec<f64>> {
    let of_kind: Vec<bool> = (0..w.trusts as u32)
        .map(|t| w.at(t, w.first).is_some_and(|m| m.trust_type == kind))
        .collect();
    w.trust_years(f)
        .into_iter()
        .zip(of_kind)
        .filter_map(|(y, k)| k.then_some(y))
        .collect()
}

/// Per year, the standard deviation across trusts of type `kind` of their
/// annual means of `f`; mean over years.
pub fn sd_between_trusts(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> f64) -> f64 {
    mean_over_years(&type_years(w, kind, f), |y, _| stats::sd(y))
}

/// Per year, the highest annual mean of `f` across trusts of type `kind`
/// over the mean across them; mean over years.
pub fn max_over_mean_between_trusts(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> f64) -> f64 {
    mean_over_years(&type_years(w, kind, f), |y, _| {
        y.iter().copied().fold(f64::NAN, f64::max) / stats::mean(y)
    })
}

/// Per year, the coefficient of variation (SD over mean) across trusts of
/// the given types of their annual means of `f`; mean over years.
pub fn cv_between_trusts(w: &Window, kinds: &[TrustType], f: fn(&TrustMonth) -> f64) -> f64 {
    let mut by_trust = Vec::new();
    for &k in kinds {
        by_trust.extend(type_years(w, k, f));
    }
    mean_over_years(&by_trust, |y, _| stats::sd(y) / stats::mean(y))
}

/// Per year, the correlation across trusts of type `kind` of their annual
/// means of `f` with the year before's; mean over years (persistence).
pub fn year_on_year_correlation(w: &Window, kind: TrustType, f: fn(&TrustMonth) -> f64) -> f64 {
    mean_over_years(&type_years(w, kind, f), |y, prev| {
        prev.map_or(f64::NAN, |p| stats::correlation(p, y))
    })
}

#[cfg(test)]
mod season_tests {
    use crate::metrics::Window;
    use crate::model::run_replication;

    /// Winter over summer national sickness, the mean of 16 replications
    /// of 20 drawn trusts at 2 % of staff over five years. (One replication
    /// varies too much to show a ratio of one: with no seasons, twelve gave
    /// 0.92 to 1.11, a standard deviation of about 0.05; the mean of 16 has
    /// one of about 0.013.)
    fn winter_over_summer(strength: f64) -> f64 {
        let p = crate::model::params::edited(|r| {
            r.run.staff_scale = 0.02;
            r.run.months = 60;
            r.run.burn_in_months = 24;
            r.trusts.acute.count = 12;
            r.trusts.mental_health.count = 5;
            r.trusts.community.count = 2;
            r.trusts.ambulance.count = 1;
            r.seasons.strength = strength;
        });
        let reps = 16;
        let sum: f64 = (0..reps)
            .map(|rep| {
                let r = run_replication(&p, rep);
                let w = Window::new(&r, 1..=60);
                super::winter_over_summer(&w, |m| m.sickness_rate, |m| f64::from(m.staff_in_post))
            })
            .sum();
        sum / f64::from(reps)
    }

    #[test]
    fn winter_raises_sickness_and_seasons_off_removes_it() {
        let on = winter_over_summer(1.0);
        assert!((1.12..1.32).contains(&on), "{on}");
        let off = winter_over_summer(0.0);
        assert!((off - 1.0).abs() < 0.04, "{off}");
    }
}

#[cfg(test)]
mod difference_tests {
    use super::*;
    use crate::model::TrustType::{Acute, Ambulance};
    use crate::model::run_replication;

    /// A small replication whose workforce values are then set by hand.
    fn replication() -> crate::model::ReplicationResult {
        let p = crate::model::params::edited(|r| {
            r.run.staff_scale = 0.01;
            r.run.months = 36;
            r.run.burn_in_months = 12;
            r.trusts.acute.count = 4;
            r.trusts.mental_health.count = 2;
            r.trusts.community.count = 1;
            r.trusts.ambulance.count = 1;
        });
        let mut r = run_replication(&p, 0);
        for m in &mut r.trust_months {
            m.sickness_rate = match m.trust_type {
                Acute => 0.04,
                Ambulance => 0.06,
                _ => 0.05,
            };
            m.vacancy_rate = if m.trust_id == 0 { 0.12 } else { 0.06 };
            // Trust i leaves at (i + 1) % a month, every year alike.
            m.leaver_rate = 0.01 * f64::from(m.trust_id + 1);
        }
        for t in &mut r.trusts {
            t.region = Some(
                if t.trust_id == 0 {
                    "London"
                } else {
                    "North West"
                }
                .into(),
            );
        }
        r
    }

    #[test]
    fn differences_between_types_and_trusts_are_measured_as_documented() {
        let mut r = replication();
        let w = Window::horizon(&r);
        let sick = |m: &TrustMonth| m.sickness_rate;
        let ratio = type_mean(&w, Ambulance, sick, false) / type_mean(&w, Acute, sick, false);
        assert!((ratio - 1.5).abs() < 1e-12, "{ratio}");
        // London's vacancy rate over the national one, weighted by establishment.
        let est = |t: u32| f64::from(w.at(t, 1).unwrap().establishment);
        let total: f64 = (0..8).map(est).sum();
        let national = (0.12 * est(0) + 0.06 * (total - est(0))) / total;
        assert!((vacancy_ratio_london(&w) - 0.12 / national).abs() < 1e-12);
        // Spread and persistence among the four acute trusts (ids 0-3).
        let leave = |m: &TrustMonth| m.leaver_rate;
        let sd = stats::sd(&[0.01, 0.02, 0.03, 0.04]);
        assert!((sd_between_trusts(&w, Acute, leave) - sd).abs() < 1e-12);
        assert!((year_on_year_correlation(&w, Acute, leave) - 1.0).abs() < 1e-12);
        let cv = sd / 0.025;
        assert!((cv_between_trusts(&w, &[Acute], leave) - cv).abs() < 1e-12);
        let top = 0.04 / 0.025;
        assert!((max_over_mean_between_trusts(&w, Acute, leave) - top).abs() < 1e-12);
        // Without London's trusts there is no ratio.
        for t in &mut r.trusts {
            t.region = None;
        }
        assert!(vacancy_ratio_london(&Window::horizon(&r)).is_nan());
    }

    #[test]
    fn ceos_are_counted_over_blocks_of_months() {
        let mut r = replication();
        // One CEO per trust throughout, then a new one every 12 months.
        for m in &mut r.trust_months {
            m.ceo_id = u64::from(m.trust_id);
        }
        let w = Window::horizon(&r);
        assert_eq!(ceos_in_blocks(&w, 36, false, |n| n == 1), 1.0);
        for m in &mut r.trust_months {
            m.ceo_id = u64::from(m.trust_id) * 1_000 + u64::from((m.month - 1) / 12);
        }
        let w = Window::horizon(&r);
        assert_eq!(ceos_in_blocks(&w, 36, false, |n| n == 3), 1.0);
        assert_eq!(ceos_in_blocks(&w, 24, true, |n| n == 2), 1.0);
        // A block longer than the window counts nothing.
        assert!(ceos_in_blocks(&w, 48, false, |_| true).is_nan());
    }

    #[test]
    fn ceos_in_a_first_post_are_counted_among_those_in_post() {
        let mut r = replication();
        for s in &mut r.spells {
            s.first_time = true;
        }
        let w = Window::horizon(&r);
        assert_eq!(first_time_in_post_share(&w), 1.0);
        assert_eq!(first_time_ratio_largest(&w), 1.0);
        for s in &mut r.spells {
            s.first_time = false;
        }
        let w = Window::horizon(&r);
        assert_eq!(first_time_in_post_share(&w), 0.0);
        assert!(first_time_ratio_largest(&w).is_nan());
    }
}
