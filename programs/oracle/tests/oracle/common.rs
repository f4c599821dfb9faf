//! Oracle fixture: a committee on the real runtime with named keys and one builder per instruction.
use anchor_lang::{InstructionData, ToAccountMetas};
use lantern_test_support::solana_program_test::BanksClientError;
use lantern_test_support::solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
pub use lantern_test_support::SendExpectations;
use lantern_test_support::{oracle_ops, TestChain};
use oracle::state::{Committee, Feed, SanityLimits};
use oracle::{accounts, instruction, AccountingReport};

pub const WAD: u128 = 1_000_000_000_000_000_000;
pub const DAY: i64 = 86_400;
pub const FRAME_SECS: u32 = 86_400;
pub use lantern_test_support::oracle_ops::VERSION;

pub struct MemberKeys {
    pub authority: Keypair,
    pub signer: Keypair,
}

#[derive(Clone)]
pub struct Setup {
    pub members: usize,
    pub quorum: u8,
    pub fast_lane_secs: u32,
    pub frame_secs: u32,
    pub limits: SanityLimits,
    pub initial_rate: u128,
    /// Genesis relative to the chain's clock at setup.
    pub genesis_offset: i64,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            members: 9,
            quorum: 5,
            fast_lane_secs: 0,
            frame_secs: FRAME_SECS,
            limits: SanityLimits::default(),
            initial_rate: WAD,
            genesis_offset: 0,
        }
    }
}

pub struct Fixture {
    pub chain: TestChain,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub mint: Pubkey,
    pub committee: Pubkey,
    pub feed: Pubkey,
    pub members: Vec<MemberKeys>,
    pub genesis: i64,
}

pub use lantern_test_support::oracle_ops::pdas;

pub fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    oracle_ops::ix(oracle::ID, accounts, data)
}

pub fn init_args(setup: &Setup, guardian: Pubkey, genesis_ts: i64) -> oracle::InitializeCommitteeArgs {
    oracle::InitializeCommitteeArgs {
        guardian,
        genesis_ts,
        frame_secs: setup.frame_secs,
        fast_lane_secs: setup.fast_lane_secs,
        consensus_version: VERSION,
        initial_rate: setup.initial_rate,
        limits: setup.limits,
    }
}

pub fn init_ix(
    admin: Pubkey,
    mint_authority: Pubkey,
    mint: Pubkey,
    args: oracle::InitializeCommitteeArgs,
) -> Instruction {
    oracle_ops::initialize(admin, mint_authority, mint, args)
}

impl Fixture {
    pub async fn new() -> Self {
        Self::with(Setup::default()).await
    }

    pub async fn with(setup: Setup) -> Self {
        let mut chain = TestChain::start_with(lantern_test_support::program_test()).await;
        let admin = chain.keypair().await;
        let guardian = chain.keypair().await;
        let mint = chain.create_mint(&admin.pubkey(), 9).await;
        let (committee, feed) = pdas(&mint);
        let genesis = chain.now().await + setup.genesis_offset;
        let args = init_args(&setup, guardian.pubkey(), genesis);
        chain.send_ok(&[init_ix(admin.pubkey(), admin.pubkey(), mint, args)], &[&admin]).await;
        let mut fixture = Self { chain, admin, guardian, mint, committee, feed, members: vec![], genesis };
        for i in 0..setup.members {
            let count = (i + 1) as u8;
            let quorum = if i + 1 == setup.members { setup.quorum } else { count };
            fixture.add_new_member(quorum).await;
        }
        fixture
    }

    /// Adds a member with fresh keys and the given quorum afterwards.
    pub async fn add_new_member(&mut self, quorum: u8) -> usize {
        let keys = MemberKeys { authority: Keypair::new(), signer: Keypair::new() };
        let add = self.add_member_ix(keys.authority.pubkey(), keys.signer.pubkey(), quorum);
        let admin = self.admin.insecure_clone();
        self.chain.send_ok(&[add], &[&admin]).await;
        self.members.push(keys);
        self.members.len() - 1
    }

    pub fn watched(&self) -> [Pubkey; 2] {
        [self.committee, self.feed]
    }

    pub async fn committee_state(&mut self) -> Committee {
        self.chain.anchor_account(self.committee).await
    }

    pub async fn feed_state(&mut self) -> Feed {
        self.chain.anchor_account(self.feed).await
    }

    pub fn signer(&self, member: usize) -> Keypair {
        self.members[member].signer.insecure_clone()
    }

