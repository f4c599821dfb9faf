//! Market price rounds: the median of the fresh observations, its robust low (the lower median), its
//! band (median absolute deviation), the EMAs, what happens below quorum and when members disagree. Default fixture: 9 members, quorum 5, max price age 60 s, half-life 3600 s.
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
    // deviations from 1.000: 0.020, 0.010, 0, 0.010, 0.030 + 1 unit; their median is 0.010
    assert_eq!(feed.market_confidence, milli(10));
    assert_eq!(feed.market_price_ts, now);
    assert_eq!(feed.market_ema, milli(1_000), "the first median seeds the EMA");
    assert_eq!(feed.market_ema_ts, now);
    assert_eq!(
        feed.market_price_at(now),
        Some(MarketPrice {
            price: milli(1_000),
            low: milli(1_000),
            confidence: milli(10),
            ema: milli(1_000),
            ema_low: milli(1_000)
        })
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
    // the lower median is the robust low
    assert_eq!(feed.market_low, milli(1_000) + 1);
    // deviations from 1.001, sorted: 0.001 - 1, 0.001, 0.003 + 1, 0.005, 0.011, 0.019: the median of the
    // middle two, floored
    assert_eq!(feed.market_confidence, milli(4));
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
    assert_eq!(feed.market_confidence, milli(10));
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

    // 61 s later (the first observations just stale) a new round with median 0.980: the EMA counts at
    // most the price age, so it keeps 0.5^(60/3600).
    let t1 = t0 + 61;
    f.chain.warp_to(t1).await;
    for member in 0..4 {
        submit(&mut f, member, milli(976 + 2 * member as u128), t1).await;
    }
    assert_eq!(f.feed_state().await.market_ema, m1, "below quorum the EMA does not move");
    submit(&mut f, 4, milli(984), t1).await;
    let m2 = milli(980);
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, m2);
    let expected = ema::update(m1, m2, 60, 3_600);
    assert_eq!(feed.market_ema, expected);
    assert_eq!(feed.market_ema_low, ema::update(m1, milli(980), 60, 3_600));
    assert_eq!(feed.market_ema_ts, t1);

    // After a half-hour gap without fresh prices, one round counts as one price age, not the gap:
    // a round right after an outage cannot bypass the EMA.
    let t2 = t1 + 1_800;
    f.chain.warp_to(t2).await;
    for member in 0..5 {
        submit(&mut f, member, milli(1_020), t2).await;
    }
    let feed = f.feed_state().await;
    assert_eq!(feed.market_ema, ema::update(expected, milli(1_020), 60, 3_600));
    assert!(feed.market_ema > expected && feed.market_ema < milli(1_020));
}

#[tokio::test]
async fn members_who_disagree_beyond_the_band_limit_give_no_market_price() {
    let mut f = Fixture::new().await;
    let now = f.chain.now().await;
    for (member, price) in
        [milli(1_000), milli(1_001), milli(1_002), milli(1_003), milli(1_004)].into_iter().enumerate()
    {
        submit(&mut f, member, price, now).await;
    }
    assert!(f.feed_state().await.market_price_at(now).is_some());
    // A dispersed round (band 3% > 2%): deviations from 1.000 of [0.94, 0.97, 1.00, 1.03, 1.06] are
    // 0, 0.03, 0.03, 0.06, 0.06, whose median is 0.03.
    f.chain.warp_to(now + 1).await;
    let prices = [milli(940), milli(970), milli(1_000), milli(1_030), milli(1_060)];
    for (member, &price) in prices.iter().enumerate().take(4) {
        submit(&mut f, member, price, now + 1).await;
    }
    let before = f.feed_state().await;
    submit(&mut f, 4, prices[4], now + 1).await;
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price_at(now + 1), None);
    assert_eq!((feed.market_ema, feed.market_ema_low), (before.market_ema, before.market_ema_low));
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

const MEMBERS: usize = 9;

/// One step of the Byzantine property: honest members observe a value near the truth, faulty ones
/// submit anything at any time, time moves on.
#[derive(Clone, Debug)]
enum Step {
    Honest { member: usize, milli_offset: i64 },
    Faulty { member: usize, price: u128, age: i64 },
    Drift { milli: i64 },
    Warp { secs: i64 },
}

