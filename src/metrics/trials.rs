//! Virtual randomised trials of development, run with the model's own
//! leader and staff processes, so that effect sizes can be set against the
//! meta-analyses (Lacerenza et al. 2017; Jones et al. 2016).

use rand::Rng;

use crate::model::Params;
use crate::model::leaders::{Enrolment, Leader};
use crate::model::params::InterventionKind;
use crate::model::rng::{Stream, StreamName, stream};
use crate::model::staff::{MonthConstants, StaffPool, team_step};
use crate::stats;

/// Effect sizes of one replication's virtual trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trials {
    /// Mary Seacole programme: Cohen's d on leader capability.
    pub training: f64,
    /// Coaching: Cohen's d on team mean engagement.
    pub coaching: f64,
}

fn cohen_d(t: &[f64], c: &[f64]) -> f64 {
    let (st, sc) = (stats::sd(t), stats::sd(c));
    let pooled = ((st * st + sc * sc) / 2.0).sqrt();
    (stats::mean(t) - stats::mean(c)) / pooled
}

/// Teams of a trial stepped together as one pool: at 25 posts a team,
/// enough that the staff loop runs in whole blocks of 64, few enough that
/// the pool is about one of its chunks of 512.
const TRIAL_BATCH: usize = 20;

/// Each leader's team (`staff.team_size` posts, one pool, team `i` in posts
/// `i ts` onwards, keyed by the next draw of `staff_rng`) run through the
/// staff process for `months` months; the teams' mean engagement at the end.
fn coached_teams(
    p: &Params,
    leaders: &mut [Leader],
    months: u32,
    staff_rng: &mut Stream,
) -> Vec<f64> {
    let (l, d) = (&p.leaders, &p.development);
    let ts = p.staff.team_size as usize;
    let range = |i: usize| i * ts..(i + 1) * ts;
    let k = MonthConstants::new(&p.staff, 0.2, p.workforce.fill_rate_monthly);
    let key = staff_rng.next_u64();
    let mut pool = StaffPool::new(
        leaders.len() * ts,
        0.7,
        0.0,
        p.staff.engagement_base,
        key,
        staff_rng,
    );
    let mut means: Vec<f64> = (0..leaders.len())
        .map(|i| pool.team_mean(range(i)).0)
        .collect();
    let (mut steps, mut tallies) = (Vec::new(), Vec::new());
    for month in 0..months {
        steps.clear();
        for (i, leader) in leaders.iter_mut().enumerate() {
            leader.learn(month, 0.5, l, d);
            let target =
                p.staff.engagement_base + p.staff.leader_weight * (leader.quality(l) - 0.5);
            steps.push(team_step(&p.staff, range(i), target, means[i]));
        }
        pool.step_month(month, &steps, &k, &mut tallies);
        for (mean, tally) in means.iter_mut().zip(&tallies) {
            if tally.in_post > 0 {
                *mean = tally.engagement_sum / f64::from(tally.in_post);
            }
        }
    }
    (0..leaders.len())
        .map(|i| pool.team_mean(range(i)).0)
        .collect()
}

/// Virtual randomised trials run with the model's own leader and staff
/// processes: the formal training effect on leader capability and the
/// coaching effect on team engagement, both as Cohen's d.
///
/// Training: newly appointed team leaders are randomised to the Mary Seacole
/// programme or not; capability is compared 12 months after the effect is due.
/// Coaching: teams whose leader is randomised to coaching or not run through
/// the staff process until 12 months after the effect is due; team mean
/// engagement is compared.
pub fn virtual_trials(p: &Params, replication: u32) -> Trials {
    let mut rng = stream(p.run.seed, replication, StreamName::Trial, 0);
    let d = &p.development;
    let l = &p.leaders;
    let n = 2_000;
    let mut arms = |kind: InterventionKind, months: u32, teams: bool| -> (Vec<f64>, Vec<f64>) {
        let iv = d.intervention(kind);
        let mut staff_rng = stream(p.run.seed, replication, StreamName::Trial, 1);
        let mut outcomes = Vec::with_capacity(2 * n);
        for first in (0..2 * n).step_by(TRIAL_BATCH) {
            // Even-numbered leaders are treated.
            let mut leaders: Vec<Leader> = (first..(first + TRIAL_BATCH).min(2 * n))
                .map(|i| {
                    let (mut leader, _) = Leader::appoint(true, l, d, &mut rng);
                    if i % 2 == 0 {
                        leader.enrolment = Some(Enrolment {
                            intervention: kind.index(),
                            effect_month: iv.duration_months + iv.lag_months,
                            joint: false,
                        });
                    }
                    leader
                })
                .collect();
            if teams {
                outcomes.extend(coached_teams(p, &mut leaders, months, &mut staff_rng));
            } else {
                outcomes.extend(leaders.iter_mut().map(|leader| {
                    for month in 0..months {
                        leader.learn(month, 0.5, l, d);
                    }
                    f64::from(leader.capability)
                }));
            }
        }
        let treat = outcomes.iter().step_by(2).copied().collect();
        let control = outcomes.iter().skip(1).step_by(2).copied().collect();
        (treat, control)
    };
    let ms = &d.mary_seacole;
    let (t, c) = arms(
        InterventionKind::MarySeacole,
        ms.duration_months + ms.lag_months + 12,
        false,
    );
    let training = cohen_d(&t, &c);
    let co = &d.coaching;
    let (t, c) = arms(
        InterventionKind::Coaching,
        co.duration_months + co.lag_months + 12,
        true,
    );
    Trials {
        training,
        coaching: cohen_d(&t, &c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_trials_show_positive_effects_that_vanish_without_the_intervention() {
        let p = Params::default();
        let t = virtual_trials(&p, 0);
        assert!(t.training > 0.3, "training {}", t.training);
        assert!(t.coaching > 0.1, "coaching {}", t.coaching);
        let q = crate::model::params::edited(|q| {
            q.development.mary_seacole.capability_effect = 0.0;
            q.development.mary_seacole.compassion_effect = 0.0;
            q.development.coaching.capability_effect = 0.0;
            q.development.coaching.compassion_effect = 0.0;
        });
        let t0 = virtual_trials(&q, 0);
        assert!(t0.training.abs() < 0.2 && t0.coaching.abs() < 0.2, "{t0:?}");
    }
}