    pub fn authority(&self, member: usize) -> Keypair {
        self.members[member].authority.insecure_clone()
    }

    // ---- instruction builders ----

    pub fn add_member_ix(&self, authority: Pubkey, signer: Pubkey, quorum: u8) -> Instruction {
        self.add_member_ix_by(self.admin.pubkey(), authority, signer, quorum)
    }

    pub fn add_member_ix_by(&self, admin: Pubkey, authority: Pubkey, signer: Pubkey, quorum: u8) -> Instruction {
        oracle_ops::add_member(self.committee, admin, authority, signer, quorum)
    }

    pub fn remove_member_ix(&self, authority: Pubkey, quorum: u8) -> Instruction {
        ix(
            accounts::RemoveMember { admin: self.admin.pubkey(), committee: self.committee },
            instruction::RemoveMember { args: oracle::RemoveMemberArgs { authority, quorum } },
        )
    }

    pub fn set_quorum_ix(&self, admin: Pubkey, quorum: u8) -> Instruction {
        ix(
            accounts::SetQuorum { admin, committee: self.committee },
            instruction::SetQuorum { args: oracle::SetQuorumArgs { quorum } },
        )
    }

    pub fn rotate_signer_ix(&self, authority: Pubkey, new_signer: Pubkey) -> Instruction {
        ix(
            accounts::RotateSigner { authority, committee: self.committee },
            instruction::RotateSigner { args: oracle::RotateSignerArgs { new_signer } },
        )
    }

    pub fn vote_ix(&self, signer: Pubkey, frame: u64, hash: [u8; 32], consensus_version: u64) -> Instruction {
        oracle_ops::submit_report_hash(self.committee, signer, frame, hash, consensus_version)
    }

    pub fn data_ix(&self, signer: Pubkey, report: AccountingReport) -> Instruction {
        oracle_ops::submit_report_data(self.committee, self.feed, signer, report)
    }

    pub fn price_ix(&self, signer: Pubkey, price: u128, observed_ts: i64) -> Instruction {
        oracle_ops::submit_price(self.committee, self.feed, signer, price, observed_ts)
    }

    pub fn limits_ix(&self, admin: Pubkey, limits: SanityLimits) -> Instruction {
        ix(
            accounts::UpdateLimits { admin, committee: self.committee, feed: self.feed },
            instruction::UpdateLimits { args: oracle::UpdateLimitsArgs { limits } },
        )
    }

    pub fn frame_config_ix(&self, admin: Pubkey, frame_secs: u32, fast_lane_secs: u32) -> Instruction {
        ix(
            accounts::UpdateFrameConfig { admin, committee: self.committee },
            instruction::UpdateFrameConfig { args: oracle::UpdateFrameConfigArgs { frame_secs, fast_lane_secs } },
        )
    }

    pub fn version_ix(&self, admin: Pubkey, consensus_version: u64) -> Instruction {
        ix(
            accounts::SetConsensusVersion { admin, committee: self.committee },
            instruction::SetConsensusVersion { args: oracle::SetConsensusVersionArgs { consensus_version } },
        )
    }

    pub fn roles_ix(&self, admin: Pubkey, new_admin: Pubkey, guardian: Pubkey) -> Instruction {
        ix(
            accounts::SetRoles { admin, committee: self.committee },
            instruction::SetRoles { args: oracle::SetRolesArgs { admin: new_admin, guardian } },
        )
    }

    pub fn paused_ix(&self, authority: Pubkey, paused: bool) -> Instruction {
        ix(
            accounts::SetPaused { authority, committee: self.committee },
            instruction::SetPaused { args: oracle::SetPausedArgs { paused } },
        )
    }

    pub fn disabled_ix(&self, authority: Pubkey, disabled: bool) -> Instruction {
        ix(
            accounts::SetConsensusDisabled { authority, committee: self.committee },
            instruction::SetConsensusDisabled { args: oracle::SetConsensusDisabledArgs { disabled } },
        )
    }

    pub fn bunker_ix(&self, guardian: Pubkey) -> Instruction {
        ix(
            accounts::EnableBunker { guardian, committee: self.committee, feed: self.feed },
            instruction::EnableBunker {},
        )
    }

    pub fn confirm_ix(&self, guardian: Pubkey, frame: u64) -> Instruction {
        ix(
            accounts::ConfirmHeldDecrease { guardian, committee: self.committee, feed: self.feed },
            instruction::ConfirmHeldDecrease { args: oracle::ConfirmHeldDecreaseArgs { frame } },
        )
    }

