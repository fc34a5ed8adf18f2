//! Typed output tables: one definition per table (file name, description,
//! and per column its name, type, unit, description and how to read it from
//! a record). The writer builds frames from these definitions, readers take
//! column names from the `col` modules declared here, the parquet schema
//! carries each column's unit and description as field metadata,
//! `trustsim columns` prints them, and a test checks the README's data
//! dictionary against them.
//!
//! Adding a column is one line here plus the model field it reads; adding a
//! result table is one [`table!`] block and one entry in [`RESULT_TABLES`].

use polars::prelude::*;

use crate::model::calendar::YearMonth;
use crate::model::records::{ExecSpell, InspectionRecord, Spell, TrustRecord};
use crate::model::regulator::InspectionKind;
use crate::model::trust::ExecExit;
use crate::model::{
    CeoSpell, ExitRoute, Pathway, Rating, ReplicationResult, TrustMonth, TrustType,
};

/// How a column's value is read from a record of type `R`.
pub enum Get<R: 'static> {
    U32(fn(&R) -> u32),
    /// An integer that may be absent: null in the file, empty in CSV.
    U32OrNull(fn(&R) -> Option<u32>),
    I32(fn(&R) -> i32),
    U64(fn(&R) -> u64),
    F64(fn(&R) -> f64),
    /// A float that may be absent: NaN in the record, null in the file and
    /// an empty field in CSV (e.g. a mortality ratio that is not published).
    F64OrNull(fn(&R) -> f64),
    Bool(fn(&R) -> bool),
    /// Free text.
    Str(for<'a> fn(&'a R) -> &'a str),
    /// Free text that may be absent: null in the file, empty in CSV.
    OptStr(for<'a> fn(&'a R) -> Option<&'a str>),
    /// One of a fixed list of labels, stored dictionary-encoded with the
    /// labels in their natural order (a polars Enum).
    Enum(fn(&R) -> &'static str, &'static [&'static str]),
    /// A list of floats that may be absent: a list column in the file
    /// (null where none), values separated by `;` in CSV.
    F64ListOrNull(for<'a> fn(&'a R) -> Option<&'a [f64]>),
    /// A calendar month: a date (its first day) in the file, `YYYY-MM-DD`
    /// in CSV.
    Date(fn(&R) -> YearMonth),
    /// Text made from the record, e.g. a financial year `2026/27`.
    Text(fn(&R) -> String),
}

impl<R> Get<R> {
    /// The value of `r` as a CSV field.
    pub fn text(&self, r: &R) -> String {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        match self {
            Get::U32(f) => f(r).to_string(),
            Get::U32OrNull(f) => f(r).map(|v| v.to_string()).unwrap_or_default(),
            Get::I32(f) => f(r).to_string(),
            Get::U64(f) => f(r).to_string(),
            Get::F64(f) | Get::F64OrNull(f) => {
                let v = f(r);
                if v.is_finite() {
                    v.to_string()
                } else {
                    String::new()
                }
            }
            Get::Bool(f) => f(r).to_string(),
            Get::Date(f) => format!("{}-01", f(r)),
            Get::Text(f) => quote(&f(r)),
            Get::Str(f) => quote(f(r)),
            Get::OptStr(f) => f(r).map(quote).unwrap_or_default(),
            Get::Enum(f, _) => quote(f(r)),
            Get::F64ListOrNull(f) => f(r)
                .map(|v| {
                    v.iter()
                        .map(|x| {
                            if x.is_finite() {
                                x.to_string()
                            } else {
                                String::new()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
        }
    }

    /// The column's polars type, as [`Table::frame`] builds it.
    pub fn dtype(&self) -> PolarsResult<DataType> {
        Ok(match self {
            Get::U32(_) | Get::U32OrNull(_) => DataType::UInt32,
            Get::I32(_) => DataType::Int32,
            Get::U64(_) => DataType::UInt64,
            Get::F64(_) | Get::F64OrNull(_) => DataType::Float64,
            Get::Bool(_) => DataType::Boolean,
            Get::Date(_) => DataType::Date,
            Get::Text(_) | Get::Str(_) | Get::OptStr(_) => DataType::String,
            Get::Enum(_, labels) => enum_dtype(labels)?,
            Get::F64ListOrNull(_) => DataType::List(Box::new(DataType::Float64)),
        })
    }

    /// The type as the data dictionary names it.
    pub fn type_name(&self) -> String {
        match self {
            Get::U32(_) => "uint32".into(),
            Get::U32OrNull(_) => "uint32 (null where none)".into(),
            Get::I32(_) => "int32".into(),
            Get::U64(_) => "uint64".into(),
            Get::F64(_) => "float64".into(),
            Get::F64OrNull(_) => "float64 (null where none)".into(),
            Get::Bool(_) => "bool".into(),
            Get::Date(_) => "date (first of the month)".into(),
            Get::Text(_) => "string".into(),
            Get::Str(_) => "string".into(),
            Get::OptStr(_) => "string (null where none)".into(),
            Get::Enum(_, labels) => format!("enum ({})", labels.join(" < ")),
            Get::F64ListOrNull(_) => "list of float64 (null where none)".into(),
        }
    }
}

/// One column of a table.
pub struct Col<R: 'static> {
    pub name: &'static str,
    /// Unit of the values (empty for identifiers and labels).
    pub unit: &'static str,
    pub description: &'static str,
    pub get: Get<R>,
}

/// One output table: its file and its columns.
pub struct Table<R: 'static> {
    /// File name inside the folder the table belongs to.
    pub file: &'static str,
    pub description: &'static str,
    pub columns: &'static [Col<R>],
}

/// A column as the data dictionary describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: &'static str,
    pub type_name: String,
    pub unit: &'static str,
    pub description: &'static str,
}

impl<R> Table<R> {
    /// The frame of `rows`, one column per definition, in order.
    pub fn frame<'a>(&self, rows: impl Iterator<Item = &'a R> + Clone) -> PolarsResult<DataFrame>
    where
        R: 'a,
    {
        let n = rows.clone().count();
        let cols = self
            .columns
            .iter()
            .map(|c| column(c, rows.clone()))
            .collect::<PolarsResult<Vec<Column>>>()?;
        DataFrame::new(n, cols)
    }

    /// The schema of [`Table::frame`]'s frames, without building one.
    pub fn schema(&self) -> PolarsResult<Schema> {
        self.columns
            .iter()
            .map(|c| Ok(Field::new(c.name.into(), c.get.dtype()?)))
            .collect()
    }

    /// The rows as CSV (RFC 4180: a header line, fields quoted when they
    /// hold a comma, quote or line break; numbers in full precision).
    pub fn csv<'a>(&self, rows: impl Iterator<Item = &'a R>) -> String
    where
        R: 'a,
    {
        let mut out = self
            .columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for r in rows {
            let fields: Vec<String> = self.columns.iter().map(|c| c.get.text(r)).collect();
            out += &fields.join(",");
            out.push('\n');
        }
        out
    }

    /// The data dictionary of this table.
    pub fn info(&self) -> Vec<ColumnInfo> {
        self.columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name,
                type_name: c.get.type_name(),
                unit: c.unit,
                description: c.description,
            })
            .collect()
    }

    /// Units and descriptions by column name, for the parquet field metadata.
    pub fn field_notes(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        self.columns
            .iter()
            .map(|c| (c.name, c.unit, c.description))
            .collect()
    }
}

