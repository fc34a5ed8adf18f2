//! `trustsim columns`: the data dictionary of every output table, from the
//! table definitions the writer uses; `trustsim metrics`: every metric key
//! those tables hold, from the metric registry.

use anyhow::{Result, bail};

use crate::output::dictionary::{dictionary, markdown, metrics_markdown};

/// Command-line options of `columns`.
#[derive(Debug, Clone, clap::Args)]
pub struct ColumnsArgs {
    /// Only this table (file name with or without `.parquet`).
    pub table: Option<String>,
    /// Print Markdown tables (as in the README) instead of plain text.
    #[arg(long)]
    pub markdown: bool,
}

pub fn columns(args: ColumnsArgs) -> Result<()> {
    let mut tables = dictionary();
    if let Some(want) = &args.table {
        let stem = want.strip_suffix(".parquet").unwrap_or(want);
        tables.retain(|(f, _, _)| f.strip_suffix(".parquet") == Some(stem));
        if tables.is_empty() {
            let names: Vec<&str> = dictionary().iter().map(|t| t.0).collect();
            bail!("no table `{want}`; allowed: {}", names.join(", "));
        }
    }
    if args.markdown {
        out!("{}", markdown(&tables));
        return Ok(());
    }
    for (file, description, cols) in &tables {
        outln!("{file}: {}", description.trim());
        for c in cols {
            let unit = if c.unit.is_empty() {
                String::new()
            } else {
                format!(", {}", c.unit)
            };
            outln!(
                "  {} ({}{unit})\n      {}",
                c.name,
                c.type_name,
                c.description
            );
        }
        outln!();
    }
    outln!(
        "Metric keys (the `metric` column of summary.parquet and replications.parquet, `outcome` of comparison.parquet, `output` of sensitivity.parquet, and the targets of a calibration file): `trustsim metrics`"
    );
    Ok(())
}

/// Command-line options of `metrics`.
#[derive(Debug, Clone, clap::Args)]
pub struct MetricsArgs {
    /// Only metrics whose key starts with this prefix.
    pub prefix: Option<String>,
    /// Print a Markdown table (as in the README) instead of plain text.
    #[arg(long)]
    pub markdown: bool,
}

/// Every metric of the registry: key, label, unit as stored, how it is
/// measured and its target.
pub fn metrics(args: MetricsArgs) -> Result<()> {
    if args.markdown {
        if args.prefix.is_some() {
            bail!("--markdown prints every metric; leave out the prefix");
        }
        out!("{}", metrics_markdown());
        return Ok(());
    }
    let prefix = args.prefix.as_deref().unwrap_or("");
    let shown: Vec<_> = crate::metrics::METRICS
        .iter()
        .filter(|m| m.key.starts_with(prefix))
        .collect();
    if shown.is_empty() {
        bail!(
            "no metric key starts with `{prefix}`; `trustsim metrics` lists all {}",
            crate::metrics::METRICS.len()
        );
    }
    for m in shown {
        outln!("{} ({}, {})", m.key, m.label, m.unit.stored_label());
        outln!("      {}", m.description);
        if let Some(t) = m.target {
            let kind = match t.kind {
                crate::metrics::TargetKind::Calibration => "calibration target",
                crate::metrics::TargetKind::Pattern => "pattern",
            };
            outln!("      {kind}: {} ({})", t.evidence, t.source);
        }
    }
    Ok(())
}
