// Unit tests of the keeper's pieces: configuration, the RPC policy against a scripted HTTP endpoint,
// the journal's durability, the member and cranker workers on test layers under Effect's TestClock.
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AppConfig,
  ChainClock,
  classify,
  classifyLiquidation,
  computeReport,
  decodeConfig,
  describeConfig,
  Journal,
  loadConfig,
  AccountStore,
  makeCranker,
  makeLiquidator,
  makeMember,
  openJournal,
  parseCommand,
  parseRetryAfter,
  percentile,
  PriorityFees,
  PriorityFeesLive,
  priorityFee,
  PriceSource,
  reconcile,
  Protocol,
  seizedValue,
  Rpc,
  RpcError,
  RpcLive,
  shardOf,
  StakeSource,
  toWad,
  TxEngine,
  type TxIntent,
  Wallet,
  WalletLive,
  feePayerFor,
  signersOf,
  MAX_FEE_ACCOUNTS,
  metrics,
} from "@lantern/keeper";
import {
  LanternProgramError,
  type Committee,
  DEFAULT_RISK_PARAMS,
  LiquidationFrontier,
  MARGIN_PROGRAM_ID,
  RESTAKING_PROGRAM_ID,
  type Feed,
  oracleInstructions,
  submitReportHash,
  WAD,
} from "@lantern/sdk";
import { Keypair, PublicKey } from "@solana/web3.js";
import { Cause, Effect, Exit, Layer, Metric, Redacted, TestClock, TestContext } from "effect";
import { beforeAll, describe, expect, it } from "vitest";

const tmp = () => mkdtempSync(join(tmpdir(), "keeper-unit-"));
const MINT = Keypair.generate().publicKey.toBase58();
const base = { lrtMint: MINT, roles: ["cranker"], rpc: { urls: ["http://127.0.0.1:1"] } };
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e);
const failureMessage = async <A>(e: Effect.Effect<A, { message: string }>) => {
  const exit = await Effect.runPromiseExit(e);
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const f = Cause.failureOption(exit.cause);
  return f._tag === "Some" ? f.value.message : Cause.pretty(exit.cause);
};

describe("configuration", () => {
  it("decodes defaults, monikers and environment overrides; secrets stay redacted", async () => {
    const dir = tmp();
    const file = join(dir, "keeper.yaml");
    writeFileSync(
      file,
      `lrtMint: ${MINT}\nroles: [liquidator]\nrpc:\n  urls: [localhost, d]\nliquidator:\n  minProfitLamports: 5000\n`,
    );
    const secret = JSON.stringify(Array.from(Keypair.generate().secretKey));
    const config = await run(
      loadConfig(file, { shard: "1/3" }, { LANTERN_KEEPER_KEYPAIR: secret, LANTERN_KEEPER_HTTP_PORT: "0" }),
    );
    expect(config.rpc.urls).toEqual(["http://127.0.0.1:8899", "https://api.devnet.solana.com"]);
    expect(config.liquidator).toMatchObject({ shard: "1/3", minProfitLamports: 5000n, cooldownSecs: 10 });
    expect(config.http.port).toBe(0);
    expect(Redacted.isRedacted(config.keypair)).toBe(true);
    expect(JSON.stringify(describeConfig(config))).not.toContain(secret.slice(1, 20));
    expect(String(config.keypair)).toBe("<redacted>");
    const wallet = await run(Effect.provide(Wallet, WalletLive.pipe(Layer.provide(AppConfig.layer(config)))));
    expect(wallet.keypair.secretKey).toEqual(Uint8Array.from(JSON.parse(secret)));
  });

  it("keeper.example.yaml is a valid configuration", async () => {
    const config = await run(loadConfig(join(import.meta.dirname, "../../keeper/keeper.example.yaml"), {}, {}));
    expect(config.roles).toEqual(["cranker", "liquidator"]);
    expect(config.rpc.urls[1]).toBe("https://api.mainnet-beta.solana.com");
  });

  it("refuses bad values, unknown fields, a bad shard, a missing member section and a missing keypair with sentences", async () => {
    const bad = await failureMessage(decodeConfig({ ...base, rpc: { urls: [] }, typo: 1 }, "keeper.yaml"));
    expect(bad).toMatch(/The keeper configuration \(keeper\.yaml\) is invalid/);
    expect(bad).toMatch(/urls/);
    expect(bad).toMatch(/typo/);
    expect(await failureMessage(decodeConfig({ ...base, lrtMint: "not-a-key" }, "x"))).toMatch(
      /not a base58 Solana address/,
    );
    expect(await failureMessage(decodeConfig({ ...base, liquidator: { shard: "3/3" } }, "x"))).toMatch(/0 ≤ k < N/);
    expect(await failureMessage(decodeConfig({ ...base, roles: ["member"] }, "x"))).toMatch(/needs a "member" section/);
    expect(await failureMessage(loadConfig("/nonexistent/keeper.yaml"))).toMatch(/Cannot read the configuration file/);
    const config = await run(decodeConfig({ ...base, keypairPath: "/nonexistent/id.json" }, "x"));
    expect(
      await failureMessage(Effect.provide(Wallet, WalletLive.pipe(Layer.provide(AppConfig.layer(config))))),
    ).toMatch(/Cannot read the keypair file \/nonexistent\/id\.json \(ENOENT\)/);
  });
});

