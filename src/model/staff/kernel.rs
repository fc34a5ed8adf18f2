//! The staff loop: one month for every post of a trust.
//!
//! The trust's slots are taken in chunks of [`CHUNK`], three passes over
//! each while its draws are in the first-level cache. The first draws, for
//! every slot, a standard normal engagement shock and two 20-bit uniforms
//! (leaving or recruitment, and sickness) from sixteen xoshiro128++ lanes,
//! one slot a lane in rows of sixteen, seeded for the pool and month by
//! Philox4x32-10 keyed by the trust; a pair of lanes' two shocks come by
//! Box-Muller, in blocks of [`DRAW_BLOCK`] slots whose long dependency
//! chains overlap. The second walks the slots
//! in blocks of two vectors of [`LANES`] (one where fewer are left) with
//! branch-free updates, each slot pulled toward
//! its own team's target: engagement, the hazards of leaving and sickness
//! at the new engagement (from the month's table by engagement bucket),
//! recruitment into vacant posts, and the slot's outcome. The last block
//! of a pool runs into its [`LANES`] slots of padding, which it leaves as
//! they were. The third sums the outcomes of each team that ends in the
//! chunk, in lanes from the team's first slot, in a fixed order, with the
//! four counts packed a byte each into one 32-bit word a lane.
//!
//! Every lane is an independent function of its slot's state and draws,
//! computed with IEEE-754 single-precision operations in a fixed order and
//! no `libm` call, so the bits depend on neither the vector width nor the
//! chunking: the AVX-512 and AVX2 builds that run where the processor has
//! them and the portable build give identical results (tests and CI check
//! this).

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

use super::approx::{box_muller, clamp_and_bucket, exp2_nonpos};
use super::xoshiro::{Lanes, ROW};
use super::{CLINICIAN, FILLED, SICK, StaffTally};

/// Slots updated together (one 256-bit vector of `f32`).
pub const LANES: usize = 8;
/// Slots drawn together (four rows of the generator's lanes) ...
pub const DRAW_BLOCK: usize = 4 * ROW;
/// ... and at the end of a pool, where fewer are left (two rows: the
/// compiler vectorises two rows' conversions, not one's).
const DRAW_TAIL: usize = 2 * ROW;
/// Slots drawn, updated and summed together (a whole number of draw blocks).
pub const CHUNK: usize = 512;
const _: () = assert!(CHUNK.is_multiple_of(DRAW_BLOCK) && DRAW_BLOCK.is_multiple_of(DRAW_TAIL));
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

/// Scratch for a chunk's draws and pulls and the pool's outcomes (one per
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

#[derive(Debug)]
struct Scratch {
    /// A chunk's draws and pulls, by slot from the chunk's first (the
    /// pulls with room for a block written past the chunk's end).
    z: Box<[f32; CHUNK]>,
    leave: Box<[f32; CHUNK]>,
    sick: Box<[f32; CHUNK]>,
    pull: Box<[f32; CHUNK + LANES]>,
    /// The pool's outcomes, by slot (a team may span two chunks), each
    /// the four counts a slot adds to its team's tally, a byte each.
    outcome: Vec<u32>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            z: Box::new([0.0; CHUNK]),
            leave: Box::new([0.0; CHUNK]),
            sick: Box::new([0.0; CHUNK]),
            pull: Box::new([0.0; CHUNK + LANES]),
            outcome: Vec::new(),
        }
    }
}

