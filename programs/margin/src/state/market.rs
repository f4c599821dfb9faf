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
    /// A change that could make positions liquidatable, waiting out its time lock.
    pub pending: PendingUpdate,
}

/// A queued policy and risk change; `activates_ts` 0 = nothing queued.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct PendingUpdate {
    pub activates_ts: i64,
    pub policy: PricingPolicy,
    pub risk: RiskParams,
}

impl Default for PendingUpdate {
    fn default() -> Self {
        Self { activates_ts: 0, policy: PricingPolicy::MinOfBoth, risk: RiskParams::default() }
    }
}

/// How long a change that can make existing positions liquidatable waits before it applies, so
/// borrowers see it coming and can deleverage.
pub const RISK_TIMELOCK_SECS: i64 = 86_400;

/// What `Market::update` did with a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Applied,
    Queued { activates_ts: i64 },
}

impl Market {
    /// Prices at `now` for maintenance and for risk increases, per the market's policy, from the
    /// feed's pessimistic rate: a held or reported loss counts at once.
    pub fn prices(&self, feed: &Feed, now: i64) -> Result<Prices> {
        Ok(pricing::prices(self.policy, feed.pessimistic_rate(), feed.market_price_at(now))?)
    }

    /// Checks that risk may increase now and returns the price to check it at.
    pub fn require_risk_increase(&self, feed: &Feed, now: i64) -> Result<u128> {
        require!(!self.paused, MarginError::MarketPaused);
        require!(!feed.is_stale(now), MarginError::FeedStale);
        self.prices(feed, now)?.init.ok_or_else(|| error!(MarginError::MarketPriceUnavailable))
    }

    /// Whether moving from the current policy and risk to these can make a position liquidatable
    /// sooner or liquidate it harder: another pricing policy, a lower threshold or full-liquidation
    /// LTV, a larger bonus, close factor or minimum debt.
    pub fn tightens(&self, policy: PricingPolicy, risk: &RiskParams) -> bool {
        let now = &self.risk;
        policy != self.policy
            || risk.lt_bps < now.lt_bps
            || risk.ltv_full_bps < now.ltv_full_bps
            || risk.bonus_min_bps > now.bonus_min_bps
            || risk.bonus_max_bps > now.bonus_max_bps
            || risk.close_factor_bps > now.close_factor_bps
            || risk.min_debt > now.min_debt
    }

    /// Takes new policy and risk parameters: a change that tightens waits `RISK_TIMELOCK_SECS` (and
    /// lowers the threshold by at most one step per interval); any other change applies at once and
    /// drops a queued one — restating the current ones with a pause included (governance re-queues a
    /// tightening it still wants; dropping errs on the borrowers' side).
    pub fn update(&mut self, policy: PricingPolicy, risk: RiskParams, now: i64) -> Result<UpdateOutcome> {
        risk.validate()?;
        if risk.lt_bps < self.risk.lt_bps {
            require!(
                self.risk.lt_bps - risk.lt_bps <= LT_LOWER_STEP_BPS
                    && now - self.lt_lowered_ts >= LT_LOWER_INTERVAL_SECS,
                MarginError::ThresholdLoweredTooFast
            );
        }
        if self.tightens(policy, &risk) {
            let activates_ts = now + RISK_TIMELOCK_SECS;
            self.pending = PendingUpdate { activates_ts, policy, risk };
            return Ok(UpdateOutcome::Queued { activates_ts });
        }
        self.pending = PendingUpdate::default();
        self.policy = policy;
        self.risk = risk;
        Ok(UpdateOutcome::Applied)
    }

    /// Applies the queued change once its time lock has passed (anyone may call it).
    pub fn apply_pending(&mut self, now: i64) -> Result<()> {
        let pending = self.pending;
        require!(pending.activates_ts != 0, MarginError::NoPendingUpdate);
        require!(now >= pending.activates_ts, MarginError::UpdateNotDue);
        if pending.risk.lt_bps < self.risk.lt_bps {
            self.lt_lowered_ts = now;
        }
        self.policy = pending.policy;
        self.risk = pending.risk;
        self.pending = PendingUpdate::default();
        Ok(())
    }

    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [crate::seeds::MARKET, self.pool.as_ref(), self.lrt_mint.as_ref(), std::slice::from_ref(&self.bump)]
    }
}
