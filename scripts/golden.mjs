// `npm run golden`: regenerates the golden vectors in test/golden from the programs' own Rust math
// (programs/golden). `--check` regenerates into a scratch directory and fails when the committed
// vectors differ, so the sdk's bigint mirror (checked against them by test/math-golden.test.ts) can
// never silently drift from the Rust source.
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cargo } from "@lantern/devtools/cargo";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "test", "golden");
const check = process.argv.includes("--check");
const out = check ? mkdtempSync(join(tmpdir(), "lantern-golden-")) : committed;

const status = cargo(["run", "-q", "-p", "lantern-golden", "--", out], { cwd: root });
if (status !== 0) {
  if (check) rmSync(out, { recursive: true, force: true });
  process.exit(status);
}
if (!check) {
  console.log("test/golden written");
  process.exit(0);
}

const fresh = readdirSync(out)
  .filter((f) => f.endsWith(".json"))
  .sort();
const kept = existsSync(committed)
  ? readdirSync(committed)
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];
const stale = [];
for (const file of new Set([...fresh, ...kept])) {
  const a = join(out, file);
  const b = join(committed, file);
  if (!existsSync(a) || !existsSync(b) || readFileSync(a, "utf8") !== readFileSync(b, "utf8"))
    stale.push(`test/golden/${file}`);
}
rmSync(out, { recursive: true, force: true });
if (stale.length > 0) {
  console.error(
    `${stale.join(", ")} out of date with the Rust math. Run \`npm run golden\`, check that test/math-golden.test.ts still passes, and commit the result.`,
  );
  process.exit(1);
}
console.log(`Golden vectors up to date (${fresh.join(", ")})`);
