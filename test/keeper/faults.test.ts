// The fault matrix (notes/keeper.md §7), a fast representative slice: a real fault-injecting proxy
// between real keepers and a local chain of this file's own.
import { join } from "node:path";
import { decodeConfig, demoWorld, Journal, servicesLayer, TxEngine } from "@lantern/keeper";
import {
  accruePool,
  committeeAddress,
  debtAmount,
  decodeCommittee,
  LanternClient,
  liquidLamports,
  liquidationPlan,
  MARGIN_PROGRAM_ID,
  marginInstructions,
  RESTAKING_PROGRAM_ID,
} from "@lantern/sdk";
import { readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { ComputeBudgetProgram, Connection, PublicKey, SystemProgram, VersionedTransaction } from "@solana/web3.js";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../setup/chain.js";
import { demoConfig, metric, sleep, spawnKeeper, waitFor, writeConfig } from "./harness.js";
import { FaultProxy, type Seen } from "./proxy.js";

let chain: LocalChain;
let connection: Connection;

beforeAll(async () => {
  chain = await startLocalChain();
  connection = new Connection(chain.rpcUrl, "confirmed");
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

const fixedPrice = { kind: "fixed" as const, price: 1 };
const memberSlot = async (lrtMint: string, index: number) => {
  const info = await connection.getAccountInfo(committeeAddress(new PublicKey(lrtMint)));
  return decodeCommittee(info!.data).members[index]!;
};

const SOL = 1_000_000_000n;
const STALL_INDEX = 9;
const RACE_INDEX = 21;
const DRAIN_INDEX = 27;
/** The depeg that takes a position opened at 8.9× past the threshold (LTV ≈ 95%, below the full-liquidation 96%). */
const depegged = (fair: bigint) => (fair * 935n) / 1_000n;

/** A position of the trader at 9× (LTV 88.9% at the fair rate), then the market price moved to `depegged`. */
async function openLiquidatable(keys: demoWorld.DemoKeys, index: number, fair: bigint): Promise<PublicKey> {
  const client = new LanternClient(connection);
  await demoWorld.fund(connection, keys.trader.publicKey);
  await demoWorld.writeMarketPrice(connection, keys.lrtMint, fair);
  const traderWsol = new PublicKey(readDemoManifest(chain.demoDir).wallets.trader.wsol);
  const address = await demoWorld.openPosition(client, keys.trader, traderWsol, keys.lrtMint, index, SOL, 8n * SOL);
  await demoWorld.writeMarketPrice(connection, keys.lrtMint, depegged(fair));
  return address;
}

/** The cooldown of the liquidator `withHeldLiquidation` runs. */
const HELD_COOLDOWN_SECS = 6;

/**
 * A liquidator keeper behind a proxy that swallows its first send — the liquidation of a position made
 * liquidatable at `index` — and rebroadcasts the same bytes 8 s later: `race` runs in that window, with
 * the send held (`ours`) and the keeper's first outcome for the position to wait for. Stops the keeper
 * (exit 0) and settles the position after.
 */
async function withHeldLiquidation(
  index: number,
  unstake: "instant" | "hold",
  race: (held: {
    keys: demoWorld.DemoKeys;
    fair: bigint;
    position: PublicKey;
    ours: Seen;
    outcome: () => Promise<{ timestamp: string; annotations: Record<string, string> }>;
    port: number;
    proxy: FaultProxy;
  }) => Promise<void>,
) {
  const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
  const { config, manifest } = await demoConfig(chain.demoDir, {
    rpcUrl: proxy.url,
    wsUrl: proxy.ws,
    roles: ["liquidator"],
  });
  config.liquidator = { ...config.liquidator, cooldownSecs: HELD_COOLDOWN_SECS, unstake };
  config.tx = { rebroadcastMs: 8_000, pollMs: 300 };
  const keys = demoWorld.demoKeys(manifest);
  const fair = (await new LanternClient(connection).feed(keys.lrtMint)).fairRate;
  const keeper = spawnKeeper(["--config", writeConfig(config)]);
  let position: PublicKey | undefined;
  try {
    const port = await keeper.port();
    await waitFor("the first snapshot", async () => keeper.lines.some((l) => l.includes("account store synced")));
    proxy.rules = [{ method: "sendTransaction", fault: { kind: "swallow" }, times: 1 }];
    const opened = await openLiquidatable(keys, index, fair);
    position = opened;
    const ours = await waitFor(
      "our liquidation sent",
      async () => proxy.seen.find((s) => s.method === "sendTransaction" && s.faulted === "swallow"),
      60_000,
      20,
    );
    const outcome = () =>
      waitFor(
        "our outcome",
        async () =>
          keeper.lines
            .map((l) => JSON.parse(l) as { message: string; timestamp: string; annotations: Record<string, string> })
            .find((l) => l.message === "liquidation" && l.annotations.subAccount === opened.toBase58()),
        60_000,
      );
    await race({ keys, fair, position: opened, ours, outcome, port, proxy });
  } catch (error) {
    // What the keeper did is what explains a failure here (a timing-dependent race): show its log.
    process.stderr.write(`The liquidator's last log lines:\n${keeper.lines.slice(-40).join("\n")}\n`);
    throw error;
  } finally {
    keeper.child.kill("SIGTERM");
    expect(await keeper.exited).toBe(0);
    await proxy.stop();
    await settle(keys, fair, position, index);
  }
}

/**
 * Waits for the keeper on `port` to count a landed liquidation. No oracle member runs in these tests:
 * the test publishes the market price, so it publishes it again here, as members would have — the price
 * written when the position opened may be older than the feed's `maxPriceAgeSecs` (60 s) by now on a
 * loaded machine, and the keeper rightly refuses to liquidate on a stale price.
 */
async function landedOnce(port: number, keys: demoWorld.DemoKeys, fair: bigint) {
  await demoWorld.writeMarketPrice(connection, keys.lrtMint, depegged(fair));
  return waitFor(
    "the attempt after the cooldown to land",
    async () => (await metric(port, "keeper_liquidation_attempts_total", { result: "landed" })) >= 1,
    60_000,
  );
}

/** After a test: the market back at the fair rate and the position repaid, so later tests find nothing to liquidate. */
async function settle(keys: demoWorld.DemoKeys, fair: bigint, position: PublicKey | undefined, index: number) {
  await demoWorld.writeMarketPrice(connection, keys.lrtMint, fair);
  if (!position) return;
  const client = new LanternClient(connection);
  const left = await client.fetchSubAccount(position);
  if (!left || left.debtShares === 0n) return;
  await client.send(
    [
      await marginInstructions.repay({
        payer: keys.trader.publicKey,
        lrtMint: keys.lrtMint,
        subAccount: { owner: keys.trader.publicKey, index },
        source: new PublicKey(readDemoManifest(chain.demoDir).wallets.trader.wsol),
        amount: left.debtShares * 2n,
      }),
    ],
    [keys.trader],
  );
}

describe("keeper fault matrix", () => {
  it("dry run: every role decides and simulates, and not one sendTransaction leaves the keeper", async () => {
    const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    const { config } = await demoConfig(chain.demoDir, {
      rpcUrl: proxy.url,
      wsUrl: proxy.ws,
      roles: ["member", "liquidator", "cranker"],
      member: 0,
    });
    config.member = { ...config.member!, priceSource: fixedPrice };
    config.cranker = { ...config.cranker, accrueAfterSecs: 1 };
    const keeper = spawnKeeper(["--config", writeConfig(config), "--dry-run", "--once"]);
    expect(await keeper.exited).toBe(0);
    const log = keeper.lines.join("\n");
    expect(log).toMatch(/dry run: not sent/);
    expect(proxy.count("simulateTransaction")).toBeGreaterThanOrEqual(2);
    expect(proxy.count("sendTransaction")).toBe(0);
    expect(proxy.seen.filter((s) => s.method === "sendTransaction")).toEqual([]);
    await proxy.stop();
  }, 90_000);

  it("429 bursts (with and without Retry-After), hung requests and a dead primary: the member still votes and observes, through the secondary", async () => {
    const primary = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    const secondary = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    primary.rules = [
      { method: "getAccountInfo", fault: { kind: "429", retryAfterSecs: 1 }, times: 3 },
      { method: "getLatestBlockhash", fault: { kind: "429" }, times: 3 },
      { method: "sendTransaction", fault: { kind: "429" }, times: 2 },
      { method: "getBlockHeight", fault: { kind: "hang" }, times: 2 },
    ];
    const { config, manifest } = await demoConfig(chain.demoDir, {
      rpcUrl: primary.url,
      wsUrl: primary.ws,
      roles: ["member"],
      member: 1,
    });
    config.rpc = { urls: [primary.url, secondary.url], wsUrl: primary.ws, timeoutMs: 1_500, maxAttempts: 8 };
    config.member = { ...config.member!, priceSource: fixedPrice, priceIntervalSecs: 2 };
    const before = await memberSlot(manifest.lrtMint, 1);
    const keeper = spawnKeeper(["--config", writeConfig(config)]);
    try {
      const port = await keeper.port();
      const first = await waitFor("a price observation landed", async () => {
        const slot = await memberSlot(manifest.lrtMint, 1);
        return slot.priceTs > before.priceTs ? slot : undefined;
      });
      expect(await metric(port, "keeper_rpc_429_total")).toBeGreaterThanOrEqual(1);
      // The primary dies: reads and sends move to the secondary; observations keep landing.
      await primary.down();
      await waitFor(
        "an observation after the primary died",
        async () => (await memberSlot(manifest.lrtMint, 1)).priceTs > first.priceTs,
        30_000,
      );
      expect(await metric(port, "keeper_rpc_failovers_total")).toBeGreaterThanOrEqual(1);
      expect(secondary.count("sendTransaction")).toBeGreaterThanOrEqual(1);
      expect(keeper.child.exitCode).toBeNull();
    } finally {
      keeper.child.kill("SIGTERM");
      expect(await keeper.exited).toBe(0);
      await secondary.stop();
    }
  }, 120_000);

  it("a duplicate member key is refused at start-up with a sentence", async () => {
    const { config } = await demoConfig(chain.demoDir, {
      rpcUrl: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      roles: ["member"],
      member: 2,
    });
    config.member = { ...config.member!, priceSource: fixedPrice, priceIntervalSecs: 2 };
    const first = spawnKeeper(["--config", writeConfig(config)]);
    try {
      await first.port();
      await waitFor(
        "the first process's observation",
        async () => first.lines.some((l) => l.includes('"price"') || l.includes("report vote")),
        30_000,
      );
      await sleep(3_000);
      // Same key, its own (empty) journal: the fresh observation on chain is not its own.
      const second = spawnKeeper([
        "--config",
        writeConfig({ ...config, journalPath: join(config.journalPath!, "..", "other.sqlite") }),
      ]);
      expect(await second.exited).toBe(1);
      expect(second.lines.join("\n")).toMatch(/Another process is signing as member 2/);
    } finally {
      first.child.kill("SIGTERM");
      await first.exited;
    }
  }, 90_000);

  it("SIGKILL right after a send, then restart: the journal is reconciled by rebroadcasting the same bytes before anything new", async () => {
    const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    proxy.rules = [{ method: "sendTransaction", fault: { kind: "swallow" } }];
    const { config, manifest } = await demoConfig(chain.demoDir, {
      rpcUrl: proxy.url,
      wsUrl: proxy.ws,
      roles: ["member"],
      member: 3,
    });
    config.member = { ...config.member!, priceSource: fixedPrice, priceIntervalSecs: 2 };
    const file = writeConfig(config);
    const first = spawnKeeper(["--config", file]);
    const swallowed = await waitFor(
      "a send",
      async () => proxy.seen.find((s) => s.method === "sendTransaction"),
      30_000,
      20,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    proxy.rules = [];
    const mark = proxy.seen.length;
    const second = spawnKeeper(["--config", file]);
    try {
      await second.port();
      const resent = await waitFor(
        "the first send after restart",
        async () => proxy.seen.slice(mark).find((s) => s.method === "sendTransaction"),
        30_000,
        20,
      );
      expect(resent.tx).toBe(swallowed.tx);
      await waitFor(
        "the reconciliation log",
        async () => second.lines.some((l) => l.includes("journal reconciled")),
        60_000,
      );
      expect(second.lines.find((l) => l.includes("journal reconciled"))).toMatch(/"landed":1/);
      expect((await memberSlot(manifest.lrtMint, 3)).priceTs > 0n).toBe(true);
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      await proxy.stop();
    }
  }, 120_000);

  it("the WebSocket stalls silently: the store resyncs after the idle limit, and a position opened and made liquidatable during the stall is liquidated", async () => {
    const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    const { config, manifest } = await demoConfig(chain.demoDir, {
      rpcUrl: proxy.url,
      wsUrl: proxy.ws,
      roles: ["liquidator"],
    });
    config.liquidator = { ...config.liquidator, streamIdleSecs: 3, resyncSecs: 600, unstake: "hold" };
    const keys = demoWorld.demoKeys(manifest);
    const client = new LanternClient(connection);
    const fair = (await client.feed(keys.lrtMint)).fairRate;
    const keeper = spawnKeeper(["--config", writeConfig(config)]);
    let position: PublicKey | undefined;
    try {
      const port = await keeper.port();
      const tracked = await waitFor("the first snapshot", async () => {
        const n = await metric(port, "keeper_accounts_tracked");
        return keeper.lines.some((l) => l.includes("account store synced")) ? n + 1 : undefined;
      });
      proxy.stallWebSocket(true);
      // Opened and pushed past the threshold while the keeper's stream delivers nothing.
      position = await openLiquidatable(keys, STALL_INDEX, fair);
      const opened = (await client.fetchSubAccount(position))!;
      await waitFor(
        "the resync after the stall",
        async () => (await metric(port, "keeper_accounts_tracked")) >= tracked,
        20_000,
      );
      expect(await metric(port, "keeper_account_resyncs_total", { reason: "stream-idle" })).toBeGreaterThanOrEqual(1);
      // The keeper counts its landing after it confirmed and re-read the sub-account: wait for its count.
      await waitFor(
        "its liquidation",
        async () => (await metric(port, "keeper_liquidation_attempts_total", { result: "landed" })) >= 1,
        60_000,
      );
      expect((await client.fetchSubAccount(position!))!.debtShares).toBeLessThan(opened.debtShares);
    } finally {
      keeper.child.kill("SIGTERM");
      expect(await keeper.exited).toBe(0);
      await proxy.stop();
      await settle(keys, fair, position, STALL_INDEX);
    }
  }, 120_000);

  it("SIGTERM with a send in flight: intake stops, the process exits 0 within the grace period, the intent stays open and the next start reconciles it", async () => {
    const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    proxy.rules = [{ method: "sendTransaction", fault: { kind: "swallow" } }];
    const { config } = await demoConfig(chain.demoDir, {
      rpcUrl: proxy.url,
      wsUrl: proxy.ws,
      roles: ["member"],
      member: 4,
    });
    config.member = { ...config.member!, priceSource: fixedPrice, priceIntervalSecs: 2 };
    const file = writeConfig(config);
    const first = spawnKeeper(["--config", file]);
    await waitFor("a send", async () => proxy.seen.some((s) => s.method === "sendTransaction"), 30_000, 20);
    const stoppedAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(25_000);
    expect(first.lines.join("\n")).toMatch(/shutting down: intake stopped/);
    proxy.rules = [];
    const second = spawnKeeper(["--config", file]);
    try {
      await waitFor(
        "the reconciliation",
        async () => second.lines.some((l) => l.includes("journal reconciled")),
        90_000,
      );
      const line = second.lines.find((l) => l.includes("journal reconciled"))!;
      expect(line).toMatch(/"open":[1-9]/);
      expect(line).toMatch(/"(landed|expired)":[1-9]/);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
      await proxy.stop();
    }
  }, 150_000);

  it("the blockhash expires while unconfirmed: the same bytes are rebroadcast and a new signature is made only after expiry is proven", async () => {
    const proxy = await new FaultProxy(chain.rpcUrl, chain.wsUrl).start();
    const { config, manifest } = await demoConfig(chain.demoDir, {
      rpcUrl: proxy.url,
      wsUrl: proxy.ws,
      roles: ["cranker"],
    });
    const decoded = Effect.runSync(
      decodeConfig({ ...config, tx: { rebroadcastMs: 500, pollMs: 200, maxSignatures: 3 } }, "test"),
    );
    const payer = readKeypairFile(manifest.wallets.liquidator.keypair);
    proxy.rules = [{ method: "sendTransaction", fault: { kind: "swallow" } }];
    const heightsAtNewSignature: { tx: string; height: number }[] = [];
    let lastTx: string | undefined;
    const watcher = setInterval(async () => {
      for (const s of proxy.seen) {
        if (s.method !== "sendTransaction" || s.tx === lastTx || heightsAtNewSignature.some((h) => h.tx === s.tx))
          continue;
        lastTx = s.tx;
        heightsAtNewSignature.push({ tx: s.tx!, height: await connection.getBlockHeight("confirmed") });
        // The second signature is let through.
        if (heightsAtNewSignature.length === 2) proxy.rules = [];
      }
    }, 20);
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        const engine = yield* TxEngine;
        const out = yield* engine.execute({
          key: "test:expiry",
          kind: "test",
          instructions: [
            SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 }),
          ],
        });
        const journal = yield* Journal;
        return { out, rows: yield* journal.signatures("test:expiry"), intent: yield* journal.get("test:expiry") };
      }).pipe(Effect.provide(servicesLayer(decoded)), Effect.scoped),
    );
    clearInterval(watcher);
    expect(outcome.out._tag).toBe("Landed");
    expect(outcome.rows.length).toBe(2);
    // Every send of the first signature carried the same bytes, and the second came after the first's last valid height.
    const firstSends = proxy.seen.filter((s) => s.method === "sendTransaction" && s.tx === outcome.rows[0]!.raw);
    expect(firstSends.length).toBeGreaterThanOrEqual(2);
    expect(heightsAtNewSignature[1]!.height).toBeGreaterThan(outcome.rows[0]!.lastValidBlockHeight);
    expect(outcome.intent?.status).toBe("landed");
    await proxy.stop();
  }, 180_000);
  it("another liquidator lands first: ours is classified outcompeted, the sub-account cools down, no retry storm", async () => {
    const manifest = readDemoManifest(chain.demoDir);
    const client = new LanternClient(connection);
    const rival = readKeypairFile(manifest.wallets.lender.keypair);
    const rivalWsol = new PublicKey(manifest.wallets.lender.wsol);
    await demoWorld.fund(connection, rival.publicKey);
    await demoWorld.creditRewards(connection, client, rival, rivalWsol, 5n * SOL);
    await withHeldLiquidation(RACE_INDEX, "hold", async ({ keys, fair, position, ours, outcome, port, proxy }) => {
      // The rival takes half of what our plan repays: the sub-account stays liquidatable, but our
      // transaction's slippage floor (99% of the collateral we planned to receive) no longer fits.
      const [sub, pool, market] = await Promise.all([
        client.fetchSubAccount(position),
        client.lendingPool(),
        client.market(keys.lrtMint),
      ]);
      const index = accruePool(pool, (await client.clock()).unixTimestamp).borrowIndex;
      const plan = liquidationPlan(
        debtAmount(sub!.debtShares, index),
        sub!.collateral,
        depegged(fair),
        market.risk,
        1_000n * SOL,
      );
      await client.send(
        [
          await marginInstructions.liquidate({
            liquidator: rival.publicKey,
            lrtMint: keys.lrtMint,
            subAccount: position,
            liquidatorWsol: rivalWsol,
            liquidatorLrt: new PublicKey(manifest.wallets.lender.lrt),
            maxRepay: plan.repay / 2n,
            minCollateralOut: 0n,
          }),
        ],
        [rival],
      );
      const ourOutcome = await outcome();
      expect(ourOutcome.annotations.result).toBe("outcompeted");
      // SlippageExceeded: the program says so in a sentence.
      expect(ourOutcome.annotations.detail).toMatch(/below the minimum you accepted/);
      const decidedAt = Date.parse(ourOutcome.timestamp);
      // The sub-account is still liquidatable, so the next attempt comes — after the cooldown, not before.
      await landedOnce(port, keys, fair);
      const early = proxy.seen.filter(
        (s) => s.at > ours.at && s.at < decidedAt + HELD_COOLDOWN_SECS * 1000 - 500 && !s.faulted,
      );
      // Until then: only the same bytes again (our rebroadcast), and no new simulation or signature.
      expect(early.filter((s) => s.method === "sendTransaction").every((s) => s.tx === ours.tx)).toBe(true);
      expect(early.filter((s) => s.method === "simulateTransaction" && s.at > decidedAt)).toEqual([]);
      expect(await metric(port, "keeper_liquidation_attempts_total", { result: "outcompeted" })).toBe(1);
      expect(await metric(port, "keeper_liquidation_attempts_total", { result: "error" })).toBe(0);
    });
  }, 150_000);

  it("the reserve is drained between our plan and its landing: the liquidation and the exit it counted on land together or not at all", async () => {
    const ourLrt = new PublicKey(readDemoManifest(chain.demoDir).wallets.liquidator.lrt);
    const lrtHeld = async () => BigInt((await connection.getTokenAccountBalance(ourLrt)).value.amount);
    const client = new LanternClient(connection);
    await withHeldLiquidation(DRAIN_INDEX, "instant", async ({ keys, fair, position, ours, outcome, port }) => {
      // The bytes we signed: past the compute budget, the liquidation, then the instant unstake its
      // profit counted on.
      const signed = VersionedTransaction.deserialize(Buffer.from(ours.tx!, "base64")).message;
      expect(
        signed.compiledInstructions
          .map((ix) => signed.staticAccountKeys[ix.programIdIndex]!)
          .filter((program) => !program.equals(ComputeBudgetProgram.programId))
          .map((program) => program.toBase58()),
      ).toEqual([MARGIN_PROGRAM_ID.toBase58(), RESTAKING_PROGRAM_ID.toBase58()]);
      const [before, heldBefore] = await Promise.all([client.fetchSubAccount(position), lrtHeld()]);
      // A third party's exit empties the liquid reserve (here the stake manager delegating all of it: the
      // same for the pool as another holder's instant unstake).
      await demoWorld.fund(connection, keys.stakeManager.publicKey);
      const validators = await demoWorld.stakeManagerWsol(connection, keys.stakeManager.publicKey);
      await demoWorld.delegateStake(client, keys, validators, liquidLamports(await client.stakePool(keys.lrtMint)));
      expect(liquidLamports(await client.stakePool(keys.lrtMint))).toBe(0n);
      expect((await outcome()).annotations.result).toBe("outcompeted");
      // Neither half landed: the sub-account is as it was, and we hold no LRT we paid the exit's price for.
      const after = await client.fetchSubAccount(position);
      expect(after!.debtShares).toBe(before!.debtShares);
      expect(after!.collateral).toBe(before!.collateral);
      expect(await lrtHeld()).toBe(heldBefore);
      // The next plan sees the empty reserve: it values the collateral at the market, which still pays
      // at this depeg, and liquidates without an exit; the LRT waits for the reserve.
      await landedOnce(port, keys, fair);
      expect((await client.fetchSubAccount(position))!.debtShares).toBeLessThan(before!.debtShares);
      expect(await lrtHeld()).toBeGreaterThan(heldBefore);
    });
  }, 150_000);
});
