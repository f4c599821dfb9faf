// Configuration: a YAML/JSON file, then environment variables, then command-line flags, decoded once
// with a schema so a bad value stops the keeper at start-up with a sentence naming the field.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { PublicKey } from "@solana/web3.js";
import { Context, Effect, Layer, ParseResult, Redacted, Schema } from "effect";
import YAML from "yaml";
import { ConfigError } from "./errors.js";

export const ROLES = ["member", "liquidator", "cranker"] as const;
export type Role = (typeof ROLES)[number];

const Address = Schema.String.pipe(
  Schema.filter((s) => {
    try {
      new PublicKey(s);
      return true;
    } catch {
      return "is not a base58 Solana address";
    }
  }),
);
const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive());
const NonNegativeInt = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
/** Lamports and other u64 amounts: integers written as numbers or strings, decoded to bigint. */
const Amount = Schema.Union(Schema.BigInt, Schema.BigIntFromNumber).pipe(
  Schema.filter((n) => n >= 0n || "must not be negative"),
);
const Decimal = Schema.Union(Schema.NumberFromString, Schema.Number).pipe(
  Schema.filter((n) => (Number.isFinite(n) && n > 0) || "must be a positive number"),
);

/** What the validators hold, i.e. the staked part of the pool's SOL (DESIGN.md §5, StakeSource). */
const StakeSourceConfig = Schema.Union(
  /** Localnet: the stake manager's wSOL account plays the validators. */
  Schema.Struct({ kind: Schema.Literal("tokenAccount"), address: Address }),
  /** Production: every stake account whose withdraw authority is this address. */
  Schema.Struct({ kind: Schema.Literal("stakeAccounts"), withdrawAuthority: Address }),
);

/** The LRT/SOL market price (DESIGN.md §5, PriceSource). */
const PriceSourceConfig = Schema.Union(
  /** Any HTTP JSON endpoint: `pricePath` (dots) is SOL per LRT; `timePath` the observation time (unix s or ms, or ISO). */
  Schema.Struct({
    kind: Schema.Literal("http"),
    url: Schema.String,
    pricePath: Schema.optionalWith(Schema.String, { default: () => "price" }),
    timePath: Schema.optional(Schema.String),
    apiKeyHeader: Schema.optional(Schema.String),
  }),
  /**
   * Jupiter's Price API, or anything answering in its shape: v3 (`/price/v3?ids=<lrt>,<vsMint>`, USD
   * prices: the LRT's divided by vsMint's) or the deprecated v2 (`/price/v2?ids=<lrt>&vsToken=<vsMint>`).
   */
  Schema.Struct({
    kind: Schema.Literal("jupiter"),
    version: Schema.optionalWith(Schema.Literal("v3", "v2"), { default: () => "v3" as const }),
    /** Default https://api.jup.ag/price/<version>. */
    url: Schema.optional(Schema.String),
    vsMint: Schema.optionalWith(Address, { default: () => "So11111111111111111111111111111111111111112" }),
    apiKeyHeader: Schema.optional(Schema.String),
  }),
  /** A constant (tests, or a market with no trading venue yet). */
  Schema.Struct({ kind: Schema.Literal("fixed"), price: Decimal }),
);

const RpcConfig = Schema.Struct({
  /** Endpoints in order of preference (URLs or the Solana CLI monikers l/localhost, d/devnet, t/testnet, m/mainnet-beta). */
  urls: Schema.NonEmptyArray(Schema.String),
  /** WebSocket endpoint of the first URL; by default the Solana convention (ws, port + 1). */
  wsUrl: Schema.optional(Schema.String),
  timeoutMs: Schema.optionalWith(PositiveInt, { default: () => 10_000 }),
  /** Attempts per call across all endpoints before the caller sees the error. */
  maxAttempts: Schema.optionalWith(PositiveInt, { default: () => 6 }),
  baseDelayMs: Schema.optionalWith(PositiveInt, { default: () => 200 }),
  maxDelayMs: Schema.optionalWith(PositiveInt, { default: () => 5_000 }),
});

