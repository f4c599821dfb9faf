use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use oracle::state::Feed;
use restaking::program::Restaking;
use restaking::state::StakePool;

use crate::errors::MarginError;
use crate::events::LeveragedUp;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct LeverageUpArgs {
    /// The owner's own SOL put in.
    pub equity: u64,
    /// SOL borrowed from the pool.
    pub borrow: u64,
    /// Slippage guard on the LRT minted for `equity + borrow`.
    pub min_lrt_out: u64,
}

#[derive(Accounts)]
pub struct LeverageUp<'info> {
    pub owner: Signer<'info>,
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
    /// The owner's wSOL: it pays the equity and passes the borrowed SOL through to the deposit.
    #[account(mut, token::mint = pool.sol_mint, token::authority = owner)]
    pub owner_wsol: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = market.stake_pool)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    #[account(mut, address = market.lrt_mint)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = stake_pool.reserve_vault)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    pub restaking_program: Program<'info, Restaking>,
    pub token_program: Program<'info, Token>,
}

impl LeverageUp<'_> {
    fn validate(&self, args: &LeverageUpArgs) -> Result<()> {
        self.sub_account.require_owner(&self.owner.key())?;
        self.pool.require_live()?;
        require!(args.borrow > 0, MarginError::ZeroAmount);
        Ok(())
    }

    /// Borrow → restaking deposit (CPI) → collateral, in one instruction; ends within LTV_init.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn leverage_up(ctx: Context<Self>, args: LeverageUpArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let price = ctx.accounts.market.require_risk_increase(&ctx.accounts.feed, now)?;
        ctx.accounts.pool.accrue(now)?;
        ctx.accounts.sub_account.borrow(&mut ctx.accounts.pool, args.borrow)?;

        let a = &ctx.accounts;
        let pool_seeds = a.pool.signer_seeds();
        token::transfer(
            &a.token_program.to_account_info(),
            &a.vault.to_account_info(),
            &a.owner_wsol.to_account_info(),
            &a.pool.to_account_info(),
            args.borrow,
            &[&pool_seeds],
        )?;
        let before = a.collateral_vault.amount;
        let lamports = args.equity.checked_add(args.borrow).ok_or(MarginError::MathOverflow)?;
        restaking::cpi::deposit(
            CpiContext::new(
                a.restaking_program.to_account_info(),
                restaking::cpi::accounts::Deposit {
                    depositor: a.owner.to_account_info(),
                    pool: a.stake_pool.to_account_info(),
                    feed: a.feed.to_account_info(),
                    lrt_mint: a.lrt_mint.to_account_info(),
                    reserve_vault: a.reserve_vault.to_account_info(),
                    source: a.owner_wsol.to_account_info(),
                    destination: a.collateral_vault.to_account_info(),
                    token_program: a.token_program.to_account_info(),
                },
            ),
            restaking::DepositArgs { lamports, min_lrt_out: args.min_lrt_out },
        )?;
        ctx.accounts.collateral_vault.reload()?;
        let minted = ctx.accounts.collateral_vault.amount - before;
        let market = &mut ctx.accounts.market;
        market.collateral_total = market.collateral_total.checked_add(minted).ok_or(MarginError::MathOverflow)?;
        require!(market.collateral_total <= market.collateral_cap, MarginError::CollateralCapExceeded);
        let sub = &mut ctx.accounts.sub_account;
        sub.collateral += minted;
        sub.require_no_dust(&ctx.accounts.pool, &ctx.accounts.market)?;
        sub.require_healthy_to_open(&ctx.accounts.pool, &ctx.accounts.market, price)?;
        emit!(LeveragedUp { sub_account: sub.key(), equity: args.equity, borrowed: args.borrow, lrt_minted: minted });
        Ok(())
    }
}
