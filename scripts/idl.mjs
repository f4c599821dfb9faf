// `npm run idl`: generates each program's Anchor IDL natively (no SBF toolchain) into sdk/idl, with
// the TypeScript type Anchor's client expects. `--check` regenerates into a scratch directory and
// fails when the committed files differ, so the sdk can never drift from the Rust source.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cargo, cargoTargetDir } from "@lantern/devtools/cargo";
import { idlTypeScript } from "./idl-ts.mjs";
import { spawnSync } from "node:child_process";

const PROGRAMS = ["oracle", "restaking", "margin"];
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "sdk", "idl");
const check = process.argv.includes("--check");

if (cargo(["build", "--quiet", "-p", "lantern-idl-gen"]) !== 0) process.exit(1);
const out = check ? mkdtempSync(join(tmpdir(), "lantern-idl-")) : committed;
const generator = join(cargoTargetDir, "debug", "lantern-idl-gen");
const run = spawnSync(generator, [root, out, ...PROGRAMS], {
  stdio: "inherit",
  env: { ...process.env, CARGO_TARGET_DIR: cargoTargetDir },
});
if (run.status !== 0) process.exit(run.status ?? 1);

const stale = [];
for (const program of PROGRAMS) {
  const json = readFileSync(join(out, `${program}.json`), "utf8");
  const ts = idlTypeScript(JSON.parse(json));
  if (check) {
    for (const [file, fresh] of [
      [`${program}.json`, json],
      [`${program}.ts`, ts],
    ]) {
      const path = join(committed, file);
      if (!existsSync(path) || readFileSync(path, "utf8") !== fresh) stale.push(`sdk/idl/${file}`);
    }
  } else {
    writeFileSync(join(out, `${program}.ts`), ts);
    console.log(`sdk/idl/${program}.json and sdk/idl/${program}.ts written`);
  }
}
if (check) rmSync(out, { recursive: true, force: true });
if (stale.length > 0) {
  console.error(`${stale.join(", ")} out of date with the Rust source. Run \`npm run idl\` and commit the result.`);
  process.exit(1);
}
if (check) console.log(`IDL up to date for ${PROGRAMS.join(", ")}`);
