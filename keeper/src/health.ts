// Liveness and readiness: workers report ticks; components report readiness; an HTTP server answers
// /healthz, /readyz and /metrics (Prometheus).
import { createServer, type Server } from "node:http";
import { Context, Effect, Layer, Metric, Ref } from "effect";
import { AppConfig } from "./config.js";
import { M, renderPrometheus } from "./metrics.js";

interface Tick {
  at: number;
  /** A worker counts as alive while its last tick is younger than this. */
  maxAgeMs: number;
}

export interface HealthShape {
  /** A worker finished an iteration (successfully or with a handled error). */
  readonly tick: (worker: string, maxAgeMs: number) => Effect.Effect<void>;
  /** A component says whether it is ready (snapshot loaded, clock fresh, stream alive), and why not. */
  readonly ready: (component: string, ok: boolean, reason?: string) => Effect.Effect<void>;
  readonly report: Effect.Effect<{
    live: boolean;
    ready: boolean;
    workers: Record<string, unknown>;
    components: Record<string, unknown>;
  }>;
}

export class Health extends Context.Tag("keeper/Health")<Health, HealthShape>() {}

export const HealthLive = Layer.effect(
  Health,
  Effect.gen(function* () {
    const ticks = yield* Ref.make(new Map<string, Tick>());
    const components = yield* Ref.make(new Map<string, { ok: boolean; reason?: string }>());
    return {
      tick: (worker, maxAgeMs) =>
        Effect.gen(function* () {
          const now = Date.now();
          yield* Ref.update(ticks, (m) => new Map(m).set(worker, { at: now, maxAgeMs }));
          yield* Metric.set(Metric.tagged(M.workerTick, "worker", worker), now / 1000);
        }),
      ready: (component, ok, reason) => Ref.update(components, (m) => new Map(m).set(component, { ok, reason })),
      report: Effect.gen(function* () {
        const now = Date.now();
        const w = yield* Ref.get(ticks);
        const c = yield* Ref.get(components);
        const workers: Record<string, unknown> = {};
        let live = true;
        for (const [name, t] of w) {
          const ok = now - t.at <= t.maxAgeMs;
          live &&= ok;
          workers[name] = { ok, lastTickMsAgo: now - t.at };
        }
        const comps: Record<string, unknown> = {};
        let ready = live;
        for (const [name, s] of c) {
          ready &&= s.ok;
          comps[name] = s;
        }
        return { live, ready, workers, components: comps };
      }),
    };
  }),
);

/** The HTTP server, listening for the layer's lifetime. */
export const HttpServerLive = Layer.scopedDiscard(
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const health = yield* Health;
    const runtime = yield* Effect.runtime<never>();
    const run = <A>(e: Effect.Effect<A>) => Effect.runPromise(Effect.provide(e, runtime.context));
    const server: Server = yield* Effect.acquireRelease(
      Effect.async<Server, Error>((resume) => {
        const s = createServer((req, res) => {
          const path = (req.url ?? "/").split("?")[0];
          if (path === "/metrics") {
            run(Metric.snapshot).then(
              (pairs) => {
                res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
                res.end(renderPrometheus(pairs));
              },
              () => {
                res.writeHead(500);
                res.end();
              },
            );
            return;
          }
          if (path === "/healthz" || path === "/readyz") {
            run(health.report).then((r) => {
              const ok = path === "/healthz" ? r.live : r.ready;
              res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
              res.end(JSON.stringify({ ok, ...r }));
            });
            return;
          }
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("Not found: the keeper serves /healthz, /readyz and /metrics\n");
        });
        s.once("error", (e) => resume(Effect.fail(e)));
        s.listen(config.http.port, config.http.host, () => resume(Effect.succeed(s)));
      }).pipe(
        Effect.mapError(
          (e) =>
            new Error(
              `The keeper could not listen on ${config.http.host}:${config.http.port} (${e.message}); choose another http.port (0 picks a free one).`,
            ),
        ),
        Effect.orDie,
      ),
      (s) =>
        Effect.async<void>((resume) => {
          s.closeAllConnections();
          s.close(() => resume(Effect.void));
        }),
    );
    const address = server.address();
    yield* Effect.logInfo("http server listening").pipe(
      Effect.annotateLogs({
        url: typeof address === "object" && address ? `http://${config.http.host}:${address.port}` : String(address),
      }),
    );
  }),
);
