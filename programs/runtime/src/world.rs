//! A world shared by the restaking and margin tests: an LRT mint, its oracle committee of 9 members
//! (quorum 5, daily frames, default limits) and its restaking pool, on one chain.
use solana_program_test::BanksClientError;
use solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

use oracle::state::Feed;
use restaking::state::StakePool;

use margin::state::{LendingPool, Market, PoolParams, PricingPolicy, RiskParams, SubAccount};

use crate::margin_ops::{MarginKeys, SubKeys};
use crate::oracle_ops;
use crate::restaking_ops::PoolKeys;
use crate::RuntimeChain;

pub const WAD: u128 = 1_000_000_000_000_000_000;
pub const SOL: u64 = 1_000_000_000;
pub const MEMBERS: usize = 9;
pub const QUORUM: usize = 5;

pub struct MemberKeys {
    pub authority: Keypair,
    pub signer: Keypair,
}

/// A funded user with a wSOL account and an LRT account.
pub struct User {
    pub key: Keypair,
    pub wsol: Pubkey,
    pub lrt: Pubkey,
}

pub struct World {
    pub chain: RuntimeChain,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub stake_manager: Keypair,
    pub stake_manager_wsol: Pubkey,
    pub members: Vec<MemberKeys>,
    pub committee: Pubkey,
    pub keys: PoolKeys,
}

impl World {
    pub async fn new() -> Self {
        Self::on(RuntimeChain::start().await).await
    }

    /// Builds the world on an existing chain (the local chain's demo bootstrap does this).
    pub async fn on(mut chain: RuntimeChain) -> Self {
        let admin = chain.keypair().await;
        let guardian = chain.keypair().await;
        let stake_manager = chain.keypair().await;
        let lrt_mint = chain.create_mint(&admin.pubkey(), 9).await;
        let (committee, _) = oracle_ops::pdas(&lrt_mint);
        let now = chain.now().await;
        let init = oracle_ops::initialize(
            admin.pubkey(),
            admin.pubkey(),
            lrt_mint,
            oracle_ops::default_args(guardian.pubkey(), now, WAD),
        );
        chain.send_ok(&[init], &[&admin]).await;
        let mut members = Vec::with_capacity(MEMBERS);
        for i in 0..MEMBERS {
            let keys = MemberKeys { authority: Keypair::new(), signer: Keypair::new() };
            let quorum = if i + 1 == MEMBERS { QUORUM as u8 } else { (i + 1) as u8 };
            let add = oracle_ops::add_member(
                committee,
                admin.pubkey(),
                keys.authority.pubkey(),
                keys.signer.pubkey(),
                quorum,
            );
            chain.send_ok(&[add], &[&admin]).await;
            members.push(keys);
        }
        let keys = PoolKeys::new(lrt_mint);
        let init_pool = keys.initialize(
            admin.pubkey(),
            admin.pubkey(),
            stake_manager.pubkey(),
            restaking::state::DEFAULT_INSTANT_UNSTAKE_FEE_BPS,
        );
        chain.send_ok(&[init_pool], &[&admin]).await;
        let stake_manager_wsol = chain.create_wsol_account(&stake_manager.pubkey(), 0).await;
        Self { chain, admin, guardian, stake_manager, stake_manager_wsol, members, committee, keys }
    }

    pub async fn feed(&mut self) -> Feed {
        self.chain.anchor_account(self.keys.feed).await
    }

    pub async fn pool(&mut self) -> StakePool {
        self.chain.anchor_account(self.keys.pool).await
    }

    pub async fn current_frame(&mut self) -> u64 {
        let now = self.chain.now().await;
        let committee: oracle::state::Committee = self.chain.anchor_account(self.committee).await;
        committee.frames.frame_at(now).expect("after genesis")
    }

