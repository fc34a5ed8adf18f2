//! Fan charts of a paired difference over time: for each variant of a
//! comparison, the national value of an indicator minus the reference's in
//! the same replication (common random numbers), month by month, with the
//! median and the 50 % and 90 % bands across replications. Variants that
//! share the reference's history until a timed change are exactly zero up
//! to it; the chart marks the months where changes start.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use std::collections::{BTreeMap, BTreeSet};

use super::data::{
    FanPoint, Indicator, NationalMonth, RunData, TrustMonthAcc, categories, fan, i32s, read_chunks,
    u32s,
};
use super::style::{self, Drawn, FrameText, LegendItem, Swatch};
use super::{ChartError, Figure};
use crate::output::tables::{TRUST_MONTHS, tm};

/// The chart's file name without extension.
pub fn file_stem(ind: Indicator) -> String {
    format!("difference_{}", ind.key())
}

/// `variant`'s national values minus `reference`'s, replication by
/// replication (only replications and months both have).
pub fn paired(reference: &RunData, variant: &RunData) -> Vec<NationalMonth> {
    let pos = |r: &RunData, rep: u32| r.replications.iter().position(|&x| x == rep);
    let reps: Vec<(usize, usize)> = variant
        .replications
        .iter()
        .filter_map(|&rep| Some((pos(reference, rep)?, pos(variant, rep)?)))
        .collect();
    variant
        .national
        .iter()
        .filter_map(|vm| {
            let rm = reference.national.iter().find(|m| m.month == vm.month)?;
            let values = reps
                .iter()
                .filter_map(|&(a, b)| {
                    let (x, y) = (rm.values.get(a)?, vm.values.get(b)?);
                    Some(std::array::from_fn(|i| y[i] - x[i]))
                })
                .collect();
            Some(NationalMonth {
                month: vm.month,
                values,
            })
        })
        .collect()
}

/// The (replication, trust) pairs of the run in `dir` that the targeted
/// entries `entries` are for: by code, type, region and ICB, and for a
/// segment or rating target by the trust's state in the month before the
/// entry starts (as [`crate::metrics::groups::cohort`] decides them).
pub fn cohort_keys(
    dir: &Path,
    entries: &[crate::model::params::TargetedChange],
) -> Result<BTreeSet<(u32, u32)>, ChartError> {
    use crate::model::params::TrustFacts;
    use crate::model::{Rating, TrustType};
    let run_trusts = super::trust::trusts_of(dir, &super::data::load_run(dir)?)?;
    let facts: BTreeMap<u32, TrustFacts> = run_trusts
        .iter()
        .map(|t| {
            let kind = TrustType::LABELS
                .iter()
                .position(|l| *l == t.trust_type)
                .map_or(TrustType::Acute, |k| TrustType::ALL[k]);
            (
                t.trust_id,
                TrustFacts {
                    code: t.code.clone(),
                    kind,
                    region: t.region.clone(),
                    icb: t.icb.clone(),
                },
            )
        })
        .collect();
    let path = dir.join(TRUST_MONTHS.file);
    let cols = [
        tm::REPLICATION,
        tm::TRUST_ID,
        tm::MONTH,
        tm::OVERSIGHT_LEVEL,
        tm::RATING,
    ];
    let mut keys = BTreeSet::new();
    read_chunks(&path, &cols, |df| {
        let rep = u32s(df, tm::REPLICATION, &path)?;
        let trust = u32s(df, tm::TRUST_ID, &path)?;
        let month = u32s(df, tm::MONTH, &path)?;
        let level = i32s(df, tm::OVERSIGHT_LEVEL, &path)?;
        let (rating, rdict) = categories(df, tm::RATING, &path)?;
        for i in 0..rep.len() {
            let Some(f) = facts.get(&trust[i]) else {
                continue;
            };
            let r = Rating::LABELS
                .iter()
                .position(|l| *l == rdict[usize::from(rating[i])])
                .map_or(Rating::Good, |k| Rating::ALL[k]);
            let reached = entries.iter().any(|e| {
                e.target.matches_facts(f)
                    && if e.target.is_dynamic() {
                        month[i] == e.month.saturating_sub(1)
                            && e.target.matches_state(level[i] as u8, r)
                    } else {
                        month[i] == 1
                    }
            });
            if reached {
                keys.insert((rep[i], trust[i]));
            }
        }
        Ok(())
    })?;
    Ok(keys)
}

/// The national series of the trusts of the run in `dir` whose
/// (replication, trust) is (`inside`) or is not in `keys`, labelled `label`.
pub fn load_group(
    dir: &Path,
    keys: &BTreeSet<(u32, u32)>,
    inside: bool,
    label: String,
) -> Result<RunData, ChartError> {
    let mut run = super::data::load_run(dir)?;
    let path = dir.join(TRUST_MONTHS.file);
    let mut acc = TrustMonthAcc::only(run.months, keys.clone(), inside);
    read_chunks(&path, TrustMonthAcc::COLUMNS, |df| acc.add(df, &path))?;
    let (replications, national, _) = acc.finish();
    run.label = label;
    run.replications = replications;
    run.national = national;
    run.trusts.clear();
    Ok(run)
}

