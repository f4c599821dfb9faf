//! Initialisation, roles, pause, consensus version, and spoofed accounts.
use anchor_lang::error::ErrorCode as AnchorError;
use lantern_test_support::solana_sdk::{account::Account, pubkey::Pubkey, signature::Keypair, signature::Signer};
use oracle::errors::OracleError;
use oracle::state::SanityLimits;

use crate::common::*;

/// A second committee on the same chain, for cross-committee spoofing.
async fn second_committee(f: &mut Fixture) -> (Pubkey, Pubkey) {
    let admin = f.admin.insecure_clone();
    let mint = f.chain.create_mint(&admin.pubkey(), 9).await;
    let now = f.chain.now().await;
    let args = init_args(&Setup::default(), f.guardian.pubkey(), now);
    f.chain.send_ok(&[init_ix(admin.pubkey(), admin.pubkey(), mint, args)], &[&admin]).await;
    pdas(&mint)
}

#[tokio::test]
async fn initialize_creates_committee_and_feed() {
    let mut f = Fixture::with(Setup { members: 0, ..Setup::default() }).await;
    let committee = f.committee_state().await;
    assert_eq!(committee.lrt_mint, f.mint);
    assert_eq!(committee.feed, f.feed);
    assert_eq!(committee.admin, f.admin.pubkey());
    assert_eq!(committee.guardian, f.guardian.pubkey());
    assert_eq!((committee.member_count, committee.quorum, committee.consensus_version), (0, 1, VERSION));
    assert_eq!(committee.frames.frame_at(f.genesis), Some(1));
    assert_eq!(committee.limits, SanityLimits::default());
    let feed = f.feed_state().await;
    assert_eq!((feed.fair_rate, feed.reported_rate), (WAD, WAD));
    assert_eq!(feed.committee, f.committee);
    assert!(!feed.is_stale(f.chain.now().await));
    assert_eq!(feed.max_report_age_secs, SanityLimits::default().max_report_age_secs);
}

#[tokio::test]
async fn initialize_rejects_bad_arguments_and_squatters() {
    let mut chain = lantern_test_support::TestChain::start().await;
    let admin = chain.keypair().await;
    let squatter = chain.keypair().await;
    let guardian = Pubkey::new_unique();
    let mint = chain.create_mint(&admin.pubkey(), 9).await;
    let (committee, feed) = pdas(&mint);
    let watched = [committee, feed];
    let now = chain.now().await;
    let setup = Setup::default();

    let squat = init_ix(squatter.pubkey(), squatter.pubkey(), mint, init_args(&setup, guardian, now));
    chain.send_err(&[squat], &[&squatter], code(OracleError::NotMintAuthority), &watched).await;

    let cases: Vec<(oracle::InitializeCommitteeArgs, OracleError)> = vec![
        (init_args(&setup, Pubkey::default(), now), OracleError::ZeroKey),
        (init_args(&Setup { frame_secs: 0, ..setup.clone() }, guardian, now), OracleError::InvalidFrameConfig),
        (
            init_args(&Setup { fast_lane_secs: FRAME_SECS, ..setup.clone() }, guardian, now),
            OracleError::InvalidFrameConfig,
        ),
        (
            init_args(
                &Setup {
                    limits: SanityLimits { max_decrease_bps: 10_001, ..SanityLimits::default() },
                    ..setup.clone()
                },
                guardian,
                now,
            ),
            OracleError::InvalidLimits,
        ),
        (
            init_args(&Setup { initial_rate: WAD / 10 - 1, ..setup.clone() }, guardian, now),
            OracleError::RateOutOfBounds,
        ),
        (
            init_args(&Setup { initial_rate: 10 * WAD + 1, ..setup.clone() }, guardian, now),
            OracleError::RateOutOfBounds,
        ),
    ];
    for (args, error) in cases {
        let init = init_ix(admin.pubkey(), admin.pubkey(), mint, args);
        chain.send_err(&[init], &[&admin], code(error), &watched).await;
    }

    chain.send_ok(&[init_ix(admin.pubkey(), admin.pubkey(), mint, init_args(&setup, guardian, now))], &[&admin]).await;
    // A second initialisation of the same mint fails in the system program: the PDAs exist.
    let again = init_ix(admin.pubkey(), admin.pubkey(), mint, init_args(&setup, guardian, now + 1));
    let err = chain.send(&[again], &[&admin]).await.expect_err("double init");
    assert_eq!(lantern_test_support::custom_error(&err), Some(0), "system program: account already in use");
}

