use anchor_lang::prelude::*;
use anchor_spl::token::Mint;

use crate::errors::OracleError;
use crate::events::CommitteeInitialized;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeCommitteeArgs {
    pub guardian: Pubkey,
    pub genesis_ts: i64,
    pub frame_secs: u32,
    pub fast_lane_secs: u32,
    pub consensus_version: u64,
    /// Fair rate (SOL per LRT, WAD) before the first report.
    pub initial_rate: u128,
    pub limits: SanityLimits,
}

#[derive(Accounts)]
pub struct InitializeCommittee<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    /// Only the mint's authority may create its committee, so nobody can squat the PDAs of a mint.
    pub mint_authority: Signer<'info>,
    #[account(constraint = lrt_mint.mint_authority == Some(mint_authority.key()).into() @ OracleError::NotMintAuthority)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(init, payer = admin, space = 8 + Committee::INIT_SPACE, seeds = [seeds::COMMITTEE, lrt_mint.key().as_ref()], bump)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(init, payer = admin, space = 8 + Feed::INIT_SPACE, seeds = [seeds::FEED, lrt_mint.key().as_ref()], bump)]
    pub feed: Box<Account<'info, Feed>>,
    pub system_program: Program<'info, System>,
}

impl InitializeCommittee<'_> {
    fn validate(&self, args: &InitializeCommitteeArgs) -> Result<()> {
        require!(args.guardian != Pubkey::default(), OracleError::ZeroKey);
        FrameConfig::new(args.genesis_ts, args.frame_secs, args.fast_lane_secs)?;
        args.limits.validate()?;
        require!(
            (args.limits.min_rate..=args.limits.max_rate).contains(&args.initial_rate),
            OracleError::RateOutOfBounds
        );
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_committee(ctx: Context<Self>, args: InitializeCommitteeArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let committee_key = ctx.accounts.committee.key();
        let feed_key = ctx.accounts.feed.key();
        let mint = ctx.accounts.lrt_mint.key();

        let committee = &mut ctx.accounts.committee;
        committee.bump = ctx.bumps.committee;
        committee.lrt_mint = mint;
        committee.feed = feed_key;
        committee.admin = ctx.accounts.admin.key();
        committee.guardian = args.guardian;
        committee.quorum = 1;
        committee.consensus_version = args.consensus_version;
        committee.frames = FrameConfig::new(args.genesis_ts, args.frame_secs, args.fast_lane_secs)?;
        committee.limits = args.limits;

        let feed = &mut ctx.accounts.feed;
        feed.bump = ctx.bumps.feed;
        feed.lrt_mint = mint;
        feed.committee = committee_key;
        feed.fair_rate = args.initial_rate;
        feed.reported_rate = args.initial_rate;
        feed.last_report_ref_ts = now;
        feed.last_report_ts = now;
        feed.sync_limits(&args.limits);

        emit!(CommitteeInitialized {
            committee: committee_key,
            feed: feed_key,
            lrt_mint: mint,
            admin: committee.admin,
            guardian: committee.guardian,
            fair_rate: args.initial_rate,
        });
        Ok(())
    }
}
