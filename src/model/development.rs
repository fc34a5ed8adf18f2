//! Process 9, development investment: a trust's budget buys places on the
//! intervention types, within each type's capacity. Unspent money and unused
//! capacity carry forward (money for at most a year, or one place where a
//! year's budget does not reach one).
//!
//! Places are bought for the trust's real size (its establishment at full
//! staff scale), whatever `run.staff_scale`: a place is a whole unit, and a
//! scaled-down trust's budget would otherwise never reach one, so a policy
//! lever would silently do nothing at small scale. A balance that
//! holds a fraction of a place's cost buys that place with that probability
//! (stochastic rounding, stream `development_purchase`): the expected
//! spend is the budget at every size, and a balance left below zero by a
//! place bought early is repaid from the following months' budget.

use rand::RngExt;

use super::TrustType;
use super::params::{DevelopmentParams, Params};
use super::rng::Stream;

/// Per-trust budget and capacity carried between months, at the trust's
/// real size.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DevelopmentLedger {
    money_gbp: [f64; 7],
    capacity: [f64; 7],
}

/// Places bought this month per intervention (at the trust's real size),
/// and their total cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Purchase {
    pub places: [u32; 7],
    pub spend_gbp: f64,
}

/// The monthly budget (GBP) and capacity (places) of each intervention for
/// a trust of `real_size` funded posts at full scale.
pub fn monthly_allowance(
    d: &DevelopmentParams,
    pay_per_fte_gbp: f64,
    real_size: f64,
) -> [(f64, f64); 7] {
    let budget = d.budget_share_of_paybill * real_size * pay_per_fte_gbp / 12.0;
    d.interventions().map(|iv| {
        (
            budget * iv.budget_share,
            iv.places_per_1000_staff * real_size / 1_000.0 / 12.0,
        )
    })
}

/// Expected places a month of a trust of `real_size`: what the budget buys
/// within the capacity, per intervention.
pub fn expected_places(d: &DevelopmentParams, pay_per_fte_gbp: f64, real_size: f64) -> [f64; 7] {
    let allowance = monthly_allowance(d, pay_per_fte_gbp, real_size);
    let ivs = d.interventions();
    std::array::from_fn(|k| {
        let (money, capacity) = allowance[k];
        (money / ivs[k].cost_gbp).min(capacity).max(0.0)
    })
}

