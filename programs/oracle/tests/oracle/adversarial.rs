//! A colluding quorum, a committee short of quorum and the guardian's brakes: how far can the fair
//! rate be pushed, and what stops it.
use lantern_math::{mul_div_ceil, mul_div_floor, BPS, PPB, YEAR_SECS};
use lantern_test_support::solana_sdk::signature::Signer;
use oracle::errors::OracleError;
use oracle::math::sanity::{decrease_ppb, smoothed_rate};
use oracle::state::{SanityLimits, NO_HASH};

use crate::common::*;

const COLLUDERS: [usize; 5] = [0, 1, 2, 3, 4];
const N: u64 = 20;

/// `value * (1 + num/den)`, the increment rounded up when `up`, else down.
fn grow(value: u128, num: u128, den: u128, up: bool) -> u128 {
    let delta = if up { mul_div_ceil(value, num, den) } else { mul_div_floor(value, num, den) };
    value + delta.unwrap()
}

/// The colluders vote for the report one unit above `max` (refused), then land `max`.
async fn push_max(f: &mut Fixture, frame: u64, max: u128) {
    let over = f.report(frame, max + 1);
    f.vote_report(&over, &COLLUDERS).await;
    f.data_err(0, over, OracleError::AnnualIncreaseLimitExceeded).await;
    let report = f.report(frame, max);
    f.land(report, &COLLUDERS).await.unwrap_or_else(|e| panic!("frame {frame}: {e:?}"));
}

#[tokio::test]
async fn colluders_pushing_the_largest_increase_every_frame_stay_within_the_bounds() {
    let mut f = Fixture::new().await;
    let limits = SanityLimits::default();
    let r0 = WAD;
    let rebase = u128::from(limits.max_positive_rebase_ppb);
    let annual_per_frame = u128::from(limits.annual_increase_limit_bps) * u128::from(FRAME_SECS);

    // Bounds by hand, one report per frame: smoothing R0*(1+750000/1e9)^k and the annual limit
    // R0*(1+0.15*frame/year)^k, each with integer floor steps (the chain rounds the same way, so the
    // floor steps are the exact reachable maximum) and the annual one also with ceil steps (an upper
    // bound of the real-valued product).
    let mut smoothing_bound = r0;
    let mut annual_floor = r0;
    let mut annual_ceil = r0;
    let mut reported = r0;
    let mut prev_ref = f.genesis;
    for k in 1..=N {
        let frame = f.next_frame().await;
        let ref_ts = f.frame_ref_ts(frame).await;
        assert_eq!(ref_ts - prev_ref, DAY);
        let max = max_annual_rate(&limits, reported, ref_ts - prev_ref);
        push_max(&mut f, frame, max).await;
        reported = max;
        prev_ref = ref_ts;

        smoothing_bound = grow(smoothing_bound, rebase, PPB, false);
        annual_floor = grow(annual_floor, annual_per_frame, BPS * YEAR_SECS, false);
        annual_ceil = grow(annual_ceil, annual_per_frame, BPS * YEAR_SECS, true);
        let feed = f.feed_state().await;
        assert_eq!(feed.reported_rate, annual_floor, "frame {frame}: the colluders reach the annual limit exactly");
        assert!(feed.reported_rate <= annual_ceil);
        assert!(
            feed.fair_rate <= smoothing_bound,
            "report {k}: fair {} > smoothing bound {smoothing_bound}",
            feed.fair_rate
        );
        assert!(feed.fair_rate <= annual_floor, "report {k}: the fair rate never passes the reported rate");
    }
    let feed = f.feed_state().await;
    // 20 days at 15%/yr compounded daily: +0.8251%; the smoothing bound would allow +1.51%.
    assert!(feed.fair_rate - r0 < r0 * 8_252 / 1_000_000, "moved {}", feed.fair_rate - r0);
    assert!(smoothing_bound - r0 > r0 * 15 / 1_000);
}

