//! Committee membership: adding, removing and rotating members, the quorum rule (> n/2, > n disables)
//! and how membership and quorum changes re-check consensus.
use lantern_test_support::solana_sdk::instruction::Instruction;
use lantern_test_support::solana_sdk::pubkey::Pubkey;
use lantern_test_support::solana_sdk::signature::{Keypair, Signer};
use oracle::errors::OracleError;
use oracle::state::NO_HASH;

use crate::common::*;

/// Sends `instruction` signed by the admin and expects `error` with committee and feed unchanged.
async fn admin_err(f: &mut Fixture, instruction: Instruction, error: OracleError) {
    let admin = f.admin.insecure_clone();
    let watched = f.watched();
    f.chain.send_err(&[instruction], &[&admin], code(error), &watched).await;
}

async fn admin_ok(f: &mut Fixture, instruction: Instruction) {
    let admin = f.admin.insecure_clone();
    f.chain.send_ok(&[instruction], &[&admin]).await;
}

fn remove_member_ix_by(f: &Fixture, admin: Pubkey, authority: Pubkey, quorum: u8) -> Instruction {
    ix(
        oracle::accounts::RemoveMember { admin, committee: f.committee },
        oracle::instruction::RemoveMember { args: oracle::RemoveMemberArgs { authority, quorum } },
    )
}

/// The report of `frame` at the initial rate, which always passes the sanity checks.
fn flat_report(f: &Fixture, frame: u64) -> oracle::AccountingReport {
    f.report(frame, WAD)
}

// ---- add_member ----

#[tokio::test]
async fn add_member_appends_the_keys_and_restates_the_quorum() {
    let mut f = Fixture::new().await;
    let (authority, signer) = (Keypair::new(), Keypair::new());
    let add = f.add_member_ix(authority.pubkey(), signer.pubkey(), 6);
    admin_ok(&mut f, add).await;

    let c = f.committee_state().await;
    assert_eq!(c.member_count, 10);
    assert_eq!(c.quorum, 6);
    assert_eq!(c.members[9].authority, authority.pubkey());
    assert_eq!(c.members[9].signer, signer.pubkey());
    assert_eq!(c.members[9].vote_hash, NO_HASH);
    for (i, keys) in f.members.iter().enumerate() {
        assert_eq!(c.members[i].authority, keys.authority.pubkey(), "member {i} kept its seat");
        assert_eq!(c.members[i].signer, keys.signer.pubkey());
    }

    // The new member's hot key votes at once.
    let vote = f.vote_ix(signer.pubkey(), 1, hash_of(1), VERSION);
    f.chain.send_ok(&[vote], &[&signer]).await;
    assert_eq!(f.committee_state().await.members[9].vote_hash, hash_of(1));
}

#[tokio::test]
async fn add_member_rejects_a_zero_authority_or_signer() {
    let mut f = Fixture::new().await;
    let zero = Pubkey::default();
    let fresh = Pubkey::new_unique();
    let add = f.add_member_ix(zero, fresh, 5);
    admin_err(&mut f, add, OracleError::ZeroKey).await;
    let add = f.add_member_ix(fresh, zero, 5);
    admin_err(&mut f, add, OracleError::ZeroKey).await;
    let add = f.add_member_ix(zero, zero, 5);
    admin_err(&mut f, add, OracleError::ZeroKey).await;
    assert_eq!(f.committee_state().await.member_count, 9);
}

#[tokio::test]
async fn add_member_rejects_keys_already_in_use() {
    let mut f = Fixture::new().await;
    let fresh = Pubkey::new_unique();
    let authority_3 = f.members[3].authority.pubkey();
    let signer_3 = f.members[3].signer.pubkey();
    let cases = [
        ("authority is a member's authority", authority_3, fresh),
        ("authority is a member's signer", signer_3, fresh),
        ("signer is a member's signer", fresh, signer_3),
        ("signer is a member's authority", fresh, authority_3),
        ("authority equals signer", fresh, fresh),
    ];
    for (case, authority, signer) in cases {
        println!("case: {case}");
        let add = f.add_member_ix(authority, signer, 5);
        admin_err(&mut f, add, OracleError::DuplicateMember).await;
    }
    assert_eq!(f.committee_state().await.member_count, 9);
}

