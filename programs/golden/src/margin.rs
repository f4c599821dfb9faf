//! margin: rate curve and accrual, pool bookkeeping, share conversions, health, pricing, liquidation.
use anchor_lang::prelude::Pubkey;
use lantern_math::WAD;
use margin::math::{health, interest, liquidation, pricing, shares};
use margin::state::{LendingPool, PoolParams, PricingPolicy, RateCurve, RiskParams, SubAccount};
use oracle::state::MarketPrice;
use serde_json::{json, Value};

use crate::rng::Rng;
use crate::{anchor_err, err, s, Area, Cases};

fn curve_json(c: &RateCurve) -> Value {
    json!([c.kink1_utilization_bps, c.kink1_rate_bps, c.kink2_utilization_bps, c.kink2_rate_bps, c.max_rate_bps])
}

/// A curve that passes `PoolParams::validate` (the program never holds another).
fn random_curve(rng: &mut Rng) -> RateCurve {
    if rng.chance(40) {
        return RateCurve::default();
    }
    let k1 = rng.range(1, 9_998) as u16;
    let k2 = rng.range(u64::from(k1) + 1, 9_999) as u16;
    let r1 = rng.range(0, 20_000) as u16;
    let r2 = rng.range(u64::from(r1), 40_000) as u16;
    let max = rng.range(u64::from(r2), 60_000) as u16;
    RateCurve {
        kink1_utilization_bps: k1,
        kink1_rate_bps: r1,
        kink2_utilization_bps: k2,
        kink2_rate_bps: r2,
        max_rate_bps: max,
    }
}

fn params_json(p: &PoolParams) -> Value {
    json!([curve_json(&p.curve), p.reserve_factor_bps, p.max_utilization_bps, s(p.supply_cap), s(p.borrow_cap)])
}

fn pool_json(p: &LendingPool) -> Value {
    json!([
        params_json(&p.params),
        s(p.cash),
        s(p.insurance),
        s(p.supply_shares),
        s(p.supply_index),
        s(p.debt_shares),
        s(p.borrow_index),
        s(p.last_accrual_ts),
        p.socialized,
        p.frozen,
    ])
}

fn index(rng: &mut Rng) -> u128 {
    match rng.below(10) {
        0 => rng.any_u128().max(1),
        1 => WAD,
        2 => rng.range_u128(1, WAD),
        _ => rng.range_u128(WAD, 3 * WAD),
    }
}

fn random_pool(rng: &mut Rng) -> LendingPool {
    let params = PoolParams {
        curve: random_curve(rng),
        reserve_factor_bps: pick!(rng, [0, 1_000, 5_000, rng.range(0, 5_000) as u16]),
        max_utilization_bps: pick!(rng, [9_500, 10_000, rng.range(1, 10_000) as u16]),
        supply_cap: pick!(rng, [u64::MAX, rng.amount()]),
        borrow_cap: pick!(rng, [u64::MAX, rng.amount()]),
    };
    let supply_index = index(rng);
    let borrow_index = index(rng);
    let scale = pick!(rng, [1_000u64, 1_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000]);
    let debt_shares = if rng.chance(10) { 0 } else { rng.range(0, scale) };
    let supply_shares = if rng.chance(10) { 0 } else { rng.range(0, scale) };
    let debt = shares::debt_amount(debt_shares, borrow_index).unwrap_or(u64::MAX / 4);
    let insurance = rng.range(0, scale / 10);
    LendingPool {
        bump: 0,
        admin: Pubkey::default(),
        sol_mint: Pubkey::default(),
        vault: Pubkey::default(),
        params,
        cash: pick!(
            rng,
            [0, insurance, rng.range(0, scale), debt / 20, rng.range(insurance, insurance.saturating_add(scale))]
        ),
        insurance,
        supply_shares,
        supply_index,
        debt_shares,
        borrow_index,
        last_accrual_ts: rng.range_i64(1_600_000_000, 2_000_000_000),
        socialized: rng.chance(5),
        frozen: rng.chance(5),
    }
}

