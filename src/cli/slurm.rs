//! `trustsim slurm`: writes a SLURM job array for a sweep (one array task per
//! shard) and a merge job that runs once every task has succeeded.
//!
//! Nothing is submitted here. The command validates the sweep, prepares its
//! output folder (`sweep.json`, so the array tasks never race to create it)
//! and writes three files into the script folder:
//! - `run-shards.sbatch`: the job array; task `I` runs
//!   `trustsim sweep FILE --shard I/N`, which skips units already done, so a
//!   failed or cancelled task is simply resubmitted
//!   (`sbatch --array=3,5 run-shards.sbatch`);
//! - `merge.sbatch`: `trustsim merge OUT`;
//! - `submit.sh`: submits both, the merge with `--dependency=afterok`.
//!
//! For a calibration file, the array runs `trustsim calibrate FILE --shard
//! I/N` (one wave's share) and `merge.sbatch` is replaced by `next.sbatch`,
//! which asks `trustsim calibrate FILE --status` where the calibration
//! stands: it submits the next wave (`submit.sh` again) or, once every wave
//! is done, writes the results.
//!
//! Every path in the scripts is absolute and quoted, so they can be submitted
//! from any folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::output::write_atomic;
use crate::sweep::{Sweep, store};

/// SLURM's default `MaxArraySize`: array indices must be below it.
const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;

/// Options of `trustsim slurm`.
#[derive(Debug, Clone, clap::Args)]
pub struct SlurmArgs {
    /// Sweep file (TOML with a [sweep] table), or calibration file (a
    /// [calibration] table: one array per wave).
    pub file: PathBuf,
    #[command(flatten)]
    pub job: JobOptions,
    /// Sweep output folder (default: output/<sweep name>); must be on a file
    /// system the compute nodes share.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder for the scripts and the logs (default: OUT/slurm).
    #[arg(long)]
    pub script_dir: Option<PathBuf>,
    /// trustsim binary the jobs run (default: this executable).
    #[arg(long)]
    pub trustsim: Option<PathBuf>,
    /// Plausible parameter sets, passed on to every array task's `trustsim
    /// sweep` (replication i of every design point uses set i mod M); must
    /// be on a file system the compute nodes share.
    #[arg(long, value_name = "FILE")]
    pub parameter_sets: Option<PathBuf>,
}

/// The job array's shape and the resources of each task, as the scripts
/// request them.
#[derive(Debug, Clone, clap::Args)]
pub struct JobOptions {
    /// Number of array tasks (shards); task I runs the design points whose
    /// index is I modulo N.
    #[arg(long)]
    pub shards: usize,
    /// CPUs per array task; each task runs that many worker threads.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Wall-time limit per array task (SLURM format, e.g. 01:00:00 or 2-00:00:00).
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// SLURM partition (default: the cluster's default partition).
    #[arg(long)]
    pub partition: Option<String>,
    /// Memory per array task in MB (default: the cluster's default).
    #[arg(long)]
    pub mem: Option<u64>,
    /// Run at most M array tasks at once (`--array=0-(N-1)%M`).
    #[arg(long)]
    pub max_running: Option<usize>,
}

impl JobOptions {
    /// Refuses an option SLURM would reject or that makes no sense; the
    /// message names the option.
    fn check(&self) -> Result<()> {
        if self.shards == 0 {
            bail!("--shards must be at least 1");
        }
        if self.cpus_per_task == 0 {
            bail!("--cpus-per-task must be at least 1");
        }
        if self.max_running == Some(0) {
            bail!("--max-running must be at least 1");
        }
        if self.mem == Some(0) {
            bail!("--mem must be at least 1 (MB)");
        }
        check_time(&self.time)?;
        if let Some(p) = &self.partition {
            check_partition(p)?;
        }
        Ok(())
    }
}

/// File name of the job-array script.
const RUN_SCRIPT: &str = "run-shards.sbatch";
/// File name of the merge job's script.
const MERGE_SCRIPT: &str = "merge.sbatch";
/// File name of the job that follows each wave of a calibration.
const NEXT_SCRIPT: &str = "next.sbatch";
/// File name of the script that submits both jobs.
const SUBMIT_SCRIPT: &str = "submit.sh";

/// `s` quoted for a POSIX shell: single quotes, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A path quoted for a shell.
fn quote_path(p: &Path) -> String {
    shell_quote(&p.to_string_lossy())
}

/// The file `dir/pattern` for an `#SBATCH --output=` line: `%` in `dir` is
/// doubled (SLURM reads `%` as a pattern, as in `pattern`'s `%a`), and the
/// whole is double-quoted, with `"` and `\` escaped, as sbatch reads its
/// directives.
fn sbatch_path(dir: &Path, pattern: &str) -> String {
    let s = format!("{}/{pattern}", dir.to_string_lossy().replace('%', "%%"));
    format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
}