/// Outcome bits of a slot's month, one in each byte of a 32-bit word, so
/// that a team's tally adds the words.
const STAYED: u32 = 1;
const SICK_NOW: u32 = 1 << 8;
const LEFT: u32 = 1 << 16;
const JOINED: u32 = 1 << 24;

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
    let d = &mut draws.scratch;
    if d.outcome.len() < n + LANES {
        d.outcome.resize(n + LANES, 0);
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
    step_generic::<PORTABLE>(slots, m, out, draws);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn step_avx2(slots: Slots<'_>, m: &Month<'_>, out: &mut [StaffTally], draws: &mut Draws) {
    step_generic::<AVX2>(slots, m, out, draws);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
fn step_avx512(slots: Slots<'_>, m: &Month<'_>, out: &mut [StaffTally], draws: &mut Draws) {
    step_generic::<AVX512>(slots, m, out, draws);
}

/// Instruction sets of the kernels: the portable build's, AVX2 and AVX-512
/// (F, VL, DQ, BW). A kernel runs at a level only where the processor has
/// its instructions (the hazard lookups use them directly).
const PORTABLE: u8 = 0;
const AVX2: u8 = 1;
const AVX512: u8 = 2;

/// The month's passes at instruction level `LEVEL`.
#[inline(always)]
fn step_generic<const LEVEL: u8>(
    slots: Slots<'_>,
    m: &Month<'_>,
    out: &mut [StaffTally],
    draws: &mut Draws,
) {
    let (n, teams) = (m.n, m.teams);
    let k = m.k;
    let table_key = [k.leave0, k.leave_slope, k.sick0, k.sick_slope].map(f32::to_bits);
    if draws.hazards_for != Some(table_key) {
        draws.hazards.fill(k);
        draws.hazards_for = Some(table_key);
    }
    let d = &mut draws.scratch;
    let h = &draws.hazards;
    // Teams whose pulls the chunk needs start at `first`; teams up to
    // `summed` have their tallies.
    let (mut first, mut summed) = (0, 0);
    let mut lanes = Lanes::seeded(m.month, m.key);
    for c0 in (0..n).step_by(CHUNK) {
        let c1 = (c0 + CHUNK).min(n);
        draw::<LEVEL>(c1 - c0, &mut lanes, d);
        while teams[first].end as usize <= c0 {
            first += 1;
        }
        for t in &teams[first..] {
            if t.start as usize >= c1 {
                break;
            }
            let (a, b) = ((t.start as usize).max(c0), (t.end as usize).min(c1));
            fill_pull(&mut d.pull, a - c0, b - c0, t.pull);
        }
        update::<LEVEL>(
            &mut slots.engagement[c0..],
            &mut slots.flags[c0..],
            c1 - c0,
            k,
            h,
            d,
            c0,
        );
        while summed < teams.len() && teams[summed].end as usize <= c1 {
            out[summed] = tally_team(slots.engagement, &teams[summed], &d.outcome);
            summed += 1;
        }
    }
    // The teams of an empty pool (every other team ends in a chunk).
    for (team, tally) in teams.iter().zip(out.iter_mut()).skip(summed) {
        *tally = tally_team(slots.engagement, team, &d.outcome);
    }
}

/// The pull `v` for slots `a..b` of the chunk, in whole blocks of
/// [`LANES`] from `a`: up to `LANES - 1` slots past `b` get it too, and
/// keep it only if no team follows in the chunk (teams are filled in
/// order, so the next one writes over them); those are then past the
/// chunk's last slot, in lanes the update masks off. Whole blocks are one
/// vector store each, where a fill of the exact range was a loop per slot.
#[inline(always)]
fn fill_pull(pull: &mut [f32; CHUNK + LANES], a: usize, b: usize, v: f32) {
    let mut i = a;
    while i < b {
        let block: &mut [f32; LANES] = (&mut pull[i..i + LANES]).try_into().expect("LANES");
        *block = [v; LANES];
        i += LANES;
    }
}

/// The draws of a chunk's first `n` slots (at most [`CHUNK`]) from the
/// pool's generator lanes: rows of [`ROW`] slots in blocks of
/// [`DRAW_BLOCK`], then the rest in blocks of [`DRAW_TAIL`] (rounded up),
/// so that a small pool does not draw for a whole block of slots it does
/// not have. The lanes run on from chunk to chunk, so a slot's draws depend
/// only on its row and lane in the pool, not on the blocking or on how
/// many slots come after it.
#[inline(always)]
fn draw<const LEVEL: u8>(n: usize, lanes: &mut Lanes, d: &mut Scratch) {
    let whole = n / DRAW_BLOCK * DRAW_BLOCK;
    for at in (0..whole).step_by(DRAW_BLOCK) {
        draw_rows::<LEVEL, { DRAW_BLOCK / ROW }, { DRAW_BLOCK / 2 }, DRAW_BLOCK>(at, lanes, d);
    }
    for at in (whole..n).step_by(DRAW_TAIL) {
        draw_rows::<LEVEL, { DRAW_TAIL / ROW }, { DRAW_TAIL / 2 }, DRAW_TAIL>(at, lanes, d);
    }
}

/// The draws of `R` rows (`N` slots, `P` pairs) kept from `at` in the
/// chunk's scratch. Two outputs of each lane give its slot in the row 64
/// bits: the top 24 of the first for the engagement shock, 20 for leaving
/// (or recruitment) from the second, and 20 for sickness from the rest.
/// Lanes `l` and `l + 8` of a row are a pair: the first's 24 bits give the
/// radius of their two shocks, the second's the angle, and the shocks go
/// to the two slots in that order.
#[inline(always)]
fn draw_rows<const LEVEL: u8, const R: usize, const P: usize, const N: usize>(
    at: usize,
    lanes: &mut Lanes,
    d: &mut Scratch,
) {
    const { assert!(N == R * ROW && N == 2 * P) };
    #[cfg(target_arch = "x86_64")]
    if LEVEL == AVX512 {
        // SAFETY: a kernel runs at `AVX512` only where the processor has
        // AVX-512F (checked in `step`).
        unsafe { draw_rows_avx512::<R, P, N>(at, lanes, d) };
        return;
    }
    const HALF: usize = ROW / 2;
    let (mut hi, mut lo) = ([0u32; N], [0u32; N]);
    for r in 0..R {
        hi[r * ROW..][..ROW].copy_from_slice(&lanes.next());
        lo[r * ROW..][..ROW].copy_from_slice(&lanes.next());
    }
    let (mut radius, mut angle) = ([0u32; P], [0u32; P]);
    for r in 0..R {
        for l in 0..HALF {
            radius[r * HALF + l] = hi[r * ROW + l] >> 8;
            angle[r * HALF + l] = hi[r * ROW + HALF + l] >> 8;
        }
    }
    // 1..=2^20: `u <= p 2^20` has probability floor(p 2^20) / 2^20, never
    // true at p = 0 and always at p = 1. (Neither field is a funnel shift
    // across the two words, which the compiler does not vectorise.)
    let leave: &mut [f32; N] = (&mut d.leave[at..at + N]).try_into().expect("N slots");
    let sick: &mut [f32; N] = (&mut d.sick[at..at + N]).try_into().expect("N slots");
    for i in 0..N {
        leave[i] = ((lo[i] >> 12) + 1) as i32 as f32;
        sick[i] = ((((hi[i] & 0xff) << 12) | (lo[i] & 0xfff)) + 1) as i32 as f32;
    }
    let (mut x, mut y) = ([0f32; P], [0f32; P]);
    box_muller(&radius, &angle, &mut x, &mut y);
    let z: &mut [f32; N] = (&mut d.z[at..at + N]).try_into().expect("N slots");
    for r in 0..R {
        for l in 0..HALF {
            z[r * ROW + l] = x[r * HALF + l];
            z[r * ROW + HALF + l] = y[r * HALF + l];
        }
    }
}

/// [`draw_rows`] in AVX-512 instructions, the same draws: a row's
/// outputs stay in registers, and the halves of two rows that make sixteen
/// pairs (and the shocks that go back to them) move by in-register
/// shuffles, where the compiler stored whole rows and loaded their halves
/// (a load the processor cannot take from the wider store in flight).
///
/// # Safety
/// The processor must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn draw_rows_avx512<const R: usize, const P: usize, const N: usize>(
    at: usize,
    lanes: &mut Lanes,
    d: &mut Scratch,
) {
    use std::arch::x86_64::{
        __m512i, _mm512_add_epi32, _mm512_and_si512, _mm512_cvtepi32_ps, _mm512_loadu_ps,
        _mm512_loadu_si512, _mm512_or_si512, _mm512_set1_epi32, _mm512_shuffle_f32x4,
        _mm512_shuffle_i64x2, _mm512_slli_epi32, _mm512_srli_epi32, _mm512_storeu_ps,
        _mm512_storeu_si512,
    };
    const { assert!(R.is_multiple_of(2) && ROW == 16 && P == 8 * R) };
    let (mut radius, mut angle) = ([0u32; P], [0u32; P]);
    let leave: &mut [f32; N] = (&mut d.leave[at..at + N]).try_into().expect("N slots");
    let sick: &mut [f32; N] = (&mut d.sick[at..at + N]).try_into().expect("N slots");
    // SAFETY: the caller guarantees AVX-512F; every load and store is of
    // sixteen lanes within `radius`, `angle`, `leave`, `sick`, `x`, `y`
    // and `z` (rows `r` and `r + 1` of `R`, pairs `8 r` to `8 r + 15` of
    // `P = 8 R`).
    unsafe {
        let row =
            |lanes: &mut Lanes| -> __m512i { _mm512_loadu_si512(lanes.next().as_ptr().cast()) };
        let one = _mm512_set1_epi32(1);
        for r in (0..R).step_by(2) {
            let mut hi = [_mm512_set1_epi32(0); 2];
            for (q, h) in hi.iter_mut().enumerate() {
                *h = row(lanes);
                let lo = row(lanes);
                let i = (r + q) * ROW;
                let l = _mm512_add_epi32(_mm512_srli_epi32::<12>(lo), one);
                let s = _mm512_or_si512(
                    _mm512_slli_epi32::<12>(_mm512_and_si512(*h, _mm512_set1_epi32(0xff))),
                    _mm512_and_si512(lo, _mm512_set1_epi32(0xfff)),
                );
                let s = _mm512_add_epi32(s, one);
                _mm512_storeu_ps(leave.as_mut_ptr().add(i), _mm512_cvtepi32_ps(l));
                _mm512_storeu_ps(sick.as_mut_ptr().add(i), _mm512_cvtepi32_ps(s));
            }
            // Pairs 8r.. : the first halves of rows r and r + 1 give the
            // radii, the second halves the angles.
            let rad = _mm512_shuffle_i64x2::<0b01_00_01_00>(hi[0], hi[1]);
            let ang = _mm512_shuffle_i64x2::<0b11_10_11_10>(hi[0], hi[1]);
            _mm512_storeu_si512(
                radius.as_mut_ptr().add(8 * r).cast(),
                _mm512_srli_epi32::<8>(rad),
            );
            _mm512_storeu_si512(
                angle.as_mut_ptr().add(8 * r).cast(),
                _mm512_srli_epi32::<8>(ang),
            );
        }
        let (mut x, mut y) = ([0f32; P], [0f32; P]);
        box_muller(&radius, &angle, &mut x, &mut y);
        let z: &mut [f32; N] = (&mut d.z[at..at + N]).try_into().expect("N slots");
        for r in (0..R).step_by(2) {
            let xv = _mm512_loadu_ps(x.as_ptr().add(8 * r));
            let yv = _mm512_loadu_ps(y.as_ptr().add(8 * r));
            _mm512_storeu_ps(
                z.as_mut_ptr().add(r * ROW),
                _mm512_shuffle_f32x4::<0b01_00_01_00>(xv, yv),
            );
            _mm512_storeu_ps(
                z.as_mut_ptr().add((r + 1) * ROW),
                _mm512_shuffle_f32x4::<0b11_10_11_10>(xv, yv),
            );
        }
    }
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
///
/// The two hazards of a bucket are side by side (leaving in the low 32
/// bits, sickness in the high), so that a slot's pair is one 64-bit load.
///
/// The AVX-512 kernel reads the two hazards from tables of their own (each
/// 128 entries, eight 512-bit vectors), by permutes rather than loads.
#[derive(Debug)]
struct Hazards {
    pair: [u64; BUCKETS],
    leave: Table,
    sick: Table,
}

/// One hazard by bucket, aligned to a 512-bit vector.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Table([f32; BUCKETS]);

impl Default for Hazards {
    fn default() -> Self {
        Hazards {
            pair: [0; BUCKETS],
            leave: Table([0.0; BUCKETS]),
            sick: Table([0.0; BUCKETS]),
        }
    }
}

impl Hazards {
    /// The month's tables, every bucket in one vectorised pass (the
    /// buckets past [`TOP_BUCKET`] as bucket 100).
    #[inline(always)]
    fn fill(&mut self, k: &MonthConstants) {
        for b in 0..BUCKETS {
            let bucket = b.min(TOP_BUCKET) as u32 as f32;
            self.leave.0[b] = exp2_nonpos(k.leave0 - k.leave_slope * bucket) * U20;
            self.sick.0[b] = exp2_nonpos(k.sick0 - k.sick_slope * bucket) * U20;
        }
        for b in 0..BUCKETS {
            self.pair[b] =
                u64::from(self.leave.0[b].to_bits()) | u64::from(self.sick.0[b].to_bits()) << 32;
        }
    }

    /// The hazards of leaving and sickness at the buckets `b` (each below
    /// [`BUCKETS`]).
    #[inline(always)]
    fn lookup(&self, b: &[u32; LANES], leave: &mut [f32; LANES], sick: &mut [f32; LANES]) {
        for l in 0..LANES {
            // (The mask, a no-op on buckets, spares a bounds check.)
            let pair = self.pair[b[l] as usize & (BUCKETS - 1)];
            leave[l] = f32::from_bits(pair as u32);
            sick[l] = f32::from_bits((pair >> 32) as u32);
        }
    }

    /// [`Hazards::lookup`] in AVX2 instructions: one 64-bit load a slot
    /// into the halves of four 128-bit vectors, whose eight pairs two
    /// shuffles split into the two hazards (the compiler makes sixteen
    /// 32-bit loads and inserts of the portable form, about a quarter of
    /// the update's time). Same values.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn lookup_avx2(
        &self,
        b: &[u32; LANES],
        leave: &mut [f32; LANES],
        sick: &mut [f32; LANES],
    ) {
        use std::arch::x86_64::{
            _mm_load_sd, _mm_loadh_pd, _mm256_castpd_ps, _mm256_castpd128_pd256,
            _mm256_insertf128_pd, _mm256_shuffle_ps, _mm256_storeu_ps,
        };
        const _: () = assert!(LANES == 8);
        // Masked to the table, so every load is in bounds.
        let at = |l: usize| &raw const self.pair[b[l] as usize & (BUCKETS - 1)] as *const f64;
        // SAFETY: the caller guarantees AVX2 (and so SSE2); every pointer is
        // to an element of `self.pair`, read unaligned-safe as 64 bits; the
        // stores write exactly the eight lanes of `leave` and `sick`.
        unsafe {
            let p01 = _mm_loadh_pd(_mm_load_sd(at(0)), at(1));
            let p23 = _mm_loadh_pd(_mm_load_sd(at(2)), at(3));
            let p45 = _mm_loadh_pd(_mm_load_sd(at(4)), at(5));
            let p67 = _mm_loadh_pd(_mm_load_sd(at(6)), at(7));
            // Lanes (as f32): [l0 s0 l1 s1 | l4 s4 l5 s5] and [l2 s2 l3 s3 | l6 s6 l7 s7].
            let a = _mm256_castpd_ps(_mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(p01), p45));
            let c = _mm256_castpd_ps(_mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(p23), p67));
            _mm256_storeu_ps(leave.as_mut_ptr(), _mm256_shuffle_ps::<0b10_00_10_00>(a, c));
            _mm256_storeu_ps(sick.as_mut_ptr(), _mm256_shuffle_ps::<0b11_01_11_01>(a, c));
        }
    }

    /// [`Hazards::lookup`] for sixteen slots in AVX-512 instructions: each
    /// table is eight vectors of sixteen entries, four two-source permutes
    /// pick a slot's entry from each pair of vectors by the bucket's low
    /// five bits, and two blends on bits 5 and 6 choose among them. No
    /// load depends on a bucket. Same values.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn lookup_avx512(&self, b: &[u32; 16], leave: &mut [f32; 16], sick: &mut [f32; 16]) {
        use std::arch::x86_64::{
            __m512, __m512i, __mmask16, _mm512_load_ps, _mm512_loadu_si512, _mm512_mask_blend_ps,
            _mm512_permutex2var_ps, _mm512_set1_epi32, _mm512_storeu_ps, _mm512_test_epi32_mask,
        };
        const _: () = assert!(BUCKETS == 128);
        #[inline(always)]
        unsafe fn pick(t: &Table, idx: __m512i, m5: __mmask16, m6: __mmask16) -> __m512 {
            // SAFETY: the caller has AVX-512F; the table is 128 entries
            // aligned to 64 bytes, read as eight aligned vectors.
            unsafe {
                let v = |i: usize| _mm512_load_ps(t.0.as_ptr().add(16 * i));
                let p0 = _mm512_permutex2var_ps(v(0), idx, v(1));
                let p1 = _mm512_permutex2var_ps(v(2), idx, v(3));
                let p2 = _mm512_permutex2var_ps(v(4), idx, v(5));
                let p3 = _mm512_permutex2var_ps(v(6), idx, v(7));
                let low = _mm512_mask_blend_ps(m5, p0, p1);
                let high = _mm512_mask_blend_ps(m5, p2, p3);
                _mm512_mask_blend_ps(m6, low, high)
            }
        }
        // SAFETY: the caller guarantees AVX-512F; the loads and stores are
        // of exactly sixteen lanes of `b`, `leave` and `sick`; the permutes
        // read only bits 0-4 of a bucket and the blends bits 5 and 6, so
        // any bucket below 128 reads its own entry.
        unsafe {
            let idx = _mm512_loadu_si512(b.as_ptr().cast());
            let m5 = _mm512_test_epi32_mask(idx, _mm512_set1_epi32(32));
            let m6 = _mm512_test_epi32_mask(idx, _mm512_set1_epi32(64));
            _mm512_storeu_ps(leave.as_mut_ptr(), pick(&self.leave, idx, m5, m6));
            _mm512_storeu_ps(sick.as_mut_ptr(), pick(&self.sick, idx, m5, m6));
        }
    }
}