/// The difference charts of one comparison.
pub struct Differences<'a> {
    pub reference: &'a RunData,
    pub variants: &'a [RunData],
    /// Reported months in which a timed change starts (marked).
    pub changes: Vec<u32>,
    pub indicator: Indicator,
    pub caption: bool,
    /// With parameter sets: the board-paper sentences of this indicator's
    /// outcome ("in N of M plausible worlds ..."), added to the caption.
    pub worlds: Vec<String>,
    /// For variants with a targeted policy: their targeted and other
    /// trusts, each against the same trusts of the reference.
    pub groups: Vec<GroupPair>,
}

/// One group of trusts of a variant with a targeted policy, in the
/// reference's world and in the variant's.
#[derive(Debug, Clone)]
pub struct GroupPair {
    /// Index of the variant in [`Differences::variants`] (for its colour).
    pub variant: usize,
    pub trusts: crate::metrics::groups::TrustGroup,
    pub reference: RunData,
    /// Labelled for the legend.
    pub policy: RunData,
}

/// The targeted and other trusts of each variant of the comparison in
/// `dir` (`names[0]` the reference) whose policy targets some trusts.
pub fn group_pairs(dir: &Path, names: &[String]) -> Result<Vec<GroupPair>, ChartError> {
    use crate::metrics::groups::TrustGroup;
    let scenarios = names
        .iter()
        .map(|v| crate::output::read_manifest(&dir.join(v).join(crate::output::MANIFEST_FILE)))
        .collect::<Result<Vec<_>, _>>()?;
    let params: Vec<crate::model::Params> = scenarios.into_iter().map(|m| m.scenario).collect();
    let groups = crate::compare::study::policy_groups(&params);
    let mut out = Vec::new();
    for g in groups {
        let Some(k) = names.iter().position(|n| *n == g.policy) else {
            continue;
        };
        let keys = cohort_keys(&dir.join(&names[0]), &g.entries)?;
        let reps = keys
            .iter()
            .map(|(r, _)| *r)
            .collect::<std::collections::BTreeSet<_>>();
        let per_rep = keys.len() as f64 / reps.len().max(1) as f64;
        for (trusts, inside) in [
            (TrustGroup::Targeted, true),
            (TrustGroup::Untargeted, false),
        ] {
            let reference = load_group(&dir.join(&names[0]), &keys, inside, names[0].clone())?;
            let count = if inside {
                crate::compare::trusts_count(per_rep)
            } else {
                String::new()
            };
            let label = match trusts {
                TrustGroup::Targeted => format!("{}: its targeted trusts ({count})", g.policy),
                _ => format!("{}: the other trusts", g.policy),
            };
            let policy = load_group(&dir.join(&g.policy), &keys, inside, label)?;
            out.push(GroupPair {
                variant: k - 1,
                trusts,
                reference,
                policy,
            });
        }
    }
    Ok(out)
}

/// The compared outcome (metric key) an indicator's difference chart shows.
pub fn outcome_key(ind: Indicator) -> &'static str {
    match ind {
        Indicator::Engagement => "engagement_mean",
        Indicator::LeaverRate => "leaver_rate_annual",
        Indicator::Sickness => "sickness_rate",
        Indicator::Quality => "quality_index",
        Indicator::Surplus => "surplus_share",
    }
}

/// The board-paper sentences of `ind`'s outcome over the final year, one
/// per variant, from paired differences with parameter sets (none without).
pub fn worlds_lines(rows: &[crate::compare::Difference], ind: Indicator) -> Vec<String> {
    rows.iter()
        .filter(|d| d.scope == crate::metrics::Scope::FinalYear)
        .filter(|d| d.trusts == crate::metrics::groups::TrustGroup::All)
        .filter(|d| d.outcome.key == outcome_key(ind))
        .filter_map(crate::compare::worlds_line)
        .map(|l| format!("Final year. {l}."))
        .collect()
}