fn column<'a, R: 'a>(c: &Col<R>, rows: impl Iterator<Item = &'a R>) -> PolarsResult<Column> {
    let name: PlSmallStr = c.name.into();
    Ok(match &c.get {
        Get::U32(f) => Column::new(name, rows.map(f).collect::<Vec<u32>>()),
        Get::U32OrNull(f) => Column::new(name, rows.map(f).collect::<Vec<Option<u32>>>()),
        Get::I32(f) => Column::new(name, rows.map(f).collect::<Vec<i32>>()),
        Get::U64(f) => Column::new(name, rows.map(f).collect::<Vec<u64>>()),
        Get::F64(f) => Column::new(name, rows.map(f).collect::<Vec<f64>>()),
        Get::F64OrNull(f) => Column::new(
            name,
            rows.map(|r| Some(f(r)).filter(|v| !v.is_nan()))
                .collect::<Vec<Option<f64>>>(),
        ),
        Get::Bool(f) => Column::new(name, rows.map(f).collect::<Vec<bool>>()),
        Get::Date(f) => Int32Chunked::from_vec(
            name,
            rows.map(|r| f(r).days_since_epoch()).collect::<Vec<i32>>(),
        )
        .into_date()
        .into_series()
        .into_column(),
        Get::Text(f) => Column::new(name, rows.map(f).collect::<Vec<String>>()),
        Get::Str(f) => Column::new(name, rows.map(*f).collect::<Vec<&str>>()),
        Get::OptStr(f) => Column::new(name, rows.map(*f).collect::<Vec<Option<&str>>>()),
        Get::Enum(f, labels) => enum_column(name, rows.map(f), labels)?,
        Get::F64ListOrNull(f) => {
            let lists: Vec<Option<Series>> = rows
                .map(|r| f(r).map(|v| Series::new(PlSmallStr::EMPTY, v)))
                .collect();
            Column::new(name, lists).cast(&DataType::List(Box::new(DataType::Float64)))?
        }
    })
}

