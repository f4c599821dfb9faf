use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::math::{interest, shares};

/// Kinked borrow-rate curve: linear from 0% at 0 utilisation through two kinks to the maximum at 100%.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct RateCurve {
    pub kink1_utilization_bps: u16,
    pub kink1_rate_bps: u16,
    pub kink2_utilization_bps: u16,
    pub kink2_rate_bps: u16,
    pub max_rate_bps: u16,
}

impl Default for RateCurve {
    fn default() -> Self {
        Self {
            kink1_utilization_bps: 8_000,
            kink1_rate_bps: 400,
            kink2_utilization_bps: 9_000,
            kink2_rate_bps: 700,
            max_rate_bps: 5_000,
        }
    }
}

/// Pool parameters the admin sets.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct PoolParams {
    pub curve: RateCurve,
    pub reserve_factor_bps: u16,
    pub max_utilization_bps: u16,
    pub supply_cap: u64,
    pub borrow_cap: u64,
}

impl Default for PoolParams {
    fn default() -> Self {
        Self {
            curve: RateCurve::default(),
            reserve_factor_bps: 1_000,
            max_utilization_bps: 9_500,
            supply_cap: u64::MAX,
            borrow_cap: u64::MAX,
        }
    }
}

impl PoolParams {
    pub fn validate(&self) -> Result<()> {
        let c = &self.curve;
        let valid = 0 < c.kink1_utilization_bps
            && c.kink1_utilization_bps < c.kink2_utilization_bps
            && c.kink2_utilization_bps < 10_000
            && c.kink1_rate_bps <= c.kink2_rate_bps
            && c.kink2_rate_bps <= c.max_rate_bps
            && c.max_rate_bps <= 60_000
            && self.reserve_factor_bps <= 5_000
            && (1..=10_000).contains(&self.max_utilization_bps);
        require!(valid, MarginError::InvalidPoolParams);
        Ok(())
    }
}

/// The SOL lending pool. Cash is tracked here (never read from the vault); insurance is the part of
/// the cash that belongs to the protocol's insurance rather than to lenders.
#[account]
#[derive(InitSpace)]
pub struct LendingPool {
    pub bump: u8,
    pub admin: Pubkey,
    pub sol_mint: Pubkey,
    pub vault: Pubkey,
    pub params: PoolParams,
    pub cash: u64,
    pub insurance: u64,
    pub supply_shares: u64,
    /// Lamports per supply share (WAD); falls only when bad debt is socialised.
    pub supply_index: u128,
    pub debt_shares: u64,
    /// Lamports per debt share (WAD); never falls.
    pub borrow_index: u128,
    pub last_accrual_ts: i64,
    /// Set once bad debt has been socialised: lenders' claims were cut.
    pub socialized: bool,
    /// Set when a loss exceeded the lenders' funds: only repayments remain possible.
    pub frozen: bool,
}

impl LendingPool {
    pub fn total_debt(&self) -> Result<u64> {
        Ok(shares::debt_amount(self.debt_shares, self.borrow_index)?)
    }

    pub fn lender_claims(&self) -> Result<u64> {
        Ok(shares::supply_amount(self.supply_shares, self.supply_index)?)
    }

    /// Cash lenders and borrowers may take: the insurance's part stays.
    pub fn available_cash(&self) -> u64 {
        self.cash.saturating_sub(self.insurance)
    }

