//! Sanity limits on chain: each one passes exactly at its limit and fails (or holds) one unit over.
use lantern_math::{mul_div_floor, PPB};
use lantern_test_support::solana_sdk::signature::Signer;
use oracle::errors::OracleError;
use oracle::math::sanity::smoothed_rate;
use oracle::state::{HeldReport, SanityLimits};

use crate::common::*;

const QUORUM: [usize; 5] = [0, 1, 2, 3, 4];
/// The default decrease budget, 100 bps, in ppb.
const BUDGET_PPB: u64 = 10_000_000;

/// A quorum votes for `report` and member 0 submits it; panics if it does not land.
async fn land(f: &mut Fixture, report: oracle::AccountingReport) {
    let frame = report.frame;
    f.land(report, &QUORUM).await.unwrap_or_else(|e| panic!("report of frame {frame} failed: {e:?}"));
}

/// A quorum lands a report of `rate` for `frame`.
async fn land_at(f: &mut Fixture, frame: u64, rate: u128) {
    let report = f.report(frame, rate);
    land(f, report).await;
}

/// A quorum votes for a report of `rate` for `frame` and its data fails with `error`, leaving
/// committee and feed unchanged.
async fn reject_at(f: &mut Fixture, frame: u64, rate: u128, error: OracleError) {
    let report = f.report(frame, rate);
    f.vote_report(&report, &QUORUM).await;
    f.data_err(0, report, error).await;
}

/// One smoothing step: `fair + floor(fair * 750_000 / 1e9)`.
fn step(fair: u128) -> u128 {
    fair + mul_div_floor(fair, 750_000, PPB).unwrap()
}

#[tokio::test]
async fn the_annual_increase_limit_is_measured_from_the_reported_rate() {
    let mut f = Fixture::new().await;
    let limits = SanityLimits::default();
    assert_eq!(f.feed_state().await.last_report_ref_ts, f.genesis, "the initial rate counts from genesis");

    // First report in frame 4: three days after genesis. 15%/yr * 3/365 = 0.1232876712328767..%.
    f.warp_to_frame(4, 3_600).await;
    let at_limit = max_annual_rate(&limits, WAD, 3 * DAY);
    assert_eq!(at_limit, WAD + 1_232_876_712_328_767);
    reject_at(&mut f, 4, at_limit + 1, OracleError::AnnualIncreaseLimitExceeded).await;
    land_at(&mut f, 4, at_limit).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.reported_rate, at_limit);
    // 0.123% is more than one smoothing step: the fair rate lags the reported rate.
    assert_eq!(feed.fair_rate, WAD + 750_000_000_000_000);

    // One frame later the limit is one day's worth of the REPORTED rate (not of the lower fair rate).
    let frame = f.next_frame().await;
    let at_limit_2 = max_annual_rate(&limits, at_limit, DAY);
    assert!(at_limit_2 > max_annual_rate(&limits, feed.fair_rate, DAY) + 1, "the two bases must differ");
    reject_at(&mut f, frame, at_limit_2 + 1, OracleError::AnnualIncreaseLimitExceeded).await;
    land_at(&mut f, frame, at_limit_2).await;
    let after = f.feed_state().await;
    assert_eq!(after.reported_rate, at_limit_2);
    assert_eq!(after.fair_rate, step(feed.fair_rate));
}

#[tokio::test]
async fn increases_are_smoothed_and_the_deferred_part_is_released_by_later_reports() {
    // A starting rate whose 0.075% is not a whole number of units, so that the floor shows.
    let r0 = WAD + 333;
    let mut f = Fixture::with(Setup { initial_rate: r0, ..Setup::default() }).await;
    let limits = SanityLimits::default();
    // Ten days after genesis the annual limit allows 0.41%; report +0.3% at once.
    f.warp_to_frame(11, 3_600).await;
    let target = r0 + r0 * 3 / 1_000;
    assert!(target <= max_annual_rate(&limits, r0, 10 * DAY));
    land_at(&mut f, 11, target).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.reported_rate, target);
    // fair = fair + floor(fair * 750_000 / 1e9): (1e18 + 333) * 0.00075 = 750_000_000_000_000.24975
    assert_eq!(feed.fair_rate, r0 + 750_000_000_000_000, "fair = fair + floor(fair * 0.075%)");

    // Later reports of the same true rate release the deferred part, one capped step at a time,
    // until the fair rate reaches the reported rate exactly.
    let mut expected = feed.fair_rate;
    let mut reports = 1;
    while expected < target {
        let frame = f.next_frame().await;
        land_at(&mut f, frame, target).await;
        reports += 1;
        let next = step(expected).min(target);
        assert_eq!(next, smoothed_rate(expected, target, limits.max_positive_rebase_ppb));
        expected = next;
        let feed = f.feed_state().await;
        assert_eq!(feed.fair_rate, expected, "report {reports}");
        assert_eq!(feed.reported_rate, target);
        assert!(!feed.bunker, "releasing deferred increase is a clean report");
    }
    assert_eq!(reports, 4, "1.00075^3 < 1.003 <= 1.00075^4");
    assert_eq!(expected, target);
    // Nothing was lost: once caught up the fair rate stays at the reported rate.
    let frame = f.next_frame().await;
    land_at(&mut f, frame, target).await;
    assert_eq!(f.feed_state().await.fair_rate, target);
}

