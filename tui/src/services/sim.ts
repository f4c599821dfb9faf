// The simulator service: lists the shipped scenarios and runs one with @lantern/sim's runScenario, whose
// paths run in worker threads (never on the UI thread: at least two workers, since one worker would run
// in the calling thread), reporting progress and ETA into the store; Esc aborts it.
import { availableParallelism } from "node:os";
import { listScenarios, runScenario } from "@lantern/sim";
import type { Store } from "../store/store.js";

export class SimService {
  private abort: AbortController | undefined;

  constructor(private readonly store: Store) {}

  get running(): boolean {
    return this.abort !== undefined;
  }

  load(): void {
    try {
      const scenarios = listScenarios().map((s) => ({ name: s.name, description: s.description }));
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
          statistics: output.statistics,
          elapsedMs: Date.now() - started,
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
}