describe("per-role fee payers", () => {
  it("a role with its own payer is paid by it, the keypair still signs as the authority; a missing payer file is a sentence", async () => {
    const dir = tmp();
    const authority = Keypair.generate();
    const liquidatorPayer = Keypair.generate();
    const write = (name: string, k: Keypair) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify([...k.secretKey]));
      return path;
    };
    const config = await run(
      decodeConfig(
        {
          ...base,
          keypairPath: write("id.json", authority),
          feePayers: { liquidator: write("liquidator-payer.json", liquidatorPayer) },
        },
        "x",
      ),
    );
    const wallet = await run(Effect.provide(Wallet, WalletLive.pipe(Layer.provide(AppConfig.layer(config)))));
    expect(feePayerFor(wallet, "liquidator").publicKey.equals(liquidatorPayer.publicKey)).toBe(true);
    expect(feePayerFor(wallet, "member").publicKey.equals(authority.publicKey)).toBe(true);
    expect(feePayerFor(wallet, undefined).publicKey.equals(authority.publicKey)).toBe(true);
    // An instruction that needs the authority's signature: the payer pays, the authority signs too.
    const needsAuthority = {
      programId: PublicKey.default,
      keys: [{ pubkey: authority.publicKey, isSigner: true, isWritable: false }],
      data: Buffer.alloc(0),
    };
    const keys = (signers: Keypair[]) => signers.map((k) => k.publicKey.toBase58());
    expect(keys(signersOf(wallet, { kind: "t", role: "liquidator", instructions: [needsAuthority] }))).toEqual(
      keys([liquidatorPayer, authority]),
    );
    // One that does not: the authority is not added (web3.js refuses an unknown signer).
    const noSigner = { ...needsAuthority, keys: [] };
    expect(keys(signersOf(wallet, { kind: "t", role: "liquidator", instructions: [noSigner] }))).toEqual(
      keys([liquidatorPayer]),
    );
    expect(keys(signersOf(wallet, { kind: "t", role: "cranker", instructions: [needsAuthority] }))).toEqual(
      keys([authority]),
    );
    const missing = await run(
      decodeConfig({ ...base, keypairPath: join(dir, "id.json"), feePayers: { cranker: "/nonexistent/p.json" } }, "x"),
    );
    expect(
      await failureMessage(Effect.provide(Wallet, WalletLive.pipe(Layer.provide(AppConfig.layer(missing))))),
    ).toMatch(
      /Cannot read the cranker fee payer keypair file \/nonexistent\/p\.json \(ENOENT\); check feePayers\.cranker/,
    );
  });
});

