// The demo market: what the demo world's keepers observe. It serves the LRT/SOL market price over HTTP
// JSON (the members' PriceSource), plays the validators (staking rewards credited to the stake
// manager's account each epoch: the members' StakeSource), and takes shocks — `depeg 5% [10m]`,
// `slash 3%`, `recover` — on stdin or `POST /command`. As the demo's guardian it confirms a held decrease.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { frameAt, isStale, liquidLamports, oracleInstructions, WAD } from "@lantern/sdk";
import { readDemoManifest } from "@lantern/sdk/node";
import { Connection, PublicKey } from "@solana/web3.js";
import {
  configureDemoFrames,
  creditRewards,
  delegateStake,
  demoKeys,
  fund,
  LanternClient,
  openPosition,
  slashStake,
  stakeManagerWsol,
} from "./world.js";

const SOL = 1_000_000_000n;
const YEAR = 31_536_000;

export interface DemoMarketOptions {
  rpcUrl: string;
  demoDir: string;
  port: number;
  /** Seconds between reward credits. */
  epochSecs: number;
  /** Annual staking yield credited to the validators. */
  apr: number;
  frameSecs?: number;
  fastLaneSecs: number;
  emaHalfLifeSecs: number;
  /** Leveraged positions the demo trader opens once the market is live. */
  positions: boolean;
}

const log = (message: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ timestamp: new Date().toISOString(), message, ...extra }));

/** Parses `depeg 5% [10m]`, `slash 3%`, `recover`; returns a sentence for the operator. */
export function parseCommand(
  line: string,
):
  | { kind: "depeg"; fraction: number; minutes?: number }
  | { kind: "slash"; fraction: number }
  | { kind: "recover" }
  | { kind: "invalid"; message: string } {
  const words = line.trim().toLowerCase().split(/\s+/);
  const pct = (w: string | undefined) => {
    const m = /^(\d+(?:\.\d+)?)%?$/.exec(w ?? "");
    return m ? Number(m[1]) / 100 : undefined;
  };
  if (words[0] === "recover") return { kind: "recover" };
  if (words[0] === "depeg" || words[0] === "slash") {
    const fraction = pct(words[1]);
    if (fraction === undefined || fraction <= 0 || fraction >= 1)
      return {
        kind: "invalid",
        message: `"${line.trim()}": give a percentage between 0 and 100, e.g. "${words[0]} 5%".`,
      };
    if (words[0] === "slash") return { kind: "slash", fraction };
    const m = /^(\d+)m$/.exec(words[2] ?? "");
    return { kind: "depeg", fraction, minutes: m ? Number(m[1]) : undefined };
  }
  return {
    kind: "invalid",
    message: `Unknown command "${line.trim()}": use "depeg 5% [10m]", "slash 3%" or "recover".`,
  };
}

