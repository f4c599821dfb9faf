// The liquidator: after every store, price, rate or index change the sdk's frontier names the
// liquidatable sub-accounts of this shard; each gets a plan from the sdk's exact math, a profitability
// and inventory check, then one attempt at a time (simulated, then sent), cooldowns after failures,
// and an outcome: landed, outcompeted, healthy, stale (feed), or error. Seized LRT is exited through
// the pool's instant unstake when configured: the reserve's share in the liquidation's own transaction.
import {
  accruePool,
  collateralValue,
  debtAmount,
  instantUnstake,
  instantUnstakeCapacity,
  isLanternError,
  isStale,
  LanternProgramError,
  liquidationPlan,
  marginInstructions,
  marketPrices,
  minBigint,
  NATIVE_SOL_MINT,
  pessimisticRate,
  restakingInstructions,
  type StakePool,
  TOKEN_PROGRAM_ID,
} from "@lantern/sdk";
import { PublicKey } from "@solana/web3.js";
import { Clock, Effect, FiberSet } from "effect";
import { AppConfig } from "../config.js";
import { M, inc, setGauge } from "../metrics.js";
import { AccountStore } from "../services/accounts.js";
import { ChainClock } from "../services/clock.js";
import { Protocol } from "../services/protocol.js";
import { TxEngine, type TxOutcome } from "../services/tx.js";
import { Wallet } from "../services/wallet.js";
import type { Worker } from "./worker.js";

const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xHgvmnPPs7VKsL8i");
const associatedTokenAddress = (owner: PublicKey, mint: PublicKey) =>
  PublicKey.findProgramAddressSync(
    [owner.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()],
    ASSOCIATED_TOKEN_PROGRAM_ID,
  )[0];

export type LiquidationResult = "landed" | "outcompeted" | "healthy" | "stale" | "error";

const STALE_ERRORS = new Set(["FeedStale", "MarketPriceUnavailable", "PriceStale", "StaleFeed"]);

/** Classifies a liquidation outcome; `changed` says whether the sub-account moved since we planned. */
export function classifyLiquidation(outcome: TxOutcome, changed: boolean): LiquidationResult {
  if (outcome._tag === "Landed" || outcome._tag === "DryRun") return "landed";
  if (outcome._tag === "Refused" && outcome.error instanceof LanternProgramError) {
    if (outcome.error.name === "NotLiquidatable") return changed ? "outcompeted" : "healthy";
    if (STALE_ERRORS.has(outcome.error.name)) return "stale";
    // The exit bundled with the liquidation found the reserve taken by someone else's exit first.
    if (outcome.error.program === "restaking" && outcome.error.name === "InsufficientLiquidity") return "outcompeted";
    // Someone else took the collateral first: our slippage floor or the repay no longer fit.
    if (changed) return "outcompeted";
  }
  return "error";
}

/** What an instant unstake of `lrt` pays (`instantUnstake`'s `out`), or 0 where it would pay nothing. */
function unstakeQuote(lrt: bigint, rate: bigint, feeBps: number): bigint {
  try {
    return lrt === 0n ? 0n : instantUnstake(lrt, rate, feeBps).out;
  } catch (e) {
    if (isLanternError(e, "ZeroAmount")) return 0n;
    throw e;
  }
}

/**
 * What `lrt` seized LRT is worth to this keeper, in lamports, by how it leaves, and how much of it can
 * leave through instant unstake at once (`instantLrt`). With instant unstake: what the pool's liquid
 * reserve covers now (after `held`, the LRT already waiting to exit) at the unstake's quote, and the rest
 * at the lower of that quote and `price` (it waits for the reserve, or is sold). Queued or held: at
 * `price`, the market's maintenance price. During a depeg the exit rate is above the market, so an
 * account underwater at the market can still be liquidated at a profit.
 */
export function seizedValue(
  lrt: bigint,
  price: bigint,
  exit: {
    policy: "instant" | "queue" | "hold";
    pool: Pick<StakePool, "reserveLamports" | "lockedLamports" | "instantUnstakeFeeBps">;
    rate: bigint;
    held: bigint;
  },
): { lamports: bigint; instantLrt: bigint } {
  if (exit.policy !== "instant") return { lamports: collateralValue(lrt, price), instantLrt: 0n };
  const fee = exit.pool.instantUnstakeFeeBps;
  const room = instantUnstakeCapacity(exit.pool, exit.rate) - exit.held;
  const instantLrt = room > 0n ? minBigint(lrt, room) : 0n;
  const rest = lrt - instantLrt;
  return {
    lamports:
      unstakeQuote(instantLrt, exit.rate, fee) +
      minBigint(unstakeQuote(rest, exit.rate, fee), collateralValue(rest, price)),
    instantLrt,
  };
}

