//! Market price rounds: the median of the fresh observations, its confidence band, the EMA, and what
//! happens below quorum. Default fixture: 9 members, quorum 5, max price age 60 s, half-life 3600 s.
use lantern_test_support::solana_sdk::signature::{Keypair, Signer};
use oracle::errors::OracleError;
use oracle::math::ema;
use oracle::state::MarketPrice;

use crate::common::*;

/// Thousandths of a WAD.
const fn milli(m: u128) -> u128 {
    WAD / 1_000 * m
}

async fn submit(f: &mut Fixture, member: usize, price: u128, observed_ts: i64) {
    let signer = f.signer(member);
    let ix = f.price_ix(signer.pubkey(), price, observed_ts);
    f.chain.send_ok(&[ix], &[&signer]).await;
}

async fn submit_err(f: &mut Fixture, signer: &Keypair, price: u128, observed_ts: i64, error: OracleError) {
    let ix = f.price_ix(signer.pubkey(), price, observed_ts);
    f.chain.send_err(&[ix], &[signer], code(error), &f.watched()).await;
}

#[tokio::test]
async fn odd_count_median_and_confidence() {
    let mut f = Fixture::new().await;
    let now = f.chain.now().await;
    let prices = [milli(1_010), milli(990), milli(1_000), milli(1_030) + 1, milli(980)];
    for (member, &price) in prices.iter().enumerate().take(4) {
        submit(&mut f, member, price, now).await;
    }
    assert_eq!(f.feed_state().await.market_price, 0, "four observations are below quorum");
    submit(&mut f, 4, prices[4], now).await;

    // sorted: 0.980, 0.990, 1.000, 1.010, 1.030 + 1 unit
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, milli(1_000));
    // the middle 5 of 5: (1.030 + 1 unit - 0.980) / 2, floored
    assert_eq!(feed.market_confidence, milli(25));
    assert_eq!(feed.market_price_ts, now);
    assert_eq!(feed.market_ema, milli(1_000), "the first median seeds the EMA");
    assert_eq!(feed.market_ema_ts, now);
    assert_eq!(
        feed.market_price_at(now),
        Some(MarketPrice { price: milli(1_000), confidence: milli(25), ema: milli(1_000) })
    );
}

#[tokio::test]
async fn even_count_median_and_confidence() {
    let mut f = Fixture::new().await;
    let now = f.chain.now().await;
    // Observed 10..5 seconds ago, one second apart.
    let prices = [milli(1_000) + 1, milli(1_002), milli(996), milli(1_020), milli(990), milli(1_004) + 1];
    for (member, &price) in prices.iter().enumerate() {
        submit(&mut f, member, price, now - 10 + member as i64).await;
    }
    // sorted: 0.990, 0.996, 1.000 + 1, 1.002, 1.004 + 1, 1.020
    let feed = f.feed_state().await;
    // floor((1.000 + 1 unit + 1.002) / 2) = 1.001 exactly (the half unit is dropped)
    assert_eq!(feed.market_price, milli(1_001));
    // the middle quorum (5) of 6 sorted values are the first five (the window starts at (6 - 5) / 2 = 0):
    // (1.004 + 1 unit - 0.990) / 2, floored; the last five would give (1.020 - 0.996) / 2 = 0.012
    assert_eq!(feed.market_confidence, milli(7));
    // the quorum-th (5th) newest observation is member 1's, 9 seconds old
    assert_eq!(feed.market_price_ts, now - 9);
}

#[tokio::test]
async fn observations_older_than_the_maximum_age_are_ignored() {
    let mut f = Fixture::new().await;
    let t0 = f.chain.now().await;
    for member in 0..3 {
        submit(&mut f, member, 5 * WAD, t0).await;
    }
    f.chain.warp_to(t0 + 61).await;
    let now = t0 + 61;
    // Member 3 observed exactly 60 s ago (still fresh), members 4..=7 now: five fresh observations.
    submit(&mut f, 3, milli(1_020), now - 60).await;
    for (member, price) in [(4, milli(980)), (5, milli(990)), (6, milli(1_000)), (7, milli(1_010))] {
        submit(&mut f, member, price, now).await;
    }
    let feed = f.feed_state().await;
    // Counting members 0..=2's 61-second-old 5.0 observations would give a median of 1.015.
    assert_eq!(feed.market_price, milli(1_000));
    assert_eq!(feed.market_confidence, milli(20));
    assert_eq!(feed.market_price_ts, now - 60);

    // An observation that is already 61 s old when it arrives is stored but not counted.
    let before = feed;
    submit(&mut f, 8, 7 * WAD, now - 61).await;
    let feed = f.feed_state().await;
    assert_eq!(f.committee_state().await.members[8].price, 7 * WAD);
    assert_eq!(
        (feed.market_price, feed.market_confidence, feed.market_ema, feed.market_price_ts),
        (before.market_price, before.market_confidence, before.market_ema, before.market_price_ts)
    );
}

