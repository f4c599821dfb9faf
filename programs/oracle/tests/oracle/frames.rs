//! Frames: genesis, the first and last second of a frame, past and future frames, the rotating fast
//! lane, and frame re-configuration.
use lantern_test_support::solana_sdk::signature::Signer;
use oracle::errors::OracleError;

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

/// The members allowed in the fast lane of `frame`: `quorum` members from index `frame mod n` on.
fn fast_lane(frame: u64, members: usize, quorum: usize) -> Vec<usize> {
    (0..quorum).map(|j| (frame as usize + j) % members).collect()
}

// ---- genesis and frame edges ----

#[tokio::test]
async fn votes_and_data_before_genesis_fail_with_before_genesis() {
    let mut f = Fixture::with(Setup { genesis_offset: 1_000, ..Setup::default() }).await;
    assert!(f.chain.now().await < f.genesis);
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::BeforeGenesis).await;
    vote_err(&mut f, 0, 0, hash_of(1), OracleError::BeforeGenesis).await;
    let report = f.report(1, WAD);
    data_err(&mut f, 0, report, OracleError::BeforeGenesis).await;

    f.chain.warp_to(f.genesis - 1).await;
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::BeforeGenesis).await;
    f.chain.warp_to(f.genesis).await;
    f.vote_ok(0, 1, hash_of(1)).await;
    assert_eq!(f.current_frame().await, 1);
}

#[tokio::test]
async fn votes_are_accepted_from_the_first_to_the_last_second_of_a_frame() {
    let mut f = Fixture::new().await;
    let frames = f.committee_state().await.frames;
    assert_eq!(frames.ref_ts(1), f.genesis);
    let start = frames.ref_ts(2);
    assert_eq!(start, f.genesis + i64::from(FRAME_SECS), "frame 2 starts one frame after genesis");

    // First second of frame 1 (genesis itself).
    f.chain.warp_to(f.genesis).await;
    f.vote_ok(0, 1, hash_of(1)).await;
    // First second of frame 2.
    f.chain.warp_to(start).await;
    f.vote_ok(1, 2, hash_of(2)).await;
    // Last second of frame 2.
    f.chain.warp_to(start + i64::from(FRAME_SECS) - 1).await;
    f.vote_ok(2, 2, hash_of(2)).await;
    let c = f.committee_state().await;
    assert_eq!(c.frames.deadline(2), start + i64::from(FRAME_SECS) - 1);
    assert_eq!(c.support(2, &hash_of(2)), 2);
    assert_eq!((c.members[0].vote_frame, c.members[0].vote_hash), (1, hash_of(1)));

    // One second later frame 2 is over.
    f.chain.warp_to(start + i64::from(FRAME_SECS)).await;
    vote_err(&mut f, 3, 2, hash_of(2), OracleError::DeadlinePassed).await;
    f.vote_ok(3, 3, hash_of(3)).await;
}

#[tokio::test]
async fn a_vote_for_the_previous_frame_fails_with_deadline_passed() {
    let mut f = Fixture::new().await;
    f.warp_to_frame(2, 0).await;
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::DeadlinePassed).await;
    vote_err(&mut f, 0, 0, hash_of(1), OracleError::DeadlinePassed).await;
    f.warp_to_frame(5, 3_600).await;
    vote_err(&mut f, 0, 4, hash_of(1), OracleError::DeadlinePassed).await;
    vote_err(&mut f, 0, 2, hash_of(1), OracleError::DeadlinePassed).await;
}

#[tokio::test]
async fn a_vote_for_a_future_frame_fails_with_wrong_frame() {
    let mut f = Fixture::new().await;
    f.chain.warp_to(f.genesis).await;
    vote_err(&mut f, 0, 2, hash_of(1), OracleError::WrongFrame).await;
    // Even in the last second of frame 1, frame 2 is not open yet.
    f.warp_to_frame(1, i64::from(FRAME_SECS) - 1).await;
    vote_err(&mut f, 0, 2, hash_of(1), OracleError::WrongFrame).await;
    vote_err(&mut f, 0, u64::MAX, hash_of(1), OracleError::WrongFrame).await;
}

#[tokio::test]
async fn report_data_after_the_deadline_fails_with_deadline_passed() {
    let mut f = Fixture::new().await;
    let report = f.report(1, WAD);
    for member in 0..5 {
        f.vote_ok(member, 1, report.hash()).await;
    }
    let c = f.committee_state().await;
    assert_eq!((c.consensus_frame, c.consensus_hash), (1, report.hash()));

    let deadline = c.frames.deadline(1);
    f.chain.warp_to(deadline + 1).await;
    data_err(&mut f, 0, report.clone(), OracleError::DeadlinePassed).await;
    f.warp_to_frame(3, 0).await;
    data_err(&mut f, 1, report, OracleError::DeadlinePassed).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.last_report_frame, 0);
}

