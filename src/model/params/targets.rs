//! Values for some trusts only: a policy one trust's board adopts, support
//! for the trusts in the highest oversight segment, a regional scheme.
//!
//! A targeted entry is a [`TargetedChange`]: settings (dotted key and
//! value, as a timed change gives them), the first reported month they take
//! effect (0: the whole run, burn-in included, so the trusts it reaches are
//! also built with them) and a [`Target`] saying which trusts they reach.
//! A trust steps each month with the national tree of that month
//! ([`Params::at`]) with the settings of every entry that reaches it
//! applied on top, in entry order; the CEO market fills a trust's vacancy
//! with that trust's tree, so a policy that makes one trust more attractive
//! draws candidates from the others (the spill-over). Every tree a trust
//! can step with is built and checked when the scenario is loaded
//! ([`Params::with_targets`]), so a combination that breaks a rule is
//! refused before anything runs.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Params, RangeSink, RawParams, fixed_at_start};
use crate::model::{Rating, TrustType};

/// Most targeted entries one scenario may hold (a trust's entries are the
/// bits of a 64-bit mask).
pub const MAX_TARGETED: usize = 64;

/// Most entries targeted by segment or rating (a trust can be in or out of
/// each, so every combination is built in advance).
pub const MAX_STATE_TARGETED: usize = 6;

/// How the trusts a segment or rating target reaches are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// Once, on each trust's state at the end of the month before the
    /// change starts; the same trusts from then on (a cohort, as a funding
    /// allocation or a programme's intake).
    #[default]
    Fixed,
    /// Every month, on each trust's state at the end of the month before:
    /// trusts join when they enter the segment or rating and leave when they
    /// exit it (as support that follows the oversight segment).
    Monthly,
}

impl Membership {
    pub const LABELS: [&'static str; 2] = ["fixed", "monthly"];

    fn is_fixed(&self) -> bool {
        *self == Membership::Fixed
    }
}

/// Which trusts an entry reaches: those matching every criterion given
/// (within a criterion, any of its values).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Organisation codes (the register's, or `T001`... for drawn trusts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusts: Vec<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TrustType>,
    /// NHS England regions (register trusts only).
    #[serde(default, rename = "region", skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Integrated care boards (register trusts only).
    #[serde(default, rename = "icb", skip_serializing_if = "Vec::is_empty")]
    pub icbs: Vec<String>,
    /// Oversight segments (1-4) in the month before (timed changes only).
    #[serde(default, rename = "segment", skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<u8>,
    /// Rated this or worse in the month before (timed changes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Membership::is_fixed")]
    pub membership: Membership,
}

/// What a target can tell apart before the run: a trust's code, type,
/// region and ICB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustFacts {
    pub code: String,
    pub kind: TrustType,
    pub region: Option<String>,
    pub icb: Option<String>,
}

impl TrustFacts {
    /// The names drawn trusts carry in the outputs (`Acute trust 3`).
    pub fn drawn_names(facts: &[TrustFacts]) -> Vec<String> {
        let mut seen = [0u32; 4];
        facts
            .iter()
            .map(|f| {
                seen[f.kind as usize] += 1;
                format!("{} trust {}", f.kind.title(), seen[f.kind as usize])
            })
            .collect()
    }
}

impl Target {
    /// Whether it depends on the trusts' state during the run (segment or
    /// rating), not only on who they are.
    pub fn is_dynamic(&self) -> bool {
        !self.segments.is_empty() || self.rating.is_some()
    }

    /// Whether a trust with these facts can be reached (its state aside).
    pub fn matches_facts(&self, f: &TrustFacts) -> bool {
        let any = |list: &[String], v: Option<&String>| {
            list.is_empty() || v.is_some_and(|v| list.contains(v))
        };
        (self.trusts.is_empty() || self.trusts.contains(&f.code))
            && (self.types.is_empty() || self.types.contains(&f.kind))
            && any(&self.regions, f.region.as_ref())
            && any(&self.icbs, f.icb.as_ref())
    }

    /// Whether a trust in oversight segment `segment` rated `rating` meets
    /// the state criteria.
    pub fn matches_state(&self, segment: u8, rating: Rating) -> bool {
        (self.segments.is_empty() || self.segments.contains(&segment))
            && self.rating.is_none_or(|r| rating >= r)
    }

