//! The schedule of one replication: build the trusts, then each month advance
//! the environment, step every trust (in parallel: each trust draws only from
//! its own streams), run the CEO labour market in trust order, and record the
//! month once burn-in is over.

use rayon::prelude::*;

use super::environment::Environment;
use super::leaders::Executive;
use super::market::{EndedSpell, Market};
use super::params::Params;
use super::records::{CeoSpell, ExecSpell, InspectionRecord, ReplicationResult, TrustMonth};
use super::rng::{StreamName, global_stream};
use super::trust::{EndedExec, ExecExit, Trust};
use super::{ExitRoute, TrustType};

fn spell(rep: u32, e: &EndedSpell, burn_in: u32, censored: bool) -> CeoSpell {
    CeoSpell {
        replication: rep,
        trust_id: e.trust,
        ceo_id: e.ceo.id,
        // A CEO appointed in simulated month t is first recorded in t (the
        // market runs before the month is recorded): reported month t - burn_in + 1.
        start_month: e.ceo.start_month - burn_in as i32 + 1,
        end_month: e.end_month as i32 - burn_in as i32,
        censored,
        exit_route: e.route,
        pathway: e.ceo.pathway,
        internal: e.ceo.internal,
        first_time: e.ceo.first_time,
        interim: e.ceo.interim,
    }
}

fn exec_spell(rep: u32, trust: u32, e: &EndedExec, burn_in: u32, censored: bool) -> ExecSpell {
    ExecSpell {
        replication: rep,
        trust_id: trust,
        post: e.post,
        start_month: e.holder.start_month - burn_in as i32 + 1,
        end_month: e.end_month as i32 - burn_in as i32,
        censored,
        interim: e.holder.is_acting(),
        clinical: e.holder.clinical,
        exit_route: e.route,
    }
}

/// Turns a trust's events of the month into records (those that touch the
/// reported horizon) and clears them.
fn collect_events(out: &mut ReplicationResult, t: &mut Trust, burn_in: u32) {
    for i in t.events.inspections.drain(..) {
        if i.month >= burn_in {
            out.inspections
                .push(InspectionRecord::of(&i, out.replication, t.index, burn_in));
        }
    }
    for e in t.events.exec_ended.drain(..) {
        if e.end_month > burn_in {
            out.exec_spells
                .push(exec_spell(out.replication, t.index, &e, burn_in, false));
        }
    }
}

/// The spells still running at the end of the run (right-censored).
fn censor_all(out: &mut ReplicationResult, trusts: &[Trust], burn_in: u32, total: u32) {
    for (i, t) in trusts.iter().enumerate() {
        let e = EndedSpell {
            trust: i as u32,
            ceo: t.ceo.clone(),
            end_month: total,
            route: ExitRoute::InPost,
        };
        out.spells.push(spell(out.replication, &e, burn_in, true));
        for (post, holder) in t.executives.iter().enumerate() {
            let e = EndedExec {
                post: post as u8,
                holder: Executive::clone(holder),
                end_month: total,
                route: ExecExit::InPost,
            };
            out.exec_spells
                .push(exec_spell(out.replication, t.index, &e, burn_in, true));
        }
    }
    out.spells
        .sort_by_key(|s| (s.trust_id, s.start_month, s.ceo_id));
    out.exec_spells
        .sort_by_key(|s| (s.trust_id, s.post, s.start_month));
}

/// Builds the trusts of replication `replication`.
pub fn build_trusts(p: &Params, replication: u32) -> (Vec<Trust>, u64) {
    let mut next_id = 0;
    let mut trusts = Vec::new();
    for (k, tp) in p.trusts.all().iter().enumerate() {
        for _ in 0..tp.count {
            let idx = trusts.len() as u32;
            trusts.push(Trust::new(
                idx,
                TrustType::ALL[k],
                p,
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
            trust_months: Vec::with_capacity(trusts.len() * p.run.months as usize),
            ..ReplicationResult::default()
        };
        ReplicationState {
            month: 0,
            trusts,
            market,
            out,
            staff_total,
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
            self.step(p.at(self.month));
            self.month += 1;
        }
        true
    }

    /// One simulated month with the parameters `p` in effect in it.
    fn step(&mut self, p: &Params) {
        let month = self.month;
        let burn_in = p.run.burn_in_months;
        let env = Environment::at(&p.pressures, month);
        let exits: Vec<Option<ExitRoute>> = self
            .trusts
            .par_iter_mut()
            .map(|t| {
                let exit = t.step(month, &env, p);
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
            .step(month, &mut self.trusts, &exits, p, &mut ended);
        let out = &mut self.out;
        for e in ended.drain(..) {
            if e.end_month > burn_in {
                out.spells.push(spell(out.replication, &e, burn_in, false));
            }
        }
        for t in &mut self.trusts {
            collect_events(out, t, burn_in);
        }
        if month >= burn_in {
            for t in &self.trusts {
                out.trust_months.push(TrustMonth::of(
                    t,
                    out.replication,
                    month - burn_in + 1,
                    month,
                ));
            }
        }
    }

    /// The records of the finished replication (spells still running are
    /// right-censored). Call after [`ReplicationState::advance`] reached the end.
    pub fn finish(mut self, p: &Params) -> ReplicationResult {
        let burn_in = p.run.burn_in_months;
        let total = self.total(p);
        debug_assert_eq!(self.month, total, "finish before the end of the run");
        censor_all(&mut self.out, &self.trusts, burn_in, total);
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

    fn tiny_raw(p: &mut crate::model::params::RawParams) {
        p.run.staff_scale = 0.01;
        p.run.months = 36;
        p.run.burn_in_months = 12;
        p.trusts.acute.count = 6;
        p.trusts.mental_health.count = 2;
        p.trusts.community.count = 1;
        p.trusts.ambulance.count = 1;
    }

    fn tiny() -> Params {
        crate::model::params::edited(tiny_raw)
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

    #[test]
    fn changing_one_process_leaves_other_streams_alone() {
        // Oversight draws from its own stream: making it never escalate changes
        // oversight but the initial trusts (init stream) are identical.
        let p = tiny();
        let q = crate::model::params::edited(|q| {
            tiny_raw(q);
            q.oversight.escalate_probability = 0.0;
        });
        let (a, _) = build_trusts(&p, 0);
        let (b, _) = build_trusts(&q, 0);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.establishment, y.establishment);
            assert_eq!(x.staff.engagement, y.staff.engagement);
        }
    }
}