/// The update of a chunk's `n` slots from slot `c0` (`engagement` and
/// `flags` start there, the chunk's scratch at its first slot) in blocks of
/// two vectors of [`LANES`] and a last one of [`LANES`] where fewer are
/// left, which runs into the padding if the pool ends there, writing each
/// slot's outcome.
#[inline(always)]
fn update<const LEVEL: u8>(
    engagement: &mut [f32],
    flags: &mut [u8],
    n: usize,
    k: &MonthConstants,
    h: &Hazards,
    d: &mut Scratch,
    c0: usize,
) {
    let padded = n.div_ceil(LANES) * LANES;
    let mut j = 0;
    // Whole blocks of live slots, every lane valid (no mask to compute) ...
    while j + 2 * LANES <= n {
        update_at::<LEVEL, { 2 * LANES }, true>(engagement, flags, n, k, h, d, c0, j);
        j += 2 * LANES;
    }
    // ... then the rest, masked.
    while j + 2 * LANES <= padded {
        update_at::<LEVEL, { 2 * LANES }, false>(engagement, flags, n, k, h, d, c0, j);
        j += 2 * LANES;
    }
    if j < padded {
        update_at::<LEVEL, LANES, false>(engagement, flags, n, k, h, d, c0, j);
    }
}

/// The block of `W` slots from slot `j` of the chunk (all of them before
/// slot `n` if `WHOLE`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn update_at<const LEVEL: u8, const W: usize, const WHOLE: bool>(
    engagement: &mut [f32],
    flags: &mut [u8],
    n: usize,
    k: &MonthConstants,
    h: &Hazards,
    d: &mut Scratch,
    c0: usize,
    j: usize,
) {
    let mut valid = [u32::MAX; W];
    if !WHOLE {
        for q in (0..W).step_by(LANES) {
            valid[q..q + LANES].copy_from_slice(&VALID[n.saturating_sub(j + q).min(LANES)]);
        }
    }
    let o = c0 + j;
    block::<LEVEL, W>(
        (&mut engagement[j..j + W]).try_into().expect("W"),
        (&mut flags[j..j + W]).try_into().expect("W"),
        (&mut d.outcome[o..o + W]).try_into().expect("W"),
        (&d.pull[j..j + W]).try_into().expect("W"),
        (&d.z[j..j + W]).try_into().expect("W"),
        (&d.leave[j..j + W]).try_into().expect("W"),
        (&d.sick[j..j + W]).try_into().expect("W"),
        &valid,
        k,
        h,
    );
}

