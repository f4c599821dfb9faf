/// <reference path="../types/node-sqlite3-wasm.d.ts" />
// The durable intent journal (SQLite through node-sqlite3-wasm, which persists to the file through a
// Node VFS — no native build, no download, so it installs anywhere npm does). Every intent is written
// before its first signature is sent, every signature before it leaves the process, and every intent
// ends in exactly one terminal status.
import sqlite from "node-sqlite3-wasm";
import { Context, Effect, Layer } from "effect";
import { AppConfig, expandHome } from "../config.js";
import { JournalError } from "../errors.js";

export const TERMINAL = ["landed", "failed", "expired", "skipped", "abandoned"] as const;
export type TerminalStatus = (typeof TERMINAL)[number];
export type IntentStatus = "pending" | "sent" | TerminalStatus;

export interface IntentRow {
  key: string;
  kind: string;
  status: IntentStatus;
  detail: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface SignatureRow {
  signature: string;
  intentKey: string;
  /** The signed transaction (base64): what rebroadcasts and reconciliation resend. */
  raw: string;
  blockhash: string;
  lastValidBlockHeight: number;
  sentMs: number;
}

export interface JournalShape {
  /** Records the intent as pending unless it exists; returns the existing row if it does. */
  readonly begin: (key: string, kind: string) => Effect.Effect<IntentRow | undefined, JournalError>;
  readonly get: (key: string) => Effect.Effect<IntentRow | undefined, JournalError>;
  /** Durable before the signature is sent. */
  readonly addSignature: (row: SignatureRow) => Effect.Effect<void, JournalError>;
  readonly signatures: (key: string) => Effect.Effect<SignatureRow[], JournalError>;
  readonly hasSignature: (signature: string) => Effect.Effect<boolean, JournalError>;
  /** Terminal status; a second finish of the same intent is refused (exactly one terminal record). */
  readonly finish: (key: string, status: TerminalStatus, detail?: string) => Effect.Effect<void, JournalError>;
  readonly open: Effect.Effect<IntentRow[], JournalError>;
  /** A journal-wide setting (the cluster's genesis hash). */
  readonly meta: (key: string) => Effect.Effect<string | undefined, JournalError>;
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, JournalError>;
  /** Keys of intents of `kind` created at or after `sinceMs`. */
  readonly recent: (kind: string, sinceMs: number) => Effect.Effect<IntentRow[], JournalError>;
}

export class Journal extends Context.Tag("keeper/Journal")<Journal, JournalShape>() {}

const toIntent = (r: Record<string, unknown>): IntentRow => ({
  key: String(r.key),
  kind: String(r.kind),
  status: String(r.status) as IntentStatus,
  detail: r.detail === null ? null : String(r.detail),
  createdMs: Number(r.created_ms),
  updatedMs: Number(r.updated_ms),
});

const toSignature = (r: Record<string, unknown>): SignatureRow => ({
  signature: String(r.signature),
  intentKey: String(r.intent_key),
  raw: String(r.raw),
  blockhash: String(r.blockhash),
  lastValidBlockHeight: Number(r.last_valid_height),
  sentMs: Number(r.sent_ms),
});

/** Opens (creating if needed) the journal file; closed when the scope ends. */
export const openJournal = (path: string) =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const d = new sqlite.Database(path);
          d.exec(`
            PRAGMA journal_mode = DELETE;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS intents (
              key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, detail TEXT,
              created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS intents_status ON intents(status);
            CREATE INDEX IF NOT EXISTS intents_kind ON intents(kind, created_ms);
            CREATE TABLE IF NOT EXISTS signatures (
              signature TEXT PRIMARY KEY, intent_key TEXT NOT NULL REFERENCES intents(key), raw TEXT NOT NULL,
              blockhash TEXT NOT NULL, last_valid_height INTEGER NOT NULL, sent_ms INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS signatures_intent ON signatures(intent_key);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
          `);
          return d;
        },
        catch: (e) =>
          new JournalError({
            message: `Cannot open the intent journal ${path} (${(e as Error).message}); check journalPath points at a writable file.`,
          }),
      }),
      (d) => Effect.sync(() => d.close()),
    );
    const q = <A>(what: string, f: () => A) =>
      Effect.try({
        try: f,
        catch: (e) => new JournalError({ message: `The journal failed to ${what}: ${(e as Error).message}` }),
      });
    const journal: JournalShape = {
      begin: (key, kind) =>
        q("record an intent", () => {
          const existing = db.get("SELECT * FROM intents WHERE key = ?", [key]);
          if (existing) return toIntent(existing);
          const now = Date.now();
          db.run(
            "INSERT INTO intents (key, kind, status, detail, created_ms, updated_ms) VALUES (?, ?, 'pending', NULL, ?, ?)",
            [key, kind, now, now],
          );
          return undefined;
        }),
      get: (key) =>
        q("read an intent", () => {
          const r = db.get("SELECT * FROM intents WHERE key = ?", [key]);
          return r ? toIntent(r) : undefined;
        }),
      addSignature: (s) =>
        q("record a signature", () => {
          db.exec("BEGIN");
          try {
            db.run(
              "INSERT INTO signatures (signature, intent_key, raw, blockhash, last_valid_height, sent_ms) VALUES (?, ?, ?, ?, ?, ?)",
              [s.signature, s.intentKey, s.raw, s.blockhash, s.lastValidBlockHeight, s.sentMs],
            );
            db.run(
              "UPDATE intents SET status = 'sent', updated_ms = ? WHERE key = ? AND status IN ('pending', 'sent')",
              [Date.now(), s.intentKey],
            );
            db.exec("COMMIT");
          } catch (e) {
            db.exec("ROLLBACK");
            throw e;
          }
        }),
      signatures: (key) =>
        q("read signatures", () =>
          db.all("SELECT * FROM signatures WHERE intent_key = ? ORDER BY sent_ms", [key]).map(toSignature),
        ),
      hasSignature: (signature) =>
        q(
          "read a signature",
          () => db.get("SELECT 1 AS x FROM signatures WHERE signature = ?", [signature]) !== undefined,
        ),
      finish: (key, status, detail) =>
        Effect.flatMap(
          q("finish an intent", () =>
            db.run(
              "UPDATE intents SET status = ?, detail = ?, updated_ms = ? WHERE key = ? AND status IN ('pending', 'sent')",
              [status, detail ?? null, Date.now(), key],
            ),
          ),
          (r) =>
            r.changes === 1
              ? Effect.void
              : Effect.fail(
                  new JournalError({
                    message: `Intent ${key} is already terminal (or unknown); it was not finished twice.`,
                  }),
                ),
        ),
      open: q("list open intents", () =>
        db.all("SELECT * FROM intents WHERE status IN ('pending', 'sent') ORDER BY created_ms").map(toIntent),
      ),
      meta: (key) =>
        q("read a setting", () => {
          const r = db.get("SELECT value FROM meta WHERE key = ?", [key]);
          return r ? String(r.value) : undefined;
        }),
      setMeta: (key, value) =>
        q("write a setting", () => {
          db.run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value]);
        }),
      recent: (kind, sinceMs) =>
        q("list recent intents", () =>
          db.all("SELECT * FROM intents WHERE kind = ? AND created_ms >= ?", [kind, sinceMs]).map(toIntent),
        ),
    };
    return journal;
  });

export const JournalLive = Layer.scoped(
  Journal,
  Effect.flatMap(AppConfig, (c) => openJournal(expandHome(c.journalPath))),
);
