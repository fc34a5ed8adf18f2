//! `[pressures.*]`: the six national pressures of the article, each an index
//! over time.

use super::schema::{nested, num, schedule, section, unit};

section! {
    /// A national pressure index over time.
    pub struct Pressure {
        /// Level at the first month of burn-in.
        pub start: f64 = 1.0, num(0.0, 10.0, unit::INDEX);
        /// Growth per year (0.02 = 2 % a year), used when `schedule` is empty.
        pub trend_annual: f64 = 0.0, num(-0.5, 0.5, "share per year");
        /// Optional schedule of `[year, level]` points (years from the start of
        /// burn-in), interpolated linearly and held flat beyond the last point.
        pub schedule: Vec<[f64; 2]> = Vec::new(), schedule(10.0, unit::INDEX);
    }
}

impl Pressure {
    /// A pressure starting at `start` and growing by `trend_annual` a year.
    pub fn flat(start: f64, trend_annual: f64) -> Self {
        Pressure {
            start,
            trend_annual,
            schedule: Vec::new(),
        }
    }

    /// Level at `month` (counted from the start of burn-in).
    pub fn level(&self, month: u32) -> f64 {
        let years = f64::from(month) / 12.0;
        if self.schedule.is_empty() {
            return self.start * (1.0 + self.trend_annual).powf(years);
        }
        let pts = &self.schedule;
        if years <= pts[0][0] {
            return pts[0][1];
        }
        for w in pts.windows(2) {
            let ([x0, y0], [x1, y1]) = (w[0], w[1]);
            if years <= x1 {
                let t = if x1 > x0 {
                    (years - x0) / (x1 - x0)
                } else {
                    1.0
                };
                return y0 + t * (y1 - y0);
            }
        }
        pts[pts.len() - 1][1]
    }
}

section! {
    /// The six national pressures, each an index that starts near 1.
    pub struct Pressures {
        /// Ageing population: raises demand and workload.
        pub demand: Pressure = Pressure::flat(1.0, 0.0), nested();
        /// Workforce shortage: lowers the vacancy fill rate.
        pub workforce_shortage: Pressure = Pressure::flat(1.0, 0.0), nested();
        /// Financial constraint: income growth below cost growth.
        pub financial_constraint: Pressure = Pressure::flat(1.0, 0.0), nested();
        /// Rising public expectations: lowers patient experience.
        pub expectations: Pressure = Pressure::flat(1.0, 0.0), nested();
        /// Technological change: raises improvement building and workload (disruption).
        pub technology: Pressure = Pressure::flat(1.0, 0.0), nested();
        /// Integration pressure: cross-boundary work raises friction.
        pub integration: Pressure = Pressure::flat(1.0, 0.0), nested();
    }
}

impl Pressures {
    pub fn all(&self) -> [&Pressure; 6] {
        [
            &self.demand,
            &self.workforce_shortage,
            &self.financial_constraint,
            &self.expectations,
            &self.technology,
            &self.integration,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressure_schedule_interpolates_and_holds() {
        let p = Pressure {
            start: 1.0,
            trend_annual: 0.0,
            schedule: vec![[0.0, 1.0], [10.0, 2.0]],
        };
        assert_eq!(p.level(0), 1.0);
        assert!((p.level(60) - 1.5).abs() < 1e-12);
        assert_eq!(p.level(240), 2.0);
        let g = Pressure::flat(1.0, 0.1);
        assert!((g.level(24) - 1.21).abs() < 1e-12);
    }
}
