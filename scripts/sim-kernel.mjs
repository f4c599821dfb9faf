// `npm run sim:kernel`: compiles the simulator's calm-step kernel (sim/kernel/calm.ts, AssemblyScript)
// into sim/kernel/calm.wasm, which the simulator loads at run time. `--check` compiles into a scratch
// directory and fails when the committed module differs, so the module can never drift from its source.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "sim", "kernel", "calm.ts");
const committed = join(root, "sim", "kernel", "calm.wasm");
const check = process.argv.includes("--check");
const scratch = check ? mkdtempSync(join(tmpdir(), "lantern-kernel-")) : undefined;
const out = scratch ? join(scratch, "calm.wasm") : committed;

// Release build, no runtime (the kernel allocates nothing), its own data above the kernel's fixed slots,
// SIMD for the two lanes, twelve pages for the slots and the lanes' rate tables and series.
const asc = join(root, "node_modules", "assemblyscript", "bin", "asc.js");
const flags = [
  "-O3",
  "--runtime",
  "stub",
  "--noAssert",
  "--enable",
  "simd",
  "--memoryBase",
  "8192",
  "--initialMemory",
  "12",
];
const built = spawnSync(process.execPath, [asc, source, ...flags, "-o", out], { stdio: "inherit" });
if (built.status !== 0) {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  console.error("The calm kernel did not compile (see above).");
  process.exit(built.status ?? 1);
}
if (!check) {
  console.log("sim/kernel/calm.wasm written");
  process.exit(0);
}
const same = readFileSync(out).equals(readFileSync(committed));
rmSync(scratch, { recursive: true, force: true });
if (!same) {
  console.error(
    "sim/kernel/calm.wasm is out of date with sim/kernel/calm.ts. Run `npm run sim:kernel`, check that test/sim/calm.test.ts still passes, and commit the result.",
  );
  process.exit(1);
}
console.log("The calm kernel is up to date with its source");
