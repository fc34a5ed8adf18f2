//! `[run]`: what to simulate and for how long.

use super::schema::{int, num, section, text, unit};

/// A run name names the output folder: the one rule for names that become
/// paths (`files::names`).
fn valid_name(name: &str) -> bool {
    crate::files::names::is_valid(name)
}

fn any_text(_: &str) -> bool {
    true
}

fn valid_month(s: &str) -> bool {
    crate::model::calendar::YearMonth::parse(s).is_some()
}

section! {
    /// Run control: what to simulate and for how long.
    pub struct RunParams {
        /// Scenario name; also the default output folder name.
        pub name: String = "baseline".into(),
            text(valid_name, crate::files::names::ALLOWED);
        /// One line saying what the scenario is for.
        pub description: String = "England before 2020".into(), text(any_text, "any text");
        /// Base seed of every random stream.
        pub seed: u64 = 20_260_101, int(0, i64::MAX as u64, unit::SEED);
        /// Number of replications in the ensemble.
        pub replications: u32 = 20, int(1, 100_000, unit::COUNT);
        /// Reported horizon in months (after burn-in).
        pub months: u32 = 120, int(12, 1_200, unit::MONTHS);
        /// Months simulated before reporting starts.
        pub burn_in_months: u32 = 60, int(0, 1_200, unit::MONTHS);
        /// Calendar month of reported month 1 (`YYYY-MM`); the burn-in runs in the months before it.
        pub start: String = "2026-04".into(), text(valid_month, "a month as YYYY-MM, e.g. 2026-04");
        /// Multiplier on every trust's staff establishment (1.0 = full England).
        pub staff_scale: f64 = 1.0, num(0.001, 1.0, "multiplier");
    }
}

impl RunParams {
    /// The run's calendar (`start` passed its check when the tree was
    /// validated; a tree built in code that skipped it starts in April 2026).
    pub fn calendar(&self) -> crate::model::calendar::Calendar {
        crate::model::calendar::Calendar {
            start: crate::model::calendar::YearMonth::parse(&self.start)
                .or_else(|| crate::model::calendar::YearMonth::new(2026, 4))
                .expect("April 2026 is a valid month"),
            burn_in: self.burn_in_months,
        }
    }
}
