//! oracle: sanity checks, smoothing, the decrease window, median and EMA, frames, committee counting.
use anchor_lang::prelude::Pubkey;
use lantern_math::{PPB, WAD, YEAR_SECS};
use oracle::math::sanity::{self, Candidate, Prior, Verdict};
use oracle::math::{ema, median};
use oracle::state::{
    Committee, DecreaseEntry, Feed, FrameConfig, FrameReport, HeldReport, MarketPrice, Member, SanityLimits,
    DECREASE_SLOTS, MAX_MEMBERS, NO_HASH,
};
use serde_json::{json, Value};

use crate::rng::Rng;
use crate::{anchor_err, err, s, Area, Cases};

const DAY: i64 = 86_400;

fn limits_json(l: &SanityLimits) -> Value {
    json!([
        l.annual_increase_limit_bps,
        s(l.max_positive_rebase_ppb),
        l.max_decrease_bps,
        l.decrease_window_secs,
        s(l.min_rate),
        s(l.max_rate),
        l.max_report_age_secs,
        l.max_price_age_secs,
        l.ema_half_life_secs,
        l.max_confidence_bps,
    ])
}

fn random_limits(rng: &mut Rng) -> SanityLimits {
    let mut l = SanityLimits::default();
    if rng.chance(40) {
        return l;
    }
    l.annual_increase_limit_bps = pick!(rng, [1, 100, 1_500, 3_000, 10_000, rng.range(1, 10_000) as u16]);
    l.max_positive_rebase_ppb = pick!(rng, [1, 750_000, 10_000_000, PPB as u64, rng.range(1, PPB as u64)]);
    l.max_decrease_bps = pick!(rng, [0, 1, 100, 500, 10_000, rng.range(0, 10_000) as u16]);
    l.decrease_window_secs = pick!(rng, [1, DAY as u32, 18 * DAY as u32, SanityLimits::MAX_WINDOW_SECS]);
    l.min_rate = pick!(rng, [1, WAD / 10, WAD / 2, WAD]);
    l.max_rate = pick!(rng, [WAD, 2 * WAD, 10 * WAD, SanityLimits::MAX_RATE, u128::MAX]).max(l.min_rate);
    l.max_report_age_secs = rng.range(1, 10 * DAY as u64) as u32;
    l.max_price_age_secs = rng.range(1, 600) as u32;
    l.ema_half_life_secs = rng.range(1, 86_400) as u32;
    l.max_confidence_bps = pick!(rng, [1, 200, 10_000, rng.range(1, 10_000) as u16]);
    l
}

fn prior_json(p: &Prior) -> Value {
    json!([s(p.fair_rate), s(p.reported_rate), s(p.reported_ref_ts), s(p.window_decrease_ppb)])
}

fn verdict_json(v: &Verdict) -> Value {
    match v {
        Verdict::Apply { fair_rate, decrease_ppb, bunker } => {
            json!(["Apply", s(fair_rate), s(decrease_ppb), bunker])
        }
        Verdict::Hold { decrease_ppb } => json!(["Hold", s(decrease_ppb)]),
    }
}

/// A reported rate relative to `base`: mostly small moves (the sanity bounds' scale), sometimes anything.
fn moved_rate(rng: &mut Rng, base: u128) -> u128 {
    match rng.below(10) {
        0 => rng.any_u128(),
        1 => base,
        2 => rng.rate(),
        _ => {
            let ppb = u128::from(rng.range(0, 30_000_000));
            let delta = base / u128::from(PPB as u64) * ppb;
            if rng.chance(55) {
                base.saturating_add(delta)
            } else {
                base.saturating_sub(delta)
            }
        }
    }
}

fn frames_json(f: &FrameConfig) -> Value {
    json!([s(f.anchor_ts), s(f.anchor_frame), f.frame_secs, f.fast_lane_secs])
}