impl Differences<'_> {
    /// The time axis: dated by the reference run's calendar.
    fn axis(&self) -> style::TimeAxis {
        style::TimeAxis {
            start: self.reference.start,
        }
    }

    /// Title, legend and caption.
    pub fn text(&self) -> FrameText {
        let ind = self.indicator;
        let mut legend: Vec<LegendItem> = self
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| {
                LegendItem::new(v.label.clone(), style::scenario_colour(i + 1), Swatch::Line)
            })
            .collect();
        for g in &self.groups {
            legend.push(LegendItem::new(
                g.policy.label.clone(),
                style::scenario_colour(g.variant + 1),
                if g.trusts == crate::metrics::groups::TrustGroup::Targeted {
                    Swatch::Dashed
                } else {
                    Swatch::ShortDashed
                },
            ));
        }
        legend.push(LegendItem::new(
            "Middle 50 % of replications",
            style::MUTED,
            Swatch::Band(0.5),
        ));
        legend.push(LegendItem::new(
            "90 % of replications",
            style::MUTED,
            Swatch::Band(0.16),
        ));
        let axis = self.axis();
        let starts: Vec<String> = self.changes.iter().map(|&m| axis.month_words(m)).collect();
        let sets = super::parameter_sets(std::slice::from_ref(self.reference));
        let mut caption = vec![match sets {
            None => format!(
                "Each replication's national figure in the variant minus the same replication of {} \
                 (common random numbers). Line: median across replications; bands: the middle 50 % \
                 and 90 % of replications (chance variation for one set of assumptions). National \
                 figure: {}.",
                self.reference.label,
                ind.method()
            ),
            Some(_) => format!(
                "Each replication's national figure in the variant minus the same replication of {} \
                 (common random numbers, the same parameter set). Line: median across replications; \
                 the middle 50 % and 90 % of replications ({}; replication i uses set i mod M). \
                 National figure: {}.",
                self.reference.label,
                super::bands_show(sets),
                ind.method()
            ),
        }];
        if !starts.is_empty() {
            caption.push(format!(
                "Dashed vertical line: a timed change starts ({}); before it the variants \
                 share the reference's history, so the difference is exactly zero.",
                starts.join(", ")
            ));
        }
        if !self.groups.is_empty() {
            caption.push(
                "For a policy aimed at some trusts, long dashes: the median difference at the trusts it is for \
                 (with their 90 % band), short dashes: at the other trusts, each against the same trusts in the \
                 same replication of the reference; the solid line is all trusts."
                    .into(),
            );
        }
        caption.extend(self.worlds.iter().cloned());
        let mut runs = vec![self.reference.clone()];
        runs.extend(self.variants.iter().cloned());
        caption.push(super::provenance(&runs));
        if !self.caption {
            caption.clear();
        }
        FrameText {
            title: format!("{}: change against {}", ind.name(), self.reference.label),
            legend,
            notes: vec![],
            caption,
        }
    }

    fn plot<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let ind = self.indicator;
        let fans: Vec<Vec<FanPoint>> = self
            .variants
            .iter()
            .map(|v| fan(&paired(self.reference, v), ind))
            .collect();
        let group_fans: Vec<Vec<FanPoint>> = self
            .groups
            .iter()
            .map(|g| fan(&paired(&g.reference, &g.policy), ind))
            .collect();
        let points = || fans.iter().chain(&group_fans).flatten();
        if points().next().is_none() {
            return style::empty_note(plot, "No paired months to draw");
        }
        let last = points().map(|p| p.month).max().unwrap_or(12);
        let time = self.axis();
        let x_max = time.x_max(last);
        let lo = points().map(|p| p.q[0]).fold(0.0, f64::min);
        let hi = points().map(|p| p.q[4]).fold(0.0, f64::max);
        let (y0, y1) = style::padded(lo, hi, ind.min_span() / 10.0);
        let mut chart = ChartBuilder::on(plot)
            .margin_top(20)
            .x_label_area_size(130)
            .y_label_area_size(200)
            .build_cartesian_2d(0.0..x_max, y0..y1)?;
        let yd = style::decimals(y0, y1, 7);
        style::mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(x_max as usize + 1)
            .y_labels(7)
            .x_label_formatter(&|v| time.label(*v))
            .y_label_formatter(&|v| style::tick(*v, yd, false))
            .x_desc(time.desc())
            .y_desc(axis(ind))
            .draw()?;
        let zero = ShapeStyle::from(&style::REFERENCE).stroke_width(3);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (x_max, 0.0)],
            zero,
        )))?;
        for &m in &self.changes {
            let x = time.x(m);
            chart.draw_series(DashedLineSeries::new(vec![(x, y0), (x, y1)], 14, 10, zero))?;
        }
        let x = |p: &FanPoint| time.x(p.month);
        for (i, f) in fans.iter().enumerate() {
            let c = style::scenario_colour(i + 1);
            super::fan::draw_bands(&mut chart, time, f, c, (0.16, 0.34))?;
            chart.draw_series(LineSeries::new(
                f.iter().map(|p| (x(p), p.q[2])),
                c.stroke_width(6),
            ))?;
        }
        for (g, f) in self.groups.iter().zip(&group_fans) {
            let c = style::scenario_colour(g.variant + 1);
            let (dash, gap) = if g.trusts == crate::metrics::groups::TrustGroup::Targeted {
                let band: Vec<(f64, f64)> = f
                    .iter()
                    .map(|p| (x(p), p.q[4]))
                    .chain(f.iter().rev().map(|p| (x(p), p.q[0])))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.08).filled())))?;
                (24, 12)
            } else {
                (6, 10)
            };
            chart.draw_series(DashedLineSeries::new(
                f.iter().map(|p| (x(p), p.q[2])),
                dash,
                gap,
                c.stroke_width(5),
            ))?;
        }
        Ok(())
    }
}

