use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::{MarketPriceUpdated, PriceSubmitted};
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitPriceArgs {
    /// Observed market price, SOL per LRT (WAD).
    pub price: u128,
    pub observed_ts: i64,
}

#[derive(Accounts)]
pub struct SubmitPrice<'info> {
    pub signer: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump, has_one = feed)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(mut, seeds = [seeds::FEED, feed.lrt_mint.as_ref()], bump = feed.bump)]
    pub feed: Box<Account<'info, Feed>>,
}

impl SubmitPrice<'_> {
    fn validate(&self, args: &SubmitPriceArgs) -> Result<()> {
        self.committee.require_active()?;
        require!(self.committee.member_by_signer(&self.signer.key()).is_some(), OracleError::NotMember);
        require!(args.price > 0, OracleError::InvalidPrice);
        require!(args.observed_ts <= Clock::get()?.unix_timestamp, OracleError::PriceFromFuture);
        Ok(())
    }

    /// Stores the observation; when a quorum of observations is fresh and agrees, the feed's market
    /// price becomes their median with its robust low and band, and the EMAs move toward them.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn submit_price(ctx: Context<Self>, args: SubmitPriceArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let committee_key = ctx.accounts.committee.key();
        let feed_key = ctx.accounts.feed.key();
        let committee = &mut ctx.accounts.committee;
        let index = committee.member_by_signer(&ctx.accounts.signer.key()).ok_or(OracleError::NotMember)?;
        committee.record_price(index, args.price, args.observed_ts)?;
        emit!(PriceSubmitted {
            committee: committee_key,
            member: committee.members[index].authority,
            price: args.price,
            observed_ts: args.observed_ts,
        });

        let (fresh, quorum_ts) = committee.fresh_prices(now);
        let feed = &mut ctx.accounts.feed;
        if let Some(market) = feed.update_market(&fresh, quorum_ts, committee.quorum, now, &committee.limits) {
            emit!(MarketPriceUpdated {
                feed: feed_key,
                price: market.price,
                low: market.low,
                confidence: market.confidence,
                ema: market.ema,
                ema_low: market.ema_low,
                observations: fresh.len() as u8,
            });
        }
        Ok(())
    }
}