/// Blocks of a team counted before the packed counts are unpacked: each
/// byte of a lane counts at most one slot a block, and the eight lanes
/// together stay below 2^8.
const PACKED_BLOCKS: usize = 31;
const _: () = assert!(PACKED_BLOCKS * LANES <= 255);

/// A team's tally from its slots' outcomes, in lanes from the team's first
/// slot, summed in lane order. Each lane counts the four outcomes in the
/// four bytes of a 32-bit word (the outcomes' own layout).
#[inline(always)]
fn tally_team(engagement: &[f32], team: &TeamStep, outcome: &[u32]) -> StaffTally {
    let (start, end) = (team.start as usize, team.end as usize);
    let mut e_acc = [0f32; LANES];
    let mut counts = [0u32; 4];
    let mut from = start;
    while from < end {
        let to = (from + PACKED_BLOCKS * LANES).min(end);
        let padded = from + (to - from).div_ceil(LANES) * LANES;
        let mut packed = [0u32; LANES];
        let blocks = engagement[from..padded]
            .chunks_exact(LANES)
            .zip(outcome[from..padded].chunks_exact(LANES));
        for (j, (e, o)) in blocks.enumerate() {
            let valid = &VALID[(to - from - j * LANES).min(LANES)];
            for l in 0..LANES {
                let o = o[l] & valid[l];
                let stays = mask(o & STAYED != 0);
                e_acc[l] += f32::from_bits(e[l].to_bits() & stays);
                packed[l] += o;
            }
        }
        let sum: u32 = packed.iter().sum();
        for (i, c) in counts.iter_mut().enumerate() {
            *c += (sum >> (8 * i)) & 0xff;
        }
        from = to;
    }
    let mut tally = StaffTally {
        in_post: counts[0],
        sick: counts[1],
        leavers: counts[2],
        joiners: counts[3],
        engagement_sum: 0.0,
    };
    for l in 0..LANES {
        tally.engagement_sum += f64::from(e_acc[l]);
    }
    tally
}

