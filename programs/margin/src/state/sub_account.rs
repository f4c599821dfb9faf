use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::math::liquidation::Plan;
use crate::math::{health, shares};
use crate::state::{LendingPool, Market, Repayment, WriteOff};

/// What a liquidation did to the sub-account: the repayment and, when it left no collateral worth
/// taking, the write-off of the rest of the debt (the remaining LRT goes to insurance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationOutcome {
    pub repayment: Repayment,
    pub settlement: Option<Settlement>,
}

/// A bad-debt settlement: the collateral left moves to insurance, which pays its value at the
/// maintenance price toward the debt (out of the insurance's SOL, as far as it goes); the rest of the
/// debt is written off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    pub collateral_swept: u64,
    pub paid_by_insurance: u64,
    pub write_off: WriteOff,
}

/// An isolated position: one LRT collateral, one SOL debt, so its health is one ratio.
#[account]
#[derive(InitSpace)]
pub struct SubAccount {
    pub bump: u8,
    pub vault_bump: u8,
    pub market: Pubkey,
    pub owner: Pubkey,
    pub index: u16,
    /// LRT in the collateral vault.
    pub collateral: u64,
    pub debt_shares: u64,
}

impl SubAccount {
    pub fn debt(&self, pool: &LendingPool) -> Result<u64> {
        Ok(shares::debt_amount(self.debt_shares, pool.borrow_index)?)
    }

    /// Takes `amount` of new debt from the pool (which checks its own limits).
    pub fn borrow(&mut self, pool: &mut LendingPool, amount: u64) -> Result<()> {
        let new_shares = pool.borrow(amount)?;
        self.debt_shares = self.debt_shares.checked_add(new_shares).ok_or(MarginError::MathOverflow)?;
        Ok(())
    }

    pub fn require_owner(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.owner, MarginError::NotOwner);
        Ok(())
    }

    /// After a risk increase: debt within `LTV_init` of the collateral at the opening price.
    pub fn require_healthy_to_open(&self, pool: &LendingPool, market: &Market, price: u128) -> Result<()> {
        let debt = self.debt(pool)?;
        require!(health::within_ltv(debt, self.collateral, price, market.risk.ltv_init_bps)?, MarginError::Unhealthy);
        Ok(())
    }

    /// Debt left must be zero or at least the market's minimum.
    pub fn require_no_dust(&self, pool: &LendingPool, market: &Market) -> Result<()> {
        let debt = self.debt(pool)?;
        require!(debt == 0 || debt >= market.risk.min_debt, MarginError::DustDebt);
        Ok(())
    }

    /// Insolvent at `price`: debt remains and the collateral is worth less than it (no collateral at
    /// all, or dust, included).
    pub fn is_insolvent(&self, pool: &LendingPool, price: u128) -> Result<bool> {
        let debt = self.debt(pool)?;
        Ok(debt > 0 && health::value(self.collateral, price)? < debt)
    }

    /// Insolvent, and what collateral is left is either worth less than the minimum debt (dust, not
    /// worth a liquidation) or affordable for the insurance: then anyone may settle it, so nobody can
    /// keep bad debt off the books by leaving or donating dust. A larger remainder is liquidated.
    pub fn is_settleable(&self, pool: &LendingPool, market: &Market, price: u128) -> Result<bool> {
        let value = health::value(self.collateral, price)?;
        Ok(self.is_insolvent(pool, price)? && (value < market.risk.min_debt || value <= pool.insurance))
    }

    /// Applies a liquidation `plan` at `price`: the repayment burns debt shares and the seized LRT
    /// leaves; when what is left is settleable it is settled at once, otherwise the LTV must strictly
    /// fall.
    pub fn apply_liquidation(
        &mut self,
        pool: &mut LendingPool,
        market: &mut Market,
        plan: &Plan,
        price: u128,
    ) -> Result<LiquidationOutcome> {
        let (debt_before, value_before) = (self.debt(pool)?, health::value(self.collateral, price)?);
        let repayment = pool.repay(self.debt_shares, plan.repay)?;
        self.debt_shares -= repayment.burned;
        self.collateral -= plan.seize;
        market.collateral_total -= plan.seize;
        if self.is_settleable(pool, market, price)? {
            let settlement = self.settle(pool, market, price)?;
            return Ok(LiquidationOutcome { repayment, settlement: Some(settlement) });
        }
        let (debt_after, value_after) = (self.debt(pool)?, health::value(self.collateral, price)?);
        require!(
            debt_after == 0 || health::ltv_lower(debt_after, value_after, debt_before, value_before),
            MarginError::LiquidationDidNotImprove
        );
        Ok(LiquidationOutcome { repayment, settlement: None })
    }

    /// Settles a settleable sub-account: the insurance takes the collateral left and pays its value
    /// at `price` toward the debt from its SOL, then the rest of the debt is written off (insurance
    /// first, then lenders).
    pub fn settle(&mut self, pool: &mut LendingPool, market: &mut Market, price: u128) -> Result<Settlement> {
        let value = health::value(self.collateral, price)?;
        let bought = pool.insurance_buys(self.debt_shares, value)?;
        self.debt_shares -= bought.burned;
        let write_off = pool.write_off(self.debt_shares)?;
        self.debt_shares = 0;
        let collateral_swept = self.collateral;
        self.collateral = 0;
        market.collateral_total -= collateral_swept;
        Ok(Settlement { collateral_swept, paid_by_insurance: bought.paid, write_off })
    }

    /// Seeds to sign as the sub-account; `index` is `self.index.to_le_bytes()`, kept by the caller.
    pub fn signer_seeds<'a>(&'a self, index: &'a [u8; 2]) -> [&'a [u8]; 5] {
        [crate::seeds::SUB_ACCOUNT, self.market.as_ref(), self.owner.as_ref(), index, std::slice::from_ref(&self.bump)]
    }
}
