// End to end on a local chain of this file's own: the demo fleet (9 member processes, a liquidator, a
// cranker, the demo market) with 15-second frames. Every frame gets its report and the report is never
// older than 1.5 frames; a slashing reported by the committee and a sustained depeg through the
// PriceSource each get the exposed sub-account liquidated.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFleet } from "@lantern/keeper";
import {
  committeeAddress,
  decodeCommittee,
  decodeFeed,
  decodeSubAccount,
  feedAddress,
  lendingPoolAddress,
  marketAddress,
  subAccountAddress,
} from "@lantern/sdk";
import { readDemoManifest } from "@lantern/sdk/node";
import { Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../setup/chain.js";
import { sleep, waitFor } from "./harness.js";

const FRAME = 15;
/** How long a liquidation may take under the full suite: every test file runs in parallel on two cores
 * beside the thirteen fleet processes, so seconds alone become minutes (seen: > 90 s). */
const LOADED_WAIT_MS = 240_000;
let chain: LocalChain;
let connection: Connection;
let fleet: Awaited<ReturnType<typeof startFleet>>;
let lrtMint: PublicKey;
const lines: string[] = [];

const chainNow = async () =>
  Buffer.from((await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY))!.data).readBigInt64LE(32);
const feed = async () => decodeFeed((await connection.getAccountInfo(feedAddress(lrtMint)))!.data);
const sub = async (owner: PublicKey, index: number) =>
  decodeSubAccount(
    (await connection.getAccountInfo(subAccountAddress(marketAddress(lendingPoolAddress(), lrtMint), owner, index)))!
      .data,
  );

beforeAll(async () => {
  chain = await startLocalChain();
  console.log(`e2e fleet log: ${join(chain.demoDir, "fleet.log")}`);
  connection = new Connection(chain.rpcUrl, "confirmed");
  lrtMint = new PublicKey(readDemoManifest(chain.demoDir).lrtMint);
  fleet = await startFleet({
    demoDir: chain.demoDir,
    rpcUrl: chain.rpcUrl,
    wsUrl: chain.wsUrl,
    basePort: 0,
    dryRun: false,
    frameSecs: FRAME,
    fastLaneSecs: 3,
    emaHalfLifeSecs: 10,
    epochSecs: 5,
    write: (line) => lines.push(line),
  });
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  // The fleet's lines stay with the chain's demo directory, for a failure's post-mortem.
  if (chain) writeFileSync(join(chain.demoDir, "fleet.log"), lines.join("\n"));
  await chain?.stop();
});

