// A fault-injecting proxy between a keeper and a local chain: JSON-RPC over HTTP (scriptable per method:
// 429 with or without Retry-After, hang, swallow a send, refuse connections) and the WebSocket
// (upgrades piped to the chain's WebSocket port; can stall silently). It records every method it sees.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";

export type Fault =
  | { kind: "429"; retryAfterSecs?: number }
  | { kind: "hang" }
  /** Answer a sendTransaction with its signature as if accepted, but never forward it. */
  | { kind: "swallow" };

export interface Rule {
  method: string;
  fault: Fault;
  /** How many matching requests it applies to (default: all until removed). */
  times?: number;
}

export interface Seen {
  method: string;
  /** For sendTransaction: the base64 transaction it carried. */
  tx?: string;
  at: number;
  faulted?: Fault["kind"];
}

export class FaultProxy {
  readonly seen: Seen[] = [];
  rules: Rule[] = [];
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private wsStalled = false;
  private readonly wsPipes = new Set<{ client: Socket; upstream: Socket }>();
  port = 0;

  constructor(
    private readonly rpcUrl: string,
    private readonly wsUrl: string,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  get ws() {
    return `ws://127.0.0.1:${this.port}`;
  }
  count(method: string) {
    return this.seen.filter((s) => s.method === method && !s.faulted).length;
  }

  async start(port = 0): Promise<this> {
    const upstream = new URL(this.rpcUrl);
    const ws = new URL(this.wsUrl);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        let method = "?";
        let id: unknown = null;
        let tx: string | undefined;
        try {
          const parsed = JSON.parse(body.toString()) as { method: string; id: unknown; params?: unknown[] };
          method = parsed.method;
          id = parsed.id;
          if (method === "sendTransaction") tx = String(parsed.params?.[0]);
        } catch {
          // not JSON: forwarded as is
        }
        const rule = this.rules.find((r) => r.method === method || r.method === "*");
        const entry: Seen = { method, tx, at: Date.now() };
        this.seen.push(entry);
        if (rule) {
          if (rule.times !== undefined && --rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
          entry.faulted = rule.fault.kind;
          if (rule.fault.kind === "hang") return;
          if (rule.fault.kind === "429") {
            const headers: Record<string, string> = { "content-type": "application/json" };
            if (rule.fault.retryAfterSecs !== undefined) headers["retry-after"] = String(rule.fault.retryAfterSecs);
            res.writeHead(429, headers);
            res.end(
              JSON.stringify({
                jsonrpc: "2.0",
                id,
                error: { code: 429, message: "Too many requests for a specific RPC call" },
              }),
            );
            return;
          }
          if (rule.fault.kind === "swallow" && tx) {
            const bytes = Buffer.from(tx, "base64");
            // The first signature (after the 1-byte count) is the transaction id.
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ jsonrpc: "2.0", id, result: base58(bytes.subarray(1, 65)) }));
            return;
          }
        }
        const forward = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: upstream.pathname,
            method: "POST",
            headers: { "content-type": "application/json" },
          },
          (answer: IncomingMessage) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        forward.end(body);
      });
    });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    server.on("upgrade", (req, client: Socket, head: Buffer) => {
      const upstreamSocket = connect(Number(ws.port), ws.hostname, () => {
        let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
        for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
        upstreamSocket.write(`${raw}\r\n`);
        if (head.length) upstreamSocket.write(head);
        const pipe = { client, upstream: upstreamSocket };
        this.wsPipes.add(pipe);
        // Stalling drops the chain's frames instead of forwarding them: the stream goes silent, nothing closes.
        upstreamSocket.on("data", (d) => !this.wsStalled && client.write(d));
        client.on("data", (d) => upstreamSocket.write(d));
        const close = () => {
          this.wsPipes.delete(pipe);
          client.destroy();
          upstreamSocket.destroy();
        };
        client.on("close", close);
        upstreamSocket.on("close", close);
        client.on("error", close);
        upstreamSocket.on("error", close);
      });
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  stallWebSocket(stalled: boolean) {
    this.wsStalled = stalled;
  }

  /** Refuses connections until `start(port)` again. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const p of this.wsPipes) p.client.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }

  async stop(): Promise<void> {
    await this.down();
  }
}

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
export function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}
