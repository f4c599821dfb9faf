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
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { PublicKey } from "@solana/web3.js";
import { Context, Duration, Effect, Layer, Ref, Schedule } from "effect";
import { base58 } from "../base58.js";
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
export function shardOf(address: PublicKey | Uint8Array, n: number): number {
  const b = address instanceof Uint8Array ? address : address.toBytes();
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
}

/**
 * The store's memory: sub-accounts of one market in one shard ("k/n"), by address, with the slot they
 * were seen at, and the liquidation frontier kept in step. No I/O: `AccountStoreLive` feeds it from
 * getProgramAccounts and the program subscription, `loadSubAccountSnapshot` from a snapshot file.
 */
export interface SubAccountIndex {
  readonly get: (address: string) => Entry | undefined;
  readonly size: () => number;
  /** Bumped on every accepted change. */
  readonly version: () => number;
  /** Applies an update if it is not older than what the index holds; false when ignored. */
  readonly apply: (address: string, data: Uint8Array | null, slot: number) => boolean;
  /** Is this address in the index's shard? */
  readonly mine: (address: PublicKey | Uint8Array) => boolean;
  /**
   * A full snapshot at `slot` (getProgramAccounts' shape): applies the accounts of this shard, then
   * removes those held at an older slot that the snapshot no longer lists (closed).
   */
  readonly applySnapshot: (
    slot: number,
    accounts: Iterable<{ pubkey: PublicKey | Uint8Array; account: { data: Uint8Array } }>,
  ) => void;
  /** The frontier over the index (rebuilt when the threshold changes). */
  readonly frontier: (ltBps: number, borrowIndex: bigint) => LiquidationFrontier<string>;
}

export function makeSubAccountIndex(options: { market: PublicKey; shard?: string }): SubAccountIndex {
  const { market } = options;
  const [k, n] = (options.shard ?? "0/1").split("/").map(Number) as [number, number];
  const entries = new Map<string, Entry>();
  /** Highest slot known for addresses removed (closed), so a late update cannot resurrect them. */
  const removedAt = new Map<string, number>();
  let version = 0;
  let frontier: LiquidationFrontier<string> | undefined;

  const mine = (address: PublicKey | Uint8Array) => n === 1 || shardOf(address, n) === k;
  const marketBytes = market.toBytes();
  const MARKET_AT = SUB_ACCOUNT_OFFSETS.market;
  /** The market field compared on the account's bytes: a decoded key's `equals` would build its bignum. */
  const ofMarket = (data: Uint8Array) => {
    for (let i = 0; i < 32; i++) if (data[MARKET_AT + i] !== marketBytes[i]) return false;
    return true;
  };

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
      if (!ofMarket(data)) return false;
      const sub = decodeSubAccount(data);
      entries.set(address, { sub, slot });
      frontier?.upsert(address, sub.debtShares, sub.collateral);
    }
    version++;
    return true;
  };

  const applySnapshot: SubAccountIndex["applySnapshot"] = (slot, accounts) => {
    // Held before this snapshot and absent from it at a newer slot: closed. Into an empty index (a cold
    // start) there is nothing to sweep, and no need to remember what the snapshot listed.
    const seen = entries.size > 0 ? new Set<string>() : undefined;
    for (const { pubkey, account } of accounts) {
      if (!mine(pubkey)) continue;
      const address = base58(pubkey instanceof Uint8Array ? pubkey : pubkey.toBytes());
      seen?.add(address);
      apply(address, account.data, slot);
    }
    if (seen)
      for (const [address, entry] of entries) if (!seen.has(address) && entry.slot <= slot) apply(address, null, slot);
  };

  return {
    get: (address) => entries.get(address),
    size: () => entries.size,
    version: () => version,
    apply,
    mine,
    applySnapshot,
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
}

/**
 * A snapshot file: what getProgramAccounts returned at one slot, for a cold start or an offline replay.
 * Layout (little-endian): the magic `LNTNSNP1`, the slot (u64), the account count (u32), then per
 * account its address (32 bytes), its data length (u32) and its data.
 */
