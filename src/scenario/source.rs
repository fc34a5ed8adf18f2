//! Reading one scenario file: bytes from disk, UTF-8 check, TOML parsing with
//! spans (toml_edit), and turning byte offsets into `FILE:LINE:COL`
//! [`Location`]s. Knows nothing about the parameter schema.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::Document;

use super::error::{Location, ScenarioError};

/// One parsed scenario file.
pub(crate) struct SourceFile {
    /// The path as given (or as built from `extends`).
    pub path: PathBuf,
    /// `path` for messages.
    pub shown: String,
    pub doc: Document<String>,
    /// Whether positions in the text mean anything to the user (false for
    /// a command-line setting, whose every location is the setting itself).
    pub positioned: bool,
}

impl SourceFile {
    /// The location of byte `offset` (or of the file start when unknown).
    pub fn loc(&self, span: Option<Range<usize>>) -> Location {
        if !self.positioned {
            return Location {
                file: self.shown.clone(),
                line: 0,
                col: 0,
            };
        }
        location(&self.shown, self.doc.raw(), span.map_or(0, |s| s.start))
    }

    /// Whether the file sets nothing (only blank lines and comments).
    pub fn is_empty(&self) -> bool {
        self.doc.as_table().is_empty()
    }
}

/// A command-line setting `KEY=VALUE` as a one-line file `KEY = VALUE`
/// (a VALUE that is not TOML is taken as text), shown as `shown`.
pub(crate) fn setting(text: &str, shown: &str) -> Result<SourceFile, ScenarioError> {
    let bad = || ScenarioError::BadSetting {
        text: shown.to_string(),
    };
    let (key, value) = text.split_once('=').ok_or_else(bad)?;
    let (key, value) = (key.trim(), value.trim());
    let key_ok = !key.is_empty()
        && key
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !key_ok || value.is_empty() {
        return Err(bad());
    }
    let as_toml = format!("{key} = {value}\n");
    let doc = Document::parse(as_toml)
        .or_else(|_| Document::parse(format!("{key} = {}\n", toml_edit::Value::from(value))))
        .map_err(|_| bad())?;
    Ok(SourceFile {
        path: PathBuf::from(shown),
        shown: shown.to_string(),
        doc,
        positioned: false,
    })
}

/// Why reading a file failed, as a lowercase phrase.
pub(crate) fn read_text(path: &Path, shown: &str) -> Result<String, String> {
    let bytes = crate::files::read_bounded(
        path,
        crate::files::limits::TEXT_FILE_BYTES,
        "a scenario file",
    )
    .map_err(|p| p.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        // The valid prefix is UTF-8, so line and column are well defined.
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
        let at = location(shown, &prefix, good);
        format!(
            "not UTF-8 text (first invalid byte at line {}, column {}); save the file as UTF-8",
            at.line, at.col
        )
    })
}

/// Parses `text` keeping spans; a syntax error points at the offending text.
pub(crate) fn parse(path: &Path, shown: &str, text: String) -> Result<SourceFile, ScenarioError> {
    match Document::parse(text.clone()) {
        Ok(doc) => Ok(SourceFile {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            doc,
            positioned: true,
        }),
        Err(e) => {
            let at = location(shown, &text, e.span().map_or(0, |s| s.start));
            let message = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            Err(ScenarioError::Syntax { at, message })
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub(crate) fn location(file: &str, text: &str, offset: usize) -> Location {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    Location {
        file: file.to_string(),
        line,
        col,
    }
}

pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
