// Running keepers against a local chain in tests: configuration files for the demo world's keys, the
// keeper as a child process (its JSON log lines collected), and chain reads.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { demoKeeperConfig, demoWorld, type KeeperConfigInput } from "@lantern/keeper";
import { type DemoManifest, readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { Connection, PublicKey } from "@solana/web3.js";

const repo = resolve(import.meta.dirname, "../..");
const cli = join(repo, "keeper/src/cli.ts");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface KeeperProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  /** The port of its HTTP server once it listens. */
  port: () => Promise<number>;
}

export function spawnKeeper(args: string[], env: NodeJS.ProcessEnv = {}): KeeperProcess {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on("line", (l) => lines.push(l));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    lines,
    exited,
    port: () =>
      waitFor("the keeper's http server", async () => {
        for (const l of lines) {
          const m = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(l);
          if (m && l.includes("http server listening")) return Number(m[1]);
        }
        return undefined;
      }),
  };
}

export function writeConfig(config: KeeperConfigInput): string {
  const file = join(mkdtempSync(join(tmpdir(), "keeper-test-")), "keeper.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A keeper configuration for the demo world (member `member` keys when given), talking to `rpcUrl`. */
export async function demoConfig(
  demoDir: string,
  o: {
    rpcUrl: string;
    wsUrl?: string;
    roles: KeeperConfigInput["roles"];
    member?: number;
    priceUrl?: string;
    extra?: Partial<KeeperConfigInput>;
  },
): Promise<{ config: { -readonly [K in keyof KeeperConfigInput]: KeeperConfigInput[K] }; manifest: DemoManifest }> {
  const manifest = readDemoManifest(demoDir);
  const dir = mkdtempSync(join(tmpdir(), "keeper-journal-"));
  const keypair =
    o.member !== undefined ? manifest.members[o.member]!.signer.keypair : manifest.wallets.liquidator.keypair;
  const config = demoKeeperConfig(manifest, {
    rpcUrl: o.rpcUrl,
    wsUrl: o.wsUrl,
    name: `test-${o.member ?? "keeper"}`,
    keypair,
    journal: join(dir, "journal.sqlite"),
    priceUrl: o.priceUrl ?? "http://127.0.0.1:1/price",
    roles: o.roles,
  });
  const connection = new Connection(o.rpcUrl, "confirmed");
  const validators = await demoWorld.stakeManagerWsol(connection, new PublicKey(manifest.stakeManager.pubkey));
  await demoWorld.fund(connection, readKeypairFile(keypair).publicKey);
  (config.member as { stakeSource: { address: string } }).stakeSource.address = validators.toBase58();
  return { config: { ...config, http: { port: 0 }, ...o.extra }, manifest };
}

export async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(" ").pop());
  }
  return total;
}
