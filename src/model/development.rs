//! Process 9, development investment: a trust's budget buys places on the
//! intervention types, within each type's capacity. Unspent money and unused
//! capacity carry forward (money for at most a year).

use super::params::DevelopmentParams;

/// Per-trust budget and capacity carried between months.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DevelopmentLedger {
    money_gbp: [f64; 7],
    capacity: [f64; 7],
}

/// Places bought this month per intervention, and their total cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Purchase {
    pub places: [u32; 7],
    pub spend_gbp: f64,
}

impl DevelopmentLedger {
    /// Adds this month's budget and capacity and buys whole places.
    ///
    /// `annual_paybill_gbp` sets the budget; `establishment` the capacity.
    pub fn buy(
        &mut self,
        d: &DevelopmentParams,
        annual_paybill_gbp: f64,
        establishment: u32,
    ) -> Purchase {
        let budget = d.budget_share_of_paybill * annual_paybill_gbp / 12.0;
        let mut out = Purchase::default();
        for (k, iv) in d.interventions().iter().enumerate() {
            let monthly_money = budget * iv.budget_share;
            let cap_per_month =
                iv.places_per_1000_staff * f64::from(establishment) / 1_000.0 / 12.0;
            self.money_gbp[k] = (self.money_gbp[k] + monthly_money).min(12.0 * monthly_money);
            self.capacity[k] =
                (self.capacity[k] + cap_per_month).min(12.0 * cap_per_month.max(1.0));
            let affordable = (self.money_gbp[k] / iv.cost_gbp).floor();
            let n = affordable.min(self.capacity[k].floor()).max(0.0);
            self.money_gbp[k] -= n * iv.cost_gbp;
            self.capacity[k] -= n;
            out.places[k] = n as u32;
            out.spend_gbp += n * iv.cost_gbp;
        }
        out
    }

    /// Returns places that could not be filled (no eligible leader).
    pub fn refund(&mut self, d: &DevelopmentParams, intervention: usize, places: u32) {
        let iv = d.interventions()[intervention];
        self.money_gbp[intervention] += f64::from(places) * iv.cost_gbp;
        self.capacity[intervention] += f64::from(places);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spend_matches_budget_over_a_year_when_capacity_allows() {
        let mut d = crate::model::params::RawParams::default().development;
        // A budget of many places a year, so whole-place rounding is small.
        d.budget_share_of_paybill = 0.0015;
        for iv in [
            &mut d.mary_seacole,
            &mut d.elizabeth_garrett_anderson,
            &mut d.coaching,
            &mut d.mentoring,
            &mut d.action_learning,
            &mut d.secondment,
            &mut d.compassion_training,
        ] {
            iv.places_per_1000_staff = 1_000.0;
        }
        let mut ledger = DevelopmentLedger::default();
        let paybill = 4_000.0 * 42_000.0;
        let spend: f64 = (0..24)
            .map(|_| ledger.buy(&d, paybill, 4_000).spend_gbp)
            .sum();
        let budget = 2.0 * d.budget_share_of_paybill * paybill;
        assert!(spend <= budget + 1e-6);
        assert!(spend > 0.85 * budget, "spent {spend} of {budget}");
    }

    #[test]
    fn the_default_budget_binds_so_doubling_it_buys_more() {
        // Regression: with capacity binding, the double-development policy
        // bought nothing extra and changed no outcome.
        let d = crate::model::params::RawParams::default().development;
        let spend = |share: f64| {
            let mut d = d.clone();
            d.budget_share_of_paybill = share;
            let mut ledger = DevelopmentLedger::default();
            (0..60)
                .map(|_| ledger.buy(&d, 4_000.0 * 42_000.0, 4_000).spend_gbp)
                .sum::<f64>()
        };
        let (base, double) = (
            spend(d.budget_share_of_paybill),
            spend(2.0 * d.budget_share_of_paybill),
        );
        assert!(double > 1.8 * base, "{double} vs {base}");
    }

    #[test]
    fn capacity_caps_places_and_zero_budget_buys_nothing() {
        let mut d = crate::model::params::RawParams::default().development;
        d.budget_share_of_paybill = 0.05;
        let mut ledger = DevelopmentLedger::default();
        let places: u32 = (0..12).map(|_| ledger.buy(&d, 1e9, 1_000).places[1]).sum();
        assert!(places as f64 <= d.elizabeth_garrett_anderson.places_per_1000_staff + 1.0);
        d.budget_share_of_paybill = 0.0;
        let mut ledger = DevelopmentLedger::default();
        assert_eq!(ledger.buy(&d, 1e9, 1_000).spend_gbp, 0.0);
    }
}
