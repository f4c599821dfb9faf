// `npm start`: builds the local chain if needed, starts it with the demo world and the keeper fleet that
// keeps it alive (9 committee members, a liquidator, a cranker, and the demo market), and opens the
// trader TUI (@lantern/tui) as the demo trader, watching the fleet's keepers. Quitting the TUI stops
// everything. When stdout is not a terminal it prints one snapshot of the TUI instead and keeps the world
// running (lines typed on stdin are shocks for the demo market: `depeg 5% [10m]`, `slash 3%`, `recover`)
// until SIGINT or SIGTERM.
import { appendFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { startFleet } from "@lantern/keeper";
import { cargo, type LocalChain, startLocalChain } from "@lantern/devtools";
import { runTui } from "@lantern/tui";

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
const chainDied = (code: number | null) => {
  process.stdout.write("\x1b[?25h");
  console.error(`\nThe local chain stopped (exit code ${code}); its message, if any, is above.`);
  process.exit(1);
};
chain.child.on("exit", chainDied);
/** How long the one snapshot (stdout not a terminal) waits for the keeper fleet to be ready. */
const KEEPERS_READY_MS = 90_000;

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
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  // Only our own listener: chain.stop() resolves on the child's "exit" through one of its own.
  chain.child.off("exit", chainDied);
  await fleet.stop();
  await chain.stop();
  const ports = fleet.keepers.map((k) => Number(new URL(k.url).port));
  process.stdout.write(
    `\x1b[?25hStopped the keeper fleet (${fleet.processes.length} processes) and the local chain; ports 8899, 8900 and 8990–${Math.max(8990, ...ports)} are free.\n`,
  );
  process.exit(code);
};
process.on("SIGINT", () => stop());
process.on("SIGTERM", () => stop());

// The TUI as the demo trader, watching every keeper of the fleet.
const keepers = fleet.keepers.flatMap((k) => ["--keeper", `${k.name}=${k.url}`]);
const tuiArgs = ["--url", rpcUrl, "--demo", demoDir, "--demo-market", fleet.priceUrl, ...keepers];
if (process.stdout.isTTY && process.stdin.isTTY) {
  const code = await runTui(process.argv.slice(2), { extra: tuiArgs });
  await stop(code);
} else {
  // One snapshot: of the fleet at work, not of keepers still starting (the live TUI shows them come up).
  const ready = await fleet.ready(KEEPERS_READY_MS, (count, of) =>
    console.log(`Waiting for the keeper fleet: ${count} of ${of} ready`),
  );
  if (ready < fleet.keepers.length) {
    console.log(
      `${fleet.keepers.length - ready} keepers were not ready after ${KEEPERS_READY_MS / 1000} s: the snapshot below shows why; their logs are in ${keeperLog}.`,
    );
  }
  await runTui(["--once"], { extra: tuiArgs });
  console.log(
    `\nThe demo world keeps running (${rpcUrl}; keeper logs in ${keeperLog}). Lines on stdin are shocks for the demo market: depeg 5% [10m] | slash 3% | recover. SIGINT or SIGTERM stops it.`,
  );
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (!line.trim()) return;
    fleet.command(line).then(
      (answer) => console.log(`${line.trim()} → ${answer.trim()}`),
      (error) => console.log(`${line.trim()} → failed: ${(error as Error).message}`),
    );
  });
}
