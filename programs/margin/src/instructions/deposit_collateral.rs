use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::MarginError;
use crate::events::CollateralDeposited;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DepositCollateralArgs {
    pub amount: u64,
}

#[derive(Accounts)]
pub struct DepositCollateral<'info> {
    /// Anyone may add collateral: it only makes the sub-account safer.
    pub depositor: Signer<'info>,
    #[account(mut, seeds = [seeds::MARKET, market.pool.as_ref(), market.lrt_mint.as_ref()], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = market.lrt_mint, token::authority = depositor)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl DepositCollateral<'_> {
    fn validate(&self, args: &DepositCollateralArgs) -> Result<()> {
        require!(args.amount > 0, MarginError::ZeroAmount);
        let total = self.market.collateral_total.checked_add(args.amount).ok_or(MarginError::MathOverflow)?;
        require!(total <= self.market.collateral_cap, MarginError::CollateralCapExceeded);
        Ok(())
    }

    /// Allowed even when paused or with a stale feed: it never increases risk.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn deposit_collateral(ctx: Context<Self>, args: DepositCollateralArgs) -> Result<()> {
        let a = &ctx.accounts;
        token::transfer(
            &a.token_program.to_account_info(),
            &a.source.to_account_info(),
            &a.collateral_vault.to_account_info(),
            &a.depositor.to_account_info(),
            args.amount,
            &[],
        )?;
        ctx.accounts.market.collateral_total += args.amount;
        let sub = &mut ctx.accounts.sub_account;
        sub.collateral += args.amount;
        emit!(CollateralDeposited { sub_account: sub.key(), amount: args.amount, collateral: sub.collateral });
        Ok(())
    }
}
