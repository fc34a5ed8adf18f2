//! Running one scenario into a run folder: the thread pool, progress bar,
//! streaming parquet writer, summary, manifest and charts. Shared by `run`
//! and `compare`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::calibration::METRICS;
use crate::ensemble::{Finished, run_ensemble};
use crate::model::{Params, ReplicationResult};
use crate::output::{self, FileMeta, Manifest, ResultWriter, SummaryRow, batches};
use crate::scenario;
use crate::stats;

/// Replications per batch (one parquet row group per batch). Fixed, so that
/// row groups, and so the bytes of every file, do not depend on the thread
/// count.
pub const BATCH_REPLICATIONS: usize = 16;

/// Command-line flags shared by the commands that run scenarios.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Number of replications (overrides run.replications).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Base seed (overrides run.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Reported months after burn-in (overrides run.months).
    #[arg(long)]
    pub months: Option<u32>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub threads: usize,
    pub quiet: bool,
    pub charts: bool,
    /// Check the model invariants of every replication (always on in debug builds).
    pub check_invariants: bool,
    /// Run even if the disk looks too small.
    pub force: bool,
    /// Resume an interrupted run of the same scenario from its kept batches.
    pub resume: bool,
}

/// Bytes of output per trust-month, measured on the baseline (zstd parquet,
/// about 2.3 MB per full-England replication), rounded up.
pub const BYTES_PER_TRUST_MONTH: u64 = 100;

/// What a finished run reports back.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub rows: Vec<SummaryRow>,
    pub wall_seconds: f64,
    pub write_seconds: f64,
    pub staff_months: u64,
}

