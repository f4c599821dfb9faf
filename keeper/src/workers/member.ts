// The oracle member: each frame, the accounting report from the StakeSource and the pool's state, its
// hash voted (during the fast lane only by the fast-lane subset), then the data once the hash holds
// quorum (one member first, the others only if it has not landed); and market price observations
// from the PriceSource, never a stale or failed one — every skip is recorded with its reason.
import {
  type AccountingReport,
  activeMembers,
  type Committee,
  consensusFor,
  frameAt,
  frameDeadline,
  frameRefTs,
  inFastLane,
  isFastLaneMember,
  isStale,
  LanternProgramError,
  oracleInstructions,
  submitReportHash as reportHash,
  WAD,
  YEAR_SECS,
} from "@lantern/sdk";
import { Clock, Effect, Ref } from "effect";
import { AppConfig } from "../config.js";
import { FatalWorkerError, Retries, type Worker } from "./worker.js";
import { M, inc, setGauge } from "../metrics.js";
import { ChainClock } from "../services/clock.js";
import { Journal } from "../services/journal.js";
import { Protocol } from "../services/protocol.js";
import { Rpc } from "../services/rpc.js";
import { PriceSource, StakeSource } from "../services/sources.js";
import { TxEngine, type TxOutcome } from "../services/tx.js";
import { Wallet } from "../services/wallet.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/**
 * The report at the frame's reference time: the SOL behind the LRT (liquid reserve + what the
 * validators hold) per LRT in circulation. A rise beyond the oracle's annual increase limit is reported
 * at the limit, so the frame is accepted and the remainder follows in later frames.
 */
export function computeReport(p: {
  lrtMint: import("@solana/web3.js").PublicKey;
  frame: bigint;
  committee: Pick<Committee, "consensusVersion" | "limits" | "frames">;
  feed: { reportedRate: bigint; lastReportRefTs: bigint };
  reserveLamports: bigint;
  lockedLamports: bigint;
  stakedLamports: bigint;
  lrtSupply: bigint;
}): AccountingReport {
  const backing = p.reserveLamports - p.lockedLamports + p.stakedLamports;
  let rate = p.lrtSupply > 0n && backing > 0n ? (backing * WAD) / p.lrtSupply : p.feed.reportedRate;
  const elapsed = frameRefTs(p.committee.frames, p.frame) - p.feed.lastReportRefTs;
  if (rate > p.feed.reportedRate && elapsed > 0n) {
    const ceiling =
      p.feed.reportedRate +
      (BigInt(p.committee.limits.annualIncreaseLimitBps) * p.feed.reportedRate * elapsed) / (YEAR_SECS * 10_000n);
    if (rate > ceiling) rate = ceiling;
  }
  return oracleInstructions.accountingReport({
    lrtMint: p.lrtMint,
    frame: p.frame,
    rate,
    stakedLamports: p.stakedLamports,
    consensusVersion: p.committee.consensusVersion,
  });
}

/** Program answers that mean "already done by someone": success-equivalent for a member. */
const ALREADY = new Set(["ReportAlreadyProcessing", "DuplicateHash", "FrameAlreadyProcessed", "AlreadyProcessed"]);