    // ---- flows ----

    pub fn report(&self, frame: u64, rate: u128) -> AccountingReport {
        oracle_ops::report(self.feed, frame, rate, 1_000_000_000_000)
    }

    pub async fn current_frame(&mut self) -> u64 {
        let now = self.chain.now().await;
        self.committee_state().await.frames.frame_at(now).expect("after genesis")
    }

    /// Moves the clock to `offset` seconds into `frame`.
    pub async fn warp_to_frame(&mut self, frame: u64, offset: i64) {
        let start = self.committee_state().await.frames.ref_ts(frame);
        self.chain.warp_to(start + offset).await;
    }

    /// Moves to one hour into the next frame and returns it.
    pub async fn next_frame(&mut self) -> u64 {
        let frame = self.current_frame().await + 1;
        self.warp_to_frame(frame, 3_600).await;
        frame
    }

    pub async fn vote(&mut self, member: usize, frame: u64, hash: [u8; 32]) -> Result<(), BanksClientError> {
        let signer = self.signer(member);
        let vote = self.vote_ix(signer.pubkey(), frame, hash, VERSION);
        self.chain.send(&[vote], &[&signer]).await
    }

    pub async fn vote_ok(&mut self, member: usize, frame: u64, hash: [u8; 32]) {
        self.vote(member, frame, hash).await.unwrap_or_else(|e| panic!("member {member} vote failed: {e:?}"));
    }

    pub async fn submit_data(&mut self, member: usize, report: AccountingReport) -> Result<(), BanksClientError> {
        let signer = self.signer(member);
        let data = self.data_ix(signer.pubkey(), report);
        self.chain.send(&[data], &[&signer]).await
    }

    /// `voters` vote for the report and the first of them submits its data.
    pub async fn land(&mut self, report: AccountingReport, voters: &[usize]) -> Result<(), BanksClientError> {
        for &member in voters {
            self.vote_ok(member, report.frame, report.hash()).await;
        }
        self.submit_data(voters[0], report).await
    }

    /// Moves to the next frame and lands a report of `rate` with members 0..5.
    pub async fn land_next(&mut self, rate: u128) -> u64 {
        let frame = self.next_frame().await;
        let report = self.report(frame, rate);
        self.land(report, &[0, 1, 2, 3, 4]).await.unwrap_or_else(|e| panic!("report of frame {frame} failed: {e:?}"));
        frame
    }
}

pub fn hash_of(tag: u8) -> [u8; 32] {
    [tag; 32]
}

pub fn code(error: oracle::errors::OracleError) -> u32 {
    error.into()
}

// ---- helpers of the data, limits, adversarial and market tests ----

impl Fixture {
    /// `voters` vote for `report`'s hash in the report's frame, under the committee's current version.
    pub async fn vote_report(&mut self, report: &AccountingReport, voters: &[usize]) {
        let version = self.committee_state().await.consensus_version;
        for &member in voters {
            let signer = self.signer(member);
            let vote = self.vote_ix(signer.pubkey(), report.frame, report.hash(), version);
            if let Err(e) = self.chain.send(&[vote], &[&signer]).await {
                panic!("member {member} vote for frame {} failed: {e:?}", report.frame);
            }
        }
    }

    /// `member` submits `report`'s data, which must fail with `error` leaving committee and feed unchanged.
    pub async fn data_err(&mut self, member: usize, report: AccountingReport, error: oracle::errors::OracleError) {
        let signer = self.signer(member);
        let data = self.data_ix(signer.pubkey(), report);
        let watched = self.watched();
        self.chain.send_err(&[data], &[&signer], code(error), &watched).await;
    }

    /// Reference time (first second) of `frame` under the committee's frame config.
    pub async fn frame_ref_ts(&mut self, frame: u64) -> i64 {
        self.committee_state().await.frames.ref_ts(frame)
    }
}

/// The largest rate the annual increase limit accepts `elapsed` seconds after a report of `reported`:
/// `reported + floor(reported * limit_bps * elapsed / (BPS * YEAR))`.
pub fn max_annual_rate(limits: &SanityLimits, reported: u128, elapsed: i64) -> u128 {
    let allowed = u128::from(limits.annual_increase_limit_bps) * u128::try_from(elapsed).expect("elapsed >= 0");
    reported
        + lantern_math::mul_div_floor(reported, allowed, lantern_math::BPS * lantern_math::YEAR_SECS).expect("fits")
}