#[tokio::test]
async fn a_decrease_of_exactly_the_budget_applies() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    let exact = WAD * 99 / 100; // exactly 1% = 10_000_000 ppb below the reported rate
    land_at(&mut f, frame, exact).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, exact);
    assert_eq!(feed.reported_rate, exact);
    assert_eq!(feed.held, HeldReport::default());
    assert!(feed.bunker, "a decrease turns bunker mode on");
    assert_eq!(feed.window_decrease_ppb(feed.last_report_ref_ts, 18 * 86_400), BUDGET_PPB);
}

#[tokio::test]
async fn a_decrease_one_unit_over_the_budget_is_held_until_the_guardian_confirms() {
    let mut f = Fixture::new().await;
    let guardian = f.guardian.insecure_clone();
    let admin = f.admin.insecure_clone();
    // Nothing held yet.
    let confirm = f.confirm_ix(guardian.pubkey(), 1);
    f.chain.send_err(&[confirm], &[&guardian], code(OracleError::NoHeldReport), &f.watched()).await;

    let frame = f.next_frame().await;
    let over = WAD * 99 / 100 - 1; // 10_000_001 ppb (rounded up)
    land_at(&mut f, frame, over).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.held.frame, frame);
    assert_eq!(feed.held.rate, over);
    assert_eq!(feed.held.ref_ts, f.genesis + DAY);
    assert_eq!(feed.held.decrease_ppb, BUDGET_PPB + 1);
    assert_eq!((feed.fair_rate, feed.reported_rate), (WAD, WAD), "a held report changes no rate");
    assert_eq!(feed.last_report_frame, 0);
    assert!(feed.bunker, "a held decrease turns bunker mode on");
    assert_eq!(f.committee_state().await.last_processed_frame, frame, "the frame is processed (frozen)");

    // Only the guardian, and only for the held frame.
    for outsider in [admin, f.signer(0), f.authority(0)] {
        let confirm = f.confirm_ix(outsider.pubkey(), frame);
        f.chain.send_err(&[confirm], &[&outsider], code(OracleError::NotGuardian), &f.watched()).await;
    }
    for wrong in [frame - 1, frame + 1] {
        let confirm = f.confirm_ix(guardian.pubkey(), wrong);
        f.chain.send_err(&[confirm], &[&guardian], code(OracleError::HeldFrameMismatch), &f.watched()).await;
    }

    let confirm = f.confirm_ix(guardian.pubkey(), frame);
    f.chain.send_ok(&[confirm], &[&guardian]).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, over);
    assert_eq!(feed.reported_rate, over);
    assert_eq!(feed.last_report_frame, frame);
    assert_eq!(feed.last_report_ref_ts, f.genesis + DAY);
    assert_eq!(feed.held, HeldReport::default());
    assert!(feed.bunker);
    assert_eq!(feed.window_decrease_ppb(feed.last_report_ref_ts, 18 * 86_400), BUDGET_PPB + 1);

    // Confirmed once; there is nothing left to confirm.
    let confirm = f.confirm_ix(guardian.pubkey(), frame);
    f.chain.send_err(&[confirm], &[&guardian], code(OracleError::NoHeldReport), &f.watched()).await;
}

