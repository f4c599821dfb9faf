use anchor_lang::prelude::*;
use anchor_spl::token::{self, spl_token::instruction::AuthorityType, Mint, SetAuthority, Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::RestakingError;
use crate::events::PoolInitialized;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializePoolArgs {
    pub stake_manager: Pubkey,
    pub instant_unstake_fee_bps: u16,
}

#[derive(Accounts)]
pub struct InitializePool<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The LRT mint's current authority; it hands minting over to the pool.
    pub mint_authority: Signer<'info>,
    #[account(mut)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(address = token::spl_token::native_mint::ID)]
    pub sol_mint: Box<Account<'info, Mint>>,
    #[account(seeds = [oracle::seeds::FEED, lrt_mint.key().as_ref()], bump = feed.bump, seeds::program = oracle::ID)]
    pub feed: Box<Account<'info, Feed>>,
    #[account(init, payer = admin, space = 8 + StakePool::INIT_SPACE, seeds = [seeds::POOL, lrt_mint.key().as_ref()], bump)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(init, payer = admin, seeds = [seeds::RESERVE, pool.key().as_ref()], bump, token::mint = sol_mint, token::authority = pool)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    #[account(init, payer = admin, seeds = [seeds::ESCROW, pool.key().as_ref()], bump, token::mint = lrt_mint, token::authority = pool)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl InitializePool<'_> {
    fn validate(&self, args: &InitializePoolArgs) -> Result<()> {
        let mint = &self.lrt_mint;
        require!(
            mint.supply == 0
                && mint.freeze_authority.is_none()
                && mint.mint_authority == Some(self.mint_authority.key()).into(),
            RestakingError::InvalidMint
        );
        require!(mint.decimals == self.sol_mint.decimals, RestakingError::InvalidDecimals);
        require!(args.stake_manager != Pubkey::default(), RestakingError::ZeroKey);
        require!(args.instant_unstake_fee_bps <= MAX_INSTANT_UNSTAKE_FEE_BPS, RestakingError::InvalidFee);
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_pool(ctx: Context<Self>, args: InitializePoolArgs) -> Result<()> {
        let accounts = &ctx.accounts;
        token::set_authority(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                SetAuthority {
                    current_authority: accounts.mint_authority.to_account_info(),
                    account_or_mint: accounts.lrt_mint.to_account_info(),
                },
            ),
            AuthorityType::MintTokens,
            Some(accounts.pool.key()),
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.bump = ctx.bumps.pool;
        pool.lrt_mint = ctx.accounts.lrt_mint.key();
        pool.feed = ctx.accounts.feed.key();
        pool.admin = ctx.accounts.admin.key();
        pool.stake_manager = args.stake_manager;
        pool.reserve_vault = ctx.accounts.reserve_vault.key();
        pool.escrow_vault = ctx.accounts.escrow_vault.key();
        pool.instant_unstake_fee_bps = args.instant_unstake_fee_bps;
        emit!(PoolInitialized {
            pool: pool.key(),
            lrt_mint: pool.lrt_mint,
            feed: pool.feed,
            admin: pool.admin,
            stake_manager: pool.stake_manager,
        });
        Ok(())
    }
}
