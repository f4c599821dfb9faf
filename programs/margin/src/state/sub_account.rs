use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::math::{health, shares};
use crate::state::{LendingPool, Market};

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

    /// Seeds to sign as the sub-account; `index` is `self.index.to_le_bytes()`, kept by the caller.
    pub fn signer_seeds<'a>(&'a self, index: &'a [u8; 2]) -> [&'a [u8]; 5] {
        [crate::seeds::SUB_ACCOUNT, self.market.as_ref(), self.owner.as_ref(), index, std::slice::from_ref(&self.bump)]
    }
}
