//! Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and
//! Shaw ("Parallel random numbers: as easy as 1, 2, 3", SC 2011), as in
//! their Random123 library. A draw is a pure function of a 64-bit key and a
//! 128-bit counter, so every staff slot and month has its own draws: lanes
//! are independent, and the result depends on neither the order of
//! evaluation, the thread count nor the vector width.

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

#[cfg(test)]
#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

/// Ten rounds of Philox4x32 on `counter` under `key`, one counter at a time
/// (the reference for [`philox4x32_10_lanes`]).
#[cfg(test)]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for _ in 0..10 {
        let (h0, l0) = mulhilo(M0, c[0]);
        let (h1, l1) = mulhilo(M1, c[2]);
        c = [h1 ^ c[1] ^ k[0], l1, h0 ^ c[3] ^ k[1], l0];
        k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
    }
    c
}

/// [`philox4x32_10`] on `N` counters `(first + j, c1, 0, 0)` at once, the
/// four words of the results in four arrays (lane `j` of `out[i]` is word
/// `i` of counter `j`). The words live in 64-bit lanes whose upper halves
/// the rounds leave as garbage (a 32 x 32-bit product needs only the lower
/// halves), so each round is two widening multiplies, two shifts and four
/// exclusive-ors per lane, with no shuffles.
#[inline(always)]
pub fn philox4x32_10_lanes<const N: usize>(first: u32, c1: u32, key: [u32; 2]) -> [[u32; N]; 4] {
    const LOW: u64 = 0xffff_ffff;
    let mut c = [[0u64; N]; 4];
    for j in 0..N {
        c[0][j] = u64::from(first.wrapping_add(j as u32));
        c[1][j] = u64::from(c1);
    }
    let mut k = key;
    for _ in 0..10 {
        let (k0, k1) = (u64::from(k[0]), u64::from(k[1]));
        for j in 0..N {
            let p0 = (c[0][j] & LOW) * u64::from(M0);
            let p1 = (c[2][j] & LOW) * u64::from(M1);
            let n0 = (p1 >> 32) ^ c[1][j] ^ k0;
            let n2 = (p0 >> 32) ^ c[3][j] ^ k1;
            c[0][j] = n0;
            c[1][j] = p1;
            c[2][j] = n2;
            c[3][j] = p0;
        }
        k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
    }
    let mut out = [[0u32; N]; 4];
    for i in 0..4 {
        for j in 0..N {
            out[i][j] = c[i][j] as u32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_match_one_counter_at_a_time() {
        for (first, c1, key) in [
            (0u32, 0u32, [0u32; 2]),
            (u32::MAX - 5, 77, [0xdead_beef, 12345]),
        ] {
            let w = philox4x32_10_lanes::<16>(first, c1, key);
            for j in 0..16 {
                let one = philox4x32_10([first.wrapping_add(j as u32), c1, 0, 0], key);
                assert_eq!([w[0][j], w[1][j], w[2][j], w[3][j]], one);
            }
        }
    }

    /// Random123's published known-answer vectors (its `kat_vectors`).
    #[test]
    fn philox_matches_the_reference_known_answers() {
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }
}
