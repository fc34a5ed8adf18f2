//! The staff loop: one month for every post of a trust.
//!
//! Three passes over the trust's slots. The first draws, for every slot, a
//! standard normal engagement shock and two 20-bit uniforms (leaving or
//! recruitment, and sickness) from Philox4x32-10 keyed by the trust and
//! counted by (pair of slots, month), in blocks of [`DRAW_BLOCK`] slots whose
//! long dependency chains overlap. The second walks the slots in blocks of
//! [`LANES`] with branch-free updates, each slot pulled toward its own
//! team's target: engagement, the hazards of leaving and sickness at the new
//! engagement (from the month's tables by engagement bucket), recruitment
//! into vacant posts, and the slot's outcome. Its
//! last block runs into the pool's [`LANES`] slots of padding, which it
//! leaves as they were. The third sums each team's outcomes in lanes from
//! the team's first slot, in a fixed order.
//!
//! Every lane is an independent function of its slot's state and draws,
//! computed with IEEE-754 single-precision operations in a fixed order and
//! no `libm` call, so the bits do not depend on the vector width: the
//! AVX-512 and AVX2 builds that run where the processor has them and the
//! portable build give identical results (tests and CI check this).

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

use super::approx::{ROUND, exp2_nonpos, floor_nonneg, normals};
use super::philox::philox4x32_10_lanes;
use super::{CLINICIAN, FILLED, SICK, StaffTally};

/// Slots updated together (one 256-bit vector of `f32`).
pub const LANES: usize = 8;
/// Slots drawn together (a whole number of pairs) ...
pub const DRAW_BLOCK: usize = 64;
/// ... and at the end of a pool, where fewer are left.
const DRAW_TAIL: usize = 16;
/// 2^20, the range of the leaving and sickness uniforms.
pub const U20: f32 = 1_048_576.0;

/// Per trust-month constants of the update, in single precision.
#[derive(Debug, Clone, Copy)]
pub struct MonthConstants {
    /// 1 - adjust rate - peer weight: the share of last month's engagement kept.
    pub keep: f32,
    /// Standard deviation of the monthly engagement shock.
    pub noise: f32,
    /// log2 of the leaving probability at engagement bucket 0 ...
    pub leave0: f32,
    /// ... and its fall per bucket (a tenth of an engagement point).
    pub leave_slope: f32,
    /// The same for sickness onset.
    pub sick0: f32,
    pub sick_slope: f32,
    /// Monthly probability of recovery, times 2^20.
    pub recovery: f32,
    /// Monthly probability that a vacancy is filled, times 2^20.
    pub fill: f32,
    /// Engagement of a new starter.
    pub new_starter: f32,
}

/// One team's share of the month: its slots and the pull on engagement
/// (adjust rate x team target + peer weight x last month's team mean).
#[derive(Debug, Clone, Copy)]
pub struct TeamStep {
    pub start: u32,
    pub end: u32,
    pub pull: f32,
}

/// Scratch for the month's draws, each slot's pull and outcome (one per
/// thread, reused).
#[derive(Debug, Default)]
pub struct Draws {
    scratch: Scratch,
    /// The hazard tables of the last month stepped, and the constants they
    /// were computed from (reused while those are the same, e.g. by the
    /// virtual trials' many one-team pools).
    hazards: Hazards,
    hazards_for: Option<[u32; 4]>,
}

#[derive(Debug, Default)]
struct Scratch {
    z: Vec<f32>,
    leave: Vec<f32>,
    sick: Vec<f32>,
    pull: Vec<f32>,
    outcome: Vec<u8>,
}

/// Outcome bits of a slot's month.
const STAYED: u8 = 1;
const SICK_NOW: u8 = 2;
const LEFT: u8 = 4;
const JOINED: u8 = 8;

/// The slots of a pool, as the kernel sees them (padded by [`LANES`]).
pub struct Slots<'a> {
    pub engagement: &'a mut [f32],
    pub flags: &'a mut [u8],
}

/// How wide the kernel runs. Results are identical either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// AVX-512 (F, VL, DQ, BW) where the processor has it, else AVX2, else
    /// portable.
    Widest,
    /// AVX2 where the processor has it (even with AVX-512), else portable.
    Avx2,
    /// Whatever the build's baseline target vectorises to.
    Portable,
}

