//! The schedule of one replication: build the trusts, then each month advance
//! the environment, step every trust (in parallel: each trust draws only from
//! its own streams), run the CEO labour market in trust order, and record the
//! month once burn-in is over.

use rayon::prelude::*;

use super::calendar::Calendar;
use super::environment::Environment;
use super::leaders::Executive;
use super::market::{EndedSpell, Market};
use super::params::Params;
use super::records::{
    CeoSpell, ExecSpell, InspectionRecord, ReplicationResult, TrustMonth, TrustRecord,
};
use super::rng::{StreamName, global_stream};
use super::trust::{EndedExec, ExecExit, Trust};
use super::{ExitRoute, TrustType};

fn spell(rep: u32, e: &EndedSpell, cal: Calendar, censored: bool) -> CeoSpell {
    let burn_in = cal.burn_in;
    let start_month = e.ceo.start_month - burn_in as i32 + 1;
    let end_month = e.end_month as i32 - burn_in as i32;
    CeoSpell {
        replication: rep,
        trust_id: e.trust,
        ceo_id: e.ceo.id,
        // A CEO appointed in simulated month t is first recorded in t (the
        // market runs before the month is recorded): reported month t - burn_in + 1.
        start_month,
        end_month,
        start_date: cal.reported(start_month.into()),
        end_date: cal.reported(end_month.into()),
        censored,
        exit_route: e.route,
        pathway: e.ceo.pathway,
        internal: e.ceo.internal,
        first_time: e.ceo.first_time,
        interim: e.ceo.interim,
    }
}

fn exec_spell(rep: u32, trust: u32, e: &EndedExec, cal: Calendar, censored: bool) -> ExecSpell {
    let burn_in = cal.burn_in;
    let start_month = e.holder.start_month - burn_in as i32 + 1;
    let end_month = e.end_month as i32 - burn_in as i32;
    ExecSpell {
        replication: rep,
        trust_id: trust,
        post: e.post,
        start_month,
        end_month,
        start_date: cal.reported(start_month.into()),
        end_date: cal.reported(end_month.into()),
        censored,
        interim: e.holder.is_acting(),
        clinical: e.holder.clinical,
        exit_route: e.route,
    }
}

/// Turns a trust's events of the month into records (those that touch the
/// reported horizon) and clears them.
fn collect_events(out: &mut ReplicationResult, t: &mut Trust, cal: Calendar) {
    let burn_in = cal.burn_in;
    for i in t.events.inspections.drain(..) {
        if i.month >= burn_in {
            out.inspections
                .push(InspectionRecord::of(&i, out.replication, t.index, cal));
        }
    }
    for e in t.events.exec_ended.drain(..) {
        if e.end_month > burn_in {
            out.exec_spells
                .push(exec_spell(out.replication, t.index, &e, cal, false));
        }
    }
}

/// The spells still running at the end of the run (right-censored).
fn censor_all(out: &mut ReplicationResult, trusts: &[Trust], cal: Calendar, total: u32) {
    for (i, t) in trusts.iter().enumerate() {
        let e = EndedSpell {
            trust: i as u32,
            ceo: t.ceo.clone(),
            end_month: total,
            route: ExitRoute::InPost,
        };
        out.spells.push(spell(out.replication, &e, cal, true));
        for (post, holder) in t.executives.iter().enumerate() {
            let e = EndedExec {
                post: post as u8,
                holder: Executive::clone(holder),
                end_month: total,
                route: ExecExit::InPost,
            };
            out.exec_spells
                .push(exec_spell(out.replication, t.index, &e, cal, true));
        }
    }
    out.spells
        .sort_by_key(|s| (s.trust_id, s.start_month, s.ceo_id));
    out.exec_spells
        .sort_by_key(|s| (s.trust_id, s.post, s.start_month));
}