fn step(faulty: usize) -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let honest = MEMBERS - faulty;
    prop_oneof![
        4 => (0..honest, -20i64..=20).prop_map(move |(m, o)| Step::Honest { member: faulty + m, milli_offset: o }),
        3 => (0..faulty.max(1), prop_oneof![Just(1u128), Just(u128::MAX), any::<u128>().prop_map(|p| p.max(1))], 0i64..120)
            .prop_map(|(member, price, age)| Step::Faulty { member, price, age }),
        1 => (-30i64..=30).prop_map(|milli| Step::Drift { milli }),
        2 => prop_oneof![Just(1i64), Just(15), Just(59), Just(61)].prop_map(|secs| Step::Warp { secs }),
    ]
}

/// Fewer faulty members than honest ones among the fresh observations: the feed's price and low stay
/// within the honest fresh observations, and the EMA of the low within every honest value seen.
async fn run_byzantine(faulty: usize, steps: Vec<Step>) {
    let mut f = Fixture::new().await;
    let t0 = f.chain.now().await;
    let mut truth = milli(1_000) as i128;
    let mut seen = (u128::MAX, 0u128);
    // Every honest member observes first, so honest observations are always the fresh majority.
    let mut last_ts = [t0 - 1; MEMBERS];
    let mut honest_obs: Vec<(u128, i64)> = vec![(0, i64::MIN); MEMBERS];
    for member in faulty..MEMBERS {
        submit(&mut f, member, truth as u128, t0).await;
        honest_obs[member] = (truth as u128, t0);
        last_ts[member] = t0;
        seen = (seen.0.min(truth as u128), seen.1.max(truth as u128));
    }
    for step in steps {
        let now = f.chain.now().await;
        match step {
            Step::Honest { member, milli_offset } => {
                if last_ts[member] >= now {
                    continue;
                }
                let price = (truth + i128::from(milli_offset) * (WAD / 1_000) as i128) as u128;
                submit(&mut f, member, price, now).await;
                (honest_obs[member], last_ts[member]) = ((price, now), now);
                seen = (seen.0.min(price), seen.1.max(price));
            }
            Step::Faulty { member, price, age } => {
                let ts = (now - age).max(last_ts[member] + 1);
                if faulty == 0 || ts > now {
                    continue;
                }
                submit(&mut f, member, price, ts).await;
                last_ts[member] = ts;
            }
            Step::Drift { milli } => truth += i128::from(milli) * (WAD / 1_000) as i128,
            Step::Warp { secs } => {
                f.chain.warp_to(now + secs).await;
                // Keepers re-observe: every honest member observes the truth again.
                for member in faulty..MEMBERS {
                    submit(&mut f, member, truth as u128, now + secs).await;
                    (honest_obs[member], last_ts[member]) = ((truth as u128, now + secs), now + secs);
                }
                seen = (seen.0.min(truth as u128), seen.1.max(truth as u128));
            }
        }
        let now = f.chain.now().await;
        let feed = f.feed_state().await;
        let fresh: Vec<u128> = honest_obs[faulty..].iter().filter(|(_, ts)| now - ts <= 60).map(|(p, _)| *p).collect();
        if let (Some(market), false) = (feed.market_price_at(now), fresh.is_empty()) {
            let (low, high) = (*fresh.iter().min().unwrap(), *fresh.iter().max().unwrap());
            assert!((low..=high).contains(&market.price), "price {} outside honest [{low}, {high}]", market.price);
            assert!((low..=high).contains(&market.low), "low {} outside honest [{low}, {high}]", market.low);
            assert!(
                (seen.0..=seen.1).contains(&market.ema_low),
                "EMA low {} outside every honest value",
                market.ema_low
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, failure_persistence: None, ..Default::default() })]

    #[test]
    fn a_faulty_minority_at_any_values_and_times_cannot_move_the_market_price_outside_the_honest_range(
        faulty in 1usize..=4,
        steps in proptest::collection::vec(step(4), 1..40),
    ) {
        let steps: Vec<Step> = steps
            .into_iter()
            .filter(|s| match s {
                Step::Faulty { member, .. } => *member < faulty,
                Step::Honest { member, .. } => *member >= faulty,
                _ => true,
            })
            .collect();
        tokio::runtime::Runtime::new().unwrap().block_on(run_byzantine(faulty, steps));
    }
}