#[tokio::test]
async fn decreases_accumulate_within_the_window_and_the_budget_frees_after_it() {
    let mut f = Fixture::new().await;
    let window = 18 * 86_400;

    // Frame 2 (genesis + 1 day): -0.5% = 5_000_000 ppb.
    let r1 = WAD * 995 / 1_000;
    f.warp_to_frame(2, 3_600).await;
    land_at(&mut f, 2, r1).await;
    assert_eq!(f.feed_state().await.fair_rate, r1);

    // Frame 3: another -0.5% vs the reported rate, one unit more: 5_000_001 ppb, 10_000_001 in total.
    let r2 = r1 * 995 / 1_000;
    assert_eq!(r2, 990_025_000_000_000_000);
    f.warp_to_frame(3, 3_600).await;
    land_at(&mut f, 3, r2 - 1).await;
    let feed = f.feed_state().await;
    assert_eq!((feed.held.frame, feed.held.decrease_ppb), (3, 5_000_001));
    assert_eq!(feed.fair_rate, r1);

    // Frame 4: exactly -0.5%: 10_000_000 ppb in the window, applies (and clears the held report).
    f.warp_to_frame(4, 3_600).await;
    land_at(&mut f, 4, r2).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, r2);
    assert_eq!(feed.held, HeldReport::default());
    assert_eq!(feed.window_decrease_ppb(feed.last_report_ref_ts, window), BUDGET_PPB);

    // Frame 5: the budget is spent, the smallest decrease (1 unit = 1 ppb) is held.
    f.warp_to_frame(5, 3_600).await;
    land_at(&mut f, 5, r2 - 1).await;
    let feed = f.feed_state().await;
    assert_eq!((feed.held.frame, feed.held.decrease_ppb), (5, 1));
    assert_eq!(feed.fair_rate, r2);

    // Frame 21 (genesis + 20 days): frame 2's decrease left the window, frame 4's (genesis + 3 days)
    // still counts, so a full 1% decrease (10_000_000 ppb) would make 15_000_000: held.
    let r3 = r2 * 99 / 100;
    assert_eq!(r3, 980_124_750_000_000_000);
    f.warp_to_frame(21, 3_600).await;
    let ref_21 = f.frame_ref_ts(21).await;
    assert_eq!(f.feed_state().await.window_decrease_ppb(ref_21, window), 5_000_000);
    land_at(&mut f, 21, r3).await;
    let feed = f.feed_state().await;
    assert_eq!((feed.held.frame, feed.held.decrease_ppb), (21, BUDGET_PPB));
    assert_eq!(feed.fair_rate, r2);

    // Frame 22: exactly 18 days after frame 4's reference time, its decrease is out of the window:
    // the whole budget is free again and the same 1% decrease applies.
    f.warp_to_frame(22, 3_600).await;
    let ref_22 = f.frame_ref_ts(22).await;
    assert_eq!(ref_22, f.genesis + 3 * DAY + i64::from(window));
    assert_eq!(f.feed_state().await.window_decrease_ppb(ref_22, window), 0);
    land_at(&mut f, 22, r3).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, r3);
    assert_eq!(feed.held, HeldReport::default());
    assert_eq!(feed.window_decrease_ppb(ref_22, window), BUDGET_PPB);
}

#[tokio::test]
async fn the_maximum_rate_is_inclusive() {
    let limits = SanityLimits::default();
    let initial = WAD * 999 / 100; // 9.99
    let mut f = Fixture::with(Setup { initial_rate: initial, ..Setup::default() }).await;
    // Ten days in, +0.1% is well inside the annual limit: only the absolute bound binds.
    f.warp_to_frame(11, 3_600).await;
    assert!(limits.max_rate < max_annual_rate(&limits, initial, 10 * DAY), "max_rate + 1 is within the annual limit");
    reject_at(&mut f, 11, limits.max_rate + 1, OracleError::RateOutOfBounds).await;
    land_at(&mut f, 11, limits.max_rate).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.reported_rate, limits.max_rate);
    assert_eq!(feed.fair_rate, step(initial));
}

#[tokio::test]
async fn the_minimum_rate_is_inclusive() {
    let limits = SanityLimits::default();
    let initial = WAD * 101 / 1_000; // 0.101: down to 0.1 is a 0.99% decrease, inside the budget
    let mut f = Fixture::with(Setup { initial_rate: initial, ..Setup::default() }).await;
    let frame = f.next_frame().await;
    reject_at(&mut f, frame, limits.min_rate - 1, OracleError::RateOutOfBounds).await;
    land_at(&mut f, frame, limits.min_rate).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.fair_rate, limits.min_rate);
    assert_eq!(feed.held, HeldReport::default());
}

#[tokio::test]
async fn the_feed_goes_stale_one_second_after_the_maximum_report_age() {
    let mut f = Fixture::new().await;
    let frame = f.next_frame().await;
    land_at(&mut f, frame, WAD).await;
    let feed = f.feed_state().await;
    let ref_ts = f.genesis + DAY;
    assert_eq!(feed.last_report_ref_ts, ref_ts);
    assert_eq!(feed.max_report_age_secs, 129_600);

    f.chain.warp_to(ref_ts + 129_600).await;
    let now = f.chain.now().await;
    assert!(!f.feed_state().await.is_stale(now), "fresh at exactly the maximum age");
    f.chain.warp_by(1).await;
    let now = f.chain.now().await;
    assert!(f.feed_state().await.is_stale(now), "stale one second later");

    // The next report is measured from its own reference time: fresh again.
    let frame = f.current_frame().await;
    assert_eq!(frame, 3);
    land_at(&mut f, frame, WAD).await;
    assert!(!f.feed_state().await.is_stale(now));
}

