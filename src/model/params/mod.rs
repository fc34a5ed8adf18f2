//! Model parameters: every number the model uses, grouped by submodel as
//! scenario files group them, with the defaults of the calibrated England
//! baseline.
//!
//! Each submodel's file declares its parameters once (description, type,
//! default, allowed range, unit) with [`schema::section!`]; dotted keys, range
//! checks and the `trustsim params` listing are derived from that
//! declaration. [`RawParams`] is the tree a scenario file fills (any values);
//! [`Params`] is a tree that passed every check, and only
//! [`Params::validate`] makes one (the scenario layer calls it and attaches
//! file names and lines to what it reports). Nothing here reads a file. Each
//! default's source or assumption is in `docs/ODD.md` under the same key.

mod ceo;
mod changes;
mod development;
mod finance;
mod friction;
mod leaders;
mod mortality;
mod oversight;
mod pressures;
pub mod register;
mod regulator;
mod run;
pub mod schema;
mod scope;
mod seasons;
mod staff;
mod survey;
mod targets;
mod trusts;

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::model::TrustType;

pub use ceo::CeoParams;
pub use changes::{TimedChange, fixed_at_start};
pub use development::{DevelopmentParams, Intervention, InterventionKind};
pub use finance::FinanceParams;
pub use friction::FrictionParams;
pub use leaders::{BoardParams, LeaderParams};
pub use mortality::MortalityParams;
pub use oversight::{OutcomeParams, OversightParams};
pub use pressures::{Pressure, Pressures};
pub use register::{TrustRow, is_london};
pub use regulator::RegulatorParams;
pub use run::RunParams;
use schema::{Checker, Section, nested, section};
pub use schema::{ParamInfo, RangeSink};
pub use scope::RunScope;
pub use seasons::SeasonParams;
pub use staff::{StaffParams, WorkforceParams};
pub use survey::SurveyParams;
pub use targets::{
    MAX_STATE_TARGETED, MAX_TARGETED, Membership, Target, TargetedChange, TrustFacts, untargetable,
};
pub use trusts::{TrustTypeParams, TrustTypes};

section! {
    /// The full parameter tree of one scenario, as a file fills it: values
    /// not yet checked.
    pub struct RawParams {
        /// Run control.
        pub run: RunParams = RunParams::default(), nested();
        /// Trust types.
        pub trusts: TrustTypes = TrustTypes::default(), nested();
        /// Staff.
        pub staff: StaffParams = StaffParams::default(), nested();
        /// Workforce.
        pub workforce: WorkforceParams = WorkforceParams::default(), nested();
        /// Team leaders.
        pub leaders: LeaderParams = LeaderParams::default(), nested();
        /// Board.
        pub board: BoardParams = BoardParams::default(), nested();
        /// Chief executive and CEO market.
        pub ceo: CeoParams = CeoParams::default(), nested();
        /// Friction.
        pub friction: FrictionParams = FrictionParams::default(), nested();
        /// Finance.
        pub finance: FinanceParams = FinanceParams::default(), nested();
        /// Oversight.
        pub oversight: OversightParams = OversightParams::default(), nested();
        /// The quality regulator.
        pub regulator: RegulatorParams = RegulatorParams::default(), nested();
        /// Outcomes.
        pub outcomes: OutcomeParams = OutcomeParams::default(), nested();
        /// Mortality.
        pub mortality: MortalityParams = MortalityParams::default(), nested();
        /// Staff survey items.
        pub survey: SurveyParams = SurveyParams::default(), nested();
        /// Development.
        pub development: DevelopmentParams = DevelopmentParams::default(), nested();
        /// National pressures.
        pub pressures: Pressures = Pressures::default(), nested();
        /// Seasons.
        pub seasons: SeasonParams = SeasonParams::default(), nested();
    }
}

/// `key!(p, a.b.c)` is `(p.a.b.c, "a.b.c")`: a value and its dotted key, so
/// cross-field checks never type a key beside its field.
macro_rules! key {
    ($p:expr, $($part:ident).+) => {
        ($p.$($part).+, stringify!($($part).+).replace(' ', ""))
    };
}

impl RawParams {
    /// Reports every out-of-range value and cross-field inconsistency.
    pub fn check(&self, sink: &mut dyn RangeSink) {
        self.visit(&mut Checker::new(sink));
        self.cross_check(sink);
    }

