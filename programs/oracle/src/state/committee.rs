use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::{ConsensusLost, ConsensusReached};

/// Most members a committee can hold; the account is sized for it so membership never reallocates.
pub const MAX_MEMBERS: usize = 16;
/// Hash value meaning "no vote" / "no consensus".
pub const NO_HASH: [u8; 32] = [0; 32];

/// One committee member: a cold key that administers the seat and a hot key that signs reports.
/// The member's single vote slot and last market observation live here, so votes never grow storage.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, Debug, PartialEq, Eq, InitSpace)]
pub struct Member {
    pub authority: Pubkey,
    pub signer: Pubkey,
    /// Frame of the member's current vote (meaningless when `vote_hash` is empty).
    pub vote_frame: u64,
    pub vote_hash: [u8; 32],
    /// Last market price observation (SOL per LRT, WAD) and when it was observed.
    pub price: u128,
    pub price_ts: i64,
}

impl Member {
    pub fn voted(&self, frame: u64) -> bool {
        self.vote_hash != NO_HASH && self.vote_frame == frame
    }
}

/// Time cut into frames. Frame numbers start at 1 at genesis; `anchor_*` is re-set when the frame
/// length changes so the current frame keeps its number and start (frames never move backwards).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct FrameConfig {
    pub anchor_ts: i64,
    pub anchor_frame: u64,
    pub frame_secs: u32,
    pub fast_lane_secs: u32,
}

impl FrameConfig {
    pub fn new(genesis_ts: i64, frame_secs: u32, fast_lane_secs: u32) -> Result<Self> {
        require!(frame_secs > 0 && fast_lane_secs < frame_secs, OracleError::InvalidFrameConfig);
        Ok(Self { anchor_ts: genesis_ts, anchor_frame: 1, frame_secs, fast_lane_secs })
    }

    /// The frame containing `ts`, or `None` before genesis.
    pub fn frame_at(&self, ts: i64) -> Option<u64> {
        if ts < self.anchor_ts {
            return None;
        }
        Some(self.anchor_frame + ((ts - self.anchor_ts) as u64) / u64::from(self.frame_secs))
    }

    /// Reference time (first second) of `frame`; frames before the anchor are never current again.
    pub fn ref_ts(&self, frame: u64) -> i64 {
        let offset = frame.saturating_sub(self.anchor_frame) as i64;
        self.anchor_ts + offset * i64::from(self.frame_secs)
    }

    /// Last second in which `frame` accepts votes and data.
    pub fn deadline(&self, frame: u64) -> i64 {
        self.ref_ts(frame) + i64::from(self.frame_secs) - 1
    }

    pub fn in_fast_lane(&self, frame: u64, ts: i64) -> bool {
        ts < self.ref_ts(frame) + i64::from(self.fast_lane_secs)
    }

    /// The same frames re-cut to a new length from the current frame on: the current frame keeps its
    /// number and its start, later frames follow at the new length.
    pub fn reconfigured(&self, now: i64, frame_secs: u32, fast_lane_secs: u32) -> Result<Self> {
        let mut next = Self::new(self.anchor_ts, frame_secs, fast_lane_secs)?;
        next.anchor_frame = self.anchor_frame;
        if let Some(current) = self.frame_at(now) {
            next.anchor_ts = self.ref_ts(current);
            next.anchor_frame = current;
        }
        Ok(next)
    }
}

/// On-chain sanity limits of the accounting reports and the market price rounds.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct SanityLimits {
    pub annual_increase_limit_bps: u16,
    pub max_positive_rebase_ppb: u64,
    pub max_decrease_bps: u16,
    pub decrease_window_secs: u32,
    pub min_rate: u128,
    pub max_rate: u128,
    pub max_report_age_secs: u32,
    pub max_price_age_secs: u32,
    pub ema_half_life_secs: u32,
    /// A round whose band (median absolute deviation) is wider than this share of its price gives no
    /// market price: the members do not agree.
    pub max_confidence_bps: u16,
}

impl Default for SanityLimits {
    fn default() -> Self {
        const WAD: u128 = lantern_math::WAD;
        Self {
            annual_increase_limit_bps: 1_500,
            max_positive_rebase_ppb: 750_000,
            max_decrease_bps: 100,
            decrease_window_secs: 18 * 86_400,
            min_rate: WAD / 10,
            max_rate: 10 * WAD,
            max_report_age_secs: 129_600,
            max_price_age_secs: 60,
            ema_half_life_secs: 3_600,
            max_confidence_bps: 200,
        }
    }
}

