// A raw WebSocket subscription client, for what web3.js cannot show: `jsonParsed` notifications (its
// `onAccountChange` validates base64 data only) and a reader that stops reading (`pause`).
import { once } from "node:events";
import WebSocket from "ws";

export interface Notification {
  method: string;
  /** `params.result.value` of the notification. */
  value: unknown;
}

/** Connects to `wsUrl`; every notification goes to `onNotification`. */
export async function rawSubscriptions(wsUrl: string, onNotification: (notification: Notification) => void) {
  const ws = new WebSocket(wsUrl);
  await once(ws, "open");
  const acks = new Map<number, () => void>();
  let nextId = 1;
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id !== undefined) acks.get(message.id)?.();
    else onNotification({ method: message.method, value: message.params.result.value });
  });
  return {
    /** Sends `method(params)` and resolves once the chain has acknowledged it. */
    subscribe(method: string, params: unknown[]) {
      const id = nextId++;
      const acked = new Promise<void>((resolve) => acks.set(id, resolve));
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
      return acked;
    },
    /** Stops reading from the socket (the chain's side fills up), and starts again. */
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(),
  };
}
