//! The trust view for board papers: one trust's trajectories (its own fan
//! across replications against the distribution over its peers, the other
//! trusts of its type), its CEO tenure against the national survival curve,
//! and its place in the engagement-mortality scatter. Drawn from the run
//! folder alone, with the shared frame, palette and captions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::BooleanChunked;

use super::data::{
    self, Indicator, NationalMonth, RunData, categories, f64s, read_chunks, tenure_observations,
    u32s,
};
use super::style::{self, Drawn, FrameText};
use super::{ChartError, Figure, fan, scatter, tenure};
use crate::output::tables::{CEO_SPELLS, TRUST_MONTHS, TRUSTS, cs, tm, tr};

/// One trust of a run: its id, code, name and type.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustId {
    pub trust_id: u32,
    pub code: String,
    pub name: String,
    pub trust_type: String,
    /// NHS England region and integrated care board, where the register
    /// gives them.
    pub region: Option<String>,
    pub icb: Option<String>,
}

/// The fewest other trusts of the same type in a region for the trust view
/// to compare with its region rather than all of England.
pub const MIN_REGIONAL_PEERS: usize = 4;

/// Everything the trust view draws.
#[derive(Debug, Clone)]
pub struct TrustView {
    pub trust: TrustId,
    /// The run, for the national tenure curve and the scatter.
    pub run: RunData,
    /// The trust's own values per replication (as a run's national series).
    pub own: RunData,
    /// Its peers' trust-level values, one entry per peer and replication.
    pub peers: RunData,
}

