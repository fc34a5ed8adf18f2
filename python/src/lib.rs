//! `trustsim._trustsim`: the native part of the Python package, a thin
//! front over `trustsim::api`. Every job runs on a worker thread with the
//! GIL released; the calling thread wakes every 50 ms to let Python handle
//! signals, and a KeyboardInterrupt cancels the job (it stops within a
//! simulated month, keeping finished work) and is raised once it has
//! stopped. Errors raise `TrustsimError` with the command line's message.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use trustsim::api::{self, Cancel, Progress, Setting, Shard, Source};

pyo3::create_exception!(
    _trustsim,
    TrustsimError,
    PyException,
    "A trustsim job failed: bad input (the message names the file, key and what is allowed), or a folder that cannot be used."
);

/// Lines of account and notes a job gave, returned to Python.
#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl Progress for Collect {
    fn say(&self, line: &str) {
        if !line.is_empty() {
            self.push(line.to_string());
        }
    }
    fn note(&self, what: &str) {
        self.push(format!("note: {what}"));
    }
}

impl Collect {
    fn push(&self, line: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The message of `e` and its causes, as the command line prints it.
fn message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.ends_with(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

fn py_error(e: api::Error) -> PyErr {
    if e.is_interrupted() {
        PyKeyboardInterrupt::new_err(message(&e))
    } else {
        TrustsimError::new_err(message(&e))
    }
}

/// Runs `job` on a worker thread with the GIL released; a signal that
/// Python turns into an exception (Ctrl-C) cancels it. The job's own error
/// wins over the signal's, except that a cancelled job raises
/// KeyboardInterrupt.
fn supervised<T: Send>(
    py: Python<'_>,
    job: impl FnOnce(&Cancel) -> Result<T, api::Error> + Send,
) -> PyResult<T> {
    let cancel = Cancel::new();
    let mut signal: Option<PyErr> = None;
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| job(&cancel));
        while !worker.is_finished() {
            py.detach(|| std::thread::sleep(Duration::from_millis(50)));
            if signal.is_none()
                && let Err(e) = py.check_signals()
            {
                cancel.cancel();
                signal = Some(e);
            }
        }
        worker.join()
    });
    match result {
        Ok(Ok(v)) => match signal {
            // The job finished before it saw the cancel: keep its result
            // but still let the interrupt through.
            Some(e) => Err(e),
            None => Ok(v),
        },
        Ok(Err(e)) if e.is_interrupted() => Err(signal.unwrap_or_else(|| py_error(e))),
        Ok(Err(e)) => Err(py_error(e)),
        Err(_) => Err(TrustsimError::new_err(
            "internal error: the job panicked (please report it with the inputs that caused it)",
        )),
    }
}

fn source(scenario: &str, is_text: bool) -> Source {
    if is_text {
        Source::Text {
            toml: scenario.to_string(),
            dir: PathBuf::from("."),
        }
    } else {
        Source::File(PathBuf::from(scenario))
    }
}

/// Settings as `(flag, key, value)`: a flag such as `--seed` standing for
/// `key = value`, or `--set` for `key = value` itself.
fn settings(given: Vec<(String, String, String)>) -> Vec<Setting> {
    given
        .into_iter()
        .map(|(flag, key, value)| {
            if flag == "--set" {
                Setting::set(&format!("{key}={value}"))
            } else {
                Setting::flag(&flag, &key, value)
            }
        })
        .collect()
}

fn shard(text: Option<String>) -> PyResult<Option<Shard>> {
    text.map(|s| {
        Shard::parse(&s, &|k| std::env::var(k).ok())
            .map_err(|e| TrustsimError::new_err(format!("shard: {e}")))
    })
    .transpose()
}

fn sets(
    path: Option<PathBuf>,
) -> Result<Option<std::sync::Arc<trustsim::output::parameter_sets::ParameterSetsFile>>, api::Error>
{
    path.map(|p| api::parameter_sets(&p)).transpose()
}

/// A Python dict of `key => value` pairs (any value PyO3 converts), as the
/// enclosing function's `PyResult`.
macro_rules! py_dict {
    ($py:expr, $($key:literal => $value:expr),+ $(,)?) => {{
        let d = PyDict::new($py);
        $(d.set_item($key, $value)?;)+
        Ok(d)
    }};
}

fn path_text(p: &Path) -> String {
    p.display().to_string()
}

