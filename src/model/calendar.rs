//! The run's calendar: which month of which year each simulated month is,
//! and the NHS financial year (1 April to 31 March) it falls in.
//!
//! `run.start` names reported month 1; the burn-in runs in the months before
//! it. Month numbers stay the model's clock (records keep them), and every
//! date is derived from them here, so the arithmetic lives in one place.

use std::fmt;

/// A calendar month, e.g. April 2026.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct YearMonth {
    /// Months since January of year 0: `year * 12 + (month - 1)`.
    index: i64,
}

const NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Years a month may name: NHS history and any horizon a scenario can ask
/// for (run.months and burn_in_months are at most 1,200 each).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2300;

impl YearMonth {
    /// `month` is 1 (January) to 12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (YEARS.contains(&year) && (1..=12).contains(&month)).then_some(YearMonth {
            index: i64::from(year) * 12 + i64::from(month) - 1,
        })
    }

    /// Reads `YYYY-MM` (e.g. `2026-04`); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.index.div_euclid(12) as i32
    }

    /// 1 (January) to 12.
    pub fn month(self) -> u32 {
        self.index.rem_euclid(12) as u32 + 1
    }

    /// The month `n` months later (earlier if negative).
    pub fn plus(self, n: i64) -> Self {
        YearMonth {
            index: self.index + n,
        }
    }

    /// Months from `earlier` to `self`.
    pub fn months_since(self, earlier: YearMonth) -> i64 {
        self.index - earlier.index
    }

    /// Year in which the month's financial year starts (April to March).
    pub fn financial_year_start(self) -> i32 {
        if self.month() >= 4 {
            self.year()
        } else {
            self.year() - 1
        }
    }

    /// The financial year as the NHS writes it, e.g. `2026/27`.
    pub fn financial_year(self) -> String {
        financial_year_label(self.financial_year_start())
    }

    /// Days from 1970-01-01 to the first of the month (a parquet date).
    pub fn days_since_epoch(self) -> i32 {
        days_from_civil(i64::from(self.year()), i64::from(self.month()), 1) as i32
    }

    /// The month holding the day `days` after 1970-01-01.
    pub fn from_days(days: i32) -> Self {
        // Civil-from-days (proleptic Gregorian), month and year only.
        let z = i64::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        YearMonth {
            index: y * 12 + m - 1,
        }
    }

    /// `April 2026`.
    pub fn long(self) -> String {
        format!("{} {}", NAMES[self.month() as usize - 1], self.year())
    }

    /// `Apr 2026`.
    pub fn short(self) -> String {
        format!("{} {}", &NAMES[self.month() as usize - 1][..3], self.year())
    }
}

/// The `months` months from `first` in words: `April 2026 to March 2036
/// (financial years 2026/27 to 2035/36)`.
pub fn period(first: YearMonth, months: u32) -> String {
    let last = first.plus(i64::from(months.max(1)) - 1);
    format!(
        "{} to {} (financial years {} to {})",
        first.long(),
        last.long(),
        first.financial_year(),
        last.financial_year()
    )
}

/// `2026-04`.
impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// `2026/27` for the financial year starting in April `start`.
pub fn financial_year_label(start: i32) -> String {
    format!("{start}/{:02}", (start + 1).rem_euclid(100))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The run's clock: simulated month `burn_in` is `start`, which is reported
/// month 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub start: YearMonth,
    pub burn_in: u32,
}

impl Calendar {
    /// The calendar month of reported month `month` (1 = `start`; 0 and
    /// below are burn-in months).
    pub fn reported(self, month: i64) -> YearMonth {
        self.start.plus(month - 1)
    }

    /// The calendar month of simulated month `m` (0 = the first of the
    /// burn-in).
    pub fn simulated(self, m: u32) -> YearMonth {
        self.start.plus(i64::from(m) - i64::from(self.burn_in))
    }

    /// The reported month number of `date` (may be 0 or negative: before
    /// the reported horizon).
    pub fn month_of(self, date: YearMonth) -> i64 {
        date.months_since(self.start) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_year_dash_month() {
        let m = YearMonth::parse("2026-04").unwrap();
        assert_eq!((m.year(), m.month()), (2026, 4));
        assert_eq!(m.to_string(), "2026-04");
        for bad in [
            "",
            "2026",
            "2026-4",
            "2026-13",
            "2026-00",
            "26-04",
            "2026/04",
            "2026-04-01",
            "abcd-ef",
            "1800-01",
            "+026-04",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_add_across_years_both_ways() {
        let m = YearMonth::parse("2026-04").unwrap();
        assert_eq!(m.plus(9).to_string(), "2027-01");
        assert_eq!(m.plus(-4).to_string(), "2025-12");
        assert_eq!(m.plus(-64).to_string(), "2020-12");
        assert_eq!(m.plus(120).months_since(m), 120);
        assert_eq!(m.long(), "April 2026");
        assert_eq!(m.plus(-3).short(), "Jan 2026");
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let fy = |s| YearMonth::parse(s).unwrap().financial_year();
        assert_eq!(fy("2026-04"), "2026/27");
        assert_eq!(fy("2027-03"), "2026/27");
        assert_eq!(fy("2027-04"), "2027/28");
        assert_eq!(fy("2000-01"), "1999/00");
        assert_eq!(fy("2099-06"), "2099/00");
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        let d = |s| YearMonth::parse(s).unwrap().days_since_epoch();
        assert_eq!(d("1970-01"), 0);
        assert_eq!(d("1970-02"), 31);
        assert_eq!(d("2000-03"), 11_017); // 2000 is a leap year
        assert_eq!(d("2026-04"), 20_544);
        assert_eq!(d("1969-12"), -31);
        for s in [
            "1969-12", "1970-01", "2000-02", "2000-03", "2026-04", "2099-12",
        ] {
            let m = YearMonth::parse(s).unwrap();
            assert_eq!(YearMonth::from_days(m.days_since_epoch()), m, "{s}");
            assert_eq!(YearMonth::from_days(m.days_since_epoch() + 27), m, "{s}");
        }
    }

    #[test]
    fn the_calendar_puts_reported_month_one_at_the_start() {
        let c = Calendar {
            start: YearMonth::parse("2026-04").unwrap(),
            burn_in: 60,
        };
        assert_eq!(c.reported(1).to_string(), "2026-04");
        assert_eq!(c.reported(12).to_string(), "2027-03");
        assert_eq!(c.reported(0).to_string(), "2026-03");
        assert_eq!(c.simulated(60), c.start);
        assert_eq!(c.simulated(0).to_string(), "2021-04");
        assert_eq!(c.month_of(YearMonth::parse("2027-04").unwrap()), 13);
        assert_eq!(c.month_of(YearMonth::parse("2026-01").unwrap()), -2);
        assert_eq!(
            period(c.start, 120),
            "April 2026 to March 2036 (financial years 2026/27 to 2035/36)"
        );
    }
}