const FeesConfig = Schema.Struct({
  percentile: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 100)), { default: () => 75 }),
  maxMicroLamports: Schema.optionalWith(NonNegativeInt, { default: () => 200_000 }),
  fallbackMicroLamports: Schema.optionalWith(NonNegativeInt, { default: () => 1_000 }),
  /**
   * After a blockhash expires unconfirmed, the intent's next signature and the role's next transactions
   * pay the estimate (at least the fallback) × this per expiry, up to `maxMicroLamports`; each landing
   * of the role takes one step back. 1 turns escalation off.
   */
  expiryFactor: Schema.optionalWith(Schema.Number.pipe(Schema.between(1, 10)), { default: () => 2 }),
  /** Compute limit = simulated units × this margin. */
  computeMargin: Schema.optionalWith(Schema.Number.pipe(Schema.between(1, 3)), { default: () => 1.2 }),
  /** Limit used when a simulation reports no units (the local chain does not meter natively compiled programs). */
  defaultComputeUnits: Schema.optionalWith(PositiveInt, { default: () => 200_000 }),
});

const TxConfig = Schema.Struct({
  rebroadcastMs: Schema.optionalWith(PositiveInt, { default: () => 2_000 }),
  pollMs: Schema.optionalWith(PositiveInt, { default: () => 400 }),
  /** Fresh signatures after a proven expiry before an intent is given up as expired. */
  maxSignatures: Schema.optionalWith(PositiveInt, { default: () => 3 }),
});

const MemberConfig = Schema.Struct({
  tickMs: Schema.optionalWith(PositiveInt, { default: () => 1_000 }),
  /** Seconds between market price observations sent. */
  priceIntervalSecs: Schema.optionalWith(PositiveInt, { default: () => 10 }),
  /** An observation older than this is never sent. */
  maxObservationAgeSecs: Schema.optionalWith(PositiveInt, { default: () => 30 }),
  /** Members wait this long per rank before sending the data of a report that holds quorum, so one usually does. */
  dataStaggerMs: Schema.optionalWith(NonNegativeInt, { default: () => 1_500 }),
  stakeSource: StakeSourceConfig,
  priceSource: PriceSourceConfig,
});

const LiquidatorConfig = Schema.Struct({
  tickMs: Schema.optionalWith(PositiveInt, { default: () => 400 }),
  /** Bonus minus exit cost and fees must be at least this, in lamports. */
  minProfitLamports: Schema.optionalWith(Amount, { default: () => 0n }),
  /** Largest repay per liquidation (lamports); the wSOL inventory also bounds it. */
  maxRepayLamports: Schema.optionalWith(Amount, { default: () => 1_000_000_000_000n }),
  cooldownSecs: Schema.optionalWith(PositiveInt, { default: () => 10 }),
  /**
   * The feed counts as stale this many seconds before it is: this keeper's view of the cluster's clock
   * trails it (whole seconds, read every second), and a liquidation lands after it is decided.
   */
  staleMarginSecs: Schema.optionalWith(NonNegativeInt, { default: () => 3 }),
  concurrency: Schema.optionalWith(PositiveInt, { default: () => 4 }),
  /** `k/N`: this instance serves the sub-accounts whose address falls in shard k of N. */
  shard: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^\d+\/\d+$/)), { default: () => "0/1" }),
  /** Seized LRT: exit what the liquid reserve covers through instant unstake, queue it for withdrawal, or keep it. */
  unstake: Schema.optionalWith(Schema.Literal("instant", "queue", "hold"), { default: () => "instant" }),
  /** The liquidator's wSOL and LRT token accounts (default: the associated token accounts of the keypair). */
  wsolAccount: Schema.optional(Address),
  lrtAccount: Schema.optional(Address),
  /** Full resync of the account store every this many seconds, and when the stream is silent this long. */
  resyncSecs: Schema.optionalWith(PositiveInt, { default: () => 60 }),
  streamIdleSecs: Schema.optionalWith(PositiveInt, { default: () => 30 }),
});

