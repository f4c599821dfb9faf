// The one-way rule of DESIGN.md §1 and docs/architecture.md, checked by `npm run arrows` (a stage of
// `npm test`): programs (Rust) ← IDL → sdk ← keeper, sim ← tui; scripts, tests and benches use the
// packages from outside. Every import is resolved (workspace symlinks, exports maps, `.js` → `.ts`), so
// the rules hold for package names and relative paths alike.
//
// Each package's public entry points are read from its package.json `exports`, so a package that adds
// an entry point needs no change here.
const { existsSync, readFileSync } = require("node:fs");
const { join, normalize } = require("node:path");

const root = process.cwd();
const PACKAGES = ["sdk", "sim", "keeper", "tui", "tools"];
const CONSUMERS = ["test", "bench", "scripts"];
const ANY = `^(${[...PACKAGES, ...CONSUMERS].join("|")})/`;

const escapeRegExp = (s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** Path patterns of the files a package's `exports` (or `main`) makes public. */
function entryPoints(dir) {
  const file = join(root, dir, "package.json");
  if (!existsSync(file)) return [];
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const targets = [];
  const collect = (value) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(pkg.exports ?? pkg.main ?? []);
  return targets.map((target) => {
    const path = normalize(join(dir, target)).split("\\").join("/");
    return `^${escapeRegExp(path).replace("*", "[^/]+")}$`;
  });
}
const PUBLIC = PACKAGES.flatMap(entryPoints);

module.exports = {
  forbidden: [
    {
      name: "sdk-imports-no-workspace-package",
      comment: "The sdk is the bottom of the off-chain stack: it imports no other workspace package.",
      severity: "error",
      from: { path: "^sdk/" },
      to: { path: "^(sim|keeper|tui|tools)/" },
    },
    {
      name: "sim-and-keeper-apart",
      comment: "sim and keeper never import each other; what both need lives in the sdk.",
      severity: "error",
      from: { path: "^(sim|keeper)/" },
      to: { path: "^(sim|keeper)/", pathNot: "^$1/" },
    },
    {
      name: "tui-imports-sdk-sim-keeper-only",
      comment: "The TUI builds on the sdk, the simulator and the keeper, nothing else in the workspace.",
      severity: "error",
      from: { path: "^tui/" },
      to: { path: ANY, pathNot: "^(tui|sdk|sim|keeper)/" },
    },
    {
      name: "devtools-are-for-scripts-tests-benches",
      comment: "@lantern/devtools (cargo, the local-chain launcher) serves scripts, tests and benches, not products.",
      severity: "error",
      from: { path: "^(sdk|sim|keeper|tui)/src/" },
      to: { path: "^tools/" },
    },
    {
      name: "no-relative-import-across-packages",
      comment: "A package, test, bench or script reaches another one by its package name, never by a relative path.",
      severity: "error",
      from: { path: ANY },
      to: { path: ANY, pathNot: "^$1/", dependencyTypesNot: ["aliased-workspace"] },
    },
    {
      name: "no-package-internals",
      comment: "Another package is reached through its public entry points (package.json exports) only.",
      severity: "error",
      from: { path: ANY },
      to: { path: `^(${PACKAGES.join("|")})/`, pathNot: ["^$1/", ...PUBLIC] },
    },
    {
      name: "not-to-unresolvable",
      comment:
        "Every import resolves; an import of a package path its exports map does not list (a deep import) does not.",
      severity: "error",
      from: { path: ANY },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    combinedDependencies: true,
    exclude: { path: "(^|/)node_modules/|^programs/|^target/|^\\.localnet/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["types", "import", "node", "default"],
      extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".json"],
      mainFields: ["module", "main", "types"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
