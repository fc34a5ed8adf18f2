//! Scenario files: turning a TOML file (and the files it `extends`) into a
//! validated [`Params`], with errors that name the file, line and column, the
//! dotted key, and what is allowed.
//!
//! Loading follows five steps: read and parse each file in the `extends` chain
//! keeping spans ([`source`]); walk each file against the schema, the TOML tree
//! of `Params::default()`, and layer it onto that tree, base file first
//! ([`schema`]); deserialize the merged tree; then run [`Params::check`] and
//! report each violation at the place its key was last set. The resolved
//! parameters and their hash identify a run in its manifest.

mod changes;
mod error;
pub mod keys;
pub mod register;
mod schema;
mod source;
mod targets;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::Params;
use crate::model::params::{RangeSink, RawParams, TimedChange};
pub use error::{Location, Origin, ScenarioError, Violation};
use source::SourceFile;

/// Most files an `extends` chain may hold, the given file included.
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// A loaded, validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub params: Params,
    /// Files in the extends chain, base first, the given file last (paths as
    /// given or as built from `extends`, not canonicalized).
    pub files: Vec<PathBuf>,
}

/// Loads the scenario at `path`, following `extends`, and validates it.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &[])
}

/// A setting given on the command line, layered over the scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `KEY=VALUE`.
    pub text: String,
    /// How it appears in messages and the manifest, e.g. `--set
    /// staff.leave_base_monthly=0.008` or `--months 60`.
    pub shown: String,
}

impl Setting {
    /// A `--set KEY=VALUE` argument.
    pub fn set(text: &str) -> Setting {
        Setting {
            text: text.to_string(),
            shown: format!("--set {text}"),
        }
    }

    /// A flag such as `--months 60` that stands for `key = value`.
    pub fn flag(flag: &str, key: &str, value: impl std::fmt::Display) -> Setting {
        Setting {
            text: format!("{key}={value}"),
            shown: format!("{flag} {value}"),
        }
    }
}

/// Loads the scenario at `path` with `settings` layered over it, in order,
/// and validates the result. An error in a setting names the setting.
pub fn load_with(path: &Path, settings: &[Setting]) -> Result<Scenario, ScenarioError> {
    let mut chain = Vec::new();
    load_chain(path, None, &mut Vec::new(), &mut chain, None)?;
    layered(path, chain, settings)
}

/// How messages name a scenario given as text rather than as a file.
pub const TEXT_SCENARIO: &str = "<scenario text>";

/// Loads a scenario given as TOML `text` (not read from a file) with
/// `settings` layered over it, as [`load_with`] loads a file: an `extends`
/// in it is relative to `dir`, messages name it `<scenario text>`, and its
/// `run.name` defaults to `scenario`.
pub fn load_text(text: &str, dir: &Path, settings: &[Setting]) -> Result<Scenario, ScenarioError> {
    if text.len() as u64 > crate::files::limits::TEXT_FILE_BYTES {
        return Err(ScenarioError::Read {
            path: TEXT_SCENARIO.into(),
            reason: format!(
                "it is {} long; allowed: at most {}",
                crate::files::read::human(text.len() as u64),
                crate::files::read::human(crate::files::limits::TEXT_FILE_BYTES)
            ),
        });
    }
    let path = dir.join("scenario.toml");
    let mut chain = Vec::new();
    load_chain(&path, Some(text), &mut Vec::new(), &mut chain, None)?;
    let mut scenario = layered(&path, chain, settings)?;
    scenario.files.pop();
    Ok(scenario)
}

