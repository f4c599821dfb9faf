//! A small deterministic stream (splitmix64) and the input shapes the generators draw from.
use lantern_math::WAD;

pub struct Rng(u64);

const U64_EDGES: [u64; 14] = [
    0,
    1,
    2,
    3,
    7,
    1_000_000_000,
    1_000_000_000_000_000_000,
    (1 << 32) - 1,
    1 << 32,
    1 << 53,
    (1 << 63) - 1,
    1 << 63,
    u64::MAX - 1,
    u64::MAX,
];

const U128_EDGES: [u128; 14] = [
    0,
    1,
    2,
    3,
    WAD - 1,
    WAD,
    WAD + 1,
    u64::MAX as u128,
    1 << 64,
    1 << 100,
    (1 << 127) - 1,
    1 << 127,
    u128::MAX - 1,
    u128::MAX,
];

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi == u64::MAX && lo == 0 {
            return self.next();
        }
        lo + self.below(hi - lo + 1)
    }

    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    pub fn range_u128(&mut self, lo: u128, hi: u128) -> u128 {
        let span = hi - lo;
        if span < u128::from(u64::MAX) {
            lo + u128::from(self.below(span as u64 + 1))
        } else {
            lo + (self.wide() % (span.saturating_add(1)).max(1))
        }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn wide(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }

    /// Log-uniform: a random bit length, then random bits (small, medium and huge values alike).
    pub fn bits64(&mut self) -> u64 {
        let bits = self.below(65) as u32;
        if bits == 0 {
            0
        } else {
            self.next() >> (64 - bits)
        }
    }

    pub fn bits128(&mut self) -> u128 {
        let bits = self.below(129) as u32;
        if bits == 0 {
            0
        } else {
            self.wide() >> (128 - bits)
        }
    }

    /// Any u64: edges one time in five, log-uniform otherwise.
    pub fn any_u64(&mut self) -> u64 {
        if self.chance(20) {
            self.pick(&U64_EDGES)
        } else {
            self.bits64()
        }
    }

    pub fn any_u128(&mut self) -> u128 {
        if self.chance(20) {
            self.pick(&U128_EDGES)
        } else {
            self.bits128()
        }
    }

    pub fn any_u16(&mut self) -> u16 {
        if self.chance(20) {
            self.pick(&[0, 1, 9_999, 10_000, 10_001, u16::MAX])
        } else {
            self.next() as u16
        }
    }

    /// A WAD price or rate near 1.0 (0.5–1.5), sometimes far from it or at an edge.
    pub fn rate(&mut self) -> u128 {
        match self.below(10) {
            0 => self.any_u128(),
            1 => self.range_u128(1, 100 * WAD),
            _ => self.range_u128(WAD / 2, WAD * 3 / 2),
        }
    }

    /// A lamport or token amount: realistic (up to 10^7 SOL) most of the time.
    pub fn amount(&mut self) -> u64 {
        match self.below(10) {
            0 => self.any_u64(),
            1 => self.range(0, 1_000),
            _ => self.range(1, 10_000_000_000_000_000),
        }
    }

    /// A value moved a little (±`spread` units) from `base`, saturating.
    pub fn near_u128(&mut self, base: u128, spread: u64) -> u128 {
        let delta = u128::from(self.range(0, spread));
        if self.chance(50) {
            base.saturating_add(delta)
        } else {
            base.saturating_sub(delta)
        }
    }

    pub fn near_u64(&mut self, base: u64, spread: u64) -> u64 {
        let delta = self.range(0, spread);
        if self.chance(50) {
            base.saturating_add(delta)
        } else {
            base.saturating_sub(delta)
        }
    }
}
