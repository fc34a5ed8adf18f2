//! The trust register: one row per trust, read from a CSV file by the
//! scenario layer (which resolves its path and reports bad cells by file,
//! line and column) and held here as plain, checked values. With a register
//! the trusts of a run are its rows, in order; without one they are drawn
//! from `trusts.*.count` as before.

use serde::{Deserialize, Serialize};

use crate::model::{Rating, TrustType};

/// One trust of the register. `None` means "draw as without a register".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustRow {
    /// Organisation code, unique in the register.
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: TrustType,
    /// NHS England region.
    pub region: String,
    /// Integrated care board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icb: Option<String>,
    /// Funded FTE posts at full scale (scaled by `run.staff_scale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment: Option<f64>,
    /// Mean staff engagement (0-10) in the first reported month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<f64>,
    /// Share of funded posts vacant in the first reported month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vacancy_rate: Option<f64>,
    /// Share of staff in post off sick in the first reported month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sickness_rate: Option<f64>,
    /// Published overall rating in the first reported month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Months the CEO has held the post in the first reported month, that
    /// month included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceo_tenure_months: Option<u32>,
    /// Whether the CEO in the first reported month is an interim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceo_interim: Option<bool>,
    /// Surplus (negative: deficit) as a share of income in the first
    /// reported month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surplus_share: Option<f64>,
}

/// A numeric column of the register and the values it allows.
pub struct NumericColumn {
    pub name: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub get: fn(&TrustRow) -> Option<f64>,
}

impl NumericColumn {
    /// What is allowed, as an error message says it.
    pub fn allowed(&self) -> String {
        format!("empty or a number from {} to {}", self.lo, self.hi)
    }

    pub fn accepts(&self, v: f64) -> bool {
        v.is_finite() && v >= self.lo && v <= self.hi
    }
}

/// The numeric columns with their ranges (one definition for the scenario
/// layer's messages and the checks of a stored register).
pub static NUMERIC_COLUMNS: &[NumericColumn] = &[
    NumericColumn {
        name: "establishment",
        lo: 50.0,
        hi: 200_000.0,
        get: |r| r.establishment,
    },
    NumericColumn {
        name: "engagement",
        lo: 0.0,
        hi: 10.0,
        get: |r| r.engagement,
    },
    NumericColumn {
        name: "vacancy_rate",
        lo: 0.0,
        hi: 0.9,
        get: |r| r.vacancy_rate,
    },
    NumericColumn {
        name: "sickness_rate",
        lo: 0.0,
        hi: 0.5,
        get: |r| r.sickness_rate,
    },
    NumericColumn {
        name: "ceo_tenure_months",
        lo: 1.0,
        hi: 480.0,
        get: |r| r.ceo_tenure_months.map(f64::from),
    },
    NumericColumn {
        name: "surplus_share",
        lo: -0.5,
        hi: 0.5,
        get: |r| r.surplus_share,
    },
];

/// Every column of a register file: (name, required, what is allowed).
pub const COLUMNS: &[(&str, bool, &str)] = &[
    ("code", true, "a unique organisation code"),
    ("name", true, "the trust's name"),
    ("type", true, "acute, mental_health, community or ambulance"),
    ("region", true, "the NHS England region"),
    ("icb", false, "empty or the integrated care board"),
    ("establishment", true, "empty or a number from 50 to 200000"),
    ("engagement", false, "empty or a number from 0 to 10"),
    ("vacancy_rate", false, "empty or a number from 0 to 0.9"),
    ("sickness_rate", false, "empty or a number from 0 to 0.5"),
    (
        "rating",
        false,
        "empty, outstanding, good, requires_improvement or inadequate",
    ),
    (
        "ceo_tenure_months",
        false,
        "empty or a whole number from 1 to 480",
    ),
    ("ceo_interim", false, "empty, true or false"),
    ("surplus_share", false, "empty or a number from -0.5 to 0.5"),
];

/// Whether `region` names the London region, whose labour market is
/// tighter (`workforce.london_labour_market`): "London" in any case, with
/// spaces around it.
pub fn is_london(region: &str) -> bool {
    region.trim().eq_ignore_ascii_case("london")
}

impl TrustRow {
    /// Problems of a row (a stored register is checked again on reading):
    /// `(column, value, allowed)`.
    pub fn problems(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        if self.code.trim().is_empty() {
            out.push(("code", String::new(), "a non-empty code".into()));
        }
        for c in NUMERIC_COLUMNS {
            if let Some(v) = (c.get)(self)
                && !c.accepts(v)
            {
                out.push((c.name, format!("{v}"), c.allowed()));
            }
        }
        out
    }
}

/// Trusts of each type in the register, in [`TrustType::ALL`] order.
pub fn counts(rows: &[TrustRow]) -> [u32; 4] {
    let mut n = [0; 4];
    for r in rows {
        n[r.kind as usize] += 1;
    }
    n
}

/// The code of drawn trust `trust_id` (0-based): `T001` for the first.
pub fn synthetic_code(trust_id: u32) -> String {
    format!("T{:03}", trust_id + 1)
}