/// The scenario of the files in `chain` (base first, `path` last) with
/// `settings` layered over them.
fn layered(
    path: &Path,
    mut chain: Vec<SourceFile>,
    settings: &[Setting],
) -> Result<Scenario, ScenarioError> {
    if let Some(last) = chain.last().filter(|f| f.is_empty()) {
        return Err(ScenarioError::Empty {
            path: last.shown.clone(),
        });
    }
    let layers = settings
        .iter()
        .map(|s| source::setting(&s.text, &s.shown))
        .collect::<Result<Vec<_>, _>>()?;
    let chain_len = chain.len();
    chain.extend(layers);

    let mut merged = schema::defaults_tree();
    let mut set_at = BTreeMap::new();
    for file in &chain {
        schema::apply_file(file, &mut merged, &mut set_at)?;
    }
    let mut origins: BTreeMap<String, Origin> = set_at
        .into_iter()
        .map(|(k, at)| (k, Origin::File(at)))
        .collect();
    if !origins.contains_key("run.name") {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(toml::Value::Table(run)) = merged.get_mut("run") {
            run.insert("name".into(), toml::Value::String(stem));
        }
        origins.insert("run.name".into(), Origin::Named("file name".into()));
    }

    let mut raw = deserialize(merged, &origins)?;
    register::attach(&mut raw, &mut origins)?;
    // Timed changes apply on top of the starting values, register included.
    let base_tree = match toml::Value::try_from(&raw) {
        Ok(toml::Value::Table(t)) => t,
        Ok(_) | Err(_) => {
            return Err(ScenarioError::Invalid {
                message: "the parameters cannot be represented as TOML".into(),
            });
        }
    };
    let params = checked(raw, &origins, Origin::Default)?;
    let mut specs = Vec::new();
    let schema_tree = schema::defaults_tree();
    for file in &chain {
        changes::read(file, &schema_tree, &mut specs)?;
    }
    let params = attach_changes(params, base_tree, specs, origins)?;
    chain.truncate(chain_len);
    Ok(Scenario {
        params,
        files: chain.into_iter().map(|f| f.path).collect(),
    })
}

/// Validates a parameter tree built in code (a sweep point, an edited
/// scenario); every violation is attributed to `origin` (e.g. `"command
/// line"`, shown as `(command line)`).
pub fn build(raw: RawParams, origin: &str) -> Result<Params, ScenarioError> {
    checked(raw, &BTreeMap::new(), Origin::Named(origin.to_string()))
}

/// Validates `raw` (an edited copy of `like`'s starting values, such as a
/// sweep point) and applies `like`'s timed changes to it again.
pub fn rebuild(like: &Params, raw: RawParams, origin: &str) -> Result<Params, ScenarioError> {
    let base = build(raw, origin)?;
    let mut sink = Collect {
        origins: &BTreeMap::new(),
        fallback: Origin::Named(origin.to_string()),
        violations: Vec::new(),
    };
    like.reapply_changes(base, &mut sink)
        .ok_or(ScenarioError::OutOfRange {
            violations: sink.violations,
        })
}

/// Builds the tree of each timed change (cumulatively, in month order, on
/// top of the scenario's merged `tree`) and attaches them to `base`, then
/// the targeted entries (`[[for_trusts]]` and `[[changes]]` with `trusts`
/// or `where`); every problem is reported where its key was set.
fn attach_changes(
    base: Params,
    mut tree: toml::Table,
    specs: Vec<changes::ChangeSpec>,
    mut origins: BTreeMap<String, Origin>,
) -> Result<Params, ScenarioError> {
    if specs.is_empty() {
        return Ok(base);
    }
    // A calendar month becomes a reported month on the run's calendar.
    let cal = base.run.calendar();
    let mut months = Vec::with_capacity(specs.len());
    for s in &specs {
        months.push(match s.when {
            changes::When::Month(m) => m,
            changes::When::Start => 0,
            changes::When::Date(d) => {
                let m = cal.month_of(d);
                let last = cal.reported(i64::from(base.run.months));
                if m < 1 || m > i64::from(base.run.months) {
                    return Err(ScenarioError::OutOfRange {
                        violations: vec![Violation {
                            origin: Origin::File(s.month_at.clone()),
                            key: format!("{}.from", s.name),
                            value: format!("\"{d}\""),
                            allowed: format!(
                                "a month from run.start ({}) to the last reported month ({last})",
                                cal.start
                            ),
                        }],
                    });
                }
                m as u32
            }
        });
    }
    let mut specs: Vec<(u32, changes::ChangeSpec)> = months.into_iter().zip(specs).collect();
    specs.sort_by_key(|(m, _)| *m);
    let (targeted, national): (Vec<_>, Vec<_>) =
        specs.into_iter().partition(|(_, s)| s.target.is_some());
    let mut built = Vec::new();
    let mut target_origins = origins.clone();
    for (i, (month, s)) in national.iter().enumerate() {
        for (k, v) in &s.set {
            set(&mut tree, k, v.clone());
        }
        for (k, at) in &s.set_at {
            origins.insert(k.clone(), Origin::File(at.clone()));
        }
        origins.insert(
            format!("changes[{i}].month"),
            Origin::File(s.month_at.clone()),
        );
        let raw = deserialize(tree.clone(), &origins)?;
        built.push(TimedChange {
            month: *month,
            description: s.description.clone(),
            set: s.set.clone(),
            params: checked(raw, &origins, Origin::Default)?,
        });
    }
    let mut sink = Collect {
        origins: &origins,
        fallback: Origin::Default,
        violations: Vec::new(),
    };
    let params = base
        .with_changes(built, &mut sink)
        .ok_or(ScenarioError::OutOfRange {
            violations: sink.violations,
        })?;
    if targeted.is_empty() {
        return Ok(params);
    }
    let facts = params.trust_facts();
    let mut entries = Vec::new();
    for (month, s) in &targeted {
        let (target, at) = s.target.clone().expect("partitioned on target");
        targets::check(&s.name, &target, &at, *month, &facts, &params)?;
        for (k, v) in &s.set {
            if let Some(why) = crate::model::params::untargetable(k, *month) {
                return Err(ScenarioError::OutOfRange {
                    violations: vec![Violation {
                        origin: Origin::File(s.set_at.get(k).cloned().unwrap_or(at.clone())),
                        key: format!("{}.set.{k}", s.name),
                        value: format!("{v} for {}", target.describe()),
                        allowed: format!("no value for some trusts only ({why})"),
                    }],
                });
            }
        }
        for (k, at) in &s.set_at {
            target_origins.insert(k.clone(), Origin::File(at.clone()));
        }
        entries.push(crate::model::params::TargetedChange {
            month: *month,
            description: s.description.clone(),
            target,
            set: s.set.clone(),
        });
    }
    let mut sink = Collect {
        origins: &target_origins,
        fallback: Origin::Default,
        violations: Vec::new(),
    };
    params
        .with_targets(entries, &mut sink)
        .ok_or(ScenarioError::OutOfRange {
            violations: sink.violations,
        })
}

