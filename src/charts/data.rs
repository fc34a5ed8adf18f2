//! What the charts draw, reduced from a run folder's parquet files.
//!
//! `trust_months.parquet` is read one row group at a time and only the
//! columns the charts need, so memory is bounded by a batch of replications,
//! not the run. Everything here is a pure reduction: the same files give the
//! same numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use super::ChartError;
use crate::metrics::{tenure_observation, tenure_observed};
use crate::output::FileMeta;
use crate::output::tables::{CEO_SPELLS, TRUST_MONTHS, cs, tm};
use crate::stats::{self, Observation};

/// The national time series drawn as fan charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    Engagement,
    LeaverRate,
    Sickness,
    Quality,
    Surplus,
}

impl Indicator {
    pub const ALL: [Indicator; 5] = [
        Indicator::Engagement,
        Indicator::LeaverRate,
        Indicator::Sickness,
        Indicator::Quality,
        Indicator::Surplus,
    ];

    /// Position in [`NationalMonth::values`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Part of the chart's file name.
    pub fn key(self) -> &'static str {
        match self {
            Indicator::Engagement => "engagement",
            Indicator::LeaverRate => "leaver_rate",
            Indicator::Sickness => "sickness",
            Indicator::Quality => "quality",
            Indicator::Surplus => "surplus",
        }
    }

    /// What the indicator is, as a title starts.
    pub fn name(self) -> &'static str {
        match self {
            Indicator::Engagement => "Staff engagement",
            Indicator::LeaverRate => "Staff leaving rate",
            Indicator::Sickness => "Sickness absence",
            Indicator::Quality => "Quality of care index",
            Indicator::Surplus => "Trust finances",
        }
    }

    /// What the chart shows, for its title, with where (`in England` only
    /// for the full England baseline; see [`super::place`]).
    pub fn title(self, place: Option<&str>) -> String {
        match place {
            Some(place) => format!("{} {place}, month by month", self.name()),
            None => format!("{}, month by month", self.name()),
        }
    }

    /// The y-axis label, with its unit.
    pub fn axis(self) -> &'static str {
        match self {
            Indicator::Engagement => "Staff engagement (score, 0-10)",
            Indicator::LeaverRate => "Staff leaving (% of staff a year)",
            Indicator::Sickness => "Sickness absence (% of staff time)",
            Indicator::Quality => "Quality index (0-100)",
            Indicator::Surplus => "Surplus or deficit (% of income)",
        }
    }

    /// How the national figure is formed from trusts, for the caption.
    pub fn method(self) -> &'static str {
        match self {
            Indicator::Engagement => "mean of all trusts weighted by staff in post",
            Indicator::LeaverRate => {
                "monthly leavers as a share of staff in post, weighted by staff and annualised (x12)"
            }
            Indicator::Sickness => "mean of all trusts weighted by staff in post",
            Indicator::Quality => "plain mean of all trusts",
            Indicator::Surplus => {
                "mean of all trusts weighted by establishment; below 0 is a deficit"
            }
        }
    }

    /// Shown as a percentage (values are stored as shares).
    pub fn percent(self) -> bool {
        matches!(
            self,
            Indicator::LeaverRate | Indicator::Sickness | Indicator::Surplus
        )
    }

    /// The smallest y range drawn, in the units drawn, so that noise is not
    /// blown up to fill the chart.
    pub fn min_span(self) -> f64 {
        match self {
            Indicator::Engagement => 0.4,
            Indicator::LeaverRate => 3.0,
            Indicator::Sickness => 1.5,
            Indicator::Quality => 6.0,
            Indicator::Surplus => 3.0,
        }
    }
}

/// One reported month: the national value of each indicator, one entry per
/// replication (in replication order), as drawn (percentages already x100).
#[derive(Debug, Clone, PartialEq)]
pub struct NationalMonth {
    pub month: u32,
    pub values: Vec<[f64; 5]>,
}

