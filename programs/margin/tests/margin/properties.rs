//! Random operation sequences on the real runtime: several lenders and traders supply, withdraw,
//! open sub-accounts, move collateral, borrow, repay, lever up and down, get liquidated and have bad
//! debt settled, while time jumps, the market price moves (wicks and sustained moves) and the committee
//! reports rises and slashings (some confirmed by the guardian, some left held). After every step:
//! - Σ sub-account debt shares = the pool's; Σ lender shares = the pool's; Σ collateral = the market's
//!   total and every collateral vault holds its sub-account's collateral; the pool vault holds
//!   `pool.cash`; `cash + total debt ≥ lender claims + insurance`;
//! - the borrow index never falls; the supply index falls only at a bad-debt settlement;
//! - a successful borrow, withdraw_collateral or leverage_up ends within `LTV_init` at the opening price;
//! - a liquidation succeeds only when the program's own plan (interest accrued, maintenance price)
//!   says the sub-account is liquidatable, moves exactly the planned amounts, seizes at most the
//!   collateral and strictly lowers the LTV unless no collateral is left; deleverage lowers it too;
//! - accruing twice at one timestamp changes nothing;
//! - a third party donates LRT into others' sub-accounts and sells the insurance's LRT at any time; still
//!   no sub-account ever holds debt without collateral (a liquidation that takes the last of it writes
//!   the rest off), an insolvent sub-account with dust left is always settleable, and no deleverage or
//!   insurance sale is paid above the feed's pessimistic rate;
//! - every rejected instruction leaves the pool, the market, every sub-account, every vault, every
//!   lender position and every user's token accounts byte for byte unchanged.
use lantern_test_support::margin_ops::{self, SubKeys};
use lantern_test_support::solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use lantern_test_support::{custom_error, world::*};
use margin::errors::MarginError;
use margin::math::health;
use margin::state::{LenderPosition, PricingPolicy};
use proptest::prelude::*;

const LENDERS: usize = 2;
const TRADERS: usize = 3;
/// Sub-account slots: (trader, index). Trader 0 has two; the first three exist from the start (and
/// hold positions), the last one waits for a `Create`.
const SLOTS: [(usize, u16); 4] = [(0, 0), (1, 0), (0, 1), (2, 0)];
const CREATED_AT_START: usize = 3;
const LENDER_WSOL: u64 = 1_500 * SOL;
const INITIAL_SUPPLY: u64 = 600 * SOL;
const TRADER_WSOL: u64 = 300 * SOL;
const TRADER_LRT: u64 = 100 * SOL;
const LTV_INIT_BPS: u16 = 9_000;

#[derive(Clone, Debug)]
enum Op {
    Supply {
        lender: usize,
        amount: u64,
    },
    /// `part` per mille of the lender's shares (above 1000: more than it has).
    WithdrawSupply {
        lender: usize,
        part: u16,
    },
    Create {
        slot: usize,
    },
    /// `part` per mille of the trader's LRT.
    Deposit {
        slot: usize,
        part: u16,
    },
    /// `part` per mille of the collateral; `fresh`: a price round first.
    Withdraw {
        slot: usize,
        part: u16,
        fresh: bool,
    },
    /// `part` per mille of the room left under LTV_init (above 1000: too much).
    Borrow {
        slot: usize,
        part: u16,
        fresh: bool,
    },
    /// `part` per mille of the debt (above 1000: "everything").
    Repay {
        slot: usize,
        part: u16,
    },
    /// Equity in per mille of 10 SOL, borrow in per mille of the room left under LTV_init.
    LeverageUp {
        slot: usize,
        equity: u16,
        part: u16,
        fresh: bool,
    },
    /// `part` per mille of the collateral.
    Deleverage {
        slot: usize,
        part: u16,
        fresh: bool,
    },
    /// `max_repay` in per mille of the debt (above 1000: unlimited); `worst`: the existing
    /// sub-account with the highest LTV instead of `slot`.
    Liquidate {
        slot: usize,
        part: u16,
        fresh: bool,
        worst: bool,
    },
    /// `worst`: an insolvent sub-account, if any, instead of `slot`.
    Settle {
        slot: usize,
        worst: bool,
    },
    /// The third party deposits `lrt` of its own LRT into `slot`'s sub-account.
    Donate {
        slot: usize,
        lrt: u64,
    },
    /// The third party sells the insurance's LRT (permissionless).
    ConvertInsurance,
    Accrue,
    Warp {
        secs: i64,
    },
    /// One price round `pct_tenths`/10 % away from the current market price (a wick if reverted).
    Price {
        pct_tenths: i64,
    },
    /// `rounds` rounds half an hour apart at a price `pct_tenths`/10 % away: the EMA follows.
    Sustain {
        pct_tenths: i64,
        rounds: usize,
    },
    /// A committee report moving the last reported rate by `ppm`; a held decrease is confirmed by the
    /// guardian when `confirm`.
    Report {
        ppm: i64,
        confirm: bool,
    },
}

