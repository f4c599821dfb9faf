// The vectorised NumPy peer of the baseline world (baseline_world.py), run as a child process on one
// core: shared by `npm run bench:sim` (section 3) and `bench/sim-peers.ts`.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./baseline_world.py", import.meta.url));

/** One run of the peer: `paths` paths × `days` days vectorised; ns per path-step and NumPy's version. */
export function numpyPeer(paths: number, days: number, seed: number): { ns: number; version: string } {
  const r = spawnSync("python3", [SCRIPT, String(paths), String(days), String(seed)], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  if (r.status !== 0) throw new Error(`the NumPy peer failed (is numpy installed?): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { nsPerPathStep: number; numpy: string };
  return { ns: out.nsPerPathStep, version: out.numpy };
}
