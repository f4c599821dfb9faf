// The simulator service: lists the shipped scenarios and runs one with @lantern/sim's runScenario, whose
// paths run in worker threads (never on the UI thread: at least two workers, since one worker would run
// in the calling thread), reporting progress and ETA into the store; Esc aborts it. `e` exports the newest
// run as `npm run sim -- run` writes one.
import { availableParallelism } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { listScenarios, loadScenario, runScenario, writeResult } from "@lantern/sim";
import { simHorizon } from "../store/selectors.js";
import type { Store } from "../store/store.js";

/** Where `e` writes a run: the directory `npm run sim -- run` would choose, plus an overridden horizon. */
export function exportDir(
  base: string,
  run: { scenario: string; policy: string; seed: number; paths: number },
  horizonOverride: number | undefined,
) {
  const horizon = horizonOverride === undefined ? "" : `-h${horizonOverride}d`;
  return resolve(base, "sim-results", `${run.scenario}-${run.policy}-s${run.seed}-${run.paths}p${horizon}`);
}

export class SimService {
  private abort: AbortController | undefined;

  /** `base`: the directory exports go under (`sim-results/…`), by default the working directory. */
  constructor(
    private readonly store: Store,
    private readonly base = process.cwd(),
  ) {}

  get running(): boolean {
    return this.abort !== undefined;
  }

  load(): void {
    try {
      const scenarios = listScenarios().map((s) => ({
        name: s.name,
        description: s.description,
        horizonDays: loadScenario(s.file).horizonDays,
      }));
      this.store.dispatch({ type: "sim/patch", patch: { scenarios, listError: undefined } });
    } catch (error) {
      this.store.dispatch({
        type: "sim/patch",
        patch: { listError: `The scenario files could not be read: ${(error as Error).message}` },
      });
    }
  }

  async run(): Promise<void> {
    if (this.abort) return;
    const { sim } = this.store.getState();
    const scenario = sim.scenarios[sim.selected];
    if (!scenario) return;
    const horizonDays = simHorizon(this.store.getState());
    const abort = new AbortController();
    this.abort = abort;
    const started = Date.now();
    this.store.dispatch({
      type: "sim/patch",
      patch: {
        status: "running",
        error: undefined,
        progress: { done: 0, total: sim.paths, etaMs: null, pathsPerSec: 0 },
      },
    });
    try {
      const output = await runScenario(
        {
          scenario: scenario.name,
          paths: sim.paths,
          seed: sim.seed,
          policy: sim.policy,
          ...(sim.horizonDays === undefined ? {} : { overrides: { horizonDays: sim.horizonDays } }),
          workers: Math.max(2, availableParallelism()),
          signal: abort.signal,
        },
        (p) =>
          this.store.dispatch({
            type: "sim/patch",
            patch: { progress: { done: p.done, total: p.total, etaMs: p.etaMs, pathsPerSec: p.pathsPerSec } },
          }),
      );
      if (output.kind !== "lantern-sim-result") throw new Error("the simulator returned a partial result");
      this.store.dispatch({
        type: "sim/done",
        run: {
          scenario: scenario.name,
          policy: sim.policy,
          paths: output.meta.paths,
          seed: output.meta.seed,
          horizonDays,
          statistics: output.statistics,
          elapsedMs: Date.now() - started,
          result: output,
        },
      });
    } catch (error) {
      if (abort.signal.aborted)
        this.store.dispatch({ type: "sim/patch", patch: { status: "cancelled", progress: undefined } });
      else
        this.store.dispatch({
          type: "sim/patch",
          patch: { status: "error", progress: undefined, error: `The simulation failed: ${(error as Error).message}` },
        });
    } finally {
      this.abort = undefined;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Writes the newest run as `npm run sim -- run` does (results.json, results.csv, series.csv,
   * report.html) under `sim-results/`; the store learns the path of results.json, or why not.
   */
  export(): void {
    const run = this.store.getState().sim.runs[0];
    if (!run?.result) {
      this.store.dispatch({
        type: "sim/patch",
        patch: { exported: { error: "Run a scenario first: there is nothing to export yet" } },
      });
      return;
    }
    const override = run.result.meta.overrides.horizonDays;
    const dir = exportDir(this.base, run, typeof override === "number" ? override : undefined);
    try {
      writeResult(dir, run.result);
      // Shown relative to where the TUI runs (usually the repository), absolute when outside it.
      const file = join(dir, "results.json");
      const near = relative(process.cwd(), file);
      this.store.dispatch({
        type: "sim/patch",
        patch: { exported: { path: near.startsWith("..") || isAbsolute(near) ? file : near } },
      });
    } catch (error) {
      this.store.dispatch({
        type: "sim/patch",
        patch: { exported: { error: `The report could not be written to ${dir}: ${(error as Error).message}` } },
      });
    }
  }
}