/// One random step; `crashes` weighs slashings, liquidations and settlements up (bad debt needs a
/// crash, an unlimited liquidation and a settlement in that order).
fn op(crashes: bool) -> impl Strategy<Value = Op> {
    let (slashings, liquidations, settlements) = if crashes { (8, 10, 5) } else { (3, 8, 2) };
    // The slot created later is picked less often (before its creation, every instruction on it fails).
    let slot = prop_oneof![6 => 0..3usize, 1 => Just(3usize)];
    let part =
        prop_oneof![1 => Just(0u16), 1 => Just(1_000), 2 => 900..=1_000u16, 5 => 1..=1_000u16, 1 => 1_001..=1_300u16];
    let fresh = prop::bool::weighted(0.85);
    let amount = prop_oneof![1 => Just(0u64), 1 => 1..1_000u64, 4 => SOL..(200 * SOL)];
    // Rises (at most ~0.041%/day pass the oracle), small losses, slashings (mostly confirmed).
    let report = prop_oneof![
        3 => (0i64..=400, Just(false)),
        2 => (-9_000i64..0, Just(false)),
        slashings => (-200_000i64..-10_000, prop::bool::weighted(0.8)),
    ];
    prop_oneof![
        1 => (0..LENDERS, amount).prop_map(|(lender, amount)| Op::Supply { lender, amount }),
        1 => (0..LENDERS, part.clone()).prop_map(|(lender, part)| Op::WithdrawSupply { lender, part }),
        1 => slot.clone().prop_map(|slot| Op::Create { slot }),
        2 => (slot.clone(), part.clone()).prop_map(|(slot, part)| Op::Deposit { slot, part }),
        2 => (slot.clone(), part.clone(), fresh).prop_map(|(slot, part, fresh)| Op::Withdraw { slot, part, fresh }),
        3 => (slot.clone(), part.clone(), fresh).prop_map(|(slot, part, fresh)| Op::Borrow { slot, part, fresh }),
        2 => (slot.clone(), part.clone()).prop_map(|(slot, part)| Op::Repay { slot, part }),
        3 => (slot.clone(), 0..=1_000u16, part.clone(), fresh).prop_map(|(slot, equity, part, fresh)| Op::LeverageUp { slot, equity, part, fresh }),
        2 => (slot.clone(), part.clone(), fresh).prop_map(|(slot, part, fresh)| Op::Deleverage { slot, part, fresh }),
        liquidations => (slot.clone(), prop_oneof![3 => part.clone(), 2 => Just(u16::MAX)], fresh, prop::bool::weighted(0.8))
            .prop_map(|(slot, part, fresh, worst)| Op::Liquidate { slot, part, fresh, worst }),
        settlements => (slot, prop::bool::weighted(0.8)).prop_map(|(slot, worst)| Op::Settle { slot, worst }),
        1 => Just(Op::Accrue),
        2 => (0..4usize, prop_oneof![Just(1u64), 1..1_000u64, SOL..(10 * SOL)]).prop_map(|(slot, lrt)| Op::Donate { slot, lrt }),
        1 => Just(Op::ConvertInsurance),
        2 => prop_oneof![3 => 1..60i64, 2 => 60..7_200i64, 1 => 7_200..(3 * 86_400i64)].prop_map(|secs| Op::Warp { secs }),
        2 => (-150i64..=30).prop_map(|pct_tenths| Op::Price { pct_tenths }),
        6 => (-200i64..=10, 1..=8usize).prop_map(|(pct_tenths, rounds)| Op::Sustain { pct_tenths, rounds }),
        4 => report.prop_map(|(ppm, confirm)| Op::Report { ppm, confirm }),
    ]
}

fn policy() -> impl Strategy<Value = PricingPolicy> {
    prop_oneof![3 => Just(PricingPolicy::MinOfBoth), 1 => Just(PricingPolicy::FairRate), 1 => Just(PricingPolicy::Market)]
}

fn per_mille(value: u64, part: u16) -> u64 {
    u64::try_from(u128::from(value) * u128::from(part) / 1_000).unwrap_or(u64::MAX)
}

