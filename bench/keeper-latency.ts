// Benchmark (not a test): liquidation latency on the local chain — from the price move that makes a
// sub-account liquidatable to its liquidation landed, in slots and ms, with 1,000 and 10,000 sub-accounts
// tracked by the keeper (DESIGN.md §6 / issue 11: p50 ≤ 2 slots, p99 ≤ 5).
// `npm run bench:keeper-latency [-- --sizes 1000,10000 --samples 40]`.
//
// Per size, a fresh local chain with the demo world and the test methods, and:
//   targets   `samples + 1` leveraged sub-accounts opened by real transactions (the trader's
//             `leverage_up`), their liquidation prices 0.4% apart from 4% under the fair rate down;
//   fillers   the rest of the tracked sub-accounts, written directly with `lantern_setAccount` (creating
//             10,000 by transactions would take most of an hour on this machine): real 92-byte
//             SubAccount bytes of the demo market (Anchor's coder), random addresses and owners, LTVs
//             that stay healthy over the whole run — tracked, decoded, in the frontier, never liquidated
//             (their debt is not in the pool's totals, so a liquidation of one could not be honest);
//   keeper    the real keeper (`keeper/src/cli.ts`, liquidator role, its own process, default cadences;
//             seized LRT held so no unstake transaction competes), started once the chain holds them all.
// Each sample: the bench plays the committee's price round — it writes the feed's market price (spot,
// low, EMA, EMA low; `demoWorld.writeMarketPrice`, through `lantern_setAccount`) at a price between target i's liquidation price and target
// i+1's (exact sdk math at the accrued borrow index), so exactly one more sub-account becomes liquidatable.
// Both ends are the chain's own WebSocket notifications, taken in this process: the feed's change (slot
// S₀, time t₀) and the target's change by the keeper's liquidation (S₁, t₁). Latency = S₁ − S₀ slots and
// t₁ − t₀ ms. The target is then repaid in full by its owner, so later moves leave it alone; a random
// pause (0–800 ms) before each move spreads the moves over the keeper's tick and the chain's slot phases.
// The keeper's debug log splits each latency in two: detection (move → its "liquidation attempt" line:
// the tick's wait and reads, the frontier) and action (that line → landed: plan, fee estimate, simulation,
// signing, journal, send — the local chain executes a transaction as it arrives).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import anchor, { type Idl } from "@coral-xyz/anchor";
import { startLocalChain } from "@lantern/devtools";
import { demoKeeperConfig, demoWorld } from "@lantern/keeper";
import {
  accruePool,
  canLiquidate,
  debtAmount,
  decodeFeed,
  decodeLendingPool,
  decodeSubAccount,
  feedAddress,
  LanternClient,
  lendingPoolAddress,
  MARGIN_PROGRAM_ID,
  marginInstructions,
  marketAddress,
  SUB_ACCOUNT_OFFSETS,
  SUB_ACCOUNT_SIZE,
  type SubAccount,
  WAD,
} from "@lantern/sdk";
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import { readDemoManifest } from "@lantern/sdk/node";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const SIZES = (flag("sizes") ?? "1000,10000").split(",").map(Number);
const SAMPLES = Number(flag("samples") ?? 40);
// Targets are the trader's sub-accounts 100…: a sub-account index is one byte.
if (!(SAMPLES >= 2 && SAMPLES <= 150)) throw new Error("--samples must be between 2 and 150");
const SLOT_MS = 400;
const SOL = 1_000_000_000n;
const coder = new anchor.BorshAccountsCoder(marginIdl as Idl);
const repo = resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// mulberry32, seeded: the same fillers and pauses every run.
let seed = 0x1a7e;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const body = calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }));
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answers = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  return answers
    .sort((a, b) => a.id - b.id)
    .map((a) => {
      if (a.error) throw new Error(`${calls[a.id]!.method}: ${a.error.message}`);
      return a.result;
    });
}

