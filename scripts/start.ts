// `npm start`: builds the local chain if needed, starts it with the demo world, and shows a live status
// screen of that world until the trader UI lands. Ctrl-C stops everything.
import { join, resolve } from "node:path";
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
const stop = async () => {
  chain.child.removeAllListeners("exit");
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
  } catch (error) {
    process.stdout.write(`\x1b[2J\x1b[HWaiting for the local chain… (${(error as Error).message})\n`);
  }
  await new Promise((r) => setTimeout(r, 2_000));
}