/// What a step must satisfy besides the global invariants, known before it runs.
enum Expect {
    /// Any outcome; on success nothing more to check.
    Anything,
    /// A risk increase: on success, the sub-account ends within LTV_init at the opening price, and its
    /// debt grew by at least what was borrowed (`borrowed`, 0 for a collateral withdrawal).
    WithinInit { s: SubKeys, borrowed: u64, before: Position },
    /// A repayment from `wsol`: the debt falls by at most what was paid.
    Repayment { s: SubKeys, wsol: Pubkey, wsol_before: u64, before: Position },
    /// A lender's supply (`supplied` > 0) or withdrawal: the claim grows by at most what was
    /// supplied, or falls by at least what was paid out.
    Lending { lender: usize, supplied: u64, claim_before: u64, wsol_before: u64 },
    /// A liquidation: the plan (or its refusal) from the program's own math beforehand.
    Liquidation { s: SubKeys, plan: Result<margin::math::liquidation::Plan, MarginError>, before: Position },
    /// A deleverage: the LTV strictly falls unless the debt is gone.
    /// Deleverage: the LTV falls and what the LRT pays (debt repaid + SOL out) is at most `cap`.
    LtvFalls { s: SubKeys, before: Position, wsol: Pubkey, wsol_before: u64, cap: u64 },
    /// An insurance sale pays at most `cap` into the insurance.
    InsuranceSale { insurance_before: u64, cap: u64 },
    /// A settlement: succeeds exactly when the collateral is gone and debt remains.
    Settlement { settleable: bool },
}

#[derive(Clone, Copy)]
struct Position {
    debt: u64,
    collateral: u64,
    maint: Option<u128>,
}

struct Harness {
    mw: MarginWorld,
    lenders: Vec<User>,
    traders: Vec<User>,
    subs: Vec<SubKeys>,
    liquidator: User,
    /// The market price the members observe.
    market_px: u128,
    borrow_index: u128,
    supply_index: u128,
    /// Steps run, rejections seen and successes per kind, to tell a vacuous run from a real one.
    stats: Stats,
}

#[derive(Default, Debug)]
struct Stats {
    ok: usize,
    rejected: usize,
    liquidations: usize,
    settlements: usize,
    risk_increases: usize,
}

impl Harness {
    /// The world, with the first three sub-accounts opened at `initial` per mille of their room:
    /// slot 0 levered up from 10 SOL, slot 1 borrowing against 50 LRT, slot 2 levered up from 5 SOL.
    async fn new(policy: PricingPolicy, initial: [u16; 3]) -> Self {
        let mut mw = MarginWorld::new(policy).await;
        let mut lenders = Vec::new();
        for _ in 0..LENDERS {
            let lender = mw.w.user(LENDER_WSOL).await;
            let signer = lender.key.insecure_clone();
            mw.w.chain.send_ok(&[mw.m.supply(signer.pubkey(), lender.wsol, INITIAL_SUPPLY)], &[&signer]).await;
            lenders.push(lender);
        }
        let mut traders = Vec::new();
        for _ in 0..TRADERS {
            let trader = mw.w.user(TRADER_WSOL + TRADER_LRT).await;
            mw.w.deposit(&trader, TRADER_LRT).await;
            traders.push(trader);
        }
        let subs: Vec<SubKeys> = SLOTS.iter().map(|&(t, index)| mw.m.sub(&traders[t].key.pubkey(), index)).collect();
        for &(t, index) in &SLOTS[..CREATED_AT_START] {
            let signer = traders[t].key.insecure_clone();
            mw.w.chain.send_ok(&[mw.m.create_sub_account(signer.pubkey(), index)], &[&signer]).await;
        }
        let liquidator = mw.w.user(3_000 * SOL).await;
        // The liquidator is also the third party who donates LRT into others' sub-accounts.
        mw.w.deposit(&liquidator, 20 * SOL).await;
        mw.fresh_prices(WAD).await;
        let pool = mw.pool().await;
        let mut h = Self {
            mw,
            lenders,
            traders,
            subs,
            liquidator,
            market_px: WAD,
            borrow_index: pool.borrow_index,
            supply_index: pool.supply_index,
            stats: Stats::default(),
        };
        let m = h.mw.m;
        let (user, signer, s) = h.trader(1);
        let deposit = m.deposit_collateral(signer.pubkey(), s, user.lrt, 50 * SOL);
        h.mw.w.chain.send_ok(&[deposit], &[&signer]).await;
        for (slot, equity) in [(0, 10 * SOL), (2, 5 * SOL)] {
            let room = h.leverage_room(h.subs[slot], equity).await;
            let (user, signer, s) = h.trader(slot);
            let ix =
                m.leverage_up(signer.pubkey(), s, user.wsol, equity, per_mille(room, initial[slot]).max(SOL / 10), 0);
            h.mw.w.chain.send_ok(&[ix], &[&signer]).await;
        }
        let room = h.room(h.subs[1]).await;
        let (user, signer, s) = h.trader(1);
        let ix = m.borrow(signer.pubkey(), s, user.wsol, per_mille(room, initial[1]).max(SOL / 10));
        h.mw.w.chain.send_ok(&[ix], &[&signer]).await;
        h
    }

    fn watched(&self) -> Vec<Pubkey> {
        let m = &self.mw.m;
        let mut keys = vec![m.pool, m.vault, m.market, m.insurance_vault, self.mw.w.keys.pool, self.mw.w.keys.lrt_mint];
        for s in &self.subs {
            keys.extend([s.sub, s.vault]);
        }
        for user in self.lenders.iter().chain(&self.traders).chain(std::iter::once(&self.liquidator)) {
            keys.extend([user.wsol, user.lrt, margin_ops::lender(&m.pool, &user.key.pubkey())]);
        }
        keys
    }

