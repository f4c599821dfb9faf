//! restaking: SOL ↔ LRT conversions at the fair rate.
use restaking::errors::RestakingError;
use restaking::math;
use serde_json::{json, Value};

use crate::rng::Rng;
use crate::{err, s, Area, Cases};

fn u64_result(r: Result<u64, RestakingError>) -> Value {
    match r {
        Ok(v) => s(v),
        Err(e) => err(e),
    }
}

pub fn generate(rng: &mut Rng) -> Area {
    let mut area = Area::new();

    let mut deposit = Cases::new("lrtForDeposit");
    let mut lamports = Cases::new("lamportsForLrt");
    for _ in 0..600 {
        let (amount, rate) = (rng.amount(), if rng.chance(5) { 0 } else { rng.rate() });
        deposit.add(json!([s(amount), s(rate)]), || u64_result(math::lrt_for_deposit(amount, rate)));
        let (amount, rate) = (rng.amount(), rng.rate());
        lamports.add(json!([s(amount), s(rate)]), || u64_result(math::lamports_for_lrt(amount, rate)));
    }
    area.push(deposit);
    area.push(lamports);

    let mut cases = Cases::new("ticketPayout");
    for _ in 0..600 {
        let (lrt, at_request) = (rng.amount(), rng.rate());
        let now = if rng.chance(30) { at_request } else { rng.near_u128(at_request, 50_000_000_000_000_000) };
        cases.add(json!([s(lrt), s(at_request), s(now)]), || u64_result(math::ticket_payout(lrt, at_request, now)));
    }
    area.push(cases);

    let mut cases = Cases::new("instantUnstake");
    for _ in 0..600 {
        let (lrt, rate) = (rng.amount(), rng.rate());
        let fee = pick!(rng, [0, 1, 30, 1_000, 10_000, rng.range(0, 10_000) as u16]);
        cases.add(json!([s(lrt), s(rate), fee]), || match math::instant_unstake(lrt, rate, fee) {
            Ok((gross, fee, out)) => json!([s(gross), s(fee), s(out)]),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    area
}
