// Priority fees rise after expiries: the escalation as pure functions, then the live transaction engine
// and fee service on test layers (a scripted chain behind the Rpc service, a real journal): a signature
// whose blockhash expires unconfirmed makes the intent's next signature and the role's next transactions
// pay more, up to the cap; landings bring the role back down one step each; other roles are unaffected.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AppConfig,
  base58,
  decodeConfig,
  escalatedFee,
  type EscalationPolicy,
  Journal,
  maxEscalationLevel,
  metrics,
  nextEscalationLevel,
  openJournal,
  PriorityFees,
  PriorityFeesLive,
  Rpc,
  RpcError,
  TxEngine,
  TxEngineLive,
  type TxIntent,
  Wallet,
} from "@lantern/keeper";
import { ComputeBudgetProgram, type Connection, Keypair, Transaction, TransactionInstruction } from "@solana/web3.js";
import { Effect, Layer, Metric } from "effect";
import { describe, expect, it } from "vitest";

const policy: EscalationPolicy = { factor: 2, cap: 10_000, floor: 100 };

describe("fee escalation (pure)", () => {
  it("level 0 is the estimate; each level multiplies max(estimate, floor) by the factor, rounded up, never above the cap", () => {
    expect(escalatedFee(700, 0, policy)).toEqual({ microLamports: 700, escalated: false, capped: false });
    expect(escalatedFee(700, 1, policy)).toEqual({ microLamports: 1_400, escalated: true, capped: false });
    expect(escalatedFee(700, 3, policy)).toEqual({ microLamports: 5_600, escalated: true, capped: false });
    expect(escalatedFee(700, 4, policy)).toEqual({ microLamports: 10_000, escalated: true, capped: true });
    expect(escalatedFee(700, 40, policy).microLamports).toBe(10_000);
    // No competition for the accounts (estimate 0): an expiry still buys a fee, from the floor.
    expect(escalatedFee(0, 1, policy).microLamports).toBe(200);
    expect(escalatedFee(0, 0, policy).microLamports).toBe(0);
    expect(escalatedFee(333, 1, { ...policy, factor: 1.5 }).microLamports).toBe(500);
    // A factor of 1 turns escalation off.
    expect(escalatedFee(700, 5, { ...policy, factor: 1 })).toEqual({
      microLamports: 700,
      escalated: false,
      capped: false,
    });
  });

  it("an expiry raises the level, a landing lowers it by one; the level stops where the fee reaches the cap", () => {
    // floor 100 × 2^7 = 12,800 ≥ 10,000: level 7 is the top.
    expect(maxEscalationLevel(policy)).toBe(7);
    expect(maxEscalationLevel({ ...policy, factor: 1 })).toBe(0);
    expect(maxEscalationLevel({ ...policy, floor: 20_000 })).toBe(1);
    let level = 0;
    const trace: number[] = [];
    for (const event of ["expired", "expired", "expired", "landed", "landed", "landed", "landed"] as const) {
      level = nextEscalationLevel(level, event, policy);
      trace.push(level);
    }
    expect(trace).toEqual([1, 2, 3, 2, 1, 0, 0]);
    level = 0;
    for (let i = 0; i < 20; i++) level = nextEscalationLevel(level, "expired", policy);
    expect(level).toBe(7);
    // One landing after a long congestion takes one step, not all the way down.
    expect(nextEscalationLevel(level, "landed", policy)).toBe(6);
    expect(nextEscalationLevel(0, "expired", { ...policy, factor: 1 })).toBe(0);
  });
});

/** A chain behind the Rpc service whose signatures expire or land as the test scripts. */
function scriptedChain(samples: number[]) {
  let height = 1_000;
  /** The fate of each new signature, in the order they are first sent ("land" when the script runs out). */
  const script: ("expire" | "land")[] = [];
  const fate = new Map<string, "expire" | "land">();
  const sends: { signature: string; role: string; fee: number }[] = [];
  let role = "";
  const computeUnitPrice = (tx: Transaction) => {
    const ix = tx.instructions.find((i) => i.programId.equals(ComputeBudgetProgram.programId) && i.data[0] === 3);
    return Number(Buffer.from(ix!.data).readBigUInt64LE(1));
  };
  const connection = {
    getRecentPrioritizationFees: async () => samples.map((prioritizationFee, slot) => ({ slot, prioritizationFee })),
    getLatestBlockhash: async () => ({
      blockhash: Keypair.generate().publicKey.toBase58(),
      lastValidBlockHeight: height + 150,
    }),
    simulateTransaction: async () => ({ context: { slot: 1 }, value: { err: null, logs: [], unitsConsumed: 20_000 } }),
    sendRawTransaction: async (raw: Buffer) => {
      const tx = Transaction.from(raw);
      const signature = base58(tx.signature!);
      if (!fate.has(signature)) {
        fate.set(signature, script.shift() ?? "land");
        sends.push({ signature, role, fee: computeUnitPrice(tx) });
      }
      return signature;
    },
    getSignatureStatuses: async (signatures: string[]) => ({
      context: { slot: 1 },
      value: signatures.map((s) =>
        fate.get(s) === "land" ? { slot: 9, confirmations: null, err: null, confirmationStatus: "confirmed" } : null,
      ),
    }),
    // Blocks go by between polls: an unconfirmed signature is proven expired after a few.
    getBlockHeight: async () => (height += 40),
    getTransaction: async () => null,
  };
  const rpc = Layer.succeed(Rpc, {
    endpoints: ["scripted"],
    commitment: "confirmed",
    subscriptions: undefined as never,
    call: <A>(method: string, f: (c: Connection) => Promise<A>) =>
      Effect.tryPromise({
        try: () => f(connection as unknown as Connection),
        catch: (e) => new RpcError({ kind: "Unavailable", method, endpoint: "scripted", message: String(e) }),
      }),
  });
  return {
    rpc,
    sends,
    script: (...fates: ("expire" | "land")[]) => script.push(...fates),
    as: (r: string) => {
      role = r;
    },
  };
}

