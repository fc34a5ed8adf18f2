//! `trustsim columns`: the data dictionary of every output table, from the
//! table definitions the writer uses.

use anyhow::{Result, bail};

use crate::output::dictionary::{dictionary, markdown};

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
    Ok(())
}
