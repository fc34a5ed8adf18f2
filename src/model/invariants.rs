//! Model invariants, checked on a replication's results: every quantity in
//! its range and finite, head counts within the establishment, exactly one
//! CEO or interim in post per trust-month, and each trust's spells following
//! one another without gap or overlap. Debug builds check every replication
//! (and each trust after every step); `trustsim run --check-invariants`
//! checks them in release builds.

use std::collections::BTreeMap;

use super::TrustType;
use super::records::{CeoSpell, ExecSpell, ReplicationResult, Spell, TrustMonth};
use super::trust::Trust;

/// The range a quantity must stay in, read from a record and, where the
/// trust holds it directly, from the trust's state after a step. Both
/// checks use this one table.
struct Bound {
    what: &'static str,
    lo: f64,
    hi: f64,
    record: fn(&TrustMonth) -> f64,
    state: Option<fn(&Trust) -> f64>,
}

const BOUNDS: &[Bound] = &[
    Bound {
        what: "engagement",
        lo: 0.0,
        hi: 10.0,
        record: |m| m.engagement,
        state: Some(|t| t.tally.engagement),
    },
    Bound {
        what: "sickness_rate",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.sickness_rate,
        state: Some(|t| t.tally.sickness_rate),
    },
    Bound {
        what: "leaver_rate",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.leaver_rate,
        state: Some(|t| t.tally.leaver_rate),
    },
    Bound {
        what: "vacancy_rate",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.vacancy_rate,
        state: Some(|t| t.published_vacancy_rate()),
    },
    Bound {
        what: "friction",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.friction,
        state: Some(|t| t.friction),
    },
    Bound {
        what: "improvement_capability",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.improvement_capability,
        state: Some(|t| t.improvement),
    },
    Bound {
        what: "mean_leader_capability",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.mean_leader_capability,
        state: None,
    },
    Bound {
        what: "quality_index",
        lo: 0.0,
        hi: 100.0,
        record: |m| m.quality_index,
        state: Some(|t| t.quality),
    },
    Bound {
        what: "patient_experience",
        lo: 0.0,
        hi: 10.0,
        record: |m| m.patient_experience,
        state: None,
    },
    Bound {
        what: "mortality_ratio (acute trusts)",
        lo: 0.0,
        hi: f64::MAX,
        record: |m| {
            if m.trust_type == TrustType::Acute {
                m.mortality_ratio
            } else {
                1.0
            }
        },
        state: None,
    },
    Bound {
        what: "recommend_work",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.recommend_work,
        state: Some(|t| t.recommend_work),
    },
    Bound {
        what: "recommend_care",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.recommend_care,
        state: Some(|t| t.recommend_care),
    },
    Bound {
        what: "exec_vacancy_share",
        lo: 0.0,
        hi: 1.0,
        record: |m| m.exec_vacancy_share,
        state: None,
    },
    Bound {
        what: "surplus_share",
        lo: f64::MIN,
        hi: f64::MAX,
        record: |m| m.surplus_share,
        state: Some(|t| t.surplus_share),
    },
    Bound {
        what: "development_spend_gbp",
        lo: 0.0,
        hi: f64::MAX,
        record: |m| m.development_spend_gbp,
        state: None,
    },
    Bound {
        what: "agency_spend_gbp",
        lo: 0.0,
        hi: f64::MAX,
        record: |m| m.agency_spend_gbp,
        state: None,
    },
    Bound {
        what: "oversight_level",
        lo: 1.0,
        hi: 4.0,
        record: |m| f64::from(m.oversight_level),
        state: Some(|t| f64::from(t.oversight_level)),
    },
];

fn inside(v: f64, b: &Bound) -> bool {
    v.is_finite() && v >= b.lo && v <= b.hi
}

/// Every recorded spell lasts at least a month and is in post in a reported
/// month (1 or later).
fn spells_touch_the_horizon(r: &ReplicationResult, out: &mut Vec<String>) {
    let ceo = r
        .spells
        .iter()
        .map(|s| (s.trust_id, "CEO", s.start_month, s.end_month));
    let exec = r
        .exec_spells
        .iter()
        .map(|s| (s.trust_id, "executive", s.start_month, s.end_month));
    for (trust, who, start, end) in ceo.chain(exec) {
        if end < start.max(1) {
            out.push(format!(
                "trust {trust}: a {who} spell from month {start} to {end} is not in post in a reported month"
            ));
        }
    }
}

