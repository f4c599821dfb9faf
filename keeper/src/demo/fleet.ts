// `lantern-keeper fleet --demo`: the demo world's keepers as separate processes under one supervisor —
// the demo market, 9 committee members (one member key per process), a liquidator and a cranker —
// restarted with backoff when they exit, every output line prefixed with the process's name.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { readDemoManifest } from "@lantern/sdk/node";
import type { KeeperConfigInput } from "../config.js";

const cli = resolve(import.meta.dirname, "../cli.ts");
/** tsx's loader, resolved from this package: children must run TypeScript whatever runs the supervisor (a test runner too). */
const tsx = import.meta.resolve("tsx");

export interface FleetOptions {
  demoDir: string;
  rpcUrl: string;
  wsUrl?: string;
  /** HTTP ports: the market on `basePort`, keepers from `basePort + 1` (0: free ports everywhere). */
  basePort: number;
  dryRun: boolean;
  /** Demo market settings. */
  frameSecs?: number;
  fastLaneSecs?: number;
  emaHalfLifeSecs?: number;
  epochSecs?: number;
  positions?: boolean;
  /** Members to run (default all 9), e.g. to show that 5 are enough. */
  members?: number[];
  /** Where each process's lines go (default: this process's stdout). */
  write?: (line: string) => void;
}

interface Supervised {
  name: string;
  args: string[];
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  stopped: boolean;
}

/** Configuration of keeper `name` for the demo world. */
export function demoKeeperConfig(
  manifest: ReturnType<typeof readDemoManifest>,
  o: {
    rpcUrl: string;
    wsUrl?: string;
    name: string;
    keypair: string;
    journal: string;
    priceUrl: string;
    roles: KeeperConfigInput["roles"];
  },
): KeeperConfigInput {
  return {
    name: o.name,
    lrtMint: manifest.lrtMint,
    roles: o.roles,
    rpc: { urls: [o.rpcUrl], ...(o.wsUrl ? { wsUrl: o.wsUrl } : {}), timeoutMs: 5_000 },
    keypairPath: o.keypair,
    journalPath: o.journal,
    member: {
      priceIntervalSecs: 10,
      stakeSource: { kind: "tokenAccount", address: "" },
      priceSource: { kind: "http", url: o.priceUrl, pricePath: "price", timePath: "observedAt" },
    },
    liquidator: {
      wsolAccount: manifest.wallets.liquidator.wsol,
      lrtAccount: manifest.wallets.liquidator.lrt,
      unstake: "instant",
      cooldownSecs: 5,
    },
    cranker: { tickMs: 5_000, accrueAfterSecs: 60 },
  };
}