/// `VALID[v]`: all ones in the first `v` lanes, zero in the others.
const VALID: [[u32; LANES]; LANES + 1] = {
    let mut t = [[0; LANES]; LANES + 1];
    let mut v = 0;
    while v <= LANES {
        let mut l = 0;
        while l < v {
            t[v][l] = u32::MAX;
            l += 1;
        }
        v += 1;
    }
    t
};

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

/// One block of `W` slots (a whole number of [`LANES`]); lanes outside
/// `valid` are left as they were.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block<const LEVEL: u8, const W: usize>(
    e: &mut [f32; W],
    fl: &mut [u8; W],
    outcome: &mut [u32; W],
    pull: &[f32; W],
    z: &[f32; W],
    u_leave: &[f32; W],
    u_sick: &[f32; W],
    valid: &[u32; W],
    k: &MonthConstants,
    h: &Hazards,
) {
    let mut f32s = [0u32; W];
    for l in 0..W {
        f32s[l] = u32::from(fl[l]);
    }
    // The new engagement, and the hazards at its bucket (tenths of a
    // point, 0-100) looked up in a loop of their own: in one loop with the
    // rest, the compiler turned the bucket into branches.
    let mut e1 = [0f32; W];
    let mut bucket = [0u32; W];
    for l in 0..W {
        (e1[l], bucket[l]) = clamp_and_bucket(k.keep * e[l] + pull[l] + k.noise * z[l]);
    }
    let mut h_leave = [0f32; W];
    let mut h_sick = [0f32; W];
    // Sixteen slots at a time at AVX-512, eight otherwise.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut q = 0;
    #[cfg(target_arch = "x86_64")]
    if LEVEL == AVX512 {
        while q + 16 <= W {
            let b: &[u32; 16] = (&bucket[q..q + 16]).try_into().expect("16");
            let leave: &mut [f32; 16] = (&mut h_leave[q..q + 16]).try_into().expect("16");
            let sick: &mut [f32; 16] = (&mut h_sick[q..q + 16]).try_into().expect("16");
            // SAFETY: the AVX-512 kernel is entered only where the
            // processor has AVX-512F.
            unsafe { h.lookup_avx512(b, leave, sick) };
            q += 16;
        }
    }
    for q in (q..W).step_by(LANES) {
        let b: &[u32; LANES] = (&bucket[q..q + LANES]).try_into().expect("LANES");
        let leave: &mut [f32; LANES] = (&mut h_leave[q..q + LANES]).try_into().expect("LANES");
        let sick: &mut [f32; LANES] = (&mut h_sick[q..q + LANES]).try_into().expect("LANES");
        #[cfg(target_arch = "x86_64")]
        if LEVEL >= AVX2 {
            // SAFETY: the AVX2 and AVX-512 kernels are entered only where
            // the processor has AVX2.
            unsafe { h.lookup_avx2(b, leave, sick) };
        } else {
            h.lookup(b, leave, sick);
        }
        #[cfg(not(target_arch = "x86_64"))]
        h.lookup(b, leave, sick);
    }
    let mut e_out = [0f32; W];
    let mut f_out = [0u32; W];
    let mut o_out = [0u32; W];
    for l in 0..W {
        let live = valid[l];
        let f = f32s[l];
        let filled = mask(f & u32::from(FILLED) != 0) & live;
        let was_sick = mask(f & u32::from(SICK) != 0);
        let e0 = e[l];
        let leaves = filled & mask(u_leave[l] <= h_leave[l]);
        let stays = filled & !leaves;
        let sick_draw =
            (was_sick & mask(u_sick[l] > k.recovery)) | (!was_sick & mask(u_sick[l] <= h_sick[l]));
        let sick_now = stays & sick_draw;
        let joins = !filled & live & mask(u_leave[l] <= k.fill);
        e_out[l] = select(joins, k.new_starter, select(stays, e1[l], e0));
        let keep_bits = (f & u32::from(CLINICIAN)) | (f & !live & u32::from(FILLED | SICK));
        f_out[l] = keep_bits | ((stays | joins) & u32::from(FILLED)) | (sick_now & u32::from(SICK));
        o_out[l] = (stays & STAYED) | (sick_now & SICK_NOW) | (leaves & LEFT) | (joins & JOINED);
    }
    for l in 0..W {
        e[l] = e_out[l];
        fl[l] = f_out[l] as u8;
        outcome[l] = o_out[l];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draws of `months` months of a pool of `n` slots, one array per
    /// month (shocks, leaving and sickness uniforms in (0, 1]).
    fn draws(n: usize, months: u32, key: [u32; 2]) -> Vec<[Vec<f64>; 3]> {
        let mut d = Scratch::default();
        (0..months)
            .map(|month| {
                let mut lanes = Lanes::seeded(month, key);
                let mut out: [Vec<f64>; 3] = Default::default();
                for c0 in (0..n).step_by(CHUNK) {
                    let c1 = (c0 + CHUNK).min(n);
                    draw::<PORTABLE>(c1 - c0, &mut lanes, &mut d);
                    for i in 0..c1 - c0 {
                        out[0].push(f64::from(d.z[i]));
                        out[1].push(f64::from(d.leave[i]) / f64::from(U20));
                        out[2].push(f64::from(d.sick[i]) / f64::from(U20));
                    }
                }
                out
            })
            .collect()
    }

    /// The AVX-512 draws (rows kept in registers, halves moved by
    /// shuffles) are the portable draws bit for bit: whole blocks, the
    /// tail's blocks and a pool ending mid-block, over several months
    /// (where the processor has AVX-512).
    #[test]
    fn the_avx512_draws_are_the_portable_draws() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            let (mut a, mut b) = (Scratch::default(), Scratch::default());
            for n in [1, 31, 32, 64, 100, 480, CHUNK] {
                for month in 0..3 {
                    let key = [0x9e37_79b9, n as u32];
                    let (mut la, mut lb) = (Lanes::seeded(month, key), Lanes::seeded(month, key));
                    // Twice, so that the lanes run on from one call to the next.
                    for _ in 0..2 {
                        draw::<PORTABLE>(n, &mut la, &mut a);
                        // SAFETY: the processor has AVX-512F (checked above).
                        unsafe { draw_avx512_for_test(n, &mut lb, &mut b) };
                        let drawn = n.div_ceil(DRAW_TAIL) * DRAW_TAIL;
                        for (x, y) in [(&a.z, &b.z), (&a.leave, &b.leave), (&a.sick, &b.sick)] {
                            let (x, y) = (&x[..drawn], &y[..drawn]);
                            assert!(
                                x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()),
                                "n {n}, month {month}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// [`draw`] at the AVX-512 level, compiled with its instructions.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw")]
    unsafe fn draw_avx512_for_test(n: usize, lanes: &mut Lanes, d: &mut Scratch) {
        draw::<AVX512>(n, lanes, d);
    }

    /// A month's constants for the lookup tests.
    fn test_constants() -> MonthConstants {
        MonthConstants {
            keep: 0.83,
            noise: 0.45,
            leave0: -5.2,
            leave_slope: 0.036,
            sick0: -4.1,
            sick_slope: 0.026,
            recovery: 0.55 * U20,
            fill: 0.12 * U20,
            new_starter: 7.2,
        }
    }

    /// The AVX2 lookup reads the same hazards as the portable one, for
    /// every bucket in every lane (where the processor has AVX2).
    #[test]
    fn the_avx2_lookup_reads_what_the_portable_lookup_reads() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let k = test_constants();
            let mut h = Hazards::default();
            h.fill(&k);
            for first in 0..BUCKETS as u32 {
                // Lane l reads bucket (first + 37 l) mod 128: every
                // bucket in every lane over the loop, neighbours far apart.
                let b: [u32; LANES] =
                    std::array::from_fn(|l| (first + 37 * l as u32) % BUCKETS as u32);
                let (mut leave, mut sick) = ([0f32; LANES], [0f32; LANES]);
                let (mut leave2, mut sick2) = ([0f32; LANES], [0f32; LANES]);
                h.lookup(&b, &mut leave, &mut sick);
                // SAFETY: the processor has AVX2 (checked above).
                unsafe { h.lookup_avx2(&b, &mut leave2, &mut sick2) };
                assert_eq!(leave.map(f32::to_bits), leave2.map(f32::to_bits), "{b:?}");
                assert_eq!(sick.map(f32::to_bits), sick2.map(f32::to_bits), "{b:?}");
                for l in 0..LANES {
                    let at = b[l].min(TOP_BUCKET as u32) as f32;
                    let want = exp2_nonpos(k.leave0 - k.leave_slope * at) * U20;
                    assert_eq!(leave[l].to_bits(), want.to_bits());
                    assert!(sick[l] > 0.0 && sick[l] <= U20 && sick[l] != leave[l]);
                }
            }
        }
    }

    /// The AVX-512 lookup reads the same hazards as the portable one, for
    /// every bucket in every one of its sixteen lanes (where the processor
    /// has AVX-512F), from tables filled as the month fills them; and a
    /// table's buckets past 100 repeat bucket 100.
    #[test]
    fn the_avx512_lookup_reads_what_the_portable_lookup_reads() {
        let mut h = Hazards::default();
        h.fill(&test_constants());
        for b in TOP_BUCKET..BUCKETS {
            assert_eq!(h.pair[b], h.pair[TOP_BUCKET]);
            assert_eq!(h.leave.0[b].to_bits(), h.leave.0[TOP_BUCKET].to_bits());
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            for first in 0..BUCKETS as u32 {
                // Lane l reads bucket (first + 37 l) mod 128: every bucket
                // in every lane over the loop, both halves of every
                // permute and every pair of blends.
                let b: [u32; 16] =
                    std::array::from_fn(|l| (first + 37 * l as u32) % BUCKETS as u32);
                let (mut leave, mut sick) = ([0f32; 16], [0f32; 16]);
                // SAFETY: the processor has AVX-512F (checked above).
                unsafe { h.lookup_avx512(&b, &mut leave, &mut sick) };
                for half in 0..2 {
                    let bh: [u32; LANES] = std::array::from_fn(|l| b[half * LANES + l]);
                    let (mut want_leave, mut want_sick) = ([0f32; LANES], [0f32; LANES]);
                    h.lookup(&bh, &mut want_leave, &mut want_sick);
                    for l in 0..LANES {
                        let got = half * LANES + l;
                        assert_eq!(leave[got].to_bits(), want_leave[l].to_bits(), "{b:?}");
                        assert_eq!(sick[got].to_bits(), want_sick[l].to_bits(), "{b:?}");
                    }
                }
            }
        }
    }

    fn correlation(pairs: &[(f64, f64)]) -> f64 {
        let n = pairs.len() as f64;
        let (mx, my) = pairs
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (x, y) in pairs {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
        }
        sxy / (sxx * syy).sqrt()
    }

    /// A pool of 1,000 slots (two chunks, the second ending mid-block) over
    /// 60 months: the shocks are standard normal, the uniforms uniform in
    /// sixteen bins, and no two draws the loop combines are correlated:
    /// neighbouring slots, the two slots of a Box-Muller pair (lanes `l`
    /// and `l + 8`), the same lane in the next row, the three draws of a
    /// slot, a slot's draws in consecutive months, and the sizes of a pair's
    /// two shocks. Each correlation is within four standard errors of zero
    /// (about 0.016 over 60,000 pairs).
    #[test]
    fn the_draws_are_independent_and_have_their_distributions() {
        let (n, months) = (1_000, 60);
        let m = draws(n, months, [0x1234_5678, 0x9abc_def0]);
        let all = |k: usize| m.iter().flat_map(move |d| d[k].iter().copied());
        let count = (n * months as usize) as f64;
        let mean = all(0).sum::<f64>() / count;
        let var = all(0).map(|z| (z - mean) * (z - mean)).sum::<f64>() / count;
        let kurt = all(0).map(|z| (z - mean).powi(4)).sum::<f64>() / count / (var * var);
        assert!(mean.abs() < 0.02, "shock mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "shock variance {var}");
        assert!((kurt - 3.0).abs() < 0.1, "shock kurtosis {kurt}");
        for k in [1, 2] {
            let mut bins = [0.0f64; 16];
            for u in all(k) {
                assert!(u > 0.0 && u <= 1.0);
                bins[((u * 16.0).ceil() as usize - 1).min(15)] += 1.0;
            }
            let e = count / 16.0;
            let chi2: f64 = bins.iter().map(|b| (b - e) * (b - e) / e).sum();
            // 15 degrees of freedom: 37.7 is the 0.1 % point.
            assert!(chi2 < 37.7, "draw {k}: chi-square {chi2} ({bins:?})");
        }
        let check = |what: &str, pairs: Vec<(f64, f64)>| {
            let r = correlation(&pairs);
            assert!(r.abs() < 4.0 / (pairs.len() as f64).sqrt(), "{what}: {r}");
        };
        for k in 0..3 {
            for (what, lag) in [("neighbours", 1), ("pair", 8), ("next row", 16)] {
                let pairs = m
                    .iter()
                    .flat_map(|d| (0..n - lag).map(move |i| (d[k][i], d[k][i + lag])))
                    .collect();
                check(&format!("draw {k}, {what}"), pairs);
            }
            let pairs = m
                .windows(2)
                .flat_map(|w| (0..n).map(move |i| (w[0][k][i], w[1][k][i])))
                .collect();
            check(&format!("draw {k}, next month"), pairs);
        }
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let pairs = m
                .iter()
                .flat_map(|d| (0..n).map(move |i| (d[a][i], d[b][i])))
                .collect();
            check(&format!("draws {a} and {b} of a slot"), pairs);
        }
        // The two shocks of a Box-Muller pair share a radius but are
        // independent, so their sizes are uncorrelated too.
        let pairs = m
            .iter()
            .flat_map(|d| {
                (0..n / 16 * 16)
                    .filter(|i| i % 16 < 8)
                    .map(move |i| (d[0][i].abs(), d[0][i + 8].abs()))
            })
            .collect();
        check("sizes of a pair's shocks", pairs);
    }
}
