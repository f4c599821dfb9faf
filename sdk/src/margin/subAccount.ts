/**
 * Sub-account state transitions, as `SubAccount` in programs/margin/src/state/sub_account.rs: solvency,
 * a liquidation applied to the position, and the bad-debt settlement. Pure: each returns the next
 * states and leaves its inputs untouched; a LanternError is what the program would return.
 */
import { LanternError } from "../math/errors.js";
import { collateralValue, ltvLower } from "./health.js";
import type { LiquidationPlan } from "./liquidation.js";
import { type PoolState, type Repayment, repayToPool, type WriteOff, writeOff } from "./pool.js";
import { debtAmount } from "./shares.js";
import type { Market, SubAccount } from "./types.js";

type Position = Pick<SubAccount, "collateral" | "debtShares">;
type MarketTotals = Pick<Market, "collateralTotal">;

/**
 * `SubAccount::is_insolvent`: debt remains and the collateral is worth less than it at `price` (no
 * collateral at all, or dust, included). Such debt can always be settled: nobody can make it
 * unsettleable by donating collateral.
 */
export function isInsolvent(debtShares: bigint, collateral: bigint, price: bigint, borrowIndex: bigint): boolean {
  const debt = debtAmount(debtShares, borrowIndex);
  return debt > 0n && collateralValue(collateral, price) < debt;
}

/** A bad-debt settlement: the collateral left (moved to the market's insurance) and the debt written off. */
export interface Settlement {
  collateralSwept: bigint;
  writeOff: WriteOff;
}

/**
 * `SubAccount::settle`: writes off the whole debt and gives up the collateral left (to the market's
 * insurance vault, which converts it to SOL for the pool); the caller has established insolvency.
 */
export function settleSubAccount<P extends PoolState, S extends Position, M extends MarketTotals>(
  pool: P,
  sub: S,
  market: M,
): { pool: P; sub: S; market: M; settlement: Settlement } {
  const w = writeOff(pool, sub.debtShares);
  const collateralSwept = sub.collateral;
  if (collateralSwept > market.collateralTotal) throw new RangeError("u64 underflow"); // the program aborts
  return {
    pool: w.pool,
    sub: { ...sub, debtShares: 0n, collateral: 0n },
    market: { ...market, collateralTotal: market.collateralTotal - collateralSwept },
    settlement: { collateralSwept, writeOff: { debt: w.debt, covered: w.covered, socialized: w.socialized } },
  };
}

/** What a liquidation did: the repayment and, when it left the position insolvent, the settlement. */
export interface LiquidationOutcome {
  repayment: Repayment;
  settlement: Settlement | undefined;
}

/**
 * `SubAccount::apply_liquidation`: the repayment burns debt shares and the seized LRT leaves; when what
 * is left is insolvent at `price` the rest is settled at once (no third party can keep bad debt off the
 * books by leaving or donating dust), else the LTV must strictly fall (`LiquidationDidNotImprove`).
 */
export function applyLiquidation<P extends PoolState, S extends Position, M extends MarketTotals>(
  pool: P,
  sub: S,
  market: M,
  plan: Pick<LiquidationPlan, "repay" | "seize">,
  price: bigint,
): { pool: P; sub: S; market: M; outcome: LiquidationOutcome } {
  const debtBefore = debtAmount(sub.debtShares, pool.borrowIndex);
  const valueBefore = collateralValue(sub.collateral, price);
  const r = repayToPool(pool, sub.debtShares, plan.repay);
  const repayment: Repayment = { paid: r.paid, burned: r.burned };
  if (plan.seize > sub.collateral || plan.seize > market.collateralTotal) throw new RangeError("u64 underflow");
  const after: S = { ...sub, debtShares: sub.debtShares - r.burned, collateral: sub.collateral - plan.seize };
  const marketAfter: M = { ...market, collateralTotal: market.collateralTotal - plan.seize };
  if (isInsolvent(after.debtShares, after.collateral, price, r.pool.borrowIndex)) {
    const s = settleSubAccount(r.pool, after, marketAfter);
    return { pool: s.pool, sub: s.sub, market: s.market, outcome: { repayment, settlement: s.settlement } };
  }
  const debtAfter = debtAmount(after.debtShares, r.pool.borrowIndex);
  const valueAfter = collateralValue(after.collateral, price);
  if (!(debtAfter === 0n || ltvLower(debtAfter, valueAfter, debtBefore, valueBefore)))
    throw new LanternError("margin", "LiquidationDidNotImprove");
  return { pool: r.pool, sub: after, market: marketAfter, outcome: { repayment, settlement: undefined } };
}
