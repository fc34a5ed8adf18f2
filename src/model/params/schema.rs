//! The parameter schema: one declaration per parameter, from which the
//! struct field, its default, its dotted scenario key, its allowed range,
//! its unit and its description are all derived.
//!
//! Each submodel declares its parameters with [`section!`]: a doc comment
//! (the description), the field, its type, its default and a [`Rule`] (the
//! allowed values and the unit). The macro writes the struct (serde, so
//! scenario files fill it), `Default`, and [`Section::visit`], which walks
//! the fields in order. Visitors then check ranges ([`Checker`]) or list
//! every parameter ([`describe`]) without any key being typed by hand.

use std::fmt::Write;

/// Where range violations go; the scenario layer adds file and line.
pub trait RangeSink {
    /// `key` is the dotted scenario key; `allowed` says what is allowed.
    fn violation(&mut self, key: &str, value: String, allowed: &str);
}

/// What a parameter may hold, and in which unit it is expressed.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub allowed: Allowed,
    /// Unit as printed by `trustsim params` (empty for labels and switches).
    pub unit: &'static str,
}

/// The allowed values of a parameter.
#[derive(Debug, Clone, Copy)]
pub enum Allowed {
    /// A finite number in `[lo, hi]`.
    Number { lo: f64, hi: f64 },
    /// An integer in `[lo, hi]`.
    Integer { lo: u64, hi: u64 },
    /// `true` or `false`.
    Switch,
    /// Text accepted by `ok`, described by `what`.
    Text {
        ok: fn(&str) -> bool,
        what: &'static str,
    },
    /// A list of `[year, level]` points: years >= 0 strictly increasing,
    /// levels in `[0, hi]`.
    Schedule { hi: f64 },
    /// A nested section (its own fields are the parameters).
    Section,
}

impl Allowed {
    /// What is allowed, as error messages and `trustsim params` say it.
    pub fn describe(&self) -> String {
        match *self {
            Allowed::Number { lo, hi } => format!("a number from {lo} to {hi}"),
            Allowed::Integer { lo, hi } => format!("an integer from {lo} to {hi}"),
            Allowed::Switch => "true or false".into(),
            Allowed::Text { what, .. } => what.into(),
            Allowed::Schedule { hi } => format!(
                "[year, level] points with years >= 0 strictly increasing and levels from 0 to {hi}"
            ),
            Allowed::Section => "a table".into(),
        }
    }
}

/// A number in `[lo, hi]`, in `unit`.
pub const fn num(lo: f64, hi: f64, unit: &'static str) -> Rule {
    Rule {
        allowed: Allowed::Number { lo, hi },
        unit,
    }
}

/// An integer in `[lo, hi]`, in `unit`.
pub const fn int(lo: u64, hi: u64, unit: &'static str) -> Rule {
    Rule {
        allowed: Allowed::Integer { lo, hi },
        unit,
    }
}

/// A true/false switch.
pub const fn switch() -> Rule {
    Rule {
        allowed: Allowed::Switch,
        unit: "",
    }
}

/// Free text accepted by `ok`.
pub const fn text(ok: fn(&str) -> bool, what: &'static str) -> Rule {
    Rule {
        allowed: Allowed::Text { ok, what },
        unit: "",
    }
}

/// A `[year, level]` schedule.
pub const fn schedule(hi: f64, unit: &'static str) -> Rule {
    Rule {
        allowed: Allowed::Schedule { hi },
        unit,
    }
}

/// A nested section.
pub const fn nested() -> Rule {
    Rule {
        allowed: Allowed::Section,
        unit: "",
    }
}

/// Common units.
pub mod unit {
    /// A share or probability on 0-1.
    pub const SHARE: &str = "share (0-1)";
    /// A monthly probability.
    pub const PER_MONTH: &str = "probability per month";
    /// A share per year.
    pub const PER_YEAR: &str = "share per year";
    pub const MONTHS: &str = "months";
    pub const YEARS: &str = "years";
    pub const GBP: &str = "GBP";
    pub const FTE: &str = "FTE";
    pub const COUNT: &str = "count";
    /// Points on the NHS Staff Survey 0-10 scale.
    pub const ENGAGEMENT_POINTS: &str = "engagement points (0-10 scale)";
    /// Points of the 0-100 quality index.
    pub const QUALITY_POINTS: &str = "quality points (0-100 scale)";
    /// A capability, compassion or similar score on 0-1.
    pub const SCORE01: &str = "score (0-1)";
    /// A log hazard ratio.
    pub const LOG_HR: &str = "log hazard ratio";
    /// A dimensionless multiplier or coefficient.
    pub const COEFFICIENT: &str = "coefficient";
    /// A relative selection weight.
    pub const WEIGHT: &str = "relative weight";
    /// A national pressure index (1 = the start of burn-in).
    pub const INDEX: &str = "index (1 = start)";
    pub const SEED: &str = "seed";
}