    /// Moves to one hour into the next frame and has a quorum report `rate` (and `bunker`).
    pub async fn report(&mut self, rate: u128, bunker: bool) -> Result<u64, BanksClientError> {
        let frame = self.current_frame().await + 1;
        let committee: oracle::state::Committee = self.chain.anchor_account(self.committee).await;
        self.chain.warp_to(committee.frames.ref_ts(frame) + 3_600).await;
        let staked = self.pool().await.staked_lamports;
        let mut report = oracle_ops::report(self.keys.feed, frame, rate, staked);
        report.bunker = bunker;
        for member in &self.members[..QUORUM] {
            let vote = oracle_ops::submit_report_hash(
                self.committee,
                member.signer.pubkey(),
                frame,
                report.hash(),
                oracle_ops::VERSION,
            );
            let signer = member.signer.insecure_clone();
            self.chain.send(&[vote], &[&signer]).await?;
        }
        let signer = self.members[0].signer.insecure_clone();
        let data = oracle_ops::submit_report_data(self.committee, self.keys.feed, signer.pubkey(), report);
        self.chain.send(&[data], &[&signer]).await?;
        Ok(frame)
    }

    /// Keeps the feed fresh: a report of the current fair rate in the next frame.
    pub async fn refresh(&mut self) {
        let rate = self.feed().await.fair_rate;
        self.report(rate, false).await.expect("refresh report");
    }

    /// `count` members observe `price` now.
    pub async fn submit_prices(&mut self, price: u128, count: usize) {
        let now = self.chain.now().await;
        for member in &self.members[..count] {
            let signer = member.signer.insecure_clone();
            let submit = oracle_ops::submit_price(self.committee, self.keys.feed, signer.pubkey(), price, now);
            self.chain.send_ok(&[submit], &[&signer]).await;
        }
    }

    /// A funded user holding `wsol` lamports of wSOL and an empty LRT account.
    pub async fn user(&mut self, wsol: u64) -> User {
        let key = self.chain.keypair().await;
        let wsol_account = self.chain.create_wsol_account(&key.pubkey(), wsol).await;
        let lrt = self.chain.create_token_account(&self.keys.lrt_mint, &key.pubkey()).await;
        User { key, wsol: wsol_account, lrt }
    }

    /// Deposits `lamports` of the user's wSOL into the pool; returns the LRT minted.
    pub async fn deposit(&mut self, user: &User, lamports: u64) -> u64 {
        let before = self.chain.token_balance(user.lrt).await;
        let deposit = self.keys.deposit(user.key.pubkey(), user.wsol, user.lrt, lamports, 0);
        let signer = user.key.insecure_clone();
        self.chain.send_ok(&[deposit], &[&signer]).await;
        self.chain.token_balance(user.lrt).await - before
    }
}

impl World {
    /// A second LRT mint on the same chain with its own committee (no members: its feed holds rate 1
    /// and stays fresh for 1.5 frames from now) and its own pool, administered by `admin`, with the
    /// same stake manager. For tests that substitute another pool's accounts.
    pub async fn another_pool(&mut self) -> PoolKeys {
        let admin = self.admin.insecure_clone();
        let lrt_mint = self.chain.create_mint(&admin.pubkey(), 9).await;
        self.committee_for(lrt_mint).await;
        let keys = PoolKeys::new(lrt_mint);
        let init_pool = keys.initialize(
            admin.pubkey(),
            admin.pubkey(),
            self.stake_manager.pubkey(),
            restaking::state::DEFAULT_INSTANT_UNSTAKE_FEE_BPS,
        );
        self.chain.send_ok(&[init_pool], &[&admin]).await;
        keys
    }

    /// Creates the committee and feed of `lrt_mint`, whose mint authority must be `admin`: no members,
    /// default limits, daily frames from now, rate 1 (so the feed is fresh for 1.5 frames).
    pub async fn committee_for(&mut self, lrt_mint: Pubkey) {
        let admin = self.admin.insecure_clone();
        let now = self.chain.now().await;
        let init = oracle_ops::initialize(
            admin.pubkey(),
            admin.pubkey(),
            lrt_mint,
            oracle_ops::default_args(self.guardian.pubkey(), now, WAD),
        );
        self.chain.send_ok(&[init], &[&admin]).await;
    }