#[tokio::test]
async fn colluders_who_wait_and_then_push_gain_one_smoothing_step_per_report() {
    let mut f = Fixture::new().await;
    let limits = SanityLimits::default();
    let r0 = WAD;
    let rebase = u128::from(limits.max_positive_rebase_ppb);

    // They stay quiet for 20 frames, then push the whole annual allowance at once (+0.82%) and the
    // largest increase in every frame after that: the fair rate still moves one capped step per report.
    f.warp_to_frame(N + 1, 3_600).await;
    let mut reported = r0;
    let mut prev_ref = f.genesis;
    let mut fair = r0;
    let mut smoothing_bound = r0;
    for k in 1..=N {
        let frame = if k == 1 { N + 1 } else { f.next_frame().await };
        let ref_ts = f.frame_ref_ts(frame).await;
        let max = max_annual_rate(&limits, reported, ref_ts - prev_ref);
        push_max(&mut f, frame, max).await;
        reported = max;
        prev_ref = ref_ts;
        fair = smoothed_rate(fair, reported, limits.max_positive_rebase_ppb);
        smoothing_bound = grow(smoothing_bound, rebase, PPB, false);

        let feed = f.feed_state().await;
        assert_eq!(feed.reported_rate, reported);
        assert_eq!(feed.fair_rate, fair, "report {k}");
        assert!(feed.fair_rate <= smoothing_bound, "report {k}");
        assert!(feed.fair_rate < feed.reported_rate, "report {k}: part of the increase is still deferred");
    }
    assert_eq!(fair, smoothing_bound, "the smoothing bound binds at every report and is reached exactly");
    // The annual bound on the reported rate: one 20-day step, then 19 one-day steps.
    let annual = u128::from(limits.annual_increase_limit_bps);
    let mut annual_bound = grow(r0, annual * 20 * u128::from(FRAME_SECS), BPS * YEAR_SECS, false);
    for _ in 1..N {
        annual_bound = grow(annual_bound, annual * u128::from(FRAME_SECS), BPS * YEAR_SECS, false);
    }
    assert_eq!(f.feed_state().await.reported_rate, annual_bound);
}

#[tokio::test]
async fn colluders_pushing_decreases_cannot_spend_more_than_the_budget_without_the_guardian() {
    let mut f = Fixture::new().await;
    let limits = SanityLimits::default();
    let budget = u64::from(limits.max_decrease_bps) * 100_000;
    let floor = WAD - WAD / 100; // -1% from the starting rate
    let window = limits.decrease_window_secs;

    // Frames 2..=19: all 18 reference times lie inside one window. The colluders push a 0.4%
    // decrease each frame, trimmed to whatever budget is left while some is left.
    let mut held_frames = vec![];
    for frame in 2..=19u64 {
        f.warp_to_frame(frame, 3_600).await;
        let ref_ts = f.frame_ref_ts(frame).await;
        let before = f.feed_state().await;
        let left = budget - before.window_decrease_ppb(ref_ts, window);
        let cut = if left == 0 { 4_000_000 } else { left.min(4_000_000) };
        let rate = before.reported_rate - mul_div_floor(before.reported_rate, u128::from(cut), PPB).unwrap();
        assert!(decrease_ppb(before.reported_rate, rate).unwrap() <= cut);
        let report = f.report(frame, rate);
        f.land(report, &COLLUDERS).await.unwrap_or_else(|e| panic!("frame {frame}: {e:?}"));

        let after = f.feed_state().await;
        assert!(after.fair_rate >= floor, "frame {frame}: fair rate {} below -1%", after.fair_rate);
        assert!(after.window_decrease_ppb(ref_ts, window) <= budget);
        assert!(after.bunker);
        if after.held.frame == frame {
            assert_eq!(after.fair_rate, before.fair_rate, "frame {frame}: a held decrease changes nothing");
            held_frames.push(frame);
        }
    }
    // 0.4% + 0.4% + 0.2% applied, everything after that held.
    assert_eq!(held_frames, (5..=19).collect::<Vec<_>>());
    let feed = f.feed_state().await;
    assert_eq!(feed.window_decrease_ppb(feed.last_report_ref_ts, window), budget);
    assert_eq!(feed.last_report_frame, 4);
    assert!(feed.fair_rate >= floor);

    // In the next frame they try a crash to the minimum rate: held as well.
    f.warp_to_frame(20, 3_600).await;
    let report = f.report(20, limits.min_rate);
    f.land(report, &COLLUDERS).await.expect("data lands, the decrease is held");
    let crashed = f.feed_state().await;
    assert_eq!(crashed.held.frame, 20);
    assert_eq!(crashed.fair_rate, feed.fair_rate);

    // Only the guardian's second opinion lets a held decrease through.
    let guardian = f.guardian.insecure_clone();
    let confirm = f.confirm_ix(guardian.pubkey(), 20);
    f.chain.send_ok(&[confirm], &[&guardian]).await;
    assert_eq!(f.feed_state().await.fair_rate, limits.min_rate);
}