/// Builds the trusts of replication `replication`: the register's rows in
/// order if there is one, else `trusts.*.count` of each type in turn. Each
/// trust is built with its own tree (a `[[for_trusts]]` entry that reaches
/// it applies from the start).
pub fn build_trusts(p: &Params, replication: u32) -> (Vec<Trust>, u64) {
    let mut next_id = 0;
    let mut trusts = Vec::new();
    let tree = |i: usize| p.for_trust(0, p.reach_mask(0, i, 1, crate::model::Rating::Good, 0));
    for (idx, row) in p.trusts.rows.iter().enumerate() {
        let (kind, fte) = (row.kind, row.establishment);
        let mut t = Trust::sized(idx as u32, kind, fte, tree(idx), replication, &mut next_id);
        if crate::model::params::is_london(&row.region) {
            t.traits.labour_market += p.workforce.london_labour_market;
        }
        trusts.push(t);
    }
    if !trusts.is_empty() {
        return (trusts, next_id);
    }
    for (k, tp) in p.trusts.all().iter().enumerate() {
        for _ in 0..tp.count {
            let idx = trusts.len() as u32;
            trusts.push(Trust::new(
                idx,
                TrustType::ALL[k],
                tree(idx as usize),
                replication,
                &mut next_id,
            ));
        }
    }
    (trusts, next_id)
}

/// Runs replication `replication` of the scenario to the end of its horizon.
pub fn run_replication(p: &Params, replication: u32) -> ReplicationResult {
    run_replication_until(p, replication, &|| false).expect("never stopped")
}

/// Runs replication `replication`, asking `stop` before every month; `None`
/// if it said stop (the partial replication is discarded).
pub fn run_replication_until(
    p: &Params,
    replication: u32,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<ReplicationResult> {
    let mut state = ReplicationState::new(p, replication);
    state
        .advance(p, state.total(p), stop)
        .then(|| state.finish(p))
}

/// One replication in progress: everything needed to continue it (every
/// trust with its staff, leaders, executives, CEO and random streams, the
/// market with its stream, and the records so far). Continuing a state
/// gives exactly the numbers the uninterrupted replication gives; it can be
/// cloned to branch variants from a shared history, or stored and read
/// back (`output::state`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReplicationState {
    /// Simulated months done: the 0-based index of the next month.
    pub month: u32,
    pub trusts: Vec<Trust>,
    pub market: Market,
    pub out: ReplicationResult,
    staff_total: u64,
    /// Per trust, the targeted entries that decided once (at their start)
    /// to reach it, as a mask over [`Params::targeted`].
    #[serde(default)]
    decided: Vec<u64>,
}

impl ReplicationState {
    /// Replication `replication` with its trusts built, before month 0.
    pub fn new(p: &Params, replication: u32) -> Self {
        let (trusts, next_id) = build_trusts(p, replication);
        let market = Market::new(
            next_id,
            global_stream(p.run.seed, replication, StreamName::Market),
        );
        let staff_total = trusts.iter().map(|t| u64::from(t.establishment)).sum();
        let out = ReplicationResult {
            replication,
            trusts: TrustRecord::all(&trusts, &p.trusts.rows, replication),
            trust_months: Vec::with_capacity(trusts.len() * p.run.months as usize),
            ..ReplicationResult::default()
        };
        ReplicationState {
            month: 0,
            trusts,
            market,
            out,
            staff_total,
            decided: vec![],
        }
    }

    /// Simulated months in the whole run, burn-in included.
    pub fn total(&self, p: &Params) -> u32 {
        p.run.burn_in_months + p.run.months
    }

    /// Simulates months up to (not including) simulated month `end`, with
    /// the parameters `p` gives for each month, asking `stop` before every
    /// month; `false` if it said stop (the state is then mid-way and
    /// consistent: it can be continued or dropped).
    pub fn advance(&mut self, p: &Params, end: u32, stop: &(dyn Fn() -> bool + Sync)) -> bool {
        let end = end.min(self.total(p));
        while self.month < end {
            if stop() {
                return false;
            }
            self.step(p);
            self.month += 1;
        }
        true
    }