const CrankerConfig = Schema.Struct({
  tickMs: Schema.optionalWith(PositiveInt, { default: () => 5_000 }),
  /** accrue_interest when the pool's last accrual is older than this. */
  accrueAfterSecs: Schema.optionalWith(PositiveInt, { default: () => 300 }),
  finalizeWithdrawals: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  settleBadDebt: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Most tickets per finalize_withdrawals transaction. */
  maxTicketsPerTx: Schema.optionalWith(PositiveInt, { default: () => 10 }),
});

export const KeeperConfigSchema = Schema.Struct({
  /** The LRT whose committee, pool and market this keeper serves. */
  lrtMint: Address,
  roles: Schema.NonEmptyArray(Schema.Literal(...ROLES)),
  rpc: RpcConfig,
  /** Path of a Solana CLI keypair file (a JSON array of 64 bytes). */
  keypairPath: Schema.optional(Schema.String),
  /** The keypair itself (same format), normally from the LANTERN_KEEPER_KEYPAIR environment variable; never logged. */
  keypair: Schema.optional(Schema.Redacted(Schema.String)),
  /**
   * Per-role fee payers (Solana CLI keypair files): a role's transactions are paid by its own key, so a
   * liquidation storm cannot spend the SOL the member's votes and prices need. The keypair still signs
   * as the role's authority. A role without one is paid by the keypair.
   */
  feePayers: Schema.optional(
    Schema.Struct({
      member: Schema.optional(Schema.String),
      liquidator: Schema.optional(Schema.String),
      cranker: Schema.optional(Schema.String),
    }),
  ),
  dryRun: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** One iteration of each worker, then exit. */
  once: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  journalPath: Schema.optionalWith(Schema.String, { default: () => "keeper-journal.sqlite" }),
  http: Schema.optionalWith(
    Schema.Struct({
      host: Schema.optionalWith(Schema.String, { default: () => "127.0.0.1" }),
      /** 0 = pick a free port (printed in the start-up log). */
      port: Schema.optionalWith(NonNegativeInt, { default: () => 9464 }),
    }),
    { default: () => ({ host: "127.0.0.1", port: 9464 }) },
  ),
  logLevel: Schema.optionalWith(Schema.Literal("debug", "info", "warning", "error"), { default: () => "info" }),
  /** Name in logs and metrics (e.g. member-3). */
  name: Schema.optionalWith(Schema.String, { default: () => "keeper" }),
  /** API key sent by price sources that need one (LANTERN_KEEPER_PRICE_API_KEY); never logged. */
  priceApiKey: Schema.optional(Schema.Redacted(Schema.String)),
  fees: Schema.optionalWith(FeesConfig, { default: () => Schema.decodeSync(FeesConfig)({}) }),
  tx: Schema.optionalWith(TxConfig, { default: () => Schema.decodeSync(TxConfig)({}) }),
  member: Schema.optional(MemberConfig),
  liquidator: Schema.optionalWith(LiquidatorConfig, { default: () => Schema.decodeSync(LiquidatorConfig)({}) }),
  cranker: Schema.optionalWith(CrankerConfig, { default: () => Schema.decodeSync(CrankerConfig)({}) }),
});
export type KeeperConfig = typeof KeeperConfigSchema.Type;
export type KeeperConfigInput = typeof KeeperConfigSchema.Encoded;

export class AppConfig extends Context.Tag("keeper/AppConfig")<AppConfig, KeeperConfig>() {
  static layer = (config: KeeperConfig) => Layer.succeed(AppConfig, config);
}

/** Solana CLI monikers (`solana config set --url`), else the URL itself. */
export function resolveRpcUrl(value: string): string {
  switch (value) {
    case "l":
    case "localhost":
      return "http://127.0.0.1:8899";
    case "d":
    case "devnet":
      return "https://api.devnet.solana.com";
    case "t":
    case "testnet":
      return "https://api.testnet.solana.com";
    case "m":
    case "mainnet-beta":
      return "https://api.mainnet-beta.solana.com";
    default:
      return value;
  }
}

