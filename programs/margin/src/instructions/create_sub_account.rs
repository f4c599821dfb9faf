use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::events::SubAccountCreated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateSubAccountArgs {
    pub index: u16,
}

#[derive(Accounts)]
#[instruction(args: CreateSubAccountArgs)]
pub struct CreateSubAccount<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(has_one = lrt_mint)]
    pub market: Box<Account<'info, Market>>,
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = owner,
        space = 8 + SubAccount::INIT_SPACE,
        seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), owner.key().as_ref(), &args.index.to_le_bytes()],
        bump
    )]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(init, payer = owner, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump, token::mint = lrt_mint, token::authority = sub_account)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateSubAccount<'_> {
    /// Opens isolated sub-account `index` of the owner in this market, with its own collateral vault.
    pub fn create_sub_account(ctx: Context<Self>, args: CreateSubAccountArgs) -> Result<()> {
        let sub = &mut ctx.accounts.sub_account;
        sub.bump = ctx.bumps.sub_account;
        sub.vault_bump = ctx.bumps.collateral_vault;
        sub.market = ctx.accounts.market.key();
        sub.owner = ctx.accounts.owner.key();
        sub.index = args.index;
        emit!(SubAccountCreated { sub_account: sub.key(), market: sub.market, owner: sub.owner, index: args.index });
        Ok(())
    }
}
