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
//! Either may name the trusts it is for: `trusts = ["RXX"]` (register
//! codes) and `where = { type = "acute", region = "London", icb = "...",
//! segment = 4, rating = "requires_improvement", membership = "monthly" }`
//! (segment and rating only for timed changes). `[[for_trusts]]` entries
//! give values for some trusts for the whole run:
//!
//! ```toml
//! [[for_trusts]]
//! where = { type = "ambulance" }
//! set = { "staff.leave_base_monthly" = 0.011 }
//! ```
//!
//! Every key of `set` is checked against the schema (with a "did you mean"
//! hint) and converted to the parameter's type here; whether the parameter
//! may change during a run, and whether the month lies in the run, is
//! checked by [`crate::model::Params::with_changes`].

use std::collections::BTreeMap;

use toml_edit::{Item, TableLike};

use super::error::{Location, ScenarioError};
use super::schema::{self, CHANGES, FOR_TRUSTS};
use super::source::SourceFile;
use crate::model::calendar::YearMonth;
use crate::model::params::{Membership, Target};
use crate::model::{Rating, TrustType};

/// One `[[changes]]` entry as read, before its tree is built.
#[derive(Debug, Clone)]
pub(crate) struct ChangeSpec {
    pub when: When,
    pub description: String,
    pub set: Vec<(String, toml::Value)>,
    /// Where each key of `set` was set.
    pub set_at: BTreeMap<String, Location>,
    /// Where `month` or `from` was set (the entry for `[[for_trusts]]`).
    pub month_at: Location,
    /// How messages name the entry: `changes[2]`, `for_trusts[0]`.
    pub name: String,
    /// The trusts it is for (none: every trust), and where that was set.
    pub target: Option<(Target, Location)>,
}

/// When a change starts, as the file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// A reported month (`month = 24`).
    Month(u32),
    /// A calendar month (`from = "2028-04"`), turned into a reported month
    /// once `run.start` is known.
    Date(YearMonth),
    /// The whole run, burn-in included (`[[for_trusts]]`).
    Start,
}

const ENTRY_KEYS: [&str; 6] = ["month", "from", "description", "trusts", "where", "set"];
const FOR_TRUSTS_KEYS: [&str; 4] = ["description", "trusts", "where", "set"];
const WHERE_KEYS: [&str; 6] = ["type", "region", "icb", "segment", "rating", "membership"];

/// Appends the changes and the `[[for_trusts]]` entries of `file` to
/// `out`; `schema` is the defaults tree.
pub(crate) fn read(
    file: &SourceFile,
    schema: &toml::Table,
    out: &mut Vec<ChangeSpec>,
) -> Result<(), ScenarioError> {
    read_array(file, schema, CHANGES, out)?;
    read_array(file, schema, FOR_TRUSTS, out)
}

fn read_array(
    file: &SourceFile,
    schema: &toml::Table,
    array: &str,
    out: &mut Vec<ChangeSpec>,
) -> Result<(), ScenarioError> {
    let table = file.doc.as_table();
    let Some((key, item)) = table.get_key_value(array) else {
        return Ok(());
    };
    let at = file.loc(key.span().or_else(|| item.span()));
    let entries: Vec<&dyn TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
            .collect::<Option<_>>()
            .ok_or_else(|| wrong(&at, array, schema::describe_item(item)))?,
        _ => return Err(wrong(&at, array, schema::describe_item(item))),
    };
    for (i, entry) in entries.into_iter().enumerate() {
        out.push(entry_spec(file, schema, entry, array, i, &at)?);
    }
    Ok(())
}

