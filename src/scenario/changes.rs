//! Reading the timed changes of a scenario file:
//!
//! ```toml
//! [[changes]]
//! month = 24                        # first reported month with the new values
//! description = "double the development budget"
//! set = { "development.budget_share_of_paybill" = 0.0004 }
//!
//! [[changes]]
//! from = "2028-04"                  # or the calendar month (run.start is month 1)
//! set = { "oversight.punitiveness" = 0.3 }
//! ```
//!
//! Every key of `set` is checked against the schema (with a "did you mean"
//! hint) and converted to the parameter's type here; whether the parameter
//! may change during a run, and whether the month lies in the run, is
//! checked by [`crate::model::Params::with_changes`].

use std::collections::BTreeMap;

use toml_edit::{Item, TableLike};

use super::error::{Location, ScenarioError};
use super::schema::{self, CHANGES};
use super::source::SourceFile;
use crate::model::calendar::YearMonth;

/// One `[[changes]]` entry as read, before its tree is built.
#[derive(Debug, Clone)]
pub(crate) struct ChangeSpec {
    pub when: When,
    pub description: String,
    pub set: Vec<(String, toml::Value)>,
    /// Where each key of `set` was set.
    pub set_at: BTreeMap<String, Location>,
    /// Where `month` or `from` was set.
    pub month_at: Location,
}

/// When a change starts, as the file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// A reported month (`month = 24`).
    Month(u32),
    /// A calendar month (`from = "2028-04"`), turned into a reported month
    /// once `run.start` is known.
    Date(YearMonth),
}

const ENTRY_KEYS: [&str; 4] = ["month", "from", "description", "set"];

/// Appends the changes of `file` to `out`; `schema` is the defaults tree.
pub(crate) fn read(
    file: &SourceFile,
    schema: &toml::Table,
    out: &mut Vec<ChangeSpec>,
) -> Result<(), ScenarioError> {
    let table = file.doc.as_table();
    let Some((key, item)) = table.get_key_value(CHANGES) else {
        return Ok(());
    };
    let at = file.loc(key.span().or_else(|| item.span()));
    let entries: Vec<&dyn TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect::<Option<_>>()
            .ok_or_else(|| wrong(&at, CHANGES, schema::describe_item(item)))?,
        _ => return Err(wrong(&at, CHANGES, schema::describe_item(item))),
    };
    for (i, entry) in entries.into_iter().enumerate() {
        out.push(entry_spec(file, schema, entry, i, &at)?);
    }
    Ok(())
}

fn wrong(at: &Location, key: &str, found: String) -> ScenarioError {
    ScenarioError::WrongType {
        at: at.clone(),
        key: key.to_string(),
        expected: "an array of tables `[[changes]]`, each with month = M (or from = \"YYYY-MM\") and set = { \"dotted.key\" = value }".into(),
        found,
    }
}

/// Location of `name` in `t`, or `fallback`.
fn loc_of(file: &SourceFile, t: &dyn TableLike, name: &str, fallback: &Location) -> Location {
    let span = t
        .key(name)
        .and_then(|k| k.span())
        .or_else(|| t.get(name).and_then(Item::span));
    span.map_or_else(|| fallback.clone(), |s| file.loc(Some(s)))
}

