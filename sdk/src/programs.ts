// The three programs as typed Anchor clients built from the committed JSON IDLs, and the conversions
// from the sdk's values (bigint, camelCase) to the arguments Anchor's coder takes (BN).
import anchor, { type IdlTypes, type Program as AnchorProgram, type Provider } from "@coral-xyz/anchor";
import oracleIdl from "../idl/oracle.json" with { type: "json" };
import restakingIdl from "../idl/restaking.json" with { type: "json" };
import marginIdl from "../idl/margin.json" with { type: "json" };
import type { Oracle } from "../idl/oracle.js";
import type { Restaking } from "../idl/restaking.js";
import type { Margin } from "../idl/margin.js";
import type { SanityLimits } from "./oracle/types.js";
import type { PoolParams, PricingPolicy, RiskParams } from "./margin/types.js";

// Anchor is CommonJS: under Node's own ESM loader only its default export carries every name.
const { BN, Program } = anchor;
type BN = InstanceType<typeof BN>;

export interface LanternPrograms {
  oracle: AnchorProgram<Oracle>;
  restaking: AnchorProgram<Restaking>;
  margin: AnchorProgram<Margin>;
}

/** The three programs over `provider` (its connection serves Anchor's own fetches). */
export function lanternPrograms(provider: Provider): LanternPrograms {
  return {
    // The JSON IDLs use the Rust (snake_case) names; Anchor camel-cases them, matching the TS types.
    oracle: new Program<Oracle>(oracleIdl as unknown as Oracle, provider),
    restaking: new Program<Restaking>(restakingIdl as unknown as Restaking, provider),
    margin: new Program<Margin>(marginIdl as unknown as Margin, provider),
  };
}

/** A provider without a connection: enough to build instructions, which never touch the network. */
const offlineProvider: Provider = {
  get connection(): never {
    throw new Error(
      "These program instances only build instructions; use LanternClient (with a Connection) to read or send",
    );
  },
};

let offline: LanternPrograms | undefined;

/** Programs for building instructions (no connection needed). */
export function offlinePrograms(): LanternPrograms {
  offline ??= lanternPrograms(offlineProvider);
  return offline;
}

// ---- Argument conversions (internal to the sdk) ----

const U64_LIMIT = 1n << 64n;
const U128_LIMIT = 1n << 128n;

/** A u64 argument, refusing what the program could not receive, with the argument's name. */
export function u64Arg(value: bigint, what: string): BN {
  if (typeof value !== "bigint" || value < 0n || value >= U64_LIMIT) {
    throw new RangeError(`${what} must be a u64 as a bigint (0 to 2^64-1), got ${String(value)}`);
  }
  return new BN(value.toString());
}

export function u128Arg(value: bigint, what: string): BN {
  if (typeof value !== "bigint" || value < 0n || value >= U128_LIMIT) {
    throw new RangeError(`${what} must be a u128 as a bigint (0 to 2^128-1), got ${String(value)}`);
  }
  return new BN(value.toString());
}

export function i64Arg(value: bigint | number, what: string): BN {
  const v = typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
  if (typeof v !== "bigint" || v < -(1n << 63n) || v >= 1n << 63n)
    throw new RangeError(`${what} must be an i64, got ${String(value)}`);
  return new BN(v.toString());
}

export function uintArg(value: number, bits: 8 | 16 | 32, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${what} must be a u${bits} (0 to ${2 ** bits - 1}), got ${String(value)}`);
  }
  return value;
}

export function sanityLimitsArg(limits: SanityLimits): IdlTypes<Oracle>["sanityLimits"] {
  return {
    annualIncreaseLimitBps: uintArg(limits.annualIncreaseLimitBps, 16, "annualIncreaseLimitBps"),
    maxPositiveRebasePpb: u64Arg(limits.maxPositiveRebasePpb, "maxPositiveRebasePpb"),
    maxDecreaseBps: uintArg(limits.maxDecreaseBps, 16, "maxDecreaseBps"),
    decreaseWindowSecs: uintArg(limits.decreaseWindowSecs, 32, "decreaseWindowSecs"),
    minRate: u128Arg(limits.minRate, "minRate"),
    maxRate: u128Arg(limits.maxRate, "maxRate"),
    maxReportAgeSecs: uintArg(limits.maxReportAgeSecs, 32, "maxReportAgeSecs"),
    maxPriceAgeSecs: uintArg(limits.maxPriceAgeSecs, 32, "maxPriceAgeSecs"),
    emaHalfLifeSecs: uintArg(limits.emaHalfLifeSecs, 32, "emaHalfLifeSecs"),
    maxConfidenceBps: uintArg(limits.maxConfidenceBps, 16, "maxConfidenceBps"),
  };
}

export function riskParamsArg(risk: RiskParams): IdlTypes<Margin>["riskParams"] {
  return {
    ltvInitBps: uintArg(risk.ltvInitBps, 16, "ltvInitBps"),
    ltBps: uintArg(risk.ltBps, 16, "ltBps"),
    ltvFullBps: uintArg(risk.ltvFullBps, 16, "ltvFullBps"),
    targetLtvBps: uintArg(risk.targetLtvBps, 16, "targetLtvBps"),
    closeFactorBps: uintArg(risk.closeFactorBps, 16, "closeFactorBps"),
    bonusMinBps: uintArg(risk.bonusMinBps, 16, "bonusMinBps"),
    bonusMaxBps: uintArg(risk.bonusMaxBps, 16, "bonusMaxBps"),
    insuranceShareBps: uintArg(risk.insuranceShareBps, 16, "insuranceShareBps"),
    minDebt: u64Arg(risk.minDebt, "minDebt"),
  };
}

export function poolParamsArg(params: PoolParams): IdlTypes<Margin>["poolParams"] {
  const c = params.curve;
  return {
    curve: {
      kink1UtilizationBps: uintArg(c.kink1UtilizationBps, 16, "kink1UtilizationBps"),
      kink1RateBps: uintArg(c.kink1RateBps, 16, "kink1RateBps"),
      kink2UtilizationBps: uintArg(c.kink2UtilizationBps, 16, "kink2UtilizationBps"),
      kink2RateBps: uintArg(c.kink2RateBps, 16, "kink2RateBps"),
      maxRateBps: uintArg(c.maxRateBps, 16, "maxRateBps"),
    },
    reserveFactorBps: uintArg(params.reserveFactorBps, 16, "reserveFactorBps"),
    maxUtilizationBps: uintArg(params.maxUtilizationBps, 16, "maxUtilizationBps"),
    supplyCap: u64Arg(params.supplyCap, "supplyCap"),
    borrowCap: u64Arg(params.borrowCap, "borrowCap"),
  };
}

export function pricingPolicyArg(policy: PricingPolicy): IdlTypes<Margin>["pricingPolicy"] {
  switch (policy) {
    case "FairRate":
      return { fairRate: {} };
    case "Market":
      return { market: {} };
    case "MinOfBoth":
      return { minOfBoth: {} };
    default:
      throw new RangeError(`Unknown pricing policy ${String(policy)}: use FairRate, Market or MinOfBoth`);
  }
}