fn risk_json(r: &RiskParams) -> Value {
    json!([
        r.ltv_init_bps,
        r.lt_bps,
        r.ltv_full_bps,
        r.target_ltv_bps,
        r.close_factor_bps,
        r.bonus_min_bps,
        r.bonus_max_bps,
        r.insurance_share_bps,
        s(r.min_debt),
    ])
}

/// Risk parameters that pass `RiskParams::validate`.
fn random_risk(rng: &mut Rng) -> RiskParams {
    if rng.chance(40) {
        return RiskParams::default();
    }
    loop {
        let lt = rng.range(2_000, 9_800) as u16;
        let target = rng.range(1, u64::from(lt) - 1) as u16;
        let risk = RiskParams {
            ltv_init_bps: rng.range(1, u64::from(target)) as u16,
            lt_bps: lt,
            ltv_full_bps: rng.range(u64::from(lt) + 1, 9_900) as u16,
            target_ltv_bps: target,
            close_factor_bps: pick!(rng, [2_000, 10_000, rng.range(1, 10_000) as u16]),
            bonus_min_bps: rng.range(0, 300) as u16,
            bonus_max_bps: rng.range(0, 1_000) as u16,
            insurance_share_bps: rng.range(0, 10_000) as u16,
            min_debt: pick!(rng, [1, 50_000_000, rng.range(1, 1_000_000_000)]),
        };
        if risk.validate().is_ok() {
            return risk;
        }
    }
}

fn plan_json(p: &liquidation::Plan) -> Value {
    json!([s(p.repay), s(p.seize), s(p.to_insurance), s(p.bonus_wad), p.full])
}

fn policy_name(p: PricingPolicy) -> &'static str {
    match p {
        PricingPolicy::FairRate => "FairRate",
        PricingPolicy::Market => "Market",
        PricingPolicy::MinOfBoth => "MinOfBoth",
    }
}

/// A debt around `ltv_bps` of `collateral` at `price` (± a few lamports), so thresholds are hit exactly.
fn debt_near(rng: &mut Rng, collateral: u64, price: u128, ltv_bps: u64) -> u64 {
    let value = health::value(collateral, price).unwrap_or(u64::MAX);
    let debt = (u128::from(value) * u128::from(ltv_bps) / 10_000).min(u128::from(u64::MAX)) as u64;
    let spread = pick!(rng, [0, 1, 2, 1_000]);
    rng.near_u64(debt, spread)
}

fn u64_result(r: Result<u64, margin::errors::MarginError>) -> Value {
    match r {
        Ok(v) => s(v),
        Err(e) => err(e),
    }
}

fn bool_result(r: Result<bool, margin::errors::MarginError>) -> Value {
    match r {
        Ok(v) => json!(v),
        Err(e) => err(e),
    }
}

