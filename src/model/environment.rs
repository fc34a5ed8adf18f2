//! Process 1, environment: the six national pressures at a given month.

use super::params::{Params, Pressures};

/// Levels of the national pressures in one month (1.0 = the level at the start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Environment {
    pub demand: f64,
    pub workforce_shortage: f64,
    pub financial_constraint: f64,
    pub expectations: f64,
    pub technology: f64,
    pub integration: f64,
    /// Seasonal multiplier on the sickness-onset hazard (1 = no season).
    pub sickness: f64,
}

impl Environment {
    /// Advances the pressures along the scenario's schedule to `month`.
    pub fn at(p: &Pressures, month: u32) -> Self {
        Environment {
            demand: p.demand.level(month),
            workforce_shortage: p.workforce_shortage.level(month),
            financial_constraint: p.financial_constraint.level(month),
            expectations: p.expectations.level(month),
            technology: p.technology.level(month),
            integration: p.integration.level(month),
            sickness: 1.0,
        }
    }

    /// The pressures of simulated month `month` with the season of its
    /// calendar month: demand and sickness onset follow the winter pattern.
    pub fn in_month(p: &Params, month: u32) -> Self {
        let mut e = Environment::at(&p.pressures, month);
        let moy = p.run.calendar().simulated(month).month();
        e.demand *= p.seasons.demand(moy);
        e.sickness = p.seasons.sickness(moy);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Params;

    #[test]
    fn baseline_is_stationary_and_a_trend_compounds_monthly() {
        let p = Params::default();
        let e0 = Environment::at(&p.pressures, 0);
        let e120 = Environment::at(&p.pressures, 120);
        assert_eq!(e0.demand, 1.0);
        assert_eq!(e120.demand, 1.0);
        assert_eq!(e120.workforce_shortage, 1.0);
        let p = crate::model::params::edited(|r| r.pressures.demand.trend_annual = 0.01);
        let e12 = Environment::at(&p.pressures, 12);
        assert!((e12.demand - 1.01).abs() < 1e-12);
    }
}
