use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::events::CollateralWithdrawn;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct WithdrawCollateralArgs {
    pub amount: u64,
}

#[derive(Accounts)]
pub struct WithdrawCollateral<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut, seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool, has_one = feed)]
    pub market: Box<Account<'info, Market>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = market.lrt_mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawCollateral<'_> {
    fn validate(&self, args: &WithdrawCollateralArgs) -> Result<()> {
        self.sub_account.require_owner(&self.owner.key())?;
        require!(args.amount > 0, MarginError::ZeroAmount);
        require!(args.amount <= self.sub_account.collateral, MarginError::InsufficientCollateral);
        Ok(())
    }

    /// With debt it is risk-increasing: it needs a fresh feed, an unpaused market, and ends within
    /// LTV_init. Without debt it is risk-free and always works (pause, staleness and missing prices
    /// only block risk).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn withdraw_collateral(ctx: Context<Self>, args: WithdrawCollateralArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let risk_free = ctx.accounts.sub_account.debt_shares == 0;
        let price =
            if risk_free { None } else { Some(ctx.accounts.market.require_risk_increase(&ctx.accounts.feed, now)?) };
        ctx.accounts.pool.accrue(now)?;
        ctx.accounts.sub_account.collateral -= args.amount;
        ctx.accounts.market.collateral_total -= args.amount;
        if let Some(price) = price {
            ctx.accounts.sub_account.require_healthy_to_open(&ctx.accounts.pool, &ctx.accounts.market, price)?;
        }
        let a = &ctx.accounts;
        let index = a.sub_account.index.to_le_bytes();
        let seeds = a.sub_account.signer_seeds(&index);
        token::transfer(
            &a.token_program.to_account_info(),
            &a.collateral_vault.to_account_info(),
            &a.destination.to_account_info(),
            &a.sub_account.to_account_info(),
            args.amount,
            &[&seeds],
        )?;
        emit!(CollateralWithdrawn {
            sub_account: a.sub_account.key(),
            amount: args.amount,
            collateral: a.sub_account.collateral
        });
        Ok(())
    }
}
