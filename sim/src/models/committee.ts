/**
 * The oracle committee's accounting reports, run through the protocol's real sanity rules.
 *
 * Once per frame (default daily) each member votes for a report of the rate at the frame's reference
 * time (its first second):
 * - honest members report the true rate (capped at what the annual increase limit accepts when
 *   `clampToLimits`, the rest following in later frames), after a delay of a few minutes;
 * - late members vote hours later (past the frame's deadline = not at all);
 * - offline members do not vote;
 * - colluding members vote for the report that moves the fair rate the most the limits allow:
 *   `down` takes exactly the decrease budget left in the window (so it is applied, never held),
 *   `up` the largest increase the annual limit accepts, `withhold` abstains (to starve the quorum).
 * Roles come from the scenario's script (`committee.roles`), else from independent per-frame draws
 * (`offlinePerFrame`, `latePerFrame`). During the fast lane only the rotating subset may vote (sdk
 * `isFastLaneMember`). A hash reaches consensus when `quorum` members voted for it (at most one can,
 * quorum > n/2); the data lands `dataDelaySecs` later, if still inside the frame.
 *
 * The landing report goes through the sdk's `processReport` (bigint WAD, bit for bit the program):
 * annual increase limit and absolute bounds (a violation rejects the report), smoothing of increases,
 * the decrease budget over the window (a larger decrease is held, bunker on), bunker off after a clean
 * report. A held decrease is confirmed by the guardian (sdk `confirmHeld`) `guardian.delayHours` later,
 * if the guardian's policy accepts it (`ifTrue`: the held rate is within `toleranceBps` of the truth).
 * The feed is stale once the last accepted report's reference time is older than `maxReportAgeHours`
 * (sdk `isStale`, evaluated as a number comparison each step).
 *
 * Conversions: the true rate enters as `BigInt(round(rate·1e12))·1e6` (1e-12 relative precision), the
 * fair rate leaves as `Number(wad) / 1e18`.
 */
import {
  LanternError,
  BPS,
  PPB,
  YEAR_SECS,
  isFastLaneMember,
  NO_HELD_REPORT,
  confirmHeld,
  isStale,
  pessimisticRate,
  processReport,
  windowDecreasePpb,
  type ReportState,
  DECREASE_SLOTS,
  type SanityLimits,
} from "@lantern/sdk/math";
import type { ModelRng } from "../rng.js";
import type { CommitteeSpec, MemberRole } from "../scenario.js";
import { DAY_SECS } from "./paths.js";

/** A float rate to WAD with 1e-12 relative precision (exact for the values the models produce). */
export function toWad(rate: number): bigint {
  return BigInt(Math.round(rate * 1e12)) * 1_000_000n;
}

export function fromWad(wad: bigint): number {
  return Number(wad) / 1e18;
}

/** The sdk's `SanityLimits` from the scenario's committee limits. */
export function sanityLimits(
  spec: CommitteeSpec,
  maxPriceAgeSecs = 60,
  emaHalfLifeSecs = 3_600,
  maxConfidenceBps = 200,
): SanityLimits {
  const l = spec.limits;
  return {
    annualIncreaseLimitBps: l.annualIncreaseLimitBps,
    maxPositiveRebasePpb: BigInt(l.maxPositiveRebasePpb),
    maxDecreaseBps: l.maxDecreaseBps,
    decreaseWindowSecs: Math.round(l.decreaseWindowDays * DAY_SECS),
    minRate: toWad(l.minRate),
    maxRate: toWad(l.maxRate),
    maxReportAgeSecs: Math.round(l.maxReportAgeHours * 3600),
    maxPriceAgeSecs,
    emaHalfLifeSecs,
    maxConfidenceBps,
  };
}

/** The largest rate the annual increase limit accepts `elapsed` seconds after a report of `reported`. */
export function maxIncreaseRate(limits: SanityLimits, reported: bigint, elapsed: bigint): bigint {
  if (elapsed <= 0n) return reported;
  const step = (reported * BigInt(limits.annualIncreaseLimitBps) * elapsed) / (BPS * BigInt(YEAR_SECS));
  const rate = reported + step;
  return rate > limits.maxRate ? limits.maxRate : rate;
}