#[tokio::test]
async fn four_members_cannot_land_a_report_and_the_feed_goes_stale() {
    let mut f = Fixture::new().await;
    let online = [0, 1, 2, 3];
    for frame in 2..=3u64 {
        f.warp_to_frame(frame, 3_600).await;
        let report = f.report(frame, WAD);
        f.vote_report(&report, &online).await;
        assert_eq!(f.committee_state().await.consensus_hash, NO_HASH);
        for member in online {
            f.data_err(member, report.clone(), OracleError::NoConsensus).await;
        }
    }
    let feed = f.feed_state().await;
    assert_eq!(feed.last_report_frame, 0);
    assert_eq!(feed.last_report_ref_ts, f.genesis);
    assert!(!feed.is_stale(f.genesis + i64::from(feed.max_report_age_secs)));
    assert!(feed.is_stale(f.genesis + i64::from(feed.max_report_age_secs) + 1));
    let now = f.chain.now().await;
    assert!(feed.is_stale(now), "two days without a report");

    // A fifth member comes back: the report lands and the feed is fresh again.
    let report = f.report(3, WAD);
    f.vote_report(&report, &[4]).await;
    f.submit_data(4, report).await.expect("quorum reached");
    assert!(!f.feed_state().await.is_stale(now));
}

#[tokio::test]
async fn the_guardian_stops_a_colluding_quorum_and_only_the_admin_resumes() {
    let mut f = Fixture::new().await;
    let guardian = f.guardian.insecure_clone();
    let admin = f.admin.insecure_clone();
    let frame = f.next_frame().await;
    let attack = f.report(frame, WAD * 98 / 100);
    f.vote_report(&attack, &COLLUDERS).await;
    assert_eq!(f.committee_state().await.consensus_hash, attack.hash());

    // Members cannot disable consensus; the guardian can.
    let signer = f.signer(5);
    let disable = f.disabled_ix(signer.pubkey(), true);
    f.chain.send_err(&[disable], &[&signer], code(OracleError::NotAdminOrGuardian), &f.watched()).await;
    let disable = f.disabled_ix(guardian.pubkey(), true);
    f.chain.send_ok(&[disable], &[&guardian]).await;
    let committee = f.committee_state().await;
    assert!(committee.consensus_disabled);
    assert_eq!(committee.consensus_hash, NO_HASH, "the colluders' consensus is gone");

    // Neither the colluders' data nor new votes count.
    for member in COLLUDERS {
        f.data_err(member, attack.clone(), OracleError::ConsensusDisabled).await;
    }
    let vote = f.vote_ix(signer.pubkey(), frame, attack.hash(), VERSION);
    f.chain.send_err(&[vote], &[&signer], code(OracleError::ConsensusDisabled), &f.watched()).await;
    let next = f.next_frame().await;
    let attack_next = f.report(next, WAD * 98 / 100);
    let vote = f.vote_ix(f.signer(0).pubkey(), next, attack_next.hash(), VERSION);
    f.chain.send_err(&[vote], &[&f.signer(0)], code(OracleError::ConsensusDisabled), &f.watched()).await;
    assert_eq!(f.feed_state().await.fair_rate, WAD);

    // Only the admin re-enables it.
    for outsider in [guardian.insecure_clone(), f.signer(0)] {
        let enable = f.disabled_ix(outsider.pubkey(), false);
        f.chain.send_err(&[enable], &[&outsider], code(OracleError::NotAdmin), &f.watched()).await;
    }
    let enable = f.disabled_ix(admin.pubkey(), false);
    f.chain.send_ok(&[enable], &[&admin]).await;
    assert!(!f.committee_state().await.consensus_disabled);
    let honest = f.report(next, WAD);
    f.land(honest, &[4, 5, 6, 7, 8]).await.expect("consensus works again");
    assert_eq!(f.feed_state().await.last_report_frame, next);
}