#[tokio::test]
async fn bunker_mode_follows_decreases_flags_and_clean_reports() {
    let mut f = Fixture::new().await;
    let lower = WAD * 998 / 1_000;
    f.land_next(lower).await;
    assert!(f.feed_state().await.bunker, "on after a decrease");
    f.land_next(lower).await;
    assert!(!f.feed_state().await.bunker, "off after a clean report");

    let frame = f.next_frame().await;
    let mut flagged = f.report(frame, lower);
    flagged.bunker = true;
    land(&mut f, flagged).await;
    let feed = f.feed_state().await;
    assert!(feed.bunker, "on after a report that asks for it");
    assert_eq!(feed.fair_rate, lower);
    f.land_next(lower + 1).await;
    assert!(!f.feed_state().await.bunker, "an increase is a clean report");
}

#[tokio::test]
async fn only_the_guardian_may_enable_bunker_mode() {
    let mut f = Fixture::new().await;
    assert!(!f.feed_state().await.bunker);
    for outsider in [f.admin.insecure_clone(), f.signer(0), f.authority(0)] {
        let enable = f.bunker_ix(outsider.pubkey());
        f.chain.send_err(&[enable], &[&outsider], code(OracleError::NotGuardian), &f.watched()).await;
    }
    let guardian = f.guardian.insecure_clone();
    let enable = f.bunker_ix(guardian.pubkey());
    f.chain.send_ok(&[enable], &[&guardian]).await;
    assert!(f.feed_state().await.bunker);
    // The guardian cannot turn it off; a clean report does.
    f.land_next(WAD).await;
    assert!(!f.feed_state().await.bunker);
}

#[tokio::test]
async fn update_limits_validates_and_copies_staleness_into_the_feed() {
    let mut f = Fixture::new().await;
    let admin = f.admin.insecure_clone();
    let d = SanityLimits::default();
    let invalid = [
        SanityLimits { annual_increase_limit_bps: 0, ..d },
        SanityLimits { annual_increase_limit_bps: 10_001, ..d },
        SanityLimits { max_positive_rebase_ppb: 0, ..d },
        SanityLimits { max_positive_rebase_ppb: 1_000_000_001, ..d },
        SanityLimits { max_decrease_bps: 10_001, ..d },
        SanityLimits { decrease_window_secs: 0, ..d },
        SanityLimits { decrease_window_secs: SanityLimits::MAX_WINDOW_SECS + 1, ..d },
        SanityLimits { min_rate: 0, ..d },
        SanityLimits { min_rate: d.max_rate + 1, ..d },
        SanityLimits { max_rate: SanityLimits::MAX_RATE + 1, ..d },
        SanityLimits { max_report_age_secs: 0, ..d },
        SanityLimits { max_price_age_secs: 0, ..d },
        SanityLimits { ema_half_life_secs: 0, ..d },
        SanityLimits { max_confidence_bps: 0, ..d },
        SanityLimits { max_confidence_bps: 10_001, ..d },
    ];
    for limits in invalid {
        let update = f.limits_ix(admin.pubkey(), limits);
        f.chain.send_err(&[update], &[&admin], code(OracleError::InvalidLimits), &f.watched()).await;
    }

    // Every field at the edge of its range is valid.
    let edge = SanityLimits {
        annual_increase_limit_bps: 10_000,
        max_positive_rebase_ppb: 1_000_000_000,
        max_decrease_bps: 10_000,
        decrease_window_secs: SanityLimits::MAX_WINDOW_SECS,
        min_rate: SanityLimits::MAX_RATE,
        max_rate: SanityLimits::MAX_RATE,
        max_report_age_secs: 1,
        max_price_age_secs: 1,
        ema_half_life_secs: 1,
        max_confidence_bps: 10_000,
    };
    let valid =
        SanityLimits { max_rate: SanityLimits::MAX_RATE, max_report_age_secs: 200_000, max_price_age_secs: 90, ..d };
    for outsider in [f.guardian.insecure_clone(), f.signer(0)] {
        let update = f.limits_ix(outsider.pubkey(), valid);
        f.chain.send_err(&[update], &[&outsider], code(OracleError::NotAdmin), &f.watched()).await;
    }

    let update = f.limits_ix(admin.pubkey(), edge);
    f.chain.send_ok(&[update], &[&admin]).await;
    assert_eq!(f.committee_state().await.limits, edge);

    let update = f.limits_ix(admin.pubkey(), valid);
    f.chain.send_ok(&[update], &[&admin]).await;
    assert_eq!(f.committee_state().await.limits, valid);
    let feed = f.feed_state().await;
    assert_eq!(feed.max_report_age_secs, 200_000);
    assert_eq!(feed.max_price_age_secs, 90);
    assert_eq!(feed.fair_rate, WAD, "limits do not touch the rates");
}
