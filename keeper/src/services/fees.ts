// Priority fees: a percentile of the recent non-zero fees paid by transactions that locked the same
// writable accounts (getRecentPrioritizationFees reports per-slot minima), capped; a fallback when the
// estimate cannot be read. Every transaction the engine builds — liquidations included — carries it.
// After a send's blockhash expires unconfirmed the fee escalates: the intent's next signature and the
// role's next transactions pay the estimate × `expiryFactor`^level (at least the fallback, never above
// the cap); each landing of the role steps its level back down by one.
import type { PublicKey } from "@solana/web3.js";
import { Context, Effect, Layer, Ref } from "effect";
import { AppConfig, type Role } from "../config.js";
import { M, inc, setGauge } from "../metrics.js";
import { Rpc } from "./rpc.js";

/** Who a fee is for: the role (its escalation level) and how many signatures of this intent expired. */
export interface FeeContext {
  readonly role?: Role;
  /** Signatures of the intent being signed that were proven expired, unconfirmed. */
  readonly expired?: number;
}

export interface PriorityFeesShape {
  readonly microLamportsFor: (writable: readonly PublicKey[], context?: FeeContext) => Effect.Effect<number>;
  /** What became of a sent transaction of `role`: an expiry raises its level, a landing lowers it. */
  readonly record: (role: Role | undefined, event: FeeEvent) => Effect.Effect<void>;
  /** The role's current escalation level (0 = the plain estimate). */
  readonly level: (role: Role | undefined) => Effect.Effect<number>;
}

export class PriorityFees extends Context.Tag("keeper/PriorityFees")<PriorityFees, PriorityFeesShape>() {}

export type FeeEvent = "expired" | "landed";

export interface EscalationPolicy {
  /** Multiplier per level (1 = never escalate). */
  readonly factor: number;
  /** The fee never exceeds this. */
  readonly cap: number;
  /** An escalated fee starts from at least this (an estimate of 0 times anything is 0). */
  readonly floor: number;
}

/**
 * Levels beyond the one whose fee reaches the cap change nothing but would take more landings to
 * come down from: the level stops there (at least 1, so one expiry always counts).
 */
export function maxEscalationLevel(policy: EscalationPolicy): number {
  if (policy.factor <= 1) return 0;
  const start = Math.max(1, policy.floor);
  if (start >= policy.cap) return 1;
  return Math.max(1, Math.ceil(Math.log(policy.cap / start) / Math.log(policy.factor)));
}

/** The role's next level: +1 on an expiry, −1 on a landing, within [0, maxEscalationLevel]. */
export function nextEscalationLevel(level: number, event: FeeEvent, policy: EscalationPolicy): number {
  const top = maxEscalationLevel(policy);
  return event === "expired" ? Math.min(top, level + 1) : Math.max(0, Math.min(top, level) - 1);
}

/**
 * The fee to pay at escalation `level`: the estimate at level 0; else max(estimate, floor) ×
 * factor^level, rounded up — never above the cap (nor is the estimate itself).
 */
export function escalatedFee(
  estimate: number,
  level: number,
  policy: EscalationPolicy,
): { microLamports: number; escalated: boolean; capped: boolean } {
  const wanted =
    level <= 0 || policy.factor <= 1 ? estimate : Math.ceil(Math.max(estimate, policy.floor) * policy.factor ** level);
  const microLamports = Math.min(policy.cap, wanted);
  return { microLamports, escalated: microLamports > estimate, capped: wanted > policy.cap };
}

/** getRecentPrioritizationFees takes at most this many addresses. */
export const MAX_FEE_ACCOUNTS = 128;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The fee (µlamports per compute unit) from per-slot samples: the `p`th percentile of the non-zero ones
 * — each sample is the cheapest fee that landed in its slot, so zeros (slots where nobody competed for
 * these accounts) would drag any average to nothing — and never above `cap`.
 */
export function priorityFee(
  samples: readonly number[],
  p: number,
  cap: number,
): { microLamports: number; capped: boolean } {
  const wanted = percentile(
    samples.filter((f) => f > 0),
    p,
  );
  return wanted > cap ? { microLamports: cap, capped: true } : { microLamports: wanted, capped: false };
}

export const PriorityFeesLive = Layer.effect(
  PriorityFees,
  Effect.gen(function* () {
    const rpc = yield* Rpc;
    const { fees } = yield* AppConfig;
    const fallback = Math.min(fees.maxMicroLamports, fees.fallbackMicroLamports);
    const policy: EscalationPolicy = { factor: fees.expiryFactor, cap: fees.maxMicroLamports, floor: fallback };
    const levels = yield* Ref.make(new Map<string, number>());
    const roleOf = (role: Role | undefined) => role ?? "keeper";
    const level = (role: Role | undefined) => Effect.map(Ref.get(levels), (m) => m.get(roleOf(role)) ?? 0);
    const estimate = (writable: readonly PublicKey[]) =>
      rpc
        .call(
          "getRecentPrioritizationFees",
          (c) =>
            c.getRecentPrioritizationFees({
              lockedWritableAccounts: writable.slice(0, MAX_FEE_ACCOUNTS) as PublicKey[],
            }),
          // An estimate is not worth delaying a liquidation for: one retry, then the fallback.
          { attempts: 2 },
        )
        .pipe(
          Effect.map((samples) =>
            priorityFee(
              samples.map((s) => s.prioritizationFee),
              fees.percentile,
              fees.maxMicroLamports,
            ),
          ),
          Effect.tap(({ capped }) => inc(M.priorityFeeEstimates, { result: capped ? "capped" : "sampled" })),
          Effect.map(({ microLamports }) => microLamports),
          Effect.catchAll((e) =>
            Effect.as(
              Effect.zipRight(
                inc(M.priorityFeeEstimates, { result: "fallback" }),
                Effect.logWarning("priority fee estimate unavailable; using the fallback").pipe(
                  Effect.annotateLogs({ error: e.message, fallback }),
                ),
              ),
              fallback,
            ),
          ),
        );
    return {
      level,
      record: (role, event) =>
        Effect.gen(function* () {
          const next = yield* Ref.modify(levels, (m) => {
            const after = nextEscalationLevel(m.get(roleOf(role)) ?? 0, event, policy);
            return [after, new Map(m).set(roleOf(role), after)];
          });
          yield* setGauge(M.priorityFeeLevel, next, { role: roleOf(role) });
        }),
      microLamportsFor: (writable, context = {}) =>
        Effect.gen(function* () {
          const base = yield* estimate(writable);
          // The intent's own expiries count even when the role's other transactions have been landing.
          const at = Math.max(yield* level(context.role), context.expired ?? 0);
          const fee = escalatedFee(base, at, policy);
          if (fee.escalated) yield* inc(M.priorityFeeEscalated, { role: roleOf(context.role) });
          yield* setGauge(M.priorityFee, fee.microLamports);
          return fee.microLamports;
        }),
    };
  }),
);
