/**
 * `npm run sim -- <command>`: the simulator's command line.
 *
 *   run <scenario> [--paths N] [--seed S] [--workers W] [--policy P] [--out DIR] [--shard k/N]
 *                  [--set field=value ...] [--no-antithetic] [--engine fast|naive]
 *   list
 *   merge <partial.json | dir>... [--out DIR]
 *   compare <scenario> --policies FairRate,Market,MinOfBoth | --sets "name:field=value,field=value" ...
 *                  [--paths --seed --workers --out --set ...]
 *
 * Progress and messages go to stderr; the summary to stdout; results to files under --out.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Policy } from "./contract.js";
import { antitheticNote, duration, num, pct, sol, withCi } from "./report/format.js";
import { toJson, writeComparison, writeResult } from "./report/index.js";
import {
  POLICIES,
  UnknownScenarioError,
  mergePartials,
  parseShard,
  runScenario,
  type Progress,
  type RunOutput,
  type SimPartial,
  type SimResult,
} from "./run.js";
import { listScenarios, ScenarioError } from "./scenario.js";
import { SIM_VERSION } from "./version.js";

class UsageError extends Error {}

const HELP = `Lantern Monte Carlo risk simulator ${SIM_VERSION}

Usage: npm run sim -- <command> [options]

Commands:
  run <scenario>       Simulate a scenario (a name from \`sim list\` or a path to a .json file).
  list                 List the shipped scenarios.
  merge <files|dirs>   Combine partial results written by \`run --shard k/N\` (exactly).
  compare <scenario>   Run several pricing policies or parameter sets side by side on the same paths.
  replay <scenario> --path k [--seed S] [--sub-accounts n] [--speed x] [--set f=v] [--out DIR]
                       [--url URL --demo-dir DIR]
                       Play one path on a local chain with the real keeper fleet and compare the chain's
                       outcome with the model's, metric by metric (docs/replay.md). Exit 4 when a metric
                       diverges beyond its tolerance.

Options (run, compare):
  --paths N            Number of paths (default: the scenario's).
  --seed S             Seed (default: the scenario's). Same seed, same results, on any machine.
  --workers W          Worker threads (default: all cores). Does not change the results.
  --policy P           FairRate, Market or MinOfBoth (run; default: the scenario's).
  --set field=value    Override a scenario field (repeatable), e.g. --set risk.ltBps=9200.
  --out DIR            Where to write results (default: sim-results/<scenario>-<policy>-s<seed>-<paths>p).
  --shard k/N          Run only shard k of N (k from 0) and write partial aggregates (run).
  --no-antithetic      Independent paths instead of antithetic pairs.
  --per-path           Also write paths.csv: each path's outcomes (loss, bad debt, liquidations, APY,
                       deepest depeg, ...), in path order (run; for VaR checks and replays).
  --engine naive       The naive per-account engine (the correctness reference; slow).
  --policies A,B,C     Policies to compare (compare).
  --sets "name:f=v,f=v"  A named parameter set to compare (repeatable; compare).

Examples:
  npm run sim -- run msol-flash-depeg --paths 2000 --seed 7
  npm run sim -- compare ftx-week-solana --policies FairRate,Market,MinOfBoth --paths 1000
  npm run sim -- run mass-slashing-5 --paths 100000 --shard 3/16 --out /results
  npm run sim -- merge /results --out merged

Exit codes: 0 done; 2 usage or input error (bad option, invalid scenario file, unreadable or
mismatched partial results); 3 merge wrote a partial result because shards are missing; 4 replay
diverged beyond a tolerance; 1 anything else.
`;

/** Exit code of \`merge\` when the partial results do not cover every path yet. */
const EXIT_SHARDS_MISSING = 3;

function parseValue(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(text)) return Number(text);
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`The value ${text} is not valid JSON.`);
    }
  }
  return text;
}