export const makeLiquidator = Effect.gen(function* () {
  const config = yield* AppConfig;
  const l = config.liquidator;
  const protocol = yield* Protocol;
  const clock = yield* ChainClock;
  const tx = yield* TxEngine;
  const store = yield* AccountStore;
  const { keypair } = yield* Wallet;
  const liquidator = keypair.publicKey;
  const wsol = l.wsolAccount ? new PublicKey(l.wsolAccount) : associatedTokenAddress(liquidator, NATIVE_SOL_MINT);
  const lrt = l.lrtAccount ? new PublicKey(l.lrtAccount) : associatedTokenAddress(liquidator, protocol.lrtMint);

  /** Stale now, or within the margin: the decision is made on a trailing clock and lands later. */
  const staleAt = (feed: Parameters<typeof isStale>[0], now: bigint) => isStale(feed, now + BigInt(l.staleMarginSecs));
  const attempts = yield* FiberSet.make();
  const permits = yield* Effect.makeSemaphore(l.concurrency);
  /** One attempt per sub-account at a time; after a failure, a cooldown. */
  const inFlight = new Set<string>();
  const coolUntil = new Map<string, number>();
  const recordedSkip = new Map<string, string>();
  const skip = (address: string, reason: string) =>
    Effect.suspend(() => {
      if (recordedSkip.get(address) === reason) return Effect.void;
      recordedSkip.set(address, reason);
      return Effect.zipRight(
        inc(M.liquidationSkips, { reason }),
        Effect.logInfo("liquidation skipped").pipe(Effect.annotateLogs({ subAccount: address, reason })),
      );
    });

  /** Instant unstake of `amount` of this keeper's LRT into its wSOL account. */
  const unstakeInstruction = (amount: bigint, minSolOut: bigint) =>
    Effect.promise(() =>
      restakingInstructions.instantUnstake({
        owner: liquidator,
        lrtMint: protocol.lrtMint,
        source: lrt,
        destination: wsol,
        lrt: amount,
        minSolOut,
      }),
    );

  /**
   * Seized LRT leaves per policy: "instant" exits what the pool's liquid reserve covers now (the rest
   * waits for the next liquidation's exit or the queue), "queue" requests a withdrawal ticket for all of it.
   */
  const exit = (signature: string) =>
    Effect.gen(function* () {
      const [balance, pool, feed] = yield* Effect.all([protocol.tokenBalance(lrt), protocol.stakePool, protocol.feed]);
      if (balance === 0n) return;
      if (l.unstake === "queue") {
        const queued = yield* tx.execute({
          role: "liquidator",
          key: `queue:${signature}`,
          kind: "unstake-queue",
          instructions: [
            yield* Effect.promise(() =>
              restakingInstructions.requestWithdrawal({
                owner: liquidator,
                lrtMint: protocol.lrtMint,
                source: lrt,
                ticketId: pool.nextTicket,
                lrt: balance,
              }),
            ),
          ],
        });
        return yield* Effect.logInfo("seized LRT queued for withdrawal").pipe(
          Effect.annotateLogs({ lrt: balance.toString(), result: queued._tag }),
        );
      }
      const amount = minBigint(balance, instantUnstakeCapacity(pool, pessimisticRate(feed)));
      if (amount === 0n)
        return yield* Effect.logInfo("seized LRT held: the pool's liquid reserve is empty").pipe(
          Effect.annotateLogs({ lrt: balance.toString() }),
        );
      const exited = yield* tx.execute({
        role: "liquidator",
        key: `unstake:${signature}`,
        kind: "unstake",
        instructions: [yield* unstakeInstruction(amount, 0n)],
      });
      yield* Effect.logInfo("seized LRT unstaked").pipe(
        Effect.annotateLogs({
          lrt: amount.toString(),
          held: (balance - amount).toString(),
          result: exited._tag === "Refused" ? exited.error.message : exited._tag,
        }),
      );
    });

  const attempt = (address: string, price: bigint, borrowIndex: bigint) =>
    Effect.gen(function* () {
      const entry = store.get(address);
      if (!entry) return;
      // With the tx engine's "sent", this splits detection from preparation (bench/keeper-latency.ts reads both).
      yield* Effect.logDebug("liquidation attempt").pipe(
        Effect.annotateLogs({ subAccount: address, price: price.toString(), slot: entry.slot }),
      );
      const market = yield* protocol.market;
      const [inventory, held, stakePool, feed, now] = yield* Effect.all(
        [protocol.tokenBalance(wsol), protocol.tokenBalance(lrt), protocol.stakePool, protocol.feed, clock.now],
        { concurrency: 5 },
      );
      // Checked again where the attempt starts (it may have waited for a permit): never on a stale feed.
      if (staleAt(feed, now)) return yield* skip(address, "stale-feed");
      if (inventory === 0n) return yield* skip(address, "no-inventory");
      const debt = debtAmount(entry.sub.debtShares, borrowIndex);
      const maxRepay = inventory < l.maxRepayLamports ? inventory : l.maxRepayLamports;
      const plan = yield* Effect.try(() =>
        liquidationPlan(debt, entry.sub.collateral, price, market.risk, maxRepay),
      ).pipe(Effect.option);
      if (plan._tag === "None") return yield* skip(address, "no-plan");
      const received = plan.value.seize - plan.value.toInsurance;
      const rate = pessimisticRate(feed);
      const worth = seizedValue(received, price, { policy: l.unstake, pool: stakePool, rate, held });
      const profit = worth.lamports - plan.value.repay - 10_000n;
      if (profit < l.minProfitLamports) return yield* skip(address, "unprofitable");
      recordedSkip.delete(address);
      const planned = { debtShares: entry.sub.debtShares, collateral: entry.sub.collateral };
      const minCollateralOut = (received * 99n) / 100n;
      // The exit the profit counts on goes in the same transaction: if the reserve is gone by then
      // (drained by someone else's unstake), the liquidation does not land either.
      const unstakeLrt = minBigint(worth.instantLrt, minCollateralOut);
      const unstakeOut = unstakeQuote(unstakeLrt, rate, stakePool.instantUnstakeFeeBps);
      const outcome = yield* tx.execute({
        role: "liquidator",
        key: `liq:${address}:${entry.slot}:${entry.sub.debtShares}`,
        kind: "liquidate",
        instructions: [
          yield* Effect.promise(() =>
            marginInstructions.liquidate({
              liquidator,
              lrtMint: protocol.lrtMint,
              subAccount: new PublicKey(address),
              liquidatorWsol: wsol,
              liquidatorLrt: lrt,
              maxRepay: plan.value.repay,
              minCollateralOut,
            }),
          ),
          ...(unstakeOut === 0n ? [] : [yield* unstakeInstruction(unstakeLrt, unstakeOut)]),
        ],
      });
      const fresh = yield* protocol.subAccount(new PublicKey(address)).pipe(Effect.orElseSucceed(() => null));
      const changed = !fresh || fresh.debtShares !== planned.debtShares || fresh.collateral !== planned.collateral;
      const result = classifyLiquidation(outcome, outcome._tag === "Landed" ? true : changed);
      yield* inc(M.liquidations, { result });
      yield* Effect.logInfo("liquidation").pipe(
        Effect.annotateLogs({
          subAccount: address,
          result,
          repay: plan.value.repay.toString(),
          seize: plan.value.seize.toString(),
          detail:
            outcome._tag === "Refused"
              ? outcome.error.message
              : outcome._tag === "Landed"
                ? outcome.signature
                : outcome._tag,
        }),
      );
      const cooledAt = yield* Clock.currentTimeMillis;
      coolUntil.set(address, cooledAt + (result === "landed" ? 1_000 : l.cooldownSecs * 1000));
      if (result === "landed" && l.unstake !== "hold" && outcome._tag === "Landed") yield* exit(outcome.signature);
    }).pipe(
      Effect.catchAll((e) =>
        Effect.zipRight(
          inc(M.liquidations, { result: "error" }),
          Effect.logWarning("liquidation attempt failed").pipe(
            Effect.annotateLogs({ subAccount: address, error: String((e as Error)?.message ?? e) }),
          ),
        ),
      ),
      Effect.ensuring(
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            inFlight.delete(address);
            if (!coolUntil.has(address)) coolUntil.set(address, now + l.cooldownSecs * 1000);
          }),
        ),
      ),
    );

  const tick = Effect.gen(function* () {
    const [feed, pool, market, now] = yield* Effect.all(
      [protocol.feed, protocol.lendingPool, protocol.market, clock.now],
      { concurrency: 3 },
    );
    const borrowIndex = accruePool(pool, now).borrowIndex;
    const frontier = store.frontier(market.risk.ltBps, pool.borrowIndex);
    let price: bigint;
    try {
      price = marketPrices(market, feed, now).maint;
    } catch {
      price = 0n;
    }
    const stale = staleAt(feed, now) || price === 0n;
    const candidates = price === 0n ? [] : frontier.liquidatableAt({ price, borrowIndex });
    yield* setGauge(M.liquidatable, candidates.length);
    const localNow = yield* Clock.currentTimeMillis;
    for (const address of candidates) {
      if (stale) {
        yield* skip(address, "stale-feed");
        continue;
      }
      if (inFlight.has(address)) continue;
      const until = coolUntil.get(address);
      if (until !== undefined && until > localNow) {
        continue;
      }
      coolUntil.delete(address);
      inFlight.add(address);
      yield* FiberSet.run(attempts, permits.withPermits(1)(attempt(address, price, borrowIndex)));
    }
  });

  const worker: Worker = { name: "liquidator", tickMs: l.tickMs, iteration: tick };
  /** Waits for attempts in flight (shutdown, --once). */
  const drain = FiberSet.awaitEmpty(attempts);
  return { worker, drain };
});