/// The absolute form of `p` (relative to the current folder), without
/// needing it to exist.
fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("cannot make {} absolute", p.display()))
}

/// A job name SLURM and `squeue` show cleanly: letters, digits, `.`, `_`, `-`.
fn job_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "trustsim".into() } else { s }
}

/// Accepts SLURM's time formats: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`.
fn check_time(t: &str) -> Result<()> {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let fields: Vec<&str> = rest.split(':').collect();
    let ok = days.is_none_or(digits) && fields.len() <= 3 && fields.iter().all(|f| digits(f));
    if !ok {
        bail!("--time {t:?}: expected a SLURM time such as 01:00:00, 90 (minutes) or 2-00:00:00");
    }
    Ok(())
}

fn check_partition(p: &str) -> Result<()> {
    if p.is_empty()
        || !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ','))
    {
        bail!(
            "--partition {p:?}: expected a partition name (letters, digits, `_`, `-`, `.`; several separated by `,`)"
        );
    }
    Ok(())
}

/// What the job array runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A sweep: the array runs its units, then a merge job.
    Sweep,
    /// A calibration: the array runs one wave's units, then a job that
    /// submits the next wave (array and itself again) or, after the last,
    /// writes the results.
    Calibration,
}

/// Everything the scripts need, resolved and checked.
struct Plan {
    kind: Kind,
    name: String,
    job: JobOptions,
    trustsim: PathBuf,
    file: PathBuf,
    out: PathBuf,
    scripts: PathBuf,
    parameter_sets: Option<PathBuf>,
}

impl Plan {
    /// The plan for `sweep` with the options `args`: every path absolute,
    /// none with a line break.
    fn new(args: &SlurmArgs, kind: Kind, name: &str) -> Result<Plan> {
        let trustsim = match &args.trustsim {
            Some(p) => absolute(p)?,
            None => std::env::current_exe()
                .context("cannot find the path of the trustsim executable")?,
        };
        let out = absolute(
            &args
                .out
                .clone()
                .unwrap_or_else(|| Path::new("output").join(name)),
        )?;
        let scripts = absolute(&args.script_dir.clone().unwrap_or_else(|| out.join("slurm")))?;
        let plan = Plan {
            kind,
            name: name.to_string(),
            job: args.job.clone(),
            trustsim,
            file: absolute(&args.file)?,
            out,
            scripts,
            parameter_sets: args.parameter_sets.as_deref().map(absolute).transpose()?,
        };
        let paths = [&plan.trustsim, &plan.file, &plan.out, &plan.scripts];
        for p in paths.into_iter().chain(plan.parameter_sets.as_ref()) {
            if p.to_string_lossy().contains(['\n', '\r']) {
                bail!(
                    "{:?}: a path in a job script cannot contain a line break",
                    p
                );
            }
        }
        Ok(plan)
    }

    fn array(&self) -> String {
        let mut a = if self.job.shards == 1 {
            "0".to_string()
        } else {
            format!("0-{}", self.job.shards - 1)
        };
        if let Some(m) = self.job.max_running {
            a.push_str(&format!("%{m}"));
        }
        a
    }

    /// The path of the script `name` (one of the `*_SCRIPT` names).
    fn script(&self, name: &str) -> PathBuf {
        self.scripts.join(name)
    }

    fn logs(&self) -> PathBuf {
        self.scripts.join("logs")
    }

    /// The `#SBATCH` lines both jobs share.
    fn common_directives(&self, s: &mut String) {
        s.push_str(&format!("#SBATCH --time={}\n", self.job.time));
        if let Some(p) = &self.job.partition {
            s.push_str(&format!("#SBATCH --partition={p}\n"));
        }
        if let Some(m) = self.job.mem {
            s.push_str(&format!("#SBATCH --mem={m}\n"));
        }
    }

    /// The shebang and `#SBATCH` lines of a job: its name (the sweep's, with
    /// `suffix`), the array if any, one task of `cpus` CPUs, the shared
    /// directives and the log file `log` in the logs folder.
    fn header(&self, suffix: &str, array: bool, cpus: usize, log: &str) -> String {
        let mut s = String::from("#!/usr/bin/env bash\n");
        s.push_str(&format!(
            "#SBATCH --job-name={}{suffix}\n",
            job_name(&self.name)
        ));
        if array {
            s.push_str(&format!("#SBATCH --array={}\n", self.array()));
        }
        s.push_str(&format!(
            "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task={cpus}\n"
        ));
        self.common_directives(&mut s);
        s.push_str(&format!(
            "#SBATCH --output={}\n",
            sbatch_path(&self.logs(), log)
        ));
        s
    }

