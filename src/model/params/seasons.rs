//! `[seasons]`: the winter pattern of the NHS year. Sickness absence and the
//! pressure of demand on services rise in winter and fall in summer; the
//! shapes and their sources are in docs/ODD.md under the same keys.

use super::schema::{num, section, unit};

const MONTH_OF_YEAR: &str = "month of year (1 = January, 12.5 = between December and January)";

section! {
    /// The seasons: monthly multipliers on sickness onset and on demand.
    pub struct SeasonParams {
        /// Strength of the seasonal pattern: 1 = as published, 0 = no seasons.
        pub strength: f64 = 1.0, num(0.0, 3.0, unit::COEFFICIENT);
        /// Amplitude of the monthly sickness-onset hazard around its annual mean (0.11 = 11 % above it at the peak, 11 % below six months later).
        pub sickness_amplitude: f64 = 0.11, num(0.0, 0.9, unit::SHARE);
        /// Month in which sickness onset peaks.
        pub sickness_peak_month: f64 = 11.5, num(1.0, 13.0, MONTH_OF_YEAR);
        /// Amplitude of the pressure of demand around its annual level.
        pub demand_amplitude: f64 = 0.03, num(0.0, 0.5, unit::SHARE);
        /// Month in which the pressure of demand peaks.
        pub demand_peak_month: f64 = 1.0, num(1.0, 13.0, MONTH_OF_YEAR);
    }
}

impl SeasonParams {
    /// `1 + strength x amplitude x cos(2 pi (month - peak) / 12)` for
    /// calendar month `month` (1-12).
    fn factor(&self, amplitude: f64, peak: f64, month: u32) -> f64 {
        let phase = (f64::from(month) - peak) / 12.0 * std::f64::consts::TAU;
        (1.0 + self.strength * amplitude * phase.cos()).max(0.0)
    }

    /// Multiplier on the sickness-onset hazard in calendar month `month`.
    pub fn sickness(&self, month: u32) -> f64 {
        self.factor(self.sickness_amplitude, self.sickness_peak_month, month)
    }

    /// Multiplier on the level of demand in calendar month `month`.
    pub fn demand(&self, month: u32) -> f64 {
        self.factor(self.demand_amplitude, self.demand_peak_month, month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winter_is_high_summer_low_and_strength_zero_is_flat() {
        let s = SeasonParams::default();
        assert!(s.sickness(12) > 1.10 && s.sickness(6) < 0.90);
        assert!(s.demand(1) > 1.029 && s.demand(7) < 0.971);
        let mean: f64 = (1..=12).map(|m| s.sickness(m)).sum::<f64>() / 12.0;
        assert!((mean - 1.0).abs() < 1e-12, "{mean}");
        let off = SeasonParams { strength: 0.0, ..s };
        assert!((1..=12).all(|m| off.sickness(m) == 1.0 && off.demand(m) == 1.0));
    }
}
