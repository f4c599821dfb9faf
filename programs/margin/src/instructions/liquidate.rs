use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::events::Liquidated;
use crate::math::{health, liquidation};
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct LiquidateArgs {
    pub max_repay: u64,
    /// Slippage guard on the LRT the liquidator receives.
    pub min_collateral_out: u64,
}

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub liquidator: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool, has_one = feed)]
    pub market: Box<Account<'info, Market>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = market.insurance_vault)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = pool.sol_mint, token::authority = liquidator)]
    pub liquidator_wsol: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = market.lrt_mint)]
    pub liquidator_lrt: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Liquidate<'_> {
    fn validate(&self, args: &LiquidateArgs) -> Result<()> {
        require!(args.max_repay > 0, MarginError::ZeroAmount);
        Ok(())
    }

    /// Permissionless and partial: repays toward the target LTV at the maintenance price and seizes
    /// the repayment plus bonus in LRT; the LTV must strictly fall unless no collateral is left.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn liquidate(ctx: Context<Self>, args: LiquidateArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.pool.accrue(now)?;
        let price = ctx.accounts.market.prices(&ctx.accounts.feed, now)?.maint;
        let sub = &ctx.accounts.sub_account;
        let debt = sub.debt(&ctx.accounts.pool)?;
        let plan = liquidation::plan(debt, sub.collateral, price, &ctx.accounts.market.risk, args.max_repay)?;
        require!(plan.seize - plan.to_insurance >= args.min_collateral_out, MarginError::SlippageExceeded);

        let (_, burned) = ctx.accounts.pool.repay(ctx.accounts.sub_account.debt_shares, plan.repay)?;
        let sub = &mut ctx.accounts.sub_account;
        sub.debt_shares -= burned;
        sub.collateral -= plan.seize;
        ctx.accounts.market.collateral_total -= plan.seize;
        let sub = &ctx.accounts.sub_account;
        let debt_after = sub.debt(&ctx.accounts.pool)?;
        if sub.collateral > 0 {
            let (value_before, value_after) =
                (health::value(sub.collateral + plan.seize, price)?, health::value(sub.collateral, price)?);
            require!(
                health::ltv_lower(debt_after, value_after, debt, value_before),
                MarginError::LiquidationDidNotImprove
            );
        }

        let a = &ctx.accounts;
        let program = a.token_program.to_account_info();
        token::transfer(
            &program,
            &a.liquidator_wsol.to_account_info(),
            &a.vault.to_account_info(),
            &a.liquidator.to_account_info(),
            plan.repay,
            &[],
        )?;
        let index = a.sub_account.index.to_le_bytes();
        let seeds = a.sub_account.signer_seeds(&index);
        let authority = a.sub_account.to_account_info();
        token::transfer(
            &program,
            &a.collateral_vault.to_account_info(),
            &a.liquidator_lrt.to_account_info(),
            &authority,
            plan.seize - plan.to_insurance,
            &[&seeds],
        )?;
        if plan.to_insurance > 0 {
            token::transfer(
                &program,
                &a.collateral_vault.to_account_info(),
                &a.insurance_vault.to_account_info(),
                &authority,
                plan.to_insurance,
                &[&seeds],
            )?;
        }
        emit!(Liquidated {
            sub_account: a.sub_account.key(),
            liquidator: a.liquidator.key(),
            repaid: plan.repay,
            seized: plan.seize,
            to_insurance: plan.to_insurance,
            bonus_wad: plan.bonus_wad,
            full: plan.full,
        });
        Ok(())
    }
}