/// An Enum column of `values`, built from each value's position in
/// `labels` (the Enum's physical codes) rather than by casting a column of
/// strings, which looks every string up; a value not among the labels is
/// an error naming it.
fn enum_column<'a>(
    name: PlSmallStr,
    values: impl Iterator<Item = &'a str>,
    labels: &[&str],
) -> PolarsResult<Column> {
    let dtype = enum_dtype(labels)?;
    let code = |v: &str| {
        labels.iter().position(|l| *l == v).ok_or_else(
            || polars_err!(ComputeError: "`{v}` is not one of the labels of column `{name}`: {}", labels.join(", ")),
        )
    };
    let codes = values.map(code).collect::<PolarsResult<Vec<usize>>>()?;
    // The codes as the Enum's physical type (a few labels: one byte each).
    macro_rules! cats {
        ($chunked:ty, $physical:ty, $native:ty) => {
            <$chunked>::from_cats_and_dtype(
                ChunkedArray::<$physical>::from_vec(
                    name.clone(),
                    codes.iter().map(|&i| i as $native).collect(),
                ),
                dtype,
            )
            .into_column()
        };
    }
    Ok(match dtype.cat_physical()? {
        CategoricalPhysical::U8 => cats!(Categorical8Chunked, UInt8Type, u8),
        CategoricalPhysical::U16 => cats!(Categorical16Chunked, UInt16Type, u16),
        CategoricalPhysical::U32 => cats!(Categorical32Chunked, UInt32Type, u32),
    })
}

/// The polars Enum type of `labels`, in their order.
pub fn enum_dtype(labels: &[&str]) -> PolarsResult<DataType> {
    Ok(DataType::from_frozen_categories(FrozenCategories::new(
        labels.iter().copied(),
    )?))
}