function parseSets(items: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects field=value (for example --set risk.ltBps=9200), got "${item}".`);
    out[item.slice(0, eq).trim()] = parseValue(item.slice(eq + 1).trim());
  }
  return out;
}

function parsePolicy(text: string): Policy {
  const p = POLICIES.find((x) => x.toLowerCase() === text.trim().toLowerCase());
  if (!p) throw new UsageError(`"${text}" is not a pricing policy; use one of ${POLICIES.join(", ")}.`);
  return p;
}

function int(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text.replace(/_/g, ""));
  if (text.trim() === "" || !Number.isInteger(v) || v < min)
    throw new UsageError(
      min === 0
        ? `--${name} expects a non-negative integer, got "${text}".`
        : `--${name} expects an integer of at least ${min}, got "${text}".`,
    );
  return v;
}

/**
 * `--paths -5` would otherwise reach node's parseArgs as an unknown option "-5"; a negative number
 * after a numeric option is joined to it (`--paths=-5`) so that the option's own check explains it.
 */
function joinNegativeNumbers(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (/^--(paths|seed|workers)$/.test(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A progress bar with ETA on stderr (redrawn in place on a terminal, every 10% otherwise). */
function progressBar(label: string): { update: (p: Progress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  const line = (p: Progress) => {
    const f = p.total > 0 ? p.done / p.total : 1;
    const width = 24;
    const full = Math.round(f * width);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    const eta = p.etaMs === null ? "ETA –" : `ETA ${duration(p.etaMs)}`;
    return `${label} ${bar} ${(f * 100).toFixed(0).padStart(3)}% ${p.done.toLocaleString("en-US")}/${p.total.toLocaleString("en-US")} paths · ${num(p.pathsPerSec)} paths/s · ${eta} · ${duration(p.elapsedMs)} elapsed`;
  };
  return {
    update(p) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line(p)}`);
        drawn = true;
      } else {
        const decile = Math.floor((p.done / Math.max(1, p.total)) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          process.stderr.write(`${line(p)}\n`);
        }
      }
    },
    done() {
      if (tty && drawn) process.stderr.write("\n");
    },
  };
}

