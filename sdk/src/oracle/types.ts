import type { PublicKey } from "@solana/web3.js";

/**
 * Oracle account and value types, field for field as programs/oracle/src/state (camelCase; u64, u128
 * and i64 as bigint; u8, u16 and u32 as number; keys as PublicKey).
 */

/** Most members a committee can hold (the account is sized for it). */
export const MAX_MEMBERS = 16;
/** Decreases remembered for the decrease budget. */
export const DECREASE_SLOTS = 32;

export interface Member {
  authority: PublicKey;
  signer: PublicKey;
  /** Frame of the member's current vote (meaningless when `voteHash` is all zeros). */
  voteFrame: bigint;
  voteHash: Uint8Array;
  /** Last market price observation (SOL per LRT, WAD) and when it was observed. */
  price: bigint;
  priceTs: bigint;
}

/** Time cut into frames: frame `anchorFrame` starts at `anchorTs`, each lasts `frameSecs`. */
export interface FrameConfig {
  anchorTs: bigint;
  anchorFrame: bigint;
  frameSecs: number;
  fastLaneSecs: number;
}

export interface SanityLimits {
  annualIncreaseLimitBps: number;
  maxPositiveRebasePpb: bigint;
  maxDecreaseBps: number;
  decreaseWindowSecs: number;
  minRate: bigint;
  maxRate: bigint;
  maxReportAgeSecs: number;
  maxPriceAgeSecs: number;
  emaHalfLifeSecs: number;
  /** A round whose band (median absolute deviation) is wider than this share of its price gives no market price. */
  maxConfidenceBps: number;
}

/** `SanityLimits::default()`. */
export const DEFAULT_SANITY_LIMITS: Readonly<SanityLimits> = Object.freeze({
  annualIncreaseLimitBps: 1_500,
  maxPositiveRebasePpb: 750_000n,
  maxDecreaseBps: 100,
  decreaseWindowSecs: 18 * 86_400,
  minRate: 100_000_000_000_000_000n,
  maxRate: 10_000_000_000_000_000_000n,
  maxReportAgeSecs: 129_600,
  maxPriceAgeSecs: 60,
  emaHalfLifeSecs: 3_600,
  maxConfidenceBps: 200,
});

export interface Committee {
  bump: number;
  lrtMint: PublicKey;
  feed: PublicKey;
  admin: PublicKey;
  guardian: PublicKey;
  quorum: number;
  memberCount: number;
  paused: boolean;
  consensusDisabled: boolean;
  consensusVersion: bigint;
  frames: FrameConfig;
  limits: SanityLimits;
  /** Last frame whose report was processed (0 = none). */
  lastProcessedFrame: bigint;
  consensusFrame: bigint;
  consensusHash: Uint8Array;
  /** All MAX_MEMBERS slots; the first `memberCount` are the members. */
  members: Member[];
}

export interface DecreaseEntry {
  refTs: bigint;
  ppb: bigint;
}

/** A decrease waiting for the guardian; `frame` 0 = none. */
export interface HeldReport {
  frame: bigint;
  refTs: bigint;
  rate: bigint;
  stakedLamports: bigint;
  decreasePpb: bigint;
}

export interface Feed {
  bump: number;
  lrtMint: PublicKey;
  committee: PublicKey;
  /** SOL per LRT (WAD) that consumers use. */
  fairRate: bigint;
  /** Last accepted reported rate; `reportedRate - fairRate` is the increase still deferred. */
  reportedRate: bigint;
  reportedStakedLamports: bigint;
  lastReportFrame: bigint;
  lastReportRefTs: bigint;
  lastReportTs: bigint;
  bunker: boolean;
  held: HeldReport;
  /** DECREASE_SLOTS entries. */
  decreases: DecreaseEntry[];
  /**
   * The last agreed round: median of the fresh observations, its Byzantine-robust low (the lower
   * median), the band (median absolute deviation), and EMAs of the median and of the low.
   */
  marketPrice: bigint;
  marketLow: bigint;
  marketConfidence: bigint;
  marketEma: bigint;
  marketEmaLow: bigint;
  marketPriceTs: bigint;
  marketEmaTs: bigint;
  maxReportAgeSecs: number;
  maxPriceAgeSecs: number;
}

/**
 * The market price consumers may use: present only while a quorum of observations is fresh and agrees
 * within `maxConfidenceBps`.
 */
export interface MarketPrice {
  price: bigint;
  /** Within the honest observations' range whatever a minority submits. */
  low: bigint;
  confidence: bigint;
  ema: bigint;
  /** EMA of `low`: one round, however dispersed, moves it by at most one round's weight. */
  emaLow: bigint;
}
