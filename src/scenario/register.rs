//! Reading a trust register (`trusts.register`): a CSV file with one row per
//! trust. Its path is resolved relative to the scenario file that sets it
//! (relative to the working directory when set on the command line); every
//! bad cell is reported with the file, line, column and what is allowed.
//! The parsed rows go into the parameters (so the scenario hash depends on
//! the register's contents) and set `trusts.*.count`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::{Origin, ScenarioError};
use crate::model::params::RawParams;
use crate::model::params::register::{COLUMNS, NUMERIC_COLUMNS, TrustRow, counts};
use crate::model::{Rating, TrustType};

/// The key that names the register.
pub(crate) const KEY: &str = "trusts.register";

/// Reads the register named by `trusts.register`, if any, into `raw`: the
/// resolved path, the rows and the counts by type (attributed to the register
/// in `origins`).
pub(crate) fn attach(
    raw: &mut RawParams,
    origins: &mut BTreeMap<String, Origin>,
) -> Result<(), ScenarioError> {
    if raw.trusts.register.is_empty() {
        raw.trusts.rows.clear();
        return Ok(());
    }
    let origin = origins.get(KEY).cloned().unwrap_or(Origin::Default);
    let path = resolve(&raw.trusts.register, &origin);
    let shown = path.display().to_string();
    let text = read(&path).map_err(|reason| ScenarioError::ReadRegister {
        origin: origin.clone(),
        path: shown.clone(),
        reason,
    })?;
    let rows = parse(&text, &shown)?;
    let n = counts(&rows);
    let t = &mut raw.trusts;
    for (tp, n) in [
        &mut t.acute,
        &mut t.mental_health,
        &mut t.community,
        &mut t.ambulance,
    ]
    .into_iter()
    .zip(n)
    {
        tp.count = n;
    }
    t.rows = rows;
    t.register = shown.clone();
    for name in TrustType::LABELS {
        origins.insert(
            format!("trusts.{name}.count"),
            Origin::Named(format!("set by the trust register {shown}")),
        );
    }
    Ok(())
}

/// The register's path: relative to the file that set it, else as given.
fn resolve(given: &str, origin: &Origin) -> PathBuf {
    let given = Path::new(given);
    match origin {
        Origin::File(at) if at.line > 0 && given.is_relative() => Path::new(&at.file)
            .parent()
            .unwrap_or(Path::new(""))
            .join(given),
        _ => given.to_path_buf(),
    }
}

fn read(path: &Path) -> Result<String, String> {
    let bytes =
        crate::files::read_bounded(path, crate::files::limits::REGISTER_BYTES, "a register")
            .map_err(|p| p.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("not UTF-8 text (first invalid byte on line {line}); save the file as UTF-8")
    })
}

/// An error at `line` (and `column`, if any) of the register `file`.
fn bad(file: &str, line: u64, column: Option<&str>, message: String) -> ScenarioError {
    ScenarioError::Register {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    }
}

/// The rows of a register's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<TrustRow>, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    let index = header_index(&header, file)?;
    let mut rows: Vec<(u64, TrustRow)> = Vec::new();
    let mut first_line: std::collections::BTreeMap<String, u64> = Default::default();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let line = record.position().map_or(0, csv::Position::line);
        if rows.len() == crate::files::limits::REGISTER_ROWS {
            return Err(bad(
                file,
                line,
                None,
                format!(
                    "more than {} trusts; allowed: at most {} rows",
                    crate::files::limits::REGISTER_ROWS,
                    crate::files::limits::REGISTER_ROWS
                ),
            ));
        }
        let row = row(&record, &index, file, line)?;
        if let Some(first) = first_line.get(&row.code) {
            return Err(bad(
                file,
                line,
                Some("code"),
                format!(
                    "duplicate code {:?} (first on line {first}); allowed: a code used once",
                    row.code
                ),
            ));
        }
        first_line.insert(row.code.clone(), line);
        rows.push((line, row));
    }
    if rows.is_empty() {
        return Err(ScenarioError::EmptyRegister {
            file: file.to_string(),
            columns: column_list(),
        });
    }
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