    /// One simulated month of the scenario `root`: each trust steps with
    /// the tree in effect for it this month (the national one unless a
    /// targeted entry reaches it).
    fn step(&mut self, root: &Params) {
        let month = self.month;
        let p = root.at(month);
        let burn_in = p.run.burn_in_months;
        let cal = p.run.calendar();
        let env = Environment::in_month(p, month);
        let (trees, masks) = self.trees(root);
        let exits: Vec<Option<ExitRoute>> = self
            .trusts
            .par_iter_mut()
            .zip(&trees)
            .map(|(t, &tp)| {
                let exit = if std::ptr::eq(tp, p) {
                    t.step(month, &env, p)
                } else {
                    t.step(month, &Environment::in_month(tp, month), tp)
                };
                debug_assert!(
                    t.step_violations().is_empty(),
                    "month {month}: {:?}",
                    t.step_violations()
                );
                exit
            })
            .collect();
        let mut ended = Vec::new();
        self.market
            .step(month, &mut self.trusts, &exits, &trees, &mut ended);
        let out = &mut self.out;
        for e in ended.drain(..) {
            if e.end_month > burn_in {
                out.spells.push(spell(out.replication, &e, cal, false));
            }
        }
        for t in &mut self.trusts {
            collect_events(out, t, cal);
        }
        // A register's starting values describe the first reported month.
        if month == burn_in {
            for ((t, row), tp) in self.trusts.iter_mut().zip(&p.trusts.rows).zip(&trees) {
                t.apply_start(row, month, tp);
            }
        }
        if month >= burn_in {
            for (t, &mask) in self.trusts.iter().zip(&masks) {
                let mut m = TrustMonth::of(
                    t,
                    out.replication,
                    month - burn_in + 1,
                    cal.simulated(month),
                    month,
                );
                m.targeted = mask != 0;
                out.trust_months.push(m);
            }
        }
    }

