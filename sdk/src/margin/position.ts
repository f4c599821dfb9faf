/**
 * What a trader's screen shows about one sub-account, and the before/after of an action, from the same
 * exact math the program runs (`leverage_up`, `deleverage`): debt at the pool's index accrued to `now`,
 * value at the market's maintenance price, the LTV, the price of the LRT at which the position becomes
 * liquidatable and how far that is below the fair rate (the liquidation point as a depeg), and, for an
 * action, the first error the program would return. Pure.
 */
import { LanternError, isLanternError } from "../math/errors.js";
import { BPS, WAD, divCeil, mulDivFloor } from "../math/fixed.js";
import { pessimisticRate } from "../oracle/feed.js";
import type { Feed } from "../oracle/types.js";
import { depositRate, exitRate, instantUnstake, lrtForDeposit } from "../restaking/math.js";
import { collateralValue, ltvLower, withinLtv } from "./health.js";
import { marketPrices, requireRiskIncrease } from "./market.js";
import { accruePool, borrowFromPool, type PoolState, repayToPool } from "./pool.js";
import { debtAmount } from "./shares.js";
import type { Market, SubAccount } from "./types.js";

type Position = Pick<SubAccount, "collateral" | "debtShares">;
type PositionMarket = Pick<Market, "policy" | "risk" | "paused" | "collateralCap" | "collateralTotal">;

export interface PositionView {
  collateral: bigint;
  /** SOL owed at the pool's borrow index accrued to `now` (rounded up). */
  debt: bigint;
  /** Collateral value at the maintenance price (what liquidation compares against). */
  valueMaint: bigint;
  /** Collateral value at the feed's (pessimistic) fair rate: what the LRT redeems for. */
  valueFair: bigint;
  /** `valueFair − debt` (negative when insolvent at the fair rate). */
  equity: bigint;
  /** Debt over maintenance value in bps, rounded up; `undefined` without collateral value. */
  ltvBps: bigint | undefined;
  /** `valueFair / equity` ×10,000 (10,000 = 1×); `undefined` when equity ≤ 0. */
  leverageBps: bigint | undefined;
  /** The LRT price (SOL per LRT, WAD) below which the position is liquidatable; `undefined` without debt. */
  liquidationPrice: bigint | undefined;
  /**
   * How far the price may fall below the fair rate before liquidation, in bps of the fair rate
   * (`1 − liquidationPrice / fair`); negative when the liquidation point is above the fair rate.
   */
  liquidationDepegBps: bigint | undefined;
  /** Liquidatable now: `debt > valueMaint × LT`. */
  liquidatable: boolean;
}

/** The maintenance price, or `undefined` when the market cannot price (a `Market` policy with no round). */
function maintPrice(market: Pick<Market, "policy">, feed: Feed, now: bigint): bigint | undefined {
  try {
    return marketPrices(market, feed, now).maint;
  } catch (error) {
    if (isLanternError(error)) return undefined;
    throw error;
  }
}

/** A position's numbers at `borrowIndex` and `maint` (see `PositionView`). */
function view(
  sub: Position,
  borrowIndex: bigint,
  maint: bigint | undefined,
  fair: bigint,
  ltBps: number,
): PositionView {
  const debt = debtAmount(sub.debtShares, borrowIndex);
  const price = maint ?? fair;
  const valueMaint = collateralValue(sub.collateral, price);
  const valueFair = collateralValue(sub.collateral, fair);
  const equity = valueFair - debt;
  const ltvBps = valueMaint === 0n ? undefined : divCeil(debt * BPS, valueMaint);
  const leverageBps = equity > 0n ? (valueFair * BPS) / equity : undefined;
  // Liquidatable iff debt·BPS > floor(C·p/WAD)·LT. Safe needs a value of at least ceil(debt·BPS/LT), and
  // the smallest price whose rounded-down value reaches it is ceil(value·WAD/C).
  const liquidationPrice =
    debt === 0n || sub.collateral === 0n
      ? undefined
      : divCeil(divCeil(debt * BPS, BigInt(ltBps)) * WAD, sub.collateral);
  const liquidationDepegBps =
    liquidationPrice === undefined || fair === 0n ? undefined : BPS - divCeil(liquidationPrice * BPS, fair);
  return {
    collateral: sub.collateral,
    debt,
    valueMaint,
    valueFair,
    equity,
    ltvBps,
    leverageBps,
    liquidationPrice,
    liquidationDepegBps,
    liquidatable: debt > 0n && !withinLtv(debt, sub.collateral, price, ltBps),
  };
}