    /// Rules that involve more than one parameter.
    fn cross_check(&self, sink: &mut dyn RangeSink) {
        for (name, t) in ["acute", "mental_health", "community", "ambulance"]
            .iter()
            .zip(self.trusts.all())
        {
            rule(
                sink,
                (t.staff_max_fte, format!("trusts.{name}.staff_max_fte")),
                t.staff_max_fte >= t.staff_min_fte,
                format!(
                    "a number no smaller than trusts.{name}.staff_min_fte ({})",
                    t.staff_min_fte
                ),
            );
        }
        rule(
            sink,
            (
                f64::from(self.trusts.acute.count),
                "trusts.acute.count".into(),
            ),
            self.trusts.total() > 0,
            "at least one trust across trusts.*.count".into(),
        );
        self.cross_check_register(sink);
        let s = &self.staff;
        rule(
            sink,
            key!(self, staff.peer_weight),
            s.engagement_adjust_rate + s.peer_weight <= 1.0,
            "a value with staff.engagement_adjust_rate + staff.peer_weight at most 1".into(),
        );
        let c = &self.ceo;
        rule(
            sink,
            key!(self, ceo.first_time_weight),
            c.internal_weight + c.move_weight + c.returner_weight + c.first_time_weight > 0.0,
            "weights with ceo.internal_weight + move_weight + returner_weight + first_time_weight above 0".into(),
        );
        self.cross_check_regulation(sink);
        self.cross_check_development(sink);
    }

    /// A register's rows are in range, its codes unique, and the counts are
    /// the register's (the scenario loader sets them from it).
    fn cross_check_register(&self, sink: &mut dyn RangeSink) {
        let t = &self.trusts;
        if t.register.is_empty() != t.rows.is_empty() {
            sink.violation(
                "trusts.register",
                format!("{:?} with {} rows", t.register, t.rows.len()),
                "a register file read by the scenario loader (rows only with a register)",
            );
        }
        if t.rows.is_empty() {
            return;
        }
        for (i, r) in t.rows.iter().enumerate() {
            for (col, value, allowed) in r.problems() {
                sink.violation(&format!("trusts.rows[{i}].{col}"), value, &allowed);
            }
            if t.rows[..i].iter().any(|o| o.code == r.code) {
                sink.violation(
                    &format!("trusts.rows[{i}].code"),
                    format!("{:?}", r.code),
                    "a code not used by an earlier row",
                );
            }
        }
        let n = register::counts(&t.rows);
        for ((name, tp), n) in TrustType::LABELS.iter().zip(t.all()).zip(n) {
            rule(
                sink,
                (f64::from(tp.count), format!("trusts.{name}.count")),
                tp.count == n,
                format!("{n}, the number of {name} trusts in the register"),
            );
        }
    }

    /// Cross-field rules of oversight, the regulator and the rating cut-offs.
    fn cross_check_regulation(&self, sink: &mut dyn RangeSink) {
        let o = &self.oversight;
        rule(
            sink,
            key!(self, oversight.targeted_concern_below),
            o.targeted_concern_below >= o.mandated_concern_below,
            format!(
                "a number no smaller than oversight.mandated_concern_below ({})",
                o.mandated_concern_below
            ),
        );
        rule(
            sink,
            key!(self, oversight.financial_special_measures_deficit_share),
            o.financial_special_measures_deficit_share >= o.mandated_deficit_share,
            format!(
                "a number no smaller than oversight.mandated_deficit_share ({})",
                o.mandated_deficit_share
            ),
        );
        let r = &self.regulator;
        rule(
            sink,
            key!(self, regulator.reinspect_inadequate_months),
            r.reinspect_inadequate_months <= r.interval_requires_improvement_months
                && r.interval_requires_improvement_months <= r.interval_good_months
                && r.interval_good_months <= r.interval_outstanding_months,
            "intervals with inadequate <= requires improvement <= good <= outstanding".into(),
        );
        let q = &self.outcomes;
        rule(
            sink,
            key!(self, outcomes.good_above),
            q.requires_improvement_above <= q.good_above && q.good_above <= q.outstanding_above,
            "cut-offs with requires_improvement_above <= good_above <= outstanding_above".into(),
        );
    }

    /// The intervention budget shares sum to at most 1.
    fn cross_check_development(&self, sink: &mut dyn RangeSink) {
        let shares: f64 = self
            .development
            .interventions()
            .iter()
            .map(|i| i.budget_share)
            .sum();
        if shares > 1.0 + 1e-9 {
            sink.violation(
                "development.mary_seacole.budget_share",
                format!("{shares} in total"),
                "budget shares of the seven interventions summing to at most 1",
            );
        }
    }