fn random_frames(rng: &mut Rng) -> FrameConfig {
    let frame_secs = pick!(rng, [1, 60, 3_600, DAY as u32, rng.range(1, 10 * DAY as u64) as u32]);
    FrameConfig {
        anchor_ts: rng.range_i64(-(1 << 40), 1 << 40),
        anchor_frame: pick!(rng, [1, 2, rng.range(1, 1 << 30)]),
        frame_secs,
        fast_lane_secs: rng.range(0, u64::from(frame_secs) - 1) as u32,
    }
}

fn entries_json(entries: &[DecreaseEntry; DECREASE_SLOTS]) -> Value {
    let sparse: Vec<Value> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.ref_ts != 0 || e.ppb != 0)
        .map(|(i, e)| json!([i, s(e.ref_ts), s(e.ppb)]))
        .collect();
    Value::Array(sparse)
}

fn market_json(m: &MarketPrice) -> Value {
    json!([s(m.price), s(m.low), s(m.confidence), s(m.ema), s(m.ema_low)])
}

fn held_json(h: &HeldReport) -> Value {
    json!([s(h.frame), s(h.ref_ts), s(h.rate), s(h.staked_lamports), s(h.decrease_ppb)])
}

fn empty_feed() -> Feed {
    Feed {
        bump: 0,
        lrt_mint: Pubkey::default(),
        committee: Pubkey::default(),
        fair_rate: WAD,
        reported_rate: WAD,
        reported_staked_lamports: 0,
        last_report_frame: 0,
        last_report_ref_ts: 0,
        last_report_ts: 0,
        bunker: false,
        held: HeldReport::default(),
        decreases: [DecreaseEntry::default(); DECREASE_SLOTS],
        market_price: 0,
        market_low: 0,
        market_confidence: 0,
        market_ema: 0,
        market_ema_low: 0,
        market_price_ts: 0,
        market_ema_ts: 0,
        max_report_age_secs: 129_600,
        max_price_age_secs: 60,
    }
}

/// The report-side state of a feed (what `process_report` and `confirm_held` read and write).
fn report_state_json(f: &Feed) -> Value {
    json!([
        s(f.fair_rate),
        s(f.reported_rate),
        s(f.reported_staked_lamports),
        s(f.last_report_frame),
        s(f.last_report_ref_ts),
        s(f.last_report_ts),
        f.bunker,
        held_json(&f.held),
        entries_json(&f.decreases),
    ])
}

/// A feed with a history of decreases: free, expired, in-window and tied slots, sometimes all full.
fn random_report_feed(rng: &mut Rng, ref_ts: i64, window: u32) -> Feed {
    let mut feed = empty_feed();
    feed.fair_rate = rng.rate().max(1);
    feed.reported_rate = if rng.chance(30) { moved_rate(rng, feed.fair_rate).max(1) } else { feed.fair_rate };
    feed.reported_staked_lamports = rng.amount();
    feed.last_report_frame = rng.range(0, 1_000);
    feed.last_report_ref_ts = ref_ts - rng.range_i64(-DAY, 400 * DAY);
    feed.last_report_ts = feed.last_report_ref_ts + rng.range_i64(0, DAY);
    feed.bunker = rng.chance(30);
    // A third of the feeds have every slot taken inside the window, with tied times, so that a new
    // decrease folds into the newest (last of the equally new) slot.
    let full_window = rng.chance(33);
    let filled = if full_window || rng.chance(15) { DECREASE_SLOTS } else { rng.range(0, 12) as usize };
    let times: Vec<i64> = (0..4).map(|_| ref_ts - rng.range_i64(0, i64::from(window) * 5 / 4)).collect();
    let recent: Vec<i64> = (0..3).map(|_| ref_ts - rng.range_i64(0, i64::from(window) - 1)).collect();
    for entry in feed.decreases.iter_mut().take(filled) {
        *entry = if full_window {
            DecreaseEntry { ref_ts: rng.pick(&recent), ppb: rng.range(1, 100_000) }
        } else {
            DecreaseEntry {
                ref_ts: if rng.chance(50) {
                    rng.pick(&times)
                } else {
                    ref_ts - rng.range_i64(-10, i64::from(window) * 3 / 2)
                },
                ppb: if rng.chance(10) { 0 } else { rng.range(1, 600_000) },
            }
        };
    }
    if rng.chance(20) {
        feed.held = HeldReport {
            frame: rng.range(1, 1_000),
            ref_ts: ref_ts - rng.range_i64(0, DAY),
            rate: moved_rate(rng, feed.reported_rate).max(1),
            staked_lamports: rng.amount(),
            decrease_ppb: rng.range(0, 100_000_000),
        };
    }
    feed
}