pub fn generate(rng: &mut Rng) -> Area {
    let mut area = Area::new();

    let mut cases = Cases::new("utilizationBps");
    for _ in 0..500 {
        let (cash, debt, insurance) = if rng.chance(30) {
            (rng.any_u64(), rng.any_u64(), rng.any_u64())
        } else {
            let debt = rng.amount();
            (rng.range(0, debt.saturating_mul(2)), debt, rng.range(0, debt / 10))
        };
        cases.add(json!([s(cash), s(debt), s(insurance)]), || s(interest::utilization_bps(cash, debt, insurance)));
    }
    area.push(cases);

    let mut cases = Cases::new("borrowRate");
    for _ in 0..500 {
        let curve = random_curve(rng);
        let u = match rng.below(8) {
            0 => rng.any_u128(),
            1 => u128::from(pick!(rng, [0, curve.kink1_utilization_bps, curve.kink2_utilization_bps, 10_000])),
            2 => u128::from(pick!(rng, [curve.kink1_utilization_bps, curve.kink2_utilization_bps])) + 1,
            _ => rng.range_u128(0, 10_500),
        };
        cases.add(json!([curve_json(&curve), s(u)]), || s(interest::borrow_rate(&curve, u)));
    }
    area.push(cases);

    let mut cases = Cases::new("growth");
    for _ in 0..1000 {
        let rate = match rng.below(6) {
            0 => rng.any_u128(),
            1 => 0,
            _ => rng.range_u128(0, 6 * WAD),
        };
        let elapsed = match rng.below(6) {
            0 => rng.any_u64(),
            1 => pick!(rng, [0, 1, 31_536_000]),
            _ => rng.range(0, 100 * 86_400),
        };
        cases.add(json!([s(rate), s(elapsed)]), || match interest::growth(rate, elapsed) {
            Ok(g) => s(g),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    let mut cases = Cases::new("accrue");
    for _ in 0..300 {
        let pool = random_pool(rng);
        let elapsed = pick!(rng, [0, 1, 400, 86_400, rng.range(0, 365 * 86_400), rng.any_u64()]);
        cases.add(json!([pool_json(&pool), s(elapsed)]), || match interest::accrue(&pool, elapsed) {
            Ok(a) => json!([s(a.borrow_index), s(a.supply_index), s(a.to_insurance)]),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    let mut cases = Cases::new("accruePool");
    for _ in 0..120 {
        let pool = random_pool(rng);
        let now = pool.last_accrual_ts + pick!(rng, [0, -1, 1, 400, rng.range_i64(-100, 365 * 86_400)]);
        cases.add(json!([pool_json(&pool), s(now)]), || {
            let mut after = pool.clone();
            match after.accrue(now) {
                Ok(()) => pool_json(&after),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(cases);

    let mut cases = Cases::new("poolBorrow");
    for _ in 0..150 {
        let pool = random_pool(rng);
        let available = pool.available_cash();
        let amount =
            pick!(rng, [0, 1, available, available.saturating_add(1), rng.range(0, available.max(1)), rng.any_u64()]);
        cases.add(json!([pool_json(&pool), s(amount)]), || {
            let mut after = pool.clone();
            match after.borrow(amount) {
                Ok(new_shares) => json!([pool_json(&after), s(new_shares)]),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(cases);

    let mut cases = Cases::new("poolRepay");
    for _ in 0..150 {
        let pool = random_pool(rng);
        let position = rng.range(0, pool.debt_shares);
        let debt = shares::debt_amount(position, pool.borrow_index).unwrap_or(u64::MAX);
        let amount =
            pick!(rng, [0, 1, debt, debt.saturating_sub(1), debt.saturating_add(1), rng.range(0, debt.max(1))]);
        cases.add(json!([pool_json(&pool), s(position), s(amount)]), || {
            let mut after = pool.clone();
            match after.repay(position, amount) {
                Ok(r) => json!([pool_json(&after), s(r.paid), s(r.burned)]),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(cases);

    let mut cases = Cases::new("writeOff");
    for _ in 0..150 {
        let mut pool = random_pool(rng);
        let position = pick!(rng, [0, pool.debt_shares, rng.range(0, pool.debt_shares)]);
        if rng.chance(40) {
            // A loss of exactly the lenders' claims (give or take one): the freezing boundary.
            let debt = shares::debt_amount(position, pool.borrow_index).unwrap_or(0);
            let claims = pool.lender_claims().unwrap_or(0);
            let near = rng.near_u64(claims, 1);
            pool.insurance = debt.saturating_sub(near);
        }
        cases.add(json!([pool_json(&pool), s(position)]), || {
            let mut after = pool.clone();
            match after.write_off(position) {
                Ok(w) => json!([pool_json(&after), s(w.debt), s(w.covered), s(w.socialized)]),
                Err(e) => anchor_err(e),
            }
        });
    }
    area.push(cases);

    type Conversion = fn(u64, u128) -> Result<u64, margin::errors::MarginError>;
    let conversions: [(&'static str, Conversion); 5] = [
        ("supplySharesForDeposit", shares::supply_shares_for_deposit),
        ("supplyAmount", shares::supply_amount),
        ("debtSharesForBorrow", shares::debt_shares_for_borrow),
        ("debtAmount", shares::debt_amount),
        ("debtSharesRepaid", shares::debt_shares_repaid),
    ];
    for (name, f) in conversions {
        let mut cases = Cases::new(name);
        for _ in 0..400 {
            let amount = rng.amount();
            let idx = match rng.below(8) {
                0 => rng.any_u128(),
                // An index that makes the conversion land exactly on (or one off) an integer.
                1 => u128::from(amount.max(1)) * rng.range_u128(1, 3) * WAD / u128::from(amount.max(1)),
                _ => index(rng),
            };
            cases.add(json!([s(amount), s(idx)]), || u64_result(f(amount, idx)));
        }
        area.push(cases);
    }

    let mut cases = Cases::new("indexCut");
    for _ in 0..300 {
        let (loss, shares_total) = (rng.amount(), pick!(rng, [0, 1, rng.amount()]));
        cases.add(json!([s(loss), s(shares_total)]), || match shares::index_cut(loss, shares_total) {
            Ok(v) => s(v),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    let mut cases = Cases::new("value");
    for _ in 0..500 {
        let (collateral, price) = (rng.amount(), rng.rate());
        cases.add(json!([s(collateral), s(price)]), || u64_result(health::value(collateral, price)));
    }
    area.push(cases);

    let mut within = Cases::new("withinLtv");
    let mut liquidatable = Cases::new("isLiquidatable");
    for i in 0..1_200 {
        let (collateral, price) = (rng.amount(), rng.rate());
        let ltv =
            if rng.chance(10) { rng.any_u16() } else { pick!(rng, [9_000, 9_300, 9_600, rng.range(1, 10_000) as u16]) };
        let debt = if rng.chance(15) { rng.any_u64() } else { debt_near(rng, collateral, price, u64::from(ltv)) };
        let inputs = json!([s(debt), s(collateral), s(price), ltv]);
        if i % 2 == 0 {
            within.add(inputs, || bool_result(health::within_ltv(debt, collateral, price, ltv)));
        } else {
            liquidatable.add(inputs, || bool_result(health::is_liquidatable(debt, collateral, price, ltv)));
        }
    }
    area.push(within);
    area.push(liquidatable);

    // The frontier's definition: the debt of `debt_shares` at the borrow index, then the health check.
    let mut cases = Cases::new("subAccountLiquidatable");
    let mut insolvent = Cases::new("isInsolvent");
    let mut settleable = Cases::new("isSettleable");
    for _ in 0..1000 {
        let (collateral, price, borrow_index) = (rng.amount(), rng.rate(), index(rng));
        let lt = pick!(rng, [9_300, rng.range(1, 10_000) as u16]);
        let debt = debt_near(rng, collateral, price, u64::from(lt));
        let debt_shares = match rng.below(10) {
            0 => rng.any_u64(),
            _ => {
                let spread = pick!(rng, [0, 1, 3]);
                rng.near_u64(shares::debt_shares_repaid(debt, borrow_index).unwrap_or(debt), spread)
            }
        };
        let sub = SubAccount {
            bump: 0,
            vault_bump: 0,
            market: Pubkey::default(),
            owner: Pubkey::default(),
            index: 0,
            collateral,
            debt_shares,
        };
        let mut pool = random_pool(rng);
        pool.borrow_index = borrow_index;
        cases.add(json!([s(debt_shares), s(collateral), s(price), s(borrow_index), lt]), || match sub.debt(&pool) {
            Ok(debt) => bool_result(health::is_liquidatable(debt, sub.collateral, price, lt)),
            Err(e) => anchor_err(e),
        });
        // isInsolvent: [debt_shares, collateral, price, borrow_index] -> bool
        insolvent.add(json!([s(debt_shares), s(collateral), s(price), s(borrow_index)]), || {
            match sub.is_insolvent(&pool, price) {
                Ok(b) => json!(b),
                Err(e) => anchor_err(e),
            }
        });
        // isSettleable: [debt_shares, collateral, price, borrow_index, insurance, min_debt] -> bool
        let mut market = margin::state::Market {
            bump: 0,
            pool: Pubkey::default(),
            lrt_mint: Pubkey::default(),
            feed: Pubkey::default(),
            stake_pool: Pubkey::default(),
            insurance_vault: Pubkey::default(),
            policy: PricingPolicy::MinOfBoth,
            risk: margin::state::RiskParams::default(),
            collateral_cap: 0,
            collateral_total: 0,
            paused: false,
            lt_lowered_ts: 0,
            pending: Default::default(),
        };
        market.risk.min_debt = pick!(rng, [50_000_000, 1, rng.amount()]);
        let mut pool = pool.clone();
        pool.insurance = pick!(rng, [0, rng.amount(), u64::MAX / 2]);
        let inputs = json!([
            s(debt_shares),
            s(collateral),
            s(price),
            s(borrow_index),
            s(pool.insurance),
            s(market.risk.min_debt)
        ]);
        settleable.add(inputs, || match sub.is_settleable(&pool, &market, price) {
            Ok(b) => json!(b),
            Err(e) => anchor_err(e),
        });
    }
    area.push(cases);
    area.push(insolvent);
    area.push(settleable);

    let mut cases = Cases::new("ltvLower");
    for _ in 0..300 {
        let v: [u64; 4] =
            std::array::from_fn(|_| if rng.chance(15) { pick!(rng, [0, 1, u64::MAX]) } else { rng.amount() });
        let v = if rng.chance(30) { [v[0], v[1], v[0], v[1]] } else { v };
        cases.add(json!([s(v[0]), s(v[1]), s(v[2]), s(v[3])]), || json!(health::ltv_lower(v[0], v[1], v[2], v[3])));
    }
    area.push(cases);

    let mut cases = Cases::new("prices");
    for _ in 0..300 {
        let policy = pick!(rng, [PricingPolicy::FairRate, PricingPolicy::Market, PricingPolicy::MinOfBoth]);
        let fair = rng.rate();
        let market = if rng.chance(20) {
            None
        } else {
            let price = if rng.chance(50) { rng.near_u128(fair, WAD as u64 / 20) } else { rng.rate() };
            let ema = rng.near_u128(fair, WAD as u64 / 20);
            Some(MarketPrice {
                price,
                low: pick!(rng, [price, 0, price.saturating_sub(rng.range_u128(0, WAD / 10))]),
                confidence: pick!(rng, [0, WAD / 1000, rng.range_u128(0, WAD / 10), rng.any_u128()]),
                ema,
                ema_low: pick!(rng, [ema, 0, ema.saturating_sub(rng.range_u128(0, WAD / 10))]),
            })
        };
        let mj = market.map_or(Value::Null, |m| json!([s(m.price), s(m.low), s(m.confidence), s(m.ema), s(m.ema_low)]));
        cases.add(json!([policy_name(policy), s(fair), mj]), || match pricing::prices(policy, fair, market) {
            Ok(p) => json!([s(p.maint), p.init.map_or(Value::Null, s)]),
            Err(e) => err(e),
        });
    }
    area.push(cases);

    let mut cases = Cases::new("bonus");
    for _ in 0..300 {
        let risk = random_risk(rng);
        let value = rng.amount();
        let debt = if rng.chance(20) {
            rng.any_u64()
        } else {
            let ltv = rng.range(8_000, 11_000);
            rng.near_u64((u128::from(value) * u128::from(ltv) / 10_000) as u64, 5)
        };
        cases.add(json!([s(debt), s(value), risk_json(&risk)]), || s(liquidation::bonus(debt, value, &risk)));
    }
    area.push(cases);

    let mut cases = Cases::new("plan");
    for _ in 0..1200 {
        let risk = random_risk(rng);
        let collateral = if rng.chance(10) { pick!(rng, [0, 1, 2, 1_000]) } else { rng.amount() };
        let price = rng.rate().max(1);
        let debt = match rng.below(10) {
            0 => rng.any_u64(),
            1 => debt_near(rng, collateral, price, u64::from(risk.lt_bps)),
            2 => debt_near(rng, collateral, price, u64::from(risk.ltv_full_bps)),
            3 => rng.range(0, risk.min_debt.saturating_mul(2)),
            _ => {
                let ltv = rng.range(u64::from(risk.lt_bps), 13_000);
                debt_near(rng, collateral, price, ltv)
            }
        };
        let max_repay = pick!(rng, [u64::MAX, 0, 1, debt / 2, rng.amount()]);
        cases.add(
            json!([s(debt), s(collateral), s(price), risk_json(&risk), s(max_repay)]),
            || match liquidation::plan(debt, collateral, price, &risk, max_repay) {
                Ok(p) => plan_json(&p),
                Err(e) => err(e),
            },
        );
    }
    area.push(cases);

    area
}