    /// The target in words: `trusts RXX and RYY`, `acute trusts in London`,
    /// `trusts in oversight segment 4 (decided in the month before it starts)`.
    pub fn describe(&self) -> String {
        let mut s = if self.types.is_empty() {
            "trusts".to_string()
        } else {
            let names: Vec<String> = self
                .types
                .iter()
                .map(|t| t.title().to_lowercase())
                .collect();
            format!("{} trusts", join_or(&names))
        };
        if !self.trusts.is_empty() {
            s = format!("{s} {}", join_and(&self.trusts));
        }
        if !self.regions.is_empty() {
            s = format!("{s} in {}", join_or(&self.regions));
        }
        if !self.icbs.is_empty() {
            s = format!("{s} in ICB {}", join_or(&self.icbs));
        }
        let mut state = vec![];
        if !self.segments.is_empty() {
            let segs: Vec<String> = self.segments.iter().map(u8::to_string).collect();
            state.push(format!("in oversight segment {}", join_or(&segs)));
        }
        if let Some(r) = self.rating {
            state.push(format!("rated {} or worse", r.as_str().replace('_', " ")));
        }
        if !state.is_empty() {
            s = format!(
                "{s} {} ({})",
                state.join(" and "),
                match self.membership {
                    Membership::Fixed => "decided once, in the month before it starts",
                    Membership::Monthly => "decided every month, on the month before",
                }
            );
        }
        s
    }
}

fn join_with(v: &[String], word: &str) -> String {
    match v {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn join_or(v: &[String]) -> String {
    join_with(v, "or")
}

fn join_and(v: &[String]) -> String {
    join_with(v, "and")
}

/// Settings for the trusts a target reaches, from a reported month on.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetedChange {
    /// The first reported month with the settings; 0: the whole run,
    /// burn-in included (a scenario value for these trusts).
    pub month: u32,
    pub description: String,
    pub target: Target,
    /// The settings, as dotted key and value, in the order given.
    pub set: Vec<(String, toml::Value)>,
}

impl TargetedChange {
    /// The simulated month (0-based) it starts in, for a run with
    /// `burn_in` months of burn-in.
    pub fn start(&self, burn_in: u32) -> u32 {
        if self.month == 0 {
            0
        } else {
            burn_in + self.month - 1
        }
    }

    /// Whether the entry decides its trusts by state once, at its start.
    fn decided_once(&self) -> bool {
        self.target.is_dynamic() && self.target.membership == Membership::Fixed
    }
}

/// Why `key` cannot be targeted (from reported month `month`, 0 for the
/// whole run), if it cannot.
pub fn untargetable(key: &str, month: u32) -> Option<&'static str> {
    if key.starts_with("run.") {
        Some("run control is the same for every trust")
    } else if key.starts_with("trusts.") {
        Some("trust counts, sizes and the register describe all trusts")
    } else if key == "board.executives" || key == "staff.team_size" {
        Some("the number of posts per board and team is the same in every trust")
    } else if month > 0 {
        fixed_at_start(key)
    } else {
        None
    }
}

/// The targeted entries of a scenario and every parameter tree a trust can
/// step with.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Targeting {
    /// In month order (stable).
    pub entries: Vec<TargetedChange>,
    /// Per trust: the entries whose code, type, region and ICB match it.
    pub(super) reach: Vec<u64>,
    /// Entries whose trusts depend on state.
    pub(super) dynamic: u64,
    /// (first simulated month, mask of entries, tree), in month order.
    pub(super) trees: Vec<(u32, u64, Params)>,
}

impl RawParams {
    /// Code, type, region and ICB of every trust, in trust order: the
    /// register's rows, or the drawn trusts (`T001`..., by type in turn).
    pub fn trust_facts(&self) -> Vec<TrustFacts> {
        if !self.trusts.rows.is_empty() {
            return self
                .trusts
                .rows
                .iter()
                .map(|r| TrustFacts {
                    code: r.code.clone(),
                    kind: r.kind,
                    region: Some(r.region.clone()),
                    icb: r.icb.clone(),
                })
                .collect();
        }
        let mut out = Vec::new();
        for (k, tp) in self.trusts.all().iter().enumerate() {
            for _ in 0..tp.count {
                out.push(TrustFacts {
                    code: super::register::synthetic_code(out.len() as u32),
                    kind: TrustType::ALL[k],
                    region: None,
                    icb: None,
                });
            }
        }
        out
    }
}

