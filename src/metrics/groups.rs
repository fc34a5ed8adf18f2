//! The trusts a targeted policy is for, and the others: the compared
//! metrics of each group, so a comparison can report the policy's effect
//! where it was aimed, its spill-over onto the rest, and nationally.
//!
//! A policy's group is decided from its entries' targets as the policy
//! starts: who a trust is (code, type, region, ICB), and for a segment or
//! rating target its state in the month before the entry starts (the
//! trusts it reaches then; with `membership = "monthly"` trusts it reaches
//! only later count among the others). The reference and the policy
//! share their history before the policy starts, so the same trusts form
//! the group in both worlds and the difference is paired trust for trust.

use super::window::Window;
use super::{Values, evaluate_window};
use crate::model::ReplicationResult;
use crate::model::params::{TargetedChange, TrustFacts};

/// Which trusts a value covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum TrustGroup {
    /// Every trust (national).
    #[default]
    All,
    /// The trusts a policy is for.
    Targeted,
    /// The other trusts (where a policy spills over).
    Untargeted,
}

impl TrustGroup {
    pub const ALL: [TrustGroup; 3] = [
        TrustGroup::All,
        TrustGroup::Targeted,
        TrustGroup::Untargeted,
    ];
    pub const LABELS: [&'static str; 3] = ["all", "targeted", "untargeted"];
    pub fn as_str(self) -> &'static str {
        Self::LABELS[self as usize]
    }
    /// How tables and charts name the group.
    pub fn label(self) -> &'static str {
        match self {
            TrustGroup::All => "all trusts",
            TrustGroup::Targeted => "targeted trusts",
            TrustGroup::Untargeted => "other trusts",
        }
    }
    /// The group with label `s`.
    pub fn parse(s: &str) -> Option<TrustGroup> {
        Self::LABELS
            .iter()
            .position(|l| *l == s)
            .map(|k| Self::ALL[k])
    }
}

/// A policy whose targeted and other trusts are measured apart: the
/// variant's name and its targeted entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub policy: String,
    pub entries: Vec<TargetedChange>,
}

/// The compared metrics of one group of trusts in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupValues {
    /// The policy whose targets define the group.
    pub policy: String,
    pub trusts: TrustGroup,
    /// Trusts in the group.
    pub count: u32,
    pub whole_run: Values,
    pub final_year: Values,
}

impl GroupValues {
    /// The values of one scope.
    pub fn scope(&self, s: super::Scope) -> &Values {
        match s {
            super::Scope::WholeRun => &self.whole_run,
            super::Scope::FinalYear => &self.final_year,
        }
    }
}

/// Which trusts of `r` the entries `entries` are for (by trust id).
pub fn cohort(r: &ReplicationResult, entries: &[TargetedChange]) -> Vec<bool> {
    let w = Window::horizon(r);
    let mut keep = vec![false; r.trusts.len()];
    for rec in &r.trusts {
        let facts = TrustFacts {
            code: rec.code.clone(),
            kind: rec.trust_type,
            region: rec.region.clone(),
            icb: rec.icb.clone(),
        };
        let reached = entries.iter().any(|e| {
            e.target.matches_facts(&facts)
                && (!e.target.is_dynamic()
                    || w.at(rec.trust_id, e.month.saturating_sub(1))
                        .is_some_and(|m| e.target.matches_state(m.oversight_level, m.rating)))
        });
        if let Some(k) = keep.get_mut(rec.trust_id as usize) {
            *k = reached;
        }
    }
    keep
}

/// The records of the trusts `keep` selects, renumbered from 0 in the same
/// order (so a window over them works as over a whole replication).
pub fn subset(r: &ReplicationResult, keep: &[bool]) -> ReplicationResult {
    let mut new_id = vec![u32::MAX; keep.len()];
    let mut next = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            new_id[i] = next;
            next += 1;
        }
    }
    let map = |id: u32| new_id.get(id as usize).copied().filter(|&n| n != u32::MAX);
    ReplicationResult {
        replication: r.replication,
        trusts: renumbered(&r.trusts, |t| &mut t.trust_id, map),
        trust_months: renumbered(&r.trust_months, |m| &mut m.trust_id, map),
        spells: renumbered(&r.spells, |s| &mut s.trust_id, map),
        exec_spells: renumbered(&r.exec_spells, |s| &mut s.trust_id, map),
        inspections: renumbered(&r.inspections, |i| &mut i.trust_id, map),
        ..ReplicationResult::default()
    }
}

