use anchor_lang::prelude::*;
use anchor_spl::token::{self, CloseAccount, Token, TokenAccount};

use crate::token as transfers;

use crate::errors::MarginError;
use crate::events::SubAccountClosed;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct CloseSubAccount<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        close = owner,
        seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()],
        bump = sub_account.bump,
        has_one = market,
        has_one = owner
    )]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives any LRT sent to the vault outside `deposit_collateral` (it is not collateral), so
    /// nobody can keep a sub-account from closing by dropping tokens into its vault.
    #[account(mut, token::mint = market.lrt_mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl CloseSubAccount<'_> {
    fn validate(&self) -> Result<()> {
        let sub = &self.sub_account;
        require!(sub.collateral == 0 && sub.debt_shares == 0, MarginError::SubAccountNotEmpty);
        Ok(())
    }

    /// Closes a sub-account without collateral or debt, and its vault; both rents return to the owner.
    #[access_control(ctx.accounts.validate())]
    pub fn close_sub_account(ctx: Context<Self>) -> Result<()> {
        let a = &ctx.accounts;
        let index = a.sub_account.index.to_le_bytes();
        let seeds = a.sub_account.signer_seeds(&index);
        let stray = a.collateral_vault.amount;
        if stray > 0 {
            let program = a.token_program.to_account_info();
            transfers::transfer(
                &program,
                &a.collateral_vault.to_account_info(),
                &a.destination.to_account_info(),
                &a.sub_account.to_account_info(),
                stray,
                &[&seeds],
            )?;
        }
        token::close_account(CpiContext::new_with_signer(
            a.token_program.to_account_info(),
            CloseAccount {
                account: a.collateral_vault.to_account_info(),
                destination: a.owner.to_account_info(),
                authority: a.sub_account.to_account_info(),
            },
            &[&seeds],
        ))?;
        emit!(SubAccountClosed { sub_account: a.sub_account.key() });
        Ok(())
    }
}
