//! Timed changes: parameter values that take effect from a reported month
//! on (a policy switched on in month 24), on top of the scenario's values.
//!
//! A change is kept twice: as the settings it was given (dotted key and
//! value, so that it can be shown, stored in a manifest and re-applied to an
//! edited scenario) and as the whole checked parameter tree in effect from
//! its month (earlier changes included), which is what the model reads.
//! Parameters that are used only when the trusts are built, or that fix the
//! shape of the run, cannot change during it: [`fixed_at_start`] says which
//! and why, and [`Params::with_changes`] refuses them.

use super::{Params, RangeSink, RawParams};

/// Parameter values in effect from a reported month on.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedChange {
    /// The first reported month (1 = the first month after burn-in)
    /// simulated with the changed values.
    pub month: u32,
    /// What the change is, in words (optional).
    pub description: String,
    /// The settings, as dotted key and value, in the order given.
    pub set: Vec<(String, toml::Value)>,
    /// The whole checked tree in effect from `month` (earlier changes
    /// included); its own list of changes is empty.
    pub params: Params,
}

/// Why `key` cannot change during a run, if it cannot: it fixes the shape of
/// the run (run control, trust counts and sizes, posts per board or team)
/// or it is read only when the trusts are built, so a later change would
/// silently do nothing.
pub fn fixed_at_start(key: &str) -> Option<&'static str> {
    const INIT_ONLY: [&str; 12] = [
        "workforce.initial_vacancy_rate",
        "workforce.labour_market_sd",
        "workforce.london_labour_market",
        "workforce.temporary_staffing_sd",
        "workforce.establishment_recording_sd",
        "staff.sickness_population_slope",
        "staff.sickness_trust_sd",
        "finance.efficiency_sd",
        "mortality.case_mix_sd",
        "outcomes.quality_trust_sd",
        "survey.culture_sd",
        "leaders.clinical_leader_share",
    ];
    const SIZES: [&str; 5] = [
        "count",
        "staff_median_fte",
        "staff_sigma_log",
        "staff_min_fte",
        "staff_max_fte",
    ];
    if key.starts_with("run.") {
        Some("run control is fixed for the whole run")
    } else if key.starts_with("trusts.") && SIZES.iter().any(|s| key.ends_with(&format!(".{s}"))) {
        Some("trust counts and sizes are fixed when the trusts are built")
    } else if key == "trusts.register" {
        Some("the trusts are built from the register at the start")
    } else if key == "board.executives" || key == "staff.team_size" {
        Some("the number of posts is fixed when the trusts are built")
    } else if INIT_ONLY.contains(&key) {
        Some("it is read only when the trusts are built, so a later change would do nothing")
    } else {
        None
    }
}

impl RawParams {
    /// This tree with `set` applied (dotted keys to values of the tree's
    /// types); the error names the first key that does not fit.
    pub fn with_settings(&self, set: &[(String, toml::Value)]) -> Result<RawParams, String> {
        let mut tree = match toml::Value::try_from(self) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err("the parameter tree cannot be represented".into()),
        };
        for (key, value) in set {
            let missing = || format!("`{key}` is not a parameter");
            let (parent, leaf) = key.rsplit_once('.').unwrap_or(("", key));
            let mut table = &mut tree;
            for part in parent.split('.').filter(|p| !p.is_empty()) {
                table = match table.get_mut(part) {
                    Some(toml::Value::Table(sub)) => sub,
                    _ => return Err(missing()),
                };
            }
            match table.get_mut(leaf) {
                Some(v) if !v.is_table() => *v = value.clone(),
                _ => return Err(missing()),
            }
        }
        toml::Value::Table(tree)
            .try_into::<RawParams>()
            .map_err(|e| e.message().trim().to_string())
    }
}

impl Params {
    /// This scenario with `changes` (each a reported month, a description,
    /// its settings and its checked tree) attached, in month order (stable).
    /// Reports to `sink` a month outside the run and any parameter the
    /// changes alter that is [`fixed_at_start`]; `None` if there was any.
    pub fn with_changes(
        mut self,
        mut changes: Vec<TimedChange>,
        sink: &mut dyn RangeSink,
    ) -> Option<Params> {
        changes.sort_by_key(|c| c.month);
        // The starting values, described only if a change needs comparing
        // with them: describing every parameter takes longer than a small
        // replication's writing, and a sweep or a run with parameter sets
        // rebuilds a scenario (most without changes) for every point or set.
        let before = if changes.is_empty() {
            Vec::new()
        } else {
            self.describe()
        };
        let mut ok = true;
        for (i, c) in changes.iter().enumerate() {
            if !(1..=self.run.months).contains(&c.month) {
                ok = false;
                sink.violation(
                    &format!("changes[{i}].month"),
                    c.month.to_string(),
                    &format!(
                        "a reported month from 1 to run.months ({})",
                        self.run.months
                    ),
                );
            }
            for (b, a) in before.iter().zip(c.params.describe()) {
                if b.value != a.value
                    && let Some(why) = fixed_at_start(&b.key)
                {
                    ok = false;
                    sink.violation(
                        &b.key,
                        format!("{} from month {}", a.value, c.month),
                        &format!("no change during the run ({why})"),
                    );
                }
            }
        }
        self.changes = changes.into_iter().map(flatten).collect();
        if !ok {
            return None;
        }
        // The targeted trees are built on the national ones.
        let targeted = std::mem::take(&mut self.targeting.entries);
        self.with_targets(targeted, sink)
    }

    /// The timed changes, in month order.
    pub fn changes(&self) -> &[TimedChange] {
        &self.changes
    }

    /// The parameters in effect in simulated month `month` (0-based,
    /// burn-in included).
    pub fn at(&self, month: u32) -> &Params {
        let reported = i64::from(month) - i64::from(self.run.burn_in_months) + 1;
        self.changes
            .iter()
            .rev()
            .find(|c| i64::from(c.month) <= reported)
            .map_or(self, |c| &c.params)
    }

    /// The first simulated month (0-based) in which the parameters of `self`
    /// and `other` differ, or `None` if they never do before `total`.
    pub fn first_difference(&self, other: &Params) -> Option<u32> {
        let total = self.run.burn_in_months + self.run.months;
        let mut starts: Vec<u32> = [self, other]
            .iter()
            .flat_map(|p| {
                let burn_in = p.run.burn_in_months;
                p.changes
                    .iter()
                    .map(move |c| burn_in + c.month - 1)
                    .chain(p.targeted().iter().map(move |e| e.start(burn_in)))
            })
            .chain([0])
            .collect();
        starts.sort_unstable();
        starts.dedup();
        // The trusts are built from the starting values, so those must agree
        // for any shared history.
        if self.simulated_raw() != other.simulated_raw()
            || self.targeted_at(0) != other.targeted_at(0)
        {
            return Some(0);
        }
        starts.into_iter().filter(|&m| m < total).find(|&m| {
            self.at(m).simulated_raw() != other.at(m).simulated_raw()
                || self.targeted_at(m) != other.targeted_at(m)
        })
    }

    /// The same tree with the run's name, description and replication count
    /// blanked: what decides the simulated numbers of every replication.
    fn simulated_raw(&self) -> RawParams {
        let mut raw = self.raw.clone();
        raw.run.name.clear();
        raw.run.description.clear();
        raw.run.replications = 0;
        raw
    }
}

/// A change's tree never carries changes of its own.
fn flatten(mut c: TimedChange) -> TimedChange {
    c.params.changes.clear();
    c
}
