use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::events::{BadDebtSettled, Liquidated};
use crate::math::liquidation;
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
    /// the repayment plus bonus in LRT; the LTV must strictly fall. When what is left is settleable
    /// (insolvent, with dust or what insurance can pay for) it is settled at once.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn liquidate(mut ctx: Context<Self>, args: LiquidateArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let a = &mut ctx.accounts;
        a.pool.accrue(now)?;
        let price = a.market.prices(&a.feed, now)?.maint;
        let debt = a.sub_account.debt(&a.pool)?;
        let plan = liquidation::plan(debt, a.sub_account.collateral, price, &a.market.risk, args.max_repay)?;
        require!(plan.seize - plan.to_insurance >= args.min_collateral_out, MarginError::SlippageExceeded);
        let outcome = a.sub_account.apply_liquidation(&mut a.pool, &mut a.market, &plan, price)?;
        a.pool.invariant()?;

        let a = &ctx.accounts;
        let program = a.token_program.to_account_info();
        token::transfer(
            &program,
            &a.liquidator_wsol.to_account_info(),
            &a.vault.to_account_info(),
            &a.liquidator.to_account_info(),
            outcome.repayment.paid,
            &[],
        )?;
        let index = a.sub_account.index.to_le_bytes();
        let seeds = a.sub_account.signer_seeds(&index);
        let (vault, authority) = (a.collateral_vault.to_account_info(), a.sub_account.to_account_info());
        token::transfer(
            &program,
            &vault,
            &a.liquidator_lrt.to_account_info(),
            &authority,
            plan.seize - plan.to_insurance,
            &[&seeds],
        )?;
        let swept = outcome.settlement.map_or(0, |s| s.collateral_swept);
        if plan.to_insurance + swept > 0 {
            token::transfer(
                &program,
                &vault,
                &a.insurance_vault.to_account_info(),
                &authority,
                plan.to_insurance + swept,
                &[&seeds],
            )?;
        }
        emit!(Liquidated {
            sub_account: a.sub_account.key(),
            liquidator: a.liquidator.key(),
            repaid: outcome.repayment.paid,
            seized: plan.seize,
            to_insurance: plan.to_insurance,
            bonus_wad: plan.bonus_wad,
            full: plan.full,
        });
        if let Some(settlement) = outcome.settlement {
            emit!(BadDebtSettled {
                sub_account: a.sub_account.key(),
                collateral_swept: settlement.collateral_swept,
                paid_by_insurance: settlement.paid_by_insurance,
                debt: settlement.write_off.debt,
                covered_by_insurance: settlement.write_off.covered,
                socialized: settlement.write_off.socialized,
                pool_frozen: a.pool.frozen,
            });
        }
        Ok(())
    }
}