    /// A fresh mint of `decimals` with `admin` as its mint authority and `freeze_authority` set
    /// (`RuntimeChain::create_mint` makes mints without one).
    pub async fn mint_with_freeze_authority(&mut self, decimals: u8, freeze_authority: &Pubkey) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.chain.payer();
        let len = <spl_token::state::Mint as solana_sdk::program_pack::Pack>::LEN;
        let lamports = self.chain.rent(len).await;
        let instructions = [
            solana_system_interface::instruction::create_account(
                &payer.pubkey(),
                &mint.pubkey(),
                lamports,
                len as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                &self.admin.pubkey(),
                Some(freeze_authority),
                decimals,
            )
            .expect("initialize_mint2"),
        ];
        self.chain.send_ok(&instructions, &[&mint]).await;
        mint.pubkey()
    }

    /// Queues a withdrawal of `lrt` from the user's LRT account; returns the ticket id.
    pub async fn request(&mut self, user: &User, lrt: u64) -> u64 {
        let id = self.pool().await.next_ticket;
        let request = self.keys.request_withdrawal(user.key.pubkey(), user.lrt, id, lrt);
        let signer = user.key.insecure_clone();
        self.chain.send_ok(&[request], &[&signer]).await;
        id
    }
}

/// The world plus the margin program: the SOL pool (default parameters) and the LRT's market.
pub struct MarginWorld {
    pub w: World,
    pub m: MarginKeys,
}

impl MarginWorld {
    pub async fn new(policy: PricingPolicy) -> Self {
        Self::on(World::new().await, policy).await
    }

    pub async fn on(mut w: World, policy: PricingPolicy) -> Self {
        let m = MarginKeys::new(w.keys);
        let admin = w.admin.insecure_clone();
        w.chain.set_upgrade_authority(&margin::ID, &admin.pubkey());
        w.chain.send_ok(&[m.initialize_pool(admin.pubkey(), PoolParams::default())], &[&admin]).await;
        w.chain
            .send_ok(&[m.initialize_market(admin.pubkey(), policy, RiskParams::default(), u64::MAX)], &[&admin])
            .await;
        Self { w, m }
    }

    pub async fn pool(&mut self) -> LendingPool {
        self.w.chain.anchor_account(self.m.pool).await
    }

    pub async fn market(&mut self) -> Market {
        self.w.chain.anchor_account(self.m.market).await
    }

    pub async fn sub_account(&mut self, s: SubKeys) -> SubAccount {
        self.w.chain.anchor_account(s.sub).await
    }

    /// A user who has supplied `lamports` to the pool.
    pub async fn lender(&mut self, lamports: u64) -> User {
        let user = self.w.user(lamports).await;
        let signer = user.key.insecure_clone();
        self.w.chain.send_ok(&[self.m.supply(signer.pubkey(), user.wsol, lamports)], &[&signer]).await;
        user
    }

    /// A user holding `wsol` with an empty sub-account `0`.
    pub async fn trader(&mut self, wsol: u64) -> (User, SubKeys) {
        let user = self.w.user(wsol).await;
        let signer = user.key.insecure_clone();
        self.w.chain.send_ok(&[self.m.create_sub_account(signer.pubkey(), 0)], &[&signer]).await;
        let s = self.m.sub(&signer.pubkey(), 0);
        (user, s)
    }

    /// Quorum members observe `price` now, so risk-increasing actions have a fresh market price.
    pub async fn fresh_prices(&mut self, price: u128) {
        self.w.submit_prices(price, QUORUM).await;
    }

    pub async fn leverage_up(
        &mut self,
        user: &User,
        s: SubKeys,
        equity: u64,
        borrow: u64,
    ) -> Result<(), BanksClientError> {
        let signer = user.key.insecure_clone();
        let ix = self.m.leverage_up(signer.pubkey(), s, user.wsol, equity, borrow, 0);
        self.w.chain.send(&[ix], &[&signer]).await
    }
}