/// One trust in one replication at the end of the reported horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustHorizon {
    pub replication: u32,
    pub trust_id: u32,
    pub trust_type: String,
    /// Means over the final year (or the whole horizon if shorter).
    pub engagement: f64,
    pub quality: f64,
    pub mortality: f64,
    /// Rating in the last reported month.
    pub rating: String,
    /// Distinct chief executives (permanent or interim) in post at any time
    /// in the CEO window ([`RunData::ceo_window_months`]).
    pub ceos: u32,
}

/// Everything the charts need from one run folder.
#[derive(Debug, Clone)]
pub struct RunData {
    pub dir: PathBuf,
    /// Name in legends: the scenario name, made unique among overlaid runs.
    pub label: String,
    pub meta: FileMeta,
    /// Replication numbers found in the trust-month table.
    pub replications: Vec<u32>,
    /// Last reported month.
    pub months: u32,
    /// Calendar month of reported month 1 (`None` for files written
    /// without a date column).
    pub start: Option<crate::model::calendar::YearMonth>,
    pub national: Vec<NationalMonth>,
    pub trusts: Vec<TrustHorizon>,
    /// Permanent CEO spells as the tenure metric observes them (months),
    /// each with its replication.
    pub tenure: Vec<(u32, Observation)>,
    /// Months averaged for the horizon values (12, or fewer if the run is shorter).
    pub final_window_months: u32,
    /// Months over which CEOs are counted (36, or fewer if the run is shorter).
    pub ceo_window_months: u32,
}

/// Quantiles of an indicator across replications in one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanPoint {
    pub month: u32,
    /// Replications with a value.
    pub n: usize,
    /// 5th, 25th, 50th, 75th and 95th percentiles.
    pub q: [f64; 5],
}

/// The fan of `indicator`: per month, the quantiles across replications.
pub fn fan(national: &[NationalMonth], indicator: Indicator) -> Vec<FanPoint> {
    national
        .iter()
        .filter_map(|m| {
            let v = stats::sorted(
                &m.values
                    .iter()
                    .map(|x| x[indicator.index()])
                    .collect::<Vec<_>>(),
            );
            (!v.is_empty()).then(|| FanPoint {
                month: m.month,
                n: v.len(),
                q: [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| stats::quantile(&v, q)),
            })
        })
        .collect()
}

/// Reads every run and gives overlaid runs distinct legend labels.
pub fn load_runs(dirs: &[PathBuf]) -> Result<Vec<RunData>, ChartError> {
    // Side by side: each run is read and summarised on one core.
    let mut runs = dirs
        .par_iter()
        .map(|d| load_run(d))
        .collect::<Result<Vec<_>, _>>()?;
    unique_labels(&mut runs);
    Ok(runs)
}

/// Scenario names, or the folder name where two runs share a scenario name,
/// with a number added if that is still not unique.
fn unique_labels(runs: &mut [RunData]) {
    let names: Vec<String> = runs.iter().map(|r| r.meta.scenario_name.clone()).collect();
    for (i, r) in runs.iter_mut().enumerate() {
        if names.iter().filter(|n| **n == names[i]).count() > 1 {
            let folder = r
                .dir
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            r.label = if folder.is_empty() || folder == names[i] {
                format!("{} ({})", names[i], i + 1)
            } else {
                format!("{} ({folder})", names[i])
            };
        }
    }
}

/// Reads one run folder.
pub fn load_run(dir: &Path) -> Result<RunData, ChartError> {
    let tm_path = dir.join(TRUST_MONTHS.file);
    // Read and checked once for its metadata and every pass below.
    let tm_file = Verified::open(&tm_path)?;
    let meta = crate::output::meta_of(&tm_path, &tm_file.bytes)?;
    let last_month = tm_file
        .chunks(&[tm::MONTH], |df| {
            Ok(u32s(df, tm::MONTH, &tm_path)?
                .into_iter()
                .max()
                .unwrap_or(0))
        })?
        .into_iter()
        .max()
        .unwrap_or(0);
    let start = read_start(&tm_file);
    let mut acc = TrustMonthAcc::new(last_month);
    tm_file.chunks(TrustMonthAcc::COLUMNS, |df| acc.add(df, &tm_path))?;
    let sp_path = dir.join(CEO_SPELLS.file);
    let mut tenure = Vec::new();
    read_chunks(&sp_path, SPELL_COLUMNS, |df| {
        tenure.extend(tenure_observations(df, &sp_path, last_month)?);
        Ok(())
    })?;
    let (replications, national, trusts) = acc.finish();
    Ok(RunData {
        dir: dir.to_path_buf(),
        label: meta.scenario_name.clone(),
        meta,
        replications,
        months: last_month,
        start,
        national,
        trusts,
        tenure,
        final_window_months: last_month.min(12),
        ceo_window_months: last_month.min(36),
    })
}