export const makeMember = Effect.gen(function* () {
  const config = yield* AppConfig;
  const member = config.member!;
  const protocol = yield* Protocol;
  const clock = yield* ChainClock;
  const tx = yield* TxEngine;
  const journal = yield* Journal;
  const rpc = yield* Rpc;
  const stake = yield* StakeSource;
  const prices = yield* PriceSource;
  const { keypair } = yield* Wallet;
  const signer = keypair.publicKey;
  const me = signer.toBase58();

  const committee0 = yield* protocol.committee;
  const index = activeMembers(committee0).findIndex((m) => m.signer.equals(signer));
  if (index < 0)
    return yield* Effect.die(
      new FatalWorkerError(
        `The keypair ${me} is not the signer of any member of the committee of ${config.lrtMint}; configure the member's hot key.`,
      ),
    );

  // ---- Duplicate signer guard ----
  const priceKey = (ts: bigint) => `price:${me}:${ts}`;
  const lastSent = yield* Ref.make<bigint>(committee0.members[index]!.priceTs);
  // A second process with our key shows as observations in our slot that our journal never sent. We
  // watch one price interval before sending our first observation, and keep watching on every step.
  const guard = Effect.gen(function* () {
    const now = yield* clock.now;
    const window = BigInt(member.priceIntervalSecs * 3);
    // Where the cluster keeps signature history, signatures of this key that our journal never made mean the same.
    const history = yield* rpc
      .call("getSignaturesForAddress", (c) => c.getSignaturesForAddress(signer, { limit: 20 }), { attempts: 1 })
      .pipe(Effect.option);
    if (history._tag === "Some") {
      for (const s of history.value) {
        if (s.blockTime && BigInt(s.blockTime) >= now - window && !(yield* journal.hasSignature(s.signature)))
          return yield* Effect.die(
            new FatalWorkerError(
              `Another process is signing as member ${index} (${me}): signature ${s.signature} is not in this keeper's journal. Stop the other process.`,
            ),
          );
      }
    }
  });
  yield* guard;
  yield* Effect.logInfo("member ready").pipe(Effect.annotateLogs({ member: index, signer: me }));

  // Skips are recorded once per frame and reason (a metric and a log line), not once per tick.
  const recorded = new Set<string>();
  const skip = (frame: bigint | string, reason: string, detail?: string) =>
    Effect.suspend(() => {
      const k = `${frame}:${reason}`;
      if (recorded.has(k)) return Effect.void;
      recorded.add(k);
      if (recorded.size > 1_000) recorded.delete(recorded.values().next().value!);
      return Effect.zipRight(
        inc(M.oracleSkips, { reason }),
        Effect.logInfo("skipped").pipe(
          Effect.annotateLogs({ frame: String(frame), reason, ...(detail ? { detail } : {}) }),
        ),
      );
    });

  /**
   * Votes and data are retried after a refusal (e.g. an unfunded fee payer, fixed by the operator): each
   * retry is a new intent (`#n`), after a pause, so every intent keeps exactly one terminal record.
   */
  const retries = new Retries(5_000);
  const attemptKey = (base: string, now: number) => retries.key(base, now);
  const settle = (base: string, o: TxOutcome, now: number) => {
    const r = outcomeResult(o);
    retries.settle(base, r === "ok" || r === "already" || r === "landed", now);
  };

  /** Reports voted, by frame and hash, so the data sent is exactly what was voted. */
  const voted = new Map<string, AccountingReport>();
  let consensusSeenAt: { frame: bigint; at: number } | undefined;

  const outcomeResult = (o: TxOutcome) =>
    o._tag === "Landed" || o._tag === "DryRun"
      ? "ok"
      : o._tag === "Refused" && o.error instanceof LanternProgramError && ALREADY.has(o.error.name)
        ? "already"
        : o._tag === "Done"
          ? o.status
          : o._tag === "Refused" && o.error instanceof LanternProgramError
            ? o.error.name
            : o._tag;

  const reportStep = Effect.gen(function* () {
    const now = yield* clock.now;
    const [committee, feed] = yield* Effect.all([protocol.committee, protocol.feed], { concurrency: 2 });
    yield* setGauge(M.feedReportAge, Number(now - feed.lastReportRefTs));
    const frame = frameAt(committee.frames, now);
    if (frame === undefined) return yield* skip("-", "before-genesis");
    if (committee.paused) return yield* skip(frame, "committee-paused");
    if (committee.consensusDisabled) return yield* skip(frame, "consensus-disabled");
    if (committee.lastProcessedFrame >= frame) return;
    if (now >= frameDeadline(committee.frames, frame)) return yield* skip(frame, "deadline");
    if (inFastLane(committee.frames, frame, now) && !isFastLaneMember(committee, index, frame))
      return yield* skip(frame, "fast-lane-not-member");
    const consensus = consensusFor(committee, frame);
    if (consensus) {
      const report = voted.get(`${frame}:${hex(consensus.hash)}`);
      if (!report) return yield* skip(frame, "quorum-on-another-report", hex(consensus.hash));
      // Stagger: voters of the quorum hash take turns (rotating with the frame), so usually one sends the data.
      const voters = activeMembers(committee)
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => m.voteFrame === frame && hex(m.voteHash) === hex(consensus.hash))
        .map(({ i }) => i);
      const n = BigInt(committee.memberCount);
      voters.sort((a, b) => Number((BigInt(a) - (frame % n) + n) % n) - Number((BigInt(b) - (frame % n) + n) % n));
      const rank = Math.max(0, voters.indexOf(index));
      const localNow = yield* Clock.currentTimeMillis;
      if (!consensusSeenAt || consensusSeenAt.frame !== frame) consensusSeenAt = { frame, at: localNow };
      if (localNow - consensusSeenAt.at < rank * member.dataStaggerMs) return;
      const base = `data:${frame}:${hex(consensus.hash).slice(0, 16)}:${me}`;
      const key = attemptKey(base, localNow);
      if (!key) return;
      const outcome = yield* tx.execute({
        role: "member",
        key,
        kind: "oracle-data",
        instructions: [
          yield* Effect.promise(() =>
            oracleInstructions.submitReportData({ signer, lrtMint: protocol.lrtMint, report }),
          ),
        ],
      });
      settle(base, outcome, localNow);
      yield* inc(M.oracleReports, { step: "data", result: outcomeResult(outcome) });
      yield* Effect.logInfo("report data").pipe(
        Effect.annotateLogs({ frame: String(frame), result: outcomeResult(outcome), rate: report.rate.toString() }),
      );
      return;
    }
    const [pool, supply, staked] = yield* Effect.all(
      [protocol.stakePool, protocol.lrtSupply, Effect.either(stake.stakedLamports)],
      {
        concurrency: 3,
      },
    );
    if (staked._tag === "Left") return yield* skip(frame, "stake-source-failed", staked.left.message);
    const report = computeReport({
      lrtMint: protocol.lrtMint,
      frame,
      committee,
      feed,
      reserveLamports: pool.reserveLamports,
      lockedLamports: pool.lockedLamports,
      stakedLamports: staked.right,
      lrtSupply: supply,
    });
    const hash = reportHash(report);
    voted.set(`${frame}:${hex(hash)}`, report);
    const mine = committee.members[index]!;
    if (mine.voteFrame === frame && hex(mine.voteHash) === hex(hash)) return;
    // A new vote (or a changed one: the state moved since our last vote, so we follow it).
    const base = `vote:${frame}:${hex(hash).slice(0, 16)}:${me}`;
    const localNow = yield* Clock.currentTimeMillis;
    const key = attemptKey(base, localNow);
    if (!key) return;
    const outcome = yield* tx.execute({
      role: "member",
      key,
      kind: "oracle-vote",
      instructions: [
        yield* Effect.promise(() => oracleInstructions.voteForReport({ signer, lrtMint: protocol.lrtMint, report })),
      ],
    });
    settle(base, outcome, localNow);
    yield* inc(M.oracleReports, { step: "vote", result: outcomeResult(outcome) });
    yield* Effect.logInfo("report vote").pipe(
      Effect.annotateLogs({
        frame: String(frame),
        result: outcomeResult(outcome),
        rate: report.rate.toString(),
        staked: staked.right.toString(),
        stale: isStale(feed, now),
      }),
    );
  });

  let nextPriceAt = (yield* Clock.currentTimeMillis) + (member.priceIntervalSecs + 2) * 1000;
  const priceStep = Effect.gen(function* () {
    const localNow = yield* Clock.currentTimeMillis;
    if (localNow < nextPriceAt) return;
    nextPriceAt = localNow + member.priceIntervalSecs * 1000;
    const now = yield* clock.now;
    const committee = yield* protocol.committee;
    const slot = committee.members[index]!;
    // Someone else moved our slot's observation: a second process signs with our key.
    const sent = yield* Ref.get(lastSent);
    if (slot.priceTs > sent && !(yield* journal.get(priceKey(slot.priceTs))))
      return yield* Effect.die(
        new FatalWorkerError(
          `Another process is signing as member ${index} (${me}): a price observed at ${slot.priceTs} appeared that this keeper did not send. Stopping; run one process per member key.`,
        ),
      );
    const observation = yield* Effect.either(prices.observe);
    if (observation._tag === "Left") {
      yield* inc(M.oraclePrices, { result: `skip-${observation.left.reason}` });
      return yield* Effect.logWarning("price skipped").pipe(
        Effect.annotateLogs({ reason: observation.left.reason, detail: observation.left.message }),
      );
    }
    const { price, observedAt } = observation.right;
    // Observation time is never in the cluster's future (the program refuses it), and must move forward.
    const ts = BigInt(observedAt) > now ? now : BigInt(observedAt);
    const age = now - ts;
    if (age > BigInt(member.maxObservationAgeSecs) || age > BigInt(committee.limits.maxPriceAgeSecs)) {
      yield* inc(M.oraclePrices, { result: "skip-stale" });
      return yield* Effect.logWarning("price skipped").pipe(
        Effect.annotateLogs({ reason: "stale", ageSecs: Number(age) }),
      );
    }
    if (ts <= slot.priceTs) {
      yield* inc(M.oraclePrices, { result: "skip-not-newer" });
      return;
    }
    yield* journal.begin(priceKey(ts), "oracle-price");
    yield* Ref.set(lastSent, ts);
    const outcome = yield* tx.execute({
      role: "member",
      key: priceKey(ts),
      kind: "oracle-price",
      instructions: [
        yield* Effect.promise(() =>
          oracleInstructions.submitPrice({ signer, lrtMint: protocol.lrtMint, price, observedTs: ts }),
        ),
      ],
    });
    yield* inc(M.oraclePrices, { result: outcomeResult(outcome) });
    yield* Effect.logDebug("price").pipe(
      Effect.annotateLogs({ price: price.toString(), observedTs: String(ts), result: outcomeResult(outcome) }),
    );
  });

  const worker: Worker = {
    name: `member-${index}`,
    tickMs: member.tickMs,
    iteration: Effect.zipRight(
      reportStep.pipe(
        Effect.catchAll((e) =>
          Effect.logWarning("report step failed").pipe(
            Effect.annotateLogs({ error: String((e as Error).message ?? e) }),
          ),
        ),
      ),
      priceStep,
    ),
  };
  return worker;
});