    fn run_shards(&self) -> String {
        let n = self.job.shards;
        let mut s = self.header("", true, self.job.cpus_per_task, "shard-%a.out");
        let what = match self.kind {
            Kind::Sweep => "sweep",
            Kind::Calibration => "calibration (one wave per array)",
        };
        s.push_str(&format!(
            "#\n# Written by `trustsim slurm`: {what} {:?}, {n} shards. Array task I runs the\n\
             # design points whose index is I modulo {n}; points already done are skipped,\n\
             # so a failed or cancelled task is simply resubmitted, e.g.\n\
             #   sbatch --array=3,5 {}\n\
             # (`trustsim merge` prints the --array= list of the shards still missing).\n\
             set -euo pipefail\n",
            self.name,
            quote_path(&self.script(RUN_SCRIPT)),
        ));
        let (command, yes) = match self.kind {
            Kind::Sweep => ("sweep", ""),
            Kind::Calibration => ("calibrate", " --yes"),
        };
        s.push_str(&format!(
            "exec {} {command} {} --shard \"${{SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}}/{n}\" --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" --out {}{}{yes} --quiet\n",
            quote_path(&self.trustsim),
            quote_path(&self.file),
            self.job.cpus_per_task,
            quote_path(&self.out),
            self.parameter_sets
                .as_ref()
                .map_or(String::new(), |p| format!(" --parameter-sets {}", quote_path(p))),
        ));
        s
    }

    fn merge(&self) -> String {
        let mut s = self.header("-merge", false, 1, "merge-%j.out");
        s.push_str(&format!(
            "#\n# Written by `trustsim slurm`: combines the parts of sweep {:?} into\n\
             # {}. If parts are missing it fails and lists the shards to rerun.\n\
             set -euo pipefail\n",
            self.name,
            self.out.join(store::MERGED_FILE).display(),
        ));
        s.push_str(&format!(
            "exec {} merge {}\n",
            quote_path(&self.trustsim),
            quote_path(&self.out)
        ));
        s
    }

    /// The job after a calibration wave's array: submits the next wave, or
    /// writes the results once every wave is done.
    fn next(&self) -> String {
        let mut s = self.header("-next", false, self.job.cpus_per_task, "next-%j.out");
        let calibrate = format!(
            "{} calibrate {} --out {}",
            quote_path(&self.trustsim),
            quote_path(&self.file),
            quote_path(&self.out)
        );
        s.push_str(&format!(
            "#\n# Written by `trustsim slurm`: runs once every array task of a wave of\n\
             # calibration {:?} succeeded. If a wave is still to run, it submits that\n\
             # wave's array and itself again ({}); once every wave is done it writes\n\
             # the results into {} (running nothing).\n\
             set -euo pipefail\n\
             state=$({calibrate} --status)\n\
             echo \"$state\"\n\
             case \"$state\" in\n\
             \x20 done) exec {calibrate} --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" --yes --quiet ;;\n\
             \x20 *) exec bash {} ;;\n\
             esac\n",
            self.name,
            quote_path(&self.script(SUBMIT_SCRIPT)),
            self.out.display(),
            self.job.cpus_per_task,
            quote_path(&self.script(SUBMIT_SCRIPT)),
        ));
        s
    }

    /// The script that follows the array: merge (sweep) or next (calibration).
    fn after_script(&self) -> &'static str {
        match self.kind {
            Kind::Sweep => MERGE_SCRIPT,
            Kind::Calibration => NEXT_SCRIPT,
        }
    }

    fn submit(&self) -> String {
        let run = quote_path(&self.script(RUN_SCRIPT));
        let merge = quote_path(&self.script(self.after_script()));
        format!(
            "#!/usr/bin/env bash\n\
             # Written by `trustsim slurm`: submits the job array of sweep {:?} ({} shards)\n\
             # and a merge job that starts once every array task has succeeded.\n\
             set -euo pipefail\n\
             jid=$(sbatch --parsable {run})\n\
             jid=${{jid%%;*}}\n\
             mid=$(sbatch --parsable --dependency=afterok:$jid {merge})\n\
             mid=${{mid%%;*}}\n\
             echo \"shards: job $jid (array {})\"\n\
             echo \"{}: job $mid (after every shard succeeded)\"\n",
            self.name,
            self.job.shards,
            self.array(),
            match self.kind {
                Kind::Sweep => "merge",
                Kind::Calibration => "next wave or results",
            },
        )
    }

    /// Writes the three scripts and creates the folder for the logs.
    fn write(&self) -> Result<()> {
        let logs = self.logs();
        std::fs::create_dir_all(&logs)
            .with_context(|| format!("cannot create {}", logs.display()))?;
        write_script(&self.script(RUN_SCRIPT), &self.run_shards())?;
        match self.kind {
            Kind::Sweep => write_script(&self.script(MERGE_SCRIPT), &self.merge())?,
            Kind::Calibration => write_script(&self.script(NEXT_SCRIPT), &self.next())?,
        }
        write_script(&self.script(SUBMIT_SCRIPT), &self.submit())
    }

    /// Prints the size of the job array and of its tasks, with notes on a
    /// shard count that leaves tasks idle or exceeds SLURM's default limit.
    fn print_summary(&self, sweep: &Sweep) {
        let (shards, cpus) = (self.job.shards, self.job.cpus_per_task);
        let units = sweep.units();
        let per = units.div_ceil(shards);
        let runs = per * sweep.replications as usize;
        outln!(
            "{}: {units} units x {} replications in {shards} array tasks (up to {per} units = {runs} runs each, {cpus} CPU{} and {} per task{}{})",
            sweep.name,
            sweep.replications,
            if cpus == 1 { "" } else { "s" },
            self.job.time,
            self.job.mem.map_or(String::new(), |m| format!(", {m} MB")),
            self.job
                .max_running
                .map_or(String::new(), |m| format!(", at most {m} at once")),
        );
        if shards > units {
            errln!(
                "note: {shards} shards for {units} units: nothing to do for array task(s) {}",
                store::ranges(&(units..shards).collect::<Vec<_>>())
            );
        }
        if shards > DEFAULT_MAX_ARRAY_SIZE - 1 {
            errln!(
                "note: array indices up to {} exceed SLURM's default MaxArraySize ({DEFAULT_MAX_ARRAY_SIZE}); check `scontrol show config | grep MaxArraySize`",
                shards - 1
            );
        }
    }

    /// Prints the files written and how to submit them.
    fn print_submission(&self) {
        let (run, merge, submit) = (
            self.script(RUN_SCRIPT),
            self.script(self.after_script()),
            self.script(SUBMIT_SCRIPT),
        );
        outln!("wrote {}", run.display());
        outln!("      {}", merge.display());
        outln!("      {}", submit.display());
        outln!("logs: {}", self.logs().display());
        outln!("submit with:");
        outln!("  jid=$(sbatch --parsable {})", quote_path(&run));
        outln!(
            "  sbatch --dependency=afterok:${{jid%%;*}} {}",
            quote_path(&merge)
        );
        outln!("or: {}", quote_path(&submit));
    }
}

