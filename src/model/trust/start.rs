//! The starting values of a trust register row, applied after the first
//! reported month's step and market, before the month is recorded: the
//! trust's state in reported month 1 is what the register says. Every draw has been made as without the
//! register (draw, then overwrite); nothing here draws, so a row without
//! starting values leaves its trust exactly as drawn.

use super::Trust;
use crate::model::params::{Params, TrustRow};

/// `k` positions spread evenly over `0..len` (distinct when `k <= len`).
fn spread(len: usize, k: usize) -> impl Iterator<Item = usize> {
    (0..k).map(move |j| j * len / k.max(1))
}

impl Trust {
    /// Sets the register's starting values of `row` in simulated month
    /// `month` (the first reported month), after the month's step and market.
    pub fn apply_start(&mut self, row: &TrustRow, month: u32, p: &Params) {
        if let Some(v) = row.vacancy_rate {
            // The register's rate is a published one.
            self.set_vacancy_rate(self.real_vacancy_rate_publishing(v));
        }
        if let Some(e) = row.engagement {
            self.set_engagement(e);
        }
        if let Some(s) = row.sickness_rate {
            self.set_sickness_rate(s);
        }
        if let Some(r) = row.rating {
            self.regulator.overall = r;
            self.regulator.domains = [r; 5];
        }
        if let Some(s) = row.surplus_share {
            self.surplus_share = s;
            for (surplus, income) in self.surplus_12.iter_mut().zip(self.income_12) {
                *surplus = s * income;
            }
        }
        if let Some(interim) = row.ceo_interim {
            self.set_interim(interim, month, p);
        }
        if let Some(k) = row.ceo_tenure_months {
            // Recorded tenure is `month + 1 - start_month`.
            self.ceo.start_month = month as i32 + 1 - k as i32;
            if let Ok(start) = u32::try_from(self.ceo.start_month) {
                self.last_ceo_change = Some(start);
                self.ceo_starts.retain(|&s| s < start);
                self.ceo_starts.push(start);
            } else {
                self.last_ceo_change = None;
                self.ceo_starts.clear();
            }
        }
    }

    /// Vacates filled posts, or fills vacant ones with new starters at the
    /// trust's mean engagement, spread evenly, until the vacancy rate is `v`.
    fn set_vacancy_rate(&mut self, v: f64) {
        let n = self.staff.len();
        let want_vacant = ((v * n as f64).round() as usize).min(n);
        let filled: Vec<usize> = (0..n).filter(|&i| self.staff.is_filled(i)).collect();
        let vacant: Vec<usize> = (0..n).filter(|&i| !self.staff.is_filled(i)).collect();
        let mean = self.tally.engagement as f32;
        if vacant.len() < want_vacant {
            for j in spread(filled.len(), want_vacant - vacant.len()) {
                self.staff.vacate(filled[j]);
            }
        } else {
            for j in spread(vacant.len(), vacant.len() - want_vacant) {
                self.staff.fill(vacant[j], mean);
            }
        }
        self.refresh_tally();
    }

    /// Shifts every member of staff's engagement so that the mean is `e`
    /// (as far as the 0-10 bounds allow).
    fn set_engagement(&mut self, e: f64) {
        let delta = (e - self.tally.engagement) as f32;
        self.staff.shift_engagement(delta);
        self.refresh_tally();
    }

    /// Marks a share `s` of staff in post off sick, spread evenly.
    fn set_sickness_rate(&mut self, s: f64) {
        let filled: Vec<usize> = (0..self.staff.len())
            .filter(|&i| self.staff.is_filled(i))
            .collect();
        for i in 0..self.staff.len() {
            self.staff.set_sick(i, false);
        }
        let k = ((s * filled.len() as f64).round() as usize).min(filled.len());
        for j in spread(filled.len(), k) {
            self.staff.set_sick(filled[j], true);
        }
        self.refresh_tally();
    }

    /// Makes the CEO in post an interim (handing over after the mean interim
    /// spell) or a substantive CEO.
    fn set_interim(&mut self, interim: bool, month: u32, p: &Params) {
        self.ceo.interim = interim;
        self.interim_until =
            interim.then(|| month + (p.ceo.interim_months_mean.round() as u32).max(1));
    }

    /// The tally's staff figures and team means from the staff pool.
    fn refresh_tally(&mut self) {
        let (mut sum, mut in_post, mut sick) = (0.0, 0u32, 0u32);
        for team in &mut self.teams {
            let range = team.start as usize..team.end as usize;
            let (mean, n) = self.staff.team_mean(range.clone());
            if n > 0 {
                team.mean_engagement = mean;
            }
            sum += mean * f64::from(n);
            in_post += n;
            sick += range
                .filter(|&i| self.staff.is_filled(i) && self.staff.is_sick(i))
                .count() as u32;
        }
        let n = f64::from(in_post.max(1));
        self.tally.engagement = sum / n;
        self.tally.sickness_rate = f64::from(sick) / n;
        self.tally.in_post = in_post;
        self.tally.vacancy_rate = 1.0 - f64::from(in_post) / f64::from(self.establishment.max(1));
    }
}
