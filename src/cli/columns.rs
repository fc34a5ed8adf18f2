//! `trustsim columns`: the data dictionary of every output table, from the
//! table definitions the writer uses.

use anyhow::{Result, bail};

use crate::output::comparison::COMPARISON;
use crate::output::replications::REPLICATION_METRICS;
use crate::output::summary::SUMMARY;
use crate::output::tables::{ColumnInfo, RESULT_TABLES};

/// Command-line options of `columns`.
#[derive(Debug, Clone, clap::Args)]
pub struct ColumnsArgs {
    /// Only this table (file name with or without `.parquet`).
    pub table: Option<String>,
    /// Print Markdown tables (as in the README) instead of plain text.
    #[arg(long)]
    pub markdown: bool,
}

/// Every table trustsim writes: (file, description, columns).
pub fn dictionary() -> Vec<(&'static str, &'static str, Vec<ColumnInfo>)> {
    let mut v: Vec<_> = RESULT_TABLES
        .iter()
        .map(|t| (t.file(), t.description(), t.info()))
        .collect();
    v.push((
        REPLICATION_METRICS.file,
        REPLICATION_METRICS.description,
        REPLICATION_METRICS.info(),
    ));
    v.push((SUMMARY.file, SUMMARY.description, SUMMARY.info()));
    v.push((COMPARISON.file, COMPARISON.description, COMPARISON.info()));
    v
}

/// The dictionary as Markdown: one table per file.
pub fn markdown(tables: &[(&str, &str, Vec<ColumnInfo>)]) -> String {
    let mut out = String::new();
    for (file, description, cols) in tables {
        out += &format!(
            "#### `{file}`\n\n{}\n\n| column | type | unit | description |\n|---|---|---|---|\n",
            description.trim()
        );
        for c in cols {
            out += &format!(
                "| `{}` | {} | {} | {} |\n",
                c.name, c.type_name, c.unit, c.description
            );
        }
        out.push('\n');
    }
    out
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
        print!("{}", markdown(&tables));
        return Ok(());
    }
    for (file, description, cols) in &tables {
        println!("{file}: {}", description.trim());
        for c in cols {
            let unit = if c.unit.is_empty() {
                String::new()
            } else {
                format!(", {}", c.unit)
            };
            println!(
                "  {} ({}{unit})\n      {}",
                c.name, c.type_name, c.description
            );
        }
        println!();
    }
    Ok(())
}