    fn all_lenders(&self) -> Vec<Pubkey> {
        self.lenders
            .iter()
            .chain(&self.traders)
            .chain(std::iter::once(&self.liquidator))
            .map(|u| u.key.pubkey())
            .collect()
    }

    async fn exists(&mut self, s: SubKeys) -> bool {
        self.mw.w.chain.account(s.sub).await.is_some()
    }

    /// Debt, collateral and maintenance price of `s` as the next instruction sees them (zeros when the
    /// sub-account does not exist).
    async fn position(&mut self, s: SubKeys) -> Position {
        let maint = self.mw.prices_now().await.ok().map(|p| p.maint);
        if !self.exists(s).await {
            return Position { debt: 0, collateral: 0, maint };
        }
        let pool = self.mw.pool_accrued_now().await;
        let sub = self.mw.sub_account(s).await;
        Position { debt: sub.debt(&pool).unwrap(), collateral: sub.collateral, maint }
    }

    /// Room left under LTV_init at the opening price now (0 without one).
    async fn room(&mut self, s: SubKeys) -> u64 {
        let Ok(Some(init)) = self.mw.prices_now().await.map(|p| p.init) else { return 0 };
        let p = self.position(s).await;
        let max = u128::from(health::value(p.collateral, init).unwrap()) * u128::from(LTV_INIT_BPS) / 10_000;
        u64::try_from(max.saturating_sub(u128::from(p.debt))).unwrap_or(u64::MAX)
    }

    /// Borrowing room of `leverage_up(equity, b)`: `D + b ≤ 0.9·init·(C + (equity + b)/fair)`.
    async fn leverage_room(&mut self, s: SubKeys, equity: u64) -> u64 {
        let Ok(Some(init)) = self.mw.prices_now().await.map(|p| p.init) else { return 0 };
        let fair = self.mw.w.feed().await.fair_rate;
        let p = self.position(s).await;
        let k = 0.9 * init as f64 / WAD as f64;
        let (c, d, e, f) = (p.collateral as f64, p.debt as f64, equity as f64, fair as f64 / WAD as f64);
        let room = (k * (c + e / f) - d) / (1.0 - k / f);
        if room.is_finite() && room > 0.0 {
            room.min(1e12) as u64
        } else {
            0
        }
    }

    /// A lender's claim (interest accrued to now) and wSOL balance.
    async fn claim(&mut self, lender: usize) -> (u64, u64) {
        let key = margin_ops::lender(&self.mw.m.pool, &self.lenders[lender].key.pubkey());
        let position: LenderPosition = self.mw.w.chain.anchor_account(key).await;
        let pool = self.mw.pool_accrued_now().await;
        let wsol = self.mw.w.chain.token_balance(self.lenders[lender].wsol).await;
        (margin::math::shares::supply_amount(position.shares, pool.supply_index).unwrap(), wsol)
    }

    /// The sub-account with debt, collateral and the highest LTV at the maintenance price (`slot`'s
    /// if none).
    async fn riskiest(&mut self, slot: usize) -> SubKeys {
        let mut best = (self.subs[slot], -1.0f64);
        for s in self.subs.clone() {
            let p = self.position(s).await;
            if let (Some(maint), true) = (p.maint, p.debt > 0 && p.collateral > 0) {
                let value = health::value(p.collateral, maint).unwrap() as f64;
                let ltv = if value > 0.0 { p.debt as f64 / value } else { f64::MAX };
                if ltv > best.1 {
                    best = (s, ltv);
                }
            }
        }
        best.0
    }

    /// An insolvent sub-account at the maintenance price, if any (else `slot`'s).
    async fn bad_debt(&mut self, slot: usize) -> SubKeys {
        for s in self.subs.clone() {
            if self.exists(s).await {
                let p = self.position(s).await;
                if p.debt > 0 && p.maint.is_some_and(|maint| health::value(p.collateral, maint).unwrap() < p.debt) {
                    return s;
                }
            }
        }
        self.subs[slot]
    }

    /// What the program's own rule says: debt, and either no collateral or settleable at the
    /// maintenance price (insolvent with dust, or what insurance can pay for).
    async fn settleable(&mut self, s: SubKeys) -> bool {
        if !self.exists(s).await {
            return false;
        }
        let sub = self.mw.sub_account(s).await;
        if sub.debt_shares == 0 {
            return false;
        }
        if sub.collateral == 0 {
            return true;
        }
        let (pool, market) = (self.mw.pool_accrued_now().await, self.mw.market().await);
        match self.position(s).await.maint {
            Some(maint) => sub.is_settleable(&pool, &market, maint).unwrap(),
            None => false,
        }
    }

    /// One price round at the current market price, a second later.
    async fn price_round(&mut self) {
        self.mw.sustain_price(self.market_px, 1, 1).await;
    }

