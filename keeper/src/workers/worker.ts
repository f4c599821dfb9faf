// A worker is an iteration run on a cadence. A failing iteration is logged and counted and never stops
// the loop (one bad account must not stop the process); a defect the worker declares fatal does.
import { Cause, Duration, Effect } from "effect";
import { Health } from "../health.js";
import { M, inc } from "../metrics.js";

export interface Worker {
  readonly name: string;
  readonly tickMs: number;
  /** One pass; failures are reported, then the next tick runs. */
  readonly iteration: Effect.Effect<void, unknown>;
}

/** A condition under which the worker must stop the process (e.g. a duplicate signer). */
export class FatalWorkerError extends Error {}

export const runIteration = (worker: Worker) =>
  Effect.gen(function* () {
    const health = yield* Health;
    yield* worker.iteration.pipe(
      Effect.catchAllCause((cause) => {
        const fatal = Cause.dieOption(cause);
        if (fatal._tag === "Some" && fatal.value instanceof FatalWorkerError) return Effect.failCause(cause);
        return Effect.zipRight(
          inc(M.workerErrors, { worker: worker.name }),
          Effect.logError("iteration failed").pipe(Effect.annotateLogs({ worker: worker.name, cause: Cause.pretty(cause).slice(0, 2_000) })),
        );
      }),
    );
    // Alive while ticks keep coming: ten missed ticks, at least half a minute.
    yield* health.tick(worker.name, Math.max(30_000, worker.tickMs * 10));
  });

export const runForever = (worker: Worker) =>
  Effect.forever(Effect.zipRight(runIteration(worker), Effect.sleep(Duration.millis(worker.tickMs)))).pipe(
    Effect.annotateLogs({ worker: worker.name }),
  );
