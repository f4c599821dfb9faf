// Starting an instance of the local chain (already built): the vitest global setup starts the one the
// run shares; a test that needs a chain of its own (test/model.test.ts: exclusive use of the one SOL
// lending pool, a clock it may move at will) starts another one the same way.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cargoTargetDir } from "../../scripts/cargo.mjs";

/** Where a local chain serves and where its demo world's manifest and keys are. */
export interface ChainEndpoints {
  rpcUrl: string;
  wsUrl: string;
  demoDir: string;
}

export interface LocalChain extends ChainEndpoints {
  /** Stops the chain (SIGINT: it exits cleanly). */
  stop(): void;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the local chain exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the local chain did not become healthy in time");
}

/**
 * Starts `lantern-localnet` (built by `cargo build -p localnet`) on free ports with the demo world and
 * the test methods (`lantern_warpTime`, `lantern_setAccount`); resolves once it is healthy.
 */
export async function startLocalChain(timeoutMs = 60_000): Promise<LocalChain> {
  const [rpcPort, wsPort] = [await freePort(), await freePort()];
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-demo-"));
  const child = spawn(
    join(cargoTargetDir, "debug", "lantern-localnet"),
    ["--rpc-port", String(rpcPort), "--ws-port", String(wsPort), "--bootstrap-demo", demoDir, "--test-methods"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  try {
    await waitForHealth(rpcUrl, child, timeoutMs);
    JSON.parse(readFileSync(join(demoDir, "demo.json"), "utf8"));
  } catch (error) {
    child.kill("SIGINT");
    throw error;
  }
  return { rpcUrl, wsUrl: `ws://127.0.0.1:${wsPort}`, demoDir, stop: () => void child.kill("SIGINT") };
}
