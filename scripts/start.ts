// `npm start`: builds the local chain if needed, starts it with the demo world, and shows a live status
// screen of that world until the trader UI lands. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Connection } from "@solana/web3.js";
import { cargo, cargoTargetDir } from "./cargo.mjs";
import { demoStatus, renderStatus, type DemoManifest } from "../sdk/src/status.js";

const root = resolve(import.meta.dirname, "..");
const demoDir = join(root, ".localnet");
const rpcUrl = "http://127.0.0.1:8899";

console.log("Building the local chain (the first build compiles the Solana runtime: 10–20 minutes)…");
if (cargo(["build", "-p", "localnet"]) !== 0) {
  console.error("The local chain did not build; the compiler's message is above.");
  process.exit(1);
}

const chain = spawn(join(cargoTargetDir, "debug", "lantern-localnet"), ["--bootstrap-demo", demoDir], {
  stdio: ["ignore", "ignore", "pipe"],
});
let chainErrors = "";
chain.stderr.on("data", (chunk) => (chainErrors += chunk));
chain.on("exit", (code) => {
  if (code !== 0 && code !== null) {
    console.error(`\nThe local chain stopped (exit code ${code}). ${chainErrors.trim()}`);
    process.exit(1);
  }
});
const stop = () => {
  chain.kill("SIGINT");
  process.stdout.write("\x1b[?25h\nStopped the local chain.\n");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const connection = new Connection(rpcUrl, "confirmed");
async function waitForChain() {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await connection.getSlot()) >= 0 && existsSync(join(demoDir, "demo.json"))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the local chain did not answer within a minute");
}

try {
  await waitForChain();
} catch (error) {
  console.error(`Could not reach the local chain on ${rpcUrl}: ${(error as Error).message}. ${chainErrors.trim()}`);
  chain.kill("SIGINT");
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(join(demoDir, "demo.json"), "utf8")) as DemoManifest;
process.stdout.write("\x1b[?25l");
for (;;) {
  try {
    const status = await demoStatus(connection, manifest);
    process.stdout.write("\x1b[2J\x1b[H" + renderStatus(status, { rpcUrl, demoFile: join(demoDir, "demo.json") }) + "\n");
  } catch (error) {
    process.stdout.write(`\x1b[2J\x1b[HWaiting for the local chain… (${(error as Error).message})\n`);
  }
  await new Promise((r) => setTimeout(r, 2_000));
}
