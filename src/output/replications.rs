//! `replications.parquet`: every metric of every replication, in long form
//! (one row per replication, scope and metric). The summary's quantiles and
//! a comparison's paired differences are computed from it, so both can be
//! recomputed from files at any time.

use std::path::Path;

use polars::prelude::*;

use super::error::OutputError;
use super::tables::{Col, Get, Table, table};
use crate::metrics::groups::{GroupValues, TrustGroup};
use crate::metrics::{METRICS, ReplicationMetrics, Scope, Values, metric};

/// Conventional file name inside a run folder.
pub const REPLICATIONS_FILE: &str = "replications.parquet";

/// One metric of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    pub replication: u32,
    pub parameter_set: Option<u32>,
    pub scope: Scope,
    pub metric: &'static str,
    pub value: f64,
    /// The trusts the value covers: all, or a targeted policy's targeted
    /// or other trusts.
    pub trusts: TrustGroup,
    /// The policy whose targets define the group (none for all trusts).
    pub policy: Option<String>,
    /// Trusts in the group (none for all trusts).
    pub count: Option<u32>,
}

table! {
    /// One row per replication, scope and metric.
    pub static REPLICATION_METRICS: Table<MetricValue> = "replications.parquet";
    pub mod col {
        REPLICATION = "replication", "", Get::U32(|v| v.replication), "Replication number (0-based).";
        PARAMETER_SET = "parameter_set", "", Get::U32OrNull(|v| v.parameter_set), "The plausible parameter set the replication used (`--parameter-sets`: replication i uses set i mod M); null without parameter sets.";
        SCOPE = "scope", "", Get::Enum(|v| v.scope.as_str(), &Scope::LABELS), "whole_run: every reported month; final_year: the last 12 (compared metrics only).";
        METRIC = "metric", "", Get::Str(|v| v.metric), "Metric key (README, \"Metrics\").";
        VALUE = "value", "metric unit", Get::F64OrNull(|v| v.value), "The metric's value in this replication (shares as fractions; null where it has none).";
        TRUSTS = "trusts", "", Get::Enum(|v| v.trusts.as_str(), &TrustGroup::LABELS), "Which trusts the value covers: all; or, in a comparison with a targeted policy, the trusts the policy (column policy) is for (targeted) or the others (untargeted), compared metrics only.";
        POLICY = "policy", "", Get::OptStr(|v| v.policy.as_deref()), "The variant whose targets define the group of trusts (null for all trusts).";
        GROUP_TRUSTS = "group_trusts", "trusts", Get::U32OrNull(|v| v.count), "Trusts in the group in this replication (null for all trusts).";
    }
}

/// The rows of some replications' metrics, in replication, scope and
/// registry order.
pub fn rows(metrics: &[&ReplicationMetrics]) -> Vec<MetricValue> {
    let mut out = Vec::new();
    for m in metrics {
        for scope in Scope::ALL {
            for (key, value) in m.scope(scope).iter_in_registry_order() {
                out.push(MetricValue {
                    replication: m.replication,
                    parameter_set: m.parameter_set,
                    scope,
                    metric: key,
                    value,
                    trusts: TrustGroup::All,
                    policy: None,
                    count: None,
                });
            }
        }
        for g in &m.groups {
            for scope in Scope::ALL {
                for (key, value) in g.scope(scope).iter_in_registry_order() {
                    out.push(MetricValue {
                        replication: m.replication,
                        parameter_set: m.parameter_set,
                        scope,
                        metric: key,
                        value,
                        trusts: g.trusts,
                        policy: Some(g.policy.clone()),
                        count: Some(g.count),
                    });
                }
            }
        }
    }
    out
}