#[tokio::test]
async fn report_data_in_the_last_second_of_the_frame_lands() {
    let mut f = Fixture::new().await;
    let deadline = f.committee_state().await.frames.deadline(1);
    f.chain.warp_to(deadline).await;
    let report = f.report(1, WAD);
    f.land(report, &[0, 1, 2, 3, 4]).await.expect("data at the deadline lands");
    let feed = f.feed_state().await;
    assert_eq!(feed.last_report_frame, 1);
    assert_eq!(feed.last_report_ref_ts, f.genesis);
    assert_eq!(f.committee_state().await.last_processed_frame, 1);
}

// ---- fast lane ----

#[tokio::test]
async fn only_the_rotating_fast_lane_subset_votes_during_the_fast_lane() {
    let mut f = Fixture::with(Setup { fast_lane_secs: 3_600, ..Setup::default() }).await;
    // Frame 1: members 1..=5. Frame 6 wraps around: members 6, 7, 8, 0, 1.
    assert_eq!(fast_lane(1, 9, 5), vec![1, 2, 3, 4, 5]);
    assert_eq!(fast_lane(6, 9, 5), vec![6, 7, 8, 0, 1]);
    for frame in [1u64, 6] {
        f.warp_to_frame(frame, 0).await;
        let lane = fast_lane(frame, 9, 5);
        let report = f.report(frame, WAD);
        for member in (0..9).filter(|m| !lane.contains(m)) {
            vote_err(&mut f, member, frame, report.hash(), OracleError::NotFastLaneMember).await;
        }
        for &member in &lane {
            f.vote_ok(member, frame, report.hash()).await;
        }
        let c = f.committee_state().await;
        assert_eq!((c.consensus_frame, c.consensus_hash), (frame, report.hash()), "the fast lane alone reaches quorum");
        for member in 0..9 {
            assert_eq!(c.is_fast_lane_member(member, frame), lane.contains(&member));
        }

        let outsider = (0..9).find(|m| !lane.contains(m)).expect("an outsider");
        // Last second of the fast lane: still closed to the others.
        f.warp_to_frame(frame, 3_599).await;
        vote_err(&mut f, outsider, frame, report.hash(), OracleError::NotFastLaneMember).await;
        // After the fast lane anyone may vote.
        f.warp_to_frame(frame, 3_600).await;
        for member in (0..9).filter(|m| !lane.contains(m)) {
            f.vote_ok(member, frame, report.hash()).await;
        }
        assert_eq!(f.committee_state().await.support(frame, &report.hash()), 9);
    }
}

// ---- frame config ----

#[tokio::test]
async fn shortening_frames_mid_frame_keeps_the_current_frame_and_its_start() {
    let mut f = Fixture::new().await;
    let day = i64::from(FRAME_SECS);
    let start_3 = f.genesis + 2 * day;
    f.chain.warp_to(start_3 + 10 * 3_600).await;
    assert_eq!(f.current_frame().await, 3);
    let report = f.report(3, WAD);
    for member in 0..3 {
        f.vote_ok(member, 3, report.hash()).await;
    }

    let update = f.frame_config_ix(f.admin.pubkey(), 12 * 3_600, 0);
    let admin = f.admin.insecure_clone();
    f.chain.send_ok(&[update], &[&admin]).await;
    let frames = f.committee_state().await.frames;
    assert_eq!(frames.frame_secs, 12 * 3_600);
    assert_eq!(f.current_frame().await, 3, "the current frame keeps its number");
    assert_eq!(frames.ref_ts(3), start_3, "and its start");
    assert_eq!(frames.deadline(3), start_3 + 12 * 3_600 - 1);
    assert_eq!(frames.ref_ts(4), start_3 + 12 * 3_600, "later frames follow the new length");
    assert_eq!(frames.ref_ts(5), start_3 + 24 * 3_600);

    // Votes cast before the change still count.
    for member in 3..5 {
        f.vote_ok(member, 3, report.hash()).await;
    }
    assert_eq!(f.committee_state().await.consensus_hash, report.hash());

    f.chain.warp_to(start_3 + 12 * 3_600).await;
    assert_eq!(f.current_frame().await, 4);
    vote_err(&mut f, 5, 3, hash_of(9), OracleError::DeadlinePassed).await;
    f.vote_ok(5, 4, hash_of(9)).await;
    f.chain.warp_to(start_3 + 24 * 3_600 - 1).await;
    vote_err(&mut f, 6, 5, hash_of(9), OracleError::WrongFrame).await;
    f.chain.warp_to(start_3 + 24 * 3_600).await;
    f.vote_ok(6, 5, hash_of(9)).await;
}

