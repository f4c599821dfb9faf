/**
 * Lending-pool bookkeeping, as `LendingPool` in programs/margin/src/state/lending_pool.rs. Pure: each
 * transition returns the next pool and leaves its input untouched; a LanternError is what the program
 * would return (and the transaction would revert).
 */
import { LanternError } from "../math/errors.js";
import { U64_MAX, WAD, mulDivFloor, saturatingSub, saturatingSubI64 } from "../math/fixed.js";
import { accrue, utilizationBps } from "./interest.js";
import { debtAmount, debtSharesForBorrow, debtSharesRepaid, indexCut, supplyAmount } from "./shares.js";
import type { LendingPool } from "./types.js";

/** The pool fields the bookkeeping reads and writes (keys and bump are left alone). */
export type PoolState = Omit<LendingPool, "bump" | "admin" | "solMint" | "vault">;

function overflow(): LanternError<"margin"> {
  return new LanternError("margin", "MathOverflow");
}

export function totalDebt(pool: Pick<PoolState, "debtShares" | "borrowIndex">): bigint {
  return debtAmount(pool.debtShares, pool.borrowIndex);
}

export function lenderClaims(pool: Pick<PoolState, "supplyShares" | "supplyIndex">): bigint {
  return supplyAmount(pool.supplyShares, pool.supplyIndex);
}

/** Cash lenders and borrowers may take: the insurance's part stays. */
export function availableCash(pool: Pick<PoolState, "cash" | "insurance">): bigint {
  return saturatingSub(pool.cash, pool.insurance);
}

/** Compounds interest up to `now`; at or before the last accrual it changes nothing. */
export function accruePool<P extends PoolState>(pool: P, now: bigint): P {
  const elapsed = saturatingSubI64(now, pool.lastAccrualTs);
  if (elapsed <= 0n) return pool;
  const step = accrue(pool, elapsed);
  const insurance = pool.insurance + step.toInsurance;
  if (insurance > U64_MAX) throw overflow();
  return { ...pool, borrowIndex: step.borrowIndex, supplyIndex: step.supplyIndex, insurance, lastAccrualTs: now };
}

/** Lends `amount`: liquidity, borrow cap and utilisation limit checked; the debt shares created round up. */
export function borrowFromPool<P extends PoolState>(pool: P, amount: bigint): { pool: P; newShares: bigint } {
  if (amount > availableCash(pool)) throw new LanternError("margin", "InsufficientLiquidity");
  const newShares = debtSharesForBorrow(amount, pool.borrowIndex);
  const debtAfter = totalDebt(pool) + amount;
  if (debtAfter > U64_MAX) throw overflow();
  if (debtAfter > pool.params.borrowCap) throw new LanternError("margin", "BorrowCapExceeded");
  const cashAfter = pool.cash - amount;
  if (utilizationBps(cashAfter, debtAfter, pool.insurance) > BigInt(pool.params.maxUtilizationBps)) {
    throw new LanternError("margin", "UtilizationTooHigh");
  }
  const debtShares = pool.debtShares + newShares;
  if (debtShares > U64_MAX) throw overflow();
  return { pool: { ...pool, cash: cashAfter, debtShares }, newShares };
}

/** What a repayment paid and which debt shares it burned (`Repayment`). */
export interface Repayment {
  paid: bigint;
  burned: bigint;
}

/** A written-off debt: how much insurance covered and how much the lenders lost (`WriteOff`). */
export interface WriteOff {
  debt: bigint;
  covered: bigint;
  socialized: bigint;
}