impl Params {
    /// This scenario with the targeted entries `entries` attached: checks
    /// that each reaches at least one trust and sets only what can be
    /// targeted, then builds and checks every tree a trust can step with.
    /// Reports problems to `sink` (keys `targeted[i]...` in month order);
    /// `None` if there was any. (The scenario layer checks each entry first
    /// and passes a sink that attributes a value to where it was set.)
    #[allow(clippy::disallowed_methods)]
    pub fn with_targets(
        mut self,
        mut entries: Vec<TargetedChange>,
        sink: &mut dyn RangeSink,
    ) -> Option<Params> {
        if entries.is_empty() {
            self.targeting = Targeting::default();
            return Some(self);
        }
        entries.sort_by_key(|e| e.month);
        let facts = self.trust_facts();
        let mut ok = true;
        if entries.len() > MAX_TARGETED {
            sink.violation(
                "targeted entries",
                entries.len().to_string(),
                &format!("at most {MAX_TARGETED} `[[for_trusts]]` and targeted `[[changes]]` entries in one scenario"),
            );
            return None;
        }
        let dynamic_count = entries.iter().filter(|e| e.target.is_dynamic()).count();
        if dynamic_count > MAX_STATE_TARGETED {
            sink.violation(
                "targeted entries",
                format!("{dynamic_count} targeted by segment or rating"),
                &format!("at most {MAX_STATE_TARGETED} entries targeted by segment or rating"),
            );
            return None;
        }
        let mut reach = vec![0u64; facts.len()];
        let mut dynamic = 0u64;
        for (k, e) in entries.iter().enumerate() {
            let bit = 1u64 << k;
            if e.target.is_dynamic() {
                dynamic |= bit;
            }
            let mut any = false;
            for (t, f) in facts.iter().enumerate() {
                if e.target.matches_facts(f) {
                    reach[t] |= bit;
                    any = true;
                }
            }
            if !any {
                ok = false;
                sink.violation(
                    &format!("targeted[{k}]"),
                    e.target.describe(),
                    "a target that reaches at least one trust of the scenario",
                );
            }
            if e.target.is_dynamic() && e.month < 2 {
                ok = false;
                sink.violation(
                    &format!("targeted[{k}].month"),
                    e.month.to_string(),
                    "a reported month from 2 on for a target by segment or rating: its trusts are decided on their state in the month before, which must be reported",
                );
            }
            if e.month > self.run.months {
                ok = false;
                sink.violation(
                    &format!("targeted[{k}].month"),
                    e.month.to_string(),
                    &format!(
                        "a reported month from 1 to run.months ({})",
                        self.run.months
                    ),
                );
            }
            for (key, _) in &e.set {
                if let Some(why) = untargetable(key, e.month) {
                    ok = false;
                    sink.violation(
                        key,
                        format!("for {}", e.target.describe()),
                        &format!("no value for some trusts only ({why})"),
                    );
                }
            }
        }
        if !ok {
            return None;
        }
        let burn_in = self.run.burn_in_months;
        let mut starts: Vec<u32> = entries
            .iter()
            .map(|e| e.start(burn_in))
            .chain(self.changes.iter().map(|c| burn_in + c.month - 1))
            .chain([0])
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let mut trees = Vec::new();
        for &from in &starts {
            let active = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.start(burn_in) <= from)
                .fold(0u64, |m, (k, _)| m | 1 << k);
            let mut masks = BTreeSet::new();
            for r in &reach {
                let fixed = r & active & !dynamic;
                let free = r & active & dynamic;
                // Every subset of the state-dependent entries.
                let mut sub = free;
                loop {
                    masks.insert(fixed | sub);
                    if sub == 0 {
                        break;
                    }
                    sub = (sub - 1) & free;
                }
            }
            masks.remove(&0);
            let national = self.at(from).to_raw();
            for mask in masks {
                let mut tree = national.clone();
                for (k, e) in entries.iter().enumerate() {
                    if mask & (1 << k) != 0 {
                        tree = match tree.with_settings(&e.set) {
                            Ok(t) => t,
                            Err(why) => {
                                sink.violation(&format!("targeted[{k}].set"), why, "a parameter");
                                return None;
                            }
                        };
                    }
                }
                let checked = Params::validate(tree, sink)?;
                trees.push((from, mask, checked));
            }
        }
        self.targeting = Targeting {
            entries,
            reach,
            dynamic,
            trees,
        };
        Some(self)
    }

    /// The targeted entries, in month order.
    pub fn targeted(&self) -> &[TargetedChange] {
        &self.targeting.entries
    }

    /// The trusts (indices) that entry `k` can reach by code, type, region
    /// and ICB (its state criteria aside).
    pub fn reach_of(&self, k: usize) -> Vec<u32> {
        self.targeting
            .reach
            .iter()
            .enumerate()
            .filter(|(_, r)| *r & (1 << k) != 0)
            .map(|(t, _)| t as u32)
            .collect()
    }

    /// Decides, for trust `trust` at the start of simulated month `month`
    /// in segment `segment` rated `rating` (its state at the end of the
    /// month before), which of the entries that decide their trusts once
    /// start now and reach it; adds them to `decided`.
    pub fn decide(&self, month: u32, trust: usize, segment: u8, rating: Rating, decided: &mut u64) {
        let tg = &self.targeting;
        let burn_in = self.run.burn_in_months;
        for (k, e) in tg.entries.iter().enumerate() {
            let bit = 1u64 << k;
            if e.decided_once()
                && e.start(burn_in) == month
                && tg.reach.get(trust).is_some_and(|r| r & bit != 0)
                && e.target.matches_state(segment, rating)
            {
                *decided |= bit;
            }
        }
    }

    /// The entries that reach trust `trust` in simulated month `month`, as
    /// a mask (bit k: entry k), given its state at the end of the month
    /// before and the entries `decided` for it once.
    pub fn reach_mask(
        &self,
        month: u32,
        trust: usize,
        segment: u8,
        rating: Rating,
        decided: u64,
    ) -> u64 {
        let tg = &self.targeting;
        let Some(&reach) = tg.reach.get(trust) else {
            return 0;
        };
        let burn_in = self.run.burn_in_months;
        let mut mask = 0;
        for (k, e) in tg.entries.iter().enumerate() {
            let bit = 1u64 << k;
            if reach & bit == 0 || e.start(burn_in) > month {
                continue;
            }
            let on = if tg.dynamic & bit == 0 {
                true
            } else if e.decided_once() {
                decided & bit != 0
            } else {
                e.target.matches_state(segment, rating)
            };
            if on {
                mask |= bit;
            }
        }
        mask
    }

    /// The tree a trust reached by the entries `mask` steps with in
    /// simulated month `month` (the national tree when `mask` is 0).
    pub fn for_trust(&self, month: u32, mask: u64) -> &Params {
        if mask == 0 {
            return self.at(month);
        }
        self.targeting
            .trees
            .iter()
            .rev()
            .find(|(from, m, _)| *from <= month && *m == mask)
            .map_or_else(|| self.at(month), |(_, _, p)| p)
    }

    /// The entries in effect in simulated month `month`.
    pub(super) fn targeted_at(&self, month: u32) -> Vec<&TargetedChange> {
        let burn_in = self.run.burn_in_months;
        self.targeting
            .entries
            .iter()
            .filter(|e| e.start(burn_in) <= month)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(code: &str, kind: TrustType, region: &str) -> TrustFacts {
        TrustFacts {
            code: code.into(),
            kind,
            region: Some(region.into()),
            icb: None,
        }
    }

    #[test]
    fn a_target_matches_every_criterion_and_any_value_within_one() {
        let t = Target {
            types: vec![TrustType::Acute, TrustType::Community],
            regions: vec!["London".into()],
            ..Target::default()
        };
        assert!(t.matches_facts(&facts("R1", TrustType::Acute, "London")));
        assert!(t.matches_facts(&facts("R2", TrustType::Community, "London")));
        assert!(!t.matches_facts(&facts("R3", TrustType::Ambulance, "London")));
        assert!(!t.matches_facts(&facts("R4", TrustType::Acute, "South West")));
        let drawn = TrustFacts {
            region: None,
            ..facts("T001", TrustType::Acute, "")
        };
        assert!(!t.matches_facts(&drawn));
        let r = Target {
            rating: Some(Rating::RequiresImprovement),
            segments: vec![3, 4],
            ..Target::default()
        };
        assert!(r.matches_state(4, Rating::Inadequate));
        assert!(r.matches_state(3, Rating::RequiresImprovement));
        assert!(!r.matches_state(4, Rating::Good));
        assert!(!r.matches_state(2, Rating::Inadequate));
        assert_eq!(
            t.describe(),
            "acute or community trusts in London",
            "{}",
            t.describe()
        );
        assert_eq!(
            r.describe(),
            "trusts in oversight segment 3 or 4 and rated requires improvement or worse (decided once, in the month before it starts)"
        );
    }
}
