// Every failure a caller can act on is a tagged error; the message is a sentence for an operator.
import { Data } from "effect";

/** The configuration could not be read or is invalid: the keeper refuses to start. */
export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

/** Why an RPC call failed, as far as retrying is concerned. */
export type RpcFailureKind =
  /** 429: the endpoint asks us to slow down (maybe with Retry-After). */
  | "RateLimited"
  /** No answer within the per-call timeout. */
  | "Timeout"
  /** Connection refused/reset, 5xx, node behind: another attempt or endpoint may work. */
  | "Unavailable"
  /** The request itself is wrong (4xx other than 429, JSON-RPC invalid params, method missing): retrying cannot help. */
  | "Rejected";

export class RpcError extends Data.TaggedError("RpcError")<{
  readonly kind: RpcFailureKind;
  readonly method: string;
  readonly endpoint: string;
  readonly message: string;
  /** Milliseconds the endpoint asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
}> {}

export const isTransient = (e: RpcError) => e.kind !== "Rejected";

/** The journal (SQLite) failed: nothing may be sent without it. */
export class JournalError extends Data.TaggedError("JournalError")<{ readonly message: string }> {}

/** A price or stake source could not give a usable value. */
export class SourceError extends Data.TaggedError("SourceError")<{
  readonly source: string;
  readonly reason: "Unreachable" | "BadResponse" | "Stale" | "Invalid";
  readonly message: string;
}> {}
