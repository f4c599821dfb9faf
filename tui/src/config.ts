// Command-line flags and the Solana CLI's conventions: `--url` takes a URL or a moniker (m, d, t, l and
// their long names), the WebSocket URL is the RPC URL with ws(s):// and port + 1, and whatever a flag
// does not say comes from the Solana CLI's config.yml (`json_rpc_url`, `websocket_url`, `keypair_path`,
// `commitment`). Without a keypair the TUI is read-only.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";

export type ClusterName = "mainnet" | "devnet" | "testnet" | "localnet" | "custom";
export type ThemeName = "dark" | "light" | "mono";

export const MONIKERS: Readonly<Record<string, { url: string; cluster: ClusterName }>> = Object.freeze({
  m: { url: "https://api.mainnet-beta.solana.com", cluster: "mainnet" },
  "mainnet-beta": { url: "https://api.mainnet-beta.solana.com", cluster: "mainnet" },
  d: { url: "https://api.devnet.solana.com", cluster: "devnet" },
  devnet: { url: "https://api.devnet.solana.com", cluster: "devnet" },
  t: { url: "https://api.testnet.solana.com", cluster: "testnet" },
  testnet: { url: "https://api.testnet.solana.com", cluster: "testnet" },
  l: { url: "http://127.0.0.1:8899", cluster: "localnet" },
  localhost: { url: "http://127.0.0.1:8899", cluster: "localnet" },
});

export interface Flags {
  url?: string;
  ws?: string;
  keypair?: string;
  config?: string;
  commitment?: string;
  demo?: string;
  wsol?: string;
  lrt?: string;
  market?: string;
  demoMarket?: string;
  keeper: string[];
  theme?: string;
  noColor: boolean;
  json: boolean;
  once: boolean;
  refreshMs?: string;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `lantern-tui — Lantern's terminal: sub-accounts, markets, the oracle committee, keepers

  npm run tui -- [options]

  -u, --url <url|moniker>   RPC URL or m|d|t|l (mainnet-beta, devnet, testnet, localhost);
                            default: json_rpc_url from the Solana CLI config, else localhost
      --ws <url>            WebSocket URL (default: the RPC URL with ws(s):// and port + 1)
  -k, --keypair <path>      keypair file that signs (default: keypair_path from the Solana CLI config
                            if that file exists); without one the TUI is read-only
  -C, --config <path>       Solana CLI config (default ~/.config/solana/cli/config.yml)
      --commitment <level>  processed | confirmed | finalized (default from config, else confirmed)
      --demo <dir>          the local demo world (.localnet): trade as its trader, watch its keeper fleet
      --wsol <address>      your wSOL token account (default: your associated wSOL account)
      --lrt <address>       your LRT token account, for deposit, withdraw and close (default: your
                            associated LRT account, created when a withdrawal needs it)
      --market <address>    the market to open (default: the first one the margin program holds)
      --keeper <[name=]url> a keeper's HTTP endpoint (/healthz, /readyz, /metrics); repeat for each
      --demo-market <url>   the demo market's price URL: :depeg 5% [10m], :slash 3%, :recover shock it
      --theme <name>        dark | light | mono (NO_COLOR selects mono)
      --no-color            no colour (same as NO_COLOR=1)
      --json                print one snapshot as JSON and exit
      --once                print one text snapshot and exit (the default when stdout is not a terminal)
      --refresh-ms <ms>     how often to read the chain (default 1000)
  -h, --help                this text`;

export function parseFlags(argv: readonly string[]): Flags {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: "string", short: "u" },
        ws: { type: "string" },
        keypair: { type: "string", short: "k" },
        config: { type: "string", short: "C" },
        commitment: { type: "string" },
        demo: { type: "string" },
        wsol: { type: "string" },
        lrt: { type: "string" },
        market: { type: "string" },
        "demo-market": { type: "string" },
        keeper: { type: "string", multiple: true },
        theme: { type: "string" },
        "no-color": { type: "boolean" },
        json: { type: "boolean" },
        once: { type: "boolean" },
        "refresh-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    return {
      url: values.url,
      ws: values.ws,
      keypair: values.keypair,
      config: values.config,
      commitment: values.commitment,
      demo: values.demo,
      wsol: values.wsol,
      lrt: values.lrt,
      market: values.market,
      demoMarket: values["demo-market"],
      keeper: values.keeper ?? [],
      theme: values.theme,
      noColor: values["no-color"] ?? false,
      json: values.json ?? false,
      once: values.once ?? false,
      refreshMs: values["refresh-ms"],
      help: values.help ?? false,
    };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run with --help for the options.`);
  }
}

export interface SolanaCliConfig {
  json_rpc_url?: string;
  websocket_url?: string;
  keypair_path?: string;
  commitment?: string;
}

/** The Solana CLI's config file, or `{}` when there is none. */
export function readSolanaConfig(path: string): SolanaCliConfig {
  if (!existsSync(path)) return {};
  try {
    const parsed = parseYaml(readFileSync(path, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as SolanaCliConfig) : {};
  } catch (error) {
    throw new UsageError(
      `The Solana CLI config ${path} is not valid YAML (${(error as Error).message}): fix it or pass --config`,
    );
  }
}

/** `ws(s)://` and port + 1, as the Solana CLI derives it (no port: the scheme's default, unchanged). */
export function websocketUrlFor(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString().replace(/\/$/, rpcUrl.endsWith("/") ? "/" : "");
}