describe("the transaction engine escalates fees after expiries (test layers)", () => {
  const gauge = (role: string) =>
    Effect.runPromise(Metric.value(Metric.tagged(metrics.priorityFeeLevel, "role", role))).then((s) => s.value);
  const escalated = (role: string) =>
    Effect.runPromise(Metric.value(Metric.tagged(metrics.priorityFeeEscalated, "role", role))).then((s) => s.count);

  it("an intent's next signature pays more after each expiry (capped), the role's next intent too; landings step it back; other roles are unaffected", async () => {
    // p50 of the non-zero samples [400, 500, 600] is 500.
    const chain = scriptedChain([0, 400, 500, 600]);
    const config = Effect.runSync(
      decodeConfig(
        {
          lrtMint: Keypair.generate().publicKey.toBase58(),
          roles: ["liquidator"],
          rpc: { urls: ["http://127.0.0.1:1"] },
          fees: { percentile: 50, maxMicroLamports: 1_500, fallbackMicroLamports: 100, expiryFactor: 2 },
          tx: { pollMs: 1, rebroadcastMs: 1, maxSignatures: 3 },
        },
        "test",
      ),
    );
    const base = Layer.mergeAll(
      chain.rpc,
      AppConfig.layer(config),
      Layer.scoped(Journal, openJournal(join(mkdtempSync(join(tmpdir(), "keeper-fees-")), "journal.sqlite"))),
      Layer.succeed(Wallet, { keypair: Keypair.generate() }),
    );
    const layer = TxEngineLive.pipe(Layer.provideMerge(PriorityFeesLive), Layer.provideMerge(base));
    const writable = Keypair.generate().publicKey;
    const intent = (key: string, role: "liquidator" | "member"): TxIntent => ({
      key,
      kind: "test",
      role,
      instructions: [
        new TransactionInstruction({
          programId: Keypair.generate().publicKey,
          keys: [{ pubkey: writable, isSigner: false, isWritable: true }],
          data: Buffer.from([1]),
        }),
      ],
    });
    const escalatedBefore = await escalated("liquidator");

    await Effect.runPromise(
      Effect.gen(function* () {
        const engine = yield* TxEngine;
        const fees = yield* PriorityFees;
        const run = (key: string, role: "liquidator" | "member") => {
          chain.as(key);
          return engine.execute(intent(key, role));
        };
        // An intent's own expiries count even where its role has no level (others of the role landed meanwhile).
        expect(yield* fees.microLamportsFor([writable], { role: "cranker", expired: 1 })).toBe(1_000);
        expect(yield* fees.microLamportsFor([writable], { role: "cranker" })).toBe(500);
        // A: two signatures expire unconfirmed, the third lands.
        chain.script("expire", "expire", "land");
        const a = yield* run("A", "liquidator");
        expect(a._tag).toBe("Landed");
        expect(yield* fees.level("liquidator")).toBe(1);
        // Another role's transactions are not priced by the liquidator's expiries.
        const m = yield* run("M", "member");
        expect(m._tag).toBe("Landed");
        // B lands at once: the role's level (1) still applies to its first signature, then steps down.
        const b = yield* run("B", "liquidator");
        expect(b._tag).toBe("Landed");
        expect(yield* fees.level("liquidator")).toBe(0);
        yield* run("C", "liquidator");
        // D: every signature expires; the intent ends expired after maxSignatures, the role stays escalated.
        chain.script("expire", "expire", "expire");
        const d = yield* run("D", "liquidator");
        expect(d._tag).toBe("Expired");
        expect(yield* fees.level("liquidator")).toBe(3);
        yield* run("E", "liquidator");
      }).pipe(Effect.provide(layer), Effect.scoped),
    );

    expect(chain.sends.map((s) => [s.role, s.fee])).toEqual([
      ["A", 500],
      ["A", 1_000],
      ["A", 1_500], // 2,000 capped
      ["M", 500],
      ["B", 1_000],
      ["C", 500],
      ["D", 500],
      ["D", 1_000],
      ["D", 1_500],
      ["E", 1_500], // level 3 (1 after one landing would be 2): 4,000 capped
    ]);
    // E landed: one step down from 3.
    expect(await gauge("liquidator")).toBe(2);
    expect(await gauge("member")).toBe(0);
    // A's 2nd and 3rd, B, D's 2nd and 3rd, E.
    expect((await escalated("liquidator")) - escalatedBefore).toBe(6);
    expect(await gauge("cranker")).toBe(0);
  });
});