function summary(result: SimResult): string {
  const s = result.statistics;
  const m = result.meta;
  const rows: [string, string][] = [
    ["scenario", `${m.scenario.name} (hash ${m.scenario.hash.slice(0, 12)}…)`],
    [
      "policy / seed / paths",
      `${m.policy} / ${m.seed} / ${s.paths.toLocaleString("en-US")}${m.antithetic ? " (antithetic pairs)" : ""}`,
    ],
    ["P(any bad debt)", withCi(s.probabilities.anyBadDebt, (x) => pct(x))],
    ["P(bad debt beyond insurance)", withCi(s.probabilities.badDebtBeyondInsurance, (x) => pct(x))],
    ["P(any liquidation)", withCi(s.probabilities.anyLiquidation, (x) => pct(x))],
    ...s.loss.tails.flatMap((t) => [
      [`VaR ${Math.round(t.level * 100)}% protocol loss`, withCi(t.var, sol)] as [string, string],
      [`ES ${Math.round(t.level * 100)}% protocol loss`, withCi(t.es, sol)] as [string, string],
    ]),
    ["mean protocol loss", withCi(s.metrics.protocolLoss, sol)],
    ["liquidation volume", withCi(s.metrics.liquidationVolume, sol)],
    ["peak utilisation", withCi(s.metrics.peakUtilization, (x) => pct(x))],
    ["time in bunker mode", withCi(s.metrics.bunkerHours, (x) => `${num(x)} h`)],
    ["user net APY (at redemption value)", withCi(s.metrics.netApy, (x) => pct(x))],
    ["user return marked to market", `${withCi(s.metrics.markToMarketReturn, (x) => pct(x))} over the horizon`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  lines.push("", "  liquidation probability by leverage:");
  for (const l of s.leverage)
    lines.push(
      `    ${l.bucket.padEnd(8)} ${l.accounts === 0 ? "no sub-accounts" : withCi(l.liquidationProbability, (x) => pct(x))}`,
    );
  if (m.antithetic) {
    const note = antitheticNote(s.antitheticGain);
    lines.push("", `  ${note.text}`);
    for (const warning of note.warnings) lines.push(`  warning: ${warning}`);
  }
  return lines.join("\n");
}

function defaultOut(scenario: string, policy: string, seed: number, paths: number): string {
  const base = scenario.replace(/\.json$/, "").replace(/^.*\//, "");
  return join("sim-results", `${base}-${policy}-s${seed}-${paths}p`);
}

async function cmdRun(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(args),
    allowPositionals: true,
    options: {
      paths: { type: "string" },
      seed: { type: "string" },
      workers: { type: "string" },
      policy: { type: "string" },
      out: { type: "string" },
      shard: { type: "string" },
      set: { type: "string", multiple: true },
      "no-antithetic": { type: "boolean" },
      "per-path": { type: "boolean" },
      engine: { type: "string" },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError("`sim run` needs exactly one scenario, e.g. `npm run sim -- run baseline` (see `sim list`).");
  const scenario = positionals[0]!;
  const engine = values.engine ?? "fast";
  if (engine !== "fast" && engine !== "naive") throw new UsageError(`--engine must be fast or naive, got "${engine}".`);
  const shard = values.shard ? parseShard(values.shard) : undefined;
  const bar = progressBar(
    `${scenario}${values.policy ? ` [${values.policy}]` : ""}${shard ? ` shard ${shard.index}/${shard.count}` : ""}`,
  );
  const started = Date.now();
  const out = await runScenario(
    {
      scenario,
      overrides: parseSets(values.set),
      paths: int("paths", values.paths, 1),
      seed: int("seed", values.seed),
      workers: int("workers", values.workers, 1),
      policy: values.policy ? parsePolicy(values.policy) : undefined,
      shard,
      antithetic: !values["no-antithetic"],
      engine,
      perPath: values["per-path"] ?? false,
    },
    bar.update,
  );
  bar.done();
  const dir = values.out ?? defaultOut(scenario, out.meta.policy, out.meta.seed, out.meta.paths);
  if (out.kind === "lantern-sim-partial") {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `partial-${shard!.index}-of-${shard!.count}.json`);
    writeFileSync(file, toJson(out));
    process.stderr.write(
      `Shard ${shard!.index} of ${shard!.count} done in ${duration(Date.now() - started)}: partial aggregates written to ${file}. Combine the shards with \`npm run sim -- merge ${dir}\`.\n`,
    );
    return;
  }
  const files = writeResult(dir, out);
  process.stdout.write(`${summary(out)}\n\n`);
  process.stderr.write(`Done in ${duration(Date.now() - started)}. Wrote ${files.join(", ")}.\n`);
}

function cmdList(): void {
  const entries = listScenarios();
  if (entries.length === 0) {
    process.stdout.write("No scenarios found in sim/scenarios.\n");
    return;
  }
  const w = Math.max(...entries.map((e) => e.name.length));
  for (const e of entries) {
    const first = e.description.split(/(?<=\.)\s/)[0] ?? "";
    process.stdout.write(`${e.name.padEnd(w)}  ${first}\n`);
  }
}

function readPartials(inputs: string[]): SimPartial[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new UsageError(`There is no file or directory ${input}.`);
    if (statSync(input).isDirectory()) {
      const found = readdirSync(input)
        .filter((f) => /^partial-.*\.json$/.test(f))
        .sort()
        .map((f) => join(input, f));
      if (found.length === 0) throw new UsageError(`The directory ${input} holds no partial-*.json files.`);
      files.push(...found);
    } else files.push(input);
  }
  return files.map((f) => {
    let parsed: RunOutput;
    try {
      parsed = JSON.parse(readFileSync(f, "utf8")) as RunOutput;
    } catch (error) {
      throw new UsageError(`${f} is not valid JSON (${(error as Error).message}).`);
    }
    if (typeof parsed !== "object" || parsed === null || parsed.kind !== "lantern-sim-partial")
      throw new UsageError(`${f} is not a partial result (it should come from \`sim run --shard k/N\`).`);
    return parsed;
  });
}

async function cmdMerge(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: "string" } } });
  if (positionals.length === 0)
    throw new UsageError("`sim merge` needs the partial result files (or their directory).");
  const parts = readPartials(positionals);
  let merged: RunOutput;
  try {
    merged = mergePartials(parts);
  } catch (error) {
    // Mismatched runs, overlaps, files from another version: the input is wrong, not the simulator.
    throw new UsageError((error as Error).message);
  }
  const dir = values.out ?? join("sim-results", "merged");
  if (merged.kind === "lantern-sim-partial") {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "partial-merged.json");
    writeFileSync(file, toJson(merged));
    const size = merged.meta.antithetic ? 2 : 1;
    const covered = merged.units.map(([a, b]) => `${a * size}–${Math.min(b * size, merged.meta.paths) - 1}`).join(", ");
    process.stderr.write(
      `sim: Merged ${parts.length} partial results, but they cover only paths ${covered} of the run's ${merged.meta.paths.toLocaleString("en-US")}; wrote ${file}. Merge it again with the missing shards.\n`,
    );
    return EXIT_SHARDS_MISSING;
  }
  const files = writeResult(dir, merged);
  process.stdout.write(`${summary(merged)}\n\n`);
  process.stderr.write(`Merged ${parts.length} partial results. Wrote ${files.join(", ")}.\n`);
  return 0;
}