/// The one place a [`Params`] is made: every violation is attributed to the
/// place its key was set (`origins`) or to `fallback`.
#[allow(clippy::disallowed_methods)]
fn checked(
    raw: RawParams,
    origins: &BTreeMap<String, Origin>,
    fallback: Origin,
) -> Result<Params, ScenarioError> {
    let mut sink = Collect {
        origins,
        fallback,
        violations: Vec::new(),
    };
    Params::validate(raw, &mut sink).ok_or(ScenarioError::OutOfRange {
        violations: sink.violations,
    })
}

/// The full parameter set as pretty TOML (every key, defaults included,
/// then the timed changes).
pub fn resolved_toml(params: &Params) -> String {
    // Params holds only strings, numbers, booleans, tables and arrays, all of
    // which TOML can represent; the fallback is never expected to be used.
    toml::to_string_pretty(params).unwrap_or_else(|e| format!("# cannot serialize: {e}\n"))
}

/// [`resolved_toml`] as the scenario's identity: the trust register is
/// named by its file name alone (its rows, which are the content, stay), so
/// that the same scenario has the same hash whichever folder it is run from
/// and wherever the project is checked out.
pub fn identity_toml(params: &Params) -> String {
    let Ok(toml::Value::Table(mut tree)) = toml::Value::try_from(params) else {
        return resolved_toml(params);
    };
    let register = tree.get_mut("trusts").and_then(|t| t.get_mut("register"));
    if let Some(toml::Value::String(path)) = register
        && let Some(name) = Path::new(path.as_str()).file_name()
    {
        *path = name.to_string_lossy().into_owned();
    }
    toml::to_string_pretty(&tree).unwrap_or_else(|_| resolved_toml(params))
}