fn column_list() -> String {
    COLUMNS
        .iter()
        .map(|(c, required, _)| {
            if *required {
                (*c).to_string()
            } else {
                format!("{c} (optional)")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn csv_error(file: &str, e: &csv::Error) -> ScenarioError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields; allowed: {expected_len}, one per column of the header"),
        _ => super::source::lower_first(&e.to_string()),
    };
    bad(file, line, None, message)
}

/// Position of each known column in the header; unknown, repeated or
/// missing required columns are errors.
fn header_index(
    header: &csv::StringRecord,
    file: &str,
) -> Result<Vec<Option<usize>>, ScenarioError> {
    if header.iter().all(str::is_empty) {
        return Err(ScenarioError::EmptyRegister {
            file: file.to_string(),
            columns: column_list(),
        });
    }
    let mut index = vec![None; COLUMNS.len()];
    for (i, name) in header.iter().enumerate() {
        let name = name.to_lowercase();
        let Some(k) = COLUMNS.iter().position(|(c, _, _)| *c == name) else {
            // A header that is not a register's (say, the first line of some
            // other file) is described, never echoed.
            let plausible = !name.is_empty()
                && name.len() <= 40
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            return Err(if plausible {
                bad(
                    file,
                    1,
                    Some(&name),
                    format!("unknown column; allowed: {}", column_list()),
                )
            } else {
                bad(
                    file,
                    1,
                    None,
                    format!(
                        "field {} of the header is not a register column (is this a trust register?); the header names columns from: {}",
                        i + 1,
                        column_list()
                    ),
                )
            });
        };
        if index[k].replace(i).is_some() {
            return Err(bad(file, 1, Some(&name), "column given twice".into()));
        }
    }
    for (k, (name, required, _)) in COLUMNS.iter().enumerate() {
        if *required && index[k].is_none() {
            return Err(bad(
                file,
                1,
                Some(name),
                format!(
                    "missing required column; the header needs {}",
                    column_list()
                ),
            ));
        }
    }
    Ok(index)
}

/// One cell's text by column name ("" where the column is absent).
struct Cells<'a> {
    record: &'a csv::StringRecord,
    index: &'a [Option<usize>],
    file: &'a str,
    line: u64,
}

impl Cells<'_> {
    fn text(&self, name: &str) -> &str {
        COLUMNS
            .iter()
            .position(|(c, _, _)| *c == name)
            .and_then(|k| self.index[k])
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    fn error(&self, name: &str, value: &str) -> ScenarioError {
        let allowed = COLUMNS
            .iter()
            .find(|(c, _, _)| *c == name)
            .map_or("", |(_, _, a)| a);
        bad(
            self.file,
            self.line,
            Some(name),
            format!("{value:?} is not allowed; allowed: {allowed}"),
        )
    }

    /// A required text cell.
    fn required(&self, name: &str) -> Result<String, ScenarioError> {
        let v = self.text(name);
        if v.is_empty() {
            return Err(self.error(name, v));
        }
        Ok(v.to_string())
    }

    /// An optional cell parsed by `parse`, empty meaning `None`.
    fn optional<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ScenarioError> {
        let v = self.text(name);
        if v.is_empty() {
            return Ok(None);
        }
        parse(v).map(Some).ok_or_else(|| self.error(name, v))
    }

    /// An optional number in the column's range.
    fn number(&self, name: &str) -> Result<Option<f64>, ScenarioError> {
        let c = NUMERIC_COLUMNS
            .iter()
            .find(|c| c.name == name)
            .expect("a numeric column");
        self.optional(name, |v| v.parse::<f64>().ok().filter(|&x| c.accepts(x)))
    }
}

fn label<T: Copy>(all: &[T], labels: &[&str], v: &str) -> Option<T> {
    let v = v.to_lowercase();
    labels.iter().position(|l| *l == v).map(|i| all[i])
}

/// The row of `record` (line `line` of `file`).
fn row(
    record: &csv::StringRecord,
    index: &[Option<usize>],
    file: &str,
    line: u64,
) -> Result<TrustRow, ScenarioError> {
    let c = Cells {
        record,
        index,
        file,
        line,
    };
    let kind = c.required("type")?;
    let kind =
        label(&TrustType::ALL, &TrustType::LABELS, &kind).ok_or_else(|| c.error("type", &kind))?;
    Ok(TrustRow {
        code: c.required("code")?,
        name: c.required("name")?,
        kind,
        region: c.required("region")?,
        icb: c.optional("icb", |v| Some(v.to_string()))?,
        establishment: c.number("establishment")?,
        engagement: c.number("engagement")?,
        vacancy_rate: c.number("vacancy_rate")?,
        sickness_rate: c.number("sickness_rate")?,
        rating: c.optional("rating", |v| label(&Rating::ALL, &Rating::LABELS, v))?,
        ceo_tenure_months: c.optional("ceo_tenure_months", |v| {
            v.parse::<u32>().ok().filter(|m| (1..=480).contains(m))
        })?,
        ceo_interim: c.optional("ceo_interim", |v| match v.to_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })?,
        surplus_share: c.number("surplus_share")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code,name,type,region,icb,establishment,engagement,vacancy_rate,sickness_rate,rating,ceo_tenure_months,ceo_interim,surplus_share\n";

    fn err(text: &str) -> String {
        parse(text, "reg.csv").unwrap_err().to_string()
    }

    #[test]
    fn a_register_parses_with_empty_cells_as_drawn() {
        let text = format!(
            "{HEADER}RX1,\"Ash, Vale NHS Trust\",acute,London,North ICB,4000,6.8,0.08,0.05,good,24,false,-0.01\n\
             # a comment line\n\
             RX2,Birch,Mental_Health,Midlands,,,,,,,,,\n"
        );
        let rows = parse(&text, "reg.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Ash, Vale NHS Trust");
        assert_eq!(rows[0].rating, Some(Rating::Good));
        assert_eq!(rows[0].ceo_tenure_months, Some(24));
        assert_eq!(rows[0].ceo_interim, Some(false));
        assert_eq!(rows[1].kind, TrustType::MentalHealth);
        assert_eq!((rows[1].icb.as_deref(), rows[1].engagement), (None, None));
        let minimal = parse(
            "code,name,type,region,establishment\nA,B,ambulance,X,\n",
            "r",
        );
        assert_eq!(minimal.unwrap()[0].establishment, None);
    }

    #[test]
    fn bad_registers_name_file_line_column_and_what_is_allowed() {
        let row = |r: &str| err(&format!("{HEADER}RX1,A,acute,London,,4000,,,,,,,\n{r}\n"));
        assert_eq!(
            row("RX2,B,hospital,London,,4000,,,,,,,"),
            "reg.csv:3: column `type`: \"hospital\" is not allowed; allowed: acute, mental_health, community or ambulance"
        );
        assert_eq!(
            row("RX1,B,acute,London,,4000,,,,,,,"),
            "reg.csv:3: column `code`: duplicate code \"RX1\" (first on line 2); allowed: a code used once"
        );
        assert!(
            row("RX2,B,acute,London,,lots,,,,,,,")
                .starts_with("reg.csv:3: column `establishment`: \"lots\" is not allowed; allowed: empty or a number from 50 to 200000")
        );
        assert!(
            row("RX2,B,acute,London,,4000,,1.5,,,,,").contains("column `vacancy_rate`: \"1.5\"")
        );
        assert!(
            row("RX2,B,acute,London,,4000,,,,,0,,").contains("column `ceo_tenure_months`: \"0\"")
        );
        assert!(
            row("RX2,B,acute,London,,4000,,,,,,yes,").contains("allowed: empty, true or false")
        );
        assert!(row("RX2,B,acute,London,,4000,,,,great,,,").contains("column `rating`"));
        assert!(row("RX2,B,acute,,,4000,,,,,,,").contains("column `region`: \"\" is not allowed"));
        assert!(row("RX2,B,acute").starts_with("reg.csv:3: 3 fields; allowed: 13"));
    }

    #[test]
    fn bad_headers_and_empty_files_are_reported() {
        let e = err("code,name,type,establishment\nA,B,acute,100\n");
        assert!(
            e.starts_with("reg.csv:1: column `region`: missing required column"),
            "{e}"
        );
        let e = err("code,name,type,region,establishment,colour\n");
        assert!(
            e.starts_with("reg.csv:1: column `colour`: unknown column; allowed: code, name"),
            "{e}"
        );
        let e = err("code,name,type,region,establishment,code\n");
        assert!(e.contains("column given twice"), "{e}");
        for empty in ["", "\n", HEADER] {
            let e = err(empty);
            assert!(
                e.starts_with("trust register reg.csv is empty; it needs a header line"),
                "{e}"
            );
        }
    }
}