/** `sub`'s position at `now`: the pool accrued to `now`, valued at the market's maintenance price. */
export function positionView(
  sub: Position,
  pool: PoolState,
  market: Pick<Market, "policy" | "risk">,
  feed: Feed,
  now: bigint,
): PositionView {
  const accrued = accruePool(pool, now);
  return view(sub, accrued.borrowIndex, maintPrice(market, feed, now), pessimisticRate(feed), market.risk.ltBps);
}

export interface ActionPreview {
  before: PositionView;
  /** The position if the transaction lands at `now` with these inputs; `undefined` when it would fail. */
  after: PositionView | undefined;
  /** The program error the transaction would fail with (`LanternError.code`), if any. */
  error: string | undefined;
  /** Leverage up: LRT minted for `equity + borrow`. Deleverage: lamports the unstake pays (after its fee). */
  out: bigint;
  /** The slippage guard to send: `out` less `slippageBps`, rounded down. */
  minOut: bigint;
  /** Deleverage: the instant-unstake fee (lamports). Leverage up: 0. */
  fee: bigint;
}

function failed(before: PositionView, error: unknown): ActionPreview {
  if (!isLanternError(error)) throw error;
  return { before, after: undefined, error: error.code, out: 0n, minOut: 0n, fee: 0n };
}

const guard = (out: bigint, slippageBps: number) => mulDivFloor(out, BPS - BigInt(slippageBps), BPS) ?? 0n;

/**
 * `leverage_up(equity, borrow, min_lrt_out)` at `now`, as the program runs it: the market must accept
 * more risk (not paused, fresh feed, an opening price), the pool accrues and lends `borrow`,
 * `equity + borrow` is restaked at the deposit rate, and the result must be no dust and within the
 * maximum LTV at the opening price (`Unhealthy` otherwise).
 */
export function previewLeverageUp(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
  args: { equity: bigint; borrow: bigint; slippageBps: number },
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  try {
    if (args.borrow <= 0n) throw new LanternError("margin", "ZeroAmount");
    const init = requireRiskIncrease(market, feed, now);
    const borrowed = borrowFromPool(accruePool(pool, now), args.borrow);
    const out = lrtForDeposit(args.equity + args.borrow, depositRate(feed, now));
    if (market.collateralTotal + out > market.collateralCap) throw new LanternError("margin", "CollateralCapExceeded");
    const next = { collateral: sub.collateral + out, debtShares: sub.debtShares + borrowed.newShares };
    const debt = debtAmount(next.debtShares, borrowed.pool.borrowIndex);
    if (debt !== 0n && debt < market.risk.minDebt) throw new LanternError("margin", "DustDebt");
    if (!withinLtv(debt, next.collateral, init, market.risk.ltvInitBps)) throw new LanternError("margin", "Unhealthy");
    const after = view(
      next,
      borrowed.pool.borrowIndex,
      maintPrice(market, feed, now),
      pessimisticRate(feed),
      market.risk.ltBps,
    );
    return { before, after, error: undefined, out, minOut: guard(out, args.slippageBps), fee: 0n };
  } catch (error) {
    return failed(before, error);
  }
}

/**
 * `deleverage(lrt, min_sol_out)` at `now`: `lrt` is instantly unstaked at the exit rate less the pool's
 * fee, the SOL repays the debt (any excess goes back to the owner), and unless the debt is gone the LTV
 * must strictly fall (`DeleverageDidNotImprove`) and leave no dust.
 */
export function previewDeleverage(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
  instantUnstakeFeeBps: number,
  args: { lrt: bigint; slippageBps: number },
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  try {
    if (args.lrt <= 0n) throw new LanternError("margin", "ZeroAmount");
    if (args.lrt > sub.collateral) throw new LanternError("margin", "InsufficientCollateral");
    const accrued = accruePool(pool, now);
    const maint = marketPrices(market, feed, now).maint;
    const unstake = instantUnstake(args.lrt, exitRate(feed, now), instantUnstakeFeeBps);
    const repaid =
      sub.debtShares === 0n ? { pool: accrued, burned: 0n } : repayToPool(accrued, sub.debtShares, unstake.out);
    const next = { collateral: sub.collateral - args.lrt, debtShares: sub.debtShares - repaid.burned };
    const debtBefore = debtAmount(sub.debtShares, accrued.borrowIndex);
    const debtAfter = debtAmount(next.debtShares, repaid.pool.borrowIndex);
    if (debtAfter !== 0n && debtAfter < market.risk.minDebt) throw new LanternError("margin", "DustDebt");
    const improves = ltvLower(
      debtAfter,
      collateralValue(next.collateral, maint),
      debtBefore,
      collateralValue(sub.collateral, maint),
    );
    if (debtAfter !== 0n && !improves) throw new LanternError("margin", "DeleverageDidNotImprove");
    const after = view(next, repaid.pool.borrowIndex, maint, pessimisticRate(feed), market.risk.ltBps);
    return {
      before,
      after,
      error: undefined,
      out: unstake.out,
      minOut: guard(unstake.out, args.slippageBps),
      fee: unstake.fee,
    };
  } catch (error) {
    return failed(before, error);
  }
}