/// A parameter's value as a visitor sees it.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Number(f64),
    Integer(u64),
    Switch(bool),
    Text(&'a str),
    Schedule(&'a [[f64; 2]]),
}

impl Value<'_> {
    /// The value as a scenario file would write it.
    pub fn to_toml(&self) -> String {
        match *self {
            Value::Number(v) => {
                let s = format!("{v}");
                if s.contains(['.', 'e', 'E']) || !v.is_finite() {
                    s
                } else {
                    format!("{s}.0")
                }
            }
            Value::Integer(v) => v.to_string(),
            Value::Switch(v) => v.to_string(),
            Value::Text(s) => format!("{s:?}"),
            Value::Schedule([]) => "[]".into(),
            Value::Schedule(pts) => {
                let mut out = String::from("[");
                for (i, [x, y]) in pts.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    let _ = write!(out, "{sep}[{x}, {y}]");
                }
                out + "]"
            }
        }
    }

    /// Whether the value is allowed by `allowed`.
    fn is_allowed(&self, allowed: &Allowed) -> bool {
        match (*self, *allowed) {
            (Value::Number(v), Allowed::Number { lo, hi }) => v.is_finite() && v >= lo && v <= hi,
            (Value::Integer(v), Allowed::Integer { lo, hi }) => v >= lo && v <= hi,
            (Value::Switch(_), Allowed::Switch) => true,
            (Value::Text(s), Allowed::Text { ok, .. }) => ok(s),
            (Value::Schedule(pts), Allowed::Schedule { hi }) => {
                let mut last = f64::NEG_INFINITY;
                pts.iter().all(|&[x, y]| {
                    let ok = x.is_finite() && x >= 0.0 && x > last && y.is_finite() && y >= 0.0;
                    last = x;
                    ok && y <= hi
                })
            }
            _ => false,
        }
    }

    /// The value as an error message shows it (the first bad point of a schedule).
    fn shown(&self, allowed: &Allowed) -> String {
        match (*self, *allowed) {
            (Value::Schedule(pts), Allowed::Schedule { hi }) => {
                let mut last = f64::NEG_INFINITY;
                for &[x, y] in pts {
                    if !(x.is_finite() && x >= 0.0 && x > last && y.is_finite() && y >= 0.0)
                        || y > hi
                    {
                        return format!("[{x}, {y}]");
                    }
                    last = x;
                }
                self.to_toml()
            }
            (Value::Number(v), _) => format!("{v}"),
            (Value::Text(s), _) => format!("{s:?}"),
            _ => self.to_toml(),
        }
    }
}

/// Walks the parameters of a section in declaration order.
pub trait Visitor {
    /// Entering the nested section `name`.
    fn enter(&mut self, name: &str);
    /// Leaving the section entered last.
    fn leave(&mut self);
    /// One parameter.
    fn leaf(&mut self, name: &str, value: Value<'_>, rule: &Rule, doc: &str);
}

/// A group of parameters declared with [`section!`].
pub trait Section {
    fn visit(&self, v: &mut dyn Visitor);
}

/// A value a section field may hold.
pub trait Param {
    fn visit_param(&self, v: &mut dyn Visitor, name: &str, rule: &Rule, doc: &str);
}

impl<T: Section> Param for T {
    fn visit_param(&self, v: &mut dyn Visitor, name: &str, _: &Rule, _: &str) {
        v.enter(name);
        self.visit(v);
        v.leave();
    }
}

macro_rules! leaf_param {
    ($ty:ty, |$x:ident| $value:expr) => {
        impl Param for $ty {
            fn visit_param(&self, v: &mut dyn Visitor, name: &str, rule: &Rule, doc: &str) {
                let $x = self;
                v.leaf(name, $value, rule, doc);
            }
        }
    };
}
leaf_param!(f64, |x| Value::Number(*x));
leaf_param!(u32, |x| Value::Integer(u64::from(*x)));
leaf_param!(u64, |x| Value::Integer(*x));
leaf_param!(bool, |x| Value::Switch(*x));
leaf_param!(String, |x| Value::Text(x));
leaf_param!(Vec<[f64; 2]>, |x| Value::Schedule(x));

/// Declares a parameter section: the struct, its `Default` and its
/// [`Section`] walk. Each field reads
/// `/// description` then `pub name: type = default, rule;`, optionally with
/// `#[serde(...)]` attributes between the two (for data that is not a
/// parameter, such as the trust register's rows).
macro_rules! section {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])+
                $(#[serde($($serde:tt)*)])*
                pub $field:ident : $ty:ty = $default:expr, $rule:expr;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[doc = $doc])+
                $(#[serde($($serde)*)])*
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $default,)* }
            }
        }

        impl $crate::model::params::schema::Section for $name {
            fn visit(&self, v: &mut dyn $crate::model::params::schema::Visitor) {
                $(
                    $crate::model::params::schema::Param::visit_param(
                        &self.$field,
                        v,
                        stringify!($field),
                        &$rule,
                        concat!($($doc),+).trim(),
                    );
                )*
            }
        }
    };
}
pub(crate) use section;

