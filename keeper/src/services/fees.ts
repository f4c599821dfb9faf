// Priority fees: a percentile of the recent non-zero fees paid by transactions that locked the same
// writable accounts (getRecentPrioritizationFees reports per-slot minima), capped; a fallback when the
// estimate cannot be read.
import type { PublicKey } from "@solana/web3.js";
import { Context, Effect, Layer } from "effect";
import { AppConfig } from "../config.js";
import { M, setGauge } from "../metrics.js";
import { Rpc } from "./rpc.js";

export class PriorityFees extends Context.Tag("keeper/PriorityFees")<
  PriorityFees,
  { readonly microLamportsFor: (writable: readonly PublicKey[]) => Effect.Effect<number> }
>() {}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const PriorityFeesLive = Layer.effect(
  PriorityFees,
  Effect.gen(function* () {
    const rpc = yield* Rpc;
    const { fees } = yield* AppConfig;
    return {
      microLamportsFor: (writable) =>
        rpc
          .call(
            "getRecentPrioritizationFees",
            (c) => c.getRecentPrioritizationFees({ lockedWritableAccounts: writable.slice(0, 128) as PublicKey[] }),
            {
              attempts: 2,
            },
          )
          .pipe(
            Effect.map((samples) =>
              Math.min(
                fees.maxMicroLamports,
                percentile(
                  samples.map((s) => s.prioritizationFee).filter((f) => f > 0),
                  fees.percentile,
                ),
              ),
            ),
            Effect.catchAll(() => Effect.succeed(Math.min(fees.maxMicroLamports, fees.fallbackMicroLamports))),
            Effect.tap((fee) => setGauge(M.priorityFee, fee)),
          ),
    };
  }),
);
