// The transaction engine. Live: simulate (with a placeholder compute limit), set the limit from the
// simulation, sign, journal the signature, send, and rebroadcast the same bytes until the transaction
// lands or its blockhash is proven expired (block height beyond its last valid height and no status
// even in history) — only then is a new signature made. Dry-run is a different engine with the same
// interface: it simulates and journals, and has no code path that sends.
import { LanternProgramError, type LanternTransactionError, transactionErrorFrom } from "@lantern/sdk";
import {
  ComputeBudgetProgram,
  type Keypair,
  type PublicKey,
  type SignatureStatus,
  Transaction,
  type TransactionInstruction,
  VersionedTransaction,
} from "@solana/web3.js";
import { base58 } from "../base58.js";
import { Clock, Context, Duration, Effect, Layer, Metric } from "effect";
import { AppConfig, type Role } from "../config.js";
import type { JournalError, RpcError } from "../errors.js";
import { M, inc } from "../metrics.js";
import { PriorityFees } from "./fees.js";
import { Journal, type SignatureRow, type TerminalStatus } from "./journal.js";
import { Rpc, type RpcShape } from "./rpc.js";
import { feePayerFor, Wallet, type WalletShape } from "./wallet.js";

export interface TxIntent {
  /** Names the action (e.g. `vote:<frame>:<member>`): the journal executes each key at most once. */
  key: string;
  kind: string;
  instructions: TransactionInstruction[];
  /** Signers besides the keeper's wallet and the fee payer. */
  signers?: Keypair[];
  /** The role acting: its fee payer pays (`feePayers` in the configuration), else the wallet. */
  role?: Role;
}

export type TxOutcome =
  | { _tag: "Landed"; signature: string; slot: number | null; confirmMs: number }
  /** The program refused: in simulation (nothing sent) or in the landed transaction. */
  | { _tag: "Refused"; stage: "simulation" | "landed"; error: LanternTransactionError; signature?: string }
  | { _tag: "Expired"; signatures: string[] }
  | { _tag: "DryRun"; unitsConsumed: number | undefined }
  /** The journal already holds a terminal record for this key: nothing was done again. */
  | { _tag: "Done"; status: TerminalStatus; detail: string | null };

export interface TxEngineShape {
  readonly execute: (intent: TxIntent) => Effect.Effect<TxOutcome, RpcError | JournalError>;
  /** Simulation only, for callers that want to look before deciding. */
  readonly simulate: (
    intent: Omit<TxIntent, "key">,
  ) => Effect.Effect<{ error?: LanternTransactionError; unitsConsumed?: number }, RpcError>;
}

export class TxEngine extends Context.Tag("keeper/TxEngine")<TxEngine, TxEngineShape>() {}

const MAX_UNITS = 1_400_000;

const writableOf = (ixs: readonly TransactionInstruction[]): PublicKey[] => {
  const seen = new Map<string, PublicKey>();
  for (const ix of ixs) for (const k of ix.keys) if (k.isWritable) seen.set(k.pubkey.toBase58(), k.pubkey);
  return [...seen.values()];
};

const withBudget = (ixs: readonly TransactionInstruction[], units: number, microLamports: number) => [
  ComputeBudgetProgram.setComputeUnitLimit({ units }),
  ComputeBudgetProgram.setComputeUnitPrice({ microLamports }),
  ...ixs,
];

const landedStatus = (s: SignatureStatus | null) =>
  s !== null && (s.confirmationStatus === "confirmed" || s.confirmationStatus === "finalized");

/** Signs with the fee payer, the wallet when an instruction needs its signature, and the intent's signers. */
export const signersOf = (wallet: WalletShape, intent: Omit<TxIntent, "key">): Keypair[] => {
  const payer = feePayerFor(wallet, intent.role);
  const required = new Set<string>();
  for (const ix of intent.instructions) for (const k of ix.keys) if (k.isSigner) required.add(k.pubkey.toBase58());
  const all = [payer];
  for (const k of [wallet.keypair, ...(intent.signers ?? [])])
    if (!all.some((s) => s.publicKey.equals(k.publicKey)) && required.has(k.publicKey.toBase58())) all.push(k);
  return all;
};