    /// The tree each trust steps with this month: targeted entries reach a
    /// trust by who it is, or by its oversight segment and rating at the
    /// end of the month before (decided once or every month).
    /// Also the mask of entries that reach each trust (all 0 without any).
    fn trees<'p>(&mut self, root: &'p Params) -> (Vec<&'p Params>, Vec<u64>) {
        let month = self.month;
        let n = self.trusts.len();
        if root.targeted().is_empty() {
            return (vec![root.at(month); n], vec![0; n]);
        }
        self.decided.resize(n, 0);
        let masks: Vec<u64> = self
            .trusts
            .iter()
            .zip(&mut self.decided)
            .enumerate()
            .map(|(i, (t, decided))| {
                let (segment, rating) = (t.oversight_level, t.regulator.overall);
                root.decide(month, i, segment, rating, decided);
                root.reach_mask(month, i, segment, rating, *decided)
            })
            .collect();
        let trees = masks.iter().map(|&m| root.for_trust(month, m)).collect();
        (trees, masks)
    }

    /// The records of the finished replication (spells still running are
    /// right-censored). Call after [`ReplicationState::advance`] reached the end.
    pub fn finish(mut self, p: &Params) -> ReplicationResult {
        let total = self.total(p);
        debug_assert_eq!(self.month, total, "finish before the end of the run");
        censor_all(&mut self.out, &self.trusts, p.run.calendar(), total);
        self.out.staff_months = self.staff_total * u64::from(total);
        debug_assert!(
            super::invariants::check(&self.out).is_empty(),
            "replication {}: {:?}",
            self.out.replication,
            super::invariants::check(&self.out)
        );
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::Spell;

    fn tiny() -> Params {
        crate::model::params::edited(crate::model::params::tiny)
    }

    #[test]
    fn same_seed_same_result_and_different_seed_differs() {
        let p = tiny();
        let a = run_replication(&p, 0);
        let b = run_replication(&p, 0);
        // Debug text compares NaN (no published mortality ratio) as equal.
        let text = |r: &ReplicationResult| {
            format!(
                "{:?}",
                (&r.trust_months, &r.spells, &r.exec_spells, &r.inspections)
            )
        };
        assert_eq!(text(&a), text(&b));
        let c = run_replication(&p, 1);
        assert_ne!(text(&a), text(&c));
    }

    #[test]
    fn exactly_one_ceo_per_trust_month_and_spells_do_not_overlap() {
        let p = tiny();
        let r = run_replication(&p, 0);
        assert_eq!(r.trust_months.len(), 10 * 36);
        for t in 0..10u32 {
            let mut spells: Vec<_> = r.spells.iter().filter(|s| s.trust_id == t).collect();
            spells.sort_by_key(|s| s.start_month);
            assert!(spells.last().unwrap().censored);
            assert_eq!(spells.iter().filter(|s| s.censored).count(), 1);
            for w in spells.windows(2) {
                assert_eq!(
                    w[0].end_month + 1,
                    w[1].start_month,
                    "gap or overlap at trust {t}"
                );
            }
            for m in r.trust_months.iter().filter(|m| m.trust_id == t) {
                let in_post: Vec<_> = spells.iter().filter(|s| s.covers(m.month)).collect();
                assert_eq!(in_post.len(), 1, "trust {t} month {}", m.month);
                assert_eq!(in_post[0].ceo_id, m.ceo_id);
                assert_eq!(in_post[0].interim, m.interim);
            }
        }
    }

    fn blank_row(i: usize, kind: TrustType) -> crate::model::params::TrustRow {
        crate::model::params::TrustRow {
            code: format!("R{i}"),
            name: format!("Trust {i}"),
            kind,
            region: "London".into(),
            icb: None,
            establishment: None,
            engagement: None,
            vacancy_rate: None,
            sickness_rate: None,
            rating: None,
            ceo_tenure_months: None,
            ceo_interim: None,
            surplus_share: None,
        }
    }

    #[test]
    fn a_register_without_values_draws_exactly_what_the_counts_draw() {
        let p = tiny();
        let kinds = [
            [TrustType::Acute; 6].as_slice(),
            &[TrustType::MentalHealth; 2],
        ]
        .concat()
        .into_iter()
        .chain([TrustType::Community, TrustType::Ambulance]);
        let rows: Vec<_> = kinds.enumerate().map(|(i, k)| blank_row(i, k)).collect();
        let q = crate::model::params::edited(|q| {
            crate::model::params::tiny(q);
            q.trusts.register = "register.csv".into();
            q.trusts.rows = rows;
            // The rows are in London, whose labour market the drawn trusts
            // do not have.
            q.workforce.london_labour_market = 0.0;
        });
        let text = |r: &ReplicationResult| {
            format!(
                "{:?}",
                (&r.trust_months, &r.spells, &r.exec_spells, &r.inspections)
            )
        };
        let (a, b) = (run_replication(&p, 1), run_replication(&q, 1));
        assert_eq!(text(&a), text(&b));
        assert_eq!(a.trusts[0].code, "T001");
        assert_eq!(a.trusts[7].name, "Mental health trust 2");
        assert_eq!(a.trusts[7].region, None);
        assert_eq!(b.trusts[7].code, "R7");
        assert_eq!(b.trusts[7].region.as_deref(), Some("London"));
    }

    #[test]
    fn londons_register_trusts_have_a_tighter_labour_market() {
        let mut rows = vec![
            blank_row(0, TrustType::Acute),
            blank_row(1, TrustType::Acute),
        ];
        rows[1].region = "North West".into();
        rows.push(blank_row(2, TrustType::Acute));
        rows[2].region = " LONDON ".into();
        let p = crate::model::params::edited(|q| {
            crate::model::params::tiny(q);
            q.trusts.register = "register.csv".into();
            q.trusts.rows = rows;
            q.trusts.acute.count = 3;
            q.trusts.mental_health.count = 0;
            q.trusts.community.count = 0;
            q.trusts.ambulance.count = 0;
            q.workforce.labour_market_sd = 0.0;
            q.workforce.london_labour_market = 0.3;
        });
        let (trusts, _) = build_trusts(&p, 0);
        assert_eq!(trusts[0].traits.labour_market, 0.3);
        assert_eq!(trusts[1].traits.labour_market, 0.0);
        assert_eq!(
            trusts[2].traits.labour_market, 0.3,
            "any case, spaces around"
        );
    }

    #[test]
    fn register_starting_values_are_the_state_of_the_first_reported_month() {
        let mut row = blank_row(0, TrustType::Acute);
        row.establishment = Some(5_000.0);
        row.engagement = Some(6.2);
        row.vacancy_rate = Some(0.15);
        row.sickness_rate = Some(0.06);
        row.rating = Some(crate::model::Rating::Inadequate);
        row.ceo_tenure_months = Some(40);
        row.ceo_interim = Some(true);
        row.surplus_share = Some(-0.03);
        let rows = vec![row, blank_row(1, TrustType::Ambulance)];
        let p = crate::model::params::edited(|q| {
            crate::model::params::tiny(q);
            q.trusts.register = "register.csv".into();
            q.trusts.acute.count = 1;
            q.trusts.mental_health.count = 0;
            q.trusts.community.count = 0;
            q.trusts.ambulance.count = 1;
            q.trusts.rows = rows;
        });
        let r = run_replication(&p, 0);
        let m = &r.trust_months[0];
        assert_eq!((m.trust_id, m.month), (0, 1));
        assert_eq!(m.establishment, 50);
        assert!((m.engagement - 6.2).abs() < 0.05, "{}", m.engagement);
        assert!((m.vacancy_rate - 0.15).abs() <= 0.5 / 50.0 + 1e-9);
        assert!((m.sickness_rate - 0.06).abs() <= 1.0 / 40.0);
        assert_eq!(m.rating, crate::model::Rating::Inadequate);
        assert_eq!((m.ceo_tenure_months, m.interim), (40, true));
        assert_eq!(m.surplus_share, -0.03);
        let s = r.spells.iter().find(|s| s.trust_id == 0 && s.covers(1));
        assert_eq!(s.map(|s| (s.start_month, s.interim)), Some((-38, true)));
    }

    #[test]
    fn changing_one_process_leaves_other_streams_alone() {
        // Oversight draws from its own stream: making it never escalate changes
        // oversight but the initial trusts (init stream) are identical.
        let p = tiny();
        let q = crate::model::params::edited(|q| {
            crate::model::params::tiny(q);
            q.oversight.escalate_probability = 0.0;
        });
        let (a, _) = build_trusts(&p, 0);
        let (b, _) = build_trusts(&q, 0);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.establishment, y.establishment);
            assert_eq!(x.staff.engagements(), y.staff.engagements());
        }
    }
}

