//! Report hash votes: who may vote, one slot per member, support moving between hashes, consensus
//! reached, lost and regained, splits, frozen frames after processing, pause and disable.
use lantern_test_support::solana_sdk::signature::Signer;
use oracle::errors::OracleError;
use oracle::state::NO_HASH;

use crate::common::*;

/// Member `member` votes `hash` for `frame` and expects `error`, with committee and feed unchanged.
async fn vote_err(f: &mut Fixture, member: usize, frame: u64, hash: [u8; 32], error: OracleError) {
    let signer = f.signer(member);
    let vote = f.vote_ix(signer.pubkey(), frame, hash, VERSION);
    let watched = f.watched();
    f.chain.send_err(&[vote], &[&signer], code(error), &watched).await;
}

async fn data_err(f: &mut Fixture, member: usize, report: oracle::AccountingReport, error: OracleError) {
    let signer = f.signer(member);
    let data = f.data_ix(signer.pubkey(), report);
    let watched = f.watched();
    f.chain.send_err(&[data], &[&signer], code(error), &watched).await;
}

#[tokio::test]
async fn a_non_member_cannot_vote() {
    let mut f = Fixture::new().await;
    let stranger = f.chain.keypair().await;
    let watched = f.watched();
    let vote = f.vote_ix(stranger.pubkey(), 1, hash_of(1), VERSION);
    f.chain.send_err(&[vote], &[&stranger], code(OracleError::NotMember), &watched).await;
    // A member's cold key is not a hot key either.
    let authority = f.authority(0);
    let vote = f.vote_ix(authority.pubkey(), 1, hash_of(1), VERSION);
    f.chain.send_err(&[vote], &[&authority], code(OracleError::NotMember), &watched).await;
}

#[tokio::test]
async fn a_vote_for_another_consensus_version_is_rejected() {
    let mut f = Fixture::new().await;
    let signer = f.signer(0);
    let watched = f.watched();
    for version in [VERSION + 1, VERSION - 1] {
        let vote = f.vote_ix(signer.pubkey(), 1, hash_of(1), version);
        f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongConsensusVersion), &watched).await;
    }
    // After a version bump the old version is the wrong one.
    let admin = f.admin.insecure_clone();
    let bump = f.version_ix(admin.pubkey(), VERSION + 1);
    f.chain.send_ok(&[bump], &[&admin]).await;
    let watched = f.watched();
    let vote = f.vote_ix(signer.pubkey(), 1, hash_of(1), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongConsensusVersion), &watched).await;
    let vote = f.vote_ix(signer.pubkey(), 1, hash_of(1), VERSION + 1);
    f.chain.send_ok(&[vote], &[&signer]).await;
}

#[tokio::test]
async fn an_empty_hash_is_rejected() {
    let mut f = Fixture::new().await;
    vote_err(&mut f, 0, 1, NO_HASH, OracleError::EmptyHash).await;
    // Not even as a way to withdraw an existing vote.
    f.vote_ok(0, 1, hash_of(1)).await;
    vote_err(&mut f, 0, 1, NO_HASH, OracleError::EmptyHash).await;
}

#[tokio::test]
async fn resending_the_same_hash_is_rejected() {
    let mut f = Fixture::new().await;
    f.vote_ok(0, 1, hash_of(1)).await;
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::DuplicateHash).await;
    // Back and forth is a change each time, not a duplicate.
    f.vote_ok(0, 1, hash_of(2)).await;
    f.vote_ok(0, 1, hash_of(1)).await;
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::DuplicateHash).await;
    // The same hash in the next frame is a new vote.
    f.next_frame().await;
    f.vote_ok(0, 2, hash_of(1)).await;
    let c = f.committee_state().await;
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (2, hash_of(1)));
    assert_eq!(c.support(1, &hash_of(1)), 0, "the frame 1 vote was replaced");
}

#[tokio::test]
async fn changing_a_vote_moves_support_to_the_new_hash() {
    let mut f = Fixture::new().await;
    let (a, b) = (hash_of(1), hash_of(2));
    for member in 0..3 {
        f.vote_ok(member, 1, a).await;
    }
    f.vote_ok(3, 1, b).await;
    let c = f.committee_state().await;
    assert_eq!((c.support(1, &a), c.support(1, &b)), (3, 1));

    f.vote_ok(0, 1, b).await;
    let c = f.committee_state().await;
    assert_eq!((c.support(1, &a), c.support(1, &b)), (2, 2));
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (1, b));
}

#[tokio::test]
async fn consensus_is_reached_at_quorum_lost_on_a_changed_vote_and_regained() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    let (a, other) = (report.hash(), hash_of(7));
    for member in 0..4 {
        f.vote_ok(member, 1, a).await;
        let c = f.committee_state().await;
        assert_eq!(c.consensus_hash, NO_HASH, "{} votes are below quorum", member + 1);
        assert_eq!(c.consensus_for(1), None);
    }
    f.vote_ok(4, 1, a).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, a), "the 5th vote reaches quorum");
    assert_eq!(c.consensus_for(1), Some((a, 5)));

    f.vote_ok(2, 1, other).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, NO_HASH), "lost when a voter changes its vote");
    assert_eq!(c.consensus_for(1), None);
    data_err(&mut f, 0, report.clone(), OracleError::NoConsensus).await;

    f.vote_ok(5, 1, a).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, a), "regained with another member");
    assert_eq!(c.consensus_for(1), Some((a, 5)));
    f.submit_data(5, report).await.expect("the report lands");
    assert_eq!(f.feed_state().await.last_report_frame, 1);
}

