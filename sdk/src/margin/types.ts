import type { PublicKey } from "@solana/web3.js";

/**
 * Margin account and value types, field for field as programs/margin/src/state (camelCase; u64, u128
 * and i64 as bigint; u8 and u16 as number; keys as PublicKey).
 */

/** Kinked borrow-rate curve: 0% at 0 utilisation, two kinks, the maximum at 100%. */
export interface RateCurve {
  kink1UtilizationBps: number;
  kink1RateBps: number;
  kink2UtilizationBps: number;
  kink2RateBps: number;
  maxRateBps: number;
}

export const DEFAULT_RATE_CURVE: Readonly<RateCurve> = Object.freeze({
  kink1UtilizationBps: 8_000,
  kink1RateBps: 400,
  kink2UtilizationBps: 9_000,
  kink2RateBps: 700,
  maxRateBps: 5_000,
});

export interface PoolParams {
  curve: RateCurve;
  reserveFactorBps: number;
  maxUtilizationBps: number;
  supplyCap: bigint;
  borrowCap: bigint;
}

/** The SOL lending pool. */
export interface LendingPool {
  bump: number;
  admin: PublicKey;
  solMint: PublicKey;
  vault: PublicKey;
  params: PoolParams;
  cash: bigint;
  insurance: bigint;
  supplyShares: bigint;
  /** Lamports per supply share (WAD). */
  supplyIndex: bigint;
  debtShares: bigint;
  /** Lamports per debt share (WAD); never falls. */
  borrowIndex: bigint;
  lastAccrualTs: bigint;
  socialized: boolean;
  frozen: boolean;
}

export interface LenderPosition {
  bump: number;
  pool: PublicKey;
  owner: PublicKey;
  shares: bigint;
}

/** Which price a market trusts. */
export type PricingPolicy = "FairRate" | "Market" | "MinOfBoth";
/** Borsh variant order of `PricingPolicy`. */
export const PRICING_POLICIES: readonly PricingPolicy[] = ["FairRate", "Market", "MinOfBoth"];

export interface RiskParams {
  ltvInitBps: number;
  ltBps: number;
  ltvFullBps: number;
  targetLtvBps: number;
  closeFactorBps: number;
  bonusMinBps: number;
  bonusMaxBps: number;
  insuranceShareBps: number;
  /** Smallest debt a sub-account may keep (lamports). */
  minDebt: bigint;
}

export const DEFAULT_RISK_PARAMS: Readonly<RiskParams> = Object.freeze({
  ltvInitBps: 9_000,
  ltBps: 9_300,
  ltvFullBps: 9_600,
  targetLtvBps: 9_200,
  closeFactorBps: 2_000,
  bonusMinBps: 50,
  bonusMaxBps: 200,
  insuranceShareBps: 2_000,
  minDebt: 50_000_000n,
});

export interface Market {
  bump: number;
  pool: PublicKey;
  lrtMint: PublicKey;
  feed: PublicKey;
  stakePool: PublicKey;
  insuranceVault: PublicKey;
  policy: PricingPolicy;
  risk: RiskParams;
  collateralCap: bigint;
  collateralTotal: bigint;
  paused: boolean;
  ltLoweredTs: bigint;
  /** A change that could make positions liquidatable, waiting out its time lock. */
  pending: PendingUpdate;
}

/** A queued policy and risk change; `activatesTs` 0 = nothing queued. */
export interface PendingUpdate {
  activatesTs: bigint;
  policy: PricingPolicy;
  risk: RiskParams;
}

/** `PendingUpdate::default()`: nothing queued. */
export const NO_PENDING_UPDATE: Readonly<PendingUpdate> = Object.freeze({
  activatesTs: 0n,
  policy: "MinOfBoth",
  risk: DEFAULT_RISK_PARAMS,
});

/** An isolated position: one LRT collateral, one SOL debt. */
export interface SubAccount {
  bump: number;
  vaultBump: number;
  market: PublicKey;
  owner: PublicKey;
  index: number;
  /** LRT in the collateral vault. */
  collateral: bigint;
  debtShares: bigint;
}
