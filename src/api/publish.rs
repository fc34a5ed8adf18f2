//! Charts and reports drawn from finished run folders alone (`plot`,
//! `report`): what they add to a run or comparison folder is recorded in
//! its manifest, so that `--force` and reruns know it as trustsim's.

use std::path::{Path, PathBuf};

use super::Error;
use crate::charts::{self, ChartError};
use crate::compare::study;
use crate::output::Manifest;
use crate::output::comparison::ComparisonManifest;
use crate::runner::Drawing;
use crate::runner::folder::{self, Recorded};

/// The charts `run` draws into a run folder.
pub fn run_charts() -> Drawing {
    Drawing::new(charts::run_chart_files(), |dir: &Path| {
        charts::render_run_charts(&[dir.to_path_buf()], &dir.join("charts")).map(drop)
    })
}

/// The charts `compare` draws: each variant's run charts, and the forest
/// and difference charts of the comparison folder.
pub fn comparison_charts() -> study::Charts {
    study::Charts {
        run: run_charts(),
        comparison: Drawing::new(charts::comparison_chart_files(), |dir: &Path| {
            charts::render_comparison_charts(dir).map(drop)
        }),
    }
}

fn invalid(message: String) -> Error {
    Error::Invalid(message)
}

/// The manifest of a finished run folder, or an error that says what the
/// folder is instead (missing, a comparison, an unfinished run).
pub fn finished_run(dir: &Path) -> Result<Manifest, Error> {
    if !dir.is_dir() {
        return Err(invalid(format!("{} is not a folder", dir.display())));
    }
    let path = dir.join(crate::output::MANIFEST_FILE);
    if !path.exists() {
        if dir
            .join(crate::output::comparison::COMPARISON_MANIFEST)
            .exists()
        {
            return Err(invalid(format!(
                "{} is a comparison folder, not a run; `trustsim report {}` writes its report, and each variant's run is in a subfolder",
                dir.display(),
                dir.display()
            )));
        }
        return Err(invalid(format!(
            "{} is not a run folder: it has no manifest.json (write one with `trustsim run SCENARIO --out {}`)",
            dir.display(),
            dir.display()
        )));
    }
    let m = crate::output::read_manifest(&path)?;
    if !m.complete {
        let kept = crate::output::batches::kept_count(dir);
        return Err(invalid(format!(
            "{} holds an unfinished run of `{}` ({kept} of {} replications done); run the same `trustsim run` command again to finish it",
            dir.display(),
            m.scenario_name,
            m.replications
        )));
    }
    Ok(m)
}

/// Writes `names` (relative to `dir`) with `write`, recording them in the
/// folder's record `R`, so that `--force` and reruns later know them as
/// trustsim's.
fn recorded<R: Recorded, T>(
    dir: &Path,
    names: &[String],
    write: impl FnOnce() -> Result<T, ChartError>,
) -> Result<T, Error> {
    folder::add_files::<R, T, ChartError>(dir, names, write).map_err(|e| invalid(format!("{e}")))
}

/// Draws the charts of one or more runs (overlaid when several), or
/// redraws a finished comparison's own charts into its folder.
pub fn plot(runs: &[PathBuf], out: Option<PathBuf>) -> Result<Vec<PathBuf>, Error> {
    if let [one] = runs
        && one
            .join(crate::output::comparison::COMPARISON_MANIFEST)
            .exists()
    {
        return plot_comparison(one, out);
    }
    for r in runs {
        finished_run(r)?;
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
    Ok(files)
}

/// Redraws the forest and difference charts of the finished comparison in
/// `dir`, recorded in its `comparison.json`.
fn plot_comparison(dir: &Path, out: Option<PathBuf>) -> Result<Vec<PathBuf>, Error> {
    use crate::output::comparison::{COMPARISON_MANIFEST, read_comparison_manifest};
    if out.is_some() {
        return Err(invalid(format!(
            "{} is a comparison folder: its charts are drawn into its own charts/ folder, so leave out --out",
            dir.display()
        )));
    }
    let record = read_comparison_manifest(&dir.join(COMPARISON_MANIFEST))?;
    if !record.complete {
        return Err(invalid(format!(
            "{} holds an unfinished comparison of {}; run the same `trustsim compare` command again to finish it",
            dir.display(),
            record.variants.join(", ")
        )));
    }
    recorded::<ComparisonManifest, _>(dir, &charts::comparison_chart_files(), || {
        charts::render_comparison_charts(dir)
    })
}

/// Draws the trust view of trust `code` of one run.
pub fn plot_trust(
    runs: &[PathBuf],
    code: &str,
    out: Option<PathBuf>,
) -> Result<(String, Vec<PathBuf>), Error> {
    let [run] = runs else {
        return Err(invalid(format!(
            "--trust draws one run at a time; {} run folders given",
            runs.len()
        )));
    };
    finished_run(run)?;
    let code = charts::trust::canonical_code(run, code)?;
    let files = match out {
        None => recorded::<Manifest, _>(run, &charts::trust::trust_chart_files(&code), || {
            charts::trust::render_trust_charts(run, &code, None)
        })?,
        Some(out) => charts::trust::render_trust_charts(run, &code, Some(&out))?,
    };
    Ok((code, files))
}

/// Writes the one-file HTML report of one or more runs, or of a
/// comparison folder.
pub fn report(
    runs: &[PathBuf],
    out: Option<PathBuf>,
    trust: Option<&str>,
    paper: crate::report::Paper,
) -> Result<PathBuf, Error> {
    if trust.is_some() && runs.len() != 1 {
        return Err(invalid(format!(
            "--trust reports one run at a time; {} folders given",
            runs.len()
        )));
    }
    if let [one] = runs
        && one
            .join(crate::output::comparison::COMPARISON_MANIFEST)
            .exists()
    {
        if let Some(code) = trust {
            let record = crate::output::comparison::read_comparison_manifest(
                &one.join(crate::output::comparison::COMPARISON_MANIFEST),
            )
            .map_err(|e| invalid(e.to_string()))?;
            let reference = one.join(record.variants.first().map_or("", String::as_str));
            let code = charts::trust::canonical_code(&reference, code)?;
            let name = format!(
                "report-{}.html",
                charts::trust::trust_dir(Path::new(""), &code)
                    .display()
                    .to_string()
                    .trim_start_matches("trust-")
            );
            let out = match out {
                Some(out) => {
                    crate::report::write_comparison_trust_report(one, &code, &out, paper)?;
                    out
                }
                None => {
                    let out = one.join(&name);
                    recorded::<ComparisonManifest, _>(one, &[name], || {
                        crate::report::write_comparison_trust_report(one, &code, &out, paper)
                    })?;
                    out
                }
            };
            return Ok(out);
        }
        let out = match out {
            Some(out) => {
                crate::report::write_comparison_report(one, &out, paper)?;
                out
            }
            None => {
                let out = one.join("report.html");
                recorded::<ComparisonManifest, _>(one, &["report.html".into()], || {
                    crate::report::write_comparison_report(one, &out, paper)
                })?;
                out
            }
        };
        return Ok(out);
    }
    for r in runs {
        finished_run(r)?;
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
                crate::report::write_report(runs, &out, trust.as_deref(), paper)
            })?;
            out
        }
        (_, out) => {
            let out = out.unwrap_or_else(|| {
                Path::new("output").join(format!("report-{}.html", joined(runs)))
            });
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    invalid(format!("cannot create folder `{}`: {e}", parent.display()))
                })?;
            }
            crate::report::write_report(runs, &out, trust.as_deref(), paper)?;
            out
        }
    };
    Ok(out)
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
