//! `trustsim params [PREFIX]`: every parameter with its value, allowed
//! range, unit and description, derived from the parameter declarations.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::model::params::{ParamInfo, RawParams};
use crate::scenario;

/// Command-line options of `params`.
#[derive(Debug, Clone, clap::Args)]
pub struct ParamsArgs {
    /// Only parameters whose key starts with this (e.g. `ceo` or `staff.leave`).
    pub prefix: Option<String>,
    /// Show the values of this scenario instead of the defaults.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
}

pub fn params(args: ParamsArgs) -> Result<()> {
    let raw = match &args.scenario {
        Some(f) => scenario::load(f)?.params.to_raw(),
        None => RawParams::default(),
    };
    let all = raw.describe();
    let prefix = args.prefix.as_deref().unwrap_or("");
    let shown: Vec<&ParamInfo> = all.iter().filter(|p| p.key.starts_with(prefix)).collect();
    if shown.is_empty() {
        let close = all
            .iter()
            .map(|p| &p.key)
            .map(|k| (strsim::jaro_winkler(k, prefix), k))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        bail!("no parameter key starts with `{prefix}`{close}");
    }
    if let Some(note) = super::register_note(&raw.trusts)
        && "trusts".starts_with(prefix.split('.').next().unwrap_or(""))
    {
        outln!("# {note}");
    }
    out!("{}", render(&shown));
    Ok(())
}

/// One block per parameter: `key = value`, then its description and what
/// is allowed, indented.
pub fn render(params: &[&ParamInfo]) -> String {
    let mut out = String::new();
    for p in params {
        out += &format!("{} = {}\n    {}\n", p.key, p.value, p.description);
        if p.unit.is_empty() {
            out += &format!("    allowed: {}\n", p.allowed);
        } else {
            out += &format!("    unit: {}; allowed: {}\n", p.unit, p.allowed);
        }
    }
    out
}