#[cfg(test)]
mod calendar_tests {
    use super::*;

    #[test]
    fn months_carry_their_calendar_dates() {
        let p = crate::model::params::edited(|r| {
            r.run.staff_scale = 0.01;
            r.run.months = 14;
            r.run.burn_in_months = 3;
            r.run.start = "2027-02".into();
            r.trusts.acute.count = 1;
            r.trusts.mental_health.count = 0;
            r.trusts.community.count = 0;
            r.trusts.ambulance.count = 0;
        });
        let r = run_replication(&p, 0);
        let first = &r.trust_months[0];
        assert_eq!((first.month, first.date.to_string()), (1, "2027-02".into()));
        let last = r.trust_months.last().unwrap();
        assert_eq!((last.month, last.date.to_string()), (14, "2028-03".into()));
        assert_eq!(last.date.financial_year(), "2027/28");
        for s in &r.spells {
            assert_eq!(
                s.start_date,
                p.run.calendar().reported(s.start_month.into())
            );
            assert_eq!(s.end_date, p.run.calendar().reported(s.end_month.into()));
        }
        for i in &r.inspections {
            assert_eq!(i.date, p.run.calendar().reported(i.month.into()));
        }
    }
}

#[cfg(test)]
mod targeted_tests {
    use super::*;
    use crate::model::Rating;
    use crate::model::params::{Membership, Target, TargetedChange};

