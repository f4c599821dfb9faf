// The RPC service: one web3.js Connection per endpoint with web3.js's own 429 retry turned off, and
// one policy for every call — a per-call timeout, classified errors, jittered exponential backoff that
// honours Retry-After, and failover to the next endpoint while one is rate limited or down.
import { Connection, type Commitment } from "@solana/web3.js";
import { Clock, Context, Duration, Effect, Layer, Metric, Random } from "effect";
import { AppConfig, websocketUrlFor } from "../config.js";
import { RpcError, type RpcFailureKind, isTransient } from "../errors.js";
import { M, inc } from "../metrics.js";

export interface CallOptions {
  /** Per-attempt timeout (default: the configured one). */
  timeoutMs?: number;
  /** Attempts across endpoints (default: the configured one). */
  attempts?: number;
}

export interface RpcShape {
  readonly endpoints: readonly string[];
  /** Runs `f` on the best endpoint with the retry/failover policy. */
  readonly call: <A>(
    method: string,
    f: (c: Connection) => Promise<A>,
    options?: CallOptions,
  ) => Effect.Effect<A, RpcError>;
  /** The connection used for subscriptions (the first endpoint's WebSocket). */
  readonly subscriptions: Connection;
  readonly commitment: Commitment;
}

export class Rpc extends Context.Tag("keeper/Rpc")<Rpc, RpcShape>() {}

interface Endpoint {
  url: string;
  connection: Connection;
  /** The endpoint is skipped until this time (ms) after failing or asking us to wait. */
  downUntil: number;
  /** Retry-After of the last 429 this endpoint sent (ms), consumed by the classifier. */
  retryAfterMs: number | undefined;
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const JSON_RPC_TRANSIENT = new Set([-32004, -32005, -32007, -32014, -32016]);

/** Turns whatever web3.js threw into an RpcError kind. */
export function classify(error: unknown): RpcFailureKind {
  const e = error as { message?: string; code?: unknown; name?: string; cause?: { code?: string } };
  const message = String(e?.message ?? error);
  if (/^429\b|Too Many Requests/i.test(message)) return "RateLimited";
  if (e?.name === "TimeoutError" || e?.name === "AbortError" || /timed? ?out|aborted/i.test(message)) return "Timeout";
  if (typeof e?.code === "number") {
    if (JSON_RPC_TRANSIENT.has(e.code)) return "Unavailable";
    if (e.code === -32601 || e.code === -32602 || e.code === -32600) return "Rejected";
  }
  if (/^(400|401|403|404|405|410|413)\b/.test(message)) return "Rejected";
  if (/Method not found|Invalid params|Invalid request/i.test(message)) return "Rejected";
  // fetch failed / ECONNREFUSED / ECONNRESET / socket hang up / 5xx / blockhash not found on a lagging node
  return "Unavailable";
}

export const RpcLive = Layer.effect(
  Rpc,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const commitment: Commitment = "confirmed";
    const endpoints: Endpoint[] = config.rpc.urls.map((url, i) => {
      const endpoint: Endpoint = {
        url,
        connection: undefined as unknown as Connection,
        downUntil: 0,
        retryAfterMs: undefined,
      };
      endpoint.connection = new Connection(url, {
        commitment,
        disableRetryOnRateLimit: true,
        wsEndpoint: i === 0 && config.rpc.wsUrl ? config.rpc.wsUrl : websocketUrlFor(url),
        // A real timeout on the socket (Effect's timeout only stops waiting), and Retry-After captured for the policy.
        fetch: async (input, init) => {
          const response = await fetch(input as string, {
            ...(init as RequestInit),
            signal: AbortSignal.timeout(config.rpc.timeoutMs),
          });
          if (response.status === 429) endpoint.retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
          return response;
        },
      });
      return endpoint;
    });

    const pick = (now: number): { index: number; waitMs: number } => {
      let best = 0;
      for (let i = 0; i < endpoints.length; i++) {
        if (endpoints[i]!.downUntil <= now) return { index: i, waitMs: 0 };
        if (endpoints[i]!.downUntil < endpoints[best]!.downUntil) best = i;
      }
      return { index: best, waitMs: endpoints[best]!.downUntil - now };
    };

    const call = <A>(method: string, f: (c: Connection) => Promise<A>, options: CallOptions = {}) =>
      Effect.gen(function* () {
        const attempts = options.attempts ?? config.rpc.maxAttempts;
        const timeoutMs = options.timeoutMs ?? config.rpc.timeoutMs;
        let previous = -1;
        for (let attempt = 0; ; attempt++) {
          const now = yield* Clock.currentTimeMillis;
          const { index, waitMs } = pick(now);
          if (waitMs > 0) yield* Effect.sleep(Duration.millis(waitMs));
          if (previous !== -1 && previous !== index)
            yield* inc(M.rpcFailovers, { from: endpoints[previous]!.url, to: endpoints[index]!.url });
          previous = index;
          const endpoint = endpoints[index]!;
          const started = yield* Clock.currentTimeMillis;
          const result = yield* Effect.tryPromise({
            try: () => f(endpoint.connection),
            catch: (error) => error,
          }).pipe(
            Effect.timeoutFail({
              duration: Duration.millis(timeoutMs),
              onTimeout: () => Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: "TimeoutError" }),
            }),
            Effect.either,
          );
          const ended = yield* Clock.currentTimeMillis;
          yield* Metric.update(Metric.tagged(M.rpcLatency, "method", method), (ended - started) / 1000);
          if (result._tag === "Right") {
            yield* inc(M.rpcRequests, { method, endpoint: endpoint.url, result: "ok" });
            return result.right;
          }
          const kind = classify(result.left);
          const retryAfterMs = kind === "RateLimited" ? endpoint.retryAfterMs : undefined;
          endpoint.retryAfterMs = undefined;
          const error = new RpcError({
            kind,
            method,
            endpoint: endpoint.url,
            retryAfterMs,
            message: `${method} on ${endpoint.url} failed (${kind}): ${String((result.left as Error)?.message ?? result.left).slice(0, 300)}`,
          });
          yield* inc(M.rpcRequests, { method, endpoint: endpoint.url, result: kind });
          if (kind === "RateLimited") yield* inc(M.rpcRateLimited, { endpoint: endpoint.url });
          if (!isTransient(error) || attempt + 1 >= attempts) return yield* Effect.fail(error);
          // Full jitter on an exponential step; a Retry-After is a floor, never shortened.
          const step = Math.min(config.rpc.maxDelayMs, config.rpc.baseDelayMs * 2 ** attempt);
          const jitter = yield* Random.nextRange(0.5, 1);
          const backoff = Math.round(step * jitter);
          const pause = retryAfterMs !== undefined ? Math.max(retryAfterMs, backoff) : backoff;
          // This endpoint rests; the next attempt goes to another one if any is up.
          // A failing endpoint rests longer when there is another to use; the pick waits when none is up.
          endpoint.downUntil =
            ended + (endpoints.length > 1 && kind !== "RateLimited" ? Math.max(pause, 5_000) : pause);
          yield* Effect.logDebug("rpc retry").pipe(
            Effect.annotateLogs({ method, endpoint: endpoint.url, kind, pauseMs: pause, attempt }),
          );
        }
      });

    return { endpoints: endpoints.map((e) => e.url), call, subscriptions: endpoints[0]!.connection, commitment };
  }),
);