#[tokio::test]
async fn lengthening_frames_mid_frame_stretches_the_current_frame() {
    let mut f = Fixture::new().await;
    let day = i64::from(FRAME_SECS);
    let start_3 = f.genesis + 2 * day;
    f.chain.warp_to(start_3 + 10 * 3_600).await;
    let update = f.frame_config_ix(f.admin.pubkey(), 2 * FRAME_SECS, 3_600);
    let admin = f.admin.insecure_clone();
    f.chain.send_ok(&[update], &[&admin]).await;

    let frames = f.committee_state().await.frames;
    assert_eq!((frames.anchor_frame, frames.anchor_ts), (3, start_3));
    assert_eq!((frames.frame_secs, frames.fast_lane_secs), (2 * FRAME_SECS, 3_600));
    // Under the old length this would be frame 4; frame 3 now runs for two days.
    f.chain.warp_to(start_3 + 30 * 3_600).await;
    assert_eq!(f.current_frame().await, 3);
    f.vote_ok(0, 3, hash_of(1)).await;
    f.chain.warp_to(start_3 + 2 * day).await;
    assert_eq!(f.current_frame().await, 4);
    vote_err(&mut f, 1, 3, hash_of(1), OracleError::DeadlinePassed).await;
}

#[tokio::test]
async fn shortening_frames_below_the_elapsed_time_never_moves_frames_backwards() {
    let mut f = Fixture::new().await;
    let day = i64::from(FRAME_SECS);
    let start_3 = f.genesis + 2 * day;
    let now = start_3 + 20 * 3_600;
    f.chain.warp_to(now).await;
    let update = f.frame_config_ix(f.admin.pubkey(), 6 * 3_600, 0);
    let admin = f.admin.insecure_clone();
    f.chain.send_ok(&[update], &[&admin]).await;

    let frames = f.committee_state().await.frames;
    assert_eq!((frames.anchor_frame, frames.anchor_ts), (3, start_3), "re-cut from the current frame's start");
    // 20 h into frame 3 with 6 h frames: frames 3, 4, 5 are over and frame 6 is current.
    let current = f.current_frame().await;
    assert_eq!(current, 6);
    assert!(frames.ref_ts(current) >= start_3 && frames.ref_ts(current) <= now);
    vote_err(&mut f, 0, 3, hash_of(1), OracleError::DeadlinePassed).await;
    f.vote_ok(0, current, hash_of(1)).await;
}

#[tokio::test]
async fn a_frame_config_update_before_genesis_keeps_genesis() {
    let mut f = Fixture::with(Setup { genesis_offset: 1_000, ..Setup::default() }).await;
    let update = f.frame_config_ix(f.admin.pubkey(), 3_600, 600);
    let admin = f.admin.insecure_clone();
    f.chain.send_ok(&[update], &[&admin]).await;
    let frames = f.committee_state().await.frames;
    assert_eq!((frames.anchor_frame, frames.anchor_ts), (1, f.genesis));
    assert_eq!((frames.frame_secs, frames.fast_lane_secs), (3_600, 600));
    vote_err(&mut f, 0, 1, hash_of(1), OracleError::BeforeGenesis).await;
}

#[tokio::test]
async fn invalid_frame_configs_are_rejected() {
    let mut f = Fixture::new().await;
    let admin = f.admin.insecure_clone();
    let watched = f.watched();
    for (frame_secs, fast_lane_secs) in [(0, 0), (3_600, 3_600), (3_600, 7_200), (0, 1)] {
        let update = f.frame_config_ix(admin.pubkey(), frame_secs, fast_lane_secs);
        f.chain.send_err(&[update], &[&admin], code(OracleError::InvalidFrameConfig), &watched).await;
    }
    let stranger = f.chain.keypair().await;
    let update = f.frame_config_ix(stranger.pubkey(), 3_600, 0);
    f.chain.send_err(&[update], &[&stranger], code(OracleError::NotAdmin), &watched).await;

    // The same rule holds when a committee is created.
    let mint = f.chain.create_mint(&admin.pubkey(), 9).await;
    let (committee, feed) = pdas(&mint);
    let now = f.chain.now().await;
    for (frame_secs, fast_lane_secs) in [(0, 0), (3_600, 3_600)] {
        let setup = Setup { frame_secs, fast_lane_secs, ..Setup::default() };
        let init = init_ix(admin.pubkey(), admin.pubkey(), mint, init_args(&setup, f.guardian.pubkey(), now));
        f.chain
            .send_err(
                &[init],
                &[&admin],
                code(OracleError::InvalidFrameConfig),
                &[committee, feed, f.committee, f.feed],
            )
            .await;
    }
    assert!(f.chain.account(committee).await.is_none());
}