async function cmdCompare(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(args),
    allowPositionals: true,
    options: {
      paths: { type: "string" },
      seed: { type: "string" },
      workers: { type: "string" },
      policy: { type: "string" },
      policies: { type: "string" },
      sets: { type: "string", multiple: true },
      set: { type: "string", multiple: true },
      out: { type: "string" },
      "no-antithetic": { type: "boolean" },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      "`sim compare` needs exactly one scenario, e.g. `npm run sim -- compare ftx-week --policies FairRate,Market,MinOfBoth`.",
    );
  const scenario = positionals[0]!;
  const base = parseSets(values.set);
  const variants: { name: string; policy?: Policy; overrides: Record<string, unknown> }[] = [];
  if (values.policies)
    for (const p of values.policies.split(","))
      variants.push({ name: parsePolicy(p), policy: parsePolicy(p), overrides: base });
  for (const s of values.sets ?? []) {
    const colon = s.indexOf(":");
    if (colon <= 0) throw new UsageError(`--sets expects "name:field=value,field=value", got "${s}".`);
    const name = s.slice(0, colon).trim();
    const fields = s
      .slice(colon + 1)
      .split(",")
      .filter((x) => x.trim().length > 0);
    variants.push({
      name,
      policy: values.policy ? parsePolicy(values.policy) : undefined,
      overrides: { ...base, ...parseSets(fields) },
    });
  }
  if (variants.length < 2)
    throw new UsageError(
      '`sim compare` needs at least two variants: --policies A,B[,C] and/or --sets "name:field=value" (repeat).',
    );
  const names = new Set(variants.map((v) => v.name));
  if (names.size !== variants.length) throw new UsageError("The variants of `sim compare` need distinct names.");
  const results: { name: string; result: SimResult }[] = [];
  const started = Date.now();
  for (const v of variants) {
    const bar = progressBar(`${scenario} [${v.name}]`);
    const out = await runScenario(
      {
        scenario,
        overrides: v.overrides,
        paths: int("paths", values.paths, 1),
        seed: int("seed", values.seed),
        workers: int("workers", values.workers, 1),
        policy: v.policy,
        antithetic: !values["no-antithetic"],
      },
      bar.update,
    );
    bar.done();
    results.push({ name: v.name, result: out as SimResult });
  }
  const first = results[0]!.result.meta;
  const dir =
    values.out ??
    join(
      "sim-results",
      `${scenario.replace(/\.json$/, "").replace(/^.*\//, "")}-compare-s${first.seed}-${first.paths}p`,
    );
  const files = writeComparison(dir, results);
  // The comparison table on stdout.
  const rows: [string, (r: SimResult) => string][] = [
    ["P(any bad debt)", (r) => pct(r.statistics.probabilities.anyBadDebt.estimate)],
    ["P(beyond insurance)", (r) => pct(r.statistics.probabilities.badDebtBeyondInsurance.estimate)],
    ["P(any liquidation)", (r) => pct(r.statistics.probabilities.anyLiquidation.estimate)],
    ["VaR 99% loss", (r) => sol(r.statistics.loss.tails[1]!.var.estimate)],
    ["ES 99% loss", (r) => sol(r.statistics.loss.tails[1]!.es.estimate)],
    ["mean loss", (r) => sol(r.statistics.metrics.protocolLoss.estimate)],
    ["liquidation volume", (r) => sol(r.statistics.metrics.liquidationVolume.estimate)],
    ["sub-accounts liquidated", (r) => num(r.statistics.metrics.liquidatedAccounts.estimate)],
    ["user net APY", (r) => pct(r.statistics.metrics.netApy.estimate)],
  ];
  const w0 = Math.max(...rows.map(([k]) => k.length));
  const cols = results.map((r) => Math.max(r.name.length, ...rows.map(([, f]) => f(r.result).length)));
  const line = (cells: string[]) =>
    `  ${cells[0]!.padEnd(w0)}  ${cells
      .slice(1)
      .map((c, i) => c.padStart(cols[i]!))
      .join("  ")}`;
  const out = [
    line(["", ...results.map((r) => r.name)]),
    ...rows.map(([k, f]) => line([k, ...results.map((r) => f(r.result))])),
  ];
  process.stdout.write(`${out.join("\n")}\n\n`);
  process.stderr.write(
    `Compared ${results.length} variants on the same ${first.paths.toLocaleString("en-US")} paths (seed ${first.seed}) in ${duration(Date.now() - started)}. Wrote ${files.filter((f) => f.endsWith("compare.html") || f.endsWith("compare.csv")).join(", ")} and one report per variant.\n`,
  );
}

/** Exit code of `replay` when the chain and the model diverge beyond a tolerance. */
const EXIT_DIVERGED = 4;