    fn tiny() -> Params {
        crate::model::params::edited(|r| {
            r.run.staff_scale = 0.01;
            r.run.months = 36;
            r.run.burn_in_months = 12;
            r.trusts.acute.count = 6;
            r.trusts.mental_health.count = 2;
            r.trusts.community.count = 1;
            r.trusts.ambulance.count = 1;
        })
    }

    fn with(p: Params, month: u32, target: Target, key: &str, value: toml::Value) -> Params {
        let mut problems: Vec<String> = vec![];
        let entry = TargetedChange {
            month,
            description: String::new(),
            target,
            set: vec![(key.into(), value)],
        };
        p.with_targets(vec![entry], &mut problems)
            .unwrap_or_else(|| panic!("{problems:?}"))
    }

    #[test]
    fn a_policy_for_one_trust_leaves_every_other_trust_on_the_national_values() {
        let base = tiny();
        let key = "development.budget_share_of_paybill";
        let target = Target {
            trusts: vec!["T003".into()],
            ..Target::default()
        };
        let p = with(base.clone(), 6, target, key, toml::Value::Float(0.0008));
        let start = 12 + 6 - 1;
        for m in 0..48 {
            for i in 0..10 {
                let tree = p.for_trust(m, p.reach_mask(m, i, 1, Rating::Good, 0));
                if i == 2 && m >= start {
                    assert_eq!(tree.development.budget_share_of_paybill, 0.0008);
                    // Nothing else differs from the national tree.
                    for (a, b) in tree.describe().iter().zip(p.at(m).describe()) {
                        assert!(a.key == key || a.value == b.value, "{}", a.key);
                    }
                } else {
                    assert!(std::ptr::eq(tree, p.at(m)), "trust {i} month {m}");
                }
            }
        }
        let (a, b) = (run_replication(&base, 0), run_replication(&p, 0));
        for (x, y) in a.trust_months.iter().zip(&b.trust_months) {
            assert_eq!(y.targeted, y.trust_id == 2 && y.month >= 6);
            if x.month < 6 {
                assert_eq!(
                    format!("{x:?}"),
                    format!(
                        "{:?}",
                        TrustMonth {
                            targeted: false,
                            ..y.clone()
                        }
                    )
                );
            }
        }
        let spend = |r: &ReplicationResult| -> f64 {
            r.trust_months
                .iter()
                .filter(|m| m.trust_id == 2 && m.month >= 6)
                .map(|m| m.development_spend_gbp)
                .sum()
        };
        assert!(
            spend(&b) > 1.5 * spend(&a),
            "{} vs {}",
            spend(&b),
            spend(&a)
        );
    }

    #[test]
    fn a_targeted_development_change_too_small_to_act_is_named() {
        let key = "development.budget_share_of_paybill";
        let one = |value: f64| {
            let target = Target {
                trusts: vec!["T010".into()],
                ..Target::default()
            };
            let p = with(tiny(), 30, target, key, toml::Value::Float(value));
            crate::model::development::lever_warnings(&p)
        };
        let tiny_change = one(0.000201);
        assert!(
            tiny_change
                .iter()
                .any(|w| w.starts_with("the change for trusts T010")
                    && w.contains("this policy can hardly act in this run")),
            "{tiny_change:?}"
        );
        assert!(one(0.002).iter().all(|w| !w.contains("T010")));
        // Succession planning buys no places: no such warning.
        let target = Target {
            trusts: vec!["T010".into()],
            ..Target::default()
        };
        let p = with(
            tiny(),
            30,
            target,
            "development.succession_planning",
            toml::Value::Float(0.5),
        );
        assert!(crate::model::development::lever_warnings(&p).is_empty());
    }

