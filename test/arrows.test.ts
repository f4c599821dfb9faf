// The arrows check (`npm run arrows`, .dependency-cruiser.cjs) on a small workspace built in a temporary
// directory: it passes when the arrows are respected and names the rule each deliberate violation breaks.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "..");
const config = join(repo, ".dependency-cruiser.cjs");
const depcruise = join(repo, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

const PACKAGES = ["sdk", "sim", "keeper", "tui", "tools"] as const;

/** A workspace shaped like the repository's, whose packages respect the arrows. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "lantern-arrows-"));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  write("package.json", json({ name: "fixture", private: true, type: "module", workspaces: [...PACKAGES] }));
  write("tsconfig.json", json({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }));
  for (const name of PACKAGES) {
    write(
      `${name}/package.json`,
      json({
        name: `@lantern/${name}`,
        type: "module",
        exports: { ".": { types: "./src/index.ts", default: "./src/index.ts" } },
        dependencies: name === "sdk" ? {} : { "@lantern/sdk": "*" },
      }),
    );
    mkdirSync(join(dir, "node_modules", "@lantern"), { recursive: true });
    symlinkSync(join("..", "..", name), join(dir, "node_modules", "@lantern", name), "dir");
  }
  write("sdk/src/index.ts", 'export { WAD } from "./math.js";\n');
  write("sdk/src/math.ts", "export const WAD = 10n ** 18n;\n");
  write("sim/src/index.ts", 'export { half } from "./engine.js";\n');
  write("sim/src/engine.ts", 'import { WAD } from "@lantern/sdk";\nexport const half = WAD / 2n;\n');
  write("keeper/src/index.ts", 'import { WAD } from "@lantern/sdk";\nexport const twice = WAD * 2n;\n');
  write(
    "tui/src/index.ts",
    'import { half } from "@lantern/sim";\nimport { twice } from "@lantern/keeper";\nexport const both = [half, twice];\n',
  );
  write("tools/src/index.ts", "export const cargo = () => 0;\n");
  write("test/sim.test.ts", 'import { half } from "@lantern/sim";\nexport const h = half;\n');
  return dir;
}

/** Runs the repository's arrows check on `dir`; the rule names it reports, and its exit status. */
function check(dir: string): { status: number | null; rules: string[]; output: string } {
  const run = spawnSync(process.execPath, [depcruise, "--config", config, "--output-type", "err", "."], {
    cwd: dir,
    encoding: "utf8",
  });
  const output = `${run.stdout}${run.stderr}`;
  const rules = [...output.matchAll(/error ([a-z-]+):/g)].map((m) => m[1]!);
  return { status: run.status, rules: [...new Set(rules)].sort(), output };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function violation(file: string, source: string) {
  dir = workspace();
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), source);
  return check(dir);
}

describe("the arrows check", () => {
  it("passes a workspace that respects the arrows", () => {
    dir = workspace();
    const result = check(dir);
    expect(result.rules, result.output).toEqual([]);
    expect(result.status, result.output).toBe(0);
  });

  it("catches the sdk reaching into the simulator's sources", () => {
    const result = violation(
      "sdk/src/bad.ts",
      'import { half } from "../../sim/src/engine.js";\nexport const x = half;\n',
    );
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual([
      "no-package-internals",
      "no-relative-import-across-packages",
      "sdk-imports-no-workspace-package",
    ]);
  });

  it("catches the sdk importing a workspace package by name", () => {
    const result = violation("sdk/src/bad.ts", 'import { half } from "@lantern/sim";\nexport const x = half;\n');
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual(["sdk-imports-no-workspace-package"]);
  });

  it("catches the simulator importing the keeper", () => {
    const result = violation("sim/src/bad.ts", 'import { twice } from "@lantern/keeper";\nexport const x = twice;\n');
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual(["sim-and-keeper-apart"]);
  });

  it("catches a deep import past a package's exports map", () => {
    const result = violation(
      "keeper/src/bad.ts",
      'import { WAD } from "@lantern/sdk/src/math.js";\nexport const x = WAD;\n',
    );
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual(["not-to-unresolvable"]);
  });

  it("catches the TUI importing the devtools", () => {
    const result = violation("tui/src/bad.ts", 'import { cargo } from "@lantern/tools";\nexport const x = cargo;\n');
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual([
      "devtools-are-for-scripts-tests-benches",
      "tui-imports-sdk-sim-keeper-only",
    ]);
  });

  it("catches a test reaching into a package by a relative path", () => {
    const result = violation("test/bad.test.ts", 'import { WAD } from "../sdk/src/math.js";\nexport const x = WAD;\n');
    expect(result.status).not.toBe(0);
    expect(result.rules, result.output).toEqual(["no-package-internals", "no-relative-import-across-packages"]);
  });
});