/** Simulation shared by both engines. */
const simulateWith = (rpc: RpcShape, wallet: WalletShape, intent: Omit<TxIntent, "key">, microLamports: number) =>
  Effect.gen(function* () {
    const payer = feePayerFor(wallet, intent.role);
    const all = withBudget(intent.instructions, MAX_UNITS, microLamports);
    const { blockhash } = yield* rpc.call("getLatestBlockhash", (c) => c.getLatestBlockhash("confirmed"));
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...all);
    const result = yield* rpc.call("simulateTransaction", (c) =>
      c.simulateTransaction(new VersionedTransaction(tx.compileMessage()), {
        sigVerify: false,
        replaceRecentBlockhash: true,
        commitment: "confirmed",
      }),
    );
    const error = result.value.err ? transactionErrorFrom(result.value.err, all, result.value.logs ?? []) : undefined;
    yield* inc(M.txSimulated, { kind: intent.kind, result: error ? error.name : "ok" });
    return { error, unitsConsumed: result.value.unitsConsumed, all };
  });

const describe = (e: LanternTransactionError) =>
  e instanceof LanternProgramError ? `${e.program} ${e.name}: ${e.message}` : e.message;

export const TxEngineLive = Layer.effect(
  TxEngine,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const rpc = yield* Rpc;
    const journal = yield* Journal;
    const fees = yield* PriorityFees;
    const wallet = yield* Wallet;

    const finish = (key: string, kind: string, status: TerminalStatus, detail: string, outcome: TxOutcome) =>
      journal
        .finish(key, status, detail)
        .pipe(Effect.zipRight(inc(M.txOutcomes, { kind, outcome: outcome._tag })), Effect.as(outcome));

    /** Waits on the journaled signatures of `key`, rebroadcasting the newest, until one lands or the newest is proven expired. */
    const confirm = (key: string, kind: string, rows: SignatureRow[], instructions: TransactionInstruction[]) =>
      Effect.gen(function* () {
        const newest = rows[rows.length - 1]!;
        const raw = Buffer.from(newest.raw, "base64");
        const started = newest.sentMs;
        let lastBroadcast = yield* Clock.currentTimeMillis;
        for (;;) {
          const statuses = yield* rpc.call("getSignatureStatuses", (c) =>
            c.getSignatureStatuses(
              rows.map((r) => r.signature),
              { searchTransactionHistory: true },
            ),
          );
          for (const [i, status] of statuses.value.entries()) {
            if (!landedStatus(status)) continue;
            const signature = rows[i]!.signature;
            const now = yield* Clock.currentTimeMillis;
            if (status!.err) {
              const landed = yield* rpc
                .call("getTransaction", (c) =>
                  c.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }),
                )
                .pipe(Effect.orElseSucceed(() => null));
              const error = transactionErrorFrom(status!.err, instructions, landed?.meta?.logMessages ?? [], signature);
              return yield* finish(key, kind, "failed", `${signature}: ${describe(error)}`, {
                _tag: "Refused",
                stage: "landed",
                error,
                signature,
              });
            }
            yield* Metric.update(Metric.tagged(M.txConfirmSeconds, "kind", kind), (now - started) / 1000);
            return { _tag: "Landed", signature, slot: status!.slot ?? null, confirmMs: now - started } as TxOutcome;
          }
          const height = yield* rpc.call("getBlockHeight", (c) => c.getBlockHeight("confirmed"));
          if (height > newest.lastValidBlockHeight) {
            // Proven expired: above its last valid height and unknown even to the history search just made.
            return { _tag: "Expired", signatures: rows.map((r) => r.signature) } as TxOutcome;
          }
          const now = yield* Clock.currentTimeMillis;
          if (now - lastBroadcast >= config.tx.rebroadcastMs) {
            lastBroadcast = now;
            yield* rpc
              .call("sendTransaction", (c) => c.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 }), {
                attempts: 1,
              })
              .pipe(
                Effect.zipRight(inc(M.txRebroadcast, { kind })),
                Effect.catchAll((e) =>
                  Effect.logDebug("rebroadcast failed").pipe(Effect.annotateLogs({ error: e.message })),
                ),
              );
          }
          yield* Effect.sleep(Duration.millis(config.tx.pollMs));
        }
      });

    const execute = (intent: TxIntent): Effect.Effect<TxOutcome, RpcError | JournalError> =>
      Effect.gen(function* () {
        const existing = yield* journal.begin(intent.key, intent.kind);
        if (existing && existing.status !== "pending" && existing.status !== "sent")
          return { _tag: "Done", status: existing.status, detail: existing.detail } as TxOutcome;
        let rows = yield* journal.signatures(intent.key);
        const instructionsAt = (units: number, fee: number) => withBudget(intent.instructions, units, fee);
        for (;;) {
          if (rows.length > 0) {
            // Resume: the journal has live or unresolved signatures for this intent.
            const outcome = yield* confirm(intent.key, intent.kind, rows, instructionsAt(0, 0));
            // The fee's feedback: an expiry raises the role's next fees, a landing (even a refused one) lowers them.
            if (outcome._tag === "Expired") yield* fees.record(intent.role, "expired");
            else if (outcome._tag === "Landed" || (outcome._tag === "Refused" && outcome.stage === "landed"))
              yield* fees.record(intent.role, "landed");
            if (outcome._tag === "Landed") {
              yield* journal.finish(intent.key, "landed", outcome.signature);
              yield* inc(M.txOutcomes, { kind: intent.kind, outcome: "Landed" });
              return outcome;
            }
            if (outcome._tag !== "Expired") return outcome;
            if (rows.length >= config.tx.maxSignatures)
              return yield* finish(intent.key, intent.kind, "expired", `${rows.length} signatures expired`, outcome);
          }
          // Every earlier signature of this intent is proven expired here: each one escalates this one's fee.
          const fee = yield* fees.microLamportsFor(writableOf(intent.instructions), {
            role: intent.role,
            expired: rows.length,
          });
          const sim = yield* simulateWith(rpc, wallet, intent, fee);
          if (sim.error)
            return yield* finish(intent.key, intent.kind, "failed", `simulation: ${describe(sim.error)}`, {
              _tag: "Refused",
              stage: "simulation",
              error: sim.error,
            });
          const units =
            sim.unitsConsumed && sim.unitsConsumed > 0
              ? Math.min(MAX_UNITS, Math.ceil(sim.unitsConsumed * config.fees.computeMargin) + 1_000)
              : config.fees.defaultComputeUnits;
          const latest = yield* rpc.call("getLatestBlockhash", (c) => c.getLatestBlockhash("confirmed"));
          const [payer, ...others] = signersOf(wallet, intent);
          const tx = new Transaction({
            feePayer: payer!.publicKey,
            blockhash: latest.blockhash,
            lastValidBlockHeight: latest.lastValidBlockHeight,
          }).add(...instructionsAt(units, fee));
          tx.sign(payer!, ...others);
          const raw = tx.serialize();
          const row: SignatureRow = {
            signature: base58(tx.signature!),
            intentKey: intent.key,
            raw: raw.toString("base64"),
            blockhash: latest.blockhash,
            lastValidBlockHeight: latest.lastValidBlockHeight,
            sentMs: yield* Clock.currentTimeMillis,
          };
          // Durable before it leaves the process: a crash after this line is reconciled at the next start.
          yield* journal.addSignature(row);
          yield* rpc
            .call("sendTransaction", (c) => c.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 }))
            .pipe(
              Effect.catchAll((e) =>
                Effect.logWarning("send failed; rebroadcasting").pipe(Effect.annotateLogs({ error: e.message })),
              ),
            );
          yield* inc(M.txSent, { kind: intent.kind });
          yield* Effect.logDebug("sent").pipe(
            Effect.annotateLogs({ intent: intent.key, signature: row.signature, units, fee }),
          );
          rows = [...rows, row];
        }
      }).pipe(Effect.annotateLogs({ intent: intent.key }));

    return {
      execute,
      simulate: (intent) =>
        Effect.flatMap(fees.microLamportsFor(writableOf(intent.instructions)), (fee) =>
          simulateWith(rpc, wallet, intent, fee),
        ).pipe(Effect.map(({ error, unitsConsumed }) => ({ error, unitsConsumed }))),
    };
  }),
);