/// The records of `items` whose trust `map` keeps, with the new trust id.
fn renumbered<T: Clone>(
    items: &[T],
    id: fn(&mut T) -> &mut u32,
    map: impl Fn(u32) -> Option<u32>,
) -> Vec<T> {
    items
        .iter()
        .filter_map(|x| {
            let mut x = x.clone();
            let slot = id(&mut x);
            *slot = map(*slot)?;
            Some(x)
        })
        .collect()
}

/// The compared metrics of the targeted and the other trusts of each
/// group in `r`.
pub fn evaluate(r: &ReplicationResult, groups: &[Group]) -> Vec<GroupValues> {
    let mut out = Vec::new();
    for g in groups {
        let targeted = cohort(r, &g.entries);
        for side in [TrustGroup::Targeted, TrustGroup::Untargeted] {
            let keep: Vec<bool> = targeted
                .iter()
                .map(|&t| t == (side == TrustGroup::Targeted))
                .collect();
            let sub = subset(r, &keep);
            let w = Window::horizon(&sub);
            out.push(GroupValues {
                policy: g.policy.clone(),
                trusts: side,
                count: keep.iter().filter(|k| **k).count() as u32,
                whole_run: evaluate_window(&w),
                final_year: evaluate_window(&w.final_year()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{Target, edited};
    use crate::model::{Rating, TrustType};

    fn entry(month: u32, target: Target) -> TargetedChange {
        TargetedChange {
            month,
            description: String::new(),
            target,
            set: vec![],
        }
    }

    #[test]
    fn groups_are_decided_as_the_policy_starts_and_measured_apart() {
        let p = edited(|r| {
            r.run.staff_scale = 0.01;
            r.run.months = 24;
            r.run.burn_in_months = 12;
            r.trusts.acute.count = 6;
            r.trusts.mental_health.count = 2;
            r.trusts.community.count = 1;
            r.trusts.ambulance.count = 1;
        });
        let r = crate::model::engine::run_replication(&p, 0);
        let community = entry(
            5,
            Target {
                types: vec![TrustType::Community],
                ..Target::default()
            },
        );
        assert_eq!(
            cohort(&r, std::slice::from_ref(&community)),
            [
                false, false, false, false, false, false, false, false, true, false
            ]
        );
        let rated = entry(
            5,
            Target {
                rating: Some(Rating::RequiresImprovement),
                ..Target::default()
            },
        );
        let keep = cohort(&r, std::slice::from_ref(&rated));
        for m in r.trust_months.iter().filter(|m| m.month == 4) {
            assert_eq!(
                keep[m.trust_id as usize],
                m.rating >= Rating::RequiresImprovement
            );
        }
        // A subset is renumbered and measured as a replication of its own.
        let sub = subset(&r, &keep);
        let n = keep.iter().filter(|k| **k).count();
        assert_eq!(sub.trust_months.len(), n * 24);
        assert!(sub.trust_months.iter().all(|m| (m.trust_id as usize) < n));
        let all = subset(&r, &[true; 10]);
        assert_eq!(
            format!("{:?}", evaluate_window(&Window::horizon(&all))),
            format!("{:?}", evaluate_window(&Window::horizon(&r)))
        );
        let g = evaluate(
            &r,
            &[Group {
                policy: "p".into(),
                entries: vec![community],
            }],
        );
        assert_eq!(
            g.iter().map(|g| (g.trusts, g.count)).collect::<Vec<_>>(),
            [(TrustGroup::Targeted, 1), (TrustGroup::Untargeted, 9)]
        );
        assert!(g[0].final_year.get("engagement_mean").is_finite());
    }
}