    /// Every parameter with its current value, allowed range, unit and
    /// description, in declaration order.
    pub fn describe(&self) -> Vec<ParamInfo> {
        schema::describe(self)
    }
}

/// A parameter tree that passed [`RawParams::check`]: the only kind the
/// model runs. Read it like a [`RawParams`] (it derefs to the values in
/// effect from the start); [`Params::at`] gives the values of a month when
/// the scenario has timed changes. Change it by editing [`Params::to_raw`]
/// and validating again.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    raw: RawParams,
    changes: Vec<TimedChange>,
    targeting: targets::Targeting,
}

impl Params {
    /// Checks `raw`; every problem goes to `sink` and `None` is returned if
    /// there was any. Only the scenario layer calls this (clippy enforces
    /// it), so that every problem is reported with its file and line.
    pub fn validate(raw: RawParams, sink: &mut dyn RangeSink) -> Option<Params> {
        let mut any = Count { sink, n: 0 };
        raw.check(&mut any);
        (any.n == 0).then_some(Params {
            raw,
            changes: vec![],
            targeting: targets::Targeting::default(),
        })
    }

    /// A copy of the tree in effect from the start, to edit (then validate
    /// again and re-apply the changes with [`Params::reapply_changes`]).
    pub fn to_raw(&self) -> RawParams {
        self.raw.clone()
    }

    /// `base` with this scenario's timed changes applied on top of it again
    /// (for a sweep point or an edited scenario); problems go to `sink`.
    /// `base` is already checked, and so is every tree made here.
    #[allow(clippy::disallowed_methods)]
    pub fn reapply_changes(&self, base: Params, sink: &mut dyn RangeSink) -> Option<Params> {
        let mut changes = Vec::new();
        let mut tree = base.to_raw();
        for c in &self.changes {
            tree = match tree.with_settings(&c.set) {
                Ok(t) => t,
                Err(e) => {
                    sink.violation(&format!("changes (month {})", c.month), e, "a parameter");
                    return None;
                }
            };
            changes.push(TimedChange {
                params: Params::validate(tree.clone(), sink)?,
                ..c.clone()
            });
        }
        base.with_changes(changes, sink)?
            .with_targets(self.targeting.entries.clone(), sink)
    }
}

impl Default for Params {
    /// The calibrated England baseline (valid by construction; a test checks).
    fn default() -> Self {
        Params {
            raw: RawParams::default(),
            changes: vec![],
            targeting: targets::Targeting::default(),
        }
    }
}

impl Deref for Params {
    type Target = RawParams;
    fn deref(&self) -> &RawParams {
        &self.raw
    }
}

/// The stored form of a timed change.
#[derive(Serialize, Deserialize)]
struct StoredChange {
    month: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    /// Which trusts a targeted entry reaches (absent: every trust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<Target>,
    set: toml::Table,
}

impl Serialize for Params {
    /// The tree in effect from the start, then (if any) a `changes` array
    /// of `{ month, description, set = { "dotted.key" = value } }`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.changes.is_empty() && self.targeting.entries.is_empty() {
            return self.raw.serialize(s);
        }
        let mut tree = match toml::Value::try_from(&self.raw) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(serde::ser::Error::custom("unrepresentable parameters")),
        };
        let stored: Vec<StoredChange> = self
            .changes
            .iter()
            .map(|c| StoredChange {
                month: c.month,
                description: c.description.clone(),
                target: None,
                set: c.set.iter().cloned().collect(),
            })
            .chain(self.targeting.entries.iter().map(|e| StoredChange {
                month: e.month,
                description: e.description.clone(),
                target: Some(e.target.clone()),
                set: e.set.iter().cloned().collect(),
            }))
            .collect();
        let changes = toml::Value::try_from(stored).map_err(serde::ser::Error::custom)?;
        tree.insert("changes".into(), changes);
        tree.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Params {
    /// A stored parameter tree (a manifest's) is checked again on reading.
    #[allow(clippy::disallowed_methods)]
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut tree = toml::Table::deserialize(d)?;
        let stored: Vec<StoredChange> = match tree.remove("changes") {
            Some(v) => v.try_into().map_err(D::Error::custom)?,
            None => vec![],
        };
        let raw: RawParams = toml::Value::Table(tree)
            .try_into()
            .map_err(D::Error::custom)?;
        let mut problems = Vec::new();
        let base = Params::validate(raw, &mut problems);
        let changed = base.and_then(|base| {
            let (national, targeted): (Vec<StoredChange>, Vec<StoredChange>) =
                stored.into_iter().partition(|c| c.target.is_none());
            let template = Params {
                raw: base.raw.clone(),
                changes: national
                    .into_iter()
                    .map(|c| TimedChange {
                        month: c.month,
                        description: c.description,
                        set: c.set.into_iter().collect(),
                        params: Params::default(),
                    })
                    .collect(),
                targeting: targets::Targeting {
                    entries: targeted
                        .into_iter()
                        .map(|c| TargetedChange {
                            month: c.month,
                            description: c.description,
                            target: c.target.unwrap_or_default(),
                            set: c.set.into_iter().collect(),
                        })
                        .collect(),
                    ..Default::default()
                },
            };
            template.reapply_changes(base, &mut problems)
        });
        changed.ok_or_else(|| D::Error::custom(problems.join("; ")))
    }
}

