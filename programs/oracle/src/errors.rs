use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum OracleError {
    #[msg("Only the committee admin may do this")]
    NotAdmin,
    #[msg("Only the guardian may do this")]
    NotGuardian,
    #[msg("Only the admin or the guardian may do this")]
    NotAdminOrGuardian,
    #[msg("The signer is not the hot signer of any committee member")]
    NotMember,
    #[msg("The signer is not the cold authority of any committee member")]
    NotMemberAuthority,
    #[msg("Only the LRT mint's authority may create its committee")]
    NotMintAuthority,
    #[msg("A key may not be the default (all-zero) public key")]
    ZeroKey,
    #[msg("The key is already used by a committee member")]
    DuplicateMember,
    #[msg("The committee already has the maximum number of members")]
    CommitteeFull,
    #[msg("No committee member has this authority")]
    MemberNotFound,
    #[msg("Quorum must be more than half of the members")]
    QuorumTooLow,
    #[msg("Frame length must be positive and the fast lane shorter than a frame")]
    InvalidFrameConfig,
    #[msg("A sanity limit is out of its allowed range")]
    InvalidLimits,
    #[msg("The committee is paused")]
    Paused,
    #[msg("Consensus is disabled")]
    ConsensusDisabled,
    #[msg("The first frame has not started yet")]
    BeforeGenesis,
    #[msg("The frame is not the current frame")]
    WrongFrame,
    #[msg("The frame's deadline has passed")]
    DeadlinePassed,
    #[msg("Only the fast-lane members may vote during the fast lane")]
    NotFastLaneMember,
    #[msg("The consensus version does not match the committee's")]
    WrongConsensusVersion,
    #[msg("The report hash is empty")]
    EmptyHash,
    #[msg("The member already voted for this hash in this frame")]
    DuplicateHash,
    #[msg("The frame's report is already being processed; votes are frozen")]
    ReportAlreadyProcessing,
    #[msg("No report hash holds quorum for this frame")]
    NoConsensus,
    #[msg("The report does not hash to the consensus hash")]
    HashMismatch,
    #[msg("The report names another program")]
    WrongProgram,
    #[msg("The report names another feed")]
    WrongFeed,
    #[msg("The frame's report was already processed")]
    FrameAlreadyProcessed,
    #[msg("The rate is outside the absolute bounds")]
    RateOutOfBounds,
    #[msg("The rate increase exceeds the annualised increase limit")]
    AnnualIncreaseLimitExceeded,
    #[msg("There is no held decrease to confirm")]
    NoHeldReport,
    #[msg("The held decrease belongs to another frame")]
    HeldFrameMismatch,
    #[msg("The price must be positive")]
    InvalidPrice,
    #[msg("The observation time is in the future")]
    PriceFromFuture,
    #[msg("The observation is not newer than the member's previous one")]
    PriceNotNewer,
    #[msg("The consensus version is already the current one")]
    SameConsensusVersion,
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