/// The trusts of a run folder: from `trusts.parquet`, or (older runs) the
/// generated codes of the trust-month table.
pub fn trusts_of(dir: &Path, run: &RunData) -> Result<Vec<TrustId>, ChartError> {
    let path = dir.join(TRUSTS.file);
    let mut out: Vec<TrustId> = Vec::new();
    if !path.exists() {
        let first = run.replications.first().copied().unwrap_or(0);
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for t in run.trusts.iter().filter(|t| t.replication == first) {
            let n = seen.entry(t.trust_type.clone()).or_insert(0);
            *n += 1;
            out.push(TrustId {
                trust_id: t.trust_id,
                code: crate::model::records::synthetic_code(t.trust_id),
                name: format!("{} trust {n}", super::pretty(&t.trust_type)),
                trust_type: t.trust_type.clone(),
                region: None,
                icb: None,
            });
        }
        return Ok(out);
    }
    let cols = [
        tr::TRUST_ID,
        tr::TRUST_CODE,
        tr::TRUST_NAME,
        tr::TRUST_TYPE,
        tr::REGION,
        tr::ICB,
    ];
    read_chunks(&path, &cols, |df| {
        let id = u32s(df, tr::TRUST_ID, &path)?;
        let (code, codes) = categories(df, tr::TRUST_CODE, &path)?;
        let (name, names) = categories(df, tr::TRUST_NAME, &path)?;
        let (kind, kinds) = categories(df, tr::TRUST_TYPE, &path)?;
        let region = optional_text(df, tr::REGION);
        let icb = optional_text(df, tr::ICB);
        for i in 0..id.len() {
            if out.iter().all(|t| t.trust_id != id[i]) {
                out.push(TrustId {
                    trust_id: id[i],
                    code: codes[code[i] as usize].clone(),
                    name: names[name[i] as usize].clone(),
                    trust_type: kinds[kind[i] as usize].clone(),
                    region: region.get(i).cloned().flatten(),
                    icb: icb.get(i).cloned().flatten(),
                });
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// A text column that may hold nulls (empty if the column is missing).
fn optional_text(df: &polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&polars::prelude::DataType::String).ok())
        .and_then(|c| {
            c.str()
                .ok()
                .map(|s| s.iter().map(|v| v.map(str::to_string)).collect())
        })
        .unwrap_or_default()
}

/// The trust's peers: the other trusts of its type in its region if there
/// are at least [`MIN_REGIONAL_PEERS`], else all other trusts of its type;
/// with the words that name them.
pub fn peers_of(trusts: &[TrustId], trust: &TrustId) -> (Vec<u32>, String) {
    let kind = super::pretty(&trust.trust_type).to_lowercase();
    let same_type = || {
        trusts
            .iter()
            .filter(|t| t.trust_type == trust.trust_type && t.trust_id != trust.trust_id)
    };
    if let Some(region) = &trust.region {
        let regional: Vec<u32> = same_type()
            .filter(|t| t.region.as_ref() == Some(region))
            .map(|t| t.trust_id)
            .collect();
        if regional.len() >= MIN_REGIONAL_PEERS {
            let label = format!("Other {kind} trusts in {region} ({})", regional.len());
            return (regional, label);
        }
    }
    let all: Vec<u32> = same_type().map(|t| t.trust_id).collect();
    let label = format!("Other {kind} trusts ({})", all.len());
    (all, label)
}

/// The trust with code `code` (any case); failing that, the one trust
/// whose name contains `code` (any case). An error lists the trusts whose
/// names match when there are several, or some codes when there are none.
pub fn find(trusts: &[TrustId], code: &str, dir: &Path) -> Result<TrustId, ChartError> {
    if let Some(t) = trusts.iter().find(|t| t.code.eq_ignore_ascii_case(code)) {
        return Ok(t.clone());
    }
    let query = code.trim().to_lowercase();
    let named: Vec<&TrustId> = if query.is_empty() {
        Vec::new()
    } else {
        trusts
            .iter()
            .filter(|t| t.name.to_lowercase().contains(&query))
            .collect()
    };
    match named.as_slice() {
        [one] => return Ok((*one).clone()),
        [] => {}
        many => {
            return Err(ChartError::AmbiguousTrust {
                query: code.to_string(),
                run: dir.to_path_buf(),
                count: many.len(),
                matches: many
                    .iter()
                    .map(|t| format!("{} ({})", t.code, t.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let some: Vec<&str> = trusts.iter().take(8).map(|t| t.code.as_str()).collect();
    Err(ChartError::UnknownTrust {
        code: code.to_string(),
        run: dir.to_path_buf(),
        known: format!(
            "{}{}",
            some.join(", "),
            if trusts.len() > some.len() {
                format!(
                    " and {} more (see trusts.parquet)",
                    trusts.len() - some.len()
                )
            } else {
                String::new()
            }
        ),
    })
}

/// The indicators of one trust-month row, scaled as the national fans are.
fn values(e: f64, leave: f64, sick: f64, q: f64, surplus: f64) -> [f64; 5] {
    [e, 100.0 * 12.0 * leave, 100.0 * sick, q, 100.0 * surplus]
}

const TM_COLUMNS: &[&str] = &[
    tm::TRUST_ID,
    tm::MONTH,
    tm::ENGAGEMENT,
    tm::LEAVER_RATE,
    tm::SICKNESS_RATE,
    tm::QUALITY_INDEX,
    tm::SURPLUS_SHARE,
];

/// Per month, the trust's values and its peers' values.
type Series = BTreeMap<u32, Vec<[f64; 5]>>;

fn series(dir: &Path, trust: &TrustId, peer_ids: &[u32]) -> Result<(Series, Series), ChartError> {
    let path = dir.join(TRUST_MONTHS.file);
    let (mut own, mut peers) = (Series::new(), Series::new());
    read_chunks(&path, TM_COLUMNS, |df| {
        let id = u32s(df, tm::TRUST_ID, &path)?;
        let month = u32s(df, tm::MONTH, &path)?;
        let col = |c| f64s(df, c, &path);
        let (e, l, s) = (
            col(tm::ENGAGEMENT)?,
            col(tm::LEAVER_RATE)?,
            col(tm::SICKNESS_RATE)?,
        );
        let (q, x) = (col(tm::QUALITY_INDEX)?, col(tm::SURPLUS_SHARE)?);
        for i in 0..id.len() {
            let v = values(e[i], l[i], s[i], q[i], x[i]);
            if id[i] == trust.trust_id {
                own.entry(month[i]).or_default().push(v);
            } else if peer_ids.binary_search(&id[i]).is_ok() {
                peers.entry(month[i]).or_default().push(v);
            }
        }
        Ok(())
    })?;
    Ok((own, peers))
}

fn as_run(base: &RunData, label: String, s: Series) -> RunData {
    let n = s.values().map(Vec::len).max().unwrap_or(0);
    RunData {
        label,
        replications: (0..n as u32).collect(),
        national: s
            .into_iter()
            .map(|(month, values)| NationalMonth { month, values })
            .collect(),
        trusts: Vec::new(),
        tenure: Vec::new(),
        ..base.clone()
    }
}

/// Loads the trust view of trust `code` in the run folder `dir`.
pub fn load(dir: &Path, code: &str) -> Result<TrustView, ChartError> {
    let run = data::load_run(dir)?;
    let all = trusts_of(dir, &run)?;
    let trust = find(&all, code, dir)?;
    let (mut peer_ids, peer_label) = peers_of(&all, &trust);
    peer_ids.sort_unstable();
    let (own, peers) = series(dir, &trust, &peer_ids)?;
    let mut own = as_run(&run, format!("{} {}", trust.code, trust.name), own);
    own.replications = run.replications.clone();
    let peers = as_run(&run, peer_label, peers);
    let sp = dir.join(CEO_SPELLS.file);
    let mut cols = vec![cs::TRUST_ID];
    cols.extend_from_slice(data::SPELL_COLUMNS);
    read_chunks(&sp, &cols, |df| {
        let ids = u32s(df, cs::TRUST_ID, &sp)?;
        let mask: BooleanChunked = ids.iter().map(|&i| i == trust.trust_id).collect();
        let mine = df
            .filter(&mask)
            .map_err(|e| ChartError::read(&sp, e.to_string()))?;
        own.tenure
            .extend(tenure_observations(&mine, &sp, run.months)?);
        Ok(())
    })?;
    Ok(TrustView {
        trust,
        run,
        own,
        peers,
    })
}

/// One financial year of the trust view: the trust's median across
/// replications of its mean over the year's months, with the 90 % interval,
/// and its peers' median, per indicator (in [`values`] order and units).
#[derive(Debug, Clone, PartialEq)]
pub struct FinancialYearRow {
    /// `2026/27`.
    pub label: String,
    /// Reported months of the year in the run (fewer than 12 at either end).
    pub months: usize,
    pub own: [f64; 5],
    pub own_lo: [f64; 5],
    pub own_hi: [f64; 5],
    pub peers: [f64; 5],
}

impl TrustView {
    /// The trust and its peers by financial year (empty without a calendar).
    pub fn financial_years(&self) -> Vec<FinancialYearRow> {
        let Some(start) = self.run.start else {
            return Vec::new();
        };
        let fy = |m: u32| start.plus(i64::from(m) - 1).financial_year_start();
        let mut years: Vec<i32> = self.own.national.iter().map(|m| fy(m.month)).collect();
        years.dedup();
        years
            .into_iter()
            .map(|y| {
                let own: Vec<&NationalMonth> = self
                    .own
                    .national
                    .iter()
                    .filter(|m| fy(m.month) == y)
                    .collect();
                let reps = own.iter().map(|m| m.values.len()).min().unwrap_or(0);
                let peers: Vec<[f64; 5]> = self
                    .peers
                    .national
                    .iter()
                    .filter(|m| fy(m.month) == y)
                    .flat_map(|m| m.values.iter().copied())
                    .collect();
                let mut row = FinancialYearRow {
                    label: crate::model::calendar::financial_year_label(y),
                    months: own.len(),
                    own: [f64::NAN; 5],
                    own_lo: [f64::NAN; 5],
                    own_hi: [f64::NAN; 5],
                    peers: [f64::NAN; 5],
                };
                for k in 0..5 {
                    let mut means: Vec<f64> = (0..reps)
                        .map(|r| own.iter().map(|m| m.values[r][k]).sum::<f64>() / own.len() as f64)
                        .filter(|v| v.is_finite())
                        .collect();
                    means.sort_by(f64::total_cmp);
                    let mut p: Vec<f64> = peers
                        .iter()
                        .map(|v| v[k])
                        .filter(|v| v.is_finite())
                        .collect();
                    p.sort_by(f64::total_cmp);
                    if !means.is_empty() {
                        row.own[k] = crate::stats::quantile(&means, 0.5);
                        row.own_lo[k] = crate::stats::quantile(&means, 0.05);
                        row.own_hi[k] = crate::stats::quantile(&means, 0.95);
                    }
                    if !p.is_empty() {
                        row.peers[k] = crate::stats::quantile(&p, 0.5);
                    }
                }
                row
            })
            .collect()
    }
}

/// One chart of the trust view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustChart {
    Fan(Indicator),
    Tenure,
    Scatter,
}

/// Every chart of the trust view, in report order.
pub const TRUST_CHARTS: [TrustChart; 7] = [
    TrustChart::Fan(Indicator::Engagement),
    TrustChart::Fan(Indicator::LeaverRate),
    TrustChart::Fan(Indicator::Sickness),
    TrustChart::Fan(Indicator::Quality),
    TrustChart::Fan(Indicator::Surplus),
    TrustChart::Tenure,
    TrustChart::Scatter,
];

impl TrustChart {
    pub fn file_stem(self) -> String {
        match self {
            TrustChart::Fan(i) => format!("trust_{}", i.key()),
            TrustChart::Tenure => "trust_ceo_tenure".into(),
            TrustChart::Scatter => "trust_engagement_vs_mortality".into(),
        }
    }
}

/// A trust chart of a loaded view, with or without its caption.
pub struct TrustFigure<'a> {
    pub chart: TrustChart,
    pub view: &'a TrustView,
    pub caption: bool,
}

impl TrustFigure<'_> {
    /// Title, legend, notes and caption.
    pub fn describe(&self) -> FrameText {
        let v = self.view;
        let who = format!("{} {}", v.trust.code, v.trust.name);
        let peers = v.peers.label.replacen("Other", "other", 1);
        let mut text = match self.chart {
            TrustChart::Fan(i) => {
                let mut t = fan::describe(&[v.own.clone(), v.peers.clone()], i);
                t.title = format!("{who}: {}", i.axis());
                t.caption[0] = format!(
                    "Coloured line and bands: {who}, median and the middle 50 % and 90 % of \
                     replications. Second colour: {peers}, median and the middle 50 % and 90 % \
                     of their trust-level values over trusts and replications. {}",
                    "Percentages are of staff (sickness, leaving a year) or of income (surplus)."
                );
                t
            }
            TrustChart::Tenure => {
                let mut t = tenure::describe(&[v.run.clone(), v.own.clone()]);
                t.title = format!("{who}: how long its chief executives stay");
                t
            }
            TrustChart::Scatter => {
                let mut t = scatter::describe(std::slice::from_ref(&v.run));
                t.title = format!("{who} among all trusts: engagement and mortality");
                t.caption[0] += &format!(" Ringed: {who}, one point per replication.");
                if v.trust.trust_type != "acute" {
                    t.notes.push(format!(
                        "Note: no mortality ratio is published for {} trusts, so {} has no point",
                        super::pretty(&v.trust.trust_type).to_lowercase(),
                        v.trust.code
                    ));
                }
                t
            }
        };
        for item in &mut text.legend {
            item.label = item.label.replace(" of replications", "");
        }
        if let Some(last) = text.caption.last_mut() {
            *last = super::provenance(std::slice::from_ref(&v.run));
        }
        if !self.caption {
            text.caption.clear();
        }
        text
    }
}

impl Figure for TrustFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let v = self.view;
        let text = self.describe();
        style::figure(root, &text, |plot| match self.chart {
            TrustChart::Fan(i) => fan::draw(plot, &[v.own.clone(), v.peers.clone()], i),
            TrustChart::Tenure => tenure::draw(plot, &[v.run.clone(), v.own.clone()]),
            TrustChart::Scatter => scatter::draw_highlighting(
                plot,
                std::slice::from_ref(&v.run),
                Some(v.trust.trust_id),
            ),
        })
    }
}

/// The trust of the run in `dir` whose code is `code`, in any case: its
/// code as the run writes it, for file names.
pub fn canonical_code(dir: &Path, code: &str) -> Result<String, ChartError> {
    let run = super::data::load_run(dir)?;
    Ok(find(&trusts_of(dir, &run)?, code, dir)?.code)
}

/// The files of trust `code`'s view in a run folder, relative to it.
pub fn trust_chart_files(code: &str) -> Vec<String> {
    let dir = trust_dir(Path::new("charts"), code);
    TRUST_CHARTS
        .iter()
        .flat_map(|c| {
            let stem = c.file_stem();
            [
                dir.join(format!("{stem}.png")).display().to_string(),
                dir.join(format!("{stem}.svg")).display().to_string(),
            ]
        })
        .collect()
}

/// The folder of trust `code`'s charts in a run's chart folder.
pub fn trust_dir(charts: &Path, code: &str) -> PathBuf {
    let safe: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    charts.join(format!("trust-{safe}"))
}

/// Draws the trust view of trust `code` of the run in `dir` as PNG and SVG
/// into `out` (default: `dir/charts/trust-CODE`); returns the files written.
pub fn render_trust_charts(
    dir: &Path,
    code: &str,
    out: Option<&Path>,
) -> Result<Vec<PathBuf>, ChartError> {
    let view = load(dir, code)?;
    let out_dir = out.map_or_else(
        || trust_dir(&dir.join("charts"), &view.trust.code),
        Path::to_path_buf,
    );
    let out_dir = out_dir.as_path();
    // One canvas for every chart, and the files synced together.
    let mut canvas = super::Canvas::default();
    let mut files = Vec::new();
    for chart in TRUST_CHARTS {
        let figure = TrustFigure {
            chart,
            view: &view,
            caption: true,
        };
        files.extend(super::draw_files(
            &mut canvas,
            &figure,
            out_dir,
            &chart.file_stem(),
        )?);
    }
    super::synced(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(id: u32, code: &str, name: &str) -> TrustId {
        TrustId {
            trust_id: id,
            code: code.into(),
            name: name.into(),
            trust_type: "acute".into(),
            region: None,
            icb: None,
        }
    }

    #[test]
    fn peers_are_the_region_s_trusts_of_the_type_when_there_are_enough() {
        let at = |id: u32, kind: &str, region: &str| TrustId {
            trust_type: kind.into(),
            region: Some(region.into()),
            ..trust(id, &format!("R{id}"), "x")
        };
        let mut trusts: Vec<TrustId> = (0..5).map(|i| at(i, "acute", "London")).collect();
        trusts.push(at(5, "acute", "Midlands"));
        trusts.push(at(6, "ambulance", "London"));
        trusts.push(at(7, "ambulance", "Midlands"));
        // Four other acute trusts in London: the region.
        let (ids, label) = peers_of(&trusts, &trusts[0]);
        assert_eq!(ids, [1, 2, 3, 4]);
        assert_eq!(label, "Other acute trusts in London (4)");
        // One other ambulance trust anywhere: all of England.
        let (ids, label) = peers_of(&trusts, &trusts[6]);
        assert_eq!(ids, [7]);
        assert_eq!(label, "Other ambulance trusts (1)");
        // Without a region (drawn trusts): the type.
        let plain = trust(9, "T010", "Acute trust 10");
        let (ids, _) = peers_of(&trusts, &plain);
        assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_trust_is_found_by_code_or_by_part_of_its_name() {
        let trusts = [
            trust(0, "RR8", "Leeds Teaching Hospitals NHS Trust"),
            trust(1, "RGD", "Leeds and York Partnership NHS Foundation Trust"),
            trust(2, "RWA", "Hull University Teaching Hospitals NHS Trust"),
            trust(3, "RAE", "Bradford Teaching Hospitals NHS Foundation Trust"),
        ];
        let dir = Path::new("run");
        // A code, in any case, wins over names.
        assert_eq!(find(&trusts, "rr8", dir).unwrap().trust_id, 0);
        // One name matches.
        assert_eq!(find(&trusts, "hull", dir).unwrap().code, "RWA");
        assert_eq!(find(&trusts, " Bradford ", dir).unwrap().code, "RAE");
        // Several names match: the error lists them, with their codes.
        let e = find(&trusts, "Leeds", dir).unwrap_err().to_string();
        assert!(e.contains("in the names of 2 trusts"), "{e}");
        assert!(
            e.contains("RR8 (Leeds Teaching Hospitals NHS Trust)"),
            "{e}"
        );
        assert!(e.contains("RGD (Leeds and York Partnership"), "{e}");
        assert!(e.contains("give one of their codes"), "{e}");
        // None: the error names some codes.
        let e = find(&trusts, "Truro", dir).unwrap_err().to_string();
        assert!(e.contains("no trust with code or name `Truro`"), "{e}");
        assert!(e.contains("RR8, RGD, RWA, RAE"), "{e}");
        // An empty query matches no name.
        assert!(find(&trusts, "  ", dir).is_err());
    }
}
