// A local chain for tests: the vitest global setup starts the one the run shares; a test that needs a
// chain of its own (test/model.test.ts: exclusive use of the one SOL lending pool, a clock it may move
// at will) starts another one the same way.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalChain as start, type LocalChain as Chain } from "@lantern/devtools";

/** Where a local chain serves and where its demo world's manifest and keys are. */
export interface ChainEndpoints {
  rpcUrl: string;
  wsUrl: string;
  demoDir: string;
}

export interface LocalChain extends ChainEndpoints {
  stop(): Promise<void>;
}

/** A chain with the demo world and the test methods (`lantern_warpTime`, `lantern_setAccount`). */
export async function startLocalChain(timeoutMs = 60_000): Promise<LocalChain> {
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-demo-"));
  const chain: Chain = await start({ demoDir, testMethods: true, timeoutMs });
  return { rpcUrl: chain.rpcUrl, wsUrl: chain.wsUrl, demoDir, stop: chain.stop };
}