    /// Compounds interest up to `now`; twice at one timestamp is a no-op.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        let elapsed = now.saturating_sub(self.last_accrual_ts);
        if elapsed <= 0 {
            return Ok(());
        }
        let accrual = interest::accrue(self, elapsed as u64)?;
        self.borrow_index = accrual.borrow_index;
        self.supply_index = accrual.supply_index;
        self.insurance = self.insurance.checked_add(accrual.to_insurance).ok_or(MarginError::MathOverflow)?;
        self.last_accrual_ts = now;
        Ok(())
    }

    pub fn signer_seeds(&self) -> [&[u8]; 3] {
        [crate::seeds::POOL, self.sol_mint.as_ref(), std::slice::from_ref(&self.bump)]
    }

    pub fn require_live(&self) -> Result<()> {
        require!(!self.frozen, MarginError::PoolFrozen);
        Ok(())
    }

    pub fn require_admin(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.admin, MarginError::NotAdmin);
        Ok(())
    }

    /// Lends `amount` out of the pool: checks liquidity, the cap and the utilisation limit; returns
    /// the debt shares created (rounded up).
    pub fn borrow(&mut self, amount: u64) -> Result<u64> {
        require!(amount <= self.available_cash(), MarginError::InsufficientLiquidity);
        let new_shares = shares::debt_shares_for_borrow(amount, self.borrow_index)?;
        let debt_after = self.total_debt()?.checked_add(amount).ok_or(MarginError::MathOverflow)?;
        require!(debt_after <= self.params.borrow_cap, MarginError::BorrowCapExceeded);
        let cash_after = self.cash - amount;
        let utilization = interest::utilization_bps(cash_after, debt_after, self.insurance);
        require!(utilization <= u128::from(self.params.max_utilization_bps), MarginError::UtilizationTooHigh);
        self.cash = cash_after;
        self.debt_shares = self.debt_shares.checked_add(new_shares).ok_or(MarginError::MathOverflow)?;
        Ok(new_shares)
    }

    /// Takes `amount` of repayment for a position with `position_shares`. Paying the whole debt
    /// burns every share.
    pub fn repay(&mut self, position_shares: u64, amount: u64) -> Result<Repayment> {
        let debt = shares::debt_amount(position_shares, self.borrow_index)?;
        let (paid, burned) = if amount >= debt {
            (debt, position_shares)
        } else {
            (amount, shares::debt_shares_repaid(amount, self.borrow_index)?.min(position_shares))
        };
        self.cash = self.cash.checked_add(paid).ok_or(MarginError::MathOverflow)?;
        self.debt_shares -= burned;
        Ok(Repayment { paid, burned })
    }

    /// Writes off the debt of `position_shares` that no collateral backs: insurance first, then lenders
    /// pro rata through the supply index; a loss beyond the lenders' funds freezes the pool.
    pub fn write_off(&mut self, position_shares: u64) -> Result<WriteOff> {
        let debt = shares::debt_amount(position_shares, self.borrow_index)?;
        self.debt_shares -= position_shares;
        let covered = debt.min(self.insurance);
        self.insurance -= covered;
        let socialized = debt - covered;
        if socialized > 0 {
            self.socialized = true;
            if socialized >= self.lender_claims()? {
                self.supply_index = 0;
                self.frozen = true;
            } else {
                self.supply_index -= shares::index_cut(socialized, self.supply_shares)?;
            }
        }
        Ok(WriteOff { debt, covered, socialized })
    }

    /// The insurance pays up to `value` of a position's debt from its share of the cash (as much as it
    /// holds): no SOL moves, the insurance's part of the cash becomes the lenders'. A payment too small
    /// to burn one debt share is not made (the write-off that follows covers that debt instead), so a
    /// lamport of insurance can never block a settlement.
    pub fn insurance_buys(&mut self, position_shares: u64, value: u64) -> Result<Repayment> {
        let debt = shares::debt_amount(position_shares, self.borrow_index)?;
        let offered = value.min(self.insurance).min(debt);
        let (paid, burned) = match offered {
            0 => (0, 0),
            _ if offered == debt => (debt, position_shares),
            _ => match shares::debt_shares_repaid(offered, self.borrow_index) {
                Ok(burned) => (offered, burned.min(position_shares)),
                Err(MarginError::ZeroAmount) => (0, 0),
                Err(e) => return Err(e.into()),
            },
        };
        self.insurance -= paid;
        self.debt_shares -= burned;
        Ok(Repayment { paid, burned })
    }

    /// SOL the insurance received from selling its LRT: cash that belongs to insurance.
    pub fn add_insurance(&mut self, lamports: u64) -> Result<()> {
        self.cash = self.cash.checked_add(lamports).ok_or(MarginError::MathOverflow)?;
        self.insurance = self.insurance.checked_add(lamports).ok_or(MarginError::MathOverflow)?;
        Ok(())
    }

    /// Cash and outstanding debt cover the lenders' claims and the insurance, unless a loss was
    /// socialised (then the cut index already absorbed it) — checked at the end of every handler
    /// that moves pool funds. (The insurance may exceed the cash: its share of accrued interest is
    /// still owed by borrowers.)
    pub fn invariant(&self) -> Result<()> {
        if !self.socialized {
            let assets = u128::from(self.cash) + u128::from(self.total_debt()?);
            let owed = u128::from(self.lender_claims()?) + u128::from(self.insurance);
            require!(assets >= owed, MarginError::PoolInvariantBroken);
        }
        Ok(())
    }
}

/// What a repayment paid and which debt shares it burned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repayment {
    pub paid: u64,
    pub burned: u64,
}

/// A written-off debt: how much insurance covered and how much the lenders lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOff {
    pub debt: u64,
    pub covered: u64,
    pub socialized: u64,
}

/// A lender's supply shares.
#[account]
#[derive(InitSpace)]
pub struct LenderPosition {
    pub bump: u8,
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(borrow_index: u128, insurance: u64) -> LendingPool {
        LendingPool {
            bump: 0,
            admin: Pubkey::default(),
            sol_mint: Pubkey::default(),
            vault: Pubkey::default(),
            params: PoolParams::default(),
            cash: 0,
            insurance,
            supply_shares: 100,
            supply_index: lantern_math::WAD,
            debt_shares: 1_000,
            borrow_index,
            last_accrual_ts: 0,
            socialized: false,
            frozen: false,
        }
    }

    #[test]
    fn insurance_too_small_to_burn_a_share_pays_nothing_instead_of_failing() {
        // One lamport of insurance against an index above 1 buys less than one debt share.
        let mut p = pool(lantern_math::WAD + 1_268_394, 1);
        assert_eq!(p.insurance_buys(1_000, 500).unwrap(), Repayment { paid: 0, burned: 0 });
        assert_eq!((p.insurance, p.debt_shares), (1, 1_000));
        let mut p = pool(lantern_math::WAD, 10);
        assert_eq!(p.insurance_buys(1_000, 500).unwrap(), Repayment { paid: 10, burned: 10 });
    }

    #[test]
    fn insurance_above_cash_is_not_a_broken_pool() {
        // The insurance's share of accrued interest is owed by borrowers, not yet cash.
        let mut p = pool(lantern_math::WAD, 50);
        p.cash = 10;
        p.supply_shares = 900;
        assert!(p.invariant().is_ok());
    }
}
