// The account store: every sub-account of the served market in this instance's shard — a snapshot
// (getProgramAccounts with its slot), then the program subscription; a newer slot always wins, a
// silent stream or a timer triggers a full resync. The liquidation frontier is kept in step.
import {
  decodeSubAccount,
  LiquidationFrontier,
  MARGIN_PROGRAM_ID,
  SUB_ACCOUNT_OFFSETS,
  SUB_ACCOUNT_SIZE,
  type SubAccount,
} from "@lantern/sdk";
import type { PublicKey } from "@solana/web3.js";
import { Context, Duration, Effect, Layer, Ref, Schedule } from "effect";
import { AppConfig } from "../config.js";
import { Health } from "../health.js";
import { M, inc, setGauge } from "../metrics.js";
import { Protocol } from "./protocol.js";
import { Rpc } from "./rpc.js";

export interface Entry {
  sub: SubAccount;
  slot: number;
}

export interface AccountStoreShape {
  readonly get: (address: string) => Entry | undefined;
  readonly size: () => number;
  /** Bumped on every accepted change. */
  readonly version: () => number;
  /** The frontier over the store (rebuilt when the threshold changes). */
  readonly frontier: (ltBps: number, borrowIndex: bigint) => LiquidationFrontier<string>;
  /** A full snapshot now. */
  readonly resync: (reason: string) => Effect.Effect<void, unknown>;
  /** Applies an update if it is not older than what the store holds (exported for tests). */
  readonly apply: (address: string, data: Uint8Array | null, slot: number) => boolean;
}

export class AccountStore extends Context.Tag("keeper/AccountStore")<AccountStore, AccountStoreShape>() {}

/** Shard of an address: its first four bytes as a number, modulo N — stable, and needs no shared state. */
export function shardOf(address: PublicKey, n: number): number {
  const b = address.toBytes();
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
}

export const AccountStoreLive = Layer.scoped(
  AccountStore,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const rpc = yield* Rpc;
    const protocol = yield* Protocol;
    const health = yield* Health;
    const [k, n] = config.liquidator.shard.split("/").map(Number) as [number, number];
    const market = protocol.addresses.market;
    const entries = new Map<string, Entry>();
    /** Highest slot known for addresses removed (closed), so a late update cannot resurrect them. */
    const removedAt = new Map<string, number>();
    let version = 0;
    let frontier: LiquidationFrontier<string> | undefined;
    const lastEvent = yield* Ref.make(Date.now());

    const mine = (address: PublicKey) => shardOf(address, n) === k;

    const apply = (address: string, data: Uint8Array | null, slot: number): boolean => {
      const current = entries.get(address);
      if ((current && current.slot > slot) || (removedAt.get(address) ?? -1) > slot) {
        Effect.runSync(inc(M.staleUpdates, {}));
        return false;
      }
      if (data === null || data.length !== SUB_ACCOUNT_SIZE) {
        if (!current) return false;
        entries.delete(address);
        removedAt.set(address, slot);
        frontier?.remove(address);
      } else {
        const sub = decodeSubAccount(data);
        if (!sub.market.equals(market)) return false;
        entries.set(address, { sub, slot });
        frontier?.upsert(address, sub.debtShares, sub.collateral);
      }
      version++;
      return true;
    };

    const resync = (reason: string) =>
      Effect.gen(function* () {
        const snapshot = yield* rpc.call(
          "getProgramAccounts",
          (c) =>
            c.getProgramAccounts(MARGIN_PROGRAM_ID, {
              commitment: "confirmed",
              withContext: true,
              filters: [
                { dataSize: SUB_ACCOUNT_SIZE },
                { memcmp: { offset: SUB_ACCOUNT_OFFSETS.market, bytes: market.toBase58() } },
              ],
            }),
          { timeoutMs: Math.max(config.rpc.timeoutMs, 30_000) },
        );
        const slot = snapshot.context.slot;
        const seen = new Set<string>();
        for (const { pubkey, account } of snapshot.value) {
          if (!mine(pubkey)) continue;
          const address = pubkey.toBase58();
          seen.add(address);
          apply(address, account.data, slot);
        }
        // Absent from a snapshot at a newer slot than we hold them: closed.
        for (const [address, entry] of entries)
          if (!seen.has(address) && entry.slot <= slot) apply(address, null, slot);
        yield* inc(M.resyncs, { reason });
        yield* inc(M.accountUpdates, { source: "snapshot" }, snapshot.value.length);
        yield* setGauge(M.accountsTracked, entries.size);
        yield* health.ready("account-store", true);
        yield* Effect.logInfo("account store synced").pipe(
          Effect.annotateLogs({ reason, slot, tracked: entries.size }),
        );
      });

    yield* health.ready("account-store", false, "no snapshot yet");
    yield* resync("start");

    // The stream: (re)subscribed with each resync cycle; notifications carry their slot.
    const subscribe = Effect.acquireRelease(
      Effect.sync(() =>
        rpc.subscriptions.onProgramAccountChange(
          MARGIN_PROGRAM_ID,
          (keyed, context) => {
            Effect.runSync(Ref.set(lastEvent, Date.now()));
            if (!mine(keyed.accountId)) return;
            if (apply(keyed.accountId.toBase58(), keyed.accountInfo.data, context.slot)) {
              Effect.runSync(inc(M.accountUpdates, { source: "stream" }));
              Effect.runSync(setGauge(M.accountsTracked, entries.size));
            }
          },
          {
            commitment: "confirmed",
            filters: [
              { dataSize: SUB_ACCOUNT_SIZE },
              { memcmp: { offset: SUB_ACCOUNT_OFFSETS.market, bytes: market.toBase58() } },
            ],
          },
        ),
      ),
      // Fire and forget: a stalled socket never answers the unsubscribe, and a release cannot be interrupted.
      (id) =>
        Effect.sync(() => {
          rpc.subscriptions.removeProgramAccountChangeListener(id).catch(() => undefined);
        }),
    );
    yield* subscribe;

    // A quiet market sends nothing, so silence alone cannot tell a stall from calm: after
    // `streamIdleSecs` of silence, and every `resyncSecs` anyway, take a full snapshot.
    let lastResync = Date.now();
    yield* Effect.forkScoped(
      Effect.repeat(
        Effect.gen(function* () {
          const now = Date.now();
          const idle = now - (yield* Ref.get(lastEvent)) > config.liquidator.streamIdleSecs * 1000;
          const due = now - lastResync > config.liquidator.resyncSecs * 1000;
          if (!idle && !due) return;
          lastResync = now;
          yield* Ref.set(lastEvent, now);
          yield* resync(idle ? "stream-idle" : "periodic").pipe(
            Effect.catchAll((e) =>
              Effect.zipRight(
                health.ready("account-store", false, `resync failed: ${String((e as Error).message ?? e)}`),
                Effect.logWarning("resync failed").pipe(
                  Effect.annotateLogs({ error: String((e as Error).message ?? e) }),
                ),
              ),
            ),
          );
        }),
        Schedule.spaced(Duration.seconds(1)),
      ),
    );

    return {
      get: (address) => entries.get(address),
      size: () => entries.size,
      version: () => version,
      apply,
      resync,
      frontier: (ltBps, borrowIndex) => {
        if (!frontier || frontier.ltBps !== ltBps || frontier.baseBorrowIndex > borrowIndex) {
          frontier = LiquidationFrontier.from(
            [...entries].map(([id, e]) => ({ id, debtShares: e.sub.debtShares, collateral: e.sub.collateral })),
            { ltBps, baseBorrowIndex: borrowIndex },
          );
        }
        return frontier;
      },
    };
  }),
);