#[tokio::test]
async fn the_seventeenth_member_is_rejected_with_committee_full() {
    let mut f = Fixture::with(Setup { members: 16, quorum: 9, ..Setup::default() }).await;
    let c = f.committee_state().await;
    assert_eq!((c.member_count, c.quorum), (16, 9));
    assert_eq!(c.members[15].authority, f.members[15].authority.pubkey());

    let add = f.add_member_ix(Pubkey::new_unique(), Pubkey::new_unique(), 9);
    admin_err(&mut f, add, OracleError::CommitteeFull).await;
}

// ---- quorum rule ----

#[tokio::test]
async fn add_member_rejects_a_quorum_at_or_below_half() {
    let mut f = Fixture::new().await;
    // 10 members after the add: 5 is exactly half.
    for quorum in [0, 1, 5] {
        let add = f.add_member_ix(Pubkey::new_unique(), Pubkey::new_unique(), quorum);
        admin_err(&mut f, add, OracleError::QuorumTooLow).await;
    }
    let add = f.add_member_ix(Pubkey::new_unique(), Pubkey::new_unique(), 6);
    admin_ok(&mut f, add).await;
    let c = f.committee_state().await;
    assert_eq!((c.member_count, c.quorum), (10, 6));
}

#[tokio::test]
async fn remove_member_rejects_a_quorum_at_or_below_half() {
    let mut f = Fixture::new().await;
    let authority = f.members[2].authority.pubkey();
    // 8 members after the removal: 4 is exactly half.
    for quorum in [0, 3, 4] {
        let remove = f.remove_member_ix(authority, quorum);
        admin_err(&mut f, remove, OracleError::QuorumTooLow).await;
    }
    let remove = f.remove_member_ix(authority, 5);
    admin_ok(&mut f, remove).await;
    let c = f.committee_state().await;
    assert_eq!((c.member_count, c.quorum), (8, 5));
    assert!(c.member_by_authority(&authority).is_none());
}

#[tokio::test]
async fn set_quorum_rejects_a_quorum_at_or_below_half() {
    let mut f = Fixture::with(Setup { members: 8, quorum: 5, ..Setup::default() }).await;
    let admin = f.admin.pubkey();
    for quorum in [0, 1, 4] {
        let set = f.set_quorum_ix(admin, quorum);
        admin_err(&mut f, set, OracleError::QuorumTooLow).await;
    }
    let set = f.set_quorum_ix(admin, 6);
    admin_ok(&mut f, set).await;
    assert_eq!(f.committee_state().await.quorum, 6);
    let set = f.set_quorum_ix(admin, 5);
    admin_ok(&mut f, set).await;
    assert_eq!(f.committee_state().await.quorum, 5);
}

#[tokio::test]
async fn a_quorum_above_the_member_count_is_accepted_and_disables_consensus() {
    let mut f = Fixture::new().await;
    let set = f.set_quorum_ix(f.admin.pubkey(), 10);
    admin_ok(&mut f, set).await;
    assert_eq!(f.committee_state().await.quorum, 10);

    let report = flat_report(&f, 1);
    for member in 0..9 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    let c = f.committee_state().await;
    assert_eq!(c.support(1, &report.hash()), 9, "every member voted the same hash");
    assert_eq!(c.consensus_for(1), None);
    assert_eq!(c.consensus_hash, NO_HASH);

    let signer = f.signer(0);
    let data = f.data_ix(signer.pubkey(), report);
    let watched = f.watched();
    f.chain.send_err(&[data], &[&signer], code(OracleError::NoConsensus), &watched).await;
}

#[tokio::test]
async fn quorum_changes_recheck_consensus() {
    let mut f = Fixture::new().await;
    let report = flat_report(&f, 1);
    for member in 0..5 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    assert_eq!(f.committee_state().await.consensus_hash, report.hash());

    let admin = f.admin.pubkey();
    let raise = f.set_quorum_ix(admin, 6);
    admin_ok(&mut f, raise).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, NO_HASH), "5 votes no longer reach a quorum of 6");

    let lower = f.set_quorum_ix(admin, 5);
    admin_ok(&mut f, lower).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, report.hash()), "consensus is back at quorum 5");
    f.submit_data(0, report).await.expect("the report lands");
    assert_eq!(f.feed_state().await.last_report_frame, 1);
}