async function cmdReplay(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeNumbers(args),
    allowPositionals: true,
    options: {
      path: { type: "string" },
      seed: { type: "string" },
      "sub-accounts": { type: "string" },
      speed: { type: "string" },
      set: { type: "string", multiple: true },
      out: { type: "string" },
      url: { type: "string" },
      "demo-dir": { type: "string" },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      "`sim replay` needs exactly one scenario, e.g. `npm run sim -- replay mass-slashing-5 --path 0`.",
    );
  if (values.path === undefined) throw new UsageError("`sim replay` needs --path k: the path of the scenario to play.");
  if ((values.url === undefined) !== (values["demo-dir"] === undefined))
    throw new UsageError("--url and --demo-dir go together: the chain to attach to and its demo world's directory.");
  // The replay's modules (the chain client among them) load only for a replay: `run` starts without them.
  const [{ stopReplayProcesses }, { DEFAULT_REPLAY_SPEED, runReplay }, { replayTable }] = await Promise.all([
    import("./replay/processes.js"),
    import("./replay/run.js"),
    import("./replay/report.js"),
  ]);
  const scenario = positionals[0]!;
  const path = int("path", values.path)!;
  const subAccounts = int("sub-accounts", values["sub-accounts"], 1) ?? 20;
  const speed = int("speed", values.speed, 1) ?? DEFAULT_REPLAY_SPEED;
  const seedText = values.seed !== undefined ? `-s${values.seed}` : "";
  const out =
    values.out ??
    join("sim-results", `replay-${scenario.replace(/[^\w.-]+/g, "_")}-p${path}${seedText}-n${subAccounts}`);
  const started = Date.now();
  // Ctrl-C (or a supervisor's SIGTERM) stops the chain and the keeper fleet before the replay exits.
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      process.stderr.write(`replay: ${signal}: stopping the keeper fleet and the chain…\n`);
      void stopReplayProcesses().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  const result = await runReplay({
    scenario,
    path,
    seed: int("seed", values.seed),
    subAccounts,
    speed,
    overrides: parseSets(values.set),
    out,
    chain: values.url
      ? {
          rpcUrl: values.url,
          wsUrl: values.url
            .replace(/^http/, "ws")
            .replace(/:(\d+)(\/?)$/, (_, port: string, slash: string) => `:${Number(port) + 1}${slash}`),
          demoDir: values["demo-dir"]!,
        }
      : undefined,
    log: (line) => process.stderr.write(`replay: ${line}\n`),
  });
  process.stdout.write(`${replayTable(result.report)}\n`);
  process.stderr.write(`Replayed in ${duration(Date.now() - started)}. Wrote ${result.files.join(", ")}.\n`);
  return result.comparison.passed ? 0 : EXIT_DIVERGED;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      await cmdRun(rest);
      return 0;
    case "list":
      cmdList();
      return 0;
    case "merge":
      return await cmdMerge(rest);
    case "compare":
      await cmdCompare(rest);
      return 0;
    case "replay":
      return await cmdReplay(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return 0;
    case "--version":
      process.stdout.write(`${SIM_VERSION}\n`);
      return 0;
    default:
      throw new UsageError(
        `"${command}" is not a command; use run, list, merge, compare or replay (see \`npm run sim -- help\`).`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error & { code?: string };
    if (error instanceof UnknownScenarioError || error instanceof UsageError) {
      process.stderr.write(`sim: ${e.message}\n`);
      process.exit(2);
    }
    if (error instanceof ScenarioError) {
      // Name the file: with several scenarios in play (compare, a batch of files) the reader must know which.
      const origin = (error as ScenarioError).origin;
      process.stderr.write(
        `sim: The scenario${origin ? ` ${origin}` : ""} is not valid:\n${(error as ScenarioError).issues.map((i) => `  - ${i}`).join("\n")}\n`,
      );
      process.exit(2);
    }
    if (
      e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ||
      e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ||
      e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
    ) {
      process.stderr.write(`sim: ${e.message} (see \`npm run sim -- help\`).\n`);
      process.exit(2);
    }
    if (error instanceof RangeError) {
      process.stderr.write(
        `sim: ${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}${/[.!?]$/.test(e.message) ? "" : "."}\n`,
      );
      process.exit(2);
    }
    process.stderr.write(
      `sim: ${e.message}\n${process.env.SIM_DEBUG ? `${e.stack}\n` : "(set SIM_DEBUG=1 for the stack trace)\n"}`,
    );
    process.exit(1);
  },
);
