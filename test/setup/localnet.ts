// Vitest global setup: builds the local chain if needed and starts one instance (with the demo world and
// the test methods) for the whole run, on free ports; tests reach it through `inject`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cargoTargetDir } from "../../scripts/cargo.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    rpcUrl: string;
    wsUrl: string;
    demoDir: string;
  }
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

let child: ChildProcess | undefined;

export default async function setup(project: TestProject) {
  const build = spawnSync("cargo", ["build", "--quiet", "-p", "localnet"], {
    stdio: "inherit",
    env: { ...process.env, CARGO_TARGET_DIR: cargoTargetDir },
  });
  if (build.status !== 0) throw new Error("building programs/localnet failed (see above)");
  const [rpcPort, wsPort] = [await freePort(), await freePort()];
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-demo-"));
  child = spawn(
    join(cargoTargetDir, "debug", "lantern-localnet"),
    ["--rpc-port", String(rpcPort), "--ws-port", String(wsPort), "--bootstrap-demo", demoDir, "--test-methods"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  await waitForHealth(rpcUrl, child, 60_000);
  JSON.parse(readFileSync(join(demoDir, "demo.json"), "utf8"));
  project.provide("rpcUrl", rpcUrl);
  project.provide("wsUrl", `ws://127.0.0.1:${wsPort}`);
  project.provide("demoDir", demoDir);
  return () => {
    child?.kill("SIGINT");
  };
}
