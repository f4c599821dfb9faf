/**
 * The processes a replay runs beside itself: the local chain (started, or attached to with `--url`) and
 * the keeper fleet — 9 committee members and a liquidator-and-cranker, each a `lantern-keeper` process
 * with its own configuration file, exactly as an operator runs them (docs/keeper.md). The simulator
 * never imports the keeper (docs/architecture.md): it drives the installed `lantern-keeper` program
 * through its documented configuration format, and pauses a member with SIGSTOP/SIGCONT to play it
 * offline or late.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import type { DemoManifest } from "@lantern/sdk/node";

/** Every chain and fleet this process started and has not stopped yet (for an interrupted replay). */
const running = new Set<() => Promise<void>>();

/** Keeps `stop` in `running` until it has been called once. */
function tracked(stop: () => Promise<void>): () => Promise<void> {
  const once = () => {
    running.delete(once);
    return stop();
  };
  running.add(once);
  return once;
}

/**
 * Stops every chain and keeper fleet a replay of this process started (paused members are resumed to
 * hear it): what an interrupted replay runs before it exits, so that no process outlives it.
 */
export async function stopReplayProcesses(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export interface ChainEndpoints {
  rpcUrl: string;
  wsUrl: string;
  /** Where the demo world's manifest (`demo.json`) and keys are. */
  demoDir: string;
}

export interface RunningChain extends ChainEndpoints {
  stop(): Promise<void>;
}

/**
 * Where `cargo build -p localnet` puts the chain: the shared target directory (`CARGO_TARGET_DIR`, else
 * `~/.cache/lantern/target`), the same rule as the repository's cargo wrapper, which products may not
 * import. `LANTERN_LOCALNET_BIN` names another binary.
 */
export function localnetBinary(): string {
  if (process.env.LANTERN_LOCALNET_BIN) return process.env.LANTERN_LOCALNET_BIN;
  const target =
    process.env.CARGO_TARGET_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "lantern", "target");
  return join(target, "debug", "lantern-localnet");
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });

/** Starts a local chain with the demo world and the test methods, on free ports. */
export async function startChain(): Promise<RunningChain> {
  const binary = localnetBinary();
  if (!existsSync(binary))
    throw new Error(
      `The local chain is not built (${binary} is missing): run \`npm run cargo -- build -p localnet\`, or attach to a running chain with --url.`,
    );
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-replay-"));
  const [rpcPort, wsPort] = [await freePort(), await freePort()];
  const child = spawn(
    binary,
    ["--rpc-port", String(rpcPort), "--ws-port", String(wsPort), "--bootstrap-demo", demoDir, "--test-methods"],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local chain exited at start-up with code ${child.exitCode}.`);
    if (Date.now() > deadline) {
      child.kill("SIGINT");
      throw new Error("The local chain did not answer getHealth within a minute.");
    }
    const ok = await fetch(rpcUrl, { method: "POST", body: '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok && existsSync(join(demoDir, "demo.json"))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    demoDir,
    stop: tracked(() => {
      child.kill("SIGINT");
      return exited;
    }),
  };
}

/** The `lantern-keeper` program: on the PATH (npm run puts the workspace's bins there) or in node_modules/.bin. */
function keeperProgram(): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), join(process.cwd(), "node_modules", ".bin")];
  for (const dir of dirs) {
    const candidate = join(dir, "lantern-keeper");
    if (dir && existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error(
    "The keeper program `lantern-keeper` is not installed: run `npm ci` at the repository root (the replay runs the real keeper fleet).",
  );
}

export interface KeeperFleet {
  /** Member indexes in committee order. */
  members: number;
  /** Pauses (SIGSTOP) or resumes (SIGCONT) member `i`; idempotent. */
  setMemberOnline(i: number, online: boolean): void;
  /**
   * Stops member `i`'s process and starts it again with the same configuration and journal; resolves once
   * it is ready. After the driver signed with the member's key (collusion), the old process would take
   * those observations for a second signer's and stop (the keeper's guard); a new one starts from the
   * chain's state.
   */
  restartMember(i: number): Promise<void>;
  online(i: number): boolean;
  /** Resolves once every member logged that it is ready. */
  ready: Promise<void>;
  /** The fleet's log lines, prefixed with the process name. */
  lines: string[];
  stop(): Promise<void>;
}

interface FleetOptions {
  chain: ChainEndpoints;
  manifest: DemoManifest;
  /** The members' PriceSource: member `i` reads `priceUrl(i)`. */
  priceUrl: (member: number) => string;
  /** The validators' account (the stake manager's wSOL): the members' StakeSource. */
  validators: string;
}

/** Starts the 9 members and one liquidator-and-cranker, each process with its own configuration and journal. */
export function startFleet(o: FleetOptions): KeeperFleet {
  const program = keeperProgram();
  const tsx = import.meta.resolve("tsx");
  const dir = mkdtempSync(join(tmpdir(), "lantern-replay-keepers-"));
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  const children: { name: string; file: string; child: ChildProcess; online: boolean; ready: Promise<void> }[] = [];
  let stopping = false;
  const readyMembers = new Set<string>();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const m = o.manifest;
  const config = (name: string, roles: string[], keypairPath: string, priceUrl: string) => ({
    name,
    lrtMint: m.lrtMint,
    roles,
    rpc: { urls: [o.chain.rpcUrl], wsUrl: o.chain.wsUrl, timeoutMs: 10_000 },
    keypairPath,
    journalPath: join(dir, `${name}.sqlite`),
    http: { port: 0 },
    // Short cadences: a replay compresses time, so every role acts within a wall second of a change.
    member: {
      tickMs: 250,
      priceIntervalSecs: 1,
      maxObservationAgeSecs: 30,
      dataStaggerMs: 300,
      stakeSource: { kind: "tokenAccount", address: o.validators },
      priceSource: { kind: "http", url: priceUrl, pricePath: "price", timePath: "observedAt" },
    },
    liquidator: {
      tickMs: 200,
      cooldownSecs: 1,
      wsolAccount: m.wallets.liquidator.wsol,
      lrtAccount: m.wallets.liquidator.lrt,
      unstake: "instant",
      resyncSecs: 30,
      streamIdleSecs: 10,
    },
    cranker: { tickMs: 1_000, accrueAfterSecs: 60 },
  });
  const launch = (name: string, file: string) => {
    const child = spawn(process.execPath, ["--import", tsx, program, "--config", file], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let readyNow: () => void = () => {};
    const isReady = new Promise<void>((resolve) => {
      readyNow = resolve;
    });
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on("line", (line) => {
        lines.push(`[${name}] ${line}`);
        if (lines.length > 20_000) lines.splice(0, 5_000);
        if (line.includes('"member ready"')) {
          readyNow();
          readyMembers.add(name);
          if (readyMembers.size === m.members.length) markReady();
        }
      });
    child.on("exit", (code, signal) => {
      if (!stopping) lines.push(`[replay] ${name} exited (${signal ?? `code ${code}`})`);
    });
    return { name, file, child, online: true, ready: isReady };
  };
  m.members.forEach((member, i) => {
    const name = `member-${i}`;
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config(name, ["member"], member.signer.keypair, o.priceUrl(i)), null, 2));
    children.push(launch(name, file));
  });
  // The liquidator and the cranker share a key and a process (docs/keeper.md: a process runs the roles its
  // file names): one Node start fewer, the slowest part of a replay's start on a loaded machine.
  const file = join(dir, "liquidator-cranker.json");
  writeFileSync(
    file,
    JSON.stringify(
      config("liquidator-cranker", ["liquidator", "cranker"], m.wallets.liquidator.keypair, o.priceUrl(0)),
      null,
      2,
    ),
  );
  children.push(launch("liquidator-cranker", file));
  const member = (i: number) => {
    const c = children[i];
    if (!c?.name.startsWith("member-")) throw new Error(`There is no member ${i} in the fleet.`);
    return c;
  };
  const terminate = (child: ChildProcess) =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.once("exit", () => {
        clearTimeout(timer);
        done();
      });
      // A paused member must run again to hear SIGTERM.
      child.kill("SIGCONT");
      child.kill("SIGTERM");
    });
  return {
    members: m.members.length,
    ready,
    lines,
    online: (i) => member(i).online,
    setMemberOnline(i, online) {
      const c = member(i);
      if (c.online === online) return;
      c.online = online;
      c.child.kill(online ? "SIGCONT" : "SIGSTOP");
      lines.push(`[replay] ${c.name} ${online ? "resumed" : "paused"}`);
    },
    async restartMember(i) {
      const old = member(i);
      lines.push(`[replay] ${old.name} restarting`);
      await terminate(old.child);
      // The keeper's start-up guard reads its key's signatures of the last few seconds: let the driver's age out.
      await new Promise((r) => setTimeout(r, 4_000));
      const fresh = launch(old.name, old.file);
      children[i] = fresh;
      const started = await Promise.race([
        fresh.ready.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 120_000)),
      ]);
      if (!started)
        throw new Error(`${old.name} did not start again within two minutes:\n${lines.slice(-10).join("\n")}`);
    },
    stop: tracked(async () => {
      stopping = true;
      await Promise.all(children.map(({ child }) => terminate(child)));
    }),
  };
}