/**
 * `repay(amount)` at `now`: the pool accrues and takes up to the whole debt (a larger amount pays only
 * the debt), leaving no dust. Repay works whatever the feed or the pause say. `out` is what is paid.
 */
export function previewRepay(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
  args: { amount: bigint },
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  try {
    if (args.amount <= 0n) throw new LanternError("margin", "ZeroAmount");
    if (sub.debtShares === 0n) throw new LanternError("margin", "NoDebt");
    const r = repayToPool(accruePool(pool, now), sub.debtShares, args.amount);
    const next = { collateral: sub.collateral, debtShares: sub.debtShares - r.burned };
    const debt = debtAmount(next.debtShares, r.pool.borrowIndex);
    if (debt !== 0n && debt < market.risk.minDebt) throw new LanternError("margin", "DustDebt");
    const after = view(
      next,
      r.pool.borrowIndex,
      maintPrice(market, feed, now),
      pessimisticRate(feed),
      market.risk.ltBps,
    );
    return { before, after, error: undefined, out: r.paid, minOut: r.paid, fee: 0n };
  } catch (error) {
    return failed(before, error);
  }
}

/**
 * `deposit_collateral(amount)`: the LRT joins the collateral if the market's cap allows it (anyone may
 * top a sub-account up; no feed or pause check). `out` is the LRT deposited.
 */
export function previewDepositCollateral(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
  args: { amount: bigint },
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  try {
    if (args.amount <= 0n) throw new LanternError("margin", "ZeroAmount");
    if (market.collateralTotal + args.amount > market.collateralCap)
      throw new LanternError("margin", "CollateralCapExceeded");
    const after = positionView({ ...sub, collateral: sub.collateral + args.amount }, pool, market, feed, now);
    return { before, after, error: undefined, out: args.amount, minOut: args.amount, fee: 0n };
  } catch (error) {
    return failed(before, error);
  }
}

/**
 * `withdraw_collateral(amount)`: at most the collateral; without debt it always works, with debt the
 * market must accept more risk (not paused, fresh feed, an opening price) and what is left must stay
 * within the maximum LTV at the opening price (`Unhealthy`). `out` is the LRT withdrawn.
 */
export function previewWithdrawCollateral(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
  args: { amount: bigint },
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  try {
    if (args.amount <= 0n) throw new LanternError("margin", "ZeroAmount");
    if (args.amount > sub.collateral) throw new LanternError("margin", "InsufficientCollateral");
    const next = { ...sub, collateral: sub.collateral - args.amount };
    if (sub.debtShares !== 0n) {
      const init = requireRiskIncrease(market, feed, now);
      const debt = debtAmount(sub.debtShares, accruePool(pool, now).borrowIndex);
      if (!withinLtv(debt, next.collateral, init, market.risk.ltvInitBps))
        throw new LanternError("margin", "Unhealthy");
    }
    const after = positionView(next, pool, market, feed, now);
    return { before, after, error: undefined, out: args.amount, minOut: args.amount, fee: 0n };
  } catch (error) {
    return failed(before, error);
  }
}

/**
 * `close_sub_account`: only an empty sub-account closes (`SubAccountNotEmpty` while it holds collateral
 * or owes anything); `after` is the empty position it was.
 */
export function previewCloseSubAccount(
  sub: Position,
  pool: PoolState,
  market: PositionMarket,
  feed: Feed,
  now: bigint,
): ActionPreview {
  const before = positionView(sub, pool, market, feed, now);
  if (sub.collateral !== 0n || sub.debtShares !== 0n)
    return failed(before, new LanternError("margin", "SubAccountNotEmpty"));
  return { before, after: before, error: undefined, out: 0n, minOut: 0n, fee: 0n };
}
