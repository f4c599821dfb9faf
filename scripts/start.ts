// `npm start`: builds the local chain if needed, starts it with the demo world and the keeper fleet that
// keeps it alive (9 committee members, a liquidator, a cranker, and the demo market), and shows a live
// status screen of that world until the trader UI lands. Lines typed are shocks for the demo market
// (`depeg 5% [10m]`, `slash 3%`, `recover`). Ctrl-C stops everything.
import { appendFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { startFleet } from "@lantern/keeper";
import { Connection } from "@solana/web3.js";
import { cargo, type LocalChain, startLocalChain } from "@lantern/devtools";
import { readDemoManifest } from "@lantern/sdk/node";
import { demoStatus, renderStatus } from "./status.js";

const root = resolve(import.meta.dirname, "..");
const demoDir = join(root, ".localnet");

console.log("Building the local chain (the first build compiles the Solana runtime, about ten minutes)…");
if (cargo(["build", "-p", "localnet"]) !== 0) {
  console.error("The local chain did not build; the compiler's message is above.");
  process.exit(1);
}

let chain: LocalChain;
try {
  chain = await startLocalChain({ rpcPort: 8899, wsPort: 8900, demoDir, stderr: "inherit" });
} catch (error) {
  console.error(`Could not start the local chain: ${(error as Error).message}. Is another one running on port 8899?`);
  process.exit(1);
}
const { rpcUrl } = chain;
chain.child.on("exit", (code) => {
  process.stdout.write("\x1b[?25h");
  console.error(`\nThe local chain stopped (exit code ${code}); its message, if any, is above.`);
  process.exit(1);
});
// The keeper fleet, its lines in .localnet/keeper.log (the screen belongs to the status).
const keeperLog = join(demoDir, "keeper.log");
writeFileSync(keeperLog, "");
console.log(`Starting the keeper fleet and the demo market (logs: ${keeperLog})…`);
const fleet = await startFleet({
  demoDir,
  rpcUrl,
  basePort: 8990,
  dryRun: false,
  frameSecs: 60,
  fastLaneSecs: 10,
  write: (line) => appendFileSync(keeperLog, `${line}\n`),
});
let lastCommand = "";
createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  fleet.command(line).then(
    (answer) => (lastCommand = `${line.trim()} → ${answer.trim()}`),
    (error) => (lastCommand = `${line.trim()} → failed: ${(error as Error).message}`),
  );
});
const stop = async () => {
  chain.child.removeAllListeners("exit");
  await fleet.stop();
  await chain.stop();
  process.stdout.write("\x1b[?25h\nStopped the local chain.\n");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const connection = new Connection(rpcUrl, "confirmed");
const manifest = readDemoManifest(demoDir);
process.stdout.write("\x1b[?25l");
for (;;) {
  try {
    const status = await demoStatus(connection, manifest);
    process.stdout.write(`\x1b[2J\x1b[H${renderStatus(status, { rpcUrl, demoFile: join(demoDir, "demo.json") })}\n`);
    process.stdout.write(
      `\nKeeper fleet: 9 members, liquidator, cranker, demo market (${fleet.priceUrl}); logs in ${keeperLog}\n` +
        `Type a shock and Enter: depeg 5% [10m] | slash 3% | recover${lastCommand ? `\nLast: ${lastCommand}` : ""}\n`,
    );
  } catch (error) {
    process.stdout.write(`\x1b[2J\x1b[HWaiting for the local chain… (${(error as Error).message})\n`);
  }
  await new Promise((r) => setTimeout(r, 2_000));
}
