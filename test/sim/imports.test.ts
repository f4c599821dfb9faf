// The simulator computes without the chain client: its workers and its `run` command load the sdk's
// exact math (`@lantern/sdk/math`), never web3.js or Anchor, which would add ~300 ms to every worker's
// start. Checked on the import graph esbuild bundles from each entry (type-only imports are dropped,
// as at run time).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const CLIENT = /node_modules\/(@solana\/web3\.js|@coral-xyz\/anchor)\//;

/**
 * The files that loading `entry` loads: its static imports, followed through the graph esbuild
 * resolves (a dynamic `import()` loads later, when its code runs, and is not followed).
 */
async function loadedFiles(entry: string): Promise<string[]> {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  const { inputs } = result.metafile;
  const start = Object.keys(inputs).find((input) => file.endsWith(input))!;
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0)
    for (const { path, kind } of inputs[todo.pop()!]!.imports)
      if (kind !== "dynamic-import" && path in inputs && !seen.has(path)) {
        seen.add(path);
        todo.push(path);
      }
  return [...seen];
}

describe("the simulator loads no chain client", () => {
  it.each([
    ["the sdk's math entry", "../../sdk/src/protocolMath.ts"],
    ["a simulation worker", "../../sim/src/worker.ts"],
    ["the simulator's CLI (`run`; a replay loads its modules when it starts)", "../../sim/src/cli.ts"],
  ])("%s", async (_name, entry) => {
    const inputs = await loadedFiles(entry);
    expect(inputs.length).toBeGreaterThan(5);
    expect(inputs.filter((f) => CLIENT.test(f))).toEqual([]);
  });

  it("the whole sdk and a replay do load it (the check can fail)", async () => {
    for (const entry of ["../../sdk/src/index.ts", "../../sim/src/replay/run.ts"])
      expect((await loadedFiles(entry)).some((f) => CLIENT.test(f))).toBe(true);
  });
});