impl RangeSink for Vec<String> {
    fn violation(&mut self, key: &str, value: String, allowed: &str) {
        self.push(format!(
            "{key} = {value} is out of range; allowed: {allowed}"
        ));
    }
}

struct Count<'a> {
    sink: &'a mut dyn RangeSink,
    n: usize,
}

impl RangeSink for Count<'_> {
    fn violation(&mut self, key: &str, value: String, allowed: &str) {
        self.n += 1;
        self.sink.violation(key, value, allowed);
    }
}

/// Test helper: the defaults edited by `f` and validated (panics on an edit
/// that does not validate).
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn edited(f: impl FnOnce(&mut RawParams)) -> Params {
    let mut raw = RawParams::default();
    f(&mut raw);
    let mut problems: Vec<String> = vec![];
    Params::validate(raw, &mut problems).unwrap_or_else(|| panic!("{problems:?}"))
}

/// Test helper: a small world for tests that simulate whole replications
/// (ten trusts at 1 % of their staff, 36 reported months after 12 of
/// burn-in).
#[cfg(test)]
pub(crate) fn tiny(p: &mut RawParams) {
    p.run.staff_scale = 0.01;
    p.run.months = 36;
    p.run.burn_in_months = 12;
    p.trusts.acute.count = 6;
    p.trusts.mental_health.count = 2;
    p.trusts.community.count = 1;
    p.trusts.ambulance.count = 1;
}

/// Reports `key` (with its value `v`) as a violation unless `ok`.
fn rule(sink: &mut dyn RangeSink, (v, key): (f64, String), ok: bool, allowed: String) {
    if !ok {
        sink.violation(&key, format!("{v}"), &allowed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let mut c: Vec<String> = vec![];
        RawParams::default().check(&mut c);
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn out_of_range_values_are_reported_by_key() {
        let mut p = RawParams::default();
        p.staff.sickness_recovery = 0.0;
        p.run.staff_scale = f64::NAN;
        let mut c: Vec<String> = vec![];
        assert!(Params::validate(p, &mut c).is_none());
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(c[0].starts_with("run.staff_scale = NaN"), "{c:?}");
        assert!(c[1].starts_with("staff.sickness_recovery = 0"), "{c:?}");
    }

    #[test]
    fn cross_field_rules_name_the_key() {
        let mut p = RawParams::default();
        p.oversight.targeted_concern_below = -5.0;
        p.staff.peer_weight = 0.95;
        let mut c: Vec<String> = vec![];
        p.check(&mut c);
        assert!(
            c.iter().any(|m| m.starts_with("staff.peer_weight = 0.95")),
            "{c:?}"
        );
        assert!(
            c.iter()
                .any(|m| m.starts_with("oversight.targeted_concern_below = -5")),
            "{c:?}"
        );
    }

    #[test]
    fn every_parameter_has_a_key_a_description_and_a_unit_where_numeric() {
        let all = RawParams::default().describe();
        assert!(all.len() > 200, "{}", all.len());
        let mut keys: Vec<&str> = all.iter().map(|p| p.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "duplicate keys");
        for p in &all {
            assert!(!p.description.is_empty(), "{}", p.key);
            let numeric = p.allowed.starts_with("a number") || p.allowed.starts_with("an integer");
            assert!(!numeric || !p.unit.is_empty(), "{} has no unit", p.key);
        }
    }

    #[test]
    fn a_stored_tree_is_checked_again_when_read() {
        let mut raw = RawParams::default();
        raw.run.months = 5;
        let json = serde_json::to_value(&raw).unwrap();
        let err = serde_json::from_value::<Params>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("run.months = 5"), "{err}");
        let ok = serde_json::to_value(Params::default()).unwrap();
        assert_eq!(
            serde_json::from_value::<Params>(ok).unwrap(),
            Params::default()
        );
    }
}
