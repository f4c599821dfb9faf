// Runs cargo with the shared target directory: the Rust build (~700 crates) is reused across
// clones and CI runs instead of being rebuilt inside every checkout. `npm run cargo -- <args>` runs it.
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";

export const cargoTargetDir =
  process.env.CARGO_TARGET_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "lantern", "target");

export function cargo(args, options = {}) {
  const result = spawnSync("cargo", args, {
    stdio: "inherit",
    ...options,
    env: { ...process.env, CARGO_TARGET_DIR: cargoTargetDir, ...options.env },
  });
  if (result.error) {
    console.error(`Could not run cargo (${result.error.message}). Install Rust from https://rustup.rs and try again.`);
    return 1;
  }
  return result.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(cargo(process.argv.slice(2)));
}