#[tokio::test]
async fn roles_change_hands_and_only_the_admin_changes_them() {
    let mut f = Fixture::with(Setup { members: 3, quorum: 2, ..Setup::default() }).await;
    let admin = f.admin.insecure_clone();
    let new_admin = f.chain.keypair().await;
    let new_guardian = Keypair::new();
    let stranger = f.chain.keypair().await;
    let watched = f.watched();

    let by_stranger = f.roles_ix(stranger.pubkey(), stranger.pubkey(), stranger.pubkey());
    f.chain.send_err(&[by_stranger], &[&stranger], code(OracleError::NotAdmin), &watched).await;
    let zero = f.roles_ix(admin.pubkey(), Pubkey::default(), new_guardian.pubkey());
    f.chain.send_err(&[zero], &[&admin], code(OracleError::ZeroKey), &watched).await;

    let change = f.roles_ix(admin.pubkey(), new_admin.pubkey(), new_guardian.pubkey());
    f.chain.send_ok(&[change], &[&admin]).await;
    let committee = f.committee_state().await;
    assert_eq!((committee.admin, committee.guardian), (new_admin.pubkey(), new_guardian.pubkey()));

    let old_admin_acts = f.set_quorum_ix(admin.pubkey(), 3);
    f.chain.send_err(&[old_admin_acts], &[&admin], code(OracleError::NotAdmin), &watched).await;
    let new_admin_acts = f.set_quorum_ix(new_admin.pubkey(), 3);
    f.chain.send_ok(&[new_admin_acts], &[&new_admin]).await;
    assert_eq!(f.committee_state().await.quorum, 3);
}

#[tokio::test]
async fn guardian_pauses_admin_unpauses_and_pause_blocks_submissions() {
    let mut f = Fixture::new().await;
    let (admin, guardian) = (f.admin.insecure_clone(), f.guardian.insecure_clone());
    let stranger = f.chain.keypair().await;
    let watched = f.watched();

    let stranger_pause = f.paused_ix(stranger.pubkey(), true);
    f.chain.send_err(&[stranger_pause], &[&stranger], code(OracleError::NotAdminOrGuardian), &watched).await;
    let pause = f.paused_ix(guardian.pubkey(), true);
    f.chain.send_ok(&[pause], &[&guardian]).await;
    assert!(f.committee_state().await.paused);

    let frame = f.current_frame().await;
    let signer = f.signer(0);
    let vote = f.vote_ix(signer.pubkey(), frame, hash_of(1), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::Paused), &watched).await;
    let now = f.chain.now().await;
    let price = f.price_ix(signer.pubkey(), WAD, now);
    f.chain.send_err(&[price], &[&signer], code(OracleError::Paused), &watched).await;
    let data = f.data_ix(signer.pubkey(), f.report(frame, WAD));
    f.chain.send_err(&[data], &[&signer], code(OracleError::Paused), &watched).await;

    let guardian_unpause = f.paused_ix(guardian.pubkey(), false);
    f.chain.send_err(&[guardian_unpause], &[&guardian], code(OracleError::NotAdmin), &watched).await;
    let unpause = f.paused_ix(admin.pubkey(), false);
    f.chain.send_ok(&[unpause], &[&admin]).await;
    f.vote_ok(0, frame, hash_of(1)).await;
    // The admin may pause too.
    let admin_pause = f.paused_ix(admin.pubkey(), true);
    f.chain.send_ok(&[admin_pause], &[&admin]).await;
    assert!(f.committee_state().await.paused);
}

#[tokio::test]
async fn consensus_version_changes_and_old_votes_stop_counting() {
    let mut f = Fixture::new().await;
    let admin = f.admin.insecure_clone();
    let stranger = f.chain.keypair().await;
    let watched = f.watched();

    let same = f.version_ix(admin.pubkey(), VERSION);
    f.chain.send_err(&[same], &[&admin], code(OracleError::SameConsensusVersion), &watched).await;
    let by_stranger = f.version_ix(stranger.pubkey(), VERSION + 1);
    f.chain.send_err(&[by_stranger], &[&stranger], code(OracleError::NotAdmin), &watched).await;

    let frame = f.current_frame().await;
    for member in 0..5 {
        f.vote_ok(member, frame, f.report(frame, WAD).hash()).await;
    }
    let bump = f.version_ix(admin.pubkey(), VERSION + 1);
    f.chain.send_ok(&[bump], &[&admin]).await;
    assert_eq!(f.committee_state().await.consensus_version, VERSION + 1);

    // Votes under the old version name data of the old version, which no longer matches.
    let signer = f.signer(0);
    let data = f.data_ix(signer.pubkey(), f.report(frame, WAD));
    f.chain.send_err(&[data], &[&signer], code(OracleError::WrongConsensusVersion), &watched).await;
    let vote = f.vote_ix(signer.pubkey(), frame, hash_of(9), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::WrongConsensusVersion), &watched).await;
    let vote = f.vote_ix(signer.pubkey(), frame, hash_of(9), VERSION + 1);
    f.chain.send_ok(&[vote], &[&signer]).await;
}

