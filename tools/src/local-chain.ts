// Starting the local chain (already built by `cargo build -p localnet`): one launcher for `npm start`,
// the test setup and the benchmark.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cargoTargetDir } from "./cargo.mjs";

export const localChainBinary = join(cargoTargetDir, "debug", "lantern-localnet");

export interface LocalChainOptions {
  /** Ports; free ones when left out. */
  rpcPort?: number;
  wsPort?: number;
  /** Bootstrap the demo world into this directory. */
  demoDir?: string;
  /** Enable the `lantern_*` test methods (`lantern_warpTime`, `lantern_warpSlots`, `lantern_setAccount`). */
  testMethods?: boolean;
  /** How many recent transactions the chain keeps for `getTransaction` and friends (its default: 20,000). */
  history?: number;
  /** Where the chain's stderr goes (its stdout carries the programs' native logs and is dropped). */
  stderr?: "inherit" | "ignore" | "pipe";
  timeoutMs?: number;
}

export interface LocalChain {
  rpcUrl: string;
  wsUrl: string;
  child: ChildProcess;
  /** From spawning to the first healthy answer. */
  startupMs: number;
  /** Stops the chain (SIGINT) and resolves once it has exited. */
  stop(): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });

/** Whether nothing listens on `port` yet (so a health check there can only reach our own child). */
const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  if (!existsSync(localChainBinary)) {
    throw new Error(
      "the local chain is not built yet: run `npm run cargo -- build -p localnet` (or `npm start`) first",
    );
  }
  const rpcPort = options.rpcPort ?? (await freePort());
  const wsPort = options.wsPort ?? (await freePort());
  for (const port of [rpcPort, wsPort]) {
    if (!(await portIsFree(port))) {
      throw new Error(
        `port ${port} is already in use (another local chain or validator?): stop it, or choose other ports`,
      );
    }
  }
  const args = ["--rpc-port", String(rpcPort), "--ws-port", String(wsPort)];
  if (options.demoDir) args.push("--bootstrap-demo", options.demoDir);
  if (options.testMethods) args.push("--test-methods");
  if (options.history !== undefined) args.push("--history", String(options.history));
  const stdio: StdioOptions = ["ignore", "ignore", options.stderr ?? "inherit"];
  const began = performance.now();
  const child = spawn(localChainBinary, args, { stdio });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local chain exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill("SIGINT");
      throw new Error("the local chain did not become healthy in time");
    }
    try {
      const response = await fetch(rpcUrl, { method: "POST", body: '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return {
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    child,
    startupMs: performance.now() - began,
    stop: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}
