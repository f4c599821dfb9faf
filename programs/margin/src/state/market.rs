use anchor_lang::prelude::*;
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::math::pricing::{self, Prices};

/// Which price a market trusts (compared side by side by the simulator).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum PricingPolicy {
    /// The committee's fair rate only.
    FairRate,
    /// The market price rounds only (EMA for maintenance, min of spot and EMA to open).
    Market,
    /// The lower of both: a premium never inflates collateral, a one-block wick never liquidates.
    MinOfBoth,
}

/// Risk parameters, in basis points unless named otherwise.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct RiskParams {
    /// Maximum LTV after opening or increasing risk.
    pub ltv_init_bps: u16,
    /// Liquidation threshold: liquidatable when debt > value × LT.
    pub lt_bps: u16,
    /// From this LTV on, the whole debt may be repaid at once.
    pub ltv_full_bps: u16,
    /// LTV a partial liquidation aims for.
    pub target_ltv_bps: u16,
    /// Share of the debt one partial liquidation may repay.
    pub close_factor_bps: u16,
    pub bonus_min_bps: u16,
    pub bonus_max_bps: u16,
    /// Share of the bonus that goes to insurance.
    pub insurance_share_bps: u16,
    /// Smallest debt a sub-account may keep (lamports).
    pub min_debt: u64,
}

impl Default for RiskParams {
    fn default() -> Self {
        Self {
            ltv_init_bps: 9_000,
            lt_bps: 9_300,
            ltv_full_bps: 9_600,
            target_ltv_bps: 9_200,
            close_factor_bps: 2_000,
            bonus_min_bps: 50,
            bonus_max_bps: 200,
            insurance_share_bps: 2_000,
            min_debt: 50_000_000,
        }
    }
}

/// Largest step by which the liquidation threshold may be lowered, and how often.
pub const LT_LOWER_STEP_BPS: u16 = 100;
pub const LT_LOWER_INTERVAL_SECS: i64 = 86_400;

impl RiskParams {
    /// `LTV_init ≤ target < LT < LTV_full ≤ 99%` and `LT·(1 + b_max) < 1`, so a liquidation at the
    /// threshold can always pay its bonus.
    pub fn validate(&self) -> Result<()> {
        let bps = 10_000u32;
        let valid = 0 < self.ltv_init_bps
            && self.ltv_init_bps <= self.target_ltv_bps
            && self.target_ltv_bps < self.lt_bps
            && self.lt_bps < self.ltv_full_bps
            && self.ltv_full_bps <= 9_900
            && u32::from(self.lt_bps) * (bps + u32::from(self.bonus_max_bps)) < bps * bps
            && self.bonus_min_bps <= self.bonus_max_bps
            && (1..=10_000).contains(&self.close_factor_bps)
            && self.insurance_share_bps <= 10_000
            && self.min_debt > 0;
        require!(valid, MarginError::InvalidRiskParams);
        Ok(())
    }
}

/// One LRT market on the SOL pool.
#[account]
#[derive(InitSpace)]
pub struct Market {
    pub bump: u8,
    pub pool: Pubkey,
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    /// The restaking pool `leverage_up` and `deleverage` go through.
    pub stake_pool: Pubkey,
    pub insurance_vault: Pubkey,
    pub policy: PricingPolicy,
    pub risk: RiskParams,
    pub collateral_cap: u64,
    pub collateral_total: u64,
    /// Blocks risk-increasing actions; repay, deleverage and liquidation go on.
    pub paused: bool,
    pub lt_lowered_ts: i64,
}

impl Market {
    /// Prices at `now` for maintenance and for risk increases, per the market's policy.
    pub fn prices(&self, feed: &Feed, now: i64) -> Result<Prices> {
        Ok(pricing::prices(self.policy, feed.fair_rate, feed.market_price_at(now))?)
    }

    /// Checks that risk may increase now and returns the price to check it at.
    pub fn require_risk_increase(&self, feed: &Feed, now: i64) -> Result<u128> {
        require!(!self.paused, MarginError::MarketPaused);
        require!(!feed.is_stale(now), MarginError::FeedStale);
        self.prices(feed, now)?.init.ok_or_else(|| error!(MarginError::MarketPriceUnavailable))
    }

    /// Applies new risk parameters; lowering the threshold is rate-limited so positions get time.
    pub fn update_risk(&mut self, risk: RiskParams, now: i64) -> Result<()> {
        risk.validate()?;
        if risk.lt_bps < self.risk.lt_bps {
            require!(
                self.risk.lt_bps - risk.lt_bps <= LT_LOWER_STEP_BPS
                    && now - self.lt_lowered_ts >= LT_LOWER_INTERVAL_SECS,
                MarginError::ThresholdLoweredTooFast
            );
            self.lt_lowered_ts = now;
        }
        self.risk = risk;
        Ok(())
    }
}
