//! Finished replications a run still holds in memory for its close, so
//! that a run which simulated them does not read back the files it kept
//! of them. Each replication is kept on disk all the same (a kill at any
//! moment loses none); up to a budget of its kept records' size, the run
//! also keeps it here, and the close takes it from here rather than from
//! its file. The budget bounds the memory this adds whatever the number of
//! replications, and the close's tables are the same bytes either way (a
//! replication resumed from its file is assembled beside one from memory).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::metrics::ReplicationMetrics;
use crate::model::ReplicationResult;

/// The default budget: bytes of kept records (what a replication's records
/// take in its kept file), 8 MiB. A replication of `quick.toml` keeps
/// about 0.2 MB and one of the full England baseline about 4.1 MB, so a
/// small run holds its first forty replications and a full one its first
/// two (a run of sixteen full-England replications on two threads peaked
/// about 9 MB higher at 16 MiB).
pub const HELD_BYTES: u64 = 8 << 20;

/// Replications held, by number.
#[derive(Debug, Default)]
pub(crate) struct Held {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    budget: u64,
    used: u64,
    reps: BTreeMap<u32, (ReplicationResult, ReplicationMetrics)>,
}

impl Held {
    /// Holding nothing yet, with `budget` bytes of kept records.
    pub fn new(budget: u64) -> Held {
        Held {
            inner: Mutex::new(Inner {
                budget,
                ..Inner::default()
            }),
        }
    }

    /// Holds `result`'s replication (whose kept records take `bytes`) if it
    /// fits in what is left of the budget; whether it did.
    pub fn offer(
        &self,
        result: ReplicationResult,
        metrics: ReplicationMetrics,
        bytes: u64,
    ) -> bool {
        let Ok(mut h) = self.inner.lock() else {
            return false;
        };
        if h.used.saturating_add(bytes) > h.budget {
            return false;
        }
        h.used += bytes;
        h.reps.insert(result.replication, (result, metrics));
        true
    }

    /// Replication `r`, if held (no longer held after).
    pub fn take(&self, r: u32) -> Option<(ReplicationResult, ReplicationMetrics)> {
        self.inner.lock().ok()?.reps.remove(&r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(r: u32) -> (ReplicationResult, ReplicationMetrics) {
        let result = ReplicationResult {
            replication: r,
            ..ReplicationResult::default()
        };
        let metrics = ReplicationMetrics {
            replication: r,
            parameter_set: None,
            whole_run: Default::default(),
            final_year: Default::default(),
            groups: vec![],
        };
        (result, metrics)
    }

    #[test]
    fn replications_are_held_while_the_budget_lasts_and_taken_once() {
        let h = Held::new(100);
        let (a, am) = rep(0);
        assert!(h.offer(a, am, 60));
        let (b, bm) = rep(1);
        assert!(!h.offer(b, bm, 41), "over the budget");
        let (c, cm) = rep(2);
        assert!(h.offer(c, cm, 40), "exactly the budget");
        assert_eq!(h.take(0).map(|x| x.0.replication), Some(0));
        assert!(h.take(0).is_none(), "taken once");
        assert!(h.take(1).is_none(), "never held");
        assert_eq!(h.take(2).map(|x| x.1.replication), Some(2));
        let none = Held::new(0);
        let (d, dm) = rep(3);
        assert!(!none.offer(d, dm, 1));
    }
}
