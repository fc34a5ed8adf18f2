//! xoshiro128++, the scrambled linear generator of Blackman and Vigna
//! ("Scrambled linear pseudorandom number generators", ACM Transactions on
//! Mathematical Software 47(4), 2021), in [`ROW`] independent lanes. The
//! staff loop seeds the lanes afresh for every pool and month from
//! Philox4x32-10, so a draw is still a pure function of the pool's key,
//! the month and the slot's place in the pool: nothing depends on the
//! order of evaluation, the thread count or the vector width.

// Lane loops index arrays by lane: the form the compiler vectorises.
#![allow(clippy::needless_range_loop)]

use super::philox::philox4x32_10_lanes;

/// Lanes of the generator: two 256-bit vectors of 32-bit words.
pub const ROW: usize = 16;

/// The state of [`ROW`] generators, word `i` of lane `j` in `s[i][j]`.
pub struct Lanes {
    s: [[u32; ROW]; 4],
}

impl Lanes {
    /// Lane `j` starts from the four words of Philox4x32-10 on counter
    /// `(j, month, 0, 0)` under `key`. (The state of all zeros, the one
    /// xoshiro cannot leave, has probability 2^-128 a lane.)
    #[inline(always)]
    pub fn seeded(month: u32, key: [u32; 2]) -> Self {
        Lanes {
            s: philox4x32_10_lanes::<ROW>(0, month, key),
        }
    }

    /// The next 32-bit output of every lane.
    #[inline(always)]
    pub fn next(&mut self) -> [u32; ROW] {
        let mut out = [0u32; ROW];
        let s = &mut self.s;
        for l in 0..ROW {
            let (s0, s1, s2, s3) = (s[0][l], s[1][l], s[2][l], s[3][l]);
            out[l] = s0.wrapping_add(s3).rotate_left(7).wrapping_add(s0);
            let t = s1 << 9;
            let s2 = s2 ^ s0;
            let s3 = s3 ^ s1;
            let s1 = s1 ^ s2;
            let s0 = s0 ^ s3;
            s[0][l] = s0;
            s[1][l] = s1;
            s[2][l] = s2 ^ t;
            s[3][l] = s3.rotate_left(11);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The authors' reference code from the state (1, 2, 3, 4).
    #[test]
    fn lanes_match_the_reference_outputs() {
        let mut lanes = Lanes {
            s: [[1; ROW], [2; ROW], [3; ROW], [4; ROW]],
        };
        // Lane 5 from another state, to show the lanes are independent.
        lanes.s[0][5] = 9;
        let want: [u32; 10] = [
            641,
            1_573_767,
            3_222_811_527,
            3_517_856_514,
            836_907_274,
            4_247_214_768,
            3_867_114_732,
            1_355_841_295,
            495_546_011,
            621_204_420,
        ];
        for w in want {
            let out = lanes.next();
            for (l, &o) in out.iter().enumerate() {
                if l != 5 {
                    assert_eq!(o, w, "lane {l}");
                }
            }
            assert_ne!(out[5], w);
        }
    }

    #[test]
    fn lanes_are_seeded_from_philox() {
        let lanes = Lanes::seeded(3, [11, 13]);
        for j in 0..ROW {
            let w = super::super::philox::philox4x32_10([j as u32, 3, 0, 0], [11, 13]);
            assert_eq!(
                [lanes.s[0][j], lanes.s[1][j], lanes.s[2][j], lanes.s[3][j]],
                w
            );
        }
    }
}
