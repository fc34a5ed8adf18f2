//! Model invariants, checked on a replication's results: every quantity in
//! its range and finite, head counts within the establishment, exactly one
//! CEO or interim in post per trust-month, and each trust's spells following
//! one another without gap or overlap. Debug builds check every replication
//! (and each trust after every step); `trustsim run --check-invariants`
//! checks them in release builds.

use std::collections::BTreeMap;

use super::engine::{CeoSpell, ReplicationResult, TrustMonth};
use super::trust::Trust;

fn range(out: &mut Vec<String>, what: &str, m: &TrustMonth, v: f64, lo: f64, hi: f64) {
    if !(v.is_finite() && v >= lo && v <= hi) {
        out.push(format!(
            "trust {} month {}: {what} = {v} outside {lo}-{hi}",
            m.trust_id, m.month
        ));
    }
}

/// Every invariant violated by `r` (empty when all hold), at most 20.
pub fn check(r: &ReplicationResult) -> Vec<String> {
    let mut out = Vec::new();
    for m in &r.trust_months {
        range(&mut out, "engagement", m, m.engagement, 0.0, 10.0);
        for (what, v) in [
            ("sickness_rate", m.sickness_rate),
            ("leaver_rate", m.leaver_rate),
            ("vacancy_rate", m.vacancy_rate),
            ("friction", m.friction),
            ("mean_leader_capability", m.mean_leader_capability),
            ("improvement_capability", m.improvement_capability),
        ] {
            range(&mut out, what, m, v, 0.0, 1.0);
        }
        range(&mut out, "quality_index", m, m.quality_index, 0.0, 100.0);
        range(
            &mut out,
            "patient_experience",
            m,
            m.patient_experience,
            0.0,
            10.0,
        );
        range(
            &mut out,
            "mortality_ratio",
            m,
            m.mortality_ratio,
            0.0,
            f64::MAX,
        );
        range(
            &mut out,
            "surplus_pct",
            m,
            m.surplus_pct,
            f64::MIN,
            f64::MAX,
        );
        range(
            &mut out,
            "development_spend_gbp",
            m,
            m.development_spend_gbp,
            0.0,
            f64::MAX,
        );
        range(
            &mut out,
            "agency_spend_gbp",
            m,
            m.agency_spend_gbp,
            0.0,
            f64::MAX,
        );
        range(
            &mut out,
            "oversight_level",
            m,
            f64::from(m.oversight_level),
            1.0,
            4.0,
        );
        if m.staff_in_post > m.establishment {
            out.push(format!(
                "trust {} month {}: {} staff in post for {} posts",
                m.trust_id, m.month, m.staff_in_post, m.establishment
            ));
        }
    }
    let mut spells: BTreeMap<u32, Vec<&CeoSpell>> = BTreeMap::new();
    for s in &r.spells {
        spells.entry(s.trust_id).or_default().push(s);
    }
    for list in spells.values_mut() {
        list.sort_by_key(|s| s.start_month);
        for w in list.windows(2) {
            if w[0].end_month != w[1].start_month {
                out.push(format!(
                    "trust {}: spell of CEO {} ends at {} but the next (CEO {}) starts at {}",
                    w[0].trust_id, w[0].ceo_id, w[0].end_month, w[1].ceo_id, w[1].start_month
                ));
            }
        }
        if list.iter().filter(|s| s.censored).count() != 1
            || !list.last().is_some_and(|s| s.censored)
        {
            out.push(format!(
                "trust {}: the last spell, and only it, must be still in post",
                list[0].trust_id
            ));
        }
    }
    for m in &r.trust_months {
        let month = m.month as i32;
        let covering: Vec<&&CeoSpell> = spells
            .get(&m.trust_id)
            .map(|l| {
                l.iter()
                    .filter(|s| s.start_month < month && month <= s.end_month)
                    .collect()
            })
            .unwrap_or_default();
        match covering.as_slice() {
            [s] if s.ceo_id == m.ceo_id && s.interim == m.interim => {}
            [s] => out.push(format!(
                "trust {} month {}: CEO {} recorded but spell of CEO {} covers it",
                m.trust_id, m.month, m.ceo_id, s.ceo_id
            )),
            v => out.push(format!(
                "trust {} month {}: {} CEOs in post",
                m.trust_id,
                m.month,
                v.len()
            )),
        }
        if out.len() >= 20 {
            break;
        }
    }
    out.truncate(20);
    out
}

impl Trust {
    /// Violations of the per-step invariants of this trust's state.
    pub fn step_violations(&self) -> Vec<String> {
        let t = &self.tally;
        let mut v = Vec::new();
        let mut want = |ok: bool, what: String| {
            if !ok {
                v.push(format!("trust {}: {what}", self.index));
            }
        };
        want(
            (0.0..=10.0).contains(&t.engagement),
            format!("engagement {}", t.engagement),
        );
        for (what, x) in [
            ("sickness", t.sickness_rate),
            ("leaving", t.leaver_rate),
            ("vacancy", t.vacancy_rate),
            ("friction", self.friction),
            ("improvement", self.improvement),
        ] {
            want((0.0..=1.0).contains(&x), format!("{what} {x}"));
        }
        want(
            t.in_post <= self.establishment,
            format!("{} in post for {} posts", t.in_post, self.establishment),
        );
        want(
            (1..=4).contains(&self.oversight_level),
            format!("oversight level {}", self.oversight_level),
        );
        want(
            self.surplus_pct.is_finite() && self.quality.is_finite(),
            "non-finite finance or quality".into(),
        );
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, run_replication};

    fn tiny(seed: u64) -> Params {
        crate::model::params::edited(|p| {
            p.run.seed = seed;
            p.run.staff_scale = 0.01;
            p.run.months = 36;
            p.run.burn_in_months = 24;
            p.trusts.acute.count = 8;
            p.trusts.mental_health.count = 3;
            p.trusts.community.count = 1;
            p.trusts.ambulance.count = 1;
        })
    }

    #[test]
    fn invariants_hold_across_many_seeds() {
        for seed in 0..12 {
            let p = tiny(seed);
            let r = run_replication(&p, 0);
            let v = check(&r);
            assert!(v.is_empty(), "seed {seed}: {v:#?}");
        }
    }

    #[test]
    fn broken_results_are_caught() {
        let p = tiny(1);
        let mut r = run_replication(&p, 0);
        r.trust_months[5].engagement = f64::NAN;
        r.trust_months[7].ceo_id += 1_000_000;
        let several = |t: u32| r.spells.iter().filter(|s| s.trust_id == t).count() > 1;
        let last = r
            .spells
            .iter()
            .position(|s| s.censored && several(s.trust_id))
            .unwrap();
        r.spells[last].start_month -= 1;
        let v = check(&r);
        assert!(v.iter().any(|x| x.contains("engagement = NaN")), "{v:#?}");
        assert!(
            v.iter()
                .any(|x| x.contains("recorded but spell") || x.contains("CEOs in post")),
            "{v:#?}"
        );
        assert!(v.iter().any(|x| x.contains("next")), "{v:#?}");
    }
}