/** Takes `amount` of repayment for a position of `positionShares`; paying the whole debt burns every share. */
export function repayToPool<P extends PoolState>(
  pool: P,
  positionShares: bigint,
  amount: bigint,
): Repayment & { pool: P } {
  const debt = debtAmount(positionShares, pool.borrowIndex);
  let paid: bigint;
  let burned: bigint;
  if (amount >= debt) {
    paid = debt;
    burned = positionShares;
  } else {
    paid = amount;
    const repaid = debtSharesRepaid(amount, pool.borrowIndex);
    burned = repaid < positionShares ? repaid : positionShares;
  }
  const cash = pool.cash + paid;
  if (cash > U64_MAX) throw overflow();
  if (burned > pool.debtShares) throw new RangeError("u64 underflow"); // the program aborts
  return { pool: { ...pool, cash, debtShares: pool.debtShares - burned }, paid, burned };
}

/**
 * Writes off the debt of `positionShares` that no collateral backs: insurance first, then lenders pro
 * rata through the supply index; a loss at or beyond the lenders' claims freezes the pool.
 */
export function writeOff<P extends PoolState>(pool: P, positionShares: bigint): WriteOff & { pool: P } {
  const debt = debtAmount(positionShares, pool.borrowIndex);
  if (positionShares > pool.debtShares) throw new RangeError("u64 underflow"); // the program aborts
  const covered = debt < pool.insurance ? debt : pool.insurance;
  const socialized = debt - covered;
  const next: P = { ...pool, debtShares: pool.debtShares - positionShares, insurance: pool.insurance - covered };
  if (socialized > 0n) {
    next.socialized = true;
    if (socialized >= lenderClaims(next)) {
      next.supplyIndex = 0n;
      next.frozen = true;
    } else {
      next.supplyIndex = next.supplyIndex - indexCut(socialized, next.supplyShares);
    }
  }
  return { pool: next, debt, covered, socialized };
}

/**
 * `LendingPool::insurance_buys`: the insurance pays up to `value` of a position's debt from its share of
 * the cash (as much as it holds) — no SOL moves, the insurance's part of the cash becomes the lenders'.
 */
export function insuranceBuys<P extends PoolState>(
  pool: P,
  positionShares: bigint,
  value: bigint,
): Repayment & { pool: P } {
  const debt = debtAmount(positionShares, pool.borrowIndex);
  let paid = value < pool.insurance ? value : pool.insurance;
  if (debt < paid) paid = debt;
  let burned: bigint;
  if (paid === 0n) burned = 0n;
  else if (paid === debt) burned = positionShares;
  else {
    // A payment too small to burn one debt share is not made: the write-off covers that debt.
    const repaid = mulDivFloor(paid, WAD, pool.borrowIndex) === 0n ? 0n : debtSharesRepaid(paid, pool.borrowIndex);
    if (repaid === 0n) paid = 0n;
    burned = repaid < positionShares ? repaid : positionShares;
  }
  if (burned > pool.debtShares) throw new RangeError("u64 underflow"); // the program aborts
  return {
    pool: { ...pool, insurance: pool.insurance - paid, debtShares: pool.debtShares - burned },
    paid,
    burned,
  };
}

/** `LendingPool::add_insurance`: SOL the insurance received from selling its LRT, cash that belongs to insurance. */
export function addInsurance<P extends PoolState>(pool: P, lamports: bigint): P {
  const cash = pool.cash + lamports;
  const insurance = pool.insurance + lamports;
  if (cash > U64_MAX || insurance > U64_MAX) throw overflow();
  return { ...pool, cash, insurance };
}

/**
 * `LendingPool::invariant`, checked at the end of every handler that moves pool funds: cash plus
 * outstanding debt cover the lenders' claims and the insurance — unless a loss was socialised (the cut
 * index already absorbed it). The insurance may exceed the cash (its share of accrued interest is still
 * owed by borrowers). Throws `PoolInvariantBroken` as the program.
 */
export function checkPoolInvariant(
  pool: Pick<
    PoolState,
    "cash" | "insurance" | "socialized" | "debtShares" | "borrowIndex" | "supplyShares" | "supplyIndex"
  >,
): void {
  if (pool.socialized) return;
  const assets = pool.cash + totalDebt(pool);
  const owed = lenderClaims(pool) + pool.insurance;
  if (assets < owed) throw new LanternError("margin", "PoolInvariantBroken");
}