impl SanityLimits {
    pub const MAX_WINDOW_SECS: u32 = 365 * 86_400;
    pub const MAX_RATE: u128 = 1_000_000 * lantern_math::WAD;

    pub fn validate(&self) -> Result<()> {
        let valid = (1..=10_000).contains(&self.annual_increase_limit_bps)
            && (1..=lantern_math::PPB as u64).contains(&self.max_positive_rebase_ppb)
            && self.max_decrease_bps <= 10_000
            && (1..=Self::MAX_WINDOW_SECS).contains(&self.decrease_window_secs)
            && self.min_rate > 0
            && self.min_rate <= self.max_rate
            && self.max_rate <= Self::MAX_RATE
            && self.max_report_age_secs > 0
            && self.max_price_age_secs > 0
            && self.ema_half_life_secs > 0
            && (1..=10_000).contains(&self.max_confidence_bps);
        require!(valid, OracleError::InvalidLimits);
        Ok(())
    }
}

#[account]
#[derive(InitSpace)]
pub struct Committee {
    pub bump: u8,
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub quorum: u8,
    pub member_count: u8,
    pub paused: bool,
    pub consensus_disabled: bool,
    pub consensus_version: u64,
    pub frames: FrameConfig,
    pub limits: SanityLimits,
    /// Last frame whose report was processed; its votes are frozen. 0 = none yet.
    pub last_processed_frame: u64,
    /// The hash holding quorum in `consensus_frame`, or `NO_HASH`.
    pub consensus_frame: u64,
    pub consensus_hash: [u8; 32],
    pub members: [Member; MAX_MEMBERS],
}

impl Committee {
    pub fn active_members(&self) -> &[Member] {
        &self.members[..usize::from(self.member_count)]
    }

    pub fn member_by_signer(&self, signer: &Pubkey) -> Option<usize> {
        self.active_members().iter().position(|m| m.signer == *signer)
    }

    pub fn member_by_authority(&self, authority: &Pubkey) -> Option<usize> {
        self.active_members().iter().position(|m| m.authority == *authority)
    }

    pub fn key_in_use(&self, key: &Pubkey) -> bool {
        self.active_members().iter().any(|m| m.authority == *key || m.signer == *key)
    }

    /// Members voting `hash` in `frame`, counted over the fixed member set.
    pub fn support(&self, frame: u64, hash: &[u8; 32]) -> u8 {
        self.active_members().iter().filter(|m| m.voted(frame) && m.vote_hash == *hash).count() as u8
    }

    /// Quorum > members/2 means at most one hash can hold it; quorum > members disables consensus.
    pub fn check_quorum(quorum: u8, member_count: u8) -> Result<()> {
        require!(quorum > 0 && u16::from(quorum) * 2 > u16::from(member_count), OracleError::QuorumTooLow);
        Ok(())
    }

    /// The hash holding quorum in `frame`, if any.
    pub fn consensus_for(&self, frame: u64) -> Option<([u8; 32], u8)> {
        if self.consensus_disabled || self.quorum > self.member_count {
            return None;
        }
        self.active_members()
            .iter()
            .filter(|m| m.voted(frame))
            .map(|m| (m.vote_hash, self.support(frame, &m.vote_hash)))
            .find(|(_, support)| *support >= self.quorum)
    }

    /// Whether member `index` belongs to the rotating fast-lane subset of `frame`: `quorum` members
    /// starting at `frame mod members`.
    pub fn is_fast_lane_member(&self, index: usize, frame: u64) -> bool {
        let count = u64::from(self.member_count);
        if self.quorum >= self.member_count {
            return true;
        }
        let start = frame % count;
        let offset = (index as u64 + count - start) % count;
        offset < u64::from(self.quorum)
    }

    /// Re-counts the current frame's votes after any change that can move support (votes,
    /// membership, quorum, the disable flag) and records consensus reached or lost.
    pub fn refresh_consensus(&mut self, committee: Pubkey, now: i64) {
        let Some(frame) = self.frames.frame_at(now) else { return };
        if frame <= self.last_processed_frame {
            return;
        }
        let previous = (self.consensus_frame == frame && self.consensus_hash != NO_HASH).then_some(self.consensus_hash);
        let current = self.consensus_for(frame);
        if previous == current.map(|(hash, _)| hash) {
            return;
        }
        if let Some(hash) = previous {
            emit!(ConsensusLost { committee, frame, hash });
        }
        self.consensus_frame = frame;
        self.consensus_hash = current.map_or(NO_HASH, |(hash, _)| hash);
        if let Some((hash, support)) = current {
            emit!(ConsensusReached { committee, frame, hash, support });
        }
    }