/** The highest maintenance price at which `sub` is liquidatable at `borrowIndex` (exact sdk math). */
function liquidationPrice(sub: SubAccount, borrowIndex: bigint, ltBps: number): bigint {
  let lo = 0n; // liquidatable (or nothing is)
  let hi = 16n * WAD; // not liquidatable
  if (!canLiquidate(sub.debtShares, sub.collateral, 1n, borrowIndex, ltBps)) return 0n;
  lo = 1n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (canLiquidate(sub.debtShares, sub.collateral, mid, borrowIndex, ltBps)) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface Sample {
  slots: number;
  ms: number;
  /** Move → the keeper's "liquidation attempt" line (tick, reads of feed/pool/market, frontier). */
  detectMs?: number;
  /** That line → landed (plan, fee estimate, simulation, signing, journal, send; the chain lands it at once). */
  actMs?: number;
}

interface KeeperLine {
  message?: string;
  timestamp?: string;
  annotations?: Record<string, unknown>;
}

function spawnKeeper(configFile: string): { child: ChildProcess; lines: KeeperLine[]; raw: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", join(repo, "keeper/src/cli.ts"), "--config", configFile], {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: KeeperLine[] = [];
  const raw: string[] = [];
  for (const s of [child.stdout!, child.stderr!])
    createInterface({ input: s }).on("line", (l) => {
      raw.push(l);
      try {
        lines.push(JSON.parse(l) as KeeperLine);
      } catch {
        // not a log line (e.g. a stack trace on stderr): kept in `raw` for the error message
      }
    });
  return { child, lines, raw };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function runSize(size: number): Promise<{ samples: Sample[]; missed: string[]; setupS: number }> {
  const setupStarted = performance.now();
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-bench-latency-"));
  const chain = await startLocalChain({ demoDir, testMethods: true, stderr: "ignore" });
  let keeper: ReturnType<typeof spawnKeeper> | undefined;
  try {
    const manifest = readDemoManifest(demoDir);
    const keys = demoWorld.demoKeys(manifest);
    const connection = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
    const client = new LanternClient(connection);
    const lrtMint = keys.lrtMint;
    const market = marketAddress(lendingPoolAddress(), lrtMint);
    const feedKey = feedAddress(lrtMint);
    const lt = (await client.market(lrtMint)).risk.ltBps;

    /** Plays the committee's price round (see `demoWorld.writeMarketPrice`). */
    const writeFeed = (price: bigint) => demoWorld.writeMarketPrice(connection, lrtMint, price);

    await demoWorld.fund(connection, keys.trader.publicKey);
    await demoWorld.fund(connection, new PublicKey(manifest.wallets.liquidator.pubkey));
    const fair = (await client.feed(lrtMint)).fairRate;
    await writeFeed(fair);
    // Targets: liquidation prices from 96% of the fair rate down, 0.4% apart; 0.1 SOL of equity each.
    const targets: PublicKey[] = [];
    const trader = keys.trader;
    const traderWsol = new PublicKey(manifest.wallets.trader.wsol);
    const count = SAMPLES + 1;
    for (let i = 0; i < count; i++) {
      const ltv = ((0.96 - 0.004 * i) * lt) / 10_000;
      const equity = SOL / 10n;
      const borrow = BigInt(Math.floor((Number(equity) * ltv) / (1 - ltv)));
      targets.push(await demoWorld.openPosition(client, trader, traderWsol, lrtMint, 100 + i, equity, borrow));
      // The market price stays fresh while positions open (60 s maximum age).
      if (i % 20 === 19) await writeFeed(fair);
    }
    // Fillers: the rest, healthy down to 55% of the fair rate (LTV 8%–50% at the fair rate).
    const rent = await connection.getMinimumBalanceForRentExemption(SUB_ACCOUNT_SIZE);
    const fillers = size - count;
    for (let done = 0; done < fillers; ) {
      const batch: { method: string; params: unknown[] }[] = [];
      for (; batch.length < 250 && done < fillers; done++) {
        const collateral = BigInt(Math.floor((0.1 + random() * 20) * 1e9));
        const ltvBps = BigInt(800 + Math.floor(random() * 4_200));
        const data = await coder.encode("SubAccount", {
          bump: 255,
          vault_bump: 255,
          market,
          owner: Keypair.generate().publicKey,
          index: done % 4,
          collateral: new anchor.BN(collateral.toString()),
          debt_shares: new anchor.BN(((collateral * ltvBps) / 10_000n).toString()),
        });
        batch.push({
          method: "lantern_setAccount",
          params: [
            Keypair.generate().publicKey.toBase58(),
            { lamports: rent, owner: MARGIN_PROGRAM_ID.toBase58(), data: Buffer.from(data).toString("base64") },
          ],
        });
      }
      await rpcBatch(chain.rpcUrl, batch);
    }
    await writeFeed(fair);

    // The keeper: the liquidator role with the demo defaults (tick 400 ms, resync 60 s, idle 30 s).
    const dir = mkdtempSync(join(tmpdir(), "lantern-bench-keeper-"));
    const config = demoKeeperConfig(manifest, {
      rpcUrl: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      name: "bench-liquidator",
      keypair: manifest.wallets.liquidator.keypair,
      journal: join(dir, "journal.sqlite"),
      priceUrl: "http://127.0.0.1:1/price",
      roles: ["liquidator"],
    });
    const file = join(dir, "keeper.json");
    const { member: _unused, ...liquidatorOnly } = config;
    writeFileSync(
      file,
      JSON.stringify({
        ...liquidatorOnly,
        logLevel: "debug",
        http: { port: 0 },
        liquidator: { ...config.liquidator, unstake: "hold", minProfitLamports: 0 },
      }),
    );
    keeper = spawnKeeper(file);
    const k = keeper;
    await waitFor(
      `the keeper's first snapshot of ${size} sub-accounts`,
      () => {
        if (k.child.exitCode !== null) throw new Error(`the keeper exited:\n${k.raw.slice(-20).join("\n")}`);
        return k.lines.find((l) => l.message === "account store synced" && Number(l.annotations?.tracked) >= size);
      },
      180_000,
    );
    const setupS = (performance.now() - setupStarted) / 1000;
    console.error(
      `  ${size.toLocaleString("en-US")} tracked (${count} targets by transaction, ${fillers.toLocaleString("en-US")} ` +
        `written): ready after ${setupS.toFixed(0)} s`,
    );

    const samples: Sample[] = [];
    const missed: string[] = [];
    const poolKey = lendingPoolAddress();
    // Both ends are watched for the whole run (a subscription made per sample may not be live in time
    // on a loaded machine): the feed, and the trader's sub-accounts (the targets; fillers have other owners).
    const feedSeen: { price: bigint; slot: number; at: number }[] = [];
    const targetSeen: { address: string; debtShares: bigint; slot: number; at: number }[] = [];
    const feedSub = connection.onAccountChange(feedKey, (info, ctx) =>
      feedSeen.push({ price: decodeFeed(info.data).marketEmaLow, slot: ctx.slot, at: Date.now() }),
    );
    const targetSub = connection.onProgramAccountChange(
      MARGIN_PROGRAM_ID,
      (keyed, ctx) =>
        targetSeen.push({
          address: keyed.accountId.toBase58(),
          debtShares: decodeSubAccount(keyed.accountInfo.data).debtShares,
          slot: ctx.slot,
          at: Date.now(),
        }),
      {
        commitment: "confirmed",
        filters: [
          { dataSize: SUB_ACCOUNT_SIZE },
          { memcmp: { offset: SUB_ACCOUNT_OFFSETS.owner, bytes: trader.publicKey.toBase58() } },
        ],
      },
    );
    // Live once a write is seen (a price just above the fair rate moves nobody).
    await waitFor(
      "the feed subscription",
      async () => {
        await writeFeed(fair + 1n);
        return feedSeen.some((f) => f.price === fair + 1n) ? true : undefined;
      },
      30_000,
    );
    for (let i = 0; i + 1 < count; i++) {
      await sleep(random() * 800);
      const [poolInfo, targetInfo, nextInfo] = await connection.getMultipleAccountsInfo([
        poolKey,
        targets[i]!,
        targets[i + 1]!,
      ]);
      const index = accruePool(
        decodeLendingPool(poolInfo!.data),
        (await client.clock()).unixTimestamp + 5n,
      ).borrowIndex;
      const target = decodeSubAccount(targetInfo!.data);
      const above = liquidationPrice(target, index, lt);
      const below = liquidationPrice(decodeSubAccount(nextInfo!.data), index, lt);
      const price = (above + below) / 2n;
      if (!(below < price && price <= above)) throw new Error(`targets ${i} and ${i + 1} are not 0.4% apart`);

      const address = targets[i]!.toBase58();
      const [feedMark, targetMark, logMark] = [feedSeen.length, targetSeen.length, keeper.lines.length];
      const moved = () => feedSeen.slice(feedMark).find((f) => f.price === price);
      const landed = () =>
        targetSeen.slice(targetMark).find((t) => t.address === address && t.debtShares < target.debtShares);
      // The market price at `price`: observed now, so it stays fresh through the sample.
      await writeFeed(price);
      try {
        await waitFor("the liquidation", () => (moved() && landed() ? true : undefined), 30_000);
        const [m, l] = [moved()!, landed()!];
        const detected = keeper.lines
          .slice(logMark)
          .find((line) => line.message === "liquidation attempt" && line.annotations?.subAccount === address);
        const s: Sample = { slots: l.slot - m.slot, ms: l.at - m.at };
        if (detected?.timestamp) {
          s.detectMs = Date.parse(detected.timestamp) - m.at;
          s.actMs = l.at - Date.parse(detected.timestamp);
        }
        samples.push(s);
      } catch {
        const reasons = keeper.lines
          .slice(logMark)
          .filter((line) => line.annotations?.subAccount === address)
          .map((line) => `${line.message} ${JSON.stringify(line.annotations)}`);
        missed.push(
          `${address}: ${moved() ? "no liquidation in 30 s" : "no feed notification"}; keeper: ${reasons.join("; ")}`,
        );
      }
      // Out of the game: repaid in full by its owner (the keeper may be liquidating its remainder; the
      // program pays at most the debt, so whichever lands first, the debt ends at zero).
      const left = decodeSubAccount((await connection.getAccountInfo(targets[i]!))!.data);
      if (left.debtShares > 0n)
        await client
          .send(
            [
              await marginInstructions.repay({
                payer: trader.publicKey,
                lrtMint,
                subAccount: { owner: trader.publicKey, index: 100 + i },
                source: traderWsol,
                amount: debtAmount(left.debtShares, index) * 2n,
              }),
            ],
            [trader],
          )
          .catch(() => undefined);
      process.stderr.write(
        samples.length % 10 === 0 && samples.length > 0 ? `  ${samples.length}/${count - 1} samples\n` : "",
      );
    }
    await connection.removeAccountChangeListener(feedSub);
    await connection.removeProgramAccountChangeListener(targetSub);
    // With no subscription left, web3.js closes its socket after 0.5 s idle; stopping the chain before
    // that would have it reconnect for ever.
    await sleep(1_500);
    return { samples, missed, setupS };
  } finally {
    if (keeper && keeper.child.exitCode === null) {
      const exited = new Promise((r) => keeper!.child.once("exit", r));
      keeper.child.kill("SIGTERM");
      await exited;
    }
    await chain.stop();
  }
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};

async function main() {
  console.log(
    `keeper liquidation latency on a local chain (price move → liquidation landed; Node ${process.version}, ` +
      `${SAMPLES} samples per size, slot ${SLOT_MS} ms; load average at start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")})`,
  );
  const results: { size: number; samples: Sample[]; missed: string[] }[] = [];
  for (const size of SIZES) {
    // Each size in its own process: its chain, keeper and sockets end with it (web3.js keeps reconnecting
    // a socket whose server is gone), and the next size starts on a quiet heap.
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--size-child", String(size), "--samples", String(SAMPLES)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 16 << 20,
      },
    );
    if (child.status !== 0) throw new Error(`the run at ${size} failed (exit ${child.status})`);
    const r = JSON.parse(child.stdout.trim().split("\n").pop()!) as Awaited<ReturnType<typeof runSize>>;
    results.push({ size, ...r });
    for (const m of r.missed) console.log(`  missed: ${m}`);
  }
  const fmt = (n: number, d = 0) => (Number.isNaN(n) ? "—" : n.toFixed(d));
  console.log(
    `\n${"tracked".padStart(8)} ${"n".padStart(4)} ${"missed".padStart(6)}  ${"p50 slots".padStart(9)} ${"p99 slots".padStart(9)} ` +
      `${"max".padStart(4)}  ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)}  ${"detect p50".padStart(10)} ` +
      `${"act p50".padStart(8)}`,
  );
  for (const { size, samples, missed } of results) {
    const slots = samples.map((s) => s.slots);
    const ms = samples.map((s) => s.ms);
    const part = (f: (s: Sample) => number | undefined) =>
      quantile(
        samples.map(f).filter((x): x is number => x !== undefined),
        0.5,
      );
    console.log(
      `${size.toLocaleString("en-US").padStart(8)} ${String(samples.length).padStart(4)} ${String(missed.length).padStart(6)}  ` +
        `${fmt(quantile(slots, 0.5)).padStart(9)} ${fmt(quantile(slots, 0.99)).padStart(9)} ${fmt(Math.max(...slots)).padStart(4)}  ` +
        `${fmt(quantile(ms, 0.5)).padStart(7)} ${fmt(quantile(ms, 0.99)).padStart(7)}  ` +
        `${fmt(part((s) => s.detectMs)).padStart(10)} ${fmt(part((s) => s.actMs)).padStart(8)}`,
    );
  }
  if (results.length === 2) {
    const [a, b] = results;
    const ratio = (q: number, f: (s: Sample) => number) =>
      quantile(b!.samples.map(f), q) / quantile(a!.samples.map(f), q);
    console.log(
      `ratio ${b!.size.toLocaleString("en-US")} ÷ ${a!.size.toLocaleString("en-US")}: p50 ms ${ratio(0.5, (s) => s.ms).toFixed(2)}x, ` +
        `p99 ms ${ratio(0.99, (s) => s.ms).toFixed(2)}x`,
    );
  }
  for (const { size, samples, missed } of results) {
    const p50 = quantile(
      samples.map((s) => s.slots),
      0.5,
    );
    const p99 = quantile(
      samples.map((s) => s.slots),
      0.99,
    );
    const ok = (b: boolean) => (b ? "met" : "NOT met");
    console.log(
      `budget at ${size.toLocaleString("en-US")} (p50 ≤ 2 slots, p99 ≤ 5): p50 ${ok(p50 <= 2)} (${p50}), ` +
        `p99 ${ok(p99 <= 5 && missed.length === 0)} (${p99}${missed.length ? `, ${missed.length} missed` : ""})`,
    );
  }
}

if (args[0] === "--size-child") {
  process.stdout.write(`${JSON.stringify(await runSize(Number(args[1])))}\n`);
  process.exit(0);
} else await main();