/// Helpers of the margin pricing, scenario, invariant and property tests.
impl MarginWorld {
    /// A quorum report of `rate` in the next frame; a decrease beyond the oracle's budget, held for the
    /// guardian, is confirmed at once (a slashing the guardian agrees with). Returns the frame.
    pub async fn report_confirmed(&mut self, rate: u128) -> Result<u64, BanksClientError> {
        let frame = self.w.report(rate, false).await?;
        if self.w.feed().await.held.frame == frame {
            let guardian = self.w.guardian.insecure_clone();
            let confirm = crate::oracle_ops::ix(
                oracle::ID,
                oracle::accounts::ConfirmHeldDecrease {
                    guardian: guardian.pubkey(),
                    committee: self.w.committee,
                    feed: self.w.keys.feed,
                },
                oracle::instruction::ConfirmHeldDecrease { args: oracle::ConfirmHeldDecreaseArgs { frame } },
            );
            self.w.chain.send(&[confirm], &[&guardian]).await?;
        }
        Ok(frame)
    }

    /// Market price rounds at `price`, `rounds` of them `step` seconds apart (the first after `step`),
    /// with the members also observing at least every `max_price_age_secs` in between, as keepers do
    /// (the EMA only counts time covered by fresh prices): a sustained move the EMA follows.
    pub async fn sustain_price(&mut self, price: u128, rounds: usize, step: i64) {
        let max_age = i64::from(self.w.feed().await.max_price_age_secs);
        for _ in 0..rounds {
            let mut left = step;
            while left > 0 {
                let dt = left.min(max_age);
                self.w.chain.warp_by(dt).await;
                self.fresh_prices(price).await;
                left -= dt;
            }
        }
    }

    /// Rewrites the feed's fair rate (and reported rate), as if the committee had reported it: for tests
    /// whose subject is what the margin does at a rate, not the committee's path to it.
    pub async fn set_fair_rate(&mut self, rate: u128) {
        use anchor_lang::{AccountDeserialize, AccountSerialize};
        let address = self.m.restaking.feed;
        let mut account = self.w.chain.account(address).await.expect("feed");
        let mut feed = oracle::state::Feed::try_deserialize(&mut account.data.as_slice()).expect("feed");
        feed.fair_rate = rate;
        feed.reported_rate = rate;
        let mut data = Vec::new();
        feed.try_serialize(&mut data).expect("serialize feed");
        account.data[..data.len()].copy_from_slice(&data);
        self.w.chain.ctx.set_account(&address, &account.into());
    }

    /// The admin's `update_market`, keeping the current risk parameters and collateral cap.
    pub async fn set_policy_and_pause(&mut self, policy: PricingPolicy, paused: bool) {
        let market = self.market().await;
        let admin = self.w.admin.insecure_clone();
        let update = self.m.update_market(admin.pubkey(), policy, market.risk, market.collateral_cap, paused);
        self.w.chain.send_ok(&[update], &[&admin]).await;
    }

    /// The pool as the next instruction sees it: interest accrued (off-chain, by the program's own
    /// code) up to the chain's current time.
    pub async fn pool_accrued_now(&mut self) -> LendingPool {
        let mut pool = self.pool().await;
        let now = self.w.chain.now().await;
        pool.accrue(now).expect("accrue");
        pool
    }

    /// The market's maintenance and risk-increase prices now, per its policy.
    pub async fn prices_now(&mut self) -> Result<margin::math::pricing::Prices, anchor_lang::error::Error> {
        let market = self.market().await;
        let feed = self.w.feed().await;
        let now = self.w.chain.now().await;
        market.prices(&feed, now)
    }
}

impl MarginWorld {
    /// What `liquidate(max_repay)` of `s` would do now, by the program's own math on the current
    /// state: interest accrued to now, the maintenance price of the market's policy.
    pub async fn liquidation_plan_now(
        &mut self,
        s: SubKeys,
        max_repay: u64,
    ) -> Result<margin::math::liquidation::Plan, margin::errors::MarginError> {
        let pool = self.pool_accrued_now().await;
        let sub = self.sub_account(s).await;
        let risk = self.market().await.risk;
        let maint = self.prices_now().await.map_err(|_| margin::errors::MarginError::MarketPriceUnavailable)?.maint;
        let debt = sub.debt(&pool).expect("debt");
        margin::math::liquidation::plan(debt, sub.collateral, maint, &risk, max_repay)
    }
}