    pub fn add_member(&mut self, authority: Pubkey, signer: Pubkey, quorum: u8) -> Result<()> {
        require!(authority != Pubkey::default() && signer != Pubkey::default(), OracleError::ZeroKey);
        require!(
            authority != signer && !self.key_in_use(&authority) && !self.key_in_use(&signer),
            OracleError::DuplicateMember
        );
        require!(usize::from(self.member_count) < MAX_MEMBERS, OracleError::CommitteeFull);
        Self::check_quorum(quorum, self.member_count + 1)?;
        self.members[usize::from(self.member_count)] = Member { authority, signer, ..Member::default() };
        self.member_count += 1;
        self.quorum = quorum;
        Ok(())
    }

    /// Removes a member and with it its vote and price observation.
    pub fn remove_member(&mut self, authority: &Pubkey, quorum: u8) -> Result<()> {
        let index = self.member_by_authority(authority).ok_or(OracleError::MemberNotFound)?;
        Self::check_quorum(quorum, self.member_count - 1)?;
        let last = usize::from(self.member_count) - 1;
        self.members[index] = self.members[last];
        self.members[last] = Member::default();
        self.member_count -= 1;
        self.quorum = quorum;
        Ok(())
    }

    pub fn set_quorum(&mut self, quorum: u8) -> Result<()> {
        Self::check_quorum(quorum, self.member_count)?;
        self.quorum = quorum;
        Ok(())
    }

    /// Gives the member's seat a new hot key; the old key is refused from now on.
    pub fn rotate_signer(&mut self, authority: &Pubkey, new_signer: Pubkey) -> Result<Pubkey> {
        require!(new_signer != Pubkey::default(), OracleError::ZeroKey);
        let index = self.member_by_authority(authority).ok_or(OracleError::NotMemberAuthority)?;
        require!(!self.key_in_use(&new_signer), OracleError::DuplicateMember);
        let old = self.members[index].signer;
        self.members[index].signer = new_signer;
        Ok(old)
    }

    pub fn require_admin(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.admin, OracleError::NotAdmin);
        Ok(())
    }

    pub fn require_guardian(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.guardian, OracleError::NotGuardian);
        Ok(())
    }

    /// Safety switches (pause, disable consensus) may be thrown by the guardian or the admin; only the
    /// admin may switch them back.
    pub fn require_switch_authority(&self, key: &Pubkey, towards_safety: bool) -> Result<()> {
        if towards_safety {
            require!(*key == self.admin || *key == self.guardian, OracleError::NotAdminOrGuardian);
            Ok(())
        } else {
            self.require_admin(key)
        }
    }

    pub fn require_active(&self) -> Result<()> {
        require!(!self.paused, OracleError::Paused);
        Ok(())
    }

    /// The current frame at `now`, checked to be `frame`: a past frame's deadline has passed.
    pub fn require_current_frame(&self, frame: u64, now: i64) -> Result<()> {
        let current = self.frames.frame_at(now).ok_or(OracleError::BeforeGenesis)?;
        require!(frame <= current, OracleError::WrongFrame);
        require!(frame == current, OracleError::DeadlinePassed);
        Ok(())
    }

    /// Records member `index`'s market observation; observations only move forward in time.
    pub fn record_price(&mut self, index: usize, price: u128, observed_ts: i64) -> Result<()> {
        require!(price > 0, OracleError::InvalidPrice);
        require!(observed_ts > self.members[index].price_ts, OracleError::PriceNotNewer);
        self.members[index].price = price;
        self.members[index].price_ts = observed_ts;
        Ok(())
    }

    /// Fresh observations at `now`, sorted, with the time the quorum-th newest was observed.
    pub fn fresh_prices(&self, now: i64) -> (Vec<u128>, Option<i64>) {
        let max_age = i64::from(self.limits.max_price_age_secs);
        let fresh: Vec<&Member> =
            self.active_members().iter().filter(|m| m.price > 0 && now - m.price_ts <= max_age).collect();
        let mut times: Vec<i64> = fresh.iter().map(|m| m.price_ts).collect();
        times.sort_unstable_by(|a, b| b.cmp(a));
        let quorum_ts = times.get(usize::from(self.quorum).saturating_sub(1)).copied();
        let mut prices: Vec<u128> = fresh.iter().map(|m| m.price).collect();
        crate::math::median::sort(&mut prices);
        (prices, quorum_ts)
    }
}