/// The calendar month of reported month 1, from the first row of the
/// trust-month table's `date` column (`None` if the file has none).
fn read_start(file: &Verified) -> Option<crate::model::calendar::YearMonth> {
    let path = file.path.as_path();
    let first = file
        .chunks(&[tm::MONTH, tm::DATE], |df| {
            let months = u32s(df, tm::MONTH, path)?;
            let days = column(df, tm::DATE, path)?
                .cast(&DataType::Int32)
                .map_err(|e| ChartError::invalid(path, e.to_string()))?;
            let days = days
                .i32()
                .map_err(|e| ChartError::invalid(path, e.to_string()))?;
            Ok(months.first().zip(days.get(0)).map(|(&m, d)| {
                crate::model::calendar::YearMonth::from_days(d).plus(1 - i64::from(m))
            }))
        })
        .ok()?;
    first.into_iter().flatten().next()
}

/// Calls `f` on each row group of the parquet file at `path`, reading only
/// `columns`.
pub(crate) fn read_chunks<T>(
    path: &Path,
    columns: &[&str],
    f: impl FnMut(&DataFrame) -> Result<T, ChartError>,
) -> Result<Vec<T>, ChartError> {
    Verified::open(path)?.chunks(columns, f)
}

/// A parquet file of a run folder, read once and checked against the
/// folder's record, for several passes over its columns (each pass a read
/// of the file, and a checksum of it, before).
pub(crate) struct Verified {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Verified {
    pub fn open(path: &Path) -> Result<Verified, ChartError> {
        let bytes = crate::output::verified::read_verified(path)
            .map_err(|e| ChartError::read(path, e.to_string()))?;
        Ok(Verified {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// Calls `f` on each row group, reading only `columns`.
    pub fn chunks<T>(
        &self,
        columns: &[&str],
        mut f: impl FnMut(&DataFrame) -> Result<T, ChartError>,
    ) -> Result<Vec<T>, ChartError> {
        let (path, bytes) = (self.path.as_path(), self.bytes.as_slice());
        let open = || Ok::<_, ChartError>(std::io::Cursor::new(bytes));
        let decode = |e: PolarsError| ChartError::read(path, e.to_string());
        let mut reader = ParquetReader::new(open()?);
        let md = reader.get_metadata().map_err(decode)?.clone();
        let cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let mut out = Vec::with_capacity(md.row_groups.len());
        let mut offset = 0;
        for rg in &md.row_groups {
            let n = rg.num_rows();
            let mut reader = ParquetReader::new(open()?);
            reader.set_metadata(md.clone());
            let df = reader
                .with_columns(Some(cols.clone()))
                .with_slice(Some((offset, n)))
                .finish()
                .map_err(decode)?;
            offset += n;
            out.push(f(&df)?);
        }
        Ok(out)
    }
}

fn column<'a>(df: &'a DataFrame, name: &str, path: &Path) -> Result<&'a Column, ChartError> {
    df.column(name)
        .map_err(|_| ChartError::invalid(path, format!("column `{name}` is missing")))
}

fn no_nulls<T>(v: Option<T>, name: &str, path: &Path) -> Result<T, ChartError> {
    v.ok_or_else(|| ChartError::invalid(path, format!("column `{name}` has a null value")))
}

/// Reads a typed column as a vector, failing on nulls and wrong types.
macro_rules! typed_column {
    ($fn:ident, $ty:ty, $method:ident) => {
        pub(crate) fn $fn(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<$ty>, ChartError> {
            let c = column(df, name, path)?.$method().map_err(|e| {
                ChartError::invalid(path, format!("column `{name}` has the wrong type: {e}"))
            })?;
            c.iter().map(|v| no_nulls(v, name, path)).collect()
        }
    };
}

typed_column!(u32s, u32, u32);
typed_column!(u64s, u64, u64);
typed_column!(i32s, i32, i32);
typed_column!(f64s, f64, f64);
typed_column!(bools, bool, bool);

/// A float column whose nulls mean "none": read as NaN.
fn f64s_or_nan(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<f64>, ChartError> {
    let c = column(df, name, path)?.f64().map_err(|e| {
        ChartError::invalid(path, format!("column `{name}` has the wrong type: {e}"))
    })?;
    Ok(c.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// A label column (an enum, or plain text): (code per row, distinct values).
pub(crate) fn categories(
    df: &DataFrame,
    name: &str,
    path: &Path,
) -> Result<(Vec<u16>, Vec<String>), ChartError> {
    let wrong = |e: PolarsError| {
        ChartError::invalid(path, format!("column `{name}` has the wrong type: {e}"))
    };
    let text = column(df, name, path)?
        .cast(&DataType::String)
        .map_err(wrong)?;
    let c = text.str().map_err(wrong)?;
    let mut dict: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(c.len());
    for v in c.iter() {
        let v = no_nulls(v, name, path)?;
        let code = match dict.iter().position(|d| d == v) {
            Some(i) => i,
            None => {
                dict.push(v.to_string());
                dict.len() - 1
            }
        };
        codes.push(code as u16);
    }
    Ok((codes, dict))
}

pub(crate) const SPELL_COLUMNS: &[&str] = &[
    cs::REPLICATION,
    cs::START_MONTH,
    cs::END_MONTH,
    cs::CENSORED,
    cs::INTERIM,
];

/// Permanent CEO spells observed exactly as the tenure metric observes them
/// ([`tenure_observed`] and [`tenure_observation`] over the whole reported
/// horizon), each with its replication.
pub fn tenure_observations(
    df: &DataFrame,
    path: &Path,
    last_month: u32,
) -> Result<Vec<(u32, Observation)>, ChartError> {
    let replication = u32s(df, cs::REPLICATION, path)?;
    let start = i32s(df, cs::START_MONTH, path)?;
    let end = i32s(df, cs::END_MONTH, path)?;
    let censored = bools(df, cs::CENSORED, path)?;
    let interim = bools(df, cs::INTERIM, path)?;
    Ok((0..start.len())
        .map(|i| crate::model::CeoSpell {
            replication: replication[i],
            trust_id: 0,
            ceo_id: 0,
            start_month: start[i],
            end_month: end[i],
            // Dates play no part in the tenure metric.
            start_date: crate::model::calendar::YearMonth::default(),
            end_date: crate::model::calendar::YearMonth::default(),
            censored: censored[i],
            exit_route: crate::model::ExitRoute::InPost,
            pathway: crate::model::Pathway::Clinical,
            internal: false,
            first_time: false,
            interim: interim[i],
        })
        .filter(|s| tenure_observed(s, 1, last_month as i32))
        .map(|spell| {
            (
                spell.replication,
                tenure_observation(&spell, 1, last_month as i32),
            )
        })
        .collect())
}

#[derive(Debug, Default, Clone, Copy)]
struct NationalAcc {
    staff: f64,
    engagement: f64,
    sickness: f64,
    leavers: f64,
    trusts: f64,
    quality: f64,
    establishment: f64,
    surplus: f64,
}

#[derive(Debug, Default, Clone)]
struct TrustAcc {
    trust_type: String,
    n: f64,
    engagement: f64,
    quality: f64,
    mortality: f64,
    last_month: u32,
    rating: String,
    ceos: Vec<u64>,
}

/// Streaming reduction of the trust-month table.
pub struct TrustMonthAcc {
    last_month: u32,
    national: BTreeMap<(u32, u32), NationalAcc>,
    trusts: BTreeMap<(u32, u32), TrustAcc>,
    /// Only the rows whose (replication, trust) is (`true`) or is not
    /// (`false`) in the set: a group of trusts instead of all of them.
    only: Option<(BTreeSet<(u32, u32)>, bool)>,
}

impl TrustMonthAcc {
    pub const COLUMNS: &'static [&'static str] = &[
        tm::REPLICATION,
        tm::TRUST_ID,
        tm::TRUST_TYPE,
        tm::MONTH,
        tm::ESTABLISHMENT,
        tm::STAFF_IN_POST,
        tm::ENGAGEMENT,
        tm::SICKNESS_RATE,
        tm::LEAVER_RATE,
        tm::QUALITY_INDEX,
        tm::MORTALITY_RATIO,
        tm::SURPLUS_SHARE,
        tm::RATING,
        tm::CEO_ID,
    ];

    /// A reduction of the trusts whose (replication, trust) is (`inside`)
    /// or is not in `keys`, for a run whose last reported month is
    /// `last_month`.
    pub fn only(last_month: u32, keys: BTreeSet<(u32, u32)>, inside: bool) -> Self {
        TrustMonthAcc {
            only: Some((keys, inside)),
            ..TrustMonthAcc::new(last_month)
        }
    }

    /// A reduction for a run whose last reported month is `last_month`.
    pub fn new(last_month: u32) -> Self {
        TrustMonthAcc {
            last_month,
            national: BTreeMap::new(),
            trusts: BTreeMap::new(),
            only: None,
        }
    }

    /// Adds a chunk of rows (any order).
    pub fn add(&mut self, df: &DataFrame, path: &Path) -> Result<(), ChartError> {
        let rep = u32s(df, tm::REPLICATION, path)?;
        let trust = u32s(df, tm::TRUST_ID, path)?;
        let (ttype, tdict) = categories(df, tm::TRUST_TYPE, path)?;
        let month = u32s(df, tm::MONTH, path)?;
        let est = u32s(df, tm::ESTABLISHMENT, path)?;
        let staff = u32s(df, tm::STAFF_IN_POST, path)?;
        let eng = f64s(df, tm::ENGAGEMENT, path)?;
        let sick = f64s(df, tm::SICKNESS_RATE, path)?;
        let leave = f64s(df, tm::LEAVER_RATE, path)?;
        let quality = f64s(df, tm::QUALITY_INDEX, path)?;
        let mortality = f64s_or_nan(df, tm::MORTALITY_RATIO, path)?;
        let surplus = f64s(df, tm::SURPLUS_SHARE, path)?;
        let (rating, rdict) = categories(df, tm::RATING, path)?;
        let ceo = u64s(df, tm::CEO_ID, path)?;
        let final_from = self.last_month.saturating_sub(12);
        let ceo_from = self.last_month.saturating_sub(36);
        for i in 0..rep.len() {
            if let Some((set, inside)) = &self.only
                && set.contains(&(rep[i], trust[i])) != *inside
            {
                continue;
            }
            let n = self.national.entry((rep[i], month[i])).or_default();
            let (s, e) = (f64::from(staff[i]), f64::from(est[i]));
            n.staff += s;
            n.engagement += s * eng[i];
            n.sickness += s * sick[i];
            n.leavers += s * leave[i];
            n.trusts += 1.0;
            n.quality += quality[i];
            n.establishment += e;
            n.surplus += e * surplus[i];

            let t = self.trusts.entry((rep[i], trust[i])).or_default();
            if t.trust_type.is_empty() {
                t.trust_type = tdict[usize::from(ttype[i])].clone();
            }
            if month[i] > final_from {
                t.n += 1.0;
                t.engagement += eng[i];
                t.quality += quality[i];
                t.mortality += mortality[i];
            }
            if month[i] >= t.last_month {
                t.last_month = month[i];
                t.rating.clone_from(&rdict[usize::from(rating[i])]);
            }
            if month[i] > ceo_from && !t.ceos.contains(&ceo[i]) {
                t.ceos.push(ceo[i]);
            }
        }
        Ok(())
    }

    /// The replications found, the national series and the horizon values.
    pub fn finish(self) -> (Vec<u32>, Vec<NationalMonth>, Vec<TrustHorizon>) {
        let mut reps: Vec<u32> = self.national.keys().map(|(r, _)| *r).collect();
        reps.dedup();
        let mut by_month: BTreeMap<u32, Vec<[f64; 5]>> = BTreeMap::new();
        for (&(rep, month), a) in &self.national {
            let i = reps.binary_search(&rep).expect("replication was recorded");
            let ratio = |x: f64, w: f64| if w > 0.0 { x / w } else { f64::NAN };
            let row = by_month
                .entry(month)
                .or_insert_with(|| vec![[f64::NAN; 5]; reps.len()]);
            row[i] = [
                ratio(a.engagement, a.staff),
                100.0 * 12.0 * ratio(a.leavers, a.staff),
                100.0 * ratio(a.sickness, a.staff),
                ratio(a.quality, a.trusts),
                100.0 * ratio(a.surplus, a.establishment),
            ];
        }
        let national = by_month
            .into_iter()
            .map(|(month, values)| NationalMonth { month, values })
            .collect();
        let trusts = self
            .trusts
            .into_iter()
            .map(|((replication, trust_id), t)| {
                let mean = |x: f64| if t.n > 0.0 { x / t.n } else { f64::NAN };
                TrustHorizon {
                    replication,
                    trust_id,
                    engagement: mean(t.engagement),
                    quality: mean(t.quality),
                    mortality: mean(t.mortality),
                    trust_type: t.trust_type,
                    rating: t.rating,
                    ceos: t.ceos.len() as u32,
                }
            })
            .collect();
        (reps, national, trusts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(replication, trust, month, staff, engagement, ceo_id)`.
    type Row = (u32, u32, u32, u32, f64, u64);

    /// A trust-month frame from rows.
    fn frame(rows: &[Row]) -> DataFrame {
        let n = rows.len();
        let col_u32 = |name: &str, f: &dyn Fn(&Row) -> u32| {
            Column::new(name.into(), rows.iter().map(f).collect::<Vec<u32>>())
        };
        let col_f64 = |name: &str, v: f64| Column::new(name.into(), vec![v; n]);
        DataFrame::new(
            n,
            vec![
                col_u32("replication", &|r| r.0),
                col_u32("trust_id", &|r| r.1),
                Column::new("trust_type".into(), vec!["acute"; n]),
                col_u32("month", &|r| r.2),
                col_u32("establishment", &|r| r.3),
                col_u32("staff_in_post", &|r| r.3),
                Column::new(
                    "engagement".into(),
                    rows.iter().map(|r| r.4).collect::<Vec<f64>>(),
                ),
                col_f64("sickness_rate", 0.05),
                col_f64("leaver_rate", 0.01),
                col_f64("quality_index", 70.0),
                col_f64("mortality_ratio", 1.0),
                col_f64("surplus_share", -0.0001),
                Column::new(
                    "rating".into(),
                    rows.iter()
                        .map(|r| if r.2 >= 40 { "good" } else { "inadequate" })
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "ceo_id".into(),
                    rows.iter().map(|r| r.5).collect::<Vec<u64>>(),
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn national_series_is_staff_weighted_and_rates_are_annualised_percentages() {
        let df = frame(&[(0, 0, 1, 100, 7.0, 1), (0, 1, 1, 300, 6.0, 2)]);
        let mut acc = TrustMonthAcc::new(1);
        acc.add(&df, Path::new("x")).unwrap();
        let (reps, national, _) = acc.finish();
        assert_eq!(reps, [0]);
        let v = national[0].values[0];
        assert!((v[0] - 6.25).abs() < 1e-12, "{v:?}");
        assert!((v[1] - 12.0).abs() < 1e-9, "leaver {v:?}");
        assert!((v[2] - 5.0).abs() < 1e-9, "sickness {v:?}");
        assert!((v[3] - 70.0).abs() < 1e-12);
        assert!(
            (v[4] + 0.01).abs() < 1e-12,
            "surplus stays in percent {v:?}"
        );
    }

    #[test]
    fn fan_quantiles_across_replications() {
        let national = vec![NationalMonth {
            month: 3,
            values: (0..5).map(|i| [f64::from(i), 0.0, 0.0, 0.0, 0.0]).collect(),
        }];
        let f = fan(&national, Indicator::Engagement);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].n, 5);
        assert_eq!(f[0].q, [0.2, 1.0, 2.0, 3.0, 3.8]);
        // One replication: every quantile is that value.
        let one = vec![NationalMonth {
            month: 1,
            values: vec![[6.5, 0.0, 0.0, 0.0, 0.0]],
        }];
        assert_eq!(fan(&one, Indicator::Engagement)[0].q, [6.5; 5]);
        // No replication with a value: no point.
        let none = vec![NationalMonth {
            month: 1,
            values: vec![[f64::NAN; 5]],
        }];
        assert!(fan(&none, Indicator::Engagement).is_empty());
    }

    #[test]
    fn ceos_are_counted_once_each_within_the_last_three_years() {
        // 48 months; the window is months 13..=48. Trust 0 has CEO 1 until
        // month 20 (inside the window), then 2, then 1 again (counted once);
        // CEO 9 only before the window. Trust 1 keeps one CEO.
        let mut rows = vec![];
        for m in 1..=48u32 {
            let ceo = match m {
                1..=12 => 9,
                13..=20 => 1,
                21..=30 => 2,
                _ => 1,
            };
            rows.push((0, 0, m, 10, 7.0, ceo));
            rows.push((0, 1, m, 10, 7.0, 5));
        }
        let mut acc = TrustMonthAcc::new(48);
        // Rows arrive in any order and in several chunks.
        rows.reverse();
        let (a, b) = rows.split_at(30);
        acc.add(&frame(a), Path::new("x")).unwrap();
        acc.add(&frame(b), Path::new("x")).unwrap();
        let (_, national, trusts) = acc.finish();
        assert_eq!(national.len(), 48);
        assert_eq!(trusts.len(), 2);
        assert_eq!(trusts[0].ceos, 2);
        assert_eq!(trusts[1].ceos, 1);
        assert_eq!(trusts[0].rating, "good");
        assert!((trusts[0].engagement - 7.0).abs() < 1e-12);
    }

    #[test]
    fn tenure_keeps_permanent_spells_with_delayed_entry_and_censoring() {
        // In post from burn-in month -9 to month 20; from 6, still in post;
        // an interim from 8 to 10.
        let df = DataFrame::new(
            3,
            vec![
                Column::new("replication".into(), vec![0u32, 1, 1]),
                Column::new("start_month".into(), vec![-9i32, 6, 8]),
                Column::new("end_month".into(), vec![20i32, 17, 10]),
                Column::new("censored".into(), vec![false, true, false]),
                Column::new("interim".into(), vec![false, false, true]),
            ],
        )
        .unwrap();
        let obs = tenure_observations(&df, Path::new("x"), 30).unwrap();
        assert_eq!(
            obs,
            [
                (
                    0,
                    Observation {
                        entry: 10.0,
                        exit: 30.5,
                        event: true
                    }
                ),
                (
                    1,
                    Observation {
                        entry: 0.0,
                        exit: 12.5,
                        event: false
                    }
                )
            ]
        );
    }

    #[test]
    fn shared_scenario_names_get_distinct_labels() {
        let meta = FileMeta {
            scenario_hash: "h".into(),
            seed: 1,
            version: "0".into(),
            scenario_name: "quick".into(),
            parameter_sets: None,
            scope: None,
        };
        let run = |dir: &str| RunData {
            dir: PathBuf::from(dir),
            label: "quick".into(),
            meta: meta.clone(),
            replications: vec![],
            months: 0,
            start: None,
            national: vec![],
            trusts: vec![],
            tenure: vec![],
            final_window_months: 0,
            ceo_window_months: 0,
        };
        let mut runs = vec![run("out/a"), run("out/b")];
        unique_labels(&mut runs);
        assert_eq!(runs[0].label, "quick (a)");
        assert_eq!(runs[1].label, "quick (b)");
    }
}
