/**
 * Sub-account state transitions, as `SubAccount` in programs/margin/src/state/sub_account.rs: solvency,
 * a liquidation applied to the position, and the bad-debt settlement. Pure: each returns the next
 * states and leaves its inputs untouched; a LanternError is what the program would return.
 */
import { LanternError } from "../math/errors.js";
import { collateralValue, ltvLower } from "./health.js";
import type { LiquidationPlan } from "./liquidation.js";
import { insuranceBuys, type PoolState, type Repayment, repayToPool, type WriteOff, writeOff } from "./pool.js";
import { debtAmount } from "./shares.js";
import type { Market, SubAccount } from "./types.js";

type Position = Pick<SubAccount, "collateral" | "debtShares">;
type MarketTotals = Pick<Market, "collateralTotal"> & { risk: Pick<Market["risk"], "minDebt"> };

/**
 * `SubAccount::is_insolvent`: debt remains and the collateral is worth less than it at `price` (no
 * collateral at all, or dust, included).
 */
export function isInsolvent(debtShares: bigint, collateral: bigint, price: bigint, borrowIndex: bigint): boolean {
  const debt = debtAmount(debtShares, borrowIndex);
  return debt > 0n && collateralValue(collateral, price) < debt;
}

/**
 * `SubAccount::is_settleable`: insolvent at `price`, and what collateral is left is worth less than the
 * minimum debt (dust, not worth a liquidation) or no more than the insurance can pay for. Then anyone may
 * settle it, so nobody can keep bad debt off the books by leaving or donating dust; a larger insolvent
 * remainder is for a (full) liquidation.
 */
export function isSettleable(
  debtShares: bigint,
  collateral: bigint,
  price: bigint,
  borrowIndex: bigint,
  insurance: bigint,
  minDebt: bigint,
): boolean {
  // The value first, as the program evaluates it (its overflow is the error a caller sees first).
  const value = collateralValue(collateral, price);
  return isInsolvent(debtShares, collateral, price, borrowIndex) && (value < minDebt || value <= insurance);
}

/**
 * A bad-debt settlement: the collateral left moves to the market's insurance, which pays its value at
 * the maintenance price toward the debt (out of the insurance's SOL, as far as it goes); the rest of the
 * debt is written off.
 */
export interface Settlement {
  collateralSwept: bigint;
  paidByInsurance: bigint;
  writeOff: WriteOff;
}

/**
 * `SubAccount::settle`: the insurance takes the collateral left and pays its value at `price` toward the
 * debt from its SOL, then the rest of the debt is written off (insurance first, then lenders); the caller
 * has established that the sub-account is settleable.
 */
export function settleSubAccount<P extends PoolState, S extends Position, M extends MarketTotals>(
  pool: P,
  sub: S,
  market: M,
  price: bigint,
): { pool: P; sub: S; market: M; settlement: Settlement } {
  const value = collateralValue(sub.collateral, price);
  const bought = insuranceBuys(pool, sub.debtShares, value);
  const w = writeOff(bought.pool, sub.debtShares - bought.burned);
  const collateralSwept = sub.collateral;
  if (collateralSwept > market.collateralTotal) throw new RangeError("u64 underflow"); // the program aborts
  return {
    pool: w.pool,
    sub: { ...sub, debtShares: 0n, collateral: 0n },
    market: { ...market, collateralTotal: market.collateralTotal - collateralSwept },
    settlement: {
      collateralSwept,
      paidByInsurance: bought.paid,
      writeOff: { debt: w.debt, covered: w.covered, socialized: w.socialized },
    },
  };
}

/** What a liquidation did: the repayment and, when it left the position insolvent, the settlement. */
export interface LiquidationOutcome {
  repayment: Repayment;
  settlement: Settlement | undefined;
}

/**
 * `SubAccount::apply_liquidation`: the repayment burns debt shares and the seized LRT leaves; when what
 * is left is settleable at `price` (insolvent, with dust or what the insurance can pay for) it is settled
 * at once, so no third party can keep bad debt off the books by leaving or donating dust; otherwise the
 * LTV must strictly fall (`LiquidationDidNotImprove`).
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
  if (
    isSettleable(after.debtShares, after.collateral, price, r.pool.borrowIndex, r.pool.insurance, market.risk.minDebt)
  ) {
    const s = settleSubAccount(r.pool, after, marketAfter, price);
    return { pool: s.pool, sub: s.sub, market: s.market, outcome: { repayment, settlement: s.settlement } };
  }
  const debtAfter = debtAmount(after.debtShares, r.pool.borrowIndex);
  const valueAfter = collateralValue(after.collateral, price);
  if (!(debtAfter === 0n || ltvLower(debtAfter, valueAfter, debtBefore, valueBefore)))
    throw new LanternError("margin", "LiquidationDidNotImprove");
  return { pool: r.pool, sub: after, market: marketAfter, outcome: { repayment, settlement: undefined } };
}
