//! What a run simulates: how many trusts, at what staff scale, and whether
//! that is the full England baseline. Titles, captions and tables say "in
//! England" only of the full baseline, and otherwise state the scope.

use super::{Params, RawParams};

/// The scope of a run: its trusts and staff scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunScope {
    /// Trusts simulated.
    pub trusts: u32,
    /// `run.staff_scale`: the share of each trust's real staff simulated.
    pub staff_scale: f64,
    /// Whether this is all of England at full staff scale: a register of
    /// England's trusts (at least [`ENGLAND_REGISTER_TRUSTS`] rows across
    /// the seven NHS England regions), or every trust of the default counts
    /// drawn without a register.
    pub england: bool,
}

/// The fewest register rows that make a register England's (the bundled
/// one has 201; England had about 210 trusts when the model was calibrated).
pub const ENGLAND_REGISTER_TRUSTS: usize = 200;

impl RunScope {
    /// The scope of a run of `p`.
    pub fn of(p: &Params) -> RunScope {
        let default = RawParams::default().trusts;
        let counts = |t: &super::TrustTypes| t.all().map(|x| x.count);
        let rows = &p.trusts.rows;
        let regions: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r.region.as_str()).collect();
        let drawn_england = rows.is_empty() && counts(&p.trusts) == counts(&default);
        let register_england = rows.len() >= ENGLAND_REGISTER_TRUSTS && regions.len() >= 7;
        RunScope {
            trusts: p.trusts.total(),
            staff_scale: p.run.staff_scale,
            england: p.run.staff_scale == 1.0 && (drawn_england || register_england),
        }
    }

    /// Whether staff are simulated at a reduced scale.
    pub fn reduced(&self) -> bool {
        self.staff_scale < 1.0
    }

    /// The share of staff as a percentage: `2 %`, `0.5 %`, `100 %`.
    pub fn staff_percent(&self) -> String {
        let pct = 100.0 * self.staff_scale;
        let s = format!("{pct:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s} %")
    }

    /// Where the run's trusts are, for a title: `in England` for the full
    /// baseline, otherwise `in 20 trusts at 2 % of staff` (or `in 30
    /// trusts` at full staff scale).
    pub fn place(&self) -> String {
        if self.england {
            "in England".into()
        } else if self.reduced() {
            format!(
                "in {} at {} of staff",
                self.trusts_text(),
                self.staff_percent()
            )
        } else {
            format!("in {}", self.trusts_text())
        }
    }

    /// The scope for a caption: `England: 210 trusts at full staff scale`,
    /// or `20 trusts at 2 % of their staff (not the full England baseline)`.
    pub fn describe(&self) -> String {
        if self.england {
            format!("England: {} at full staff scale", self.trusts_text())
        } else if self.reduced() {
            format!(
                "{} at {} of their staff (not the full England baseline)",
                self.trusts_text(),
                self.staff_percent()
            )
        } else {
            format!(
                "{} at full staff scale (not the full England baseline)",
                self.trusts_text()
            )
        }
    }

    fn trusts_text(&self) -> String {
        format!(
            "{} trust{}",
            self.trusts,
            if self.trusts == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_full_baseline_is_england() {
        let full = RunScope::of(&Params::default());
        assert!(full.england && !full.reduced());
        assert_eq!(full.place(), "in England");
        let quick = RunScope::of(&super::super::edited(|p| {
            p.run.staff_scale = 0.02;
            p.trusts.acute.count = 12;
            p.trusts.mental_health.count = 5;
            p.trusts.community.count = 2;
            p.trusts.ambulance.count = 1;
        }));
        assert!(!quick.england);
        assert_eq!(quick.place(), "in 20 trusts at 2 % of staff");
        assert_eq!(
            quick.describe(),
            "20 trusts at 2 % of their staff (not the full England baseline)"
        );
        let small = RunScope::of(&super::super::edited(|p| p.run.staff_scale = 0.005));
        assert!(!small.england);
        assert_eq!(small.staff_percent(), "0.5 %");
        let fewer = RunScope::of(&super::super::edited(|p| p.trusts.acute.count = 1));
        assert!(!fewer.england);
        assert_eq!(fewer.place(), "in 76 trusts");
    }
}