/// The y-axis label of a difference, with its unit.
fn axis(ind: Indicator) -> &'static str {
    match ind {
        Indicator::Engagement => "Difference in engagement (points)",
        Indicator::LeaverRate => "Difference in leaving (pp a year)",
        Indicator::Sickness => "Difference in sickness (pp)",
        Indicator::Quality => "Difference in quality (index points)",
        Indicator::Surplus => "Difference in surplus (pp of income)",
    }
}

impl Figure for Differences<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        style::figure(root, &self.text(), |plot| self.plot(plot))
    }

    /// The house size, taller by a legend row and its share of the plot for
    /// each variant with a targeted policy (and their caption line), so the
    /// plot keeps the height its axis label needs.
    fn size(&self) -> (u32, u32) {
        let targeted = self
            .groups
            .iter()
            .filter(|g| g.trusts == crate::metrics::groups::TrustGroup::Targeted)
            .count() as u32;
        let extra = if targeted == 0 {
            0
        } else {
            100 + 160 * targeted
        };
        (style::WIDTH, style::HEIGHT + extra)
    }
}

/// The reported months in which any of the scenarios' timed changes start.
pub fn change_months<'a>(
    scenarios: impl IntoIterator<Item = &'a crate::model::Params>,
) -> Vec<u32> {
    let mut m: Vec<u32> = scenarios
        .into_iter()
        .flat_map(|p| {
            p.changes()
                .iter()
                .map(|c| c.month)
                .chain(p.targeted().iter().map(|e| e.month).filter(|&m| m > 0))
        })
        .collect();
    m.sort_unstable();
    m.dedup();
    m
}

/// Loads the variants' run folders under a comparison folder `dir` (the
/// first being the reference) and draws one difference chart per indicator
/// into `dir/charts`; returns the files written.
pub fn render_differences(
    dir: &Path,
    variants: &[String],
    changes: Vec<u32>,
    rows: &[crate::compare::Difference],
) -> Result<Vec<PathBuf>, ChartError> {
    let runs = super::data::load_runs(&variants.iter().map(|v| dir.join(v)).collect::<Vec<_>>())?;
    let Some((reference, rest)) = runs.split_first() else {
        return Err(ChartError::NoRuns);
    };
    let groups = group_pairs(dir, variants)?;
    let mut files = Vec::new();
    let mut canvas = super::Canvas::default();
    for ind in Indicator::ALL {
        let fig = Differences {
            reference,
            variants: rest,
            changes: changes.clone(),
            indicator: ind,
            caption: true,
            worlds: worlds_lines(rows, ind),
            groups: groups.clone(),
        };
        files.extend(super::draw_files(
            &mut canvas,
            &fig,
            &dir.join("charts"),
            &file_stem(ind),
        )?);
    }
    super::synced(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(label: &str, values: &[[f64; 2]]) -> RunData {
        RunData {
            dir: PathBuf::from(label),
            label: label.into(),
            meta: crate::output::FileMeta {
                scenario_hash: "abc".into(),
                seed: 7,
                version: "0.1.0".into(),
                scenario_name: label.into(),
                parameter_sets: None,
                scope: None,
            },
            replications: vec![0, 1],
            months: values.len() as u32,
            start: None,
            national: values
                .iter()
                .enumerate()
                .map(|(m, v)| NationalMonth {
                    month: m as u32 + 1,
                    values: vec![[v[0]; 5], [v[1]; 5]],
                })
                .collect(),
            trusts: vec![],
            tenure: vec![],
            final_window_months: 12,
            ceo_window_months: 36,
        }
    }

    #[test]
    fn differences_pair_replications_and_are_zero_before_a_change() {
        let a = run("base", &[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]);
        let b = run("policy", &[[1.0, 2.0], [1.5, 2.25], [2.0, 3.0]]);
        let d = paired(&a, &b);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].values, vec![[0.0; 5], [0.0; 5]]);
        assert_eq!(d[1].values, vec![[0.5; 5], [0.25; 5]]);
        let svg = super::super::svg_string(
            &Differences {
                reference: &a,
                variants: std::slice::from_ref(&b),
                changes: vec![2],
                indicator: Indicator::Engagement,
                caption: true,
                worlds: vec![],
                groups: vec![],
            },
            "test",
        )
        .unwrap();
        assert!(svg.contains("change against base") && svg.contains("reported month 2"));
    }
}
