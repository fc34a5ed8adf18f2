//! Checking a parsed scenario file against the parameter schema and layering
//! it onto the merged parameter tree. The schema is the TOML tree of
//! `Params::default()`: every key a file may set, with its type. Unknown keys
//! get a "did you mean" hint, integers are accepted where numbers are expected,
//! arrays (the `pressures.*.schedule` lists of `[year, level]` pairs) are
//! replaced whole, and the file location of every leaf set is recorded.

use std::collections::BTreeMap;

use toml_edit::{Item, TableLike, Value};

use super::error::{Location, ScenarioError};
use super::source::SourceFile;

/// The top-level key that names the file a scenario extends.
pub(crate) const EXTENDS: &str = "extends";
/// The top-level array of timed changes (read by `changes.rs`).
pub(crate) const CHANGES: &str = "changes";
/// Top-level array of values for some trusts only (`[[for_trusts]]`).
pub(crate) const FOR_TRUSTS: &str = "for_trusts";

/// `value` as a `toml::Value` of the type of `schema` (the default at
/// `key`), or the error naming `key` at `at`.
pub(crate) fn convert(
    file: &SourceFile,
    value: &Value,
    schema: &toml::Value,
    key: &str,
    at: &Location,
) -> Result<toml::Value, ScenarioError> {
    let mut unused = BTreeMap::new();
    Layer {
        file,
        set_at: &mut unused,
    }
    .convert(value, schema, key, at)
}

/// Layers `file` onto `merged` (which starts as the defaults tree, so it is
/// also the schema), recording in `set_at` where each leaf key was set.
pub(crate) fn apply_file(
    file: &SourceFile,
    merged: &mut toml::Table,
    set_at: &mut BTreeMap<String, Location>,
) -> Result<(), ScenarioError> {
    let mut layer = Layer { file, set_at };
    let top = file.loc(None);
    layer.table(file.doc.as_table(), merged, "", &top)
}

struct Layer<'a> {
    file: &'a SourceFile,
    set_at: &'a mut BTreeMap<String, Location>,
}

impl Layer<'_> {
    fn table(
        &mut self,
        user: &dyn TableLike,
        target: &mut toml::Table,
        prefix: &str,
        parent_at: &Location,
    ) -> Result<(), ScenarioError> {
        for (name, item) in user.iter() {
            let key = join(prefix, name);
            let span = user
                .key(name)
                .and_then(|k| k.span())
                .or_else(|| item.span());
            let at = match span {
                Some(_) => self.file.loc(span),
                None => parent_at.clone(),
            };
            if prefix.is_empty() && (name == EXTENDS || name == CHANGES || name == FOR_TRUSTS) {
                continue; // read by the chain loader and by `changes.rs`
            }
            if !target.contains_key(name) {
                return Err(unknown(target, prefix, name, item, at));
            }
            let slot = target
                .get_mut(name)
                .expect("key presence checked just above");
            if let toml::Value::Table(sub_target) = slot {
                let Some(sub) = item.as_table_like() else {
                    return Err(ScenarioError::WrongType {
                        at,
                        key,
                        expected: "a table".into(),
                        found: describe_item(item),
                    });
                };
                self.table(sub, sub_target, &key, &at)?;
                continue;
            }
            let Some(value) = item.as_value().filter(|v| !v.is_inline_table()) else {
                return Err(ScenarioError::WrongType {
                    at,
                    key,
                    expected: expected(slot).into(),
                    found: describe_item(item),
                });
            };
            *slot = self.convert(value, slot, &key, &at)?;
            self.set_at.insert(key, at);
        }
        Ok(())
    }

    /// `value` as a `toml::Value` of the schema's type, if it is one.
    fn convert(
        &self,
        value: &Value,
        schema: &toml::Value,
        key: &str,
        at: &Location,
    ) -> Result<toml::Value, ScenarioError> {
        use toml::Value as T;
        let ok = match (schema, value) {
            (T::String(_), Value::String(s)) => Some(T::String(s.value().clone())),
            (T::Integer(_), Value::Integer(i)) => Some(T::Integer(*i.value())),
            (T::Float(_), Value::Integer(i)) => Some(T::Float(*i.value() as f64)),
            (T::Float(_), Value::Float(f)) => Some(T::Float(*f.value())),
            (T::Boolean(_), Value::Boolean(b)) => Some(T::Boolean(*b.value())),
            (T::Array(_), Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.pair(item, &format!("{key}[{i}]"), at)?);
                }
                Some(T::Array(out))
            }
            _ => None,
        };
        ok.ok_or_else(|| ScenarioError::WrongType {
            at: at.clone(),
            key: key.to_string(),
            expected: expected(schema).into(),
            found: describe_value(value),
        })
    }

    /// One `[year, level]` element of a schedule (the only arrays in the schema).
    fn pair(&self, item: &Value, key: &str, at: &Location) -> Result<toml::Value, ScenarioError> {
        let number = |v: &Value| match v {
            Value::Integer(i) => Some(*i.value() as f64),
            Value::Float(f) => Some(*f.value()),
            _ => None,
        };
        if let Value::Array(a) = item
            && a.len() == 2
            && let (Some(x), Some(y)) = (a.get(0).and_then(number), a.get(1).and_then(number))
        {
            return Ok(toml::Value::Array(vec![
                toml::Value::Float(x),
                toml::Value::Float(y),
            ]));
        }
        Err(ScenarioError::WrongType {
            at: item
                .span()
                .map_or_else(|| at.clone(), |s| self.file.loc(Some(s))),
            key: key.to_string(),
            expected: PAIR.into(),
            found: describe_value(item),
        })
    }
}