/** The lowest rate whose decrease from `reported` fits in `remainingPpb` of the budget (never held). */
export function maxDecreaseRate(reported: bigint, remainingPpb: bigint): bigint {
  if (remainingPpb <= 0n) return reported;
  return reported - (reported * remainingPpb) / PPB;
}

/** When a side's hash reaches quorum: its `quorum`-th vote in time, of `n` votes (sorted in place). */
function quorumTime(times: Float64Array, n: number, quorum: number): number {
  if (n < quorum) return Number.POSITIVE_INFINITY;
  for (let i = 1; i < n; i++) {
    const t = times[i]!;
    let j = i - 1;
    for (; j >= 0 && times[j]! > t; j--) times[j + 1] = times[j]!;
    times[j + 1] = t;
  }
  return times[quorum - 1]!;
}

/** Member roles over time from the scenario's script (the last matching entry wins). */
export class RoleScript {
  private readonly entries: { members: Set<number>; role: MemberRole; from: number; to: number }[];

  constructor(spec: CommitteeSpec) {
    this.entries = spec.roles.map((r) => ({
      members: new Set(r.members),
      role: r.role,
      from: r.fromDay * DAY_SECS,
      to: r.toDay * DAY_SECS,
    }));
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** The scripted role of `member` at time `t`, or `undefined` when none applies. */
  roleAt(member: number, t: number): MemberRole | undefined {
    let role: MemberRole | undefined;
    for (const e of this.entries) if (t >= e.from && t < e.to && e.members.has(member)) role = e.role;
    return role;
  }

  /** Times at which some scripted role starts or ends, ascending. */
  boundaries(): number[] {
    return [...new Set(this.entries.flatMap((e) => [e.from, e.to]))].sort((a, b) => a - b);
  }
}

type FeedState = ReportState & { maxReportAgeSecs: number };

interface Landing {
  time: number;
  frame: bigint;
  refTs: bigint;
  rate: bigint;
  colluding: boolean;
}

/** Counters for reports and diagnostics. */
export interface CommitteeStats {
  frames: number;
  accepted: number;
  held: number;
  rejected: number;
  /** Frames without consensus (or whose data would have landed after the deadline). */
  missed: number;
  confirmations: number;
  /** Frames whose winning report came from colluding members. */
  colludingReports: number;
}

export class CommitteeModel {
  readonly limits: SanityLimits;
  readonly stats: CommitteeStats = {
    frames: 0,
    accepted: 0,
    held: 0,
    rejected: 0,
    missed: 0,
    confirmations: 0,
    colludingReports: 0,
  };
  // Numeric state starts as a number where it is declared, so V8 keeps it unboxed (see DiscountModel).
  /** The feed's fair rate (float). */
  fairRate = 0;
  /**
   * The rate consumers price with (float): the fair rate, or the held / reported rate when lower
   * (sdk `pessimisticRate`), so a loss waiting for the guardian counts at once.
   */
  pessimisticRate = 0;
  bunker = false;
  /** A decrease is held, waiting for the guardian. */
  held = false;

  private feed: FeedState;
  private readonly frameSecs: number;
  private readonly fastLaneSecs: number;
  private nextFrame = 0;
  private frameIndex = 0n;
  private landing: Landing | undefined;
  private confirmAt = Infinity;
  /** Time of the next frame start, landing or confirmation (cached: most steps have none). */
  private nextEvent = 0;
  private staleAfter = 0;
  /** The true rate at each frame's reference time (WAD), for the guardian's check. */
  private readonly truth = new Map<bigint, bigint>();
  private readonly roles: RoleScript;
  // A frame's votes, by side (reused: a path has a frame a day), and the vote delays in seconds.
  private readonly honestTimes: Float64Array;
  private readonly colludingTimes: Float64Array;
  private readonly lateDelaySecs: readonly number[];
  private readonly voteDelaySecs: readonly number[];
  private readonly quorumSpec: { quorum: number; memberCount: number };

