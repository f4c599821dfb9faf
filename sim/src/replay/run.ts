/**
 * `runReplay`: plan the path with the model, play it on a local chain (started, or attached to) with the
 * real keeper fleet, compare, and write `replay.json` and `replay.html` next to the simulator's reports.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Scenario } from "../scenario.js";
import { type Comparison, compareReplay } from "./compare.js";
import { type ChainOutcome, openStage, type ReplayStage } from "./driver.js";
import { type ReplayPlan, replayPlan } from "./plan.js";
import { type ChainEndpoints, startChain } from "./processes.js";
import { type ReplayReport, replayHtml, replayReport } from "./report.js";

export interface ReplayOptions {
  scenario: string | Scenario;
  path: number;
  seed?: number;
  subAccounts: number;
  /** The fine stride, chain seconds (default 60: one model step), where the model liquidates (docs/replay.md). */
  speed?: number;
  overrides?: Record<string, unknown>;
  /** Attach to this chain (it needs the demo world and the test methods); else start one. */
  chain?: ChainEndpoints;
  /** Where replay.json and replay.html go (none: not written). */
  out?: string;
  log?: (line: string) => void;
}

export interface ReplayResult {
  plan: ReplayPlan;
  chain: ChainOutcome;
  comparison: Comparison;
  report: ReplayReport;
  files: string[];
}

export const DEFAULT_REPLAY_SPEED = 60;

/** The options checked and the path planned: what fails here fails before a chain or keeper starts. */
function prepare(o: ReplayOptions): { plan: ReplayPlan; speed: number } {
  const speed = o.speed ?? DEFAULT_REPLAY_SPEED;
  if (!Number.isInteger(speed) || speed < 1)
    throw new RangeError(`--speed expects an integer of at least 1, got ${speed}.`);
  if (!Number.isInteger(o.subAccounts) || o.subAccounts < 1 || o.subAccounts > 500)
    throw new RangeError(`--sub-accounts expects an integer between 1 and 500, got ${o.subAccounts}.`);
  return { plan: replayPlan(o), speed };
}

/**
 * A chain (started, or attached to) with one keeper fleet on it, on which replays play one after another:
 * the fleet's minute of start-up is paid once (the tests' three scenarios share one).
 */
export interface ReplaySession {
  replay(o: Omit<ReplayOptions, "chain">): Promise<ReplayResult>;
  /** Stops the fleet, and the chain when the session started it. */
  close(): Promise<void>;
}

export async function openReplaySession(o: {
  chain?: ChainEndpoints;
  log?: (line: string) => void;
}): Promise<ReplaySession> {
  const { stage, close } = await openChainStage(o);
  return { replay: (r) => play(stage, prepare(r), r), close };
}

/** The stage on the given chain, or on a chain started for it (stopped with it). */
async function openChainStage(o: { chain?: ChainEndpoints; log?: (line: string) => void }) {
  const started = o.chain ? undefined : await startChain();
  try {
    const stage = await openStage(o.chain ?? started!, o.log);
    return {
      stage,
      close: async () => {
        await stage.close();
        await started?.stop();
      },
    };
  } catch (error) {
    await started?.stop();
    throw error;
  }
}

async function play(
  stage: ReplayStage,
  { plan, speed }: { plan: ReplayPlan; speed: number },
  o: Omit<ReplayOptions, "chain">,
): Promise<ReplayResult> {
  const chain = await stage.drive(plan, { speed, log: o.log });
  const stride = Math.max(plan.stepSecs, speed);
  const comparison = compareReplay(plan, chain, stride);
  const report = replayReport(plan, chain, comparison, stride);
  const files: string[] = [];
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    files.push(join(o.out, "replay.json"), join(o.out, "replay.html"));
    writeFileSync(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files[1]!, replayHtml(report));
  }
  return { plan, chain, comparison, report, files };
}

/** One replay on a chain and fleet of its own (or on the chain at `o.chain`). */
export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const prepared = prepare(o);
  const { stage, close } = await openChainStage(o);
  try {
    return await play(stage, prepared, o);
  } finally {
    await close();
  }
}

/** The comparison of an earlier replay's chain outcome with the model run again under other overrides. */
export function recompare(
  o: Omit<ReplayOptions, "chain" | "out" | "log">,
  chain: ChainOutcome,
): { plan: ReplayPlan; comparison: Comparison } {
  const plan = replayPlan(o);
  const stride = Math.max(plan.stepSecs, o.speed ?? DEFAULT_REPLAY_SPEED);
  return { plan, comparison: compareReplay(plan, chain, stride) };
}
