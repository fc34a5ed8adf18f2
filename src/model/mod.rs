//! The pure model: entities, processes and the monthly schedule of one
//! replication. Nothing here reads or writes files, parses arguments or knows
//! about output formats; it takes validated [`Params`] and returns values.

pub mod calendar;
pub mod ceo;
pub mod development;
pub mod engine;
pub mod environment;
pub mod invariants;
pub mod leaders;
pub mod market;
pub mod params;
pub mod records;
pub mod regulator;
pub mod rng;
pub mod staff;
pub mod trust;

pub use engine::{ReplicationState, run_replication, run_replication_until};
pub use params::Params;
pub use records::{CeoSpell, ReplicationResult, TrustMonth, TrustRecord};

/// The four kinds of NHS trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustType {
    Acute,
    MentalHealth,
    Community,
    Ambulance,
}

impl TrustType {
    pub const ALL: [TrustType; 4] = [
        TrustType::Acute,
        TrustType::MentalHealth,
        TrustType::Community,
        TrustType::Ambulance,
    ];
    /// Labels in [`TrustType::ALL`] order.
    pub const LABELS: [&'static str; 4] = ["acute", "mental_health", "community", "ambulance"];
    /// The type as a name starts with it, e.g. `Mental health`.
    pub fn title(self) -> &'static str {
        match self {
            TrustType::Acute => "Acute",
            TrustType::MentalHealth => "Mental health",
            TrustType::Community => "Community",
            TrustType::Ambulance => "Ambulance",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TrustType::Acute => "acute",
            TrustType::MentalHealth => "mental_health",
            TrustType::Community => "community",
            TrustType::Ambulance => "ambulance",
        }
    }
}

/// A leader's career pathway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pathway {
    Clinical,
    GeneralManagement,
    Hybrid,
}

impl Pathway {
    /// Labels in declaration order.
    pub const LABELS: [&'static str; 3] = ["clinical", "general_management", "hybrid"];
    pub fn as_str(self) -> &'static str {
        match self {
            Pathway::Clinical => "clinical",
            Pathway::GeneralManagement => "general_management",
            Pathway::Hybrid => "hybrid",
        }
    }
    /// Whether the leader has a clinical background.
    pub fn is_clinical(self) -> bool {
        !matches!(self, Pathway::GeneralManagement)
    }
}

/// How a CEO or interim spell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExitRoute {
    /// Dismissed or pushed to resign.
    Dismissed,
    /// Appointed CEO of another trust (opens a vacancy chain).
    Moved,
    /// Retired.
    Retired,
    /// Left for another role outside trust CEO posts.
    LeftOther,
    /// An interim handing over to the permanent appointee.
    InterimEnded,
    /// Still in post at the end of the run (right-censored).
    InPost,
}

impl ExitRoute {
    /// Labels in declaration order.
    pub const LABELS: [&'static str; 6] = [
        "dismissed",
        "moved",
        "retired",
        "left_other",
        "interim_ended",
        "in_post",
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ExitRoute::Dismissed => "dismissed",
            ExitRoute::Moved => "moved",
            ExitRoute::Retired => "retired",
            ExitRoute::LeftOther => "left_other",
            ExitRoute::InterimEnded => "interim_ended",
            ExitRoute::InPost => "in_post",
        }
    }
}

/// The published quality rating (ordered from best to worst).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Outstanding,
    Good,
    RequiresImprovement,
    Inadequate,
}

impl Rating {
    pub const ALL: [Rating; 4] = [
        Rating::Outstanding,
        Rating::Good,
        Rating::RequiresImprovement,
        Rating::Inadequate,
    ];
    /// Labels from best to worst (the natural order of an ordered column).
    pub const LABELS: [&'static str; 4] =
        ["outstanding", "good", "requires_improvement", "inadequate"];
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Outstanding => "outstanding",
            Rating::Good => "good",
            Rating::RequiresImprovement => "requires_improvement",
            Rating::Inadequate => "inadequate",
        }
    }
}