/** The Solana convention: the WebSocket is on the next port, ws(s) for http(s). */
export function websocketUrlFor(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port !== "") url.port = String(Number(url.port) + 1);
  return url.toString().replace(/\/$/, "");
}

export const expandHome = (path: string) =>
  path === "~" ? homedir() : path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : path;

/** What the Solana CLI's own config file (`~/.config/solana/cli/config.yml`) says, if it exists. */
function solanaCliDefaults(): { url?: string; keypairPath?: string } {
  const path = process.env.SOLANA_CONFIG ?? expandHome("~/.config/solana/cli/config.yml");
  try {
    const doc = YAML.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return {
      url: typeof doc.json_rpc_url === "string" ? doc.json_rpc_url : undefined,
      keypairPath: typeof doc.keypair_path === "string" ? doc.keypair_path : undefined,
    };
  } catch {
    return {};
  }
}

export interface Overrides {
  roles?: Role[];
  dryRun?: boolean;
  once?: boolean;
  shard?: string;
  rpcUrls?: string[];
  keypairPath?: string;
  journalPath?: string;
  httpPort?: number;
  name?: string;
}

type Mutable = Record<string, unknown>;
const section = (o: Mutable, key: string): Mutable => {
  const v = o[key];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Mutable;
  const fresh: Mutable = {};
  o[key] = fresh;
  return fresh;
};

/** Environment variables (LANTERN_KEEPER_*) over the file's values. */
function applyEnv(raw: Mutable, env: NodeJS.ProcessEnv) {
  const list = (s: string) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  if (env.LANTERN_KEEPER_RPC_URLS) section(raw, "rpc").urls = list(env.LANTERN_KEEPER_RPC_URLS);
  if (env.LANTERN_KEEPER_WS_URL) section(raw, "rpc").wsUrl = env.LANTERN_KEEPER_WS_URL;
  if (env.LANTERN_KEEPER_LRT_MINT) raw.lrtMint = env.LANTERN_KEEPER_LRT_MINT;
  if (env.LANTERN_KEEPER_ROLES) raw.roles = list(env.LANTERN_KEEPER_ROLES);
  if (env.LANTERN_KEEPER_KEYPAIR_PATH) raw.keypairPath = env.LANTERN_KEEPER_KEYPAIR_PATH;
  if (env.LANTERN_KEEPER_KEYPAIR) raw.keypair = env.LANTERN_KEEPER_KEYPAIR;
  if (env.LANTERN_KEEPER_DRY_RUN)
    raw.dryRun = env.LANTERN_KEEPER_DRY_RUN === "1" || env.LANTERN_KEEPER_DRY_RUN === "true";
  if (env.LANTERN_KEEPER_JOURNAL) raw.journalPath = env.LANTERN_KEEPER_JOURNAL;
  if (env.LANTERN_KEEPER_HTTP_PORT) section(raw, "http").port = Number(env.LANTERN_KEEPER_HTTP_PORT);
  if (env.LANTERN_KEEPER_HTTP_HOST) section(raw, "http").host = env.LANTERN_KEEPER_HTTP_HOST;
  if (env.LANTERN_KEEPER_LOG_LEVEL) raw.logLevel = env.LANTERN_KEEPER_LOG_LEVEL;
  if (env.LANTERN_KEEPER_PRICE_API_KEY) raw.priceApiKey = env.LANTERN_KEEPER_PRICE_API_KEY;
}

