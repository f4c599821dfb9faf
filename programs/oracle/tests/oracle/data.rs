//! Report data: what a landed report does to the feed, and every way data that does not match the
//! committee's consensus (hash, frame, version, program, feed, submitter) is refused without a trace.
use lantern_test_support::solana_sdk::pubkey::Pubkey;
use lantern_test_support::solana_sdk::signature::{Keypair, Signer};
use oracle::errors::OracleError;
use oracle::state::{HeldReport, NO_HASH};

use crate::common::*;

const QUORUM: [usize; 5] = [0, 1, 2, 3, 4];

#[tokio::test]
async fn a_landed_report_updates_the_feed_and_freezes_the_frame() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    assert_eq!(frame, 2);
    // +0.03% in one day: inside the annual limit (0.041%/day) and the smoothing step (0.075%).
    let rate = WAD + WAD * 3 / 10_000;
    let mut report = f.report(frame, rate);
    report.staked_lamports = 123_456_789_000;
    f.land(report, &QUORUM).await.expect("report lands");
    let now = f.chain.now().await;

    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, rate);
    assert_eq!(feed.reported_rate, rate);
    assert_eq!(feed.reported_staked_lamports, 123_456_789_000);
    assert_eq!(feed.last_report_frame, frame);
    assert_eq!(feed.last_report_ref_ts, f.genesis + DAY, "the frame's reference time, not the landing time");
    assert_eq!(feed.last_report_ts, now);
    assert!(!feed.bunker);
    assert_eq!(feed.held, HeldReport::default());
    let committee = f.committee_state().await;
    assert_eq!(committee.last_processed_frame, frame);

    // The frame is frozen: a voter cannot move its vote any more ...
    let signer = f.signer(0);
    let other = f.report(frame, rate + 1);
    let vote = f.vote_ix(signer.pubkey(), frame, other.hash(), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::ReportAlreadyProcessing), &f.watched()).await;
    // ... and a late vote of a member who had not voted is accepted but records nothing.
    let before = f.chain.snapshot(&f.watched()).await;
    f.vote_ok(5, frame, other.hash()).await;
    assert_eq!(f.chain.snapshot(&f.watched()).await, before, "a vote in a processed frame changed state");
    assert_eq!(f.committee_state().await.members[5].vote_hash, NO_HASH);
}

#[tokio::test]
async fn data_that_does_not_hash_to_the_consensus_hash_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let agreed = f.report(frame, WAD);
    f.vote_report(&agreed, &QUORUM).await;

    let mut other_rate = agreed.clone();
    other_rate.rate = WAD - 1;
    f.data_err(0, other_rate, OracleError::HashMismatch).await;
    let mut other_stake = agreed.clone();
    other_stake.staked_lamports += 1;
    f.data_err(1, other_stake, OracleError::HashMismatch).await;
    let mut other_flag = agreed.clone();
    other_flag.bunker = true;
    f.data_err(2, other_flag, OracleError::HashMismatch).await;

    // The frame stays open: the agreed report still lands.
    f.submit_data(3, agreed).await.expect("the agreed report lands");
    assert_eq!(f.committee_state().await.last_processed_frame, frame);
}

#[tokio::test]
async fn data_naming_another_frame_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;

    // Votes for a future frame are refused outright.
    let signer = f.signer(0);
    let future = f.report(frame + 1, WAD);
    let vote = f.vote_ix(signer.pubkey(), frame + 1, future.hash(), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongFrame), &f.watched()).await;

    // A quorum votes, in the current frame, for a report that names the next frame: its data is
    // refused because the report's frame is not the current one.
    for member in QUORUM {
        f.vote_ok(member, frame, future.hash()).await;
    }
    assert_eq!(f.committee_state().await.consensus_hash, future.hash());
    f.data_err(0, future.clone(), OracleError::WrongFrame).await;

    // A quorum agrees on the current frame's report but nobody submits it before the deadline.
    let current = f.report(frame, WAD);
    f.vote_report(&current, &QUORUM).await;
    f.warp_to_frame(frame + 1, 0).await;
    f.data_err(0, current.clone(), OracleError::DeadlinePassed).await;
    // Votes cast in the old frame do not carry over to the report that names the new frame ...
    f.data_err(0, future.clone(), OracleError::NoConsensus).await;
    // ... and voting again now, for the old frame's report, does not revive it.
    let vote = f.vote_ix(signer.pubkey(), frame, current.hash(), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::DeadlinePassed), &f.watched()).await;
    for member in QUORUM {
        f.vote_ok(member, frame + 1, current.hash()).await;
    }
    f.data_err(0, current, OracleError::DeadlinePassed).await;

    let feed = f.feed_state().await;
    assert_eq!((feed.last_report_frame, feed.fair_rate), (0, WAD), "nothing landed");
}

