// Vitest global setup: builds the local chain if needed and starts one instance (with the demo world and
// the test methods) for the whole run, on free ports; tests reach it through `inject`.
import type { TestProject } from "vitest/node";
import { cargo } from "@lantern/devtools";
import { type LocalChain, startLocalChain } from "./chain.js";

declare module "vitest" {
  export interface ProvidedContext {
    rpcUrl: string;
    wsUrl: string;
    demoDir: string;
  }
}

let chain: LocalChain | undefined;

export default async function setup(project: TestProject) {
  if (cargo(["build", "--quiet", "-p", "localnet"]) !== 0)
    throw new Error("building programs/localnet failed (see above)");
  chain = await startLocalChain();
  project.provide("rpcUrl", chain.rpcUrl);
  project.provide("wsUrl", chain.wsUrl);
  project.provide("demoDir", chain.demoDir);
  return async () => {
    await chain?.stop();
  };
}