/** Dry run: the same decisions and simulations, journaled as skipped; there is no send in this engine. */
export const TxEngineDryRun = Layer.effect(
  TxEngine,
  Effect.gen(function* () {
    const rpc = yield* Rpc;
    const journal = yield* Journal;
    const wallet = yield* Wallet;
    const simulate = (intent: Omit<TxIntent, "key">) =>
      simulateWith(rpc, wallet, intent, 0).pipe(Effect.map(({ error, unitsConsumed }) => ({ error, unitsConsumed })));
    return {
      simulate,
      execute: (intent) =>
        Effect.gen(function* () {
          const existing = yield* journal.begin(intent.key, intent.kind);
          if (existing && existing.status !== "pending" && existing.status !== "sent")
            return { _tag: "Done", status: existing.status, detail: existing.detail } as TxOutcome;
          const { error, unitsConsumed } = yield* simulate(intent);
          const detail = error
            ? `dry-run; simulation: ${describe(error)}`
            : `dry-run; simulation ok (${unitsConsumed ?? "?"} units)`;
          yield* journal.finish(intent.key, "skipped", detail);
          yield* inc(M.txOutcomes, { kind: intent.kind, outcome: "DryRun" });
          yield* Effect.logInfo("dry run: not sent").pipe(Effect.annotateLogs({ intent: intent.key, detail }));
          return error
            ? ({ _tag: "Refused", stage: "simulation", error } as TxOutcome)
            : ({ _tag: "DryRun", unitsConsumed } as TxOutcome);
        }),
    };
  }),
);