// ---- admin only ----

#[tokio::test]
async fn membership_and_quorum_changes_need_the_admin() {
    let mut f = Fixture::new().await;
    let stranger = f.chain.keypair().await;
    // A member's cold key is no admin either.
    let member_authority = f.authority(0);
    let watched = f.watched();
    for outsider in [&stranger, &member_authority] {
        let add = f.add_member_ix_by(outsider.pubkey(), Pubkey::new_unique(), Pubkey::new_unique(), 6);
        f.chain.send_err(&[add], &[outsider], code(OracleError::NotAdmin), &watched).await;
        let remove = remove_member_ix_by(&f, outsider.pubkey(), f.members[1].authority.pubkey(), 5);
        f.chain.send_err(&[remove], &[outsider], code(OracleError::NotAdmin), &watched).await;
        let set = f.set_quorum_ix(outsider.pubkey(), 6);
        f.chain.send_err(&[set], &[outsider], code(OracleError::NotAdmin), &watched).await;
    }
}

// ---- remove_member ----

#[tokio::test]
async fn removing_a_voter_drops_its_vote_and_can_lose_consensus() {
    let mut f = Fixture::new().await;
    let report = flat_report(&f, 1);
    for member in 0..5 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    // Member 8 sits in the last slot, which moves into the removed member's slot with its own vote.
    f.vote_ok(8, 1, hash_of(8)).await;
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, report.hash()));

    let removed = f.members[0].authority.pubkey();
    let remove = f.remove_member_ix(removed, 5);
    admin_ok(&mut f, remove).await;

    let c = f.committee_state().await;
    assert_eq!((c.member_count, c.quorum), (8, 5));
    assert!(c.member_by_authority(&removed).is_none());
    assert!(c.member_by_signer(&f.members[0].signer.pubkey()).is_none());
    assert_eq!(c.members[8].authority, Pubkey::default(), "the freed slot is cleared");
    assert_eq!(c.support(1, &report.hash()), 4, "the removed member's vote is gone");
    assert_eq!(c.members[0].authority, f.members[8].authority.pubkey(), "the last member moved into the freed seat");
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (1, hash_of(8)), "with its own vote");
    assert_eq!(c.support(1, &hash_of(8)), 1);
    assert_eq!(c.consensus_frame, 1);
    assert_eq!(c.consensus_hash, NO_HASH, "consensus lost");
    assert_eq!(c.consensus_for(1), None);

    // The removed member's hot key is refused; the data cannot land without consensus.
    let watched = f.watched();
    let old_signer = f.signer(0);
    let vote = f.vote_ix(old_signer.pubkey(), 1, report.hash(), VERSION);
    f.chain.send_err(&[vote], &[&old_signer], code(OracleError::NotMember), &watched).await;
    let signer = f.signer(1);
    let data = f.data_ix(signer.pubkey(), report);
    f.chain.send_err(&[data], &[&signer], code(OracleError::NoConsensus), &watched).await;
}

#[tokio::test]
async fn removing_a_non_voter_with_a_lower_quorum_can_reach_consensus() {
    // 4 votes among 8 members with quorum 5. Quorum 4 among 8 is not a majority (rejected); removing a
    // non-voter with quorum 4 among the remaining 7 is, and the 4 votes then hold it.
    let mut f = Fixture::with(Setup { members: 8, quorum: 5, ..Setup::default() }).await;
    let report = flat_report(&f, 1);
    for member in 0..4 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    assert_eq!(f.committee_state().await.consensus_hash, NO_HASH);
    let set = f.set_quorum_ix(f.admin.pubkey(), 4);
    admin_err(&mut f, set, OracleError::QuorumTooLow).await;

    let remove = f.remove_member_ix(f.members[6].authority.pubkey(), 4);
    admin_ok(&mut f, remove).await;
    let c = f.committee_state().await;
    assert_eq!((c.member_count, c.quorum), (7, 4));
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, report.hash()), "consensus reached by the removal");

    f.submit_data(0, report).await.expect("the report lands");
    let feed = f.feed_state().await;
    assert_eq!(feed.last_report_frame, 1);
    assert_eq!(f.committee_state().await.last_processed_frame, 1);
}