/// Reads the metrics back from a frame of [`REPLICATION_METRICS`] rows
/// (metrics this version does not define are skipped).
pub fn from_frame(df: &DataFrame, path: &Path) -> Result<Vec<ReplicationMetrics>, OutputError> {
    let bad = |e: PolarsError| OutputError::invalid(path, e.to_string());
    let rep = df
        .column(col::REPLICATION)
        .and_then(|c| c.u32().cloned())
        .map_err(bad)?;
    let scope = df
        .column(col::SCOPE)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(bad)?;
    let scope = scope.str().map_err(bad)?;
    let key = df
        .column(col::METRIC)
        .and_then(|c| c.str().cloned())
        .map_err(bad)?;
    let value = df
        .column(col::VALUE)
        .and_then(|c| c.f64().cloned())
        .map_err(bad)?;
    // Files written before the column existed have no parameter sets.
    let set = match df.column(col::PARAMETER_SET) {
        Ok(c) => Some(c.u32().cloned().map_err(bad)?),
        Err(_) => None,
    };
    // Files written before the groups existed hold all trusts only.
    let group = match df.column(col::TRUSTS) {
        Ok(c) => {
            let trusts = c.cast(&DataType::String).map_err(bad)?;
            let policy = df
                .column(col::POLICY)
                .map_err(bad)?
                .str()
                .map_err(bad)?
                .clone();
            let count = df
                .column(col::GROUP_TRUSTS)
                .map_err(bad)?
                .u32()
                .map_err(bad)?
                .clone();
            Some((trusts.str().map_err(bad)?.clone(), policy, count))
        }
        Err(_) => None,
    };
    let mut out: Vec<ReplicationMetrics> = Vec::new();
    for i in 0..df.height() {
        let (Some(r), Some(s), Some(k)) = (rep.get(i), scope.get(i), key.get(i)) else {
            return Err(OutputError::invalid(path, format!("null in row {i}")));
        };
        let Some(m) = metric(k) else { continue };
        if out.last().is_none_or(|l| l.replication != r) {
            out.push(ReplicationMetrics {
                replication: r,
                parameter_set: set.as_ref().and_then(|s| s.get(i)),
                whole_run: Values::default(),
                final_year: Values::default(),
                groups: vec![],
            });
        }
        let last = out.last_mut().expect("just pushed");
        let v = value.get(i).unwrap_or(f64::NAN);
        let trusts = match &group {
            Some((t, _, _)) => t.get(i).and_then(TrustGroup::parse).ok_or_else(|| {
                OutputError::invalid(path, format!("no group of trusts in row {i}"))
            })?,
            None => TrustGroup::All,
        };
        let values = if trusts == TrustGroup::All {
            match s {
                "final_year" => &mut last.final_year,
                _ => &mut last.whole_run,
            }
        } else {
            let (_, policy, count) = group.as_ref().expect("a group row has the columns");
            let policy = policy.get(i).unwrap_or_default().to_string();
            let at = match last
                .groups
                .iter()
                .position(|g| g.policy == policy && g.trusts == trusts)
            {
                Some(at) => at,
                None => {
                    last.groups.push(GroupValues {
                        policy,
                        trusts,
                        count: count.get(i).unwrap_or(0),
                        whole_run: Values::default(),
                        final_year: Values::default(),
                    });
                    last.groups.len() - 1
                }
            };
            let g = &mut last.groups[at];
            match s {
                "final_year" => &mut g.final_year,
                _ => &mut g.whole_run,
            }
        };
        values.insert(m.key, v);
    }
    Ok(out)
}

/// Reads `replications.parquet`.
pub fn read(path: &Path) -> Result<Vec<ReplicationMetrics>, OutputError> {
    let df = super::verified::read_frame(path)?;
    from_frame(&df, path)
}

/// Registry order, so files list metrics as tables print them.
trait RegistryOrder {
    fn iter_in_registry_order(&self) -> Vec<(&'static str, f64)>;
}

impl RegistryOrder for Values {
    fn iter_in_registry_order(&self) -> Vec<(&'static str, f64)> {
        let mut v: Vec<(&'static str, f64)> = self.iter().collect();
        v.sort_by_key(|(k, _)| METRICS.iter().position(|m| m.key == *k));
        v
    }
}