function applyOverrides(raw: Mutable, o: Overrides) {
  if (o.roles) raw.roles = o.roles;
  if (o.dryRun) raw.dryRun = true;
  if (o.once) raw.once = true;
  if (o.shard) section(raw, "liquidator").shard = o.shard;
  if (o.rpcUrls) section(raw, "rpc").urls = o.rpcUrls;
  if (o.keypairPath) raw.keypairPath = o.keypairPath;
  if (o.journalPath) raw.journalPath = o.journalPath;
  if (o.httpPort !== undefined) section(raw, "http").port = o.httpPort;
  if (o.name) raw.name = o.name;
}

/** Decodes an already merged object; the error names every wrong field. */
export const decodeConfig = (raw: unknown, origin: string): Effect.Effect<KeeperConfig, ConfigError> =>
  Schema.decodeUnknown(KeeperConfigSchema, { errors: "all", onExcessProperty: "error" })(raw).pipe(
    Effect.mapError(
      (e) =>
        new ConfigError({
          message: `The keeper configuration (${origin}) is invalid; fix these fields and start again:\n${ParseResult.TreeFormatter.formatErrorSync(e)}`,
        }),
    ),
    Effect.flatMap((c) => {
      const [k, n] = c.liquidator.shard.split("/").map(Number) as [number, number];
      if (!(n >= 1 && k < n))
        return Effect.fail(
          new ConfigError({
            message: `The shard "${c.liquidator.shard}" must be k/N with 0 ≤ k < N (e.g. 0/2 and 1/2).`,
          }),
        );
      if (c.roles.includes("member") && !c.member)
        return Effect.fail(
          new ConfigError({
            message: `The member role needs a "member" section with a stakeSource and a priceSource (${origin}).`,
          }),
        );
      return Effect.succeed(c);
    }),
  );

/** Reads the file (YAML or JSON), applies the environment and the flags, and decodes. */
export const loadConfig = (
  path: string | undefined,
  overrides: Overrides = {},
  env: NodeJS.ProcessEnv = process.env,
): Effect.Effect<KeeperConfig, ConfigError> =>
  Effect.gen(function* () {
    let raw: Mutable = {};
    if (path !== undefined) {
      const text = yield* Effect.try({
        try: () => readFileSync(path, "utf8"),
        catch: (e) =>
          new ConfigError({
            message: `Cannot read the configuration file ${path} (${(e as Error).message}); pass an existing file with --config.`,
          }),
      });
      const parsed = yield* Effect.try({
        try: () => YAML.parse(text) as unknown,
        catch: (e) =>
          new ConfigError({
            message: `The configuration file ${path} is not valid YAML/JSON: ${(e as Error).message}`,
          }),
      });
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== "object" || Array.isArray(parsed))
          return yield* Effect.fail(
            new ConfigError({
              message: `The configuration file ${path} must hold a mapping of settings at the top level.`,
            }),
          );
        raw = parsed as Mutable;
      }
    }
    applyEnv(raw, env);
    applyOverrides(raw, overrides);
    const cli = solanaCliDefaults();
    if (!section(raw, "rpc").urls && cli.url) section(raw, "rpc").urls = [cli.url];
    if (!raw.keypairPath && !raw.keypair && cli.keypairPath) raw.keypairPath = cli.keypairPath;
    const rpc = section(raw, "rpc");
    if (Array.isArray(rpc.urls)) rpc.urls = rpc.urls.map((u) => (typeof u === "string" ? resolveRpcUrl(u) : u));
    if (typeof raw.journalPath === "string" && path && !isAbsolute(expandHome(raw.journalPath)))
      raw.journalPath = resolve(process.cwd(), raw.journalPath);
    return yield* decodeConfig(raw, path ?? "environment");
  });

/** Printable config: secrets stay redacted (Redacted prints as <redacted>). */
export const describeConfig = (c: KeeperConfig) => ({
  name: c.name,
  lrtMint: c.lrtMint,
  roles: c.roles,
  rpc: c.rpc.urls,
  dryRun: c.dryRun,
  keypair: c.keypair ? Redacted.make("x").toString() : c.keypairPath,
  journal: c.journalPath,
  shard: c.liquidator.shard,
  feePayers: c.feePayers,
});
