// The chain clock: slot, block height, a recent blockhash and the cluster's unix time (Clock sysvar),
// refreshed in the background; decisions about frames and staleness use it, never the local clock.
import { SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { Clock, Context, Duration, Effect, Layer, Ref, Schedule } from "effect";
import { Health } from "../health.js";
import { M, setGauge } from "../metrics.js";
import { Rpc } from "./rpc.js";

export interface ClockState {
  slot: number;
  blockHeight: number;
  blockhash: string;
  lastValidBlockHeight: number;
  /** Cluster unix time (s) when read. */
  unixTimestamp: bigint;
  /** Local ms when read. */
  readAt: number;
}

export interface ChainClockShape {
  /** The latest reading (waits for the first). */
  readonly current: Effect.Effect<ClockState>;
  /** The cluster's unix time now: the last reading plus the time elapsed locally since. */
  readonly now: Effect.Effect<bigint>;
  /** Whether the last reading is recent enough to act on. */
  readonly fresh: Effect.Effect<boolean>;
}

export class ChainClock extends Context.Tag("keeper/ChainClock")<ChainClock, ChainClockShape>() {}

const STALE_AFTER_MS = 15_000;

export const readClock = Effect.gen(function* () {
  const rpc = yield* Rpc;
  const [latest, height, clock] = yield* Effect.all(
    [
      rpc.call("getLatestBlockhash", (c) => c.getLatestBlockhashAndContext("confirmed")),
      rpc.call("getBlockHeight", (c) => c.getBlockHeight("confirmed")),
      rpc.call("getAccountInfo", (c) => c.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed")),
    ],
    { concurrency: 3 },
  );
  if (!clock || clock.data.length < 40) return yield* Effect.dieMessage("The cluster did not return the Clock sysvar");
  const readAt = yield* Clock.currentTimeMillis;
  return {
    slot: latest.context.slot,
    blockHeight: height,
    blockhash: latest.value.blockhash,
    lastValidBlockHeight: latest.value.lastValidBlockHeight,
    unixTimestamp: Buffer.from(clock.data).readBigInt64LE(32),
    readAt,
  } satisfies ClockState;
});

export const ChainClockLive = Layer.scoped(
  ChainClock,
  Effect.gen(function* () {
    const rpc = yield* Rpc;
    const health = yield* Health;
    const first = yield* readClock.pipe(
      Effect.provideService(Rpc, rpc),
      Effect.retry(Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(30)))),
      Effect.mapError(
        (e) => new Error(`Cannot read the cluster's clock: ${e.message}. Is the RPC endpoint reachable?`),
      ),
      Effect.orDie,
    );
    const state = yield* Ref.make(first);
    const refresh = readClock.pipe(
      Effect.provideService(Rpc, rpc),
      Effect.tap((s) => Ref.set(state, s)),
      Effect.tap((s) => setGauge(M.chainSlot, s.slot)),
      Effect.catchAll((e) => Effect.logWarning("clock refresh failed").pipe(Effect.annotateLogs({ error: e.message }))),
      Effect.zipRight(
        Effect.gen(function* () {
          const s = yield* Ref.get(state);
          const age = (yield* Clock.currentTimeMillis) - s.readAt;
          yield* setGauge(M.chainClockAge, age / 1000);
          yield* health.ready(
            "clock",
            age < STALE_AFTER_MS,
            age < STALE_AFTER_MS ? undefined : `last reading ${Math.round(age / 1000)} s old`,
          );
        }),
      ),
    );
    yield* Effect.forkScoped(Effect.repeat(refresh, Schedule.spaced(Duration.seconds(1))));
    const current = Ref.get(state);
    return {
      current,
      now: Effect.gen(function* () {
        const s = yield* current;
        const elapsed = (yield* Clock.currentTimeMillis) - s.readAt;
        return s.unixTimestamp + BigInt(Math.floor(Math.max(0, elapsed) / 1000));
      }),
      fresh: Effect.gen(function* () {
        const s = yield* current;
        return (yield* Clock.currentTimeMillis) - s.readAt < STALE_AFTER_MS;
      }),
    };
  }),
);