const PAIR: &str = "a [year, level] pair of numbers";

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// What a schema value asks for, as a phrase.
fn expected(schema: &toml::Value) -> &'static str {
    match schema {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date-time",
        toml::Value::Array(_) => "an array of [year, level] pairs of numbers",
        toml::Value::Table(_) => "a table",
    }
}

pub(crate) fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(v) => describe_value(v),
        Item::Table(_) => "a table".into(),
        Item::ArrayOfTables(_) => "an array of tables".into(),
        Item::None => "nothing".into(),
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("a string ({:?})", s.value()),
        Value::Integer(i) => format!("an integer ({})", i.value()),
        Value::Float(f) => format!("a float ({})", f.value()),
        Value::Boolean(b) => format!("a boolean ({})", b.value()),
        Value::Datetime(d) => format!("a date-time ({})", d.value()),
        Value::Array(a) => format!("an array ({})", a.to_string().trim()),
        Value::InlineTable(_) => "a table".into(),
    }
}

/// The error for a key the schema table `target` does not have.
pub(crate) fn unknown(
    target: &toml::Table,
    prefix: &str,
    name: &str,
    item: &Item,
    at: Location,
) -> ScenarioError {
    let mut siblings: Vec<&str> = target.keys().map(String::as_str).collect();
    if prefix.is_empty() {
        siblings.splice(0..0, [EXTENDS, CHANGES, FOR_TRUSTS]);
    }
    let hint = if let Some(best) = closest(name, &siblings) {
        format!("did you mean `{}`?", join(prefix, best))
    } else if let Some(elsewhere) = find_leaf(name) {
        format!("did you mean `{elsewhere}`?")
    } else if prefix.is_empty() {
        format!("allowed at the top level: {}", siblings.join(", "))
    } else {
        format!("allowed in `{prefix}`: {}", siblings.join(", "))
    };
    ScenarioError::Unknown {
        at,
        what: if item.is_table_like() { "table" } else { "key" },
        key: join(prefix, name),
        hint,
    }
}

/// The sibling most like `name`, if any is close enough to be a likely typo.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let name = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for &c in candidates {
        let score = strsim::normalized_damerau_levenshtein(&name, &c.to_lowercase());
        let edits = strsim::damerau_levenshtein(&name, &c.to_lowercase());
        let close = score >= 0.7 || (edits <= 2 && c.len() >= 5);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The only dotted key anywhere in the schema whose last part is exactly
/// `name` (e.g. `punitiveness` put in `[run]` instead of `[oversight]`).
fn find_leaf(name: &str) -> Option<String> {
    let mut found = Vec::new();
    collect_leaves(&defaults_tree(), "", name, &mut found);
    (found.len() == 1).then(|| found.remove(0))
}

/// The TOML tree of `Params::default()`: the schema and the merge base.
pub(crate) fn defaults_tree() -> toml::Table {
    match toml::Value::try_from(crate::model::Params::default()) {
        Ok(toml::Value::Table(t)) => t,
        // Params is a struct of plain fields; this cannot happen.
        _ => toml::Table::new(),
    }
}

fn collect_leaves(table: &toml::Table, prefix: &str, name: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let key = join(prefix, k);
        if let toml::Value::Table(t) = v {
            collect_leaves(t, &key, name, out);
        } else if k == name {
            out.push(key);
        }
    }
}