    fn move_price(&mut self, pct_tenths: i64) {
        let moved = i128::try_from(self.market_px).unwrap() * (1_000 + i128::from(pct_tenths)) / 1_000;
        self.market_px = u128::try_from(moved).unwrap().clamp(WAD / 2, WAD * 12 / 10);
    }

    fn trader(&self, slot: usize) -> (&User, Keypair, SubKeys) {
        let user = &self.traders[SLOTS[slot].0];
        (user, user.key.insecure_clone(), self.subs[slot])
    }

    /// Builds the instruction of a margin step (after any preparation such as a price round), with
    /// what its outcome must satisfy; `None` for steps that are not one margin instruction.
    async fn prepare(&mut self, op: &Op) -> Option<(Instruction, Keypair, Expect)> {
        let m = self.mw.m;
        Some(match *op {
            Op::Supply { lender, amount } => {
                let (claim_before, wsol_before) = self.claim(lender).await;
                let l = &self.lenders[lender];
                (
                    m.supply(l.key.pubkey(), l.wsol, amount),
                    l.key.insecure_clone(),
                    Expect::Lending { lender, supplied: amount, claim_before, wsol_before },
                )
            }
            Op::WithdrawSupply { lender, part } => {
                let key = margin_ops::lender(&m.pool, &self.lenders[lender].key.pubkey());
                let position: LenderPosition = self.mw.w.chain.anchor_account(key).await;
                let (claim_before, wsol_before) = self.claim(lender).await;
                let l = &self.lenders[lender];
                let ix = m.withdraw_supply(l.key.pubkey(), l.wsol, per_mille(position.shares, part));
                (ix, l.key.insecure_clone(), Expect::Lending { lender, supplied: 0, claim_before, wsol_before })
            }
            Op::Create { slot } => {
                let (_, signer, _) = self.trader(slot);
                (m.create_sub_account(signer.pubkey(), SLOTS[slot].1), signer, Expect::Anything)
            }
            Op::Deposit { slot, part } => {
                let (user, signer, s) = self.trader(slot);
                let lrt = user.lrt;
                let balance = self.mw.w.chain.token_balance(lrt).await;
                (m.deposit_collateral(signer.pubkey(), s, lrt, per_mille(balance, part)), signer, Expect::Anything)
            }
            Op::Withdraw { slot, part, fresh } => {
                if fresh {
                    self.price_round().await;
                }
                let (user, signer, s) = self.trader(slot);
                let lrt = user.lrt;
                let before = self.position(s).await;
                (
                    m.withdraw_collateral(signer.pubkey(), s, lrt, per_mille(before.collateral, part)),
                    signer,
                    Expect::WithinInit { s, borrowed: 0, before },
                )
            }
            Op::Borrow { slot, part, fresh } => {
                if fresh {
                    self.price_round().await;
                }
                let s = self.subs[slot];
                let amount = per_mille(self.room(s).await, part).max(SOL / 10);
                let before = self.position(s).await;
                let (user, signer, s) = self.trader(slot);
                (
                    m.borrow(signer.pubkey(), s, user.wsol, amount),
                    signer,
                    Expect::WithinInit { s, borrowed: amount, before },
                )
            }
            Op::Repay { slot, part } => {
                let s = self.subs[slot];
                let before = self.position(s).await;
                let amount = if part > 1_000 { u64::MAX } else { per_mille(before.debt, part) };
                let wsol = self.traders[SLOTS[slot].0].wsol;
                let wsol_before = self.mw.w.chain.token_balance(wsol).await;
                let (_, signer, s) = self.trader(slot);
                (m.repay(signer.pubkey(), s, wsol, amount), signer, Expect::Repayment { s, wsol, wsol_before, before })
            }
            Op::LeverageUp { slot, equity, part, fresh } => {
                if fresh {
                    self.price_round().await;
                }
                let s = self.subs[slot];
                let equity = per_mille(10 * SOL, equity);
                let borrow = per_mille(self.leverage_room(s, equity).await, part).max(SOL / 10);
                let before = self.position(s).await;
                let (user, signer, s) = self.trader(slot);
                (
                    m.leverage_up(signer.pubkey(), s, user.wsol, equity, borrow, 0),
                    signer,
                    Expect::WithinInit { s, borrowed: borrow, before },
                )
            }
            Op::Deleverage { slot, part, fresh } => {
                if fresh {
                    self.price_round().await;
                }
                let s = self.subs[slot];
                let before = self.position(s).await;
                let lrt = per_mille(before.collateral, part);
                let cap = health::value(lrt, self.mw.w.feed().await.pessimistic_rate()).unwrap();
                let (user, signer, s) = self.trader(slot);
                let (wsol, ix) = (user.wsol, m.deleverage(signer.pubkey(), s, user.wsol, lrt, 0));
                let wsol_before = self.mw.w.chain.token_balance(wsol).await;
                (ix, signer, Expect::LtvFalls { s, before, wsol, wsol_before, cap })
            }
            Op::Liquidate { slot, part, fresh, worst } => {
                if fresh {
                    self.price_round().await;
                }
                let s = if worst { self.riskiest(slot).await } else { self.subs[slot] };
                let before = self.position(s).await;
                let max_repay = if part > 1_000 { u64::MAX } else { per_mille(before.debt, part) };
                let plan = if max_repay == 0 {
                    Err(MarginError::ZeroAmount)
                } else if self.exists(s).await {
                    self.mw.liquidation_plan_now(s, max_repay).await
                } else {
                    Err(MarginError::NotLiquidatable)
                };
                let signer = self.liquidator.key.insecure_clone();
                (
                    m.liquidate(signer.pubkey(), s, self.liquidator.wsol, self.liquidator.lrt, max_repay, 0),
                    signer,
                    Expect::Liquidation { s, plan, before },
                )
            }
            Op::Settle { slot, worst } => {
                let s = if worst { self.bad_debt(slot).await } else { self.subs[slot] };
                let settleable = self.settleable(s).await;
                (m.settle_bad_debt(s), self.mw.w.chain.payer(), Expect::Settlement { settleable })
            }
            Op::Donate { slot, lrt } => {
                let held = self.mw.w.chain.token_balance(self.liquidator.lrt).await;
                let signer = self.liquidator.key.insecure_clone();
                let ix = m.deposit_collateral(signer.pubkey(), self.subs[slot], self.liquidator.lrt, lrt.min(held));
                (ix, signer, Expect::Anything)
            }
            Op::ConvertInsurance => {
                let lrt = self.mw.w.chain.token_balance(m.insurance_vault).await.max(1);
                let feed = self.mw.w.feed().await;
                let cap = health::value(lrt, feed.pessimistic_rate()).unwrap();
                let insurance_before = self.mw.pool_accrued_now().await.insurance;
                (m.convert_insurance(lrt, 0), self.mw.w.chain.payer(), Expect::InsuranceSale { insurance_before, cap })
            }
            Op::Accrue | Op::Warp { .. } | Op::Price { .. } | Op::Sustain { .. } | Op::Report { .. } => return None,
        })
    }

