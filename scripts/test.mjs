// The whole test suite, as CI runs it: format, lint and the package arrows; IDL and golden-vector
// freshness; Rust format and clippy, then the Rust programs on the native runtime; the TypeScript types,
// then the TypeScript tests (the sdk against the Rust vectors, and against the local chain). Stops at the
// first failing stage and says which one.
import { spawnSync } from "node:child_process";
import { cargo } from "@lantern/devtools/cargo";

const npmRun = (script) => spawnSync("npm", ["run", "--silent", script], { stdio: "inherit" }).status ?? 1;

const stages = [
  ["TypeScript format and lint (Biome)", () => npmRun("lint")],
  ["Package arrows (docs/architecture.md)", () => npmRun("arrows")],
  ["IDL is up to date with the Rust source", () => npmRun("idl:check")],
  ["Golden vectors are up to date with the Rust math", () => npmRun("golden:check")],
  ["The simulator's WebAssembly kernel is up to date with its source", () => npmRun("sim:kernel:check")],
  ["Rust format (rustfmt)", () => cargo(["fmt", "--all", "--check"])],
  [
    "Rust lint (clippy, warnings denied)",
    () => cargo(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
  ],
  ["Rust tests (programs on the real Solana runtime)", () => cargo(["test", "--workspace"])],
  ["TypeScript types (tsc)", () => npmRun("typecheck")],
  ["TypeScript tests", () => npmRun("test:ts")],
];

for (const [name, run] of stages) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const status = run();
  if (status !== 0) {
    console.error(`\n✖ ${name}: failed (see the output above).`);
    process.exit(status);
  }
  console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