/// The slots that differ, as `[index, refTs, ppb]`.
fn changed_entries(before: &[DecreaseEntry; DECREASE_SLOTS], after: &[DecreaseEntry; DECREASE_SLOTS]) -> Value {
    let changed: Vec<Value> = (0..DECREASE_SLOTS)
        .filter(|&i| before[i] != after[i])
        .map(|i| json!([i, s(after[i].ref_ts), s(after[i].ppb)]))
        .collect();
    Value::Array(changed)
}

fn report_outcome(before: &Feed, after: &Feed) -> Value {
    let mut state = report_state_json(after);
    state[8] = changed_entries(&before.decreases, &after.decreases);
    state
}

fn committee_with(members: &[Member], quorum: u8, limits: SanityLimits) -> Committee {
    let mut all = [Member::default(); MAX_MEMBERS];
    all[..members.len()].copy_from_slice(members);
    Committee {
        bump: 0,
        lrt_mint: Pubkey::default(),
        feed: Pubkey::default(),
        admin: Pubkey::default(),
        guardian: Pubkey::default(),
        quorum,
        member_count: members.len() as u8,
        paused: false,
        consensus_disabled: false,
        consensus_version: 1,
        frames: FrameConfig { anchor_ts: 0, anchor_frame: 1, frame_secs: 86_400, fast_lane_secs: 0 },
        limits,
        last_processed_frame: 0,
        consensus_frame: 0,
        consensus_hash: NO_HASH,
        members: all,
    }
}

fn price_list(rng: &mut Rng, n: usize) -> Vec<u128> {
    let center = rng.rate();
    (0..n)
        .map(|_| match rng.below(10) {
            0 => rng.any_u128(),
            1 => center,
            _ => rng.near_u128(center, 20_000_000_000_000_000),
        })
        .collect()
}