/// Validates a scenario; returns its name, replication count, seed, the
/// lever warnings and the resolved parameters as TOML.
#[pyfunction]
#[pyo3(signature = (scenario, is_text, settings_))]
fn check<'py>(
    py: Python<'py>,
    scenario: String,
    is_text: bool,
    settings_: Vec<(String, String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let src = source(&scenario, is_text);
    let settings = settings(settings_);
    let p = supervised(py, |_| api::check(&src, &settings))?;
    py_dict!(
        py,
        "name" => p.run.name.clone(),
        "replications" => p.run.replications,
        "seed" => p.run.seed,
        "months" => p.run.months,
        "warnings" => api::lever_warnings(&p),
        "resolved_toml" => trustsim::scenario::resolved_toml(&p),
        "scenario_hash" => trustsim::scenario::scenario_hash(&p)
    )
}

/// Runs a scenario; returns the run folder and the messages.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (scenario, is_text, settings_, parameter_sets, threads, out, charts, csv, force))]
fn run<'py>(
    py: Python<'py>,
    scenario: String,
    is_text: bool,
    settings_: Vec<(String, String, String)>,
    parameter_sets: Option<PathBuf>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    charts: bool,
    csv: bool,
    force: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let src = source(&scenario, is_text);
    let messages = Collect::default();
    let done = supervised(py, |cancel| {
        let options = api::RunOptions {
            settings: settings(settings_),
            parameter_sets: sets(parameter_sets)?,
            threads,
            out,
            no_charts: !charts,
            csv,
            force,
            ..api::RunOptions::default()
        };
        let planned = api::plan_run(&src, &options)?;
        for n in &planned.notes {
            messages.push(n.clone());
        }
        for w in &planned.warnings {
            messages.push(format!("warning: {w}"));
        }
        planned.execute(&messages, cancel)
    })?;
    py_dict!(
        py,
        "dir" => path_text(&done.dir),
        "simulated" => done.report.simulated,
        "resumed" => done.report.resumed,
        "seconds" => done.report.wall_seconds,
        "messages" => messages.take()
    )
}

/// Runs a comparison of variants; returns its folder, variant names and
/// messages.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (variants, settings_, independent_seeds, allow_structural, force, parameter_sets, threads, out, charts, csv, name, comparison_file))]
fn compare<'py>(
    py: Python<'py>,
    variants: Vec<(String, bool)>,
    settings_: Vec<(String, String, String)>,
    independent_seeds: bool,
    allow_structural: bool,
    force: bool,
    parameter_sets: Option<PathBuf>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    charts: bool,
    csv: bool,
    name: Option<String>,
    comparison_file: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let messages = Collect::default();
    let done = supervised(py, |cancel| {
        let (sources, mut section) = match &comparison_file {
            Some(file) => {
                let (files, section) = trustsim::compare::file::read(file)
                    .map_err(|e| api::Error::Invalid(e.to_string()))?;
                (files.into_iter().map(Source::File).collect(), Some(section))
            }
            None => (
                variants
                    .iter()
                    .map(|(s, text)| source(s, *text))
                    .collect::<Vec<_>>(),
                None,
            ),
        };
        if let Some(name) = name {
            let s = section.get_or_insert(trustsim::compare::file::CompareSection {
                name: None,
                variants: vec![],
                replications: None,
                seed: None,
            });
            s.name = Some(name);
        }
        let request = api::CompareRequest {
            variants: sources,
            section,
            settings: settings(settings_),
            independent_seeds,
            allow_structural,
            force,
            parameter_sets: sets(parameter_sets)?,
            out,
            threads: api::threads(threads)?,
            csv,
            charts,
        };
        let planned = api::plan_compare(&request)?;
        for n in &planned.notes {
            messages.push(n.clone());
        }
        for w in &planned.warnings {
            messages.push(format!("warning: {w}"));
        }
        Ok(planned.execute(&messages, cancel)?)
    })?;
    py_dict!(
        py,
        "dir" => path_text(&done.dir),
        "variants" => done.record.variants.clone(),
        "messages" => messages.take()
    )
}