fn wrong(at: &Location, key: &str, found: String) -> ScenarioError {
    ScenarioError::WrongType {
        at: at.clone(),
        key: key.to_string(),
        expected: if key == FOR_TRUSTS {
            "an array of tables `[[for_trusts]]`, each with trusts = [\"CODE\", ...] or where = { ... } and set = { \"dotted.key\" = value }".into()
        } else {
            "an array of tables `[[changes]]`, each with month = M (or from = \"YYYY-MM\") and set = { \"dotted.key\" = value }".into()
        },
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
    array: &str,
    i: usize,
    at: &Location,
) -> Result<ChangeSpec, ScenarioError> {
    let prefix = format!("{array}[{i}]");
    let allowed: &[&str] = if array == FOR_TRUSTS {
        &FOR_TRUSTS_KEYS
    } else {
        &ENTRY_KEYS
    };
    for (name, item) in entry.iter() {
        if !allowed.contains(&name) {
            return Err(ScenarioError::Unknown {
                at: loc_of(file, entry, name, at),
                what: if item.is_table_like() { "table" } else { "key" },
                key: format!("{prefix}.{name}"),
                hint: schema::closest(name, allowed).map_or_else(
                    || {
                        let why = if ["month", "from"].contains(&name) {
                            " (values for some trusts that start later are a [[changes]] entry with trusts or where)"
                        } else {
                            ""
                        };
                        format!("allowed in `{array}`: {}{why}", allowed.join(", "))
                    },
                    |b| format!("did you mean `{prefix}.{b}`?"),
                ),
            });
        }
    }
    let target = read_target(file, entry, &prefix, at)?;
    if array == FOR_TRUSTS && target.is_none() {
        return Err(ScenarioError::WrongType {
            at: at.clone(),
            key: format!("{prefix}.trusts"),
            expected: "trusts = [\"CODE\", ...] or where = { type = ..., region = ..., icb = ... }: the trusts the values are for (values for every trust go in the scenario's own tables)".into(),
            found: "nothing".into(),
        });
    }
    let when = match (entry.get("month"), entry.get("from")) {
        _ if array == FOR_TRUSTS => (When::Start, at.clone()),
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
        name: prefix,
        target,
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

/// The error for a target key holding the wrong kind of value.
fn wrong_target(at: Location, key: String, expected: &str, item: &Item) -> ScenarioError {
    ScenarioError::WrongType {
        at,
        key,
        expected: expected.into(),
        found: schema::describe_item(item),
    }
}

/// A string or an array of strings, as a list.
fn strings(item: &Item) -> Option<Vec<String>> {
    if let Some(s) = item.as_str() {
        return Some(vec![s.to_string()]);
    }
    let a = item.as_array()?;
    let v: Option<Vec<String>> = a.iter().map(|x| x.as_str().map(str::to_string)).collect();
    v.filter(|v| !v.is_empty())
}

/// One name of `labels` or the error listing them.
fn one_of<T: Copy>(
    s: &str,
    labels: &[&str],
    values: &[T],
    at: &Location,
    key: &str,
) -> Result<T, ScenarioError> {
    labels
        .iter()
        .position(|l| *l == s)
        .map(|k| values[k])
        .ok_or_else(|| ScenarioError::OutOfRange {
            violations: vec![super::Violation {
                origin: super::Origin::File(at.clone()),
                key: key.to_string(),
                value: format!("\"{s}\""),
                allowed: format!(
                    "one of {}{}",
                    labels.join(", "),
                    schema::closest(s, labels)
                        .map_or(String::new(), |b| format!(" (did you mean \"{b}\"?)"))
                ),
            }],
        })
}

/// The entry's `trusts` and `where`, type-checked (whether the codes,
/// regions and ICBs exist is checked once the register is known).
fn read_target(
    file: &SourceFile,
    entry: &dyn TableLike,
    prefix: &str,
    at: &Location,
) -> Result<Option<(Target, Location)>, ScenarioError> {
    let mut target = Target::default();
    let mut target_at = None;
    if let Some(item) = entry.get("trusts") {
        let here = loc_of(file, entry, "trusts", at);
        target.trusts = strings(item).ok_or_else(|| {
            wrong_target(
                here.clone(),
                format!("{prefix}.trusts"),
                "a list of organisation codes, e.g. trusts = [\"RXX\"]",
                item,
            )
        })?;
        target_at = Some(here);
    }
    if let Some(item) = entry.get("where") {
        let here = loc_of(file, entry, "where", at);
        let Some(w) = item.as_table_like() else {
            return Err(wrong_target(
                here,
                format!("{prefix}.where"),
                "a table such as where = { type = \"acute\", region = \"London\" }",
                item,
            ));
        };
        if w.is_empty() {
            return Err(wrong_target(
                here,
                format!("{prefix}.where"),
                &format!("a table with at least one of {}", WHERE_KEYS.join(", ")),
                item,
            ));
        }
        for (name, v) in w.iter() {
            let key = format!("{prefix}.where.{name}");
            let vat = loc_of(file, w, name, &here);
            match name {
                "type" => {
                    let names = strings(v).ok_or_else(|| {
                        wrong_target(
                            vat.clone(),
                            key.clone(),
                            "a trust type or a list of them, e.g. type = \"acute\"",
                            v,
                        )
                    })?;
                    for n in names {
                        target.types.push(one_of(
                            &n,
                            &TrustType::LABELS,
                            &TrustType::ALL,
                            &vat,
                            &key,
                        )?);
                    }
                }
                "region" | "icb" => {
                    let names = strings(v).ok_or_else(|| {
                        wrong_target(
                            vat.clone(),
                            key.clone(),
                            "a name or a list of names, as the register spells them",
                            v,
                        )
                    })?;
                    if name == "region" {
                        target.regions = names;
                    } else {
                        target.icbs = names;
                    }
                }
                "segment" => {
                    let ints: Option<Vec<i64>> = match v.as_integer() {
                        Some(n) => Some(vec![n]),
                        None => v
                            .as_array()
                            .and_then(|a| a.iter().map(|x| x.as_integer()).collect())
                            .filter(|l: &Vec<i64>| !l.is_empty()),
                    };
                    let ints = ints.ok_or_else(|| {
                        wrong_target(
                            vat.clone(),
                            key.clone(),
                            "an oversight segment (1-4) or a list of them, e.g. segment = 4",
                            v,
                        )
                    })?;
                    for n in ints {
                        if !(1..=4).contains(&n) {
                            return Err(ScenarioError::OutOfRange {
                                violations: vec![super::Violation {
                                    origin: super::Origin::File(vat),
                                    key,
                                    value: n.to_string(),
                                    allowed: "an oversight segment from 1 (least support) to 4 (intensive support)".into(),
                                }],
                            });
                        }
                        target.segments.push(n as u8);
                    }
                }
                "rating" => {
                    let s = v.as_str().ok_or_else(|| {
                        wrong_target(vat.clone(), key.clone(), "a rating as a string: trusts rated this or worse, e.g. rating = \"requires_improvement\"", v)
                    })?;
                    target.rating = Some(one_of(s, &Rating::LABELS, &Rating::ALL, &vat, &key)?);
                }
                "membership" => {
                    let s = v.as_str().ok_or_else(|| {
                        wrong_target(vat.clone(), key.clone(), "\"fixed\" or \"monthly\"", v)
                    })?;
                    target.membership = one_of(
                        s,
                        &Membership::LABELS,
                        &[Membership::Fixed, Membership::Monthly],
                        &vat,
                        &key,
                    )?;
                }
                other => {
                    return Err(ScenarioError::Unknown {
                        at: vat,
                        what: "key",
                        key,
                        hint: schema::closest(other, &WHERE_KEYS).map_or_else(
                            || format!("allowed in `where`: {}", WHERE_KEYS.join(", ")),
                            |b| format!("did you mean `{prefix}.where.{b}`?"),
                        ),
                    });
                }
            }
        }
        if w.contains_key("membership") && !target.is_dynamic() {
            return Err(wrong_target(
                loc_of(file, w, "membership", &here),
                format!("{prefix}.where.membership"),
                "membership only with segment or rating (who a trust is does not change)",
                w.get("membership").expect("just checked"),
            ));
        }
        target_at = target_at.or(Some(here));
    }
    Ok(target_at.map(|a| (target, a)))
}
