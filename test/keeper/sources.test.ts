// The members' outside sources against real counterparts. StakeSource `stakeAccounts`: real stake
// accounts made on a local chain through the stake program (web3.js StakeProgram), some delegated to a
// vote account made through the vote program, summed by withdraw authority — and an unreachable RPC is a
// tagged error, never a zero. PriceSource `jupiter`: a local HTTP server answering in the documented
// shapes of Jupiter's Price API (v3, and the deprecated v2 with vsToken).
import {
  AppConfig,
  decodeConfig,
  type KeeperConfigInput,
  PriceSource,
  PriceSourceLive,
  RpcLive,
  StakeSource,
  StakeSourceLive,
} from "@lantern/keeper";
import {
  Authorized,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  Lockup,
  type PublicKey,
  sendAndConfirmTransaction,
  StakeProgram,
  Transaction,
  VoteInit,
  VoteProgram,
} from "@solana/web3.js";
import { createServer, type IncomingMessage } from "node:http";
import { Effect, Either, Layer, Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../setup/chain.js";

const MINT = Keypair.generate().publicKey.toBase58();

const memberConfig = (member: Partial<NonNullable<KeeperConfigInput["member"]>>, rpcUrl = "http://127.0.0.1:1") =>
  Effect.runSync(
    decodeConfig(
      {
        lrtMint: MINT,
        roles: ["member"],
        rpc: { urls: [rpcUrl], timeoutMs: 2_000, maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
        member: {
          stakeSource: { kind: "tokenAccount", address: MINT },
          priceSource: { kind: "fixed", price: 1 },
          ...member,
        },
      },
      "test",
    ),
  );

describe("StakeSource over real stake accounts (local chain, stake program)", () => {
  let chain: LocalChain;
  let connection: Connection;
  let payer: Keypair;

  beforeAll(async () => {
    chain = await startLocalChain();
    connection = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
    payer = Keypair.generate();
    const sig = await connection.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction(sig, "confirmed");
  }, 120_000);
  afterAll(async () => {
    await chain?.stop();
  });

  const createStake = async (staker: PublicKey, withdrawer: PublicKey, sol: number) => {
    const stake = Keypair.generate();
    const rent = await connection.getMinimumBalanceForRentExemption(StakeProgram.space);
    const tx = StakeProgram.createAccount({
      fromPubkey: payer.publicKey,
      stakePubkey: stake.publicKey,
      authorized: new Authorized(staker, withdrawer),
      lockup: new Lockup(0, 0, payer.publicKey),
      lamports: rent + sol * LAMPORTS_PER_SOL,
    });
    await sendAndConfirmTransaction(connection, tx, [payer, stake], { commitment: "confirmed" });
    return stake.publicKey;
  };

  const stakedBy = (withdrawAuthority: PublicKey, rpcUrl: string) =>
    Effect.runPromise(
      Effect.either(Effect.flatMap(StakeSource, (s) => s.stakedLamports)).pipe(
        Effect.provide(
          StakeSourceLive.pipe(
            Layer.provide(RpcLive),
            Layer.provide(
              AppConfig.layer(
                memberConfig(
                  { stakeSource: { kind: "stakeAccounts", withdrawAuthority: withdrawAuthority.toBase58() } },
                  rpcUrl,
                ),
              ),
            ),
          ),
        ),
      ),
    );

  it("sums every stake account the pool's authority can withdraw — delegated or not — and nothing else", async () => {
    const pool = Keypair.generate().publicKey;
    const stranger = Keypair.generate().publicKey;
    // A validator: its identity and a vote account (the vote program), to delegate to.
    const node = Keypair.generate();
    const vote = Keypair.generate();
    const voteRent = await connection.getMinimumBalanceForRentExemption(VoteProgram.space);
    await sendAndConfirmTransaction(
      connection,
      VoteProgram.createAccount({
        fromPubkey: payer.publicKey,
        votePubkey: vote.publicKey,
        voteInit: new VoteInit(node.publicKey, node.publicKey, node.publicKey, 5),
        lamports: voteRent + LAMPORTS_PER_SOL,
      }),
      [payer, vote, node],
      { commitment: "confirmed" },
    );

    // The pool's: two delegated (staker = withdrawer = the pool's authority, as a stake pool sets them),
    // one initialized and not delegated (a fresh deposit), one whose staker is someone else.
    const delegatedA = await createStake(payer.publicKey, pool, 2);
    const delegatedB = await createStake(payer.publicKey, pool, 3.25);
    const undelegated = await createStake(pool, pool, 1.5);
    const otherStaker = await createStake(stranger, pool, 0.75);
    for (const stake of [delegatedA, delegatedB])
      await sendAndConfirmTransaction(
        connection,
        new Transaction().add(
          StakeProgram.delegate({
            stakePubkey: stake,
            authorizedPubkey: payer.publicKey,
            votePubkey: vote.publicKey,
          }),
        ),
        [payer],
        { commitment: "confirmed" },
      );
    // Not the pool's: withdrawable by someone else, even with the pool as staker.
    const notOurs = await createStake(pool, stranger, 10);

    // The stake program's own view (jsonParsed by Solana's decoder): what kind of stake each one is.
    const kind = async (k: PublicKey) =>
      ((await connection.getParsedAccountInfo(k, "confirmed")).value!.data as { parsed: { type: string } }).parsed.type;
    expect(await kind(delegatedA)).toBe("delegated");
    expect(await kind(delegatedB)).toBe("delegated");
    expect(await kind(undelegated)).toBe("initialized");

    const ours = [delegatedA, delegatedB, undelegated, otherStaker];
    const balances = await Promise.all(ours.map((k) => connection.getBalance(k, "confirmed")));
    const expected = balances.reduce((a, b) => a + BigInt(b), 0n);
    const result = await stakedBy(pool, chain.rpcUrl);
    expect(result).toEqual(Either.right(expected));
    // The stranger's source sees only the account it can withdraw.
    expect(await stakedBy(stranger, chain.rpcUrl)).toEqual(
      Either.right(BigInt(await connection.getBalance(notOurs, "confirmed"))),
    );
    // An authority with no stake accounts holds nothing (a real zero, from an answer).
    expect(await stakedBy(Keypair.generate().publicKey, chain.rpcUrl)).toEqual(Either.right(0n));
  }, 60_000);

  it("an unreachable RPC is a tagged SourceError (Unreachable), not zero stake", async () => {
    const result = await stakedBy(Keypair.generate().publicKey, "http://127.0.0.1:1");
    expect(Either.isLeft(result)).toBe(true);
    const error = Either.getLeft(result);
    expect(error._tag).toBe("Some");
    if (error._tag === "Some") {
      expect(error.value._tag).toBe("SourceError");
      expect(error.value.reason).toBe("Unreachable");
      expect(error.value.message).toMatch(/getProgramAccounts/);
    }
  });
});

describe("PriceSource jupiter against a server answering in Jupiter's documented shapes", () => {
  const LRT = MINT;
  const WSOL = "So11111111111111111111111111111111111111112";
  const WAD = 10n ** 18n;

  /** A local server answering every GET with what `answer` says; the requests are kept. */
  const server = async (answer: (url: URL) => { status: number; body: unknown }) => {
    const requests: { url: URL; headers: IncomingMessage["headers"] }[] = [];
    const s = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push({ url, headers: req.headers });
      const { status, body } = answer(url);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as { port: number }).port;
    return { base: `http://127.0.0.1:${port}`, requests, close: () => s.close() };
  };

  const observe = (priceSource: NonNullable<KeeperConfigInput["member"]>["priceSource"], apiKey?: string) => {
    const config = memberConfig({ priceSource });
    const withKey = apiKey ? { ...config, priceApiKey: Redacted.make(apiKey) } : config;
    return Effect.runPromise(
      Effect.either(Effect.flatMap(PriceSource, (p) => p.observe)).pipe(
        Effect.provide(PriceSourceLive.pipe(Layer.provide(AppConfig.layer(withKey)))),
      ),
    );
  };

  it("v3: asks for the LRT and SOL in one request, with the API key; the price is the LRT's USD price over SOL's", async () => {
    // The documented v3 answer: token addresses as keys, USD prices as numbers; other fields ignored.
    const entry = (usdPrice: number, decimals: number) => ({
      createdAt: "2024-06-05T08:55:25.527Z",
      liquidity: 621679197.67,
      usdPrice,
      blockId: 348004023,
      decimals,
      priceChange24h: 1.29,
    });
    const jup = await server(() => ({ status: 200, body: { [WSOL]: entry(147.48, 9), [LRT]: entry(158.421, 9) } }));
    const before = Math.floor(Date.now() / 1000);
    const result = await observe({ kind: "jupiter", url: `${jup.base}/price/v3` }, "k3y");
    const after = Math.ceil(Date.now() / 1000);
    expect(Either.isRight(result)).toBe(true);
    const { price, observedAt } = Either.getOrThrow(result);
    // 158.421 / 147.48 = 1.074186330... SOL per LRT (WAD), exact to the float inputs.
    expect(Number(price) / 1e18).toBeCloseTo(158.421 / 147.48, 12);
    expect(price).toBeGreaterThan(WAD);
    expect(observedAt).toBeGreaterThanOrEqual(before);
    expect(observedAt).toBeLessThanOrEqual(after);
    expect(jup.requests.length).toBe(1);
    expect(jup.requests[0]!.url.pathname).toBe("/price/v3");
    expect(jup.requests[0]!.url.searchParams.get("ids")?.split(",").sort()).toEqual([LRT, WSOL].sort());
    expect(jup.requests[0]!.url.searchParams.has("vsToken")).toBe(false);
    expect(jup.requests[0]!.headers["x-api-key"]).toBeUndefined();
    jup.close();

    // With the header configured, the key from LANTERN_KEEPER_PRICE_API_KEY is sent in it.
    const keyed = await server(() => ({ status: 200, body: { [WSOL]: entry(100, 9), [LRT]: entry(95, 9) } }));
    const withKey = await observe({ kind: "jupiter", url: `${keyed.base}/price/v3`, apiKeyHeader: "x-api-key" }, "k3y");
    expect(Either.getOrThrow(withKey).price).toBe((95n * WAD) / 100n);
    expect(keyed.requests[0]!.headers["x-api-key"]).toBe("k3y");
    keyed.close();
  });

  it("v3: a token left out of the answer (no reliable price), an empty answer or an HTTP error is a SourceError, never a price", async () => {
    const entry = { usdPrice: 147.48, blockId: 1, decimals: 9, priceChange24h: 0 };
    const cases: [{ status: number; body: unknown }, string][] = [
      [{ status: 200, body: { [WSOL]: entry } }, "BadResponse"],
      [{ status: 200, body: { [LRT]: entry } }, "BadResponse"],
      [{ status: 200, body: {} }, "BadResponse"],
      [{ status: 200, body: { [LRT]: { ...entry, usdPrice: 0 }, [WSOL]: entry } }, "BadResponse"],
      [{ status: 429, body: { message: "Too many requests" } }, "Unreachable"],
      [{ status: 500, body: { error: "internal" } }, "Unreachable"],
    ];
    for (const [answer, reason] of cases) {
      const jup = await server(() => answer);
      const result = await observe({ kind: "jupiter", url: `${jup.base}/price/v3` });
      jup.close();
      expect(Either.isLeft(result), JSON.stringify(answer)).toBe(true);
      const error = Either.getLeft(result);
      expect(error._tag === "Some" && error.value._tag, JSON.stringify(answer)).toBe("SourceError");
      expect(error._tag === "Some" && error.value.reason, JSON.stringify(answer)).toBe(reason);
    }
  });

  it("v2 (deprecated): vsToken asked, the price read exactly from its decimal string; a null entry is a SourceError", async () => {
    const jup = await server((url) =>
      url.searchParams.get("vsToken") === WSOL
        ? {
            status: 200,
            body: {
              data: { [LRT]: { id: LRT, type: "derivedPrice", price: "1.074186330349877949" } },
              timeTaken: 0.00395219,
            },
          }
        : { status: 400, body: { error: "vsToken expected" } },
    );
    const result = await observe({ kind: "jupiter", version: "v2", url: `${jup.base}/price/v2` });
    expect(Either.getOrThrow(result).price).toBe(1_074_186_330_349_877_949n);
    expect(jup.requests[0]!.url.searchParams.get("ids")).toBe(LRT);
    jup.close();

    const unknown = await server(() => ({ status: 200, body: { data: { [LRT]: null }, timeTaken: 0.001 } }));
    const missing = await observe({ kind: "jupiter", version: "v2", url: `${unknown.base}/price/v2` });
    unknown.close();
    const error = Either.getLeft(missing);
    expect(error._tag === "Some" && error.value.reason).toBe("BadResponse");
  });
});
