//! The one rule for names that become paths: a scenario's `run.name`, a
//! comparison's, sweep's, sensitivity study's or calibration's `name`, and
//! a trust code in `report-CODE.html` or `charts/trust-CODE/`. Such a name
//! is a single path component that cannot climb out of its folder, hide
//! itself or surprise a shell: 1 to 100 ASCII letters, digits, '-', '_' or
//! '.', not starting with '.' or '-'. The rule is pure; every loader that
//! turns a name into a path calls [`check`].

/// Longest name accepted.
pub const MAX_NAME_CHARS: usize = 100;

/// What a valid name looks like, for error messages.
pub const ALLOWED: &str = "1 to 100 letters, digits, '-', '_' or '.', not starting with '.' or '-' (it names a folder or file)";

/// Whether `name` may become a path component.
pub fn is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `path` is a relative path of valid names separated by `/` (as
/// the files a manifest lists), so that joining it to a folder stays inside
/// that folder whatever a damaged or crafted manifest says.
pub fn is_relative_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_valid)
}

/// A valid name made from a file's stem (for a name the user did not
/// choose): other characters become '_', leading '.' and '-' go, and it is
/// cut to [`MAX_NAME_CHARS`]; `fallback` if nothing is left.
pub fn from_stem(path: &std::path::Path, fallback: &str) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches(['.', '-'])
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// `Ok` for a valid name; otherwise the message for `key` (e.g.
/// `compare.name`), naming the value and what is allowed.
pub fn check(key: &str, name: &str) -> Result<(), String> {
    if is_valid(name) {
        Ok(())
    } else {
        Err(format!(
            "{key}: {:?} cannot name a folder; allowed: {ALLOWED}",
            name.chars().take(MAX_NAME_CHARS + 1).collect::<String>()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_escape_hide_or_surprise_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../escape",
            "a/b",
            "a\\b",
            ".hidden",
            "-rf",
            "a b",
            "é",
            "a\0b",
            &"x".repeat(101),
        ] {
            assert!(!is_valid(bad), "{bad:?} was accepted");
        }
        for good in [
            "baseline",
            "quick_dev",
            "policy-2.0",
            "RXX",
            "T005",
            &"x".repeat(100),
        ] {
            assert!(is_valid(good), "{good:?} was refused");
        }
        assert!(is_relative_path("charts/trust-RXX/fan.png"));
        for bad in ["/etc/passwd", "../x", "charts/../../x", "charts//x", ""] {
            assert!(!is_relative_path(bad), "{bad:?}");
        }
        use std::path::Path;
        assert_eq!(
            from_stem(Path::new("dir/my sweep.toml"), "sweep"),
            "my_sweep"
        );
        assert_eq!(from_stem(Path::new("../.hidden.toml"), "sweep"), "hidden");
        assert_eq!(from_stem(Path::new("/"), "sweep"), "sweep");
        let e = check("compare.name", "..").unwrap_err();
        assert!(
            e.starts_with("compare.name: \"..\" cannot name a folder; allowed: 1 to 100"),
            "{e}"
        );
    }
}
