// The cranker: accrue_interest when the pool's last accrual is older than a threshold,
// finalize_withdrawals when the liquid reserve covers queued tickets (never in bunker mode or on a
// stale feed), settle_bad_debt for every sub-account the program would settle (insolvent at the
// maintenance price, with no collateral, dust, or what the insurance can pay for). Whatever another
// keeper already did is seen on chain and skipped.
import {
  accruePool,
  isSettleable,
  marketPrices,
  decodeSubAccount,
  decodeTicket,
  isStale,
  LanternProgramError,
  liquidLamports,
  MARGIN_PROGRAM_ID,
  marginInstructions,
  pessimisticRate,
  restakingInstructions,
  SUB_ACCOUNT_OFFSETS,
  SUB_ACCOUNT_SIZE,
  ticketAddress,
  ticketPayout,
} from "@lantern/sdk";
import { Clock, Effect } from "effect";
import { AppConfig } from "../config.js";
import { M, inc } from "../metrics.js";
import { ChainClock } from "../services/clock.js";
import { Protocol } from "../services/protocol.js";
import { Rpc } from "../services/rpc.js";
import { TxEngine, type TxOutcome } from "../services/tx.js";
import { Retries, type Worker } from "./worker.js";

export const outcomeName = (o: TxOutcome) =>
  o._tag === "Refused"
    ? o.error instanceof LanternProgramError
      ? o.error.name
      : "refused"
    : o._tag === "Done"
      ? `done-${o.status}`
      : o._tag;

export const makeCranker = Effect.gen(function* () {
  const config = yield* AppConfig;
  const c = config.cranker;
  const protocol = yield* Protocol;
  const clock = yield* ChainClock;
  const tx = yield* TxEngine;
  const rpc = yield* Rpc;

  const retries = new Retries(30_000);
  /** One crank intent: skipped while a refusal's pause lasts; a refusal or expiry moves to a new key. */
  const crank = (
    kind: string,
    intentKind: string,
    base: string,
    instruction: Effect.Effect<import("@solana/web3.js").TransactionInstruction>,
  ) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const key = retries.key(base, now);
      if (!key) return;
      const outcome = yield* tx.execute({ role: "cranker", key, kind: intentKind, instructions: [yield* instruction] });
      retries.settle(
        base,
        outcome._tag === "Landed" ||
          outcome._tag === "DryRun" ||
          (outcome._tag === "Done" && outcome.status === "landed"),
        now,
      );
      yield* record(kind, outcome);
    });

  const record = (kind: string, outcome: TxOutcome) =>
    Effect.zipRight(
      inc(M.cranks, { kind, result: outcomeName(outcome) }),
      Effect.logInfo("crank").pipe(Effect.annotateLogs({ kind, result: outcomeName(outcome) })),
    );

  const accrue = Effect.gen(function* () {
    const [pool, now] = yield* Effect.all([protocol.lendingPool, clock.now]);
    if (now - pool.lastAccrualTs < BigInt(c.accrueAfterSecs))
      return yield* inc(M.cranks, { kind: "accrue", result: "fresh" });
    yield* crank(
      "accrue",
      "crank-accrue",
      `accrue:${pool.lastAccrualTs}`,
      Effect.promise(() => marginInstructions.accrueInterest()),
    );
  });

  const finalize = Effect.gen(function* () {
    const [pool, feed, now] = yield* Effect.all([protocol.stakePool, protocol.feed, clock.now]);
    if (pool.nextToFinalize >= pool.nextTicket) return;
    if (feed.bunker) return yield* inc(M.cranks, { kind: "finalize", result: "skip-bunker" });
    if (isStale(feed, now)) return yield* inc(M.cranks, { kind: "finalize", result: "skip-stale-feed" });
    let liquid = liquidLamports(pool);
    let upTo = pool.nextToFinalize - 1n;
    for (
      let id = pool.nextToFinalize;
      id < pool.nextTicket && id < pool.nextToFinalize + BigInt(c.maxTicketsPerTx);
      id++
    ) {
      const info = yield* rpc.call("getAccountInfo", (k) =>
        k.getAccountInfo(ticketAddress(protocol.addresses.stakePool, id), "confirmed"),
      );
      if (!info) break;
      const ticket = decodeTicket(info.data);
      const owed = ticketPayout(ticket.lrt, ticket.rateAtRequest, pessimisticRate(feed));
      if (owed > liquid) break;
      liquid -= owed;
      upTo = id;
    }
    if (upTo < pool.nextToFinalize) return yield* inc(M.cranks, { kind: "finalize", result: "skip-reserve-short" });
    yield* crank(
      "finalize",
      "crank-finalize",
      `finalize:${pool.nextToFinalize}-${upTo}`,
      Effect.promise(() =>
        restakingInstructions.finalizeWithdrawals({
          lrtMint: protocol.lrtMint,
          firstTicket: pool.nextToFinalize,
          upTo,
        }),
      ),
    );
  });

  const settle = Effect.gen(function* () {
    const accounts = yield* rpc.call("getProgramAccounts", (k) =>
      k.getProgramAccounts(MARGIN_PROGRAM_ID, {
        commitment: "confirmed",
        filters: [
          { dataSize: SUB_ACCOUNT_SIZE },
          { memcmp: { offset: SUB_ACCOUNT_OFFSETS.market, bytes: protocol.addresses.market.toBase58() } },
        ],
      }),
    );
    const [feed, pool, market, now] = yield* Effect.all(
      [protocol.feed, protocol.lendingPool, protocol.market, clock.now],
      { concurrency: 3 },
    );
    const accrued = accruePool(pool, now);
    const maint = (() => {
      try {
        return marketPrices(market, feed, now).maint;
      } catch {
        return undefined; // no usable price: only collateral-free debt is settleable
      }
    })();
    const settleable = (debtShares: bigint, collateral: bigint) =>
      debtShares > 0n &&
      (collateral === 0n ||
        (maint !== undefined &&
          isSettleable(debtShares, collateral, maint, accrued.borrowIndex, accrued.insurance, market.risk.minDebt)));
    for (const { pubkey, account } of accounts) {
      const sub = decodeSubAccount(account.data);
      if (!settleable(sub.debtShares, sub.collateral)) continue;
      yield* crank(
        "settle",
        "crank-settle",
        `settle:${pubkey.toBase58()}:${sub.debtShares}`,
        Effect.promise(() => marginInstructions.settleBadDebt({ lrtMint: protocol.lrtMint, subAccount: pubkey })),
      );
    }
  });

  const step = (name: string, e: Effect.Effect<void, unknown>) =>
    e.pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(`${name} failed`).pipe(
          Effect.annotateLogs({ error: String((error as Error)?.message ?? error) }),
        ),
      ),
    );

  const worker: Worker = {
    name: "cranker",
    tickMs: c.tickMs,
    iteration: Effect.all(
      [
        step("accrue", accrue),
        ...(c.finalizeWithdrawals ? [step("finalize", finalize)] : []),
        ...(c.settleBadDebt ? [step("settle", settle)] : []),
      ],
      { discard: true },
    ),
  };
  return worker;
});
