// Priority fees: a percentile of the recent non-zero fees paid by transactions that locked the same
// writable accounts (getRecentPrioritizationFees reports per-slot minima), capped; a fallback when the
// estimate cannot be read. Every transaction the engine builds — liquidations included — carries it.
import type { PublicKey } from "@solana/web3.js";
import { Context, Effect, Layer } from "effect";
import { AppConfig } from "../config.js";
import { M, inc, setGauge } from "../metrics.js";
import { Rpc } from "./rpc.js";

export class PriorityFees extends Context.Tag("keeper/PriorityFees")<
  PriorityFees,
  { readonly microLamportsFor: (writable: readonly PublicKey[]) => Effect.Effect<number> }
>() {}

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
    return {
      microLamportsFor: (writable) =>
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
            Effect.tap((fee) => setGauge(M.priorityFee, fee)),
          ),
    };
  }),
);