#[tokio::test]
async fn admin_setters_reject_strangers() {
    let mut f = Fixture::new().await;
    let stranger = f.chain.keypair().await;
    let watched = f.watched();
    let attempts = [
        f.add_member_ix_by(stranger.pubkey(), Pubkey::new_unique(), Pubkey::new_unique(), 5),
        f.limits_ix(stranger.pubkey(), SanityLimits::default()),
        f.frame_config_ix(stranger.pubkey(), FRAME_SECS, 0),
        f.set_quorum_ix(stranger.pubkey(), 6),
    ];
    for attempt in attempts {
        f.chain.send_err(&[attempt], &[&stranger], code(OracleError::NotAdmin), &watched).await;
    }
    let guardian_only = [f.bunker_ix(stranger.pubkey()), f.confirm_ix(stranger.pubkey(), 1)];
    for attempt in guardian_only {
        f.chain.send_err(&[attempt], &[&stranger], code(OracleError::NotGuardian), &watched).await;
    }
    let disable = f.disabled_ix(stranger.pubkey(), true);
    f.chain.send_err(&[disable], &[&stranger], code(OracleError::NotAdminOrGuardian), &watched).await;
}

#[tokio::test]
async fn spoofed_committee_and_feed_accounts_are_rejected() {
    let mut f = Fixture::new().await;
    let (other_committee, other_feed) = second_committee(&mut f).await;
    let real = f.chain.account(f.committee).await.expect("committee");
    let signer = f.signer(0);
    let now = f.chain.now().await;
    let mut watched = f.watched().to_vec();
    watched.extend([other_committee, other_feed]);

    // A copy of the committee at an address that is not its PDA.
    let copy = Pubkey::new_unique();
    f.chain.ctx.set_account(&copy, &real.clone().into());
    let mut spoof = f.price_ix(signer.pubkey(), WAD, now);
    spoof.accounts[1].pubkey = copy;
    f.chain.send_err(&[spoof], &[&signer], u32::from(AnchorError::ConstraintSeeds), &watched).await;

    // The same bytes owned by another program.
    let foreign = Pubkey::new_unique();
    f.chain.ctx.set_account(&foreign, &Account { owner: Pubkey::new_unique(), ..real.clone() }.into());
    let mut spoof = f.price_ix(signer.pubkey(), WAD, now);
    spoof.accounts[1].pubkey = foreign;
    f.chain.send_err(&[spoof], &[&signer], u32::from(AnchorError::AccountOwnedByWrongProgram), &watched).await;

    // A feed where the committee is expected: wrong discriminator.
    let mut spoof = f.price_ix(signer.pubkey(), WAD, now);
    spoof.accounts[1].pubkey = f.feed;
    f.chain.send_err(&[spoof], &[&signer], u32::from(AnchorError::AccountDiscriminatorMismatch), &watched).await;

    // Another committee's feed.
    let mut spoof = f.price_ix(signer.pubkey(), WAD, now);
    spoof.accounts[2].pubkey = other_feed;
    f.chain.send_err(&[spoof], &[&signer], u32::from(AnchorError::ConstraintHasOne), &watched).await;
    let mut spoof = f.data_ix(signer.pubkey(), f.report(1, WAD));
    spoof.accounts[2].pubkey = other_feed;
    f.chain.send_err(&[spoof], &[&signer], u32::from(AnchorError::ConstraintHasOne), &watched).await;

    // A member of this committee is a stranger to the other one.
    let mut spoof = f.vote_ix(signer.pubkey(), 1, hash_of(1), VERSION);
    spoof.accounts[1].pubkey = other_committee;
    f.chain.send_err(&[spoof], &[&signer], code(OracleError::NotMember), &watched).await;

    // A signer that did not sign.
    let mut unsigned = f.vote_ix(signer.pubkey(), 1, hash_of(1), VERSION);
    unsigned.accounts[0].is_signer = false;
    f.chain.send_err(&[unsigned], &[], u32::from(AnchorError::AccountNotSigner), &watched).await;
}
