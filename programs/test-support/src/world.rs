//! A world shared by the restaking and margin tests: an LRT mint, its oracle committee of 9 members
//! (quorum 5, daily frames, default limits) and its restaking pool, on one chain.
use solana_program_test::BanksClientError;
use solana_sdk::{pubkey::Pubkey, signature::{Keypair, Signer}};

use oracle::state::Feed;
use restaking::state::StakePool;

use crate::oracle_ops;
use crate::restaking_ops::PoolKeys;
use crate::TestChain;

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
    pub chain: TestChain,
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
        let mut chain = TestChain::start().await;
        let admin = chain.keypair().await;
        let guardian = chain.keypair().await;
        let stake_manager = chain.keypair().await;
        let lrt_mint = chain.create_mint(&admin.pubkey(), 9).await;
        let (committee, _) = oracle_ops::pdas(&lrt_mint);
        let now = chain.now().await;
        let init = oracle_ops::initialize(admin.pubkey(), admin.pubkey(), lrt_mint, oracle_ops::default_args(guardian.pubkey(), now, WAD));
        chain.send_ok(&[init], &[&admin]).await;
        let mut members = Vec::with_capacity(MEMBERS);
        for i in 0..MEMBERS {
            let keys = MemberKeys { authority: Keypair::new(), signer: Keypair::new() };
            let quorum = if i + 1 == MEMBERS { QUORUM as u8 } else { (i + 1) as u8 };
            let add = oracle_ops::add_member(committee, admin.pubkey(), keys.authority.pubkey(), keys.signer.pubkey(), quorum);
            chain.send_ok(&[add], &[&admin]).await;
            members.push(keys);
        }
        let keys = PoolKeys::new(lrt_mint);
        let init_pool = keys.initialize(admin.pubkey(), admin.pubkey(), stake_manager.pubkey(), restaking::state::DEFAULT_INSTANT_UNSTAKE_FEE_BPS);
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
            let vote = oracle_ops::submit_report_hash(self.committee, member.signer.pubkey(), frame, report.hash(), oracle_ops::VERSION);
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
