use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::errors::MarginError;

use crate::events::PoolInitialized;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializePoolArgs {
    pub params: PoolParams,
}

#[derive(Accounts)]
pub struct InitializePool<'info> {
    /// The margin program's upgrade authority becomes the pool's admin: nobody else can take the
    /// one SOL pool by calling first.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The program's ProgramData (upgradeable loader PDA of the program id).
    #[account(seeds = [crate::ID.as_ref()], bump, seeds::program = bpf_loader_upgradeable::ID)]
    pub program_data: Account<'info, ProgramData>,
    #[account(address = token::spl_token::native_mint::ID)]
    pub sol_mint: Box<Account<'info, Mint>>,
    #[account(init, payer = admin, space = 8 + LendingPool::INIT_SPACE, seeds = [seeds::POOL, sol_mint.key().as_ref()], bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(init, payer = admin, seeds = [seeds::VAULT, pool.key().as_ref()], bump, token::mint = sol_mint, token::authority = pool)]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl InitializePool<'_> {
    fn validate(&self, args: &InitializePoolArgs) -> Result<()> {
        require!(
            self.program_data.upgrade_authority_address == Some(self.admin.key()),
            MarginError::NotUpgradeAuthority
        );
        args.params.validate()
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_pool(ctx: Context<Self>, args: InitializePoolArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.bump = ctx.bumps.pool;
        pool.admin = ctx.accounts.admin.key();
        pool.sol_mint = ctx.accounts.sol_mint.key();
        pool.vault = ctx.accounts.vault.key();
        pool.params = args.params;
        pool.supply_index = lantern_math::WAD;
        pool.borrow_index = lantern_math::WAD;
        pool.last_accrual_ts = Clock::get()?.unix_timestamp;
        emit!(PoolInitialized { pool: pool.key(), admin: pool.admin, params: args.params });
        Ok(())
    }
}
