// The keeper monitor: polls each keeper process's /healthz, /readyz and /metrics (every 2 s, as k9s
// does) and stores what it read; a keeper that does not answer is an error sentence, not a crash.
import { parsePrometheus } from "../prometheus.js";
import type { Store } from "../store/store.js";

async function fetchText(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

export async function pollKeeper(store: Store, url: string, timeoutMs = 3_000): Promise<void> {
  const base = url.replace(/\/$/, "");
  try {
    const [health, ready, metrics] = await Promise.all([
      fetchText(`${base}/healthz`, timeoutMs),
      fetchText(`${base}/readyz`, timeoutMs),
      fetchText(`${base}/metrics`, timeoutMs),
    ]);
    const readyBody = JSON.parse(ready.body) as { components?: Record<string, { ok: boolean; reason?: string }> };
    const notReady = Object.entries(readyBody.components ?? {})
      .filter(([, c]) => !c.ok)
      .map(([name, c]) => `${name}${c.reason ? `: ${c.reason}` : ""}`);
    store.dispatch({
      type: "keeper/update",
      url,
      patch: {
        status: "ok",
        error: undefined,
        live: health.status === 200,
        ready: ready.status === 200,
        notReady,
        metrics: metrics.status === 200 ? parsePrometheus(metrics.body) : undefined,
        updatedAt: Date.now(),
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    store.dispatch({
      type: "keeper/update",
      url,
      patch: {
        status: "error",
        error: `No answer from ${base} (${message}): is the keeper running with --http-port?`,
        live: undefined,
        ready: undefined,
      },
    });
  }
}

export function startKeeperPolling(store: Store, intervalMs = 2_000): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    await Promise.all(store.getState().keepers.map((k) => pollKeeper(store, k.url)));
    if (!stopped) timer = setTimeout(loop, intervalMs);
  };
  if (store.getState().keepers.length > 0) void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
