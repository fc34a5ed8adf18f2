//! Errors of the scenario layer and where they happened: [`ScenarioError`],
//! the [`Location`] of a key or value in a file, and the [`Violation`] of a
//! range check with the [`Origin`] of the offending value. Every message is
//! lowercase-first and says what was wrong, where, and what is allowed.

use std::fmt;

/// A position in a scenario file, shown as `FILE:LINE:COL` (1-based; the
/// column counts characters). `file` is the path as given, not canonicalized.
/// A command-line setting has line 0 and shows as its text alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.col)
        }
    }
}

/// Where a parameter value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Set in a scenario file at this location; shown as `FILE:LINE:COL:`.
    File(Location),
    /// Never set by a file: the built-in default; shown as `(default)`.
    Default,
    /// Set elsewhere, e.g. `command line` or `file name`; shown as `(command line)`.
    Named(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(at) => write!(f, "{at}:"),
            Origin::Default => f.write_str("(default)"),
            Origin::Named(name) => write!(f, "({name})"),
        }
    }
}

/// One out-of-range value, shown as
/// `ORIGIN KEY = VALUE is out of range; allowed: ALLOWED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub origin: Origin,
    /// Dotted key, e.g. `staff.sickness_recovery`.
    pub key: String,
    pub value: String,
    pub allowed: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} = {} is out of range; allowed: {}",
            self.origin, self.key, self.value, self.allowed
        )
    }
}

/// Everything that can go wrong while loading or validating a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The given scenario file could not be read (missing, unreadable, not UTF-8).
    #[error("cannot read scenario file {path}: {reason}")]
    Read { path: String, reason: String },
    /// A file named by `extends` could not be read; `at` is the `extends` key.
    #[error("{at}: cannot read scenario file {path} named by `extends`: {reason}")]
    ReadParent {
        at: Location,
        path: String,
        reason: String,
    },
    /// The file is not valid TOML.
    #[error("{at}: malformed TOML: {message}")]
    Syntax { at: Location, message: String },
    /// A key or table that the model does not have. `what` is `key` or
    /// `table`; `hint` is `did you mean ...?` or the list of allowed keys.
    #[error("{at}: unknown {what} `{key}`; {hint}")]
    Unknown {
        at: Location,
        what: &'static str,
        key: String,
        hint: String,
    },
    /// A value of the wrong TOML type.
    #[error("{at}: wrong type for `{key}`: expected {expected}, found {found}")]
    WrongType {
        at: Location,
        key: String,
        expected: String,
        found: String,
    },
    /// The `extends` chain loops back on itself.
    #[error("extends cycle: {}", chain.join(" -> "))]
    ExtendsCycle { chain: Vec<String> },
    /// The `extends` chain is longer than the cap.
    #[error("{at}: extends chain is longer than {max} files; allowed: at most {max}")]
    ExtendsTooDeep { at: Location, max: usize },
    /// One or more values out of range, one per line.
    #[error("{}", join_lines(violations))]
    OutOfRange { violations: Vec<Violation> },
    /// The scenario file sets nothing.
    #[error(
        "scenario file {path} is empty; a scenario sets at least one parameter or says `extends = \"baseline.toml\"` (see `trustsim params` for every parameter)"
    )]
    Empty { path: String },
    /// A `--set` argument that is not `KEY=VALUE`.
    #[error("{text}: expected KEY=VALUE, e.g. `--set staff.leave_base_monthly=0.008`")]
    BadSetting { text: String },
    /// The trust register named by `trusts.register` could not be read.
    #[error(
        "{} cannot read the trust register {path} named by trusts.register: {reason}",
        origin_prefix(origin)
    )]
    ReadRegister {
        origin: Origin,
        path: String,
        reason: String,
    },
    /// A bad header or cell of the trust register.
    #[error("{file}:{line}: {}{message}", column.as_ref().map(|c| format!("column `{c}`: ")).unwrap_or_default())]
    Register {
        file: String,
        line: u64,
        column: Option<String>,
        message: String,
    },
    /// A trust register without a header or without rows.
    #[error(
        "trust register {file} is empty; it needs a header line with the columns {columns} and one row per trust"
    )]
    EmptyRegister { file: String, columns: String },
    /// The merged parameters did not deserialize for a reason not caught above.
    #[error("invalid parameters: {message}")]
    Invalid { message: String },
}

/// Where a key was set, as the start of a message (nothing for a default).
fn origin_prefix(origin: &Origin) -> String {
    match origin {
        Origin::Default => String::new(),
        o => o.to_string(),
    }
}

fn join_lines(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
