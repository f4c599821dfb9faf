use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::math::sanity::{self, Prior, Verdict};
use crate::math::{ema, median};
use crate::state::SanityLimits;

/// Decreases remembered for the decrease budget. More decreases inside one window than slots fold
/// into the newest slot, which only makes the budget stricter.
pub const DECREASE_SLOTS: usize = 32;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, Debug, PartialEq, Eq, InitSpace)]
pub struct DecreaseEntry {
    pub ref_ts: i64,
    pub ppb: u64,
}

/// A processed report whose decrease exceeded the budget and waits for the guardian. `frame` 0 = none.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, Debug, PartialEq, Eq, InitSpace)]
pub struct HeldReport {
    pub frame: u64,
    pub ref_ts: i64,
    pub rate: u128,
    pub staked_lamports: u64,
    pub decrease_ppb: u64,
}

/// A report that reached consensus, placed in time: its frame and that frame's reference time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameReport {
    pub frame: u64,
    pub ref_ts: i64,
    pub rate: u128,
    pub staked_lamports: u64,
    pub bunker_flag: bool,
}

/// What consumers read: the fair rate from accounting reports and the market price from price rounds.
#[account]
#[derive(InitSpace)]
pub struct Feed {
    pub bump: u8,
    pub lrt_mint: Pubkey,
    pub committee: Pubkey,
    /// SOL per LRT (WAD) that consumers use.
    pub fair_rate: u128,
    /// Last accepted reported rate; `reported_rate - fair_rate` is the increase still deferred.
    pub reported_rate: u128,
    pub reported_staked_lamports: u64,
    pub last_report_frame: u64,
    pub last_report_ref_ts: i64,
    pub last_report_ts: i64,
    pub bunker: bool,
    pub held: HeldReport,
    pub decreases: [DecreaseEntry; DECREASE_SLOTS],
    /// The last agreed round: median of the fresh observations, its Byzantine-robust low (the lower
    /// median), the band (median absolute deviation), and EMAs of the median and of the low.
    pub market_price: u128,
    pub market_low: u128,
    pub market_confidence: u128,
    pub market_ema: u128,
    pub market_ema_low: u128,
    /// Observation time of the quorum-th newest observation behind `market_price`: the price is
    /// valid while this is younger than `max_price_age_secs`.
    pub market_price_ts: i64,
    pub market_ema_ts: i64,
    /// Copies of the committee limits consumers need, so that a consumer reads one account.
    pub max_report_age_secs: u32,
    pub max_price_age_secs: u32,
}

/// The market price consumers may use, present only while a quorum of observations is fresh and
/// agrees within `max_confidence_bps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketPrice {
    pub price: u128,
    /// Within the honest observations' range whatever a minority submits.
    pub low: u128,
    pub confidence: u128,
    pub ema: u128,
    /// EMA of `low`: one round, however dispersed, moves it by at most one round's weight.
    pub ema_low: u128,
}

impl Feed {
    /// The fair rate stops counting when the last accepted report is older than the limit.
    pub fn is_stale(&self, now: i64) -> bool {
        now.saturating_sub(self.last_report_ref_ts) > i64::from(self.max_report_age_secs)
    }

    pub fn market_price_at(&self, now: i64) -> Option<MarketPrice> {
        let fresh =
            self.market_price > 0 && now.saturating_sub(self.market_price_ts) <= i64::from(self.max_price_age_secs);
        fresh.then_some(MarketPrice {
            price: self.market_price,
            low: self.market_low,
            confidence: self.market_confidence,
            ema: self.market_ema,
            ema_low: self.market_ema_low,
        })
    }

    /// The rate every consumer prices with: the fair rate, or lower while a reported loss is held
    /// for the guardian (or a deferred report is below it), so a known loss reaches every consumer
    /// at once — no exit pays, and no market lends, above what the committee reported.
    pub fn pessimistic_rate(&self) -> u128 {
        let held = if self.held.frame != 0 { self.held.rate } else { u128::MAX };
        let reported = if self.reported_rate > 0 { self.reported_rate } else { u128::MAX };
        self.fair_rate.min(held).min(reported)
    }

    pub fn sync_limits(&mut self, limits: &SanityLimits) {
        self.max_report_age_secs = limits.max_report_age_secs;
        self.max_price_age_secs = limits.max_price_age_secs;
    }

    /// Decreases counted in the window that ends at `ref_ts`.
    pub fn window_decrease_ppb(&self, ref_ts: i64, window_secs: u32) -> u64 {
        let start = ref_ts - i64::from(window_secs);
        self.decreases.iter().filter(|d| d.ppb > 0 && d.ref_ts > start).map(|d| d.ppb).fold(0u64, u64::saturating_add)
    }

