// The two outside facts an oracle member reports: what the validators hold (StakeSource) and what the
// LRT trades at (PriceSource). Each has a layer per kind of source, chosen by configuration.
import { PublicKey, StakeProgram } from "@solana/web3.js";
import { Clock, Context, Effect, Layer, Redacted } from "effect";
import { AppConfig } from "../config.js";
import { SourceError } from "../errors.js";
import { Rpc } from "./rpc.js";

export class StakeSource extends Context.Tag("keeper/StakeSource")<
  StakeSource,
  { readonly name: string; readonly stakedLamports: Effect.Effect<bigint, SourceError> }
>() {}

export interface Observation {
  /** SOL per LRT, 18 decimals. */
  price: bigint;
  /** When the source observed it (unix seconds). */
  observedAt: number;
}

export class PriceSource extends Context.Tag("keeper/PriceSource")<
  PriceSource,
  { readonly name: string; readonly observe: Effect.Effect<Observation, SourceError> }
>() {}

const WAD = 10n ** 18n;

/** A decimal string or number as a WAD bigint, exactly (no float rounding for strings). */
export function toWad(value: unknown): bigint | undefined {
  const text =
    typeof value === "number"
      ? Number.isFinite(value)
        ? value.toFixed(18)
        : ""
      : typeof value === "string"
        ? value.trim()
        : "";
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[2] ?? "").slice(0, 18).padEnd(18, "0");
  return BigInt(m[1]!) * 10n ** 18n + BigInt(frac);
}

/** `a.b.0.c` into a JSON value. */
export function atPath(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split(".").filter((p) => p.length > 0)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Unix seconds from seconds, milliseconds or an ISO date. */
export function toUnixSeconds(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.floor(value > 1e12 ? value / 1000 : value);
  if (typeof value === "string") {
    const n = Number(value);
    if (Number.isFinite(n)) return toUnixSeconds(n);
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return undefined;
}

const TOKEN_AMOUNT_OFFSET = 64;
/** Stake account: 4-byte state enum, rent-exempt reserve (8), staker (32), withdrawer (32). */
const WITHDRAWER_OFFSET = 44;

export const StakeSourceLive = Layer.effect(
  StakeSource,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const rpc = yield* Rpc;
    const source = config.member!.stakeSource;
    if (source.kind === "tokenAccount") {
      const address = new PublicKey(source.address);
      return {
        name: `token account ${source.address}`,
        stakedLamports: rpc
          .call("getAccountInfo", (c) => c.getAccountInfo(address, "confirmed"))
          .pipe(
            Effect.mapError((e) => new SourceError({ source: "stake", reason: "Unreachable", message: e.message })),
            Effect.flatMap((info) =>
              info && info.data.length >= TOKEN_AMOUNT_OFFSET + 8
                ? Effect.succeed(Buffer.from(info.data).readBigUInt64LE(TOKEN_AMOUNT_OFFSET))
                : Effect.fail(
                    new SourceError({
                      source: "stake",
                      reason: "Invalid",
                      message: `${source.address} is not a token account`,
                    }),
                  ),
            ),
          ),
      };
    }
    const authority = new PublicKey(source.withdrawAuthority);
    return {
      name: `stake accounts withdrawable by ${source.withdrawAuthority}`,
      stakedLamports: rpc
        .call("getProgramAccounts", (c) =>
          c.getProgramAccounts(StakeProgram.programId, {
            commitment: "confirmed",
            filters: [{ memcmp: { offset: WITHDRAWER_OFFSET, bytes: authority.toBase58() } }],
            dataSlice: { offset: 0, length: 0 },
          }),
        )
        .pipe(
          Effect.map((accounts) => accounts.reduce((sum, a) => sum + BigInt(a.account.lamports), 0n)),
          Effect.mapError((e) => new SourceError({ source: "stake", reason: "Unreachable", message: e.message })),
        ),
    };
  }),
);

const getJson = (url: string, headers: Record<string, string>, source: string) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return { body: (await response.json()) as unknown, date: response.headers.get("date") };
    },
    catch: (e) => new SourceError({ source, reason: "Unreachable", message: `${url}: ${(e as Error).message}` }),
  });

export const PriceSourceLive = Layer.effect(
  PriceSource,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const source = config.member!.priceSource;
    const headers: Record<string, string> = {};
    if ("apiKeyHeader" in source && source.apiKeyHeader && config.priceApiKey)
      headers[source.apiKeyHeader] = Redacted.value(config.priceApiKey);
    const nowSecs = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000));
    if (source.kind === "fixed") {
      const price = toWad(String(source.price))!;
      return { name: "fixed", observe: Effect.map(nowSecs, (observedAt) => ({ price, observedAt })) };
    }
    if (source.kind === "jupiter") {
      const base = source.url ?? `https://api.jup.ag/price/${source.version}`;
      const lrt = config.lrtMint;
      const vs = source.vsMint;
      // v3 answers `{ <mint>: { usdPrice, blockId, decimals, … } }` (a token without a reliable price is
      // left out); v2 answered `{ data: { <mint>: { id, type, price } | null }, timeTaken }` in vsToken.
      const url = source.version === "v2" ? `${base}?ids=${lrt}&vsToken=${vs}` : `${base}?ids=${lrt},${vs}`;
      const priceOf = (body: unknown): bigint | undefined => {
        if (source.version === "v2") return toWad(atPath(body, `data.${lrt}.price`));
        const lrtUsd = toWad(atPath(body, `${lrt}.usdPrice`));
        const vsUsd = toWad(atPath(body, `${vs}.usdPrice`));
        return lrtUsd !== undefined && vsUsd !== undefined && vsUsd > 0n ? (lrtUsd * WAD) / vsUsd : undefined;
      };
      return {
        name: `jupiter ${source.version} ${base}`,
        observe: Effect.gen(function* () {
          const observedAt = yield* nowSecs;
          const { body } = yield* getJson(url, headers, "jupiter");
          const price = priceOf(body);
          if (price === undefined || price === 0n)
            return yield* Effect.fail(
              new SourceError({
                source: "jupiter",
                reason: "BadResponse",
                message: `no price for ${lrt}${source.version === "v3" ? ` and ${vs}` : ""} in the answer of ${base}`,
              }),
            );
          return { price, observedAt };
        }),
      };
    }
    return {
      name: `http ${source.url}`,
      observe: Effect.gen(function* () {
        const fetchedAt = yield* nowSecs;
        const { body, date } = yield* getJson(source.url, headers, "http");
        const price = toWad(atPath(body, source.pricePath));
        if (price === undefined || price === 0n)
          return yield* Effect.fail(
            new SourceError({
              source: "http",
              reason: "BadResponse",
              message: `${source.url} has no positive decimal at "${source.pricePath}"`,
            }),
          );
        const stamped = source.timePath
          ? toUnixSeconds(atPath(body, source.timePath))
          : date
            ? toUnixSeconds(date)
            : fetchedAt;
        if (stamped === undefined)
          return yield* Effect.fail(
            new SourceError({
              source: "http",
              reason: "BadResponse",
              message: `${source.url} has no time at "${source.timePath}"`,
            }),
          );
        return { price, observedAt: stamped };
      }),
    };
  }),
);