fn entry_spec(
    file: &SourceFile,
    schema: &toml::Table,
    entry: &dyn TableLike,
    i: usize,
    at: &Location,
) -> Result<ChangeSpec, ScenarioError> {
    let prefix = format!("changes[{i}]");
    for (name, item) in entry.iter() {
        if !ENTRY_KEYS.contains(&name) {
            return Err(ScenarioError::Unknown {
                at: loc_of(file, entry, name, at),
                what: if item.is_table_like() { "table" } else { "key" },
                key: format!("{prefix}.{name}"),
                hint: schema::closest(name, &ENTRY_KEYS).map_or_else(
                    || format!("allowed in `{CHANGES}`: {}", ENTRY_KEYS.join(", ")),
                    |b| format!("did you mean `{prefix}.{b}`?"),
                ),
            });
        }
    }
    let when = match (entry.get("month"), entry.get("from")) {
        (Some(_), Some(_)) => {
            return Err(ScenarioError::WrongType {
                at: loc_of(file, entry, "from", at),
                key: format!("{prefix}.from"),
                expected:
                    "one of month = M (a reported month) or from = \"YYYY-MM\" (a calendar month)"
                        .into(),
                found: "both month and from".into(),
            });
        }
        (None, None) => {
            return Err(ScenarioError::WrongType {
                at: at.clone(),
                key: format!("{prefix}.month"),
                expected: "month = M (the first reported month with the new values) or from = \"YYYY-MM\" (its calendar month)".into(),
                found: "nothing".into(),
            });
        }
        (Some(m), None) => {
            let month_at = loc_of(file, entry, "month", at);
            match m.as_integer() {
                Some(m) if (0..=i64::from(u32::MAX)).contains(&m) => {
                    (When::Month(m as u32), month_at)
                }
                Some(m) => {
                    return Err(ScenarioError::OutOfRange {
                        violations: vec![super::Violation {
                            origin: super::Origin::File(month_at),
                            key: format!("{prefix}.month"),
                            value: m.to_string(),
                            allowed: "a reported month from 1 to run.months".into(),
                        }],
                    });
                }
                None => {
                    return Err(ScenarioError::WrongType {
                        key: format!("{prefix}.month"),
                        expected: "an integer: the first reported month with the new values".into(),
                        found: schema::describe_item(m),
                        at: month_at,
                    });
                }
            }
        }
        (None, Some(f)) => {
            let from_at = loc_of(file, entry, "from", at);
            match f.as_str().and_then(YearMonth::parse) {
                Some(d) => (When::Date(d), from_at),
                None => {
                    return Err(ScenarioError::WrongType {
                        key: format!("{prefix}.from"),
                        expected:
                            "a calendar month as a string \"YYYY-MM\", e.g. from = \"2027-04\""
                                .into(),
                        found: schema::describe_item(f),
                        at: from_at,
                    });
                }
            }
        }
    };
    let (when, month_at) = when;
    let description = match entry.get("description") {
        None => String::new(),
        Some(d) => d
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ScenarioError::WrongType {
                at: loc_of(file, entry, "description", at),
                key: format!("{prefix}.description"),
                expected: "a string".into(),
                found: schema::describe_item(d),
            })?,
    };
    let set_at_key = loc_of(file, entry, "set", at);
    let set_table = entry
        .get("set")
        .and_then(Item::as_table_like)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ScenarioError::WrongType {
            at: set_at_key.clone(),
            key: format!("{prefix}.set"),
            expected: "a table of at least one parameter, e.g. set = { \"development.budget_share_of_paybill\" = 0.0004 }".into(),
            found: entry
                .get("set")
                .map_or_else(|| "nothing".into(), schema::describe_item),
        })?;
    let mut spec = ChangeSpec {
        when,
        description,
        set: vec![],
        set_at: BTreeMap::new(),
        month_at,
    };
    walk_set(file, schema, set_table, "", &set_at_key, &mut spec)?;
    Ok(spec)
}

/// Reads `t` (the `set` table or a table inside it) whose keys may be
/// dotted (`"a.b" = 1`) or nested (`a = { b = 1 }`).
fn walk_set(
    file: &SourceFile,
    schema: &toml::Table,
    t: &dyn TableLike,
    prefix: &str,
    fallback: &Location,
    spec: &mut ChangeSpec,
) -> Result<(), ScenarioError> {
    for (name, item) in t.iter() {
        let key = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let at = loc_of(file, t, name, fallback);
        let slot = lookup(schema, &key, item, &at)?;
        match (slot, item.as_table_like()) {
            (toml::Value::Table(_), Some(sub)) => walk_set(file, schema, sub, &key, &at, spec)?,
            (toml::Value::Table(_), None) => {
                return Err(ScenarioError::WrongType {
                    at,
                    key,
                    expected: "a table".into(),
                    found: schema::describe_item(item),
                });
            }
            (leaf, _) => {
                let Some(value) = item.as_value().filter(|v| !v.is_inline_table()) else {
                    return Err(ScenarioError::WrongType {
                        at,
                        key,
                        expected: "a value".into(),
                        found: schema::describe_item(item),
                    });
                };
                let v = schema::convert(file, value, leaf, &key, &at)?;
                spec.set.retain(|(k, _)| *k != key);
                spec.set.push((key.clone(), v));
                spec.set_at.insert(key, at);
            }
        }
    }
    Ok(())
}

/// The schema value at dotted `key`, or the unknown-key error.
fn lookup<'a>(
    schema: &'a toml::Table,
    key: &str,
    item: &Item,
    at: &Location,
) -> Result<&'a toml::Value, ScenarioError> {
    let mut table = schema;
    let mut prefix = String::new();
    let parts: Vec<&str> = key.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        match table.get(*part) {
            Some(v) if i + 1 == parts.len() => return Ok(v),
            Some(toml::Value::Table(sub)) => table = sub,
            _ => {
                let err = schema::unknown(table, &prefix, part, item, at.clone());
                return Err(match err {
                    ScenarioError::Unknown { at, what, hint, .. } => ScenarioError::Unknown {
                        at,
                        what,
                        key: format!("set.{key}"),
                        hint,
                    },
                    other => other,
                });
            }
        }
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
    }
    Err(ScenarioError::Unknown {
        at: at.clone(),
        what: "key",
        key: format!("set.{key}"),
        hint: "name a parameter, e.g. `development.budget_share_of_paybill`".into(),
    })
}