    #[test]
    fn a_rating_target_decides_once_or_every_month_on_the_month_before() {
        let base = tiny();
        let key = "oversight.punitiveness";
        let run = |membership| {
            let target = Target {
                rating: Some(Rating::RequiresImprovement),
                membership,
                ..Target::default()
            };
            run_replication(
                &with(base.clone(), 6, target, key, toml::Value::Float(0.2)),
                0,
            )
        };
        let bad = |r: &ReplicationResult, t: u32, m: u32| {
            r.trust_months
                .iter()
                .find(|x| x.trust_id == t && x.month == m)
                .is_some_and(|x| x.rating >= Rating::RequiresImprovement)
        };
        let fixed = run(Membership::Fixed);
        let monthly = run(Membership::Monthly);
        let (mut reached, mut left) = (0, 0);
        for x in &fixed.trust_months {
            let expect = x.month >= 6 && bad(&fixed, x.trust_id, 5);
            assert_eq!(
                x.targeted, expect,
                "fixed: trust {} month {}",
                x.trust_id, x.month
            );
            reached += usize::from(expect);
            left += usize::from(x.month >= 6 && !expect);
        }
        assert!(reached > 0 && left > 0, "{reached} {left}");
        let mut moved = 0;
        for x in &monthly.trust_months {
            let expect = x.month >= 6 && bad(&monthly, x.trust_id, x.month - 1);
            assert_eq!(
                x.targeted, expect,
                "monthly: trust {} month {}",
                x.trust_id, x.month
            );
            moved += usize::from(expect != (x.month >= 6 && bad(&monthly, x.trust_id, 5)));
        }
        assert!(moved > 0, "no trust entered or left the rating in the run");
    }
}

#[cfg(test)]
mod steady_state_tests {
    #[test]
    fn a_trust_starts_at_its_own_steady_state() {
        // England from month 0 with no burn-in, at 5 % of staff: after the
        // default burn-in's five years the slow stocks (team leaders'
        // capability, improvement capability, friction) hold their level for
        // the next 15. Started from new leaders with no development,
        // improvement capability 0.5 and friction at its reference, they moved
        // for 20 years (from years 6-7 to 16-20 at full scale: capability
        // +0.02, improvement -0.07, friction -0.06).
        let p = crate::model::params::edited(|p| {
            p.run.staff_scale = 0.05;
            p.run.burn_in_months = 0;
            p.run.months = 240;
        });
        let r = super::run_replication(&p, 0);
        let mean = |from: u32, to: u32, f: fn(&crate::model::records::TrustMonth) -> f64| {
            let rows: Vec<f64> = r
                .trust_months
                .iter()
                .filter(|m| (from..=to).contains(&m.month))
                .map(f)
                .collect();
            rows.iter().sum::<f64>() / rows.len() as f64
        };
        type Of = fn(&crate::model::records::TrustMonth) -> f64;
        let stocks: [(&str, Of, f64); 3] = [
            ("leader capability", |m| m.mean_leader_capability, 0.015),
            ("improvement", |m| m.improvement_capability, 0.035),
            ("friction", |m| m.friction, 0.03),
        ];
        for (what, f, tol) in stocks {
            let (start, end) = (mean(61, 84, f), mean(181, 240, f));
            assert!(
                (end - start).abs() < tol,
                "{what}: {start:.3} in years 6-7, {end:.3} in years 16-20"
            );
        }
    }
}
