//! `trustsim sensitivity`: Morris screening or Sobol indices of chosen
//! outputs. The design points run as a sweep (resumable and shardable);
//! once every unit is done the indices are computed from the mean of each
//! point's replications, with bootstrap intervals, and written to
//! `sensitivity.parquet` and one chart per output.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::{Column, DataFrame, ParquetReader, SerReader};
use serde::Deserialize;

use super::sweep::{SweepArgs, run_units};
use crate::calibration::{METRICS, metric};
use crate::charts::indices::{self, Indices};
use crate::output::{FileMeta, write_table};
use crate::scenario;
use crate::sensitivity::{self, MorrisIndex, SobolIndex};
use crate::sweep::store;
use crate::sweep::{Design, Sweep, Varied, numeric_key, parameter_keys};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    sensitivity: RawSensitivity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Method {
    Morris,
    Sobol,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    name: Option<String>,
    base: String,
    method: Method,
    /// Saltelli base samples N, or Morris trajectories r.
    samples: usize,
    /// Morris grid levels.
    levels: Option<usize>,
    replications: Option<u32>,
    bootstrap: Option<usize>,
    seed: Option<u64>,
    outputs: Vec<String>,
    parameters: BTreeMap<String, RawRange>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    min: f64,
    max: f64,
}

struct Plan {
    sweep: Sweep,
    method: Method,
    samples: usize,
    bootstrap: usize,
    seed: u64,
    outputs: Vec<String>,
}

fn plan(path: &Path) -> Result<Plan> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read sensitivity file {shown}"))?;
    let raw: RawFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{shown}: {}", e.message().trim_end()))?;
    let r = raw.sensitivity;
    let keys = parameter_keys();
    let mut parameters = Vec::new();
    for (key, range) in &r.parameters {
        let integer = numeric_key(&keys, key)
            .map_err(|m| anyhow::anyhow!("{shown}: sensitivity.parameters: {m}"))?;
        if !(range.min.is_finite() && range.max.is_finite() && range.min < range.max) {
            bail!(
                "{shown}: sensitivity.parameters.\"{key}\": min must be below max (got {} and {})",
                range.min,
                range.max
            );
        }
        parameters.push(Varied {
            key: key.clone(),
            min: range.min,
            max: range.max,
            values: vec![],
            integer,
        });
    }
    let k = parameters.len();
    if k == 0 {
        bail!("{shown}: sensitivity.parameters: name at least one parameter");
    }
    if r.outputs.is_empty() {
        bail!("{shown}: sensitivity.outputs: name at least one output metric");
    }
    for o in &r.outputs {
        if metric(o).is_none() {
            let allowed: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
            bail!(
                "{shown}: sensitivity.outputs: unknown metric `{o}`; allowed: {}",
                allowed.join(", ")
            );
        }
    }
    if r.samples < 2 {
        bail!(
            "{shown}: sensitivity.samples: at least 2 (Saltelli base samples or Morris trajectories)"
        );
    }
    let seed = r.seed.unwrap_or(1);
    let (design, unit) = match r.method {
        Method::Sobol => {
            if 2 * k > crate::design::MAX_SOBOL_DIMS {
                bail!(
                    "{shown}: sensitivity.parameters: Sobol indices support at most {} parameters",
                    crate::design::MAX_SOBOL_DIMS / 2
                );
            }
            (Design::Saltelli, sensitivity::saltelli_design(k, r.samples))
        }
        Method::Morris => {
            let levels = r.levels.unwrap_or(4);
            if levels < 2 || levels % 2 == 1 {
                bail!("{shown}: sensitivity.levels: an even number of at least 2 (got {levels})");
            }
            (
                Design::Morris,
                sensitivity::morris_design(k, r.samples, levels, seed),
            )
        }
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let base = scenario::load(&dir.join(&r.base))?.params;
    let replications = r.replications.unwrap_or(base.run.replications);
    let name = r.name.unwrap_or_else(|| {
        path.file_stem()
            .map_or("sensitivity".into(), |s| s.to_string_lossy().into_owned())
    });
    let sweep = Sweep::from_unit_points(name, path, base, design, replications, parameters, &unit)?;
    Ok(Plan {
        sweep,
        method: r.method,
        samples: r.samples,
        bootstrap: r.bootstrap.unwrap_or(500),
        seed,
        outputs: r.outputs,
    })
}