#[tokio::test]
async fn removing_an_unknown_authority_fails_with_member_not_found() {
    let mut f = Fixture::new().await;
    let remove = f.remove_member_ix(Pubkey::new_unique(), 5);
    admin_err(&mut f, remove, OracleError::MemberNotFound).await;
    // A member's hot key does not name its seat.
    let remove = f.remove_member_ix(f.members[0].signer.pubkey(), 5);
    admin_err(&mut f, remove, OracleError::MemberNotFound).await;
}

// ---- rotate_signer ----

#[tokio::test]
async fn rotation_invalidates_the_old_signer_at_once_and_keeps_the_vote() {
    let mut f = Fixture::new().await;
    f.vote_ok(0, 1, hash_of(1)).await;
    let authority = f.authority(0);
    let old = f.signer(0);
    let new = Keypair::new();
    let rotate = f.rotate_signer_ix(authority.pubkey(), new.pubkey());
    f.chain.send_ok(&[rotate], &[&authority]).await;

    let c = f.committee_state().await;
    assert_eq!(c.members[0].authority, authority.pubkey());
    assert_eq!(c.members[0].signer, new.pubkey());
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (1, hash_of(1)), "vote slot preserved");
    assert_eq!(c.member_count, 9);

    let watched = f.watched();
    let vote = f.vote_ix(old.pubkey(), 1, hash_of(2), VERSION);
    f.chain.send_err(&[vote], &[&old], code(OracleError::NotMember), &watched).await;
    // The seat's vote is still the one cast by the old key.
    let vote = f.vote_ix(new.pubkey(), 1, hash_of(1), VERSION);
    f.chain.send_err(&[vote], &[&new], code(OracleError::DuplicateHash), &watched).await;
    let vote = f.vote_ix(new.pubkey(), 1, hash_of(2), VERSION);
    f.chain.send_ok(&[vote], &[&new]).await;
    let c = f.committee_state().await;
    assert_eq!(c.members[0].vote_hash, hash_of(2));
    assert_eq!(c.support(1, &hash_of(1)), 0);
    assert_eq!(c.support(1, &hash_of(2)), 1);
}

#[tokio::test]
async fn rotation_by_a_non_member_authority_fails() {
    let mut f = Fixture::new().await;
    let stranger = f.chain.keypair().await;
    let watched = f.watched();
    let rotate = f.rotate_signer_ix(stranger.pubkey(), Pubkey::new_unique());
    f.chain.send_err(&[rotate], &[&stranger], code(OracleError::NotMemberAuthority), &watched).await;
    // The hot key cannot rotate itself: only the cold authority can.
    let hot = f.signer(0);
    let rotate = f.rotate_signer_ix(hot.pubkey(), Pubkey::new_unique());
    f.chain.send_err(&[rotate], &[&hot], code(OracleError::NotMemberAuthority), &watched).await;
}

#[tokio::test]
async fn rotation_to_a_key_in_use_or_zero_fails() {
    let mut f = Fixture::new().await;
    let authority = f.authority(0);
    let watched = f.watched();
    let in_use = [
        f.members[1].signer.pubkey(),
        f.members[1].authority.pubkey(),
        f.members[0].signer.pubkey(),
        f.members[0].authority.pubkey(),
    ];
    for key in in_use {
        let rotate = f.rotate_signer_ix(authority.pubkey(), key);
        f.chain.send_err(&[rotate], &[&authority], code(OracleError::DuplicateMember), &watched).await;
    }
    let rotate = f.rotate_signer_ix(authority.pubkey(), Pubkey::default());
    f.chain.send_err(&[rotate], &[&authority], code(OracleError::ZeroKey), &watched).await;
}
