//! `trustsim plot` and `trustsim report`: charts and the one-file HTML
//! report, drawn from finished run folders alone.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::charts::{self, ChartError};
use crate::output::Manifest;
use crate::output::comparison::ComparisonManifest;
use crate::runner::folder::{self, Recorded};

/// Writes `names` (relative to `dir`) with `write`, recording them in the
/// folder's record `R`, so that `--force` and reruns later know them as
/// trustsim's.
fn recorded<R: Recorded, T>(
    dir: &Path,
    names: &[String],
    write: impl FnOnce() -> Result<T, ChartError>,
) -> Result<T> {
    Ok(folder::add_files::<R, T, ChartError>(dir, names, write)?)
}

/// Draws the charts of one or more runs (overlaid when several).
pub fn plot(runs: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    for r in runs {
        super::finished_run(r)?;
    }
    let files = match (runs, out) {
        ([one], None) => recorded::<Manifest, _>(one, &charts::run_chart_files(), || {
            charts::render_run_charts(runs, &one.join("charts"))
        })?,
        (_, out) => {
            let out =
                out.unwrap_or_else(|| Path::new("output").join(format!("plot-{}", joined(runs))));
            charts::render_run_charts(runs, &out)?
        }
    };
    let out = files
        .first()
        .and_then(|f| f.parent())
        .unwrap_or(Path::new("."));
    outln!(
        "{} charts ({} files, PNG and SVG) -> {}",
        files.len() / 2,
        files.len(),
        out.display()
    );
    Ok(())
}

/// Draws the trust view of trust `code` of one run.
pub fn plot_trust(runs: &[PathBuf], code: &str, out: Option<PathBuf>) -> Result<()> {
    let [run] = runs else {
        anyhow::bail!(
            "--trust draws one run at a time; {} run folders given",
            runs.len()
        );
    };
    super::finished_run(run)?;
    let code = charts::trust::canonical_code(run, code)?;
    let files = match out {
        None => recorded::<Manifest, _>(run, &charts::trust::trust_chart_files(&code), || {
            charts::trust::render_trust_charts(run, &code, None)
        })?,
        Some(out) => charts::trust::render_trust_charts(run, &code, Some(&out))?,
    };
    let folder = files.first().and_then(|f| f.parent()).unwrap_or(run);
    outln!(
        "trust {code}: {} charts ({} files, PNG and SVG) -> {}",
        files.len() / 2,
        files.len(),
        folder.display()
    );
    Ok(())
}

/// Writes the one-file HTML report of one or more runs, or of a
/// comparison folder.
pub fn report(runs: &[PathBuf], out: Option<PathBuf>, trust: Option<&str>) -> Result<()> {
    if trust.is_some() && runs.len() != 1 {
        anyhow::bail!(
            "--trust reports one run at a time; {} folders given",
            runs.len()
        );
    }
    if let [one] = runs
        && one
            .join(crate::output::comparison::COMPARISON_MANIFEST)
            .exists()
    {
        if trust.is_some() {
            anyhow::bail!(
                "{} is a comparison folder; --trust draws a trust of one run, such as {}",
                one.display(),
                one.join("<variant>").display()
            );
        }
        let out = match out {
            Some(out) => {
                crate::report::write_comparison_report(one, &out)?;
                out
            }
            None => {
                let out = one.join("report.html");
                recorded::<ComparisonManifest, _>(one, &["report.html".into()], || {
                    crate::report::write_comparison_report(one, &out)
                })?;
                out
            }
        };
        outln!("report -> {}", out.display());
        return Ok(());
    }
    for r in runs {
        super::finished_run(r)?;
    }
    let trust = match (runs, trust) {
        ([one], Some(code)) => Some(charts::trust::canonical_code(one, code)?),
        _ => None,
    };
    let out = match (runs, out) {
        ([one], None) => {
            let name = match &trust {
                Some(code) => format!(
                    "report-{}.html",
                    charts::trust::trust_dir(Path::new(""), code)
                        .display()
                        .to_string()
                        .trim_start_matches("trust-")
                ),
                None => "report.html".to_string(),
            };
            let out = one.join(&name);
            recorded::<Manifest, _>(one, &[name], || {
                crate::report::write_report(runs, &out, trust.as_deref())
            })?;
            out
        }
        (_, out) => {
            let out = out.unwrap_or_else(|| {
                Path::new("output").join(format!("report-{}.html", joined(runs)))
            });
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
            }
            crate::report::write_report(runs, &out, trust.as_deref())?;
            out
        }
    };
    outln!("report -> {}", out.display());
    Ok(())
}

/// Run folder names joined for a default output name: `a-vs-b`.
fn joined(runs: &[PathBuf]) -> String {
    runs.iter()
        .map(|r| {
            let name = r
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into());
            name.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-vs-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_join_the_run_folders() {
        assert_eq!(
            joined(&[
                PathBuf::from("output/baseline"),
                PathBuf::from("x/sup ervised")
            ]),
            "baseline-vs-sup_ervised"
        );
    }
}
