//! A window of reported months of one replication, and the reductions the
//! metrics are made of: weighted means over trust-months, per trust and
//! year means, and the CEO spells observed in the window.

use std::ops::RangeInclusive;

use super::Period;
use crate::model::calendar::YearMonth;
use crate::model::records::{ExecSpell, InspectionRecord, TrustRecord};
use crate::model::{CeoSpell, ReplicationResult, TrustMonth};
use crate::stats::{self, Observation};

/// The records of reported months `months` of one replication.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub first: u32,
    pub last: u32,
    /// Trust-months of the window (a contiguous slice: records are stored
    /// month by month).
    pub rows: &'a [TrustMonth],
    /// Every spell of the replication (filter with the window's bounds).
    pub spells: &'a [CeoSpell],
    /// Every executive spell of the replication.
    pub exec_spells: &'a [ExecSpell],
    /// Every inspection published in the reported horizon.
    pub inspections: &'a [InspectionRecord],
    /// Trusts in the replication.
    pub trusts: usize,
    /// Who each trust is (code, name, type, region), by trust id.
    pub records: &'a [TrustRecord],
}

impl<'a> Window<'a> {
    /// The window of months `months` (clipped to what was recorded).
    pub fn new(r: &'a ReplicationResult, months: RangeInclusive<u32>) -> Self {
        let (first, last) = (*months.start(), *months.end());
        let rows = &r.trust_months;
        let lo = rows.partition_point(|m| m.month < first);
        let hi = rows.partition_point(|m| m.month <= last);
        Window {
            first,
            last,
            rows: &rows[lo..hi.max(lo)],
            spells: &r.spells,
            exec_spells: &r.exec_spells,
            inspections: &r.inspections,
            trusts: rows
                .iter()
                .map(|m| m.trust_id as usize + 1)
                .max()
                .unwrap_or(0),
            records: &r.trusts,
        }
    }

    /// The whole reported horizon.
    pub fn horizon(r: &'a ReplicationResult) -> Self {
        let last = r.trust_months.last().map_or(0, |m| m.month);
        Window::new(r, 1..=last)
    }

    /// The months of this window that fall in `period`, if the window
    /// covers all of it (`None` otherwise: a run of other years).
    pub fn dated(&self, period: Period) -> Option<Window<'a>> {
        let first = self.rows.first()?;
        let month_of = |(y, m): (i32, u32)| {
            let date = YearMonth::new(y, m)?;
            i64::from(first.month).checked_add(date.months_since(first.date))
        };
        let (from, to) = (month_of(period.from)?, month_of(period.to)?);
        if from < i64::from(self.first) || to > i64::from(self.last) || from > to {
            return None;
        }
        let (from, to) = (from as u32, to as u32);
        let lo = self.rows.partition_point(|m| m.month < from);
        let hi = self.rows.partition_point(|m| m.month <= to);
        Some(Window {
            first: from,
            last: to,
            rows: &self.rows[lo..hi],
            ..*self
        })
    }

    /// The last 12 months of this window (all of it if shorter).
    pub fn final_year(&self) -> Window<'a> {
        let first = self.last.saturating_sub(11).max(self.first);
        let lo = self.rows.partition_point(|m| m.month < first);
        Window {
            first,
            rows: &self.rows[lo..],
            ..*self
        }
    }

    /// Whole years in the window (at least 1).
    pub fn years(&self) -> usize {
        ((self.last + 1).saturating_sub(self.first) as usize / 12).max(1)
    }

    /// Mean of `f` over the window's trust-months, weighted by `w`.
    pub fn weighted(&self, f: impl Fn(&TrustMonth) -> f64, w: impl Fn(&TrustMonth) -> f64) -> f64 {
        let (mut s, mut n) = (0.0, 0.0);
        for r in self.rows {
            s += f(r) * w(r);
            n += w(r);
        }
        if n > 0.0 { s / n } else { f64::NAN }
    }

    /// Mean of `f` weighted by staff in post.
    pub fn per_staff(&self, f: impl Fn(&TrustMonth) -> f64) -> f64 {
        self.weighted(f, |m| f64::from(m.staff_in_post))
    }

    /// Mean of `f` weighted by establishment.
    pub fn per_post(&self, f: impl Fn(&TrustMonth) -> f64) -> f64 {
        self.weighted(f, |m| f64::from(m.establishment))
    }

    /// Plain mean of `f` over trust-months.
    pub fn mean(&self, f: impl Fn(&TrustMonth) -> f64) -> f64 {
        self.weighted(f, |_| 1.0)
    }

    /// Plain mean of `f` over the trust-months where it is a number (for
    /// values published for some trust types only).
    pub fn mean_finite(&self, f: impl Fn(&TrustMonth) -> f64) -> f64 {
        let v: Vec<f64> = self.rows.iter().map(f).filter(|x| x.is_finite()).collect();
        stats::mean(&v)
    }

    /// The record of `trust` in `month` (records are stored month by month,
    /// every trust each month).
    pub fn at(&self, trust: u32, month: u32) -> Option<&'a TrustMonth> {
        if month < self.first || month > self.last || self.trusts == 0 {
            return None;
        }
        let i = (month - self.first) as usize * self.trusts + trust as usize;
        self.rows
            .get(i)
            .filter(|m| m.trust_id == trust && m.month == month)
    }

    /// Reported months that end a year of the window (12, 24, ...).
    pub fn year_ends(&self) -> impl Iterator<Item = u32> + '_ {
        (self.first..=self.last).filter(move |m| (m + 1 - self.first).is_multiple_of(12))
    }

    /// Share of trust-months for which `f` holds.
    pub fn share(&self, f: impl Fn(&TrustMonth) -> bool) -> f64 {
        self.mean(|m| f64::from(u8::from(f(m))))
    }

    /// Per trust and year of the window, the mean of `f` (`[trust][year]`;
    /// NaN where a trust has no month in a year).
    pub fn trust_years(&self, f: impl Fn(&TrustMonth) -> f64) -> Vec<Vec<f64>> {
        let years = self.years();
        let mut sum = vec![vec![0.0; years]; self.trusts];
        let mut cnt = vec![vec![0.0; years]; self.trusts];
        for r in self.rows {
            let y = ((r.month - self.first) / 12) as usize;
            if y < years {
                sum[r.trust_id as usize][y] += f(r);
                cnt[r.trust_id as usize][y] += 1.0;
            }
        }
        for (s, c) in sum.iter_mut().zip(&cnt) {
            for (x, n) in s.iter_mut().zip(c) {
                *x = if *n > 0.0 { *x / n } else { f64::NAN };
            }
        }
        sum
    }

    /// Spells that start in the window.
    pub fn starts(&self) -> impl Iterator<Item = &'a CeoSpell> + '_ {
        self.spells
            .iter()
            .filter(|s| s.start_month >= self.first as i32 && s.start_month <= self.last as i32)
    }

    /// Spells that end in the window (a spell whose last month is the month
    /// before the window ended during its first month).
    pub fn exits(&self) -> impl Iterator<Item = &'a CeoSpell> + '_ {
        self.spells.iter().filter(|s| {
            !s.censored && s.end_month >= self.first as i32 - 1 && s.end_month < self.last as i32
        })
    }

    /// Permanent CEO spells as survival observations of time in post:
    /// spells that began before the window enter late (left truncation),
    /// exit is half a month after the last month in post, and spells still
    /// in post at the window's end are censored.
    pub fn tenure_observations(&self) -> Vec<Observation> {
        let (first, last) = (self.first as i32, self.last as i32);
        self.spells
            .iter()
            .filter(|s| tenure_observed(s, first, last))
            .map(|s| tenure_observation(s, first, last))
            .collect()
    }
}