describe("small pieces", () => {
  it("classifies RPC failures and reads Retry-After", () => {
    expect(classify(new Error("429 Too Many Requests: slow down"))).toBe("RateLimited");
    expect(classify(Object.assign(new Error("x"), { name: "TimeoutError" }))).toBe("Timeout");
    expect(classify(new TypeError("fetch failed"))).toBe("Unavailable");
    expect(classify(Object.assign(new Error("Method not found"), { code: -32601 }))).toBe("Rejected");
    expect(classify(Object.assign(new Error("node is behind"), { code: -32005 }))).toBe("Unavailable");
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("percentiles, decimals, shards and demo commands", () => {
    expect(percentile([5, 1, 3, 2, 4], 75)).toBe(4);
    expect(percentile([], 75)).toBe(0);
    expect(toWad("1.5")).toBe((3n * WAD) / 2n);
    expect(toWad("0.000000000000000001")).toBe(1n);
    expect(toWad("-1")).toBeUndefined();
    const keys = Array.from({ length: 400 }, () => Keypair.generate().publicKey);
    const counts = [0, 0, 0, 0];
    for (const k of keys) counts[shardOf(k, 4)]!++;
    expect(counts.every((c) => c > 60)).toBe(true);
    expect(parseCommand("depeg 5% 10m")).toEqual({ kind: "depeg", fraction: 0.05, minutes: 10 });
    expect(parseCommand("slash 3%")).toEqual({ kind: "slash", fraction: 0.03 });
    expect(parseCommand("depeg 150%")).toMatchObject({ kind: "invalid" });
    expect(parseCommand("moon")).toMatchObject({ kind: "invalid", message: expect.stringMatching(/Unknown command/) });
  });

  it("classifies liquidation outcomes", () => {
    const refused = (name: string, program: "margin" | "restaking" = "margin") => ({
      _tag: "Refused" as const,
      stage: "simulation" as const,
      error: new LanternProgramError({
        program,
        name,
        code: 6012,
        message: name,
        instructionIndex: 2,
        programId: null,
        transactionError: {},
      }),
    });
    expect(classifyLiquidation({ _tag: "Landed", signature: "s", slot: 1, confirmMs: 1 }, true)).toBe("landed");
    expect(classifyLiquidation(refused("NotLiquidatable"), true)).toBe("outcompeted");
    expect(classifyLiquidation(refused("NotLiquidatable"), false)).toBe("healthy");
    expect(classifyLiquidation(refused("FeedStale"), false)).toBe("stale");
    // The exit bundled with the liquidation found the reserve drained by someone else's exit.
    expect(classifyLiquidation(refused("InsufficientLiquidity", "restaking"), false)).toBe("outcompeted");
    expect(classifyLiquidation(refused("InsufficientLiquidity", "margin"), false)).toBe("error");
    expect(classifyLiquidation({ _tag: "Expired", signatures: ["a"] }, false)).toBe("error");
  });

  it("values seized LRT by its exit: the reserve's share at the unstake quote, the rest at the lower of quote and market", () => {
    const SOL = 1_000_000_000n;
    const pool = { reserveLamports: 12n * SOL, lockedLamports: 2n * SOL, instantUnstakeFeeBps: 30 };
    // A depeg: the market's maintenance price 0.80, the exit rate 0.92 SOL per LRT.
    const price = (WAD * 80n) / 100n;
    const rate = (WAD * 92n) / 100n;
    const instant = { policy: "instant" as const, pool, rate, held: 0n };
    const worth = (...args: Parameters<typeof seizedValue>) => seizedValue(...args).lamports;
    // gross = floor(lrt × 0.92), fee = ceil(gross × 0.003), payout = gross − fee.
    const payout = (lrt: bigint) => {
      const gross = (lrt * 92n) / 100n;
      return gross - (gross * 30n + 9_999n) / 10_000n;
    };
    // 5 LRT fit the 10 SOL liquid: all at the quote, above the market's 4 SOL.
    expect(worth(5n * SOL, price, instant)).toBe(payout(5n * SOL));
    // 20 LRT: the reserve takes floor(10 / 0.92) LRT, the rest is worth its market price (lower than the quote).
    const room = (10n * SOL * 100n) / 92n;
    expect(worth(20n * SOL, price, instant)).toBe(payout(room) + ((20n * SOL - room) * 80n) / 100n);
    // LRT already waiting to exit takes the room first.
    expect(worth(5n * SOL, price, { ...instant, held: room })).toBe(4n * SOL);
    expect(worth(5n * SOL, price, { ...instant, held: room - SOL })).toBe(payout(SOL) + (4n * SOL * 80n) / 100n);
    // At a premium the rest is worth no more than the exit pays.
    expect(worth(20n * SOL, WAD, instant)).toBe(payout(room) + payout(20n * SOL - room));
    // Queued or held: the market's price, whatever the reserve.
    expect(worth(5n * SOL, price, { ...instant, policy: "queue" })).toBe(4n * SOL);
    expect(worth(5n * SOL, price, { ...instant, policy: "hold" })).toBe(4n * SOL);
    // Dust the unstake would pay nothing for is worth nothing through it.
    expect(worth(1n, price, instant)).toBe(0n);
    // What can leave at once: the reserve's share, none when queued or held.
    expect(seizedValue(20n * SOL, price, instant).instantLrt).toBe(room);
    expect(seizedValue(5n * SOL, price, instant).instantLrt).toBe(5n * SOL);
    expect(seizedValue(5n * SOL, price, { ...instant, held: room }).instantLrt).toBe(0n);
    expect(seizedValue(5n * SOL, price, { ...instant, policy: "queue" }).instantLrt).toBe(0n);
  });

  it("reports the pool's backing per LRT, capped at the oracle's annual increase limit", () => {
    const committee = {
      consensusVersion: 1n,
      frames: { anchorTs: 1_000n, anchorFrame: 1n, frameSecs: 100, fastLaneSecs: 0 },
      limits: { annualIncreaseLimitBps: 1_500 },
    } as unknown as Committee;
    const lrtMint = new PublicKey(MINT);
    const fair = computeReport({
      lrtMint,
      frame: 2n,
      committee,
      feed: { reportedRate: WAD, lastReportRefTs: 1_000n },
      reserveLamports: 30n,
      lockedLamports: 10n,
      stakedLamports: 80n,
      lrtSupply: 100n,
    });
    expect(fair.rate).toBe(WAD);
    expect(fair.stakedLamports).toBe(80n);
    // 10% more SOL after 100 s is far beyond 15%/year: reported at the limit.
    const capped = computeReport({
      lrtMint,
      frame: 2n,
      committee,
      feed: { reportedRate: WAD, lastReportRefTs: 1_000n },
      reserveLamports: 30n,
      lockedLamports: 10n,
      stakedLamports: 90n,
      lrtSupply: 100n,
    });
    expect(capped.rate).toBe(WAD + (1_500n * WAD * 100n) / (31_536_000n * 10_000n));
    const empty = computeReport({
      lrtMint,
      frame: 2n,
      committee,
      feed: { reportedRate: 7n * WAD, lastReportRefTs: 1_000n },
      reserveLamports: 0n,
      lockedLamports: 0n,
      stakedLamports: 0n,
      lrtSupply: 0n,
    });
    expect(empty.rate).toBe(7n * WAD);
  });
});

describe("journal", () => {
  it("survives SIGKILL: an intent recorded by a killed process is there after reopening, and is finished exactly once", async () => {
    const path = join(tmp(), "journal.sqlite");
    const script = `
      import { Effect } from "effect";
      import { openJournal } from "@lantern/keeper";
      await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const j = yield* openJournal(${JSON.stringify(path)});
        yield* j.begin("liq:A", "liquidate");
        yield* j.addSignature({ signature: "sig1", intentKey: "liq:A", raw: "AA==", blockhash: "h", lastValidBlockHeight: 42, sentMs: 1 });
        process.kill(process.pid, "SIGKILL");
      })));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: join(import.meta.dirname, "../.."),
      encoding: "utf8",
    });
    expect(child.signal).toBe("SIGKILL");
    await run(
      Effect.scoped(
        Effect.gen(function* () {
          const j = yield* openJournal(path);
          expect((yield* j.open).map((i) => [i.key, i.status])).toEqual([["liq:A", "sent"]]);
          expect((yield* j.signatures("liq:A"))[0]).toMatchObject({ signature: "sig1", lastValidBlockHeight: 42 });
          yield* j.finish("liq:A", "landed", "sig1");
          const again = yield* Effect.either(j.finish("liq:A", "expired"));
          expect(again._tag).toBe("Left");
          expect(yield* j.get("liq:A")).toMatchObject({ status: "landed" });
        }),
      ),
    );
  });
});

describe("journal reconciliation", () => {
  it("refuses a journal written on another cluster, with a sentence", async () => {
    const path = join(tmp(), "journal.sqlite");
    const rpc = (genesis: string) =>
      Layer.succeed(Rpc, {
        endpoints: [],
        commitment: "confirmed",
        subscriptions: undefined as never,
        call: (<A>(method: string, f: (c: { getGenesisHash: () => Promise<string> }) => Promise<A>) =>
          method === "getGenesisHash"
            ? Effect.promise(() => f({ getGenesisHash: async () => genesis }))
            : Effect.die(`unexpected ${method}`)) as never,
      });
    const journal = Layer.scoped(Journal, openJournal(path));
    await run(
      reconcile({ rebroadcast: false }).pipe(Effect.provide(Layer.merge(rpc("GenesisA"), journal)), Effect.scoped),
    );
    const exit = await Effect.runPromiseExit(
      reconcile({ rebroadcast: false }).pipe(Effect.provide(Layer.merge(rpc("GenesisB"), journal)), Effect.scoped),
    );
    expect(Exit.isFailure(exit)).toBe(true);
    expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toMatch(
      /written on another cluster \(genesis GenesisA\); this endpoint's genesis is GenesisB/,
    );
  });
});

/** A JSON-RPC endpoint whose answers each test scripts. */
function scriptedEndpoint(
  handler: (
    method: string,
    count: number,
    params: unknown[],
  ) => { status: number; headers?: Record<string, string>; body?: unknown } | "hang",
) {
  let count = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
      const answer = handler(method, count++, params ?? []);
      if (answer === "hang") return;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      const reply = answer.body ?? { jsonrpc: "2.0", result: 1234 };
      res.end(JSON.stringify((reply as { jsonrpc?: string }).jsonrpc ? { ...(reply as object), id } : reply));
    });
  });
  return {
    server,
    requests: () => count,
    url: () =>
      new Promise<string>((r) =>
        server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
      ),
  };
}

describe("priority fees", () => {
  it("the percentile of the non-zero per-slot samples, never above the cap", () => {
    // Zeros are slots where nobody competed for these accounts: counting them would price at nothing.
    expect(priorityFee([0, 0, 0, 0, 10, 40, 20, 30], 75, 1_000)).toEqual({ microLamports: 30, capped: false });
    expect(priorityFee([0, 0, 10, 40, 20, 30], 50, 1_000)).toEqual({ microLamports: 20, capped: false });
    expect(priorityFee([10, 40, 20, 30], 100, 25)).toEqual({ microLamports: 25, capped: true });
    expect(priorityFee([0, 0, 0], 75, 1_000)).toEqual({ microLamports: 0, capped: false });
  });

  const feesFor = async (url: string, fees: Record<string, number>, writable: PublicKey[]) => {
    const config = await run(
      decodeConfig({ ...base, rpc: { urls: [url], timeoutMs: 300, baseDelayMs: 20, maxDelayMs: 50 }, fees }, "test"),
    );
    return run(
      Effect.flatMap(PriorityFees, (f) => f.microLamportsFor(writable)).pipe(
        Effect.provide(PriorityFeesLive.pipe(Layer.provide(RpcLive), Layer.provide(AppConfig.layer(config)))),
      ),
    );
  };
  const gauge = async () => (await run(Metric.value(metrics.priorityFee))).value;

  it("asks getRecentPrioritizationFees about the accounts the transaction locks (at most 128), caps, and falls back when the estimate fails", async () => {
    let asked: string[] = [];
    const samples = [0, 500, 0, 1_500, 2_500, 0, 3_500].map((prioritizationFee, i) => ({
      slot: 100 + i,
      prioritizationFee,
    }));
    const endpoint = scriptedEndpoint((method, _n, params) => {
      if (method !== "getRecentPrioritizationFees") return { status: 400, body: { error: "unexpected" } };
      asked = (params[0] as string[]) ?? [];
      return { status: 200, body: { jsonrpc: "2.0", result: samples } };
    });
    const url = await endpoint.url();
    const writable = Array.from({ length: 200 }, () => Keypair.generate().publicKey);
    // p75 of the non-zero [500, 1500, 2500, 3500] is 2500.
    expect(await feesFor(url, { percentile: 75, maxMicroLamports: 10_000 }, writable)).toBe(2_500);
    expect(asked).toEqual(writable.slice(0, MAX_FEE_ACCOUNTS).map((k) => k.toBase58()));
    expect(await gauge()).toBe(2_500);
    expect(await feesFor(url, { percentile: 75, maxMicroLamports: 2_000 }, writable.slice(0, 3))).toBe(2_000);
    expect(asked.length).toBe(3);
    endpoint.server.close();

    const down = scriptedEndpoint(() => ({ status: 503, body: { error: "down" } }));
    const downUrl = await down.url();
    expect(await feesFor(downUrl, { fallbackMicroLamports: 1_234, maxMicroLamports: 10_000 }, writable)).toBe(1_234);
    // The fallback is capped too.
    expect(await feesFor(downUrl, { fallbackMicroLamports: 50_000, maxMicroLamports: 10_000 }, writable)).toBe(10_000);
    expect(await gauge()).toBe(10_000);
    down.server.close();
  });
});

describe("rpc policy", () => {
  const rpcLayer = async (urls: string[], rpc: Record<string, number> = {}) =>
    RpcLive.pipe(
      Layer.provide(
        AppConfig.layer(
          await run(
            decodeConfig({ ...base, rpc: { urls, timeoutMs: 300, baseDelayMs: 50, maxDelayMs: 400, ...rpc } }, "test"),
          ),
        ),
      ),
    );

  it("waits at least Retry-After after a 429, then succeeds; web3.js's own retry does not add requests", async () => {
    const endpoint = scriptedEndpoint((_m, n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "1" }, body: { error: "slow down" } } : { status: 200 },
    );
    const url = await endpoint.url();
    const started = Date.now();
    const slot = await run(
      Effect.flatMap(Rpc, (r) => r.call("getSlot", (c) => c.getSlot())).pipe(
        Effect.provide(await rpcLayer([url], { timeoutMs: 5_000 })),
      ),
    );
    expect(slot).toBe(1234);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(endpoint.requests()).toBe(2);
    endpoint.server.close();
  });

  it("a hung primary times out and the call fails over to the secondary", async () => {
    const primary = scriptedEndpoint(() => "hang");
    const secondary = scriptedEndpoint(() => ({ status: 200 }));
    const urls = [await primary.url(), await secondary.url()];
    const started = Date.now();
    const slot = await run(
      Effect.flatMap(Rpc, (r) => r.call("getSlot", (c) => c.getSlot())).pipe(Effect.provide(await rpcLayer(urls))),
    );
    expect(slot).toBe(1234);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(primary.requests()).toBe(1);
    expect(secondary.requests()).toBe(1);
    primary.server.closeAllConnections();
    primary.server.close();
    secondary.server.close();
  });

  it("gives up after the configured attempts with a classified error; a rejected request is not retried", async () => {
    const down = scriptedEndpoint(() => ({ status: 503, body: { error: "down" } }));
    const url = await down.url();
    const error = await Effect.runPromise(
      Effect.flip(Effect.flatMap(Rpc, (r) => r.call("getSlot", (c) => c.getSlot()))).pipe(
        Effect.provide(await rpcLayer([url], { maxAttempts: 3 })),
      ),
    );
    expect(error).toBeInstanceOf(RpcError);
    expect(error.kind).toBe("Unavailable");
    expect(down.requests()).toBe(3);
    const rejecting = scriptedEndpoint(() => ({
      status: 200,
      body: { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params" } },
    }));
    const url2 = await rejecting.url();
    const rejected = await Effect.runPromise(
      Effect.flip(Effect.flatMap(Rpc, (r) => r.call("getSlot", (c) => c.getSlot()))).pipe(
        Effect.provide(await rpcLayer([url2])),
      ),
    );
    expect(rejected.kind).toBe("Rejected");
    expect(rejecting.requests()).toBe(1);
    down.server.close();
    rejecting.server.close();
  });
});

// ---- Workers on test layers ----

const GENESIS = 1_000_000n;
const FRAME = 60;

function testWorld(options: { members: PublicKey[]; quorum: number; fastLaneSecs?: number }) {
  const member = (signer: PublicKey) => ({
    authority: signer,
    signer,
    voteFrame: 0n,
    voteHash: new Uint8Array(32),
    price: WAD,
    priceTs: 0n,
  });
  const committee = {
    quorum: options.quorum,
    memberCount: options.members.length,
    paused: false,
    consensusDisabled: false,
    consensusVersion: 1n,
    frames: { anchorTs: GENESIS, anchorFrame: 1n, frameSecs: FRAME, fastLaneSecs: options.fastLaneSecs ?? 0 },
    limits: { annualIncreaseLimitBps: 1_500, maxPriceAgeSecs: 60 },
    lastProcessedFrame: 0n,
    members: options.members.map(member),
  } as unknown as Committee;
  const feed = {
    reportedRate: WAD,
    fairRate: WAD,
    lastReportRefTs: GENESIS,
    maxReportAgeSecs: 90,
    bunker: false,
  } as unknown as Feed;
  return { committee, feed };
}

const sent: TxIntent[] = [];
function workerLayers(
  world: ReturnType<typeof testWorld>,
  keypair: Keypair,
  journalPath: string,
  price: { age: number } | "fail",
) {
  const lrtMint = new PublicKey(MINT);
  const nowSecs = Effect.map(
    Effect.clockWith((c) => c.currentTimeMillis),
    (ms) => GENESIS + BigInt(Math.floor(ms / 1000)),
  );
  const protocol = Layer.succeed(Protocol, {
    lrtMint,
    addresses: {} as never,
    committee: Effect.sync(() => world.committee),
    feed: Effect.sync(() => world.feed),
    stakePool: Effect.succeed({ reserveLamports: 100n * WAD, lockedLamports: 0n, stakedLamports: 0n } as never),
    lendingPool: Effect.succeed({ lastAccrualTs: GENESIS } as never),
    market: Effect.die("unused"),
    subAccount: () => Effect.die("unused"),
    lrtSupply: Effect.succeed(100n * WAD),
    tokenBalance: () => Effect.succeed(0n),
  });
  const clock = Layer.succeed(ChainClock, { current: Effect.die("unused"), now: nowSecs, fresh: Effect.succeed(true) });
  const tx = Layer.succeed(TxEngine, {
    execute: (intent) =>
      Effect.sync(() => {
        sent.push(intent);
        return { _tag: "Landed", signature: "sig", slot: 1, confirmMs: 1 } as const;
      }),
    simulate: () => Effect.succeed({}),
  });
  const rpc = Layer.succeed(Rpc, {
    endpoints: [],
    commitment: "confirmed",
    subscriptions: undefined as never,
    call: (method) =>
      Effect.fail(new RpcError({ kind: "Rejected", method, endpoint: "test", message: "Method not found" })),
  });
  const config = Effect.runSync(
    decodeConfig(
      {
        ...base,
        roles: ["member", "cranker"],
        member: {
          priceIntervalSecs: 10,
          stakeSource: { kind: "tokenAccount", address: MINT },
          priceSource: { kind: "fixed", price: 1 },
        },
        cranker: { accrueAfterSecs: 300 },
      },
      "test",
    ),
  );
  const stake = Layer.succeed(StakeSource, { name: "test", stakedLamports: Effect.succeed(0n) });
  const prices = Layer.succeed(PriceSource, {
    name: "test",
    observe:
      price === "fail"
        ? Effect.fail({ _tag: "SourceError", source: "test", reason: "Unreachable", message: "down" } as never)
        : Effect.map(nowSecs, (now) => ({ price: WAD - 1_000n, observedAt: Number(now) - price.age })),
  });
  const journal = Layer.scoped(Journal, openJournal(journalPath));
  return Layer.mergeAll(
    protocol,
    clock,
    tx,
    rpc,
    stake,
    prices,
    journal,
    AppConfig.layer(config),
    Layer.succeed(Wallet, { keypair }),
  );
}

describe("oracle member worker (TestClock)", () => {
  beforeAll(() => {
    sent.length = 0;
  });

  it("votes for the frame's report, sends data when its hash holds quorum, and observes prices on its interval", async () => {
    const keys = Array.from({ length: 3 }, () => Keypair.generate());
    const world = testWorld({ members: keys.map((k) => k.publicKey), quorum: 2 });
    const layers = workerLayers(world, keys[0]!, join(tmp(), "j.sqlite"), { age: 2 });
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.adjust("5 seconds");
        const worker = yield* makeMember;
        yield* worker.iteration;
        expect(sent.map((i) => i.key.split(":")[0])).toEqual(["vote"]);
        const report = oracleInstructions.accountingReport({
          lrtMint: new PublicKey(MINT),
          frame: 1n,
          rate: WAD,
          stakedLamports: 0n,
          consensusVersion: 1n,
        });
        const hash = submitReportHash(report);
        // Our vote landed.
        Object.assign(world.committee.members[0]!, { voteFrame: 1n, voteHash: hash });
        yield* TestClock.adjust("12 seconds");
        yield* worker.iteration;
        expect(sent.map((i) => i.key.split(":")[0])).toEqual(["vote", "price"]);
        // A second member agrees: quorum. Member 1 is first in frame 1's data rotation, so member 0 waits its turn.
        Object.assign(world.committee.members[1]!, { voteFrame: 1n, voteHash: hash });
        sent.length = 0;
        yield* worker.iteration;
        expect(sent.filter((i) => i.key.startsWith("data:"))).toEqual([]);
        yield* TestClock.adjust("5 seconds");
        yield* worker.iteration;
        const data = sent.filter((i) => i.key.startsWith("data:"));
        expect(data.length).toBe(1);
        // A price every 10 s, not every tick.
        expect(sent.filter((i) => i.key.startsWith("price:")).length).toBe(0);
        yield* TestClock.adjust("5 seconds");
        yield* worker.iteration;
        expect(sent.filter((i) => i.key.startsWith("price:")).length).toBe(1);
      }).pipe(Effect.provide(layers), Effect.provide(TestContext.TestContext), Effect.scoped),
    );
  });

  it("during the fast lane a member outside the subset waits; stale or failed price reads are skipped, never sent", async () => {
    sent.length = 0;
    const keys = Array.from({ length: 3 }, () => Keypair.generate());
    const world = testWorld({ members: keys.map((k) => k.publicKey), quorum: 2, fastLaneSecs: 30 });
    // Frame 1's fast lane is members 1 and 2 (start at 1 mod 3): member 0 waits.
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.adjust("5 seconds");
        const worker = yield* makeMember;
        yield* worker.iteration;
        expect(sent).toEqual([]);
        yield* TestClock.adjust("30 seconds");
        yield* worker.iteration;
        expect(sent.map((i) => i.key.split(":")[0])).toEqual(["vote"]);
      }).pipe(
        Effect.provide(workerLayers(world, keys[0]!, join(tmp(), "j.sqlite"), { age: 45 })),
        Effect.provide(TestContext.TestContext),
        Effect.scoped,
      ),
    );
    sent.length = 0;
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.adjust("40 seconds");
        const worker = yield* makeMember;
        yield* worker.iteration;
        expect(sent.filter((i) => i.key.startsWith("price"))).toEqual([]);
      }).pipe(
        Effect.provide(workerLayers(world, keys[1]!, join(tmp(), "j.sqlite"), "fail")),
        Effect.provide(TestContext.TestContext),
        Effect.scoped,
      ),
    );
  });

  it("stops with a sentence when an observation it did not send appears in its slot (a second process with its key)", async () => {
    sent.length = 0;
    const keys = Array.from({ length: 3 }, () => Keypair.generate());
    const world = testWorld({ members: keys.map((k) => k.publicKey), quorum: 2 });
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        yield* TestClock.adjust("10 seconds");
        const worker = yield* makeMember;
        yield* worker.iteration;
        // The first observation waits one interval, watching the slot.
        expect(sent.filter((i) => i.key.startsWith("price"))).toEqual([]);
        Object.assign(world.committee.members[0]!, { priceTs: GENESIS + 12n });
        yield* TestClock.adjust("12 seconds");
        yield* worker.iteration;
      }).pipe(
        Effect.provide(workerLayers(world, keys[0]!, join(tmp(), "j.sqlite"), { age: 1 })),
        Effect.provide(TestContext.TestContext),
        Effect.scoped,
      ),
    );
    expect(Exit.isFailure(exit)).toBe(true);
    expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toMatch(
      /Another process is signing as member 0/,
    );
    expect(sent.filter((i) => i.key.startsWith("price"))).toEqual([]);
  });
});

describe("cranker worker (TestClock)", () => {
  it("skips a fresh accrual and accrues once the pool's last accrual is older than the threshold", async () => {
    sent.length = 0;
    const keys = [Keypair.generate()];
    const world = testWorld({ members: keys.map((k) => k.publicKey), quorum: 1 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const cranker = yield* makeCranker;
        yield* TestClock.adjust("100 seconds");
        yield* cranker.iteration;
        expect(sent.filter((i) => i.kind === "crank-accrue")).toEqual([]);
        yield* TestClock.adjust("250 seconds");
        yield* cranker.iteration;
        expect(sent.filter((i) => i.kind === "crank-accrue").map((i) => i.key)).toEqual([`accrue:${GENESIS}#0`]);
      }).pipe(
        Effect.provide(workerLayers(world, keys[0]!, join(tmp(), "j.sqlite"), { age: 1 })),
        Effect.provide(TestContext.TestContext),
        Effect.scoped,
      ),
    );
  });
});