/// Every invariant violated by `r` (empty when all hold), at most 20.
pub fn check(r: &ReplicationResult) -> Vec<String> {
    let mut out = Vec::new();
    for m in &r.trust_months {
        for b in BOUNDS {
            let v = (b.record)(m);
            if !inside(v, b) {
                out.push(format!(
                    "trust {} month {}: {} = {v} outside {}-{}",
                    m.trust_id, m.month, b.what, b.lo, b.hi
                ));
            }
        }
        if m.staff_in_post > m.establishment {
            out.push(format!(
                "trust {} month {}: {} staff in post for {} posts",
                m.trust_id, m.month, m.staff_in_post, m.establishment
            ));
        }
        if m.trust_type != TrustType::Acute && !m.mortality_ratio.is_nan() {
            out.push(format!(
                "trust {} month {}: a mortality ratio is published for a non-acute trust",
                m.trust_id, m.month
            ));
        }
    }
    exec_posts_follow_on(&r.exec_spells, &mut out);
    exec_vacancies_match_spells(r, &mut out);
    spells_touch_the_horizon(r, &mut out);
    let mut spells: BTreeMap<u32, Vec<&CeoSpell>> = BTreeMap::new();
    for s in &r.spells {
        spells.entry(s.trust_id).or_default().push(s);
    }
    for list in spells.values_mut() {
        list.sort_by_key(|s| s.start_month);
        for w in list.windows(2) {
            if w[0].end_month + 1 != w[1].start_month {
                out.push(format!(
                    "trust {}: spell of CEO {} ends in month {} but the next (CEO {}) starts in {}",
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
        let covering: Vec<&&CeoSpell> = spells
            .get(&m.trust_id)
            .map(|l| l.iter().filter(|s| s.covers(m.month)).collect())
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

/// Each executive post's spells follow one another without gap or overlap,
/// and exactly one holder of each post is still in post at the end.
/// Each trust-month's recorded executive vacancy share is the share of the
/// trust's executive spells covering that month that are interim.
fn exec_vacancies_match_spells(r: &ReplicationResult, out: &mut Vec<String>) {
    let mut by_trust: BTreeMap<u32, Vec<&ExecSpell>> = BTreeMap::new();
    for s in &r.exec_spells {
        by_trust.entry(s.trust_id).or_default().push(s);
    }
    for m in &r.trust_months {
        let Some(list) = by_trust.get(&m.trust_id) else {
            continue;
        };
        let covering: Vec<&&ExecSpell> = list.iter().filter(|s| s.covers(m.month)).collect();
        let interim = covering.iter().filter(|s| s.interim).count() as f64;
        let share = interim / covering.len().max(1) as f64;
        if (share - m.exec_vacancy_share).abs() > 1e-9 {
            out.push(format!(
                "trust {} month {}: executive vacancy share {} but {} of {} spells in post are interim",
                m.trust_id,
                m.month,
                m.exec_vacancy_share,
                interim,
                covering.len()
            ));
        }
    }
}

fn exec_posts_follow_on(spells: &[ExecSpell], out: &mut Vec<String>) {
    let mut by_post: BTreeMap<(u32, u8), Vec<&ExecSpell>> = BTreeMap::new();
    for s in spells {
        by_post.entry((s.trust_id, s.post)).or_default().push(s);
    }
    for ((trust, post), list) in &mut by_post {
        list.sort_by_key(|s| s.start_month);
        for w in list.windows(2) {
            if w[0].end_month + 1 != w[1].start_month {
                out.push(format!(
                    "trust {trust} executive post {post}: a spell ends in month {} but the next starts in {}",
                    w[0].end_month, w[1].start_month
                ));
            }
        }
        if list.iter().filter(|s| s.censored).count() != 1 {
            out.push(format!(
                "trust {trust} executive post {post}: not exactly one holder at the end"
            ));
        }
    }
}

impl Trust {
    /// Violations of the per-step invariants of this trust's state.
    pub fn step_violations(&self) -> Vec<String> {
        let mut v: Vec<String> = BOUNDS
            .iter()
            .filter_map(|b| {
                let x = (b.state?)(self);
                (!inside(x, b)).then(|| format!("trust {}: {} {x}", self.index, b.what))
            })
            .collect();
        if self.tally.in_post > self.establishment {
            v.push(format!(
                "trust {}: {} in post for {} posts",
                self.index, self.tally.in_post, self.establishment
            ));
        }
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