export async function startFleet(o: FleetOptions) {
  const manifest = readDemoManifest(o.demoDir);
  // Journals belong to one world: a re-bootstrapped chain (a new LRT mint) starts with fresh ones.
  const dir = join(o.demoDir, "keeper", manifest.lrtMint);
  mkdirSync(dir, { recursive: true });
  const write = o.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const port = (offset: number) => (o.basePort === 0 ? 0 : o.basePort + offset);

  const market: Supervised = {
    name: "market",
    args: [
      "demo-market",
      "--demo-dir",
      o.demoDir,
      "--rpc-url",
      o.rpcUrl,
      "--port",
      String(o.basePort),
      "--fast-lane-secs",
      String(o.fastLaneSecs ?? 0),
      "--ema-half-life-secs",
      String(o.emaHalfLifeSecs ?? 60),
      "--epoch-secs",
      String(o.epochSecs ?? 30),
      ...(o.frameSecs ? ["--frame-secs", String(o.frameSecs)] : []),
      ...(o.positions === false ? ["--no-positions"] : []),
    ],
    restarts: 0,
    startedAt: 0,
    stopped: false,
  };
  const processes: Supervised[] = [market];

  // The market's port is known once it listens (it may be a free one).
  let priceUrl: string | undefined;
  const marketReady = new Promise<string>((resolveUrl) => {
    const spawnIt = (p: Supervised) =>
      launch(p, (line) => {
        const m = /"url":"(http:[^"]+\/price)"/.exec(line);
        if (m) resolveUrl(m[1]!);
      });
    spawnIt(market);
  });

  function launch(p: Supervised, onLine?: (line: string) => void) {
    p.startedAt = Date.now();
    const child = spawn(process.execPath, ["--import", tsx, cli, ...p.args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: process.env,
    });
    p.child = child;
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on("line", (line) => {
        write(`[${p.name}] ${line}`);
        onLine?.(line);
      });
    child.on("exit", (code, signal) => {
      if (p.stopped) return;
      // Backoff: 1 s doubling to 30 s; a process that ran a minute starts again from 1 s.
      if (Date.now() - p.startedAt > 60_000) p.restarts = 0;
      const delay = Math.min(30_000, 1_000 * 2 ** p.restarts++);
      write(`[fleet] ${p.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
      setTimeout(() => !p.stopped && launch(p, onLine), delay);
    });
  }

  priceUrl = await marketReady;
  const memberIndexes = o.members ?? manifest.members.map((_, i) => i);
  const keeper = (name: string, roles: KeeperConfigInput["roles"], keypair: string, offset: number) => {
    const config = demoKeeperConfig(manifest, {
      rpcUrl: o.rpcUrl,
      wsUrl: o.wsUrl,
      name,
      keypair,
      journal: join(dir, `${name}.sqlite`),
      priceUrl: priceUrl!,
      roles,
    });
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2));
    return { file, offset };
  };
  // The stake source: the stake manager's wSOL account, found by the market at start-up.
  const { stakeManagerWsol } = await import("./world.js");
  const { Connection, PublicKey } = await import("@solana/web3.js");
  const validators = (
    await stakeManagerWsol(new Connection(o.rpcUrl, "confirmed"), new PublicKey(manifest.stakeManager.pubkey))
  ).toBase58();

  const specs: { name: string; file: string; offset: number }[] = [];
  for (const i of memberIndexes) {
    const spec = keeper(`member-${i}`, ["member"], manifest.members[i]!.signer.keypair, 1 + i);
    specs.push({ name: `member-${i}`, ...spec });
  }
  specs.push({ name: "liquidator", ...keeper("liquidator", ["liquidator"], manifest.wallets.liquidator.keypair, 10) });
  specs.push({ name: "cranker", ...keeper("cranker", ["cranker"], manifest.wallets.liquidator.keypair, 11) });
  for (const s of specs) {
    // Patch in the validators' account (one place writes the config files).
    const { readFileSync } = await import("node:fs");
    const config = JSON.parse(readFileSync(s.file, "utf8")) as KeeperConfigInput & {
      member: { stakeSource: { address: string } };
    };
    config.member.stakeSource.address = validators;
    writeFileSync(s.file, JSON.stringify(config, null, 2));
    const p: Supervised = {
      name: s.name,
      args: ["--config", s.file, "--http-port", String(port(s.offset)), ...(o.dryRun ? ["--dry-run"] : [])],
      restarts: 0,
      startedAt: 0,
      stopped: false,
    };
    processes.push(p);
    launch(p);
  }
  write(`[fleet] started ${processes.length} processes; price source ${priceUrl}`);
  // Every keeper of the fleet and where it serves /healthz, /readyz and /metrics (the market has none).
  const keepers = specs.map((s) => ({ name: s.name, url: `http://127.0.0.1:${port(s.offset)}` }));

  return {
    priceUrl,
    processes,
    keepers,
    /**
     * Waits until every keeper answers `/readyz` (each has its chain clock, account store and journal
     * up), or `timeoutMs` passes; tells `progress` each time the count changes; returns how many are.
     */
    ready: async (timeoutMs: number, progress?: (ready: number, of: number) => void) => {
      const deadline = Date.now() + timeoutMs;
      const isReady = (url: string) =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      let told = -1;
      for (;;) {
        const ready = (await Promise.all(keepers.map((k) => isReady(k.url)))).filter(Boolean).length;
        if (ready !== told) progress?.(ready, keepers.length);
        told = ready;
        if (ready === keepers.length || Date.now() >= deadline) return ready;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    /** Sends a shock command to the demo market. */
    command: async (line: string) => {
      const response = await fetch(priceUrl!.replace(/\/price$/, "/command"), { method: "POST", body: line });
      return response.text();
    },
    /** Stops one process (for tests: members killed) without restarting it. */
    kill: (name: string, signal: NodeJS.Signals = "SIGKILL") => {
      const p = processes.find((x) => x.name === name);
      if (!p) throw new Error(`no process named ${name}`);
      p.stopped = true;
      p.child?.kill(signal);
    },
    /** Starts a killed process again. */
    revive: (name: string) => {
      const p = processes.find((x) => x.name === name);
      if (!p) throw new Error(`no process named ${name}`);
      p.stopped = false;
      p.restarts = 0;
      launch(p);
    },
    stop: async () => {
      await Promise.all(
        processes.map(
          (p) =>
            new Promise<void>((done) => {
              p.stopped = true;
              const child = p.child;
              if (!child || child.exitCode !== null || child.signalCode !== null) return done();
              const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
              child.once("exit", () => {
                clearTimeout(timer);
                done();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

export async function runFleet(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: "boolean" },
      "demo-dir": { type: "string", default: ".localnet" },
      "rpc-url": { type: "string", default: "http://127.0.0.1:8899" },
      "ws-url": { type: "string" },
      "base-port": { type: "string", default: "8990" },
      "frame-secs": { type: "string", default: "60" },
      "fast-lane-secs": { type: "string", default: "10" },
      "dry-run": { type: "boolean" },
    },
  });
  if (!values.demo) {
    console.error(
      "Only the demo fleet is built in: run `lantern-keeper fleet --demo`. In production run one keeper per member key (docs/keeper.md).",
    );
    return 2;
  }
  const fleet = await startFleet({
    demoDir: resolve(values["demo-dir"]!),
    rpcUrl: values["rpc-url"]!,
    wsUrl: values["ws-url"],
    basePort: Number(values["base-port"]),
    dryRun: values["dry-run"] ?? false,
    frameSecs: Number(values["frame-secs"]),
    fastLaneSecs: Number(values["fast-lane-secs"]),
  });
  // Shock commands typed (or piped) into the fleet go to the demo market.
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim())
      fleet.command(line).then(
        (m) => process.stdout.write(`[fleet] ${m}`),
        (e) => process.stdout.write(`[fleet] ${(e as Error).message}\n`),
      );
  });
  await new Promise<void>((r) => {
    process.once("SIGTERM", r);
    process.once("SIGINT", r);
  });
  await fleet.stop();
  return 0;
}