/// One trust-month for the kernel: the pool's posts, its key, the month and
/// the teams with their constants.
pub struct Month<'a> {
    /// Posts (slots before the padding).
    pub n: usize,
    pub key: [u32; 2],
    /// Counted from the start of the burn-in.
    pub month: u32,
    /// The pool's slots in order, each once.
    pub teams: &'a [TeamStep],
    pub k: &'a MonthConstants,
}

/// Runs the month, writing one tally per team into `out`.
pub fn step(
    slots: Slots<'_>,
    m: &Month<'_>,
    out: &mut Vec<StaffTally>,
    draws: &mut Draws,
    width: Width,
) {
    let n = m.n;
    let cap = n.div_ceil(DRAW_BLOCK) * DRAW_BLOCK + LANES;
    let d = &mut draws.scratch;
    if d.z.len() < cap {
        d.z.resize(cap, 0.0);
        d.leave.resize(cap, 0.0);
        d.sick.resize(cap, 0.0);
        d.pull.resize(cap, 0.0);
        d.outcome.resize(cap, 0);
    }
    assert!(slots.engagement.len() >= n + LANES && slots.flags.len() >= n + LANES);
    // The teams are the pool's slots in order, each once.
    let mut next = 0;
    for t in m.teams {
        assert!(
            t.start == next && t.start <= t.end,
            "teams must cover the pool in order"
        );
        next = t.end;
    }
    assert!(next as usize == n, "teams must cover the pool in order");
    out.clear();
    out.resize(m.teams.len(), StaffTally::default());
    #[cfg(target_arch = "x86_64")]
    if width == Width::Widest
        && std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512bw")
    {
        // SAFETY: the processor has these AVX-512 subsets (checked above).
        unsafe { step_avx512(slots, m, out, draws) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if width != Width::Portable && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked above).
        unsafe { step_avx2(slots, m, out, draws) };
        return;
    }
    let _ = width;
    step_generic(slots, m, out, draws);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn step_avx2(slots: Slots<'_>, m: &Month<'_>, out: &mut [StaffTally], draws: &mut Draws) {
    step_generic(slots, m, out, draws);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
fn step_avx512(slots: Slots<'_>, m: &Month<'_>, out: &mut [StaffTally], draws: &mut Draws) {
    step_generic(slots, m, out, draws);
}

#[inline(always)]
fn step_generic(slots: Slots<'_>, m: &Month<'_>, out: &mut [StaffTally], draws: &mut Draws) {
    let (n, teams) = (m.n, m.teams);
    let k = m.k;
    let table_key = [k.leave0, k.leave_slope, k.sick0, k.sick_slope].map(f32::to_bits);
    if draws.hazards_for != Some(table_key) {
        draws.hazards.fill(k);
        draws.hazards_for = Some(table_key);
    }
    let d = &mut draws.scratch;
    draw(n, m.key, m.month, d);
    for t in teams {
        d.pull[t.start as usize..t.end as usize].fill(t.pull);
    }
    update(slots.engagement, slots.flags, n, k, &draws.hazards, d);
    for (team, tally) in teams.iter().zip(out.iter_mut()) {
        *tally = tally_team(slots.engagement, team, &d.outcome);
    }
}

/// The month's draws for slots `0..n`: whole blocks of [`DRAW_BLOCK`],
/// then the rest in blocks of [`DRAW_TAIL`] (rounded up), so that a small
/// pool does not draw for a whole block of slots it does not have. Each
/// slot's draws depend only on its pair's counter, not on the blocking.
#[inline(always)]
fn draw(n: usize, key: [u32; 2], month: u32, d: &mut Scratch) {
    let whole = n / DRAW_BLOCK * DRAW_BLOCK;
    for start in (0..whole).step_by(DRAW_BLOCK) {
        draw_block::<{ DRAW_BLOCK / 2 }, DRAW_BLOCK>(start, key, month, d);
    }
    for start in (whole..n).step_by(DRAW_TAIL) {
        draw_block::<{ DRAW_TAIL / 2 }, DRAW_TAIL>(start, key, month, d);
    }
}

/// The draws of the `N` slots (`P` pairs) from `start`.
#[inline(always)]
fn draw_block<const P: usize, const N: usize>(
    start: usize,
    key: [u32; 2],
    month: u32,
    d: &mut Scratch,
) {
    const { assert!(N == 2 * P) };
    let z: &mut [f32; N] = (&mut d.z[start..start + N]).try_into().expect("N slots");
    let leave: &mut [f32; N] = (&mut d.leave[start..start + N])
        .try_into()
        .expect("N slots");
    let sick: &mut [f32; N] = (&mut d.sick[start..start + N]).try_into().expect("N slots");
    // One Philox call per pair of slots: 64 bits each, the top 24 for the
    // normal, then 20 for leaving (or recruitment), 20 for sickness. Slot
    // 2j takes words 0 and 1 of pair j, slot 2j + 1 words 2 and 3.
    let w = philox4x32_10_lanes::<P>((start / 2) as u32, month, key);
    let mut u = [0u32; N];
    for j in 0..P {
        for (half, (hi, lo)) in [(w[0][j], w[1][j]), (w[2][j], w[3][j])]
            .into_iter()
            .enumerate()
        {
            let l = 2 * j + half;
            u[l] = hi >> 8;
            // 1..=2^20: `u <= p 2^20` has probability floor(p 2^20) / 2^20,
            // never true at p = 0 and always at p = 1.
            leave[l] = ((((hi & 0xff) << 12) | (lo >> 20)) + 1) as i32 as f32;
            sick[l] = ((lo & 0x000f_ffff) + 1) as i32 as f32;
        }
    }
    normals(&u, z);
}

/// Engagement buckets of the hazard tables (0-100 are reachable).
const BUCKETS: usize = 128;

/// The highest reachable bucket (engagement 10).
const TOP_BUCKET: usize = 100;

/// The month's hazards of leaving and sickness onset at each engagement
/// bucket (a tenth of a point), times 2^20: computed once per trust-month,
/// each entry exactly `2^(a - b x bucket) 2^20` as single-precision
/// operations in a fixed order give it (the buckets past 100, which no
/// engagement reaches, repeat bucket 100).
#[derive(Debug)]
struct Hazards {
    leave: [f32; BUCKETS],
    sick: [f32; BUCKETS],
}

impl Default for Hazards {
    fn default() -> Self {
        Hazards {
            leave: [0.0; BUCKETS],
            sick: [0.0; BUCKETS],
        }
    }
}

impl Hazards {
    #[inline(always)]
    fn fill(&mut self, k: &MonthConstants) {
        for b in 0..=TOP_BUCKET {
            let bucket = b as f32;
            self.leave[b] = exp2_nonpos(k.leave0 - k.leave_slope * bucket) * U20;
            self.sick[b] = exp2_nonpos(k.sick0 - k.sick_slope * bucket) * U20;
        }
        for b in TOP_BUCKET + 1..BUCKETS {
            self.leave[b] = self.leave[TOP_BUCKET];
            self.sick[b] = self.sick[TOP_BUCKET];
        }
    }
}

/// Lane accumulators of one team.
#[derive(Default)]
struct Acc {
    engagement: [f32; LANES],
    in_post: [u32; LANES],
    sick: [u32; LANES],
    leavers: [u32; LANES],
    joiners: [u32; LANES],
}

/// The update of slots `0..n` in blocks of [`LANES`] (the last one running
/// into the padding), writing each slot's outcome.
#[inline(always)]
fn update(
    engagement: &mut [f32],
    flags: &mut [u8],
    n: usize,
    k: &MonthConstants,
    h: &Hazards,
    d: &mut Scratch,
) {
    let padded = n.div_ceil(LANES) * LANES;
    let blocks = engagement[..padded]
        .chunks_exact_mut(LANES)
        .zip(flags[..padded].chunks_exact_mut(LANES))
        .zip(d.outcome[..padded].chunks_exact_mut(LANES))
        .zip(d.pull[..padded].chunks_exact(LANES))
        .zip(d.z[..padded].chunks_exact(LANES))
        .zip(d.leave[..padded].chunks_exact(LANES))
        .zip(d.sick[..padded].chunks_exact(LANES));
    for (j, ((((((e, f), o), pull), z), leave), sick)) in blocks.enumerate() {
        let valid = (n - j * LANES).min(LANES) as u32;
        block(
            e.try_into().expect("LANES"),
            f.try_into().expect("LANES"),
            o.try_into().expect("LANES"),
            pull.try_into().expect("LANES"),
            z.try_into().expect("LANES"),
            leave.try_into().expect("LANES"),
            sick.try_into().expect("LANES"),
            valid,
            k,
            h,
        );
    }
}

/// A team's tally from its slots' outcomes, in lanes from the team's first
/// slot, summed in lane order.
#[inline(always)]
fn tally_team(engagement: &[f32], team: &TeamStep, outcome: &[u8]) -> StaffTally {
    let mut acc = Acc::default();
    let (start, end) = (team.start as usize, team.end as usize);
    let padded = start + (end - start).div_ceil(LANES) * LANES;
    let blocks = engagement[start..padded]
        .chunks_exact(LANES)
        .zip(outcome[start..padded].chunks_exact(LANES));
    for (j, (e, o)) in blocks.enumerate() {
        let valid = (end - start - j * LANES).min(LANES);
        for l in 0..LANES {
            let o = if l < valid { u32::from(o[l]) } else { 0 };
            let stays = mask(o & u32::from(STAYED) != 0);
            acc.engagement[l] += f32::from_bits(e[l].to_bits() & stays);
            acc.in_post[l] += o & u32::from(STAYED);
            acc.sick[l] += (o & u32::from(SICK_NOW)) >> 1;
            acc.leavers[l] += (o & u32::from(LEFT)) >> 2;
            acc.joiners[l] += (o & u32::from(JOINED)) >> 3;
        }
    }
    let mut tally = StaffTally::default();
    for l in 0..LANES {
        tally.engagement_sum += f64::from(acc.engagement[l]);
        tally.in_post += acc.in_post[l];
        tally.sick += acc.sick[l];
        tally.leavers += acc.leavers[l];
        tally.joiners += acc.joiners[l];
    }
    tally
}

/// All ones where `b`, else zero.
#[inline(always)]
fn mask(b: bool) -> u32 {
    0u32.wrapping_sub(u32::from(b))
}

/// `a` where `m` is all ones, `b` where it is zero.
#[inline(always)]
fn select(m: u32, a: f32, b: f32) -> f32 {
    f32::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// One block of [`LANES`] slots; lanes at and beyond `valid` are left as
/// they were.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block(
    e: &mut [f32; LANES],
    fl: &mut [u8; LANES],
    outcome: &mut [u8; LANES],
    pull: &[f32; LANES],
    z: &[f32; LANES],
    u_leave: &[f32; LANES],
    u_sick: &[f32; LANES],
    valid: u32,
    k: &MonthConstants,
    h: &Hazards,
) {
    let mut f32s = [0u32; LANES];
    for l in 0..LANES {
        f32s[l] = u32::from(fl[l]);
    }
    let mut e_out = [0f32; LANES];
    let mut f_out = [0u32; LANES];
    let mut o_out = [0u32; LANES];
    for l in 0..LANES {
        let live = mask((l as u32) < valid);
        let f = f32s[l];
        let filled = mask(f & u32::from(FILLED) != 0) & live;
        let was_sick = mask(f & u32::from(SICK) != 0);
        let e0 = e[l];
        #[allow(clippy::manual_clamp)] // max then min: two vector instructions, no NaN check
        let e1 = (k.keep * e0 + pull[l] + k.noise * z[l]).max(0.0).min(10.0);
        // The hazards at the engagement bucket (tenths of a point).
        // An integer in 0-100: its bits after adding 2^23 are the integer.
        let bucket = ((floor_nonneg(e1 * 10.0) + ROUND).to_bits() as usize) & (BUCKETS - 1);
        let leaves = filled & mask(u_leave[l] <= h.leave[bucket]);
        let stays = filled & !leaves;
        let sick_draw = (was_sick & mask(u_sick[l] > k.recovery))
            | (!was_sick & mask(u_sick[l] <= h.sick[bucket]));
        let sick_now = stays & sick_draw;
        let joins = !filled & live & mask(u_leave[l] <= k.fill);
        e_out[l] = select(joins, k.new_starter, select(stays, e1, e0));
        let keep_bits = (f & u32::from(CLINICIAN)) | (f & !live & u32::from(FILLED | SICK));
        f_out[l] = keep_bits | ((stays | joins) & u32::from(FILLED)) | (sick_now & u32::from(SICK));
        o_out[l] = (stays & u32::from(STAYED))
            | (sick_now & u32::from(SICK_NOW))
            | (leaves & u32::from(LEFT))
            | (joins & u32::from(JOINED));
    }
    for l in 0..LANES {
        e[l] = e_out[l];
        fl[l] = f_out[l] as u8;
        outcome[l] = o_out[l] as u8;
    }
}