/// The dotted key of the current position of a walk.
#[derive(Debug, Default)]
struct Path(Vec<String>);

impl Path {
    fn key(&self, leaf: &str) -> String {
        let mut k = String::new();
        for p in &self.0 {
            k.push_str(p);
            k.push('.');
        }
        k.push_str(leaf);
        k
    }
}

/// Reports every value outside its rule to a [`RangeSink`].
pub struct Checker<'a> {
    path: Path,
    pub sink: &'a mut dyn RangeSink,
}

impl<'a> Checker<'a> {
    pub fn new(sink: &'a mut dyn RangeSink) -> Self {
        Checker {
            path: Path::default(),
            sink,
        }
    }
}

impl Visitor for Checker<'_> {
    fn enter(&mut self, name: &str) {
        self.path.0.push(name.to_string());
    }
    fn leave(&mut self) {
        self.path.0.pop();
    }
    fn leaf(&mut self, name: &str, value: Value<'_>, rule: &Rule, _: &str) {
        if !value.is_allowed(&rule.allowed) {
            self.sink.violation(
                &self.path.key(name),
                value.shown(&rule.allowed),
                &rule.allowed.describe(),
            );
        }
    }
}

/// One parameter as `trustsim params` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamInfo {
    /// Dotted scenario key.
    pub key: String,
    /// Value as a scenario file writes it.
    pub value: String,
    /// What is allowed.
    pub allowed: String,
    pub unit: &'static str,
    pub description: String,
}

struct Describe {
    path: Path,
    out: Vec<ParamInfo>,
}

impl Visitor for Describe {
    fn enter(&mut self, name: &str) {
        self.path.0.push(name.to_string());
    }
    fn leave(&mut self) {
        self.path.0.pop();
    }
    fn leaf(&mut self, name: &str, value: Value<'_>, rule: &Rule, doc: &str) {
        self.out.push(ParamInfo {
            key: self.path.key(name),
            value: value.to_toml(),
            allowed: rule.allowed.describe(),
            unit: rule.unit,
            description: doc.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
}

/// Every parameter of `section`, in declaration order.
pub fn describe(section: &dyn Section) -> Vec<ParamInfo> {
    let mut d = Describe {
        path: Path::default(),
        out: Vec::new(),
    };
    section.visit(&mut d);
    d.out
}

#[cfg(test)]
mod tests {
    use super::*;

    section! {
        /// A test section.
        pub struct Inner {
            /// A share.
            pub share: f64 = 0.5, num(0.0, 1.0, unit::SHARE);
            /// A count
            /// over two lines.
            pub count: u32 = 3, int(1, 5, unit::COUNT);
        }
    }

    section! {
        /// The outer section.
        pub struct Outer {
            /// A switch.
            pub on: bool = true, switch();
            /// Nested.
            pub inner: Inner = Inner::default(), nested();
            /// Points.
            pub points: Vec<[f64; 2]> = vec![[0.0, 1.0]], schedule(10.0, unit::INDEX);
        }
    }

    struct Collect(Vec<String>);
    impl RangeSink for Collect {
        fn violation(&mut self, key: &str, value: String, allowed: &str) {
            self.0.push(format!("{key}={value}: {allowed}"));
        }
    }

    #[test]
    fn keys_units_and_descriptions_are_derived_from_the_declaration() {
        let d = describe(&Outer::default());
        let keys: Vec<&str> = d.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["on", "inner.share", "inner.count", "points"]);
        assert_eq!(d[2].description, "A count over two lines.");
        assert_eq!(d[2].unit, unit::COUNT);
        assert_eq!(d[2].allowed, "an integer from 1 to 5");
        assert_eq!(d[1].value, "0.5");
        assert_eq!(d[3].value, "[[0, 1]]");
    }

    #[test]
    fn the_checker_names_each_bad_value_by_its_key() {
        let mut o = Outer::default();
        o.inner.share = f64::NAN;
        o.inner.count = 9;
        o.points = vec![[0.0, 1.0], [0.0, 2.0]];
        let mut c = Collect(vec![]);
        o.visit(&mut Checker::new(&mut c));
        assert_eq!(
            c.0,
            [
                "inner.share=NaN: a number from 0 to 1",
                "inner.count=9: an integer from 1 to 5",
                "points=[0, 2]: [year, level] points with years >= 0 strictly increasing and levels from 0 to 10",
            ]
        );
    }
}