    pub fn prior(&self, ref_ts: i64, limits: &SanityLimits) -> Prior {
        Prior {
            fair_rate: self.fair_rate,
            reported_rate: self.reported_rate,
            reported_ref_ts: self.last_report_ref_ts,
            window_decrease_ppb: self.window_decrease_ppb(ref_ts, limits.decrease_window_secs),
        }
    }

    fn record_decrease(&mut self, ref_ts: i64, ppb: u64, window_secs: u32) {
        if ppb == 0 {
            return;
        }
        let start = ref_ts - i64::from(window_secs);
        let slot = match self.decreases.iter().position(|d| d.ppb == 0 || d.ref_ts <= start) {
            Some(free) => free,
            None => {
                let newest = (0..DECREASE_SLOTS).max_by_key(|&i| self.decreases[i].ref_ts).unwrap_or(0);
                let folded = self.decreases[newest].ppb.saturating_add(ppb);
                self.decreases[newest] = DecreaseEntry { ref_ts, ppb: folded };
                return;
            }
        };
        self.decreases[slot] = DecreaseEntry { ref_ts, ppb };
    }

    /// Applies an evaluated report; returns the verdict for the caller's event.
    pub fn process_report(&mut self, limits: &SanityLimits, report: &FrameReport, now: i64) -> Result<Verdict> {
        let FrameReport { frame, ref_ts, rate, staked_lamports, bunker_flag } = *report;
        let prior = self.prior(ref_ts, limits);
        let verdict = sanity::evaluate(limits, &prior, &sanity::Candidate { rate, ref_ts, bunker_flag })?;
        match verdict {
            Verdict::Apply { fair_rate, decrease_ppb, bunker } => {
                self.accept(frame, ref_ts, now, rate, staked_lamports, fair_rate);
                self.record_decrease(ref_ts, decrease_ppb, limits.decrease_window_secs);
                self.bunker = bunker;
                self.held = HeldReport::default();
            }
            Verdict::Hold { decrease_ppb } => {
                self.held = HeldReport { frame, ref_ts, rate, staked_lamports, decrease_ppb };
                self.bunker = true;
            }
        }
        Ok(verdict)
    }

    fn accept(&mut self, frame: u64, ref_ts: i64, now: i64, rate: u128, staked_lamports: u64, fair_rate: u128) {
        self.fair_rate = fair_rate;
        self.reported_rate = rate;
        self.reported_staked_lamports = staked_lamports;
        self.last_report_frame = frame;
        self.last_report_ref_ts = ref_ts;
        self.last_report_ts = now;
    }

    /// The guardian's second opinion: the held decrease takes effect outside the budget.
    pub fn confirm_held(&mut self, limits: &SanityLimits, frame: u64, now: i64) -> Result<()> {
        let held = self.held;
        require!(held.frame != 0, OracleError::NoHeldReport);
        require!(held.frame == frame, OracleError::HeldFrameMismatch);
        let fair_rate = sanity::smoothed_rate(self.fair_rate, held.rate, limits.max_positive_rebase_ppb);
        self.accept(held.frame, held.ref_ts, now, held.rate, held.staked_lamports, fair_rate);
        self.record_decrease(held.ref_ts, held.decrease_ppb, limits.decrease_window_secs);
        self.held = HeldReport::default();
        Ok(())
    }

    /// Recomputes the market price from the fresh observations: `None` below quorum, and no market
    /// price at all while the observations disagree by more than `max_confidence_bps`. The EMAs count
    /// at most `max_price_age_secs` since the last round, so a round after a gap moves them no more
    /// than a round inside the freshness window does.
    pub fn update_market(
        &mut self,
        sorted_fresh: &[u128],
        quorum_ts: Option<i64>,
        quorum: u8,
        now: i64,
        limits: &SanityLimits,
    ) -> Option<MarketPrice> {
        let quorum_ts = quorum_ts.filter(|_| sorted_fresh.len() >= usize::from(quorum.max(1)))?;
        let round = median::Round::of(sorted_fresh);
        if !round.agrees(limits.max_confidence_bps) {
            self.market_price = 0;
            return None;
        }
        let elapsed = u64::try_from(now.saturating_sub(self.market_ema_ts))
            .unwrap_or(0)
            .min(u64::from(limits.max_price_age_secs));
        let half_life = u64::from(limits.ema_half_life_secs);
        self.market_ema = ema::update(self.market_ema, round.price, elapsed, half_life);
        self.market_ema_low = ema::update(self.market_ema_low, round.low, elapsed, half_life);
        self.market_ema_ts = now;
        self.market_price = round.price;
        self.market_low = round.low;
        self.market_confidence = round.confidence;
        self.market_price_ts = quorum_ts;
        self.market_price_at(now)
    }
}