/// Whether a spell counts in the tenure of reported months `first..=last`:
/// a permanent CEO's spell in post in the window (or ending as it began).
pub fn tenure_observed(s: &CeoSpell, first: i32, last: i32) -> bool {
    !s.interim && s.end_month >= first - 1 && s.start_month <= last
}

/// The Kaplan-Meier median of the spells `obs` in years (NaN if the curve
/// never falls to one half): the metric `ceo_tenure_median_years` of one
/// replication, and what the tenure chart marks.
pub fn ceo_tenure_median_years(obs: &[Observation]) -> f64 {
    stats::kaplan_meier(obs)
        .median()
        .map_or(f64::NAN, |m| m / 12.0)
}

/// One spell as a survival observation over reported months `first..=last`.
pub fn tenure_observation(s: &CeoSpell, first: i32, last: i32) -> Observation {
    let entry = f64::from((first - s.start_month).max(0));
    let end = s.end_month.min(last);
    Observation {
        entry,
        exit: (f64::from(end - s.start_month + 1) + 0.5).max(entry + 0.5),
        event: !s.censored && s.end_month < last,
    }
}

/// Mean over years of a statistic of the trusts' annual means, skipping
/// years where it is not finite.
pub fn mean_over_years(by_trust: &[Vec<f64>], stat: impl Fn(&[f64], Option<&[f64]>) -> f64) -> f64 {
    let years = by_trust.first().map_or(0, Vec::len);
    let col = |y: usize| by_trust.iter().map(|t| t[y]).collect::<Vec<f64>>();
    let v: Vec<f64> = (0..years)
        .map(|y| {
            let prev = (y > 0).then(|| col(y - 1));
            stat(&col(y), prev.as_deref())
        })
        .filter(|x| x.is_finite())
        .collect();
    stats::mean(&v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExitRoute, Pathway};

    fn spell(start: i32, end: i32, censored: bool) -> CeoSpell {
        CeoSpell {
            replication: 0,
            trust_id: 0,
            ceo_id: 1,
            start_month: start,
            end_month: end,
            start_date: Default::default(),
            end_date: Default::default(),
            censored,
            exit_route: if censored {
                ExitRoute::InPost
            } else {
                ExitRoute::Moved
            },
            pathway: Pathway::Clinical,
            internal: false,
            first_time: false,
            interim: false,
        }
    }

    #[test]
    fn a_spell_from_burn_in_enters_late_and_one_in_post_is_censored() {
        // In post from burn-in month -11 (12 months before the horizon) to month 24.
        let o = tenure_observation(&spell(-11, 24, false), 1, 120);
        assert_eq!((o.entry, o.exit, o.event), (12.0, 36.5, true));
        // Started in month 25 and still in post at month 120: 96 months, censored.
        let o = tenure_observation(&spell(25, 120, true), 1, 120);
        assert_eq!((o.entry, o.exit, o.event), (0.0, 96.5, false));
        // Seen through a window ending at month 60: censored at 36 months.
        let o = tenure_observation(&spell(25, 120, true), 1, 60);
        assert_eq!((o.entry, o.exit, o.event), (0.0, 36.5, false));
    }
}
