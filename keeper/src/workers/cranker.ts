// The cranker: accrue_interest when the pool's last accrual is older than a threshold,
// finalize_withdrawals when the liquid reserve covers queued tickets (never in bunker mode or on a
// stale feed), settle_bad_debt for sub-accounts with debt and no collateral. Whatever another keeper
// already did is seen on chain and skipped.
import {
  decodeSubAccount,
  decodeTicket,
  isStale,
  LanternProgramError,
  liquidLamports,
  MARGIN_PROGRAM_ID,
  marginInstructions,
  restakingInstructions,
  SUB_ACCOUNT_OFFSETS,
  SUB_ACCOUNT_SIZE,
  ticketAddress,
  ticketPayout,
} from "@lantern/sdk";
import { Effect } from "effect";
import { AppConfig } from "../config.js";
import { M, inc } from "../metrics.js";
import { ChainClock } from "../services/clock.js";
import { Protocol } from "../services/protocol.js";
import { Rpc } from "../services/rpc.js";
import { TxEngine, type TxOutcome } from "../services/tx.js";
import type { Worker } from "./worker.js";

export const outcomeName = (o: TxOutcome) =>
  o._tag === "Refused" ? (o.error instanceof LanternProgramError ? o.error.name : "refused") : o._tag === "Done" ? `done-${o.status}` : o._tag;

export const makeCranker = Effect.gen(function* () {
  const config = yield* AppConfig;
  const c = config.cranker;
  const protocol = yield* Protocol;
  const clock = yield* ChainClock;
  const tx = yield* TxEngine;
  const rpc = yield* Rpc;

  const record = (kind: string, outcome: TxOutcome) =>
    Effect.zipRight(
      inc(M.cranks, { kind, result: outcomeName(outcome) }),
      Effect.logInfo("crank").pipe(Effect.annotateLogs({ kind, result: outcomeName(outcome) })),
    );

  const accrue = Effect.gen(function* () {
    const [pool, now] = yield* Effect.all([protocol.lendingPool, clock.now]);
    if (now - pool.lastAccrualTs < BigInt(c.accrueAfterSecs)) return yield* inc(M.cranks, { kind: "accrue", result: "fresh" });
    const outcome = yield* tx.execute({
      key: `accrue:${pool.lastAccrualTs}`,
      kind: "crank-accrue",
      instructions: [yield* Effect.promise(() => marginInstructions.accrueInterest())],
    });
    yield* record("accrue", outcome);
  });

  const finalize = Effect.gen(function* () {
    const [pool, feed, now] = yield* Effect.all([protocol.stakePool, protocol.feed, clock.now]);
    if (pool.nextToFinalize >= pool.nextTicket) return;
    if (feed.bunker) return yield* inc(M.cranks, { kind: "finalize", result: "skip-bunker" });
    if (isStale(feed, now)) return yield* inc(M.cranks, { kind: "finalize", result: "skip-stale-feed" });
    let liquid = liquidLamports(pool);
    let upTo = pool.nextToFinalize - 1n;
    for (let id = pool.nextToFinalize; id < pool.nextTicket && id < pool.nextToFinalize + BigInt(c.maxTicketsPerTx); id++) {
      const info = yield* rpc.call("getAccountInfo", (k) => k.getAccountInfo(ticketAddress(protocol.addresses.stakePool, id), "confirmed"));
      if (!info) break;
      const ticket = decodeTicket(info.data);
      const owed = ticketPayout(ticket.lrt, ticket.rateAtRequest, feed.fairRate);
      if (owed > liquid) break;
      liquid -= owed;
      upTo = id;
    }
    if (upTo < pool.nextToFinalize) return yield* inc(M.cranks, { kind: "finalize", result: "skip-reserve-short" });
    const outcome = yield* tx.execute({
      key: `finalize:${pool.nextToFinalize}-${upTo}`,
      kind: "crank-finalize",
      instructions: [yield* Effect.promise(() => restakingInstructions.finalizeWithdrawals({ lrtMint: protocol.lrtMint, firstTicket: pool.nextToFinalize, upTo }))],
    });
    yield* record("finalize", outcome);
  });

  const settle = Effect.gen(function* () {
    const accounts = yield* rpc.call("getProgramAccounts", (k) =>
      k.getProgramAccounts(MARGIN_PROGRAM_ID, {
        commitment: "confirmed",
        filters: [{ dataSize: SUB_ACCOUNT_SIZE }, { memcmp: { offset: SUB_ACCOUNT_OFFSETS.market, bytes: protocol.addresses.market.toBase58() } }],
      }),
    );
    for (const { pubkey, account } of accounts) {
      const sub = decodeSubAccount(account.data);
      if (sub.collateral !== 0n || sub.debtShares === 0n) continue;
      const outcome = yield* tx.execute({
        key: `settle:${pubkey.toBase58()}:${sub.debtShares}`,
        kind: "crank-settle",
        instructions: [yield* Effect.promise(() => marginInstructions.settleBadDebt({ lrtMint: protocol.lrtMint, subAccount: pubkey }))],
      });
      yield* record("settle", outcome);
    }
  });

  const step = (name: string, e: Effect.Effect<void, unknown>) =>
    e.pipe(Effect.catchAll((error) => Effect.logWarning(`${name} failed`).pipe(Effect.annotateLogs({ error: String((error as Error)?.message ?? error) }))));

  const worker: Worker = {
    name: "cranker",
    tickMs: c.tickMs,
    iteration: Effect.all(
      [step("accrue", accrue), ...(c.finalizeWithdrawals ? [step("finalize", finalize)] : []), ...(c.settleBadDebt ? [step("settle", settle)] : [])],
      { discard: true },
    ),
  };
  return worker;
});