#[tokio::test]
async fn below_quorum_the_market_price_is_not_updated_and_expires() {
    let mut f = Fixture::new().await;
    let t0 = f.chain.now().await;
    // Observations 4..0 seconds old: the quorum-th (5th) newest is 4 seconds old.
    for member in 0..5 {
        submit(&mut f, member, milli(1_000 + member as u128), t0 - 4 + member as i64).await;
    }
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, milli(1_002));
    assert_eq!(feed.market_price_ts, t0 - 4);
    assert!(feed.market_price_at(t0 - 4 + 60).is_some(), "valid while the 5th newest is 60 s old");
    assert_eq!(feed.market_price_at(t0 - 4 + 61), None, "gone once it is 61 s old");

    // Much later only four members report: no market price is formed and the old one stays expired.
    f.chain.warp_to(t0 + 100).await;
    let now = t0 + 100;
    let before = f.chain.snapshot(&[f.feed]).await;
    for member in 5..9 {
        submit(&mut f, member, milli(900), now).await;
    }
    assert_eq!(f.chain.snapshot(&[f.feed]).await, before, "four fresh observations leave the feed untouched");
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, milli(1_002));
    assert_eq!(feed.market_price_at(now), None);

    // A fifth fresh observation forms a market price again.
    submit(&mut f, 0, milli(900), now).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, milli(900));
    assert_eq!(feed.market_price_ts, now);
    assert!(feed.market_price_at(now).is_some());
}

#[tokio::test]
async fn the_ema_is_seeded_by_the_first_median_and_moves_halfway_in_one_half_life() {
    let mut f = Fixture::new().await;
    let t0 = f.chain.now().await;
    for member in 0..5 {
        submit(&mut f, member, milli(996 + 2 * member as u128), t0).await;
    }
    let m1 = milli(1_000);
    let feed = f.feed_state().await;
    assert_eq!((feed.market_price, feed.market_ema, feed.market_ema_ts), (m1, m1, t0));

    // One half-life later a new round with median 0.980: the EMA moves exactly halfway.
    let t1 = t0 + 3_600;
    f.chain.warp_to(t1).await;
    for member in 0..4 {
        submit(&mut f, member, milli(976 + 2 * member as u128), t1).await;
    }
    assert_eq!(f.feed_state().await.market_ema, m1, "below quorum the EMA does not move");
    submit(&mut f, 4, milli(984), t1).await;
    let m2 = milli(980);
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, m2);
    let expected = ema::update(m1, m2, 3_600, 3_600);
    assert_eq!(expected, (m1 + m2) / 2);
    assert_eq!(feed.market_ema, expected);
    assert_eq!(feed.market_ema_ts, t1);

    // Half a half-life later the EMA keeps 0.5^0.5 of the old average.
    let t2 = t1 + 1_800;
    f.chain.warp_to(t2).await;
    for member in 0..5 {
        submit(&mut f, member, milli(1_020), t2).await;
    }
    let feed = f.feed_state().await;
    assert_eq!(feed.market_ema, ema::update(expected, milli(1_020), 1_800, 3_600));
    assert!(feed.market_ema > expected && feed.market_ema < milli(1_020));
}

#[tokio::test]
async fn invalid_price_submissions_are_rejected() {
    let mut f = Fixture::new().await;
    let now = f.chain.now().await;
    let member = f.signer(0);

    submit_err(&mut f, &member, 0, now, OracleError::InvalidPrice).await;
    submit_err(&mut f, &member, WAD, now + 1, OracleError::PriceFromFuture).await;

    submit(&mut f, 0, WAD, now - 10).await;
    submit_err(&mut f, &member, WAD + 1, now - 10, OracleError::PriceNotNewer).await;
    submit_err(&mut f, &member, WAD + 1, now - 20, OracleError::PriceNotNewer).await;

    for outsider in [Keypair::new(), f.authority(0), f.admin.insecure_clone(), f.guardian.insecure_clone()] {
        submit_err(&mut f, &outsider, WAD, now, OracleError::NotMember).await;
    }

    let guardian = f.guardian.insecure_clone();
    let pause = f.paused_ix(guardian.pubkey(), true);
    f.chain.send_ok(&[pause], &[&guardian]).await;
    submit_err(&mut f, &member, WAD, now, OracleError::Paused).await;

    // After the admin unpauses, the same observation is accepted.
    let admin = f.admin.insecure_clone();
    let unpause = f.paused_ix(admin.pubkey(), false);
    f.chain.send_ok(&[unpause], &[&admin]).await;
    submit(&mut f, 0, WAD, now).await;
    let committee = f.committee_state().await;
    assert_eq!((committee.members[0].price, committee.members[0].price_ts), (WAD, now));
}