export function clusterOf(rpcUrl: string): ClusterName {
  const host = new URL(rpcUrl).hostname;
  if (host === "127.0.0.1" || host === "localhost" || host === "0.0.0.0") return "localnet";
  if (/mainnet/.test(host)) return "mainnet";
  if (/devnet/.test(host)) return "devnet";
  if (/testnet/.test(host)) return "testnet";
  return "custom";
}

export interface TuiConfig {
  rpcUrl: string;
  wsUrl: string;
  cluster: ClusterName;
  /** Keypair file that signs; `undefined` = read-only. */
  keypairPath: string | undefined;
  /** Why there is no signer (shown next to disabled action keys). */
  readOnlyReason: string | undefined;
  commitment: "processed" | "confirmed" | "finalized";
  demoDir: string | undefined;
  wsol: string | undefined;
  /** The LRT token account deposits come from and withdrawals go to. */
  lrt: string | undefined;
  market: string | undefined;
  /** The demo market's price URL (`npm start`): `:depeg 5%` and friends POST to its /command. */
  demoMarket: string | undefined;
  keepers: string[];
  theme: ThemeName;
  mode: "interactive" | "text" | "json";
  refreshMs: number;
}

export interface Environment {
  env: Record<string, string | undefined>;
  home: string;
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  fileExists: (path: string) => boolean;
  readConfig: (path: string) => SolanaCliConfig;
}

export const processEnvironment = (): Environment => ({
  env: process.env,
  home: homedir(),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  fileExists: existsSync,
  readConfig: readSolanaConfig,
});

/** NO_COLOR (non-empty) or --no-color: no colour at all (chalk ignores NO_COLOR, so FORCE_COLOR=0 too). */
export function wantsNoColor(flags: Pick<Flags, "noColor">, env: Record<string, string | undefined>): boolean {
  return flags.noColor || Boolean(env.NO_COLOR);
}

/** Flags, then the Solana CLI config, then the defaults. */
export function resolveConfig(flags: Flags, e: Environment = processEnvironment()): TuiConfig {
  const configPath = flags.config ?? join(e.home, ".config", "solana", "cli", "config.yml");
  if (flags.config && !e.fileExists(flags.config))
    throw new UsageError(`The Solana CLI config ${flags.config} does not exist: check the --config path`);
  const cli = e.readConfig(configPath);

  let rpcUrl: string;
  let cluster: ClusterName;
  const given = flags.url ?? cli.json_rpc_url ?? "l";
  const moniker = MONIKERS[given];
  if (moniker) {
    rpcUrl = moniker.url;
    cluster = moniker.cluster;
  } else {
    try {
      rpcUrl = new URL(given).toString().replace(/\/$/, "");
    } catch {
      throw new UsageError(
        `"${given}" is neither a URL nor a cluster moniker: use http(s)://host:port or one of m, d, t, l`,
      );
    }
    cluster = clusterOf(rpcUrl);
  }
  const wsUrl =
    flags.ws ?? (flags.url === undefined && cli.websocket_url ? cli.websocket_url : websocketUrlFor(rpcUrl));

  const demoDir = flags.demo;
  let keypairPath: string | undefined;
  let readOnlyReason: string | undefined;
  let wsol = flags.wsol;
  if (flags.keypair) {
    if (!e.fileExists(flags.keypair))
      throw new UsageError(`The keypair file ${flags.keypair} does not exist: check the --keypair path`);
    keypairPath = flags.keypair;
  } else if (demoDir) {
    keypairPath = undefined; // chosen from the demo manifest at start-up
  } else {
    const fromConfig = cli.keypair_path ?? join(e.home, ".config", "solana", "id.json");
    if (e.fileExists(fromConfig)) keypairPath = fromConfig;
    else readOnlyReason = `read-only: no keypair (pass --keypair, or create ${fromConfig})`;
  }
  if (!demoDir && wsol === undefined) wsol = undefined;

  const commitment = (flags.commitment ?? cli.commitment ?? "confirmed") as TuiConfig["commitment"];
  if (!["processed", "confirmed", "finalized"].includes(commitment))
    throw new UsageError(`Unknown commitment "${commitment}": use processed, confirmed or finalized`);

  const noColor = wantsNoColor(flags, e.env);
  const theme = (noColor ? "mono" : (flags.theme ?? "dark")) as ThemeName;
  if (!["dark", "light", "mono"].includes(theme))
    throw new UsageError(`Unknown theme "${flags.theme}": use dark, light or mono`);

  const interactive = e.stdoutIsTTY && e.stdinIsTTY && !flags.json && !flags.once;
  const refreshMs = flags.refreshMs === undefined ? 1_000 : Number(flags.refreshMs);
  if (!Number.isFinite(refreshMs) || refreshMs < 100)
    throw new UsageError(`--refresh-ms must be a number of milliseconds, at least 100 (got "${flags.refreshMs}")`);

  return {
    rpcUrl,
    wsUrl,
    cluster,
    keypairPath,
    readOnlyReason,
    commitment,
    demoDir,
    wsol,
    lrt: flags.lrt,
    market: flags.market,
    demoMarket: flags.demoMarket,
    keepers: flags.keeper,
    theme,
    mode: flags.json ? "json" : interactive ? "interactive" : "text",
    refreshMs,
  };
}