    /// Runs one step and checks what it must satisfy; returns whether the supply index may fall.
    async fn step(&mut self, op: &Op) -> bool {
        match *op {
            Op::Accrue => {
                self.mw.w.chain.send_ok(&[self.mw.m.accrue_interest()], &[]).await;
                let before = self.mw.w.chain.snapshot(&[self.mw.m.pool]).await;
                self.mw.w.chain.send_ok(&[self.mw.m.accrue_interest()], &[]).await;
                assert_eq!(self.mw.w.chain.snapshot(&[self.mw.m.pool]).await, before, "accrue twice at one timestamp");
                return false;
            }
            Op::Warp { secs } => {
                self.mw.w.chain.warp_by(secs).await;
                return false;
            }
            Op::Price { pct_tenths } => {
                let px = self.market_px;
                self.move_price(pct_tenths);
                self.mw.w.chain.warp_by(30).await;
                self.price_round().await;
                self.market_px = px; // a wick: the next rounds are back at the old price
                return false;
            }
            Op::Sustain { pct_tenths, rounds } => {
                self.move_price(pct_tenths);
                self.mw.sustain_price(self.market_px, rounds, 1_800).await;
                return false;
            }
            Op::Report { ppm, confirm } => {
                let reported = self.mw.w.feed().await.reported_rate;
                let rate =
                    u128::try_from(i128::try_from(reported).unwrap() * (1_000_000 + i128::from(ppm)) / 1_000_000)
                        .unwrap();
                // A report the oracle refuses (beyond its increase limit) is the oracle's business.
                let _ =
                    if confirm { self.mw.report_confirmed(rate).await } else { self.mw.w.report(rate, false).await };
                return false;
            }
            _ => {}
        }
        let (ix, signer, expect) = self.prepare(op).await.expect("a margin instruction");
        let watched = self.watched();
        let snapshot = self.mw.w.chain.snapshot(&watched).await;
        let liq_before = (
            self.mw.w.chain.token_balance(self.liquidator.wsol).await,
            self.mw.w.chain.token_balance(self.liquidator.lrt).await,
        );
        let insurance_before = self.mw.w.chain.token_balance(self.mw.m.insurance_vault).await;
        let result = self.mw.w.chain.send(&[ix], &[&signer]).await;
        let code = result.as_ref().err().map(custom_error);
        if let Err(err) = &result {
            self.stats.rejected += 1;
            assert_eq!(
                self.mw.w.chain.snapshot(&watched).await,
                snapshot,
                "{op:?} was rejected ({err:?}) but changed state"
            );
        } else {
            self.stats.ok += 1;
        }
        match expect {
            Expect::Anything => false,
            Expect::WithinInit { s, borrowed, before } => {
                if result.is_ok() {
                    self.stats.risk_increases += 1;
                    let p = self.position(s).await;
                    // Without debt a sub-account takes its collateral back priced or not (DESIGN §3.3):
                    // there is no opening price to be within, and there may be none.
                    if p.debt > 0 {
                        let init = self.mw.prices_now().await.ok().and_then(|prices| prices.init);
                        let init = init
                            .unwrap_or_else(|| panic!("{op:?} went through with debt {} and no opening price", p.debt));
                        assert!(
                            health::within_ltv(p.debt, p.collateral, init, LTV_INIT_BPS).unwrap(),
                            "{op:?} left debt {} over LTV_init of {} LRT at {init}",
                            p.debt,
                            p.collateral
                        );
                    }
                    assert!(
                        p.debt - before.debt >= borrowed,
                        "{op:?}: borrowed {borrowed}, the debt grew by {}",
                        p.debt - before.debt
                    );
                }
                false
            }
            Expect::Repayment { s, wsol, wsol_before, before } => {
                if result.is_ok() {
                    let paid = wsol_before - self.mw.w.chain.token_balance(wsol).await;
                    let after = self.position(s).await;
                    assert!(
                        before.debt - after.debt <= paid,
                        "{op:?}: paid {paid}, the debt fell by {}",
                        before.debt - after.debt
                    );
                    assert!(paid <= before.debt, "{op:?}: paid {paid} for a debt of {}", before.debt);
                }
                false
            }
            Expect::Lending { lender, supplied, claim_before, wsol_before } => {
                if result.is_ok() {
                    let (claim_after, wsol_after) = self.claim(lender).await;
                    if supplied > 0 {
                        assert_eq!(wsol_before - wsol_after, supplied);
                        assert!(
                            claim_after - claim_before <= supplied,
                            "{op:?}: supplied {supplied}, the claim grew by {}",
                            claim_after - claim_before
                        );
                    } else {
                        let received = wsol_after - wsol_before;
                        assert!(
                            claim_before - claim_after >= received,
                            "{op:?}: received {received}, the claim fell by {}",
                            claim_before - claim_after
                        );
                    }
                }
                false
            }
            Expect::LtvFalls { s, before, wsol, wsol_before, cap } => {
                if result.is_ok() {
                    let after = self.position(s).await;
                    let paid = before.debt.saturating_sub(after.debt)
                        + (self.mw.w.chain.token_balance(wsol).await - wsol_before);
                    assert!(paid <= cap, "{op:?} paid {paid} for LRT worth {cap} at the pessimistic rate");
                    let maint = before.maint.expect("deleverage priced the collateral");
                    let (value_before, value_after) = (
                        health::value(before.collateral, maint).unwrap(),
                        health::value(after.collateral, maint).unwrap(),
                    );
                    assert!(
                        after.debt == 0 || health::ltv_lower(after.debt, value_after, before.debt, value_before),
                        "{op:?} did not lower the LTV"
                    );
                }
                false
            }
            Expect::Liquidation { s, plan, before } => {
                match (&result, plan) {
                    (Ok(()), Ok(plan)) => {
                        self.stats.liquidations += 1;
                        let maint = before.maint.expect("liquidation priced the collateral");
                        assert!(
                            health::is_liquidatable(
                                before.debt,
                                before.collateral,
                                maint,
                                self.mw.market().await.risk.lt_bps
                            )
                            .unwrap(),
                            "liquidated while healthy"
                        );
                        let after = self.position(s).await;
                        assert!(plan.seize <= before.collateral, "seized more than the collateral");
                        // What is left is either the planned remainder, or settled: no debt, no collateral.
                        let settled = after.debt == 0 && after.collateral == 0;
                        assert!(settled || after.collateral == before.collateral - plan.seize, "seized as planned");
                        let swept = if settled { before.collateral - plan.seize } else { 0 };
                        let liq_after = (
                            self.mw.w.chain.token_balance(self.liquidator.wsol).await,
                            self.mw.w.chain.token_balance(self.liquidator.lrt).await,
                        );
                        assert_eq!(liq_before.0 - liq_after.0, plan.repay, "repaid as planned");
                        assert_eq!(liq_after.1 - liq_before.1, plan.seize - plan.to_insurance);
                        assert_eq!(
                            self.mw.w.chain.token_balance(self.mw.m.insurance_vault).await - insurance_before,
                            plan.to_insurance + swept
                        );
                        if !settled && after.collateral > 0 && after.debt > 0 {
                            let (value_before, value_after) = (
                                health::value(before.collateral, maint).unwrap(),
                                health::value(after.collateral, maint).unwrap(),
                            );
                            assert!(
                                health::ltv_lower(after.debt, value_after, before.debt, value_before),
                                "the LTV must strictly fall"
                            );
                        }
                        if settled {
                            self.stats.settlements += 1;
                            return true;
                        }
                    }
                    (Ok(()), Err(refusal)) => panic!("{op:?} succeeded although the plan refuses it: {refusal:?}"),
                    (Err(_), Ok(plan)) if code.flatten() == Some(MarginError::ZeroAmount.into()) => {
                        // A repayment too small to burn one debt share.
                        let index = self.mw.pool_accrued_now().await.borrow_index;
                        assert!(
                            u128::from(plan.repay) * WAD < index,
                            "{op:?} refused with ZeroAmount, planned {plan:?}"
                        );
                    }
                    (Err(_), Ok(plan)) => {
                        // The plan does not check that the LTV falls: a partial liquidation of a position
                        // under water (no bonus, LTV ≥ 1) raises it, so only taking all the collateral may go.
                        assert_eq!(
                            code.flatten(),
                            Some(MarginError::LiquidationDidNotImprove.into()),
                            "{op:?} refused with {code:?}, planned {plan:?}"
                        );
                        let value = health::value(before.collateral, before.maint.unwrap()).unwrap();
                        assert!(
                            before.debt >= value && plan.seize < before.collateral,
                            "{op:?}: no improvement although above water: {plan:?}"
                        );
                    }
                    (Err(_), Err(refusal)) => {
                        if self.exists(s).await {
                            assert_eq!(code.flatten(), Some(refusal.into()), "{op:?}");
                        }
                    }
                }
                false
            }
            Expect::InsuranceSale { insurance_before, cap } => {
                if result.is_ok() {
                    let gained = self.mw.pool().await.insurance - insurance_before;
                    assert!(gained <= cap, "{op:?} paid {gained} for insurance LRT worth {cap}");
                }
                false
            }
            Expect::Settlement { settleable } => {
                assert_eq!(result.is_ok(), settleable, "{op:?}: {code:?}");
                if settleable {
                    self.stats.settlements += 1;
                }
                result.is_ok()
            }
        }
    }