#[tokio::test]
async fn data_under_another_consensus_version_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;

    // A report made for version 2 while the committee runs version 1.
    let mut ahead = f.report(frame, WAD);
    ahead.consensus_version = VERSION + 1;
    f.vote_report(&ahead, &QUORUM).await;
    f.data_err(0, ahead, OracleError::WrongConsensusVersion).await;
    // Votes carry the version too.
    let signer = f.signer(0);
    let vote = f.vote_ix(signer.pubkey(), frame, hash_of(7), VERSION + 1);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongConsensusVersion), &f.watched()).await;

    // A quorum agrees on a version-1 report, then the admin moves the committee to version 2: the
    // agreed version-1 data no longer lands, and neither do version-1 votes.
    let old = f.report(frame, WAD);
    f.vote_report(&old, &QUORUM).await;
    let admin = f.admin.insecure_clone();
    let bump = f.version_ix(admin.pubkey(), VERSION + 1);
    f.chain.send_ok(&[bump], &[&admin]).await;
    f.data_err(0, old.clone(), OracleError::WrongConsensusVersion).await;
    let vote = f.vote_ix(signer.pubkey(), frame, old.hash(), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongConsensusVersion), &f.watched()).await;

    // The same report made for version 2 lands once a quorum votes for it under version 2.
    let mut new = old;
    new.consensus_version = VERSION + 1;
    f.vote_report(&new, &QUORUM).await;
    f.submit_data(0, new).await.expect("version-2 report lands");
    assert_eq!(f.feed_state().await.last_report_frame, frame);
}

#[tokio::test]
async fn data_naming_another_program_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let mut report = f.report(frame, WAD);
    report.program_id = Pubkey::new_unique();
    f.vote_report(&report, &QUORUM).await;
    f.data_err(0, report, OracleError::WrongProgram).await;
}

#[tokio::test]
async fn data_naming_another_feed_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    for wrong_feed in [Pubkey::new_unique(), f.committee, f.mint] {
        let mut report = f.report(frame, WAD);
        report.feed = wrong_feed;
        f.vote_report(&report, &QUORUM).await;
        f.data_err(0, report, OracleError::WrongFeed).await;
    }
}

#[tokio::test]
async fn a_frame_is_processed_only_once() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let report = f.report(frame, WAD);
    f.land(report.clone(), &QUORUM).await.expect("report lands");
    // The same data again, by the same or another member ...
    f.data_err(0, report.clone(), OracleError::FrameAlreadyProcessed).await;
    f.data_err(4, report, OracleError::FrameAlreadyProcessed).await;
    // ... or other data for the same frame.
    let other = f.report(frame, WAD - 1);
    f.data_err(1, other, OracleError::FrameAlreadyProcessed).await;
}

#[tokio::test]
async fn only_a_members_hot_key_may_submit_data() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let report = f.report(frame, WAD);
    f.vote_report(&report, &QUORUM).await;
    // An outsider, and a member's cold authority (which administers the seat but never reports).
    for key in [Keypair::new(), f.authority(0)] {
        let data = f.data_ix(key.pubkey(), report.clone());
        f.chain.send_err(&[data], &[&key], code(OracleError::NotMember), &f.watched()).await;
    }
    // Any member's signer may submit it, including one that did not vote.
    f.submit_data(8, report).await.expect("a non-voting member submits the agreed data");
}

#[tokio::test]
async fn data_without_consensus_is_rejected() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let a = f.report(frame, WAD);
    let b = f.report(frame, WAD + 1);
    // No votes at all.
    f.data_err(0, a.clone(), OracleError::NoConsensus).await;
    // One vote short of quorum.
    f.vote_report(&a, &[0, 1, 2, 3]).await;
    f.data_err(0, a.clone(), OracleError::NoConsensus).await;
    // Split 4-4: neither hash holds quorum.
    f.vote_report(&b, &[4, 5, 6, 7]).await;
    f.data_err(0, a.clone(), OracleError::NoConsensus).await;
    f.data_err(4, b, OracleError::NoConsensus).await;
    // The ninth member breaks the tie.
    f.vote_report(&a, &[8]).await;
    f.submit_data(8, a).await.expect("report lands with quorum");
    assert_eq!(f.feed_state().await.last_report_frame, frame);
}