  constructor(
    private readonly spec: CommitteeSpec,
    initialRate: number,
    private readonly rng: ModelRng,
  ) {
    this.limits = sanityLimits(spec);
    const rate = toWad(initialRate);
    this.feed = {
      fairRate: rate,
      reportedRate: rate,
      reportedStakedLamports: 0n,
      lastReportFrame: 0n,
      lastReportRefTs: 0n,
      lastReportTs: 0n,
      bunker: false,
      held: { ...NO_HELD_REPORT },
      decreases: Array.from({ length: DECREASE_SLOTS }, () => ({ refTs: 0n, ppb: 0n })),
      maxReportAgeSecs: this.limits.maxReportAgeSecs,
    };
    this.fairRate = initialRate;
    this.pessimisticRate = initialRate;
    this.frameSecs = Math.round(spec.frameHours * 3600);
    this.fastLaneSecs = Math.round(spec.fastLaneMinutes * 60);
    this.nextFrame = this.frameSecs;
    this.staleAfter = this.limits.maxReportAgeSecs;
    this.roles = new RoleScript(spec);
    // One buffer for both (one allocation outside V8's heap per world, see MarketOracleModel).
    const times = new Float64Array(2 * spec.members);
    this.honestTimes = times.subarray(0, spec.members);
    this.colludingTimes = times.subarray(spec.members);
    this.lateDelaySecs = spec.lateDelayHours.map((h) => h * 3600);
    this.voteDelaySecs = spec.voteDelayMinutes.map((x) => x * 60);
    this.quorumSpec = { quorum: spec.quorum, memberCount: spec.members };
  }

  /** The feed's report state (a copy of the sdk structure, for tests and diagnostics). */
  get feedState(): Readonly<FeedState> {
    return this.feed;
  }

  /** The next frame's start (its reference time). */
  get frameAt(): number {
    return this.nextFrame;
  }

  /** When the feed can next change: a report landing or a guardian confirmation (a frame start alone never changes it). */
  feedEventAt(): number {
    return Math.min(this.landing?.time ?? Infinity, this.confirmAt);
  }

  /** The feed is stale at `t` (sdk `isStale`: the last accepted reference time is too old). */
  staleAt(t: number): boolean {
    return t > this.staleAfter;
  }

  /** Scripted role of a member at `t` (the market oracle uses it too). */
  scriptedRole(member: number, t: number): MemberRole | undefined {
    return this.roles.roleAt(member, t);
  }

  get roleScript(): RoleScript {
    return this.roles;
  }

  /**
   * Processes every frame start, report landing and guardian confirmation up to `t`, in time order.
   * `trueRate` is the true rate at `t`; frame starts fall on step ends, so it is the rate at their
   * reference time.
   */
  advanceTo(t: number, trueRate: number): void {
    // Small enough to be inlined into the world's step: the rate is boxed for the call on event steps only.
    if (t >= this.nextEvent) this.applyEvents(t, trueRate);
  }

  private applyEvents(t: number, trueRate: number): void {
    for (;;) {
      const landing = this.landing?.time ?? Infinity;
      const next = Math.min(this.nextFrame, landing, this.confirmAt);
      if (next > t) {
        this.nextEvent = next;
        return;
      }
      if (next === this.nextFrame) {
        this.startFrame(this.nextFrame, trueRate);
        this.nextFrame += this.frameSecs;
      } else if (next === landing) {
        const l = this.landing!;
        this.landing = undefined;
        this.land(l);
      } else {
        this.confirmAt = Infinity;
        this.confirm(next);
      }
    }
  }

  private roleFor(member: number, refTs: number): MemberRole {
    const u = this.rng.uniform(); // drawn for every member and frame, scripted or not
    const scripted = this.roles.roleAt(member, refTs);
    if (scripted !== undefined) return scripted;
    if (u < this.spec.offlinePerFrame) return "offline";
    if (u < this.spec.offlinePerFrame + this.spec.latePerFrame) return "late";
    return "honest";
  }