/// The thread count from `--threads`, or every core.
pub fn threads(arg: Option<usize>) -> Result<usize> {
    match arg {
        Some(0) => bail!("--threads must be at least 1"),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Applies the command-line overrides and validates the result.
pub fn apply_overrides(
    p: &mut Params,
    replications: Option<u32>,
    seed: Option<u64>,
    months: Option<u32>,
) -> Result<()> {
    let mut raw = p.to_raw();
    if let Some(r) = replications {
        raw.run.replications = r;
    }
    if let Some(s) = seed {
        raw.run.seed = s;
    }
    if let Some(m) = months {
        raw.run.months = m;
    }
    *p = scenario::build(raw, "command line")?;
    Ok(())
}

/// Runs the ensemble of `p` into `dir`; `observe` sees every finished
/// replication in replication order.
pub fn run_to_dir(
    p: &Params,
    dir: &Path,
    opts: &RunOptions,
    observe: &mut (dyn FnMut(&Finished) + Send),
) -> Result<RunReport> {
    let meta = FileMeta {
        scenario_hash: scenario::scenario_hash(p),
        seed: p.run.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: p.run.name.clone(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .context("cannot start the worker threads")?;

    // Pre-flight: refuse a run that clearly cannot fit on the disk.
    let trusts: u64 = p.trusts.all().iter().map(|t| u64::from(t.count)).sum();
    let needed =
        u64::from(p.run.replications) * trusts * u64::from(p.run.months) * BYTES_PER_TRUST_MONTH;
    if let Some(free) = free_bytes(dir)
        && needed > free
        && !opts.force
    {
        bail!(
            "the run needs about {:.1} GB in {} but only {:.1} GB is free; free some space, run fewer replications, or pass --force",
            needed as f64 / 1e9,
            dir.display(),
            free as f64 / 1e9
        );
    }
    let stop = super::interrupt::flag();
    let started = Instant::now();
    let reps = p.run.replications;
    let keys: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
    std::fs::create_dir_all(dir).map_err(|cause| output::OutputError::CreateDir {
        path: dir.to_path_buf(),
        cause,
    })?;
    // Resume only an unfinished run of the very same scenario.
    let resume = opts.resume
        && output::read_manifest(&dir.join("manifest.json"))
            .is_ok_and(|m| !m.complete && m.scenario_hash == meta.scenario_hash);
    if !resume {
        batches::clear(dir)?;
    }
    let incomplete = |secs: f64| -> Result<()> {
        output::write_manifest(
            &dir.join("manifest.json"),
            &manifest(p, &meta, opts.threads, secs, vec![])?,
        )?;
        Ok(())
    };
    incomplete(0.0)?;
    let bar = progress_bar(reps, opts.quiet, &p.run.name);
    let staff_months = AtomicU64::new(0);
    let on_done = |f: &Finished| {
        staff_months.fetch_add(f.result.staff_months, Ordering::Relaxed);
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let mut write_seconds = 0.0;
    let mut metrics: Vec<Vec<f64>> = Vec::with_capacity(reps as usize);
    let n_batches = (reps as usize).div_ceil(BATCH_REPLICATIONS);
    for batch in 0..n_batches {
        let first = (batch * BATCH_REPLICATIONS) as u32;
        let range = first..(first + BATCH_REPLICATIONS as u32).min(reps);
        if resume
            && let Some(kept) = batches::read_metrics(dir, batch, &keys)
            && kept.len() == range.len()
        {
            if let Some(b) = &bar {
                b.inc(kept.len() as u64);
            }
            metrics.extend(kept);
            continue;
        }
        if super::interrupt::requested(&stop) {
            break;
        }
        let done = pool.install(|| {
            run_ensemble(
                p,
                range.clone(),
                BATCH_REPLICATIONS,
                &on_done,
                &|| false,
                &mut |b: &[Finished]| -> Result<()> {
                    if opts.check_invariants {
                        for f in b {
                            let v = crate::model::invariants::check(&f.result);
                            if !v.is_empty() {
                                bail!(
                                    "model invariants violated in replication {}:\n  {}",
                                    f.result.replication,
                                    v.join("\n  ")
                                );
                            }
                        }
                    }
                    b.iter().for_each(&mut *observe);
                    let t = Instant::now();
                    let results: Vec<&ReplicationResult> = b.iter().map(|f| &f.result).collect();
                    let m: Vec<Vec<f64>> = b.iter().map(|f| f.metrics.clone()).collect();
                    batches::write(dir, batch, &results, &m, &keys, &meta)?;
                    write_seconds += t.elapsed().as_secs_f64();
                    Ok(())
                },
            )
        })?;
        metrics.extend(done);
    }
    if metrics.len() < reps as usize {
        if let Some(b) = &bar {
            b.abandon();
        }
        incomplete(started.elapsed().as_secs_f64())?;
        return Err(super::interrupt::Interrupted(format!(
            "stopped after {} of {reps} replications; the finished ones are kept in {} and manifest.json says the run is incomplete; run the same command again to resume",
            metrics.len(),
            batches::batch_dir(dir).display()
        ))
        .into());
    }
    // Assemble the tables from the kept batches, one row group per batch.
    let t = Instant::now();
    let mut writer = ResultWriter::create(dir, &meta)?;
    for batch in 0..n_batches {
        let (tm, cs) = batches::read_frames(dir, batch)?;
        writer.write_frames(&tm, &cs)?;
    }
    write_seconds += t.elapsed().as_secs_f64();
    let t = Instant::now();
    writer.finish()?;
    batches::clear(dir)?;
    let rows = summarize(&metrics);
    output::write_summary(&dir.join("summary.parquet"), &rows, &meta)?;
    write_seconds += t.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let wall_seconds = started.elapsed().as_secs_f64();
    let files = [
        "trust_months.parquet",
        "ceo_spells.parquet",
        "summary.parquet",
    ];
    let manifest = manifest(
        p,
        &meta,
        opts.threads,
        wall_seconds,
        files.map(String::from).to_vec(),
    )?;
    output::write_manifest(&dir.join("manifest.json"), &manifest)?;
    if opts.charts {
        crate::charts::render_run_charts(
            std::slice::from_ref(&dir.to_path_buf()),
            &dir.join("charts"),
        )?;
    }
    Ok(RunReport {
        rows,
        wall_seconds,
        write_seconds,
        staff_months: staff_months.load(Ordering::Relaxed),
    })
}

/// The manifest of a run; `files` is empty for a run that did not complete.
fn manifest(
    p: &Params,
    meta: &FileMeta,
    threads: usize,
    wall_seconds: f64,
    files: Vec<String>,
) -> Result<Manifest> {
    Ok(Manifest {
        trustsim_version: meta.version.clone(),
        scenario_name: p.run.name.clone(),
        scenario_hash: meta.scenario_hash.clone(),
        seed: p.run.seed,
        replications: p.run.replications,
        months: p.run.months,
        burn_in_months: p.run.burn_in_months,
        threads,
        wall_time_seconds: wall_seconds,
        complete: !files.is_empty(),
        files,
        scenario: serde_json::to_value(p).context("cannot describe the scenario")?,
    })
}

/// Quantiles across replications of every metric.
pub fn summarize(metrics: &[Vec<f64>]) -> Vec<SummaryRow> {
    METRICS
        .iter()
        .enumerate()
        .map(|(k, def)| {
            let values: Vec<f64> = metrics.iter().map(|m| m[k]).collect();
            let v = stats::sorted(&values);
            SummaryRow {
                metric: def.key.to_string(),
                n: v.len() as u32,
                mean: stats::mean(&v),
                sd: stats::sd(&v),
                p05: stats::quantile(&v, 0.05),
                p25: stats::quantile(&v, 0.25),
                p50: stats::quantile(&v, 0.5),
                p75: stats::quantile(&v, 0.75),
                p95: stats::quantile(&v, 0.95),
            }
        })
        .collect()
}

fn progress_bar(n: u32, quiet: bool, label: &str) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(u64::from(n));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} {bar:40} {pos}/{len} replications  {elapsed} elapsed, ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix(label.to_string());
    Some(bar)
}

/// Free bytes on the file system holding `path` (or its nearest existing
/// ancestor); `None` if it cannot be told.
pub fn free_bytes(path: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path;
    while !p.exists() {
        p = p.parent()?;
    }
    let p = if p.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        p
    };
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    // The field types differ between platforms (u32 or u64).
    #[allow(clippy::useless_conversion)]
    (rc == 0).then(|| u64::from(s.f_bavail) * u64::from(s.f_frsize))
}