/// Lowercase hex SHA-256 of [`identity_toml`].
pub fn scenario_hash(params: &Params) -> String {
    let digest = Sha256::digest(identity_toml(params).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads and parses `path` and, first, every file it extends; pushes them onto
/// `out` base first. `stack` holds the (canonical, shown) files being loaded.
fn load_chain(
    path: &Path,
    given: Option<&str>,
    stack: &mut Vec<(PathBuf, String)>,
    out: &mut Vec<SourceFile>,
    named_at: Option<Location>,
) -> Result<(), ScenarioError> {
    let shown = match given {
        Some(_) => TEXT_SCENARIO.to_string(),
        None => path.display().to_string(),
    };
    let read = match given {
        Some(text) => Ok(text.to_string()),
        None => source::read_text(path, &shown),
    };
    let text = read.map_err(|reason| match &named_at {
        None => ScenarioError::Read {
            path: shown.clone(),
            reason,
        },
        Some(at) => ScenarioError::ReadParent {
            at: at.clone(),
            path: shown.clone(),
            reason,
        },
    })?;
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if stack.iter().any(|(c, _)| *c == canonical) {
        let mut chain: Vec<String> = stack.iter().map(|(_, s)| s.clone()).collect();
        chain.push(shown);
        return Err(ScenarioError::ExtendsCycle { chain });
    }
    if stack.len() >= MAX_EXTENDS_DEPTH {
        return Err(ScenarioError::ExtendsTooDeep {
            at: named_at.unwrap_or_else(|| source::location(&shown, "", 0)),
            max: MAX_EXTENDS_DEPTH,
        });
    }
    let file = source::parse(path, &shown, text)?;

    let table = file.doc.as_table();
    if let Some((key, item)) = table.get_key_value(schema::EXTENDS) {
        let at = file.loc(key.span().or_else(|| item.span()));
        let Some(parent) = item.as_str() else {
            return Err(ScenarioError::WrongType {
                at,
                key: schema::EXTENDS.into(),
                expected: "a string (the path of the scenario file to extend)".into(),
                found: schema::describe_item(item),
            });
        };
        let parent_path = path.parent().unwrap_or(Path::new("")).join(parent);
        stack.push((canonical, shown));
        load_chain(&parent_path, None, stack, out, Some(at))?;
        stack.pop();
    }
    out.push(file);
    Ok(())
}

/// The merged tree as Params. The schema walk already fixed every type, so a
/// failure here is an integer too large or negative for its field; find it.
fn deserialize(
    merged: toml::Table,
    origins: &BTreeMap<String, Origin>,
) -> Result<RawParams, ScenarioError> {
    let err = match toml::Value::Table(merged.clone()).try_into::<RawParams>() {
        Ok(p) => return Ok(p),
        Err(e) => e,
    };
    let defaults = schema::defaults_tree();
    let fits = |key: &str, v: i64| {
        let mut probe = defaults.clone();
        set(&mut probe, key, toml::Value::Integer(v));
        toml::Value::Table(probe).try_into::<RawParams>().is_ok()
    };
    // The allowed range is the parameter's rule, not its storage type's.
    let rules = RawParams::default().describe();
    let mut violations = Vec::new();
    for (key, origin) in origins {
        if let Some(toml::Value::Integer(v)) = get(&merged, key)
            && !fits(key, *v)
        {
            let allowed = rules
                .iter()
                .find(|r| r.key == *key)
                .map_or_else(|| "a smaller integer".to_string(), |r| r.allowed.clone());
            violations.push(Violation {
                origin: origin.clone(),
                key: key.clone(),
                value: v.to_string(),
                allowed,
            });
        }
    }
    if violations.is_empty() {
        Err(ScenarioError::Invalid {
            message: source::lower_first(err.message().trim()),
        })
    } else {
        Err(ScenarioError::OutOfRange { violations })
    }
}

fn get<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    let v = table.get(head)?;
    match (rest.is_empty(), v) {
        (true, _) => Some(v),
        (false, toml::Value::Table(t)) => get(t, rest),
        _ => None,
    }
}

fn set(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            if let Some(toml::Value::Table(t)) = table.get_mut(head) {
                set(t, rest, value);
            }
        }
    }
}

/// Collects range violations with the origin of each key.
struct Collect<'a> {
    origins: &'a BTreeMap<String, Origin>,
    fallback: Origin,
    violations: Vec<Violation>,
}

impl RangeSink for Collect<'_> {
    fn violation(&mut self, key: &str, value: String, allowed: &str) {
        self.violations.push(Violation {
            origin: self
                .origins
                .get(key)
                .cloned()
                .unwrap_or_else(|| self.fallback.clone()),
            key: key.to_string(),
            value,
            allowed: allowed.to_string(),
        });
    }
}

/// Where a scenario comes from: a file, or TOML text (from a library
/// caller) whose `extends` is relative to `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Text { toml: String, dir: PathBuf },
}

impl Source {
    /// Loads and validates the scenario with `settings` layered over it.
    pub fn load(&self, settings: &[Setting]) -> Result<Scenario, ScenarioError> {
        match self {
            Source::File(path) => load_with(path, settings),
            Source::Text { toml, dir } => load_text(toml, dir, settings),
        }
    }

    /// How messages name the scenario: its path, or `<scenario text>`.
    pub fn shown(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Text { .. } => TEXT_SCENARIO.to_string(),
        }
    }
}

impl Setting {
    /// The dotted key the setting sets.
    pub fn key(&self) -> &str {
        self.text.split_once('=').map_or("", |(k, _)| k.trim())
    }
}
