/**
 * Conversions between SOL and LRT, as programs/restaking/src/math (all round toward the pool), and the
 * rates the pool uses (`StakePool::exit_rate` / `deposit_rate`).
 */
import { LanternError } from "../math/errors.js";
import { BPS, U64_MAX, WAD, minBigint, mulDivCeil, mulDivFloor } from "../math/fixed.js";
import { isStale, pessimisticRate } from "../oracle/feed.js";
import type { Feed } from "../oracle/types.js";
import type { StakePool } from "./types.js";

type RateFeed = Pick<Feed, "fairRate" | "reportedRate" | "held" | "lastReportRefTs" | "maxReportAgeSecs">;

/**
 * The rate exits pay at (instant unstake, finalisation; a new ticket's rate at request): the feed's
 * pessimistic rate, so a loss held for the guardian counts at once and no exit pays more than the
 * queue will. `FeedStale` when the feed is stale.
 */
export function exitRate(feed: RateFeed, now: bigint): bigint {
  if (isStale(feed, now)) throw new LanternError("restaking", "FeedStale");
  return pessimisticRate(feed);
}

/**
 * The rate deposits mint at: the fair rate (while a loss is held this overcharges depositors rather
 * than diluting holders). `FeedStale` when the feed is stale.
 */
export function depositRate(feed: RateFeed, now: bigint): bigint {
  if (isStale(feed, now)) throw new LanternError("restaking", "FeedStale");
  return feed.fairRate;
}

function toU64(value: bigint | undefined): bigint {
  if (value === undefined || value > U64_MAX) throw new LanternError("restaking", "MathOverflow");
  return value;
}

/** LRT minted for `lamports` at `rate` (SOL per LRT, WAD): rounded down, never zero. */
export function lrtForDeposit(lamports: bigint, rate: bigint): bigint {
  const lrt = toU64(mulDivFloor(lamports, WAD, rate));
  if (lamports === 0n || lrt === 0n) throw new LanternError("restaking", "ZeroAmount");
  return lrt;
}

/** SOL owed for `lrt` at `rate`: rounded down. */
export function lamportsForLrt(lrt: bigint, rate: bigint): bigint {
  return toU64(mulDivFloor(lrt, rate, WAD));
}

/** A queued withdrawal pays at the lower of the rate at request and the rate now. */
export function ticketPayout(lrt: bigint, rateAtRequest: bigint, rateNow: bigint): bigint {
  return lamportsForLrt(lrt, minBigint(rateAtRequest, rateNow));
}

/** `{ gross, fee, out }` of an instant unstake: the fee rounds up, the payout down, neither side zero. */
export function instantUnstake(lrt: bigint, rate: bigint, feeBps: number): { gross: bigint; fee: bigint; out: bigint } {
  const gross = lamportsForLrt(lrt, rate);
  const fee = toU64(mulDivCeil(gross, BigInt(feeBps), BPS));
  if (fee > gross) throw new RangeError("fee out of contract"); // the program aborts
  const out = gross - fee;
  if (lrt === 0n || out === 0n) throw new LanternError("restaking", "ZeroAmount");
  return { gross, fee, out };
}

/** Reserve not promised to anyone: what instant unstakes, delegation and finalization may use. */
export function liquidLamports(pool: Pick<StakePool, "reserveLamports" | "lockedLamports">): bigint {
  return pool.reserveLamports - pool.lockedLamports;
}

/**
 * The most LRT one instant unstake at `rate` can take now: its payout must fit the liquid reserve
 * (counted before the fee, which only lowers the payout).
 */
export function instantUnstakeCapacity(
  pool: Pick<StakePool, "reserveLamports" | "lockedLamports">,
  rate: bigint,
): bigint {
  return rate === 0n ? 0n : toU64(mulDivFloor(liquidLamports(pool), WAD, rate));
}