const SNAPSHOT_MAGIC = Buffer.from("LNTNSNP1", "latin1");

export function writeSubAccountSnapshot(
  path: string,
  slot: number,
  accounts: ReadonlyArray<{ pubkey: PublicKey | Uint8Array; data: Uint8Array }>,
): number {
  let bytes = 20;
  for (const a of accounts) bytes += 36 + a.data.length;
  const out = Buffer.alloc(bytes);
  SNAPSHOT_MAGIC.copy(out, 0);
  out.writeBigUInt64LE(BigInt(slot), 8);
  out.writeUInt32LE(accounts.length, 16);
  let o = 20;
  for (const { pubkey, data } of accounts) {
    out.set(pubkey instanceof PublicKey ? pubkey.toBytes() : pubkey, o);
    out.writeUInt32LE(data.length, o + 32);
    out.set(data, o + 36);
    o += 36 + data.length;
  }
  writeFileSync(path, out);
  return bytes;
}

/**
 * Reads a snapshot file (see `writeSubAccountSnapshot`) into `index` through `applySnapshot`, in 4 MiB
 * chunks: the index copies what it keeps, so the file is never held whole.
 */
export function loadSubAccountSnapshot(path: string, index: SubAccountIndex): { slot: number; accounts: number } {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(20);
    if (readSync(fd, header, 0, 20, 0) < 20 || !header.subarray(0, 8).equals(SNAPSHOT_MAGIC))
      throw new Error(`${path}: not a sub-account snapshot file`);
    const slot = Number(header.readBigUInt64LE(8));
    const count = header.readUInt32LE(16);
    let position = 20;
    let chunk = Buffer.alloc(0);
    let o = 0;
    /** At least `need` unread bytes in `chunk` from `o`, or false at the end of the file. */
    const fill = (need: number): boolean => {
      if (chunk.length - o >= need) return true;
      const next = Buffer.allocUnsafe(Math.max(4 << 20, need));
      const kept = chunk.copy(next, 0, o);
      const read = readSync(fd, next, kept, next.length - kept, position);
      position += read;
      chunk = next.subarray(0, kept + read);
      o = 0;
      return chunk.length >= need;
    };
    function* records(): Generator<{ pubkey: Uint8Array; account: { data: Uint8Array } }> {
      for (let i = 0; i < count; i++) {
        if (!fill(36)) throw new Error(`${path}: truncated at account ${i}`);
        const length = chunk.readUInt32LE(o + 32);
        if (!fill(36 + length)) throw new Error(`${path}: truncated at account ${i}`);
        yield { pubkey: chunk.subarray(o, o + 32), account: { data: chunk.subarray(o + 36, o + 36 + length) } };
        o += 36 + length;
      }
    }
    index.applySnapshot(slot, records());
    return { slot, accounts: count };
  } finally {
    closeSync(fd);
  }
}

export const AccountStoreLive = Layer.scoped(
  AccountStore,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const rpc = yield* Rpc;
    const protocol = yield* Protocol;
    const health = yield* Health;
    const market = protocol.addresses.market;
    const index = makeSubAccountIndex({ market, shard: config.liquidator.shard });
    const lastEvent = yield* Ref.make(Date.now());

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
        index.applySnapshot(slot, snapshot.value);
        yield* inc(M.resyncs, { reason });
        yield* inc(M.accountUpdates, { source: "snapshot" }, snapshot.value.length);
        yield* setGauge(M.accountsTracked, index.size());
        yield* health.ready("account-store", true);
        yield* Effect.logInfo("account store synced").pipe(
          Effect.annotateLogs({ reason, slot, tracked: index.size() }),
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
            if (!index.mine(keyed.accountId)) return;
            if (index.apply(keyed.accountId.toBase58(), keyed.accountInfo.data, context.slot)) {
              Effect.runSync(inc(M.accountUpdates, { source: "stream" }));
              Effect.runSync(setGauge(M.accountsTracked, index.size()));
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
      get: index.get,
      size: index.size,
      version: index.version,
      apply: index.apply,
      resync,
      frontier: index.frontier,
    };
  }),
);