fn write_script(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))?;
    Ok(())
}

/// Writes the job-array and merge scripts.
pub fn slurm(args: SlurmArgs) -> Result<()> {
    if is_calibration(&args.file) {
        return slurm_calibration(args);
    }
    let sweep = super::sweep::with_sets(Sweep::load(&args.file)?, args.parameter_sets.as_deref())?;
    args.job.check()?;
    let plan = Plan::new(&args, Kind::Sweep, &sweep.name)?;
    // Write sweep.json now: it refuses a folder holding another sweep before
    // anything is submitted, and the array tasks find it instead of racing to
    // create it.
    store::prepare(&plan.out, &sweep)?;
    plan.write()?;
    plan.print_summary(&sweep);
    plan.print_submission();
    Ok(())
}

/// Whether `file` is a calibration file (a `[calibration]` table); any other
/// file is read, and its errors reported, as a sweep.
fn is_calibration(file: &Path) -> bool {
    crate::files::read_text(
        file,
        crate::files::limits::TEXT_FILE_BYTES,
        "a sweep or calibration file",
    )
    .ok()
    .and_then(|t| t.parse::<toml::Table>().ok())
    .is_some_and(|t| t.contains_key("calibration"))
}

/// The scripts of a calibration: one job array per wave, each followed by
/// the job that submits the next wave or writes the results.
fn slurm_calibration(args: SlurmArgs) -> Result<()> {
    let cal = crate::calibrate::plan::load(&args.file)?;
    if args.parameter_sets.is_some() {
        bail!("--parameter-sets: a calibration searches the parameters itself");
    }
    args.job.check()?;
    let plan = Plan::new(&args, Kind::Calibration, &cal.name)?;
    plan.write()?;
    let per = cal.points.div_ceil(plan.job.shards);
    outln!(
        "{}: up to {} waves of {} points x {} replications; each wave is one array of {} tasks (up to {per} points = {} runs each), then a job that submits the next wave or writes the results",
        cal.name,
        cal.waves,
        cal.points,
        cal.replications,
        plan.job.shards,
        per * cal.replications as usize,
    );
    plan.print_submission();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(shell_quote("/a b/c"), "'/a b/c'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            sbatch_path(Path::new("/a b/100%"), "x-%a"),
            "\"/a b/100%%/x-%a\""
        );
    }

    #[test]
    fn slurm_time_formats() {
        for ok in ["01:00:00", "90", "30:00", "2-00:00:00", "1-12", "1-12:30"] {
            assert!(check_time(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1h", "01:00:00:00", "-1", "1-", "a-1"] {
            assert!(check_time(bad).is_err(), "{bad}");
        }
    }
}