fn study_options(
    shard_: Option<String>,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<api::StudyOptions> {
    Ok(api::StudyOptions {
        shard: shard(shard_)?,
        threads,
        out,
    })
}

/// Runs a sweep's units (all, or one shard's); returns its folder and
/// how many units are done.
#[pyfunction]
#[pyo3(signature = (file, parameter_sets, shard, threads, out))]
fn sweep<'py>(
    py: Python<'py>,
    file: PathBuf,
    parameter_sets: Option<PathBuf>,
    shard: Option<String>,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = study_options(shard, threads, out)?;
    let messages = Collect::default();
    let done = supervised(py, |cancel| {
        let file_sets = sets(parameter_sets)?;
        let sweep = api::load_sweep(&file, file_sets.clone())?;
        for n in file_sets.map_or_else(Vec::new, |f| f.notes(sweep.replications)) {
            messages.push(n);
        }
        api::sweep(&sweep, &options, &messages, cancel)
    })?;
    py_dict!(
        py,
        "dir" => path_text(&done.dir),
        "done" => done.executed.done,
        "units" => done.executed.units,
        "ran" => done.executed.ran,
        "messages" => messages.take()
    )
}

/// Combines a finished sweep's parts into `sweep.parquet`; returns its path.
#[pyfunction]
fn merge(py: Python<'_>, dir: PathBuf) -> PyResult<String> {
    let (path, _) = supervised(py, |_| {
        trustsim::sweep::store::merge(&dir).map_err(api::Error::from)
    })?;
    Ok(path_text(&path))
}

/// Runs a sensitivity study; returns its folder, units done, and whether
/// the indices were written.
#[pyfunction]
#[pyo3(signature = (file, shard, threads, out))]
fn sensitivity<'py>(
    py: Python<'py>,
    file: PathBuf,
    shard: Option<String>,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = study_options(shard, threads, out)?;
    let messages = Collect::default();
    let done = supervised(py, |cancel| {
        api::sensitivity(&file, &options, &messages, cancel)
    })?;
    py_dict!(
        py,
        "dir" => path_text(&done.dir),
        "done" => done.executed.done,
        "units" => done.executed.units,
        "complete" => done.indices.is_some(),
        "messages" => messages.take()
    )
}

/// Runs (or resumes) a calibration; returns its folder and where it got to.
#[pyfunction]
#[pyo3(signature = (file, shard, threads, out))]
fn calibrate<'py>(
    py: Python<'py>,
    file: PathBuf,
    shard: Option<String>,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = study_options(shard, threads, out)?;
    let messages = Collect::default();
    let (dir, state) = supervised(py, |cancel| {
        let plan = trustsim::calibrate::plan::load(&file)?;
        api::calibrate(&plan, &options, &messages, cancel)
    })?;
    let (status, wave, sets) = match &state {
        api::Calibration::Incomplete { wave } => ("incomplete", Some(*wave), None),
        api::Calibration::WavesDone => ("waves_done", None, None),
        api::Calibration::Done { outcome, .. } => ("done", None, Some(outcome.sets.len())),
    };
    py_dict!(
        py,
        "dir" => path_text(&dir),
        "status" => status,
        "wave" => wave,
        "sets" => sets,
        "messages" => messages.take()
    )
}

/// Writes the HTML report of finished runs (or a comparison folder);
/// returns its path.
#[pyfunction]
#[pyo3(signature = (runs, out, trust, paper))]
fn report(
    py: Python<'_>,
    runs: Vec<PathBuf>,
    out: Option<PathBuf>,
    trust: Option<String>,
    paper: String,
) -> PyResult<String> {
    let paper = match paper.to_ascii_lowercase().as_str() {
        "a4" => trustsim::report::Paper::A4,
        "letter" => trustsim::report::Paper::Letter,
        other => {
            return Err(TrustsimError::new_err(format!(
                "paper `{other}`; allowed: a4, letter"
            )));
        }
    };
    let path = supervised(py, |_| api::report(&runs, out, trust.as_deref(), paper))?;
    Ok(path_text(&path))
}

/// Draws the charts of finished runs (or one trust of one run); returns
/// the files.
#[pyfunction]
#[pyo3(signature = (runs, out, trust))]
fn plot(
    py: Python<'_>,
    runs: Vec<PathBuf>,
    out: Option<PathBuf>,
    trust: Option<String>,
) -> PyResult<Vec<String>> {
    let files = supervised(py, |_| match &trust {
        Some(code) => api::plot_trust(&runs, code, out).map(|(_, f)| f),
        None => api::plot(&runs, out),
    })?;
    Ok(files.iter().map(|p| path_text(p)).collect())
}

#[pymodule]
fn _trustsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("TrustsimError", m.py().get_type::<TrustsimError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(plot, m)?)?;
    Ok(())
}
