// A worker is an iteration run on a cadence. A failing iteration is logged and counted and never stops
// the loop (one bad account must not stop the process); a defect the worker declares fatal does.
import { Cause, Effect } from "effect";
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
          Effect.logError("iteration failed").pipe(
            Effect.annotateLogs({ worker: worker.name, cause: Cause.pretty(cause).slice(0, 2_000) }),
          ),
        );
      }),
    );
    // Alive while ticks keep coming: ten missed ticks, at least half a minute.
    yield* health.tick(worker.name, Math.max(30_000, worker.tickMs * 10));
  });

/**
 * Retry bookkeeping for intents refused or expired: each retry is a new intent key (`base#n`), allowed
 * after a pause, so every intent keeps exactly one terminal record and a refusal is not repeated every tick.
 */
export class Retries {
  private readonly tries = new Map<string, { n: number; notBefore: number }>();
  constructor(private readonly pauseMs: number) {}

  /** The key to use now, or undefined while the pause after the last refusal lasts. */
  key(base: string, now: number): string | undefined {
    let t = this.tries.get(base);
    if (!t) {
      t = { n: 0, notBefore: 0 };
      this.tries.set(base, t);
      if (this.tries.size > 10_000) this.tries.delete(this.tries.keys().next().value!);
    }
    return now < t.notBefore ? undefined : `${base}#${t.n}`;
  }

  /** After an outcome: success keeps the key (the journal answers "done" from now on); failure moves to the next. */
  settle(base: string, ok: boolean, now: number): void {
    if (ok) return;
    const t = this.tries.get(base);
    if (!t) return;
    t.n++;
    t.notBefore = now + this.pauseMs;
  }
}