  private startFrame(refTsNum: number, trueRate: number): void {
    this.frameIndex++;
    this.stats.frames++;
    const frame = this.frameIndex;
    const refTs = BigInt(refTsNum);
    const truth = toWad(trueRate);
    this.truth.set(frame, truth);
    if (this.truth.size > 64) this.truth.delete(frame - 64n);

    const deadline = refTsNum + this.frameSecs - 1;
    const spec = this.spec;
    let honest = 0;
    let colluders = 0;
    for (let m = 0; m < spec.members; m++) {
      const role = this.roleFor(m, refTsNum);
      const u = this.rng.uniform();
      if (role === "offline") continue;
      if (role === "colluding" && spec.collusion.direction === "withhold") continue;
      const delay = role === "late" ? this.lateDelaySecs : this.voteDelaySecs;
      const lo = delay[0]!;
      let time = refTsNum + Math.round(lo + u * (delay[1]! - lo));
      if (this.fastLaneSecs > 0 && !isFastLaneMember(this.quorumSpec, m, frame))
        time = Math.max(time, refTsNum + this.fastLaneSecs);
      if (time > deadline) continue;
      if (role === "colluding") this.colludingTimes[colluders++] = time;
      else this.honestTimes[honest++] = time;
    }
    const honestAt = quorumTime(this.honestTimes, honest, spec.quorum);
    const colludingAt = quorumTime(this.colludingTimes, colluders, spec.quorum);
    const colluding = colludingAt < honestAt;
    const at = Math.min(honestAt, colludingAt);
    const time = at + Math.round(spec.dataDelaySecs);
    if (!Number.isFinite(at) || time > deadline) {
      this.stats.missed++;
      return;
    }
    const rate = colluding ? this.colludingRate(refTs) : this.honestRate(truth, refTs);
    if (colluding) this.stats.colludingReports++;
    // A newer frame's report replaces a landing that never happened (cannot occur with ordered times).
    this.landing = { time, frame, refTs, rate, colluding };
  }

  private honestRate(truth: bigint, refTs: bigint): bigint {
    if (!this.spec.clampToLimits) return truth;
    const cap = maxIncreaseRate(this.limits, this.feed.reportedRate, refTs - this.feed.lastReportRefTs);
    return truth > cap ? cap : truth;
  }

  private colludingRate(refTs: bigint): bigint {
    const reported = this.feed.reportedRate;
    if (this.spec.collusion.direction === "up")
      return maxIncreaseRate(this.limits, reported, refTs - this.feed.lastReportRefTs);
    const budget = BigInt(this.limits.maxDecreaseBps) * (PPB / BPS);
    const used = windowDecreasePpb(this.feed.decreases, refTs, this.limits.decreaseWindowSecs);
    const rate = maxDecreaseRate(reported, budget - used);
    return rate < this.limits.minRate ? this.limits.minRate : rate;
  }

  private land(l: Landing): void {
    const now = BigInt(l.time);
    let result: ReturnType<typeof processReport<FeedState>>;
    try {
      result = processReport(this.feed, this.limits, l.frame, l.refTs, now, l.rate, 0n, false);
    } catch (error) {
      if (error instanceof LanternError) {
        this.stats.rejected++;
        return;
      }
      throw error;
    }
    this.feed = result.feed;
    if (result.verdict.kind === "Apply") {
      this.stats.accepted++;
    } else {
      this.stats.held++;
      if (this.confirmAt === Infinity && this.guardianAccepts())
        this.confirmAt = l.time + Math.round(this.spec.guardian.delayHours * 3600);
    }
    this.sync();
  }

  private guardianAccepts(): boolean {
    const g = this.spec.guardian;
    if (g.confirms === "always") return true;
    if (g.confirms === "never") return false;
    const held = this.feed.held;
    const truth = this.truth.get(held.frame);
    if (truth === undefined || truth === 0n) return false;
    const diff = held.rate > truth ? held.rate - truth : truth - held.rate;
    // |held − truth| / truth ≤ tolerance, exactly.
    return diff * 10_000n * 1_000_000n <= truth * BigInt(Math.round(g.toleranceBps * 1_000_000));
  }

  private confirm(t: number): void {
    if (this.feed.held.frame === 0n) return;
    if (!this.guardianAccepts()) return;
    this.feed = confirmHeld(this.feed, this.limits, this.feed.held.frame, BigInt(t));
    this.stats.confirmations++;
    this.sync();
  }

  private sync(): void {
    this.fairRate = fromWad(this.feed.fairRate);
    this.pessimisticRate = fromWad(pessimisticRate(this.feed));
    this.bunker = this.feed.bunker;
    this.held = this.feed.held.frame !== 0n;
    this.staleAfter = Number(this.feed.lastReportRefTs) + this.feed.maxReportAgeSecs;
  }

  /** Cross-check of the number comparison against the sdk's `isStale` (used by tests). */
  sdkStale(t: number): boolean {
    return isStale(this.feed, BigInt(t));
  }
}
