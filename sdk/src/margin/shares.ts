/** Share ↔ lamport conversions at an index (WAD), as programs/margin/src/math/shares.rs. */
import { LanternError } from "../math/errors.js";
import { U64_MAX, WAD, mulDivCeil, mulDivFloor } from "../math/fixed.js";

/** u64::try_from, or MathOverflow (also for Rust's `None`). */
export function toU64(value: bigint | undefined): bigint {
  if (value === undefined || value > U64_MAX) throw new LanternError("margin", "MathOverflow");
  return value;
}

function nonzero(amount: bigint, shares: bigint): bigint {
  if (amount === 0n || shares === 0n) throw new LanternError("margin", "ZeroAmount");
  return shares;
}

/** Supply shares minted for a deposit: rounded down, never zero. */
export function supplySharesForDeposit(amount: bigint, supplyIndex: bigint): bigint {
  return nonzero(amount, toU64(mulDivFloor(amount, WAD, supplyIndex)));
}

/** Lamports `shares` of supply are worth: rounded down. */
export function supplyAmount(shares: bigint, supplyIndex: bigint): bigint {
  return toU64(mulDivFloor(shares, supplyIndex, WAD));
}

/** Debt shares created by borrowing `amount`: rounded up, never zero. */
export function debtSharesForBorrow(amount: bigint, borrowIndex: bigint): bigint {
  return nonzero(amount, toU64(mulDivCeil(amount, WAD, borrowIndex)));
}

/** Debt of `shares`: rounded up. */
export function debtAmount(shares: bigint, borrowIndex: bigint): bigint {
  return toU64(mulDivCeil(shares, borrowIndex, WAD));
}

/**
 * Debt shares a partial repayment of `amount` burns: rounded down, never zero (a payment too small to
 * burn one share is refused, not taken for nothing).
 */
export function debtSharesRepaid(amount: bigint, borrowIndex: bigint): bigint {
  return nonzero(amount, toU64(mulDivFloor(amount, WAD, borrowIndex)));
}

/** How far the supply index falls so that `shares` absorb `loss`: rounded up. */
export function indexCut(loss: bigint, shares: bigint): bigint {
  const cut = mulDivCeil(loss, WAD, shares);
  if (cut === undefined) throw new LanternError("margin", "MathOverflow");
  return cut;
}