export async function startDemoMarket(o: DemoMarketOptions) {
  const manifest = readDemoManifest(o.demoDir);
  const keys = demoKeys(manifest);
  const connection = new Connection(o.rpcUrl, "confirmed");
  const client = new LanternClient(connection);
  // Fee payers: the demo's roles and every keeper key (members' hot keys, the liquidator).
  const payers = [keys.admin, keys.guardian, keys.stakeManager, keys.trader].map((k) => k.publicKey);
  for (const m of manifest.members) payers.push(new PublicKey(m.signer.pubkey));
  payers.push(new PublicKey(manifest.wallets.liquidator.pubkey));
  for (const p of payers) await fund(connection, p);
  if (o.frameSecs)
    await configureDemoFrames(client, keys, {
      frameSecs: o.frameSecs,
      fastLaneSecs: o.fastLaneSecs,
      emaHalfLifeSecs: o.emaHalfLifeSecs,
    }).catch((e) =>
      log("could not shorten the demo's frames and limits; the world keeps its own", { error: (e as Error).message }),
    );
  const validators = await stakeManagerWsol(connection, keys.stakeManager.publicKey);
  const sink = new PublicKey(manifest.wallets.lender.wsol);

  let fair = (await client.feed(keys.lrtMint)).fairRate;
  let depeg = 0;
  let depegUntil: number | undefined;
  const price = () => {
    if (depegUntil !== undefined && Date.now() > depegUntil) {
      depeg = 0;
      depegUntil = undefined;
      log("depeg over: the market is back at the fair rate");
    }
    return (fair * BigInt(Math.round((1 - depeg) * 1e6))) / 1_000_000n;
  };
  const format = (wad: bigint) => `${wad / WAD}.${(wad % WAD).toString().padStart(18, "0")}`;

  const apply = async (line: string): Promise<string> => {
    const c = parseCommand(line);
    if (c.kind === "invalid") return c.message;
    if (c.kind === "recover") {
      depeg = 0;
      depegUntil = undefined;
      return "recovered: the market price is the fair rate again";
    }
    if (c.kind === "depeg") {
      depeg = c.fraction;
      depegUntil = c.minutes ? Date.now() + c.minutes * 60_000 : undefined;
      return `depeg ${(c.fraction * 100).toFixed(2)}%${c.minutes ? ` for ${c.minutes} min` : " until recover"}: the market price is now ${format(price())} SOL per LRT`;
    }
    const balance = await client.tokenBalance(validators);
    const amount = BigInt(Math.floor(Number(balance) * c.fraction));
    if (amount === 0n) return "nothing is staked yet, so there is nothing to slash";
    await slashStake(client, keys.stakeManager, validators, sink, amount);
    return `slashed ${(c.fraction * 100).toFixed(2)}% of the stake (${amount} lamports); the committee reports it next frame`;
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/price") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          price: format(price()),
          observedAt: Math.floor(Date.now() / 1000),
          fairRate: format(fair),
          depeg,
        }),
      );
      return;
    }
    if (req.method === "POST" && path === "/command") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        apply(body).then(
          (message) => {
            log(message, { command: body.trim() });
            res.writeHead(200, { "content-type": "text/plain" });
            res.end(`${message}\n`);
          },
          (e) => {
            res.writeHead(500, { "content-type": "text/plain" });
            res.end(`The command failed: ${(e as Error).message}\n`);
          },
        );
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("The demo market serves GET /price and POST /command (depeg 5% [10m] | slash 3% | recover)\n");
  });
  await new Promise<void>((r) => server.listen(o.port, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : o.port;
  log("demo market listening", { url: `http://127.0.0.1:${port}/price` });

  let stopped = false;
  // Background: follow the fair rate, open the demo positions once prices are live, stake, pay rewards, confirm held decreases.
  const loop = async () => {
    let opened = !o.positions;
    let lastReward = Date.now();
    while (!stopped) {
      try {
        const feed = await client.feed(keys.lrtMint);
        fair = feed.fairRate;
        if (feed.held.frame !== 0n) {
          await client.send(
            [
              await oracleInstructions.confirmHeldDecrease({
                guardian: keys.guardian.publicKey,
                lrtMint: keys.lrtMint,
                frame: feed.held.frame,
              }),
            ],
            [keys.guardian],
          );
          log("the demo's guardian confirmed the held decrease", { frame: String(feed.held.frame) });
        }
        const now = BigInt(Math.floor(Date.now() / 1000));
        if (!opened && !isStale(feed, now) && feed.marketPrice > 0n && now - feed.marketPriceTs < 30n) {
          const wsol = new PublicKey(manifest.wallets.trader.wsol);
          // Sub-accounts at 9×, 6× and 4× leverage: a 5% depeg liquidates the first, 12% the second, 22% the third.
          for (const [index, equity, borrow] of [
            [1, 5n, 39n],
            [2, 5n, 24n],
            [3, 5n, 14n],
          ] as const) {
            // Opened once per world: a restarted market must not lever the same positions up again.
            const existing = await client.subAccount(keys.lrtMint, keys.trader.publicKey, index);
            if (existing && existing.debtShares > 0n) continue;
            const sub = await openPosition(client, keys.trader, wsol, keys.lrtMint, index, equity * SOL, borrow * SOL);
            log("demo position opened", {
              subAccount: sub.toBase58(),
              equitySol: Number(equity),
              borrowSol: Number(borrow),
            });
          }
          opened = true;
        }
        const pool = await client.stakePool(keys.lrtMint);
        const liquid = liquidLamports(pool);
        if (pool.stakedLamports === 0n && liquid > 10n * SOL) {
          await delegateStake(client, keys, validators, (liquid * 8n) / 10n);
          log("the stake manager delegated 80% of the reserve to the validators", {
            lamports: String((liquid * 8n) / 10n),
          });
        }
        // Rewards arrive once the current frame's report is processed: members all read the same
        // state while they vote (on a real cluster they read the frame's reference slot).
        const committee = await client.committee(keys.lrtMint);
        const frame = frameAt(committee.frames, BigInt(Math.floor(Date.now() / 1000)));
        const reported = frame !== undefined && committee.lastProcessedFrame >= frame;
        if (reported && Date.now() - lastReward >= o.epochSecs * 1000) {
          const staked = await client.tokenBalance(validators);
          const reward = BigInt(Math.floor((Number(staked) * o.apr * (Date.now() - lastReward)) / 1000 / YEAR));
          lastReward = Date.now();
          if (reward > 0n) {
            await creditRewards(connection, client, keys.stakeManager, validators, reward);
            log("epoch rewards credited to the validators", { lamports: String(reward) });
          }
        }
      } catch (e) {
        log("demo market step failed; retrying", { error: (e as Error).message });
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  };
  const running = loop();
  return {
    port,
    apply,
    stop: async () => {
      stopped = true;
      server.close();
      await running;
    },
  };
}

export async function runDemoMarket(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "demo-dir": { type: "string", default: ".localnet" },
      "rpc-url": { type: "string", default: "http://127.0.0.1:8899" },
      port: { type: "string", default: "8990" },
      "epoch-secs": { type: "string", default: "30" },
      apr: { type: "string", default: "0.07" },
      "frame-secs": { type: "string" },
      "fast-lane-secs": { type: "string", default: "0" },
      "ema-half-life-secs": { type: "string", default: "60" },
      "no-positions": { type: "boolean" },
    },
  });
  const market = await startDemoMarket({
    rpcUrl: values["rpc-url"]!,
    demoDir: values["demo-dir"]!,
    port: Number(values.port),
    epochSecs: Number(values["epoch-secs"]),
    apr: Number(values.apr),
    frameSecs: values["frame-secs"] ? Number(values["frame-secs"]) : undefined,
    fastLaneSecs: Number(values["fast-lane-secs"]),
    emaHalfLifeSecs: Number(values["ema-half-life-secs"]),
    positions: !values["no-positions"],
  });
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim())
      market.apply(line).then(
        (m) => log(m, { command: line.trim() }),
        (e) => log(`The command failed: ${(e as Error).message}`),
      );
  });
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await market.stop();
  return 0;
}
