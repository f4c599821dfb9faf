/**
 * Sanity checks that turn an accepted accounting report into the feed's fair rate, as
 * programs/oracle/src/math/sanity.rs: absolute bounds, the annualised increase limit, per-report
 * smoothing of increases and the decrease budget beyond which a decrease waits for the guardian.
 */
import { LanternError } from "../math/errors.js";
import {
  BPS,
  PPB,
  U128_MAX,
  U64_MAX,
  YEAR_SECS,
  mulDivCeil,
  mulDivFloor,
  saturatingAddU128,
  saturatingAddU64,
  saturatingSubI64,
  tripleProductLe,
} from "../math/fixed.js";
import type { SanityLimits } from "./types.js";

/** What the feed knew before the report. */
export interface Prior {
  /** Rate consumers use now. */
  fairRate: bigint;
  /** Last accepted reported rate: the target smoothing moves the fair rate toward. */
  reportedRate: bigint;
  /** Reference time of that report. */
  reportedRefTs: bigint;
  /** Decreases already counted in the window ending at the new report's reference time. */
  windowDecreasePpb: bigint;
}

/** The report under evaluation. */
export interface Candidate {
  rate: bigint;
  refTs: bigint;
  bunkerFlag: boolean;
}

/** Apply: the report takes effect. Hold: the decrease exceeds the window budget and waits for the guardian. */
export type Verdict =
  | { kind: "Apply"; fairRate: bigint; decreasePpb: bigint; bunker: boolean }
  | { kind: "Hold"; decreasePpb: bigint };

const PPB_PER_BPS = PPB / BPS;

/** Relative decrease from `from` to `to` in parts per billion, rounded up (losses never understated). */
export function decreasePpb(from: bigint, to: bigint): bigint {
  if (to >= from) return 0n;
  const ppb = mulDivCeil(from - to, PPB, from);
  if (ppb === undefined || ppb > U64_MAX) throw new LanternError("oracle", "MathOverflow");
  return ppb;
}

/**
 * The fair rate after moving toward `target`: increases capped at `maxPositiveRebasePpb` of the
 * current rate per report (the rest stays deferred), decreases taken at once.
 */
export function smoothedRate(fairRate: bigint, target: bigint, maxPositiveRebasePpb: bigint): bigint {
  if (target <= fairRate) return target;
  const step = mulDivFloor(fairRate, maxPositiveRebasePpb, PPB) ?? U128_MAX;
  const capped = saturatingAddU128(fairRate, step);
  return target < capped ? target : capped;
}

/** Whether `rate` respects the annualised increase limit relative to the last reported rate. */
export function withinAnnualIncrease(
  limits: Pick<SanityLimits, "annualIncreaseLimitBps">,
  prior: Pick<Prior, "reportedRate" | "reportedRefTs">,
  rate: bigint,
  refTs: bigint,
): boolean {
  if (rate <= prior.reportedRate) return true;
  const elapsed = saturatingSubI64(refTs, prior.reportedRefTs);
  // increase / reported <= limit_bps / BPS * elapsed / YEAR, cross-multiplied exactly.
  const within = tripleProductLe(
    rate - prior.reportedRate,
    YEAR_SECS,
    BPS,
    BigInt(limits.annualIncreaseLimitBps),
    prior.reportedRate,
    elapsed < 0n ? 0n : elapsed,
  );
  if (within === undefined) throw new LanternError("oracle", "MathOverflow");
  return within;
}

/**
 * Evaluates a report against the limits: the verdict, or a LanternError (`RateOutOfBounds`,
 * `AnnualIncreaseLimitExceeded`, `MathOverflow`) that rejects the report.
 */
export function evaluate(limits: SanityLimits, prior: Prior, report: Candidate): Verdict {
  if (report.rate < limits.minRate || report.rate > limits.maxRate) {
    throw new LanternError("oracle", "RateOutOfBounds");
  }
  if (!withinAnnualIncrease(limits, prior, report.rate, report.refTs)) {
    throw new LanternError("oracle", "AnnualIncreaseLimitExceeded");
  }
  const decrease = decreasePpb(prior.reportedRate, report.rate);
  const budget = BigInt(limits.maxDecreaseBps) * PPB_PER_BPS;
  if (decrease > 0n && saturatingAddU64(prior.windowDecreasePpb, decrease) > budget) {
    return { kind: "Hold", decreasePpb: decrease };
  }
  return {
    kind: "Apply",
    fairRate: smoothedRate(prior.fairRate, report.rate, limits.maxPositiveRebasePpb),
    decreasePpb: decrease,
    bunker: decrease > 0n || report.bunkerFlag,
  };
}