/// Declares a table: the static definition and a `col` module of its column
/// names, so that readers never type a column name.
macro_rules! table {
    (
        $(#[doc = $doc:literal])*
        pub static $table:ident: Table<$r:ty> = $file:literal;
        pub mod $names:ident {
            $($konst:ident = $col:literal, $unit:expr, $get:expr, $desc:literal;)*
        }
    ) => {
        $(#[doc = $doc])*
        pub static $table: Table<$r> = Table {
            file: $file,
            description: concat!($($doc),*),
            columns: &[$(Col { name: $col, unit: $unit, description: $desc, get: $get },)*],
        };

        /// Column names.
        pub mod $names {
            $(#[doc = $desc] pub const $konst: &str = $col;)*
        }
    };
}
pub(crate) use table;

/// Units of the result tables.
pub mod unit {
    pub const SHARE: &str = "fraction (0-1)";
    pub const MONTH: &str = "reported month (1 = first after burn-in)";
    pub const DATE: &str = "calendar month (run.start = month 1)";
    pub const MONTHS: &str = "months";
    pub const FTE: &str = "FTE posts";
    pub const GBP: &str = "GBP";
    pub const NONE: &str = "";
}

table! {
    /// One row per trust and replication: the trust's code, name, type, region and integrated care board (from the trust register, or generated for drawn trusts) and its size; join on (replication, trust_id).
    pub static TRUSTS: Table<TrustRecord> = "trusts.parquet";
    pub mod tr {
        REPLICATION = "replication", unit::NONE, Get::U32(|t| t.replication), "Replication number (0-based).";
        TRUST_ID = "trust_id", unit::NONE, Get::U32(|t| t.trust_id), "Trust number within the replication (the register's row order with a register; the same trust in every replication).";
        TRUST_CODE = "trust_code", unit::NONE, Get::Str(|t| &t.code), "Organisation code from the trust register; T001, T002, ... (trust_id + 1) for drawn trusts.";
        TRUST_NAME = "trust_name", unit::NONE, Get::Str(|t| &t.name), "Name from the trust register; for drawn trusts the type and a number within it, e.g. Acute trust 3.";
        TRUST_TYPE = "trust_type", unit::NONE, Get::Enum(|t| t.trust_type.as_str(), &TrustType::LABELS), "Type of trust.";
        REGION = "region", unit::NONE, Get::OptStr(|t| t.region.as_deref()), "NHS England region from the trust register (null for drawn trusts).";
        ICB = "icb", unit::NONE, Get::OptStr(|t| t.icb.as_deref()), "Integrated care board from the trust register (null where none is given and for drawn trusts).";
        ESTABLISHMENT = "establishment", unit::FTE, Get::U32(|t| t.establishment), "Funded posts (after run.staff_scale; drawn per replication unless the register gives it).";
        FROM_REGISTER = "from_register", unit::NONE, Get::Bool(|t| t.from_register), "Whether the trust is a row of the trust register.";
    }
}

table! {
    /// One row per trust and reported month.
    pub static TRUST_MONTHS: Table<TrustMonth> = "trust_months.parquet";
    pub mod tm {
        REPLICATION = "replication", unit::NONE, Get::U32(|m| m.replication), "Replication number (0-based).";
        TRUST_ID = "trust_id", unit::NONE, Get::U32(|m| m.trust_id), "Trust number within the replication (0-based; acute first, then mental health, community, ambulance; the register's row order with a register). Code, name and region: trusts.parquet.";
        TRUST_TYPE = "trust_type", unit::NONE, Get::Enum(|m| m.trust_type.as_str(), &TrustType::LABELS), "Type of trust.";
        MONTH = "month", unit::MONTH, Get::U32(|m| m.month), "Reported month, 1 to run.months.";
        DATE = "date", unit::DATE, Get::Date(|m| m.date), "First day of the reported month (month 1 is run.start).";
        FINANCIAL_YEAR = "financial_year", unit::NONE, Get::Text(|m| m.date.financial_year()), "NHS financial year (April to March) of the month, e.g. 2026/27.";
        ESTABLISHMENT = "establishment", unit::FTE, Get::U32(|m| m.establishment), "Funded posts.";
        STAFF_IN_POST = "staff_in_post", unit::FTE, Get::U32(|m| m.staff_in_post), "Posts filled at the end of the month.";
        ENGAGEMENT = "engagement", "score (0-10, NHS Staff Survey scale)", Get::F64(|m| m.engagement), "Mean engagement of staff in post.";
        SICKNESS_RATE = "sickness_rate", unit::SHARE, Get::F64(|m| m.sickness_rate), "Share of staff in post off sick this month.";
        LEAVER_RATE = "leaver_rate", unit::SHARE, Get::F64(|m| m.leaver_rate), "Share of staff who left this month (monthly, not annualised).";
        VACANCY_RATE = "vacancy_rate", unit::SHARE, Get::F64(|m| m.vacancy_rate), "Published vacancy rate at the end of the month: funded posts without a holder over the establishment the trust records, which differs from the posts it staffs by its own recording factor; the real staffing gap, which the model's processes use, is 1 - staff_in_post / establishment.";
        FRICTION = "friction", "score (0-1)", Get::F64(|m| m.friction), "Manager-clinician friction.";
        QUALITY_INDEX = "quality_index", "index (0-100)", Get::F64(|m| m.quality_index), "Quality of care index (patient safety and clinical quality).";
        PATIENT_EXPERIENCE = "patient_experience", "score (0-10)", Get::F64(|m| m.patient_experience), "Patient experience.";
        MORTALITY_RATIO = "mortality_ratio", "ratio (observed / expected deaths)", Get::F64OrNull(|m| m.mortality_ratio), "Published mortality ratio over the last 12 months, like SHMI (acute trusts; null for other types, for which none is published, and where no deaths are expected).";
        EXPECTED_DEATHS = "expected_deaths", "deaths", Get::F64(|m| m.expected_deaths), "Deaths expected this month at the national rate for the trust's size at full scale: not scaled by run.staff_scale, so chance variation is that of the real trust (acute trusts; 0 otherwise).";
        OBSERVED_DEATHS = "observed_deaths", "deaths", Get::F64(|m| m.observed_deaths), "Deaths observed this month (acute trusts; 0 otherwise).";
        RECOMMEND_WORK = "recommend_work", unit::SHARE, Get::F64(|m| m.recommend_work), "Staff survey: share who would recommend the trust as a place to work.";
        RECOMMEND_CARE = "recommend_care", unit::SHARE, Get::F64(|m| m.recommend_care), "Staff survey: share who would be happy with the standard of care if a friend or relative needed treatment.";
        SURPLUS_SHARE = "surplus_share", "fraction of income", Get::F64(|m| m.surplus_share), "Surplus (negative: deficit) this month as a share of income.";
        OVERSIGHT_LEVEL = "oversight_level", "level (1-4)", Get::I32(|m| i32::from(m.oversight_level)), "Regulator oversight level (4 = intensive support or special measures).";
        RATING = "rating", unit::NONE, Get::Enum(|m| m.rating.as_str(), &Rating::LABELS), "Published overall rating (from the last inspection; see inspections.parquet).";
        CEO_ID = "ceo_id", unit::NONE, Get::U64(|m| m.ceo_id), "Identifier of the CEO or interim in post (unique within a replication).";
        CEO_TENURE_MONTHS = "ceo_tenure_months", unit::MONTHS, Get::U32(|m| m.ceo_tenure_months), "Months the CEO in post has held it, this month included.";
        INTERIM = "interim", unit::NONE, Get::Bool(|m| m.interim), "Whether the CEO in post is an interim.";
        EXEC_VACANCY_SHARE = "exec_vacancy_share", unit::SHARE, Get::F64(|m| m.exec_vacancy_share), "Share of executive director posts vacant and held by an interim.";
        MEAN_LEADER_CAPABILITY = "mean_leader_capability", "score (0-1)", Get::F64(|m| m.mean_leader_capability), "Mean capability of the trust's team leaders.";
        IMPROVEMENT_CAPABILITY = "improvement_capability", "score (0-1)", Get::F64(|m| m.improvement_capability), "Improvement capability (a stock that builds and decays).";
        DEVELOPMENT_SPEND_GBP = "development_spend_gbp", unit::GBP, Get::F64(|m| m.development_spend_gbp), "Leadership development spend this month (scales with run.staff_scale).";
        AGENCY_SPEND_GBP = "agency_spend_gbp", unit::GBP, Get::F64(|m| m.agency_spend_gbp), "Agency and bank cover spend this month (scales with run.staff_scale).";
        TARGETED = "targeted", unit::NONE, Get::Bool(|m| m.targeted), "Whether a value for some trusts only reached the trust this month (a `[[for_trusts]]` entry, or a `[[changes]]` entry with trusts or where that had started and reached it).";
    }
}

table! {
    /// One row per CEO or interim spell in post at any time in the reported horizon.
    pub static CEO_SPELLS: Table<CeoSpell> = "ceo_spells.parquet";
    pub mod cs {
        REPLICATION = "replication", unit::NONE, Get::U32(|s| s.replication), "Replication number (0-based).";
        TRUST_ID = "trust_id", unit::NONE, Get::U32(|s| s.trust_id), "Trust number within the replication.";
        CEO_ID = "ceo_id", unit::NONE, Get::U64(|s| s.ceo_id), "Identifier of the CEO or interim.";
        START_MONTH = "start_month", unit::MONTH, Get::I32(|s| s.start_month), "First month in post (0 and below: burn-in).";
        END_MONTH = "end_month", unit::MONTH, Get::I32(|s| s.end_month), "Last month in post (the last reported month if still in post).";
        START_DATE = "start_date", unit::DATE, Get::Date(|s| s.start_date), "First day of start_month (before run.start for spells begun in burn-in).";
        END_DATE = "end_date", unit::DATE, Get::Date(|s| s.end_date), "First day of end_month.";
        DURATION_MONTHS = "duration_months", unit::MONTHS, Get::I32(|s| s.duration_months()), "Months in post: end_month - start_month + 1.";
        CENSORED = "censored", unit::NONE, Get::Bool(|s| s.censored), "Still in post at the end of the run.";
        EXIT_ROUTE = "exit_route", unit::NONE, Get::Enum(|s| s.exit_route.as_str(), &ExitRoute::LABELS), "How the spell ended.";
        PATHWAY = "pathway", unit::NONE, Get::Enum(|s| s.pathway.as_str(), &Pathway::LABELS), "Career pathway of the CEO.";
        INTERNAL = "internal", unit::NONE, Get::Bool(|s| s.internal), "Promoted from the trust's own board.";
        FIRST_TIME = "first_time", unit::NONE, Get::Bool(|s| s.first_time), "First CEO post.";
        INTERIM = "interim", unit::NONE, Get::Bool(|s| s.interim), "An interim spell.";
    }
}

table! {
    /// One row per executive director's spell in a post (substantive or interim) in post at any time in the reported horizon.
    pub static EXEC_SPELLS: Table<ExecSpell> = "exec_spells.parquet";
    pub mod es {
        REPLICATION = "replication", unit::NONE, Get::U32(|s| s.replication), "Replication number (0-based).";
        TRUST_ID = "trust_id", unit::NONE, Get::U32(|s| s.trust_id), "Trust number within the replication.";
        POST = "post", unit::NONE, Get::U32(|s| u32::from(s.post)), "Board post (0 to board.executives - 1).";
        START_MONTH = "start_month", unit::MONTH, Get::I32(|s| s.start_month), "First month in post (0 and below: burn-in).";
        END_MONTH = "end_month", unit::MONTH, Get::I32(|s| s.end_month), "Last month in post (the last reported month if still in post).";
        START_DATE = "start_date", unit::DATE, Get::Date(|s| s.start_date), "First day of start_month.";
        END_DATE = "end_date", unit::DATE, Get::Date(|s| s.end_date), "First day of end_month.";
        DURATION_MONTHS = "duration_months", unit::MONTHS, Get::I32(|s| s.duration_months()), "Months in post: end_month - start_month + 1.";
        CENSORED = "censored", unit::NONE, Get::Bool(|s| s.censored), "Still in post at the end of the run.";
        INTERIM = "interim", unit::NONE, Get::Bool(|s| s.interim), "An interim covering a vacant post.";
        CLINICAL = "clinical", unit::NONE, Get::Bool(|s| s.clinical), "A clinician.";
        EXIT_ROUTE = "exit_route", unit::NONE, Get::Enum(|s| s.exit_route.as_str(), &ExecExit::LABELS), "How the spell ended: left the trust, an interim handing over, promoted to CEO, or in post.";
    }
}

table! {
    /// One row per published inspection: the five domain ratings and the overall rating aggregated from them.
    pub static INSPECTIONS: Table<InspectionRecord> = "inspections.parquet";
    pub mod ins {
        REPLICATION = "replication", unit::NONE, Get::U32(|i| i.replication), "Replication number (0-based).";
        TRUST_ID = "trust_id", unit::NONE, Get::U32(|i| i.trust_id), "Trust number within the replication.";
        MONTH = "month", unit::MONTH, Get::I32(|i| i.month), "Reported month of publication; the rating applies from this month.";
        DATE = "date", unit::DATE, Get::Date(|i| i.date), "First day of the month of publication.";
        KIND = "kind", unit::NONE, Get::Enum(|i| i.kind.as_str(), &InspectionKind::LABELS), "scheduled (due on the cycle), responsive (brought forward by monitoring) or follow_up (after an inadequate rating).";
        SAFE = "safe", unit::NONE, Get::Enum(|i| i.domains[0].as_str(), &Rating::LABELS), "Rating of the safe domain.";
        EFFECTIVE = "effective", unit::NONE, Get::Enum(|i| i.domains[1].as_str(), &Rating::LABELS), "Rating of the effective domain.";
        CARING = "caring", unit::NONE, Get::Enum(|i| i.domains[2].as_str(), &Rating::LABELS), "Rating of the caring domain.";
        RESPONSIVE = "responsive", unit::NONE, Get::Enum(|i| i.domains[3].as_str(), &Rating::LABELS), "Rating of the responsive domain.";
        WELL_LED = "well_led", unit::NONE, Get::Enum(|i| i.domains[4].as_str(), &Rating::LABELS), "Rating of the well-led domain.";
        OVERALL = "overall", unit::NONE, Get::Enum(|i| i.overall.as_str(), &Rating::LABELS), "Overall rating aggregated from the domains.";
        PREVIOUS = "previous", unit::NONE, Get::Enum(|i| i.previous.as_str(), &Rating::LABELS), "The overall rating this one replaced.";
    }
}

/// A table of records drawn from each replication's results.
pub trait ResultTable: Sync {
    fn file(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn info(&self) -> Vec<ColumnInfo>;
    fn field_notes(&self) -> Vec<(&'static str, &'static str, &'static str)>;
    /// The rows of a batch of replications, in batch then record order.
    fn frame(&self, batch: &[&ReplicationResult]) -> PolarsResult<DataFrame>;
    /// The schema of [`ResultTable::frame`]'s frames.
    fn schema(&self) -> PolarsResult<Schema>;
}

/// A [`Table`] with the accessor of its records in a [`ReplicationResult`].
pub struct FromResults<R: 'static> {
    pub table: &'static Table<R>,
    pub rows: fn(&ReplicationResult) -> &[R],
}

impl<R: Sync> ResultTable for FromResults<R> {
    fn file(&self) -> &'static str {
        self.table.file
    }
    fn description(&self) -> &'static str {
        self.table.description
    }
    fn info(&self) -> Vec<ColumnInfo> {
        self.table.info()
    }
    fn field_notes(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        self.table.field_notes()
    }
    fn frame(&self, batch: &[&ReplicationResult]) -> PolarsResult<DataFrame> {
        let rows = self.rows;
        self.table
            .frame(batch.iter().flat_map(move |r| rows(r).iter()))
    }
    fn schema(&self) -> PolarsResult<Schema> {
        self.table.schema()
    }
}

/// Every table a run writes from its replications, in file order.
pub static RESULT_TABLES: &[&dyn ResultTable] = &[
    &FromResults {
        table: &TRUST_MONTHS,
        rows: |r| &r.trust_months,
    },
    &FromResults {
        table: &CEO_SPELLS,
        rows: |r| &r.spells,
    },
    &FromResults {
        table: &EXEC_SPELLS,
        rows: |r| &r.exec_spells,
    },
    &FromResults {
        table: &INSPECTIONS,
        rows: |r| &r.inspections,
    },
    &FromResults {
        table: &TRUSTS,
        rows: |r| &r.trusts,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema a table gives without building a frame is its frames'
    /// (an empty one here; `output::parquet`'s tests compare it with frames
    /// of simulated replications).
    #[test]
    fn a_tables_schema_is_its_frames_schema() {
        for t in RESULT_TABLES {
            assert_eq!(
                t.schema().unwrap(),
                **t.frame(&[]).unwrap().schema(),
                "{}",
                t.file()
            );
        }
    }

    #[test]
    fn names_are_unique_snake_case_and_the_name_modules_match() {
        for t in RESULT_TABLES {
            let info = t.info();
            let mut names: Vec<&str> = info.iter().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), info.len(), "{}", t.file());
            for c in &info {
                assert!(
                    c.name
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                    "{}",
                    c.name
                );
                assert!(!c.description.is_empty(), "{}", c.name);
            }
        }
        assert_eq!(tm::SURPLUS_SHARE, "surplus_share");
        assert_eq!(cs::DURATION_MONTHS, "duration_months");
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_missing_numbers_empty() {
        struct R(&'static str, f64);
        static T: Table<R> = Table {
            file: "t.csv",
            description: "test",
            columns: &[
                Col {
                    name: "name",
                    unit: "",
                    description: "a name",
                    get: Get::Str(|r| r.0),
                },
                Col {
                    name: "x",
                    unit: "",
                    description: "a number",
                    get: Get::F64(|r| r.1),
                },
            ],
        };
        let rows = [R("plain", 0.25), R("a, \"b\"", f64::NAN)];
        assert_eq!(
            T.csv(rows.iter()),
            "name,x\nplain,0.25\n\"a, \"\"b\"\"\",\n"
        );
    }

    /// An Enum column built from the labels' positions is the column of
    /// strings cast to the Enum (as it was built before), and a value that
    /// is not a label is an error naming it.
    #[test]
    fn an_enum_column_from_codes_is_its_strings_cast() {
        let values = [
            "good",
            "inadequate",
            "good",
            "outstanding",
            "requires_improvement",
        ];
        for v in values {
            assert!(Rating::LABELS.contains(&v), "{v}");
        }
        let ours = enum_column("r".into(), values.into_iter(), &Rating::LABELS).unwrap();
        let cast = Column::new("r".into(), values.to_vec())
            .cast(&enum_dtype(&Rating::LABELS).unwrap())
            .unwrap();
        assert_eq!(ours.dtype(), cast.dtype());
        assert!(
            ours.as_materialized_series()
                .equals_missing(cast.as_materialized_series())
        );
        let e = enum_column(
            "r".into(),
            ["good", "splendid"].into_iter(),
            &Rating::LABELS,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`splendid`") && e.contains("column `r`"), "{e}");
    }

    #[test]
    fn enum_columns_keep_their_natural_order() {
        let d = enum_dtype(&Rating::LABELS).unwrap();
        let s = Series::new("r".into(), ["inadequate", "good", "outstanding"])
            .cast(&d)
            .unwrap();
        let sorted = s.sort(SortOptions::default()).unwrap();
        let labels: Vec<String> = sorted
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect();
        assert_eq!(labels, ["outstanding", "good", "inadequate"]);
    }
}