pub fn generate(rng: &mut Rng) -> Area {
    let mut area = Area::new();

    let mut cases = Cases::new("decreasePpb");
    for _ in 0..500 {
        let from = if rng.chance(20) { rng.any_u128() } else { rng.rate() };
        let to = if rng.chance(20) { rng.any_u128() } else { moved_rate(rng, from) };
        cases.add(json!([s(from), s(to)]), || match sanity::decrease_ppb(from, to) {
            Ok(ppb) => s(ppb),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    let mut cases = Cases::new("smoothedRate");
    for _ in 0..500 {
        let fair = if rng.chance(15) { rng.any_u128() } else { rng.rate() };
        let target = moved_rate(rng, fair);
        let max_ppb = if rng.chance(20) {
            rng.any_u64()
        } else {
            pick!(rng, [0, 1, 750_000, PPB as u64, rng.range(1, PPB as u64)])
        };
        cases.add(json!([s(fair), s(target), s(max_ppb)]), || s(sanity::smoothed_rate(fair, target, max_ppb)));
    }
    area.push(cases);

    // evaluate, and withinAnnualIncrease on the same inputs: [verdict or error, within or error].
    let mut evaluate = Cases::new("evaluate");
    for _ in 0..1000 {
        let limits = random_limits(rng);
        let reported = if rng.chance(10) { rng.any_u128() } else { rng.rate() };
        let ref_ts = rng.range_i64(-(1 << 40), 1 << 40);
        let prior = Prior {
            fair_rate: if rng.chance(70) { reported } else { moved_rate(rng, reported) },
            reported_rate: reported,
            reported_ref_ts: if rng.chance(5) {
                pick!(rng, [i64::MIN, i64::MAX, 0])
            } else {
                ref_ts - pick!(rng, [0, -1, 1, DAY, YEAR_SECS as i64, rng.range_i64(-DAY, 2 * YEAR_SECS as i64)])
            },
            window_decrease_ppb: pick!(rng, [0, 1, 4_000_000, 10_000_000, u64::MAX, rng.range(0, 20_000_000)]),
        };
        let report = Candidate {
            rate: if rng.chance(5) {
                pick!(
                    rng,
                    [
                        limits.min_rate,
                        limits.max_rate,
                        limits.min_rate.saturating_sub(1),
                        limits.max_rate.saturating_add(1)
                    ]
                )
            } else {
                moved_rate(rng, reported)
            },
            ref_ts,
            bunker_flag: rng.chance(20),
        };
        let candidate = json!([s(report.rate), s(report.ref_ts), report.bunker_flag]);
        evaluate.add(json!([limits_json(&limits), prior_json(&prior), candidate]), || {
            let verdict = match sanity::evaluate(&limits, &prior, &report) {
                Ok(v) => verdict_json(&v),
                Err(e) => err(e),
            };
            let within = match sanity::within_annual_increase(&limits, &prior, report.rate, report.ref_ts) {
                Ok(ok) => json!(ok),
                Err(e) => err(e),
            };
            json!([verdict, within])
        });
    }
    area.push(evaluate);

    let mut cases = Cases::new("decay");
    for _ in 0..1000 {
        let half_life = match rng.below(6) {
            0 => rng.any_u64(),
            1 => 0,
            _ => pick!(rng, [1, 60, 3_600, rng.range(1, 1_000_000)]),
        };
        let elapsed = match rng.below(6) {
            0 => rng.any_u64(),
            1 => half_life.saturating_mul(rng.range(0, 130)),
            2 => half_life.saturating_mul(rng.range(0, 4)).saturating_add(rng.range(0, 3)),
            _ => rng.range(0, 20 * half_life.clamp(1, 1 << 40)),
        };
        cases.add(json!([s(elapsed), s(half_life)]), || s(ema::decay(elapsed, half_life)));
    }
    area.push(cases);

    let mut cases = Cases::new("emaUpdate");
    for _ in 0..1000 {
        let ema_value = if rng.chance(10) {
            0
        } else if rng.chance(10) {
            rng.any_u128()
        } else {
            rng.rate()
        };
        let value = if rng.chance(10) { rng.any_u128() } else { moved_rate(rng, ema_value.max(1)) };
        let half_life = pick!(rng, [1, 3_600, rng.range(1, 100_000), rng.any_u64()]);
        let elapsed = pick!(rng, [0, 1, 60, half_life, rng.range(0, 10 * half_life.min(1 << 40)), rng.any_u64()]);
        cases.add(json!([s(ema_value), s(value), s(elapsed), s(half_life)]), || {
            s(ema::update(ema_value, value, elapsed, half_life))
        });
    }
    area.push(cases);

    // medianRound: [values, max_confidence_bps] -> [sorted, price, low, confidence, agrees]
    let mut cases = Cases::new("medianRound");
    for _ in 0..150 {
        let n = rng.range(1, 16) as usize;
        let values = price_list(rng, n);
        let max_confidence_bps = pick!(rng, [1, 200, 10_000, rng.range(1, 10_000) as u16]);
        cases.add(json!([values.iter().map(|v| s(*v)).collect::<Vec<_>>(), max_confidence_bps]), || {
            let mut sorted = values.clone();
            median::sort(&mut sorted);
            let round = median::Round::of(&sorted);
            json!([
                sorted.iter().map(|v| s(*v)).collect::<Vec<_>>(),
                s(round.price),
                s(round.low),
                s(round.confidence),
                round.agrees(max_confidence_bps)
            ])
        });
    }
    area.push(cases);

    // FrameConfig: [config, ts, frame, at, secs, lane] ->
    // [frame_at(ts), ref_ts(frame), deadline(frame), in_fast_lane(frame, at), new(anchor_ts, secs, lane),
    //  reconfigured(ts, secs, lane)].
    let mut cases = Cases::new("frames");
    for _ in 0..300 {
        let frames = random_frames(rng);
        let span = i64::from(frames.frame_secs) * 50;
        let ts = frames.anchor_ts + rng.range_i64(-span, span * 20);
        let frame =
            if rng.chance(10) { rng.range(0, frames.anchor_frame) } else { frames.anchor_frame + rng.range(0, 1_000) };
        let at = frames.ref_ts(frame) + rng.range_i64(-2, i64::from(frames.frame_secs) + 1);
        let (secs, lane) = (
            pick!(rng, [0, 1, 60, 3_600, rng.range(0, 1 << 20) as u32]),
            pick!(rng, [0, 1, 59, 60, 3_600, rng.range(0, 1 << 20) as u32]),
        );
        cases.add(json!([frames_json(&frames), s(ts), s(frame), s(at), secs, lane]), || {
            let new = match FrameConfig::new(frames.anchor_ts, secs, lane) {
                Ok(f) => frames_json(&f),
                Err(e) => anchor_err(e),
            };
            let reconfigured = match frames.reconfigured(ts, secs, lane) {
                Ok(f) => frames_json(&f),
                Err(e) => anchor_err(e),
            };
            json!([
                frames.frame_at(ts).map_or(Value::Null, s),
                s(frames.ref_ts(frame)),
                s(frames.deadline(frame)),
                frames.in_fast_lane(frame, at),
                new,
                reconfigured
            ])
        });
    }
    area.push(cases);

    let mut cases = Cases::new("isFastLaneMember");
    for _ in 0..300 {
        let count = rng.range(1, MAX_MEMBERS as u64) as usize;
        let quorum = rng.range(0, count as u64 + 1) as u8;
        let committee = committee_with(&vec![Member::default(); count], quorum, SanityLimits::default());
        let index = rng.range(0, count as u64 - 1) as usize;
        let frame = if rng.chance(10) { rng.any_u64() } else { rng.range(0, 10_000) };
        cases.add(json!([quorum, count, index, s(frame)]), || json!(committee.is_fast_lane_member(index, frame)));
    }
    area.push(cases);

    let mut cases = Cases::new("freshPrices");
    for _ in 0..150 {
        let count = rng.range(1, MAX_MEMBERS as u64) as usize;
        let limits = SanityLimits {
            max_price_age_secs: pick!(rng, [1, 60, 600, rng.range(1, 1_000) as u32]),
            ..SanityLimits::default()
        };
        let now = rng.range_i64(1_600_000_000, 2_000_000_000);
        let max_age = i64::from(limits.max_price_age_secs);
        let prices = price_list(rng, count);
        let members: Vec<Member> = prices
            .iter()
            .map(|&p| Member {
                price: if rng.chance(10) { 0 } else { p },
                price_ts: now - pick!(rng, [0, max_age, max_age + 1, rng.range_i64(-5, max_age * 2)]),
                ..Member::default()
            })
            .collect();
        let quorum = rng.range(0, count as u64 + 1) as u8;
        let committee = committee_with(&members, quorum, limits);
        let mj: Vec<Value> = members.iter().map(|m| json!([s(m.price), s(m.price_ts)])).collect();
        cases.add(json!([mj, quorum, limits.max_price_age_secs, s(now)]), || {
            let (fresh, quorum_ts) = committee.fresh_prices(now);
            json!([fresh.iter().map(|v| s(*v)).collect::<Vec<_>>(), quorum_ts.map_or(Value::Null, s)])
        });
    }
    area.push(cases);

    let mut cases = Cases::new("consensusFor");
    for _ in 0..200 {
        let count = rng.range(1, MAX_MEMBERS as u64) as usize;
        let frame = rng.range(1, 100);
        let hashes = rng.range(1, 3);
        let members: Vec<Member> = (0..count)
            .map(|_| Member {
                vote_frame: if rng.chance(80) { frame } else { rng.range(0, 100) },
                vote_hash: [rng.range(0, hashes) as u8; 32],
                ..Member::default()
            })
            .collect();
        let quorum = rng.range(0, count as u64 + 2) as u8;
        let mut committee = committee_with(&members, quorum, SanityLimits::default());
        committee.consensus_disabled = rng.chance(10);
        let mj: Vec<Value> = members.iter().map(|m| json!([s(m.vote_frame), m.vote_hash[0]])).collect();
        cases.add(json!([mj, quorum, committee.consensus_disabled, s(frame)]), || {
            match committee.consensus_for(frame) {
                Some((hash, support)) => json!([hash[0], support]),
                None => Value::Null,
            }
        });
    }
    area.push(cases);

    let mut stale = Cases::new("isStale");
    let mut market = Cases::new("marketPriceAt");
    for _ in 0..300 {
        let mut feed = empty_feed();
        feed.last_report_ref_ts =
            if rng.chance(5) { pick!(rng, [i64::MIN, i64::MAX]) } else { rng.range_i64(-(1 << 40), 1 << 40) };
        feed.max_report_age_secs = pick!(rng, [1, 129_600, rng.next() as u32]);
        let now = feed.last_report_ref_ts.saturating_add(pick!(
            rng,
            [
                0,
                1,
                -1,
                i64::from(feed.max_report_age_secs),
                i64::from(feed.max_report_age_secs) + 1,
                rng.range_i64(-1000, 300_000)
            ]
        ));
        stale.add(json!([s(feed.last_report_ref_ts), feed.max_report_age_secs, s(now)]), || json!(feed.is_stale(now)));
        feed.market_price = if rng.chance(10) { 0 } else { rng.rate() };
        feed.market_low = feed.market_price.saturating_sub(rng.range_u128(0, WAD / 100));
        feed.market_confidence = rng.range_u128(0, WAD / 100);
        feed.market_ema = rng.rate();
        feed.market_ema_low = rng.rate();
        feed.market_price_ts = now.saturating_sub(rng.range_i64(-5, 200));
        feed.max_price_age_secs = pick!(rng, [1, 60, rng.range(1, 300) as u32]);
        let inputs = json!([
            s(feed.market_price),
            s(feed.market_low),
            s(feed.market_confidence),
            s(feed.market_ema),
            s(feed.market_ema_low),
            s(feed.market_price_ts),
            feed.max_price_age_secs,
            s(now)
        ]);
        market.add(inputs, || feed.market_price_at(now).map_or(Value::Null, |m| market_json(&m)));
    }
    area.push(stale);
    area.push(market);

    let mut window = Cases::new("windowDecreasePpb");
    let mut process = Cases::new("processReport");
    for i in 0..200 {
        let limits = random_limits(rng);
        let ref_ts = rng.range_i64(1_600_000_000, 2_000_000_000);
        let feed = random_report_feed(rng, ref_ts, limits.decrease_window_secs);
        if i % 2 == 0 {
            let mut decreases = feed.decreases;
            if rng.chance(20) {
                decreases[rng.below(DECREASE_SLOTS as u64) as usize].ppb = u64::MAX - rng.range(0, 5);
            }
            let f = Feed { decreases, ..empty_feed() };
            window.add(json!([entries_json(&decreases), s(ref_ts), limits.decrease_window_secs]), || {
                s(f.window_decrease_ppb(ref_ts, limits.decrease_window_secs))
            });
        }
        let frame = feed.last_report_frame + 1;
        let now = ref_ts + rng.range_i64(0, DAY);
        let rate = moved_rate(rng, feed.reported_rate);
        let staked = rng.amount();
        let bunker_flag = rng.chance(15);
        let inputs = json!([
            report_state_json(&feed),
            limits_json(&limits),
            s(frame),
            s(ref_ts),
            s(now),
            s(rate),
            s(staked),
            bunker_flag
        ]);
        process.add(inputs, || {
            let mut after = feed.clone();
            let report = FrameReport { frame, ref_ts, rate, staked_lamports: staked, bunker_flag };
            match after.process_report(&limits, &report, now) {
                Ok(v) => json!([verdict_json(&v), report_outcome(&feed, &after)]),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(window);
    area.push(process);

    let mut cases = Cases::new("confirmHeld");
    for _ in 0..100 {
        let limits = random_limits(rng);
        let ref_ts = rng.range_i64(1_600_000_000, 2_000_000_000);
        let mut feed = random_report_feed(rng, ref_ts, limits.decrease_window_secs);
        if rng.chance(80) {
            feed.held = HeldReport {
                frame: rng.range(1, 1_000),
                ref_ts,
                rate: moved_rate(rng, feed.reported_rate).max(1),
                staked_lamports: rng.amount(),
                decrease_ppb: rng.range(0, 100_000_000),
            };
        }
        let frame = if rng.chance(85) { feed.held.frame } else { rng.range(0, 1_000) };
        let now = ref_ts + rng.range_i64(0, DAY);
        cases.add(json!([report_state_json(&feed), limits_json(&limits), s(frame), s(now)]), || {
            let mut after = feed.clone();
            match after.confirm_held(&limits, frame, now) {
                Ok(()) => report_outcome(&feed, &after),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(cases);

    let mut cases = Cases::new("updateMarket");
    for _ in 0..200 {
        let mut feed = empty_feed();
        let now = rng.range_i64(1_600_000_000, 2_000_000_000);
        feed.market_price = rng.rate();
        feed.market_low = feed.market_price;
        feed.market_confidence = rng.range_u128(0, WAD / 100);
        feed.market_ema = if rng.chance(10) { 0 } else { rng.rate() };
        feed.market_ema_low = if feed.market_ema == 0 { 0 } else { rng.rate() };
        feed.market_price_ts = now - rng.range_i64(0, 100);
        feed.market_ema_ts = now - pick!(rng, [0, 1, 3_600, rng.range_i64(-10, 100_000)]);
        let n = rng.range(0, 16) as usize;
        let mut fresh = price_list(rng, n);
        median::sort(&mut fresh);
        let quorum = rng.range(1, 16) as u8;
        let quorum_ts = if rng.chance(10) { None } else { Some(now - rng.range_i64(0, 60)) };
        let mut limits = random_limits(rng);
        limits.ema_half_life_secs = pick!(rng, [1, 3_600, rng.range(1, 100_000) as u32]);
        feed.max_price_age_secs = limits.max_price_age_secs;
        let state = |f: &Feed| {
            json!([
                s(f.market_price),
                s(f.market_low),
                s(f.market_confidence),
                s(f.market_ema),
                s(f.market_ema_low),
                s(f.market_price_ts),
                s(f.market_ema_ts)
            ])
        };
        let inputs = json!([
            state(&feed),
            fresh.iter().map(|v| s(*v)).collect::<Vec<_>>(),
            quorum_ts.map_or(Value::Null, s),
            quorum,
            s(now),
            limits_json(&limits)
        ]);
        cases.add(inputs, || {
            let mut after = feed.clone();
            let price = after.update_market(&fresh, quorum_ts, quorum, now, &limits);
            json!([state(&after), price.map_or(Value::Null, |m| market_json(&m))])
        });
    }
    area.push(cases);

    // pessimisticRate: [fair_rate, reported_rate, held_frame, held_rate] -> rate
    let mut cases = Cases::new("pessimisticRate");
    for _ in 0..100 {
        let mut feed = empty_feed();
        feed.fair_rate = rng.rate();
        feed.reported_rate = pick!(rng, [0, feed.fair_rate, rng.rate()]);
        feed.held.frame = pick!(rng, [0, 1, rng.range(1, 1_000)]);
        feed.held.rate = pick!(rng, [0, rng.rate(), feed.fair_rate.saturating_sub(1)]);
        let inputs = json!([s(feed.fair_rate), s(feed.reported_rate), s(feed.held.frame), s(feed.held.rate)]);
        cases.add(inputs, || s(feed.pessimistic_rate()));
    }
    area.push(cases);

    area
}