#[tokio::test]
async fn a_4_4_1_split_has_no_consensus() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    let (a, b, c_hash) = (report.hash(), hash_of(2), hash_of(3));
    for member in 0..4 {
        f.vote_ok(member, 1, a).await;
    }
    for member in 4..8 {
        f.vote_ok(member, 1, b).await;
    }
    f.vote_ok(8, 1, c_hash).await;
    let c = f.committee_state().await;
    assert_eq!((c.support(1, &a), c.support(1, &b), c.support(1, &c_hash)), (4, 4, 1));
    assert_eq!(c.consensus_for(1), None);
    assert_eq!(c.consensus_hash, NO_HASH);
    data_err(&mut f, 0, report, OracleError::NoConsensus).await;
    let report_b = f.report(1, 2 * WAD);
    data_err(&mut f, 4, report_b, OracleError::NoConsensus).await;
}

#[tokio::test]
async fn after_processing_voters_are_frozen_and_non_voters_are_a_no_op() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    f.land(report.clone(), &[0, 1, 2, 3, 4]).await.expect("the report lands");
    let c = f.committee_state().await;
    assert_eq!(c.last_processed_frame, 1);

    // A member that voted in the frame may not change (or repeat) its vote.
    vote_err(&mut f, 0, 1, hash_of(9), OracleError::ReportAlreadyProcessing).await;
    vote_err(&mut f, 4, 1, report.hash(), OracleError::ReportAlreadyProcessing).await;

    // A member that never voted gets a successful no-op.
    let accounts = [f.committee, f.feed];
    let before = f.chain.snapshot(&accounts).await;
    f.vote_ok(5, 1, report.hash()).await;
    f.vote_ok(6, 1, hash_of(9)).await;
    assert_eq!(before, f.chain.snapshot(&accounts).await, "a late vote records nothing");
    let c = f.committee_state().await;
    assert_eq!(c.members[5].vote_hash, NO_HASH);
    assert_eq!(c.support(1, &report.hash()), 5);

    // The frame's data cannot land twice.
    data_err(&mut f, 1, report, OracleError::FrameAlreadyProcessed).await;
}

#[tokio::test]
async fn hash_spam_neither_grows_the_account_nor_touches_other_slots() {
    let mut f = Fixture::new().await;
    for member in 1..4 {
        f.vote_ok(member, 1, hash_of(200)).await;
    }
    let before = f.chain.account(f.committee).await.expect("committee");
    let committee_before = f.committee_state().await;

    for i in 0..50u8 {
        let mut hash = [0u8; 32];
        hash[0] = i + 1;
        hash[31] = 0xA5;
        f.vote_ok(0, 1, hash).await;
    }

    let after = f.chain.account(f.committee).await.expect("committee");
    assert_eq!(after.data.len(), before.data.len());
    assert_eq!(after.lamports, before.lamports);
    let c = f.committee_state().await;
    let mut last = [0u8; 32];
    last[0] = 50;
    last[31] = 0xA5;
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (1, last));
    assert_eq!(&c.members[1..], &committee_before.members[1..], "other members' slots unchanged");
    assert_eq!(c.support(1, &last), 1);
    assert_eq!(c.support(1, &hash_of(200)), 3);
}

#[tokio::test]
async fn a_paused_committee_refuses_votes_and_data() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    for member in 0..5 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    let guardian = f.guardian.insecure_clone();
    let pause = f.paused_ix(guardian.pubkey(), true);
    f.chain.send_ok(&[pause], &[&guardian]).await;
    assert!(f.committee_state().await.paused);

    vote_err(&mut f, 5, 1, report.hash(), OracleError::Paused).await;
    data_err(&mut f, 0, report.clone(), OracleError::Paused).await;

    let admin = f.admin.insecure_clone();
    let unpause = f.paused_ix(admin.pubkey(), false);
    f.chain.send_ok(&[unpause], &[&admin]).await;
    f.vote_ok(5, 1, report.hash()).await;
    f.submit_data(0, report).await.expect("the report lands after unpausing");
}

#[tokio::test]
async fn disabled_consensus_refuses_votes_and_data() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    for member in 0..5 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    assert_eq!(f.committee_state().await.consensus_hash, report.hash());

    let guardian = f.guardian.insecure_clone();
    let disable = f.disabled_ix(guardian.pubkey(), true);
    f.chain.send_ok(&[disable], &[&guardian]).await;
    let c = f.committee_state().await;
    assert!(c.consensus_disabled);
    assert_eq!(c.consensus_hash, NO_HASH, "disabling drops the consensus at once");
    assert_eq!(c.consensus_for(1), None);

    vote_err(&mut f, 5, 1, report.hash(), OracleError::ConsensusDisabled).await;
    vote_err(&mut f, 0, 1, hash_of(9), OracleError::ConsensusDisabled).await;
    data_err(&mut f, 0, report.clone(), OracleError::ConsensusDisabled).await;

    let admin = f.admin.insecure_clone();
    let enable = f.disabled_ix(admin.pubkey(), false);
    f.chain.send_ok(&[enable], &[&admin]).await;
    assert_eq!(f.committee_state().await.consensus_hash, report.hash(), "re-enabling re-counts the votes");
    f.submit_data(0, report).await.expect("the report lands after re-enabling");
}
