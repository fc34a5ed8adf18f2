//! Seeded ensembles: replications run in parallel on the current rayon pool,
//! in batches, so that results can be written (by the caller) batch by batch
//! and memory stays bounded however many replications are asked for.
//! Replication `r` depends only on (scenario, seed, r), never on the thread
//! count or batch size, and batches are handed over in replication order.

use rayon::prelude::*;

use crate::calibration::replication_metrics;
use crate::model::{Params, ReplicationResult, run_replication};

/// A finished replication and its metrics (in [`crate::calibration::METRICS`] order).
#[derive(Debug, Clone)]
pub struct Finished {
    pub result: ReplicationResult,
    pub metrics: Vec<f64>,
}

/// Runs replications `0..replications` in batches of `batch_size`, calling
/// `on_done` as each replication finishes (from worker threads) and `sink`
/// with each batch in order. Stops at the first error from `sink` or when
/// `cancelled` returns true between batches; returns the metrics of every
/// replication handed to `sink`.
pub fn run_ensemble<E>(
    p: &Params,
    replications: std::ops::Range<u32>,
    batch_size: usize,
    on_done: &(dyn Fn(&Finished) + Sync),
    cancelled: &dyn Fn() -> bool,
    sink: &mut dyn FnMut(&[Finished]) -> Result<(), E>,
) -> Result<Vec<Vec<f64>>, E> {
    let mut metrics = Vec::new();
    let reps: Vec<u32> = replications.collect();
    for chunk in reps.chunks(batch_size.max(1)) {
        if cancelled() {
            break;
        }
        let batch: Vec<Finished> = chunk
            .par_iter()
            .map(|&r| {
                let result = run_replication(p, r);
                let f = Finished {
                    metrics: replication_metrics(&result, p),
                    result,
                };
                on_done(&f);
                f
            })
            .collect();
        sink(&batch)?;
        metrics.extend(batch.into_iter().map(|f| f.metrics));
    }
    Ok(metrics)
}