/// Mean over replications of `metric` at every design point, from the parts.
fn point_means(dir: &Path, units: usize, metric: &str) -> Result<Vec<f64>> {
    (0..units)
        .map(|u| {
            let path = store::part_path(dir, u);
            let df = ParquetReader::new(
                std::fs::File::open(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            )
            .with_columns(Some(vec![metric.into()]))
            .finish()
            .with_context(|| format!("cannot read {}", path.display()))?;
            let v: Vec<f64> = df.column(metric)?.f64()?.into_no_null_iter().collect();
            Ok(crate::stats::mean(&v))
        })
        .collect()
}

pub fn sensitivity(args: SweepArgs) -> Result<()> {
    let plan = plan(&args.file)?;
    let shard = args.shard()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&plan.sweep.name));
    let record = run_units(
        &plan.sweep,
        &dir,
        shard,
        super::run::threads(args.threads)?,
        args.quiet,
    )?;
    let done = store::done_units(&dir).len();
    if done < record.units {
        println!(
            "{done} of {} units done: rerun without --shard (or after every shard) to compute the indices",
            record.units
        );
        return Ok(());
    }
    let k = plan.sweep.parameters.len();
    let names: Vec<String> = plan
        .sweep
        .parameters
        .iter()
        .map(|v| v.key.clone())
        .collect();
    let mut rows: Vec<(String, String, [f64; 6])> = Vec::new();
    let provenance = format!(
        "{} of {} parameters; {} design points x {} replications, seed {}; trustsim {}",
        if plan.method == Method::Sobol {
            "Sobol indices (Saltelli sampling)"
        } else {
            "Morris elementary effects"
        },
        k,
        record.units,
        record.replications,
        record.seed,
        env!("CARGO_PKG_VERSION")
    );
    for output in &plan.outputs {
        let y = point_means(&dir, record.units, output)?;
        let label = metric(output).map_or(output.as_str(), |m| m.label);
        let title = format!("What drives {}", label.to_lowercase());
        match plan.method {
            Method::Sobol => {
                let idx: Vec<SobolIndex> =
                    sensitivity::sobol_analyse(&y, k, plan.samples, plan.bootstrap, plan.seed);
                for (n, i) in names.iter().zip(&idx) {
                    rows.push((
                        output.clone(),
                        n.clone(),
                        [
                            i.first,
                            i.first_low,
                            i.first_high,
                            i.total,
                            i.total_low,
                            i.total_high,
                        ],
                    ));
                }
                indices::render_indices(
                    &dir.join("charts"),
                    &format!("sobol_{output}"),
                    &title,
                    &names,
                    Indices::Sobol(&idx),
                    &provenance,
                )?;
            }
            Method::Morris => {
                let idx: Vec<MorrisIndex> = sensitivity::morris_analyse(
                    &plan.sweep.unit_points(),
                    &y,
                    k,
                    plan.samples,
                    plan.bootstrap,
                    plan.seed,
                );
                for (n, i) in names.iter().zip(&idx) {
                    rows.push((
                        output.clone(),
                        n.clone(),
                        [
                            i.mu_star,
                            i.mu_star_low,
                            i.mu_star_high,
                            i.mu,
                            i.sigma,
                            f64::NAN,
                        ],
                    ));
                }
                indices::render_indices(
                    &dir.join("charts"),
                    &format!("morris_{output}"),
                    &title,
                    &names,
                    Indices::Morris(&idx),
                    &provenance,
                )?;
            }
        }
    }
    let cols: [&str; 6] = match plan.method {
        Method::Sobol => [
            "first_order",
            "first_order_low",
            "first_order_high",
            "total",
            "total_low",
            "total_high",
        ],
        Method::Morris => [
            "mu_star",
            "mu_star_low",
            "mu_star_high",
            "mu",
            "sigma",
            "unused",
        ],
    };
    let ncols = if plan.method == Method::Sobol { 6 } else { 5 };
    let mut columns = vec![
        Column::new(
            "output".into(),
            rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "parameter".into(),
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ),
    ];
    for (c, name) in cols.iter().enumerate().take(ncols) {
        columns.push(Column::new(
            (*name).into(),
            rows.iter().map(|r| r.2[c]).collect::<Vec<f64>>(),
        ));
    }
    let mut df = DataFrame::new(rows.len(), columns)?;
    let meta = FileMeta {
        scenario_hash: record.hash.clone(),
        seed: record.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: record.name.clone(),
    };
    write_table(&dir.join("sensitivity.parquet"), &mut df, &meta)?;
    println!();
    println!(
        "{:<24} {:<40} {}",
        "output",
        "parameter",
        if plan.method == Method::Sobol {
            "first-order [95 % CI]      total [95 % CI]"
        } else {
            "mu* [95 % CI]              sigma"
        }
    );
    for (o, p, v) in &rows {
        match plan.method {
            Method::Sobol => println!(
                "{o:<24} {p:<40} {:.3} [{:.3}, {:.3}]   {:.3} [{:.3}, {:.3}]",
                v[0], v[1], v[2], v[3], v[4], v[5]
            ),
            Method::Morris => println!(
                "{o:<24} {p:<40} {:.4} [{:.4}, {:.4}]   {:.4}",
                v[0], v[1], v[2], v[4]
            ),
        }
    }
    println!("-> {}", dir.join("sensitivity.parquet").display());
    Ok(())
}