describe("liquidator worker (TestClock)", () => {
  const SOL = 1_000_000_000n;
  /** The liquidator's own LRT account, when a test sets it (`instant`). */
  const LRT_ACCOUNT = Keypair.generate().publicKey;
  function liquidatorLayers(o: {
    stale: boolean;
    refuse: boolean;
    minProfit?: bigint;
    reportAgeSecs?: number;
    /** Exit seized LRT by instant unstake from a pool with this liquid reserve (else: hold it). */
    instantReserve?: bigint;
  }) {
    const lrtMint = new PublicKey(MINT);
    const address = Keypair.generate().publicKey.toBase58();
    const subAccount = {
      market: PublicKey.default,
      owner: PublicKey.default,
      index: 0,
      collateral: 100n * SOL,
      debtShares: 95n * SOL,
      bump: 0,
      vaultBump: 0,
    };
    const nowSecs = Effect.map(
      Effect.clockWith((c) => c.currentTimeMillis),
      (ms) => GENESIS + BigInt(Math.floor(ms / 1000)),
    );
    const protocol = Layer.succeed(Protocol, {
      lrtMint,
      addresses: {} as never,
      committee: Effect.die("unused"),
      feed: Effect.map(
        nowSecs,
        (now) =>
          ({
            fairRate: WAD,
            reportedRate: WAD,
            held: { frame: 0n, rate: 0n },
            marketPrice: 0n,
            lastReportRefTs: now - BigInt(o.reportAgeSecs ?? (o.stale ? 10_000 : 0)),
            maxReportAgeSecs: 1_000,
            maxPriceAgeSecs: 60,
          }) as never,
      ),
      stakePool: Effect.succeed({
        instantUnstakeFeeBps: 30,
        reserveLamports: o.instantReserve ?? 0n,
        lockedLamports: 0n,
        nextTicket: 0n,
      } as never),
      lendingPool: Effect.succeed({ borrowIndex: WAD, lastAccrualTs: GENESIS + 1_000_000n } as never),
      market: Effect.succeed({ policy: "FairRate", risk: DEFAULT_RISK_PARAMS } as never),
      subAccount: () => Effect.succeed(subAccount as never),
      lrtSupply: Effect.die("unused"),
      // 1,000 SOL of wSOL inventory; no LRT waiting to exit.
      tokenBalance: (account) => Effect.succeed(account.equals(LRT_ACCOUNT) ? 0n : 1_000n * SOL),
    });
    const frontier = LiquidationFrontier.from(
      [{ id: address, debtShares: subAccount.debtShares, collateral: subAccount.collateral }],
      {
        ltBps: DEFAULT_RISK_PARAMS.ltBps,
        baseBorrowIndex: WAD,
      },
    );
    const store = Layer.succeed(AccountStore, {
      get: (a) => (a === address ? { sub: subAccount as never, slot: 7 } : undefined),
      size: () => 1,
      version: () => 1,
      frontier: () => frontier,
      resync: () => Effect.void,
      apply: () => false,
    });
    const tx = Layer.succeed(TxEngine, {
      execute: (intent) =>
        Effect.sync(() => {
          sent.push(intent);
          return o.refuse
            ? ({
                _tag: "Refused",
                stage: "simulation",
                error: new LanternProgramError({
                  program: "margin",
                  name: "NotLiquidatable",
                  code: 6012,
                  message: "healthy",
                  instructionIndex: 2,
                  programId: null,
                  transactionError: {},
                }),
              } as const)
            : ({ _tag: "Landed", signature: "sig", slot: 8, confirmMs: 1 } as const);
        }),
      simulate: () => Effect.succeed({}),
    });
    const clock = Layer.succeed(ChainClock, {
      current: Effect.die("unused"),
      now: nowSecs,
      fresh: Effect.succeed(true),
    });
    const config = Effect.runSync(
      decodeConfig(
        {
          ...base,
          roles: ["liquidator"],
          liquidator: {
            cooldownSecs: 10,
            unstake: o.instantReserve === undefined ? "hold" : "instant",
            lrtAccount: LRT_ACCOUNT.toBase58(),
            minProfitLamports: String(o.minProfit ?? 0n),
          },
        },
        "test",
      ),
    );
    return {
      address,
      layer: Layer.mergeAll(
        protocol,
        store,
        tx,
        clock,
        AppConfig.layer(config),
        Layer.succeed(Wallet, { keypair: Keypair.generate() }),
      ),
    };
  }

  it("attempts a liquidatable sub-account once, classifies a refusal as healthy, and waits out the cooldown before the next attempt", async () => {
    sent.length = 0;
    const { address, layer } = liquidatorLayers({ stale: false, refuse: true });
    await Effect.runPromise(
      Effect.gen(function* () {
        const { worker, drain } = yield* makeLiquidator;
        yield* worker.iteration;
        yield* worker.iteration; // still in flight or cooling down: no second attempt
        yield* drain;
        expect(sent.map((i) => i.key)).toEqual([`liq:${address}:7:${95n * SOL}`]);
        yield* TestClock.adjust("5 seconds");
        yield* worker.iteration;
        yield* drain;
        expect(sent.length).toBe(1);
        yield* TestClock.adjust("6 seconds");
        yield* worker.iteration;
        yield* drain;
        expect(sent.length).toBe(2);
      }).pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext), Effect.scoped),
    );
  });

  /** What one liquidator iteration sends in the world of `options`. */
  async function oneIteration(options: Parameters<typeof liquidatorLayers>[0]) {
    sent.length = 0;
    await Effect.runPromise(
      Effect.gen(function* () {
        const { worker, drain } = yield* makeLiquidator;
        yield* worker.iteration;
        yield* drain;
      }).pipe(Effect.provide(liquidatorLayers(options).layer), Effect.provide(TestContext.TestContext), Effect.scoped),
    );
    return [...sent];
  }

  it("never attempts on a stale feed (nor one within the stale margin), and skips an unprofitable plan", async () => {
    const sentIn = async (options: Parameters<typeof liquidatorLayers>[0]) =>
      (await oneIteration(options)).map((i) => i.kind);
    expect(await sentIn({ stale: true, refuse: false })).toEqual([]);
    // Not stale yet by this keeper's clock, but within the margin (3 s) of it: its clock trails the
    // cluster's and the liquidation would land later, so it waits for the next report.
    expect(await sentIn({ stale: false, refuse: false, reportAgeSecs: 998 })).toEqual([]);
    // Outside the margin it acts (the same world otherwise).
    expect(await sentIn({ stale: false, refuse: false, reportAgeSecs: 996 })).toEqual(["liquidate"]);
    expect(await sentIn({ stale: false, refuse: false, minProfit: 100n * SOL })).toEqual([]);
  });

  it("sends the instant unstake its profit counts on in the liquidation's own transaction", async () => {
    const programsSent = async (instantReserve: bigint) =>
      (await oneIteration({ stale: false, refuse: true, instantReserve })).map((i) =>
        i.instructions.map((ix) => ix.programId.toBase58()),
      );
    const margin = MARGIN_PROGRAM_ID.toBase58();
    const restaking = RESTAKING_PROGRAM_ID.toBase58();
    // The reserve covers the seized LRT: liquidation and exit land together or not at all.
    expect(await programsSent(1_000n * SOL)).toEqual([[margin, restaking]]);
    const [, unstake] = sent[0]!.instructions;
    // Its LRT (u64 after the 8-byte discriminator) is 99% of what the plan seizes, never more than the floor.
    const lrt = unstake!.data.readBigUInt64LE(8);
    expect(lrt).toBeGreaterThan(0n);
    expect(lrt).toBeLessThan(100n * SOL);
    // Its floor is the quote the profit counted on: at the rate 1.0 less the 30 bps fee (rounded up).
    expect(unstake!.data.readBigUInt64LE(16)).toBe(lrt - (lrt * 30n + 9_999n) / 10_000n);
    // An empty reserve: nothing to exit at once, the liquidation alone (the LRT waits for the reserve).
    expect(await programsSent(0n)).toEqual([[margin]]);
  });
});