impl DevelopmentLedger {
    /// Adds this month's budget and capacity of a trust of `real_size`
    /// funded posts (at full scale) and buys places: the whole places the
    /// balance affords, and one more with the probability of the fraction
    /// left, drawn from `rng` (one draw per intervention and month).
    pub fn buy(
        &mut self,
        d: &DevelopmentParams,
        pay_per_fte_gbp: f64,
        real_size: f64,
        rng: &mut Stream,
    ) -> Purchase {
        let allowance = monthly_allowance(d, pay_per_fte_gbp, real_size);
        let mut out = Purchase::default();
        for (k, iv) in d.interventions().iter().enumerate() {
            let (monthly_money, monthly_capacity) = allowance[k];
            self.money_gbp[k] =
                (self.money_gbp[k] + monthly_money).min((12.0 * monthly_money).max(iv.cost_gbp));
            self.capacity[k] =
                (self.capacity[k] + monthly_capacity).min((12.0 * monthly_capacity).max(1.0));
            let affordable = (self.money_gbp[k] / iv.cost_gbp)
                .min(self.capacity[k])
                .max(0.0);
            let whole = affordable.floor();
            let u: f64 = rng.random();
            let n = whole + f64::from(u8::from(u < affordable - whole));
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

/// The scenario keys of the seven interventions, in
/// [`DevelopmentParams::interventions`] order.
pub const INTERVENTION_KEYS: [&str; 7] = [
    "mary_seacole",
    "elizabeth_garrett_anderson",
    "coaching",
    "mentoring",
    "action_learning",
    "secondment",
    "compassion_training",
];

/// The development levers that cannot act in a run of `p`: those whose
/// budget, within its capacity, buys an expected less than one place for
/// the simulated team leaders and executives in a whole replication (every
/// trust, every simulated month, burn-in included, with timed changes), and
/// intervention budgets with no capacity to spend them on. Each message
/// names the lever. Trust sizes are those of the register, or each type's
/// median; a team leader's place reaches the simulation with probability
/// `run.staff_scale`, an executive's always (an upper bound, since the
/// executives take only the places they are eligible for).
pub fn lever_warnings(p: &Params) -> Vec<String> {
    let sizes: Vec<f64> = if p.trusts.rows.is_empty() {
        TrustType::ALL
            .iter()
            .flat_map(|&t| {
                let tp = p.trusts.of(t);
                std::iter::repeat_n(tp.staff_median_fte, tp.count as usize)
            })
            .collect()
    } else {
        p.trusts
            .rows
            .iter()
            .map(|r| {
                r.establishment
                    .unwrap_or_else(|| p.trusts.of(r.kind).staff_median_fte)
            })
            .collect()
    };
    let months = p.run.burn_in_months + p.run.months;
    let scale = p.run.staff_scale;
    let mut expected = [0.0; 7];
    let mut budget_on = false;
    let mut idle: Vec<String> = Vec::new();
    for m in 0..months {
        let q = p.at(m);
        let d = &q.development;
        budget_on |= d.budget_share_of_paybill > 0.0;
        for &size in &sizes {
            let x = expected_places(d, q.finance.pay_per_fte_gbp, size);
            for (k, iv) in d.interventions().iter().enumerate() {
                expected[k] += x[k] * if iv.executive { 1.0 } else { scale };
            }
        }
        for (k, iv) in d.interventions().iter().enumerate() {
            if d.budget_share_of_paybill > 0.0
                && iv.budget_share > 0.0
                && iv.places_per_1000_staff == 0.0
            {
                let key = INTERVENTION_KEYS[k];
                let w = format!(
                    "development.{key}.budget_share = {} but development.{key}.places_per_1000_staff = 0: no place can be filled, so this share of the development budget is never spent",
                    iv.budget_share
                );
                if !idle.contains(&w) {
                    idle.push(w);
                }
            }
        }
    }
    let scope = format!(
        "in a whole replication ({} trust{}, {months} simulated months, run.staff_scale = {scale})",
        sizes.len(),
        if sizes.len() == 1 { "" } else { "s" }
    );
    let total: f64 = expected.iter().sum();
    let mut out = Vec::new();
    if budget_on && total < 1.0 {
        out.push(format!(
            "development.budget_share_of_paybill buys an expected {total:.2} development places for the simulated team leaders and executives {scope}: this lever can hardly act in this run; raise the budget, run.staff_scale or the number of trusts"
        ));
    } else if budget_on {
        for (k, iv) in p.development.interventions().iter().enumerate() {
            let on = (0..months).any(|m| p.at(m).development.interventions()[k].budget_share > 0.0);
            if on && iv.places_per_1000_staff > 0.0 && expected[k] < 1.0 {
                out.push(format!(
                    "development.{} buys an expected {:.2} places for the simulated {} {scope}: this intervention can hardly act in this run",
                    INTERVENTION_KEYS[k],
                    expected[k],
                    if iv.executive {
                        "executives and team leaders"
                    } else {
                        "team leaders"
                    }
                ));
            }
        }
    }
    out.extend(idle);
    out.extend(targeted_warnings(p, &sizes));
    out
}

/// The targeted entries that change what development buys (its budget or
/// an intervention) and buy an expected less
/// than one extra place (over the national values) for the simulated team
/// leaders and executives of the trusts they reach by who they are, in a
/// whole replication: a policy for some trusts that cannot act in this run.
/// Entries targeted by segment or rating are counted over every trust they
/// could reach (an upper bound).
fn targeted_warnings(p: &Params, sizes: &[f64]) -> Vec<String> {
    let months = p.run.burn_in_months + p.run.months;
    let scale = p.run.staff_scale;
    let mut out = Vec::new();
    for (k, e) in p.targeted().iter().enumerate() {
        let buys_places = |key: &str| {
            key == "development.budget_share_of_paybill"
                || INTERVENTION_KEYS
                    .iter()
                    .any(|iv| key.starts_with(&format!("development.{iv}.")))
        };
        if !e.set.iter().any(|(key, _)| buys_places(key)) {
            continue;
        }
        let mut extra = 0.0;
        for t in p.reach_of(k) {
            let Some(&size) = sizes.get(t as usize) else {
                continue;
            };
            for m in e.start(p.run.burn_in_months)..months {
                let national = p.at(m);
                let national_mask = p.reach_mask(m, t as usize, 1, crate::model::Rating::Good, 0);
                let tree = p.for_trust(m, national_mask | 1 << k);
                let count = |q: &Params| -> f64 {
                    let x = expected_places(&q.development, q.finance.pay_per_fte_gbp, size);
                    q.development
                        .interventions()
                        .iter()
                        .zip(x)
                        .map(|(iv, x)| x * if iv.executive { 1.0 } else { scale })
                        .sum()
                };
                extra += count(tree) - count(national);
            }
        }
        if extra.abs() < 1.0 {
            out.push(format!(
                "the change for {} ({}) buys an expected {extra:.2} more development places for the simulated team leaders and executives of the trusts it reaches (run.staff_scale = {scale}): this policy can hardly act in this run; raise run.staff_scale",
                e.target.describe(),
                e.set
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{StreamName, stream};

    const PAY: f64 = 42_000.0;

    fn rng(i: u64) -> Stream {
        stream(7, 0, StreamName::DevelopmentPurchase, i)
    }

    /// Total spend of `months` months of a trust of `size` funded posts.
    fn spend(d: &DevelopmentParams, size: f64, months: u32, seed: u64) -> f64 {
        let mut ledger = DevelopmentLedger::default();
        let mut r = rng(seed);
        (0..months)
            .map(|_| ledger.buy(d, PAY, size, &mut r).spend_gbp)
            .sum()
    }

    #[test]
    fn spend_matches_budget_over_a_year_when_capacity_allows() {
        let mut d = crate::model::params::RawParams::default().development;
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
        let total = spend(&d, 4_000.0, 24, 1);
        let budget = 2.0 * d.budget_share_of_paybill * 4_000.0 * PAY;
        // A place bought early may overdraw the balance by less than its cost.
        let most = d.interventions().iter().map(|iv| iv.cost_gbp).sum::<f64>();
        assert!(total <= budget + most, "spent {total} of {budget}");
        assert!(total > 0.85 * budget, "spent {total} of {budget}");
    }

    #[test]
    fn the_default_budget_binds_so_doubling_it_buys_more() {
        // Regression: with capacity binding, the double-development policy
        // bought nothing extra and changed no outcome.
        let d = crate::model::params::RawParams::default().development;
        let at = |share: f64| {
            let mut d = d.clone();
            d.budget_share_of_paybill = share;
            spend(&d, 4_000.0, 60, 2)
        };
        let (base, double) = (
            at(d.budget_share_of_paybill),
            at(2.0 * d.budget_share_of_paybill),
        );
        assert!(double > 1.8 * base, "{double} vs {base}");
    }

    #[test]
    fn capacity_caps_places_and_zero_budget_buys_nothing() {
        let mut d = crate::model::params::RawParams::default().development;
        d.budget_share_of_paybill = 0.05;
        let mut ledger = DevelopmentLedger::default();
        let mut r = rng(3);
        let places: u32 = (0..12)
            .map(|_| ledger.buy(&d, 1e9 / PAY, 1_000.0, &mut r).places[1])
            .sum();
        assert!(places as f64 <= d.elizabeth_garrett_anderson.places_per_1000_staff + 1.0);
        d.budget_share_of_paybill = 0.0;
        let mut ledger = DevelopmentLedger::default();
        assert_eq!(ledger.buy(&d, PAY, 1_000.0, &mut r).spend_gbp, 0.0);
    }

    #[test]
    fn a_budget_below_one_place_a_year_still_buys_places_at_its_expected_rate() {
        // Regression: a year's budget (12 months, the most money carried) below
        // one place's cost never bought a place, so the lever did nothing
        // for small trusts. The Elizabeth Garrett Anderson place costs GBP
        // 6,000; a 500-post trust's share of the default budget is GBP 840
        // a year.
        let d = crate::model::params::RawParams::default().development;
        let k = 1;
        let yearly = 12.0 * monthly_allowance(&d, PAY, 500.0)[k].0;
        assert!(yearly < d.elizabeth_garrett_anderson.cost_gbp);
        let months = 240;
        let trusts = 200;
        let mut places = 0u32;
        for t in 0..trusts {
            let mut ledger = DevelopmentLedger::default();
            let mut r = rng(100 + t);
            for _ in 0..months {
                places += ledger.buy(&d, PAY, 500.0, &mut r).places[k];
            }
        }
        let expected =
            f64::from(trusts as u32) * f64::from(months) * expected_places(&d, PAY, 500.0)[k];
        let got = f64::from(places);
        assert!(
            (got - expected).abs() < 0.1 * expected,
            "{got} places bought, {expected} expected"
        );
    }

    #[test]
    fn expected_places_scale_with_size_and_stop_at_capacity() {
        let d = crate::model::params::RawParams::default().development;
        let small = expected_places(&d, PAY, 100.0);
        let large = expected_places(&d, PAY, 10_000.0);
        for k in 0..7 {
            assert!((large[k] - 100.0 * small[k]).abs() < 1e-9 * large[k].max(1.0));
        }
        let mut rich = d.clone();
        rich.budget_share_of_paybill = 0.2;
        let capped = expected_places(&rich, PAY, 1_000.0);
        let ivs = rich.interventions();
        for k in 0..7 {
            assert!((capped[k] - ivs[k].places_per_1000_staff / 12.0).abs() < 1e-12);
        }
    }

    #[test]
    fn levers_that_cannot_act_are_named() {
        let quiet = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.02;
            p.trusts.acute.count = 12;
            p.trusts.mental_health.count = 5;
            p.trusts.community.count = 2;
            p.trusts.ambulance.count = 1;
        });
        assert!(
            lever_warnings(&quiet).is_empty(),
            "{:?}",
            lever_warnings(&quiet)
        );
        let tiny = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.001;
            p.run.months = 12;
            p.run.burn_in_months = 0;
            p.development.budget_share_of_paybill = 0.000_001;
            p.trusts.acute.count = 1;
            p.trusts.mental_health.count = 0;
            p.trusts.community.count = 0;
            p.trusts.ambulance.count = 0;
        });
        let w = lever_warnings(&tiny);
        assert!(
            w.len() == 1
                && w[0].starts_with("development.budget_share_of_paybill buys an expected 0.0"),
            "{w:?}"
        );
        let mentoring_only = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.01;
            p.run.months = 12;
            p.run.burn_in_months = 0;
            p.trusts.acute.count = 2;
            p.trusts.mental_health.count = 0;
            p.trusts.community.count = 0;
            p.trusts.ambulance.count = 0;
            p.development.coaching.places_per_1000_staff = 0.0;
        });
        let w = lever_warnings(&mentoring_only);
        assert!(
            w.iter()
                .any(|x| x.starts_with("development.mentoring buys an expected")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|x| x.starts_with("development.coaching.budget_share = 0.2 but development.coaching.places_per_1000_staff = 0")),
            "{w:?}"
        );
        assert!(
            !w.iter().any(|x| x.starts_with("development.secondment")),
            "{w:?}"
        );
    }
}