describe("keeper fleet on the demo world", () => {
  it("over four frames every frame gets its report and the report is never older than 1.5 frames", async () => {
    const committee = decodeCommittee((await connection.getAccountInfo(committeeAddress(lrtMint)))!.data);
    expect(committee.frames.frameSecs).toBe(FRAME);
    const reported = new Set<bigint>();
    let worstAge = 0n;
    const first = (await feed()).lastReportFrame;
    const deadline = Date.now() + 7 * FRAME * 1000;
    while (Date.now() < deadline && reported.size < 4) {
      const [f, now] = await Promise.all([feed(), chainNow()]);
      if (f.lastReportFrame > first) reported.add(f.lastReportFrame);
      if (f.lastReportFrame > first && now - f.lastReportRefTs > worstAge) worstAge = now - f.lastReportRefTs;
      await sleep(500);
    }
    const frames = [...reported].sort((a, b) => (a < b ? -1 : 1));
    expect(frames.length).toBe(4);
    // Consecutive: no frame went without its report.
    for (let i = 1; i < frames.length; i++) expect(frames[i]! - frames[i - 1]!).toBe(1n);
    expect(Number(worstAge)).toBeLessThanOrEqual(FRAME * 1.5);
    // One data transaction per frame, usually: the stagger lets the first voter of the rotation send it.
    const data = lines.filter((l) => l.includes('"report data"') && l.includes('"result":"ok"')).length;
    expect(data).toBeGreaterThanOrEqual(4);
  }, 150_000);

  it(
    "a slashing reported by the committee (held, confirmed by the guardian) gets the 9× position liquidated",
    async () => {
      const manifest = readDemoManifest(chain.demoDir);
      const trader = new PublicKey(manifest.wallets.trader.pubkey);
      const before = await waitFor("the demo positions", async () => {
        const s = await sub(trader, 1).catch(() => undefined);
        return s && s.debtShares > 0n ? s : undefined;
      });
      await waitFor("stake with the validators", async () => lines.some((l) => l.includes("delegated 80%")));
      // 10% of the validators' stake is ~8% of the pool: the 9× position (liquidatable below −4.7%) goes, the 6× stays.
      expect(await fleet.command("slash 10%")).toMatch(/slashed 10\.00%/);
      const after = await waitFor(
        "the liquidation",
        async () => {
          const s = await sub(trader, 1);
          return s.debtShares < before.debtShares ? s : undefined;
        },
        LOADED_WAIT_MS,
      );
      expect(after.collateral).toBeLessThan(before.collateral);
      expect(lines.some((l) => l.includes('"message":"liquidation"') && l.includes('"result":"landed"'))).toBe(true);
      // The 6× position is healthy at this price and stays untouched.
      const six = await sub(trader, 2);
      expect(six.debtShares).toBeGreaterThan(0n);
      expect(
        lines.some(
          (l) =>
            l.includes('"message":"liquidation"') &&
            l.includes(subAccountAddress(marketAddress(lendingPoolAddress(), lrtMint), trader, 2).toBase58()),
        ),
      ).toBe(false);
    },
    LOADED_WAIT_MS + 60_000,
  );

  it(
    "a sustained depeg through the PriceSource moves the EMA and gets the 6× position liquidated",
    async () => {
      const committee = decodeCommittee((await connection.getAccountInfo(committeeAddress(lrtMint)))!.data);
      // The demo market shortens the EMA half-life so a depeg reaches the maintenance price in seconds.
      expect(committee.limits.emaHalfLifeSecs, lines.find((l) => l.includes("could not shorten")) ?? "").toBe(10);
      const trader = new PublicKey(readDemoManifest(chain.demoDir).wallets.trader.pubkey);
      const before = await sub(trader, 2);
      expect(await fleet.command("depeg 20%")).toMatch(/depeg 20\.00%/);
      const after = await waitFor(
        "the depeg liquidation",
        async () => {
          const s = await sub(trader, 2);
          return s.debtShares < before.debtShares ? s : undefined;
        },
        LOADED_WAIT_MS,
      );
      expect(after.collateral).toBeLessThan(before.collateral);
      await fleet.command("recover");
    },
    LOADED_WAIT_MS + 60_000,
  );

  it("4 members down: reports continue; 5 down: no quorum and the feed goes stale; back up: reports resume", async () => {
    for (const i of [0, 1, 2, 3]) fleet.kill(`member-${i}`);
    const start = (await feed()).lastReportFrame;
    await waitFor(
      "two reports with 4 members down",
      async () => (await feed()).lastReportFrame >= start + 2n,
      5 * FRAME * 1000,
    );
    fleet.kill("member-4");
    const stale = await waitFor(
      "the feed going stale with 5 members down",
      async () => {
        const [f, now] = await Promise.all([feed(), chainNow()]);
        return now - f.lastReportRefTs > BigInt(f.maxReportAgeSecs) ? f : undefined;
      },
      5 * FRAME * 1000,
    );
    for (const i of [0, 1, 2, 3, 4]) fleet.revive(`member-${i}`);
    await waitFor(
      "reports resuming",
      async () => (await feed()).lastReportFrame > stale.lastReportFrame,
      8 * FRAME * 1000,
    );
  }, 300_000);
});
