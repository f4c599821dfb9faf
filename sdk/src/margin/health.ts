/** Collateral value and loan-to-value checks, as programs/margin/src/math/health.rs. */
import { BPS, WAD, mulDivFloor } from "../math/fixed.js";
import { toU64 } from "./shares.js";

/** Value in lamports of `collateral` LRT at `price` (SOL per LRT, WAD): rounded down. */
export function collateralValue(collateral: bigint, price: bigint): bigint {
  return toU64(mulDivFloor(collateral, price, WAD));
}

/** `debt ≤ value × ltv`: the opening check (and, with LT, the health check). */
export function withinLtv(debt: bigint, collateral: bigint, price: bigint, ltvBps: number): boolean {
  return debt * BPS <= collateralValue(collateral, price) * BigInt(ltvBps);
}

/** `debt ≥ value × ltv`: from the full-liquidation LTV on, the whole debt may go. */
export function atOrAboveLtv(debt: bigint, collateral: bigint, price: bigint, ltvBps: number): boolean {
  return collateralValue(collateral, price) * BigInt(ltvBps) <= debt * BPS;
}

/** Liquidatable iff `debt > value × LT` at the maintenance price (a zero debt never is). */
export function isLiquidatable(debt: bigint, collateral: bigint, price: bigint, ltBps: number): boolean {
  return debt > 0n && !withinLtv(debt, collateral, price, ltBps);
}

/** `debtA / valueA < debtB / valueB`, cross-multiplied; no value is an infinite LTV. */
export function ltvLower(debtA: bigint, valueA: bigint, debtB: bigint, valueB: bigint): boolean {
  if (valueA === 0n) return false;
  if (valueB === 0n) return true;
  return debtA * valueB < debtB * valueA;
}