    async fn check_invariants(&mut self, supply_index_may_fall: bool) {
        let subs = self.subs.clone();
        for &s in &subs {
            if self.exists(s).await {
                let sub = self.mw.sub_account(s).await;
                assert!(sub.debt_shares == 0 || sub.collateral > 0, "debt without collateral left off the books");
            }
        }
        let lenders = self.all_lenders();
        self.mw.assert_pool_invariants(&subs, &lenders).await;
        let pool = self.mw.pool().await;
        assert!(pool.borrow_index >= self.borrow_index, "the borrow index fell");
        assert!(
            supply_index_may_fall || pool.supply_index >= self.supply_index,
            "the supply index fell outside a settlement"
        );
        self.borrow_index = pool.borrow_index;
        self.supply_index = pool.supply_index;
    }
}

async fn run(policy: PricingPolicy, initial: [u16; 3], ops: Vec<Op>) -> Stats {
    let mut h = Harness::new(policy, initial).await;
    h.check_invariants(false).await;
    for op in &ops {
        let may_fall = h.step(op).await;
        h.check_invariants(may_fall).await;
    }
    h.stats
}

/// A case the crash property found (CI, 2026-12-04): a sub-account deleverages, a stale price round
/// follows, and it withdraws all its collateral. With no debt left that needs no opening price, and the
/// check after it must not ask for one.
#[tokio::test]
async fn a_debt_free_withdrawal_without_an_opening_price_keeps_every_invariant() {
    let ops = vec![
        Op::Deleverage { slot: 1, part: 900, fresh: false },
        Op::Report { ppm: 0, confirm: false },
        Op::Withdraw { slot: 1, part: 1000, fresh: false },
        Op::Report { ppm: -130_527, confirm: true },
        Op::Liquidate { slot: 3, part: 169, fresh: true, worst: true },
        Op::Liquidate { slot: 3, part: 121, fresh: true, worst: true },
        Op::LeverageUp { slot: 3, equity: 591, part: 93, fresh: true },
        Op::Settle { slot: 2, worst: false },
        Op::Settle { slot: 0, worst: true },
        Op::Deposit { slot: 0, part: 1000 },
    ];
    run(PricingPolicy::MinOfBoth, [900, 900, 900], ops).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_margin_operations_keep_every_invariant(
        policy in policy(),
        initial in prop::array::uniform3(850..=1_000u16),
        ops in prop::collection::vec(op(false), 10..=25),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let stats = runtime.block_on(run(policy, initial, ops));
        if std::env::var_os("LANTERN_PROPERTY_STATS").is_some() {
            eprintln!("{policy:?}: {stats:?}");
        }
    }

    #[test]
    fn random_crashes_liquidations_and_bad_debt_keep_every_invariant(
        policy in policy(),
        initial in prop::array::uniform3(900..=1_000u16),
        ops in prop::collection::vec(op(true), 10..=25),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let stats = runtime.block_on(run(policy, initial, ops));
        if std::env::var_os("LANTERN_PROPERTY_STATS").is_some() {
            eprintln!("crashes {policy:?}: {stats:?}");
        }
    }
}