/**
 * Start-up reconciliation, before any new send: every open intent is resolved from the chain — landed
 * (or failed) by its signatures' statuses with history, expired when the block height is past the
 * newest signature's last valid height, abandoned when it was never signed; a signature still valid is
 * rebroadcast until one of those is true.
 */
export const reconcile = (options: { rebroadcast: boolean }) =>
  Effect.gen(function* () {
    const journal = yield* Journal;
    const rpc = yield* Rpc;
    // A journal belongs to one cluster: another cluster's signatures would look "still valid" for ages.
    const genesis = yield* rpc.call("getGenesisHash", (c) => c.getGenesisHash());
    const recorded = yield* journal.meta("genesis");
    if (recorded === undefined) yield* journal.setMeta("genesis", genesis);
    else if (recorded !== genesis)
      return yield* Effect.die(
        new Error(
          `The intent journal was written on another cluster (genesis ${recorded}); this endpoint's genesis is ${genesis}. Point journalPath at a fresh file for this cluster.`,
        ),
      );
    const open = yield* journal.open;
    const counts: Record<string, number> = {};
    for (const intent of open) {
      const rows = yield* journal.signatures(intent.key);
      let status: TerminalStatus;
      let detail: string;
      if (rows.length === 0) {
        status = "abandoned";
        detail = "reconciled at start-up: never signed";
      } else {
        let result: "landed" | "failed" | "expired" | undefined;
        let landedSig = "";
        const raw = Buffer.from(rows[rows.length - 1]!.raw, "base64");
        for (;;) {
          const statuses = yield* rpc.call("getSignatureStatuses", (c) =>
            c.getSignatureStatuses(
              rows.map((r) => r.signature),
              { searchTransactionHistory: true },
            ),
          );
          const hit = statuses.value.findIndex(landedStatus);
          if (hit >= 0) {
            result = statuses.value[hit]!.err ? "failed" : "landed";
            landedSig = rows[hit]!.signature;
            break;
          }
          const height = yield* rpc.call("getBlockHeight", (c) => c.getBlockHeight("confirmed"));
          if (height > rows[rows.length - 1]!.lastValidBlockHeight) {
            result = "expired";
            break;
          }
          // A dry run sends nothing, not even an earlier run's bytes: the intent stays open for a live start.
          if (!options.rebroadcast) break;
          yield* rpc
            .call("sendTransaction", (c) => c.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 }), {
              attempts: 1,
            })
            .pipe(Effect.ignore);
          yield* Effect.sleep("1 second");
        }
        if (result === undefined) {
          counts.open = (counts.open ?? 0) + 1;
          continue;
        }
        status = result;
        detail = `reconciled at start-up: ${result}${landedSig ? ` (${landedSig})` : ""}`;
      }
      yield* journal.finish(intent.key, status, detail);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    yield* Metric.set(M.journalPending, counts.open ?? 0);
    yield* Effect.logInfo("journal reconciled").pipe(Effect.annotateLogs({ open: open.length, ...counts }));
    return counts;
  });
