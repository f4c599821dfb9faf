// The keeper: every service as a Layer, composed here once; the roles' workers on top. Start-up order:
// configuration → keypair → journal → RPC and chain clock → journal reconciliation → workers. SIGTERM
// stops intake, lets iterations in flight finish (bounded), and exits 0.
import type { PublicKey } from "@solana/web3.js";
import { Deferred, Duration, Effect, Fiber, Layer, Logger, LogLevel, Schedule } from "effect";
import { AppConfig, type KeeperConfig, describeConfig } from "./config.js";
import { Health, HealthLive, HttpServerLive } from "./health.js";
import { M, setGauge } from "./metrics.js";
import { type AccountStore, AccountStoreLive } from "./services/accounts.js";
import { ChainClockLive } from "./services/clock.js";
import { PriorityFeesLive } from "./services/fees.js";
import { Journal, JournalLive } from "./services/journal.js";
import { ProtocolLive } from "./services/protocol.js";
import { Rpc, RpcLive } from "./services/rpc.js";
import { type PriceSource, PriceSourceLive, type StakeSource, StakeSourceLive } from "./services/sources.js";
import { reconcile, TxEngineDryRun, TxEngineLive } from "./services/tx.js";
import { Wallet, WalletLive } from "./services/wallet.js";
import { makeCranker } from "./workers/cranker.js";
import { makeLiquidator } from "./workers/liquidator.js";
import { makeMember } from "./workers/member.js";
import { runIteration, type Worker } from "./workers/worker.js";

const LEVELS = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
} as const;

/** JSON log lines at the configured level (two provides: merged into one layer, the level layer drops the JSON logger). */
export const withLogger =
  (config: KeeperConfig) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.provide(Logger.minimumLogLevel(LEVELS[config.logLevel])), Effect.provide(Logger.json));

/** Every service the workers need, for this configuration (dry run = the engine that cannot send). */
export const servicesLayer = (config: KeeperConfig) => {
  const base = Layer.mergeAll(AppConfig.layer(config), HealthLive);
  const rpc = RpcLive.pipe(Layer.provideMerge(base));
  const core = Layer.mergeAll(WalletLive, JournalLive, ProtocolLive, PriorityFeesLive, ChainClockLive).pipe(
    Layer.provideMerge(rpc),
  );
  const engine = (config.dryRun ? TxEngineDryRun : TxEngineLive).pipe(Layer.provideMerge(core));
  const member = config.roles.includes("member") ? Layer.mergeAll(StakeSourceLive, PriceSourceLive) : Layer.empty;
  const store = config.roles.includes("liquidator") ? AccountStoreLive : Layer.empty;
  const all = Layer.mergeAll(member, store, HttpServerLive).pipe(Layer.provideMerge(engine));
  // A role's services exist only when the role is configured, and only that role's worker asks for them.
  return all as Layer.Layer<
    Layer.Layer.Success<typeof all> | AccountStore | StakeSource | PriceSource,
    Layer.Layer.Error<typeof all>
  >;
};

export interface RunOptions {
  /** Resolved to stop the keeper gracefully (SIGTERM). */
  shutdown: Deferred.Deferred<void>;
  /** How long iterations in flight may take to finish after a shutdown request. */
  graceMs?: number;
}

/** Runs the configured roles until `shutdown` (or one pass of each with `once`). */
export const runKeeper = (config: KeeperConfig, options: RunOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* Effect.logInfo("keeper starting").pipe(Effect.annotateLogs(describeConfig(config)));
      // Nothing is sent before every open intent of an earlier run is resolved.
      yield* reconcile({ rebroadcast: !config.dryRun });
      const workers: Worker[] = [];
      const drains: Effect.Effect<void>[] = [];
      if (config.roles.includes("member")) workers.push(yield* makeMember);
      if (config.roles.includes("cranker")) workers.push(yield* makeCranker);
      if (config.roles.includes("liquidator")) {
        const l = yield* makeLiquidator;
        workers.push(l.worker);
        drains.push(l.drain);
      }
      const health = yield* Health;
      yield* health.ready("workers", true);
      // The fee payers' balances and the journal's open intents, for the alerts in docs/keeper.md.
      const rpc = yield* Rpc;
      const wallet = yield* Wallet;
      const payers: [string, PublicKey][] = [
        ["keypair", wallet.keypair.publicKey],
        ...Object.entries(wallet.feePayers ?? {}).map(([role, k]) => [role, k.publicKey] as [string, PublicKey]),
      ];
      const journal = yield* Journal;
      yield* Effect.forkScoped(
        Effect.repeat(
          Effect.all([
            ...payers.map(([payer, key]) =>
              rpc
                .call("getBalance", (c) => c.getBalance(key, "confirmed"))
                .pipe(
                  Effect.flatMap((lamports) => setGauge(M.solBalance, lamports, { payer })),
                  Effect.ignore,
                ),
            ),
            journal.open.pipe(
              Effect.flatMap((open) => setGauge(M.journalPending, open.length)),
              Effect.ignore,
            ),
          ]),
          Schedule.spaced("15 seconds"),
        ),
      );
      if (config.once) {
        for (const w of workers) yield* runIteration(w);
        for (const d of drains) yield* d;
        yield* Effect.logInfo("one pass done (--once)");
        return;
      }
      const stopping = Deferred.await(options.shutdown);
      const loops = yield* Effect.forEach(workers, (w) =>
        Effect.fork(
          Effect.gen(function* () {
            for (;;) {
              yield* runIteration(w);
              // Sleep until the next tick, or stop now if shutdown was asked for.
              const stop = yield* Effect.raceFirst(
                Effect.as(stopping, true),
                Effect.as(Effect.sleep(Duration.millis(w.tickMs)), false),
              );
              if (stop || (yield* Deferred.isDone(options.shutdown))) return;
            }
          }).pipe(Effect.annotateLogs({ worker: w.name })),
        ),
      );
      yield* Effect.logInfo("keeper running").pipe(
        Effect.annotateLogs({ workers: workers.map((w) => w.name).join(",") }),
      );
      // Either shutdown, or a worker ends on a fatal condition (the process then exits non-zero).
      const finished = yield* Effect.raceFirst(
        Effect.as(stopping, "shutdown" as const),
        Effect.as(Fiber.joinAll(loops), "worker-ended" as const),
      );
      if (finished === "worker-ended") return;
      yield* Effect.logInfo("shutting down: intake stopped, waiting for work in flight");
      const settled = yield* Fiber.joinAll(loops).pipe(
        Effect.zipRight(Effect.all(drains, { discard: true })),
        Effect.timeout(Duration.millis(options.graceMs ?? 20_000)),
        Effect.option,
      );
      if (settled._tag === "None")
        yield* Effect.logWarning(
          "grace period over: open intents stay in the journal and are reconciled at the next start",
        );
      yield* Effect.logInfo("keeper stopped");
    }).pipe(Effect.annotateLogs({ keeper: config.name }), Effect.provide(servicesLayer(config)), withLogger(config)),
  );
