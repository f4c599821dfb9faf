/**
 * Scenario files: the schema, its defaults, validation and loading.
 *
 * A scenario file (sim/scenarios/<name>.json) is a JSON object holding only what differs from the
 * defaults below: every field is optional except inside scripted events (e.g. a slashing needs its
 * `day`). The defaults are the `baseline` scenario: a calm Solana LRT market with the protocol's
 * default limits and risk parameters. `docs/scenarios.md` documents every shipped scenario and has the
 * full parameter reference (field, default, allowed range).
 *
 * Units: days and hours are simulated time from the start of the path (t = 0); `Bps` = basis points
 * (1/10,000), `Ppb` = parts per billion, `Pct` = percent, `Sol` = SOL. Discounts are log-price
 * differences in basis points, negative below the fair value.
 *
 * Who reads what: the world models (sim/src/models) read `fairRate`, `discount`, `dex`, `restaking`,
 * `committee`, `oracle` and `pool` (except the fields marked "engine"); the engine reads
 * `population`, `liquidators`, `risk`, `policy`, `pool.insuranceSol` and `pool.reserveFactorBps`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policy } from "./contract.js";

// ---------------------------------------------------------------------------------------------
// The scenario type
// ---------------------------------------------------------------------------------------------

export interface Scenario {
  /** Identifier; defaults to the file name without `.json`. */
  name: string;
  /** One paragraph: what the scenario models. */
  description: string;
  /** Historical sources and calibration notes, one per entry. */
  source: string[];
  /** Length of a path in days. */
  horizonDays: number;
  /** Seconds per step (one market price round per step); must divide 86,400. */
  stepSecs: number;
  /** Default number of paths for `sim run` (the CLI's `--paths` overrides it). */
  paths: number;
  /** Default seed (the CLI's `--seed` overrides it). */
  seed: number;
  /** Pricing policy of the market under test (engine): `FairRate`, `Market` or `MinOfBoth`. */
  policy: Policy;
  fairRate: FairRateSpec;
  discount: DiscountSpec;
  dex: DexSpec;
  restaking: RestakingSpec;
  committee: CommitteeSpec;
  oracle: MarketOracleSpec;
  pool: PoolSpec;
  population: PopulationSpec;
  liquidators: LiquidatorSpec;
  risk: RiskSpec;
}

/** A scripted point of a piecewise-linear path (constant before the first and after the last point). */
export interface PathPoint {
  day: number;
  value: number;
}

/** The true exchange rate (SOL per LRT): staking yield per epoch, slashing, commission shocks. */
export interface FairRateSpec {
  /** SOL per LRT at t = 0 (within the committee's `minRate`..`maxRate`). */
  initialRate: number;
  /** Mean staking yield net of the usual commission, incl. MEV tips (% per year). */
  aprPct: number;
  /** Epoch length in hours: rewards are credited at each epoch boundary (Solana: ~2 days). */
  epochHours: number;
  /** Standard deviation of one epoch's annualised yield (MEV tips, skipped slots), % per year. */
  mevNoiseAprPct: number;
  /** Random slashings (off by default on Solana's base layer; on in restaking scenarios). */
  slashing: {
    /** Expected slashing events per year (Poisson). */
    perYear: number;
    /** Mean loss of one event, % of the stake (exponential sizes). */
    meanPct: number;
    /** Largest loss of one event, % of the stake. */
    maxPct: number;
  };
  /** Scripted slashings: at `day`, the stake loses `pct` %. */
  slashings: { day: number; pct: number }[];
  /** Validator commission (reward) shocks. */
  commission: {
    /** The commission already netted out of `aprPct`, %. */
    baselinePct: number;
    /** Expected random commission shocks per year (Poisson). */
    shocksPerYear: number;
    /** Share of the pool's stake behind the shocked validators, %. */
    stakeSharePct: number;
    /** Commission the shocked validators switch to, %. */
    commissionPct: number;
    /** Epochs a shock lasts. */
    epochs: number;
  };
  /** Scripted commission shocks (a "commission rug"). */
  commissionShocks: { day: number; epochs: number; stakeSharePct: number; commissionPct: number }[];
}

/**
 * The market discount of the LRT to its true value, as a log-price difference in bps: an
 * Ornstein–Uhlenbeck process (slow component) that reverts to its level with a half-life of 1–2
 * epochs while redemption works and of weeks while it is queued (bunker mode, or no redemption at
 * all), negative jumps (persistent, and flash jumps that recover in minutes), a Markov stress regime,
 * plus the price impact of liquidators' sales (see `dex`).
 */
export interface DiscountSpec {
  /** Discount at t = 0, bps. */
  initialBps: number;
  /** Normal level the discount reverts to, bps (≈ −20 bps: the cost of an instant exit). */
  levelBps: number;
  /** Half-life of the reversion while redemption works, in epochs. */
  halfLifeEpochs: number;
  /** Half-life of the reversion while redemption is queued (bunker mode or `redemptionQueued`), days. */
  queuedHalfLifeDays: number;
  /** Stationary standard deviation of the slow component in the normal regime, bps. */
  sdBps: number;
  /** Redemption is queued for the whole path (e.g. stETH before withdrawals were enabled). */
  redemptionQueued: boolean;
  /** Persistent negative jumps of the slow component. */
  jumps: {
    /** Expected jumps per year in the normal regime (Poisson). */
    perYear: number;
    /** Mean jump size, bps (exponential sizes). */
    meanBps: number;
  };
  /** Flash crashes: a jump of a fast component that recovers with its own half-life. */
  flash: {
    perYear: number;
    /**
     * Mean size, bps (exponential sizes). 450 (issue 14; was 150): with 2 a year a ≥ 14% dip comes about
     * once in 11 years (e^{−1400/450}·2 ≈ 0.09/yr), not once in ~5,000; mSOL had one within ~2.3 years
     * of its launch (Dec 2023), whose 95% rate interval is ~0.01–2.4/yr. An estimate from one event.
     */
    meanBps: number;
    /** Recovery half-life, minutes. */
    halfLifeMinutes: number;
  };
  /** A Markov-switching stress regime. */
  stress: {
    /** Expected entries into the stress regime per year. */
    entryPerYear: number;
    /** Mean duration of a stress episode, days (exponential). */
    meanDays: number;
    /** Level the discount reverts to under stress, bps. */
    levelBps: number;
    /** Stationary standard deviation under stress, bps. */
    sdBps: number;
    /** Multiplier of the jump and flash intensities under stress. */
    jumpFactor: number;
  };
  /** Scripted stress episodes (the regime is forced on between `fromDay` and `toDay`). */
  stressPeriods: { fromDay: number; toDay: number }[];
  /** Scripted level (bps) over time, piecewise linear; replaces `levelBps`/`stress.levelBps` when set. */
  levelPath: PathPoint[];
  /**
   * Scripted jumps: at `day`, the discount moves by `bps` (negative = wider). `flash` jumps recover
   * with `halfLifeMinutes` after holding for `holdMinutes`; `persistent` jumps revert with the slow
   * component.
   */
  events: { day: number; bps: number; kind: "flash" | "persistent"; holdMinutes: number; halfLifeMinutes: number }[];
}

/** DEX liquidity for the LRT/SOL pair: what liquidators sell into. */
export interface DexSpec {
  /**
   * SOL of LRT that moves the price by 1% (linear impact): `Δ log price = −1% · sold / depth`.
   * Default 20,000 (10,000 in stress): public evidence puts it at ~3–5k SOL for mSOL on a calm day in
   * Dec 2023, ~14k for stETH on Curve mid-June 2022 and 10⁴–10⁵ SOL for jitoSOL in 2024
   * (docs/scenarios.md, "DEX depth and price impact").
   */
  depth1PctSol: number;
  /**
   * Half-life of the price impact while redemption works (arbitrage refills the pool), minutes.
   * Default 20: mSOL, 12 Dec 2023, recovered from −14% to within ~1% in 50–80 minutes.
   */
  impactHalfLifeMinutes: number;
  /** Half-life of the price impact while redemption is queued, minutes. */
  queuedImpactHalfLifeMinutes: number;
  /** Depth multiplier under the stress regime. */
  stressDepthFactor: number;
  /** Scripted depth multiplier over time (piecewise linear), e.g. liquidity leaving the pool. */
  depthPath: PathPoint[];
}

/** The restaking pool's liquid reserve: instant unstake at a fee caps the discount while it lasts. */
export interface RestakingSpec {
  /** Liquid reserve available to `instant_unstake` at t = 0 (and its target), SOL. */
  reserveSol: number;
  /** Instant unstake fee, bps (the program's default is 30). */
  instantUnstakeFeeBps: number;
  /** SOL per day the stake manager moves back into the reserve (undelegations), up to `reserveSol`. */
  reserveRefillSolPerDay: number;
  /** Scripted exits that drain the reserve: at `day`, `sol` SOL is taken out. */
  drains: { day: number; sol: number }[];
}

export type MemberRole = "honest" | "offline" | "late" | "colluding";

/** The oracle committee's accounting reports, through the protocol's sanity rules (sdk). */
export interface CommitteeSpec {
  /** Number of members (the committee holds at most 16). */
  members: number;
  /** Matching reports needed (must exceed members / 2). */
  quorum: number;
  /** Frame length in hours: one report per frame. */
  frameHours: number;
  /** Fast lane at the start of each frame, minutes: only the rotating `quorum` subset may vote. */
  fastLaneMinutes: number;
  /** The on-chain sanity limits (programs/oracle SanityLimits). */
  limits: {
    annualIncreaseLimitBps: number;
    maxPositiveRebasePpb: number;
    maxDecreaseBps: number;
    decreaseWindowDays: number;
    maxReportAgeHours: number;
    minRate: number;
    maxRate: number;
  };
  /** Honest members' vote delay after the frame starts, minutes [min, max] (uniform). */
  voteDelayMinutes: [number, number];
  /** Late members' vote delay after the frame starts, hours [min, max] (past the frame = missed). */
  lateDelayHours: [number, number];
  /** Delay from consensus to the report data landing, seconds. */
  dataDelaySecs: number;
  /** Probability that a member is offline for a frame (independent per member and frame). */
  offlinePerFrame: number;
  /** Probability that a member is late for a frame. */
  latePerFrame: number;
  /** Scripted roles: `members` (indices from 0) behave as `role` from `fromDay` to `toDay`. */
  roles: { members: number[]; role: MemberRole; fromDay: number; toDay: number }[];
  /** What colluding members report. */
  collusion: {
    /**
     * `down`: the largest decrease the remaining decrease budget allows (never held); `up`: the
     * largest increase the annual limit allows; `withhold`: no vote at all.
     */
    direction: "down" | "up" | "withhold";
  };
  /** The guardian's second opinion on decreases held beyond the budget. */
  guardian: {
    /** Hours from the hold to the confirmation. */
    delayHours: number;
    /** `ifTrue`: confirms when the held rate is within `toleranceBps` of the truth; `always`; `never`. */
    confirms: "ifTrue" | "always" | "never";
    toleranceBps: number;
  };
  /**
   * Honest members cap an increase at what the annual limit accepts (the rest is reported by later
   * frames) instead of submitting a report the program rejects.
   */
  clampToLimits: boolean;
}

/** The committee members' market price rounds (median of fresh observations, confidence, EMA). */
export interface MarketOracleSpec {
  /** An observation is fresh for this many seconds (programs/oracle `max_price_age_secs`). */
  maxPriceAgeSecs: number;
  /** EMA half-life, seconds (programs/oracle `ema_half_life_secs`). */
  emaHalfLifeSecs: number;
  /**
   * A round whose band (median absolute deviation) is wider than this share of its median gives no
   * market price (programs/oracle `max_confidence_bps`).
   */
  maxConfidenceBps: number;
  /** Noise of one member's observation around the DEX price, bps (different venues, timing). */
  memberNoiseBps: number;
  /** Honest members' observation latency, seconds [min, max] (fixed per member for a path). */
  lagSecs: [number, number];
  /** Late members' latency, seconds [min, max] (drawn each round; beyond `maxPriceAgeSecs` = stale). */
  lateLagSecs: [number, number];
  /** Random outages of a member's price publisher, per member per year (Poisson). */
  outagesPerMemberPerYear: number;
  /** Mean outage duration, minutes (exponential). */
  outageMeanMinutes: number;
  /** Scripted publisher faults: `members` publish the price × `factor` from `fromDay` for `hours`. */
  faults: { members: number[]; fromDay: number; hours: number; factor: number }[];
  /** Colluding members shift their market observations by this many bps (0 = they report honestly). */
  colludingDeviationBps: number;
}

/** The SOL lending pool: utilisation, lenders' flows and the borrow-rate curve. */
export interface PoolSpec {
  /** Lenders' assets at t = 0, SOL. */
  supplySol: number;
  /** Utilisation at t = 0 (includes the population's debt) and its long-run mean. */
  utilization: number;
  /** Half-life of the utilisation's mean reversion (logit scale), days. */
  utilizationHalfLifeDays: number;
  /** Stationary standard deviation of logit(utilisation). */
  utilizationSd: number;
  /** Scripted utilisation target over time (piecewise linear), replacing `utilization` as the mean. */
  utilizationPath: PathPoint[];
  /** Daily standard deviation of lenders' random net flows, % of supply. */
  supplyFlowSdPctPerDay: number;
  /** Half-life of the supply's reversion to its initial level, days. */
  supplyHalfLifeDays: number;
  /** Scripted lender flows: at `day`, `pct` % of the supply is deposited (+) or withdrawn (−). */
  flows: { day: number; pct: number }[];
  /** Insurance fund at t = 0, SOL (engine). */
  insuranceSol: number;
  /** The kinked borrow-rate curve (programs/margin RateCurve). */
  curve: {
    kink1UtilizationBps: number;
    kink1RateBps: number;
    kink2UtilizationBps: number;
    kink2RateBps: number;
    maxRateBps: number;
  };
  /** Share of interest paid to insurance, bps (engine). */
  reserveFactorBps: number;
  /** Borrowing is blocked above this utilisation, bps. */
  maxUtilizationBps: number;
}

/** The sub-accounts of the market under test (engine). */
export interface PopulationSpec {
  /** Number of sub-accounts. */
  subAccounts: number;
  /** Equity per sub-account (SOL): log-normal with this median and log-sd, truncated to [min, max]. */
  equitySol: { median: number; sigma: number; min: number; max: number };
  /**
   * Leverage (collateral value / equity) at t = 0: uniform on [min, max], or, when `values` is
   * non-empty, one of `values` with probabilities proportional to `weights` (equal when empty).
   */
  leverage: { min: number; max: number; values: number[]; weights: number[] };
}

/** Liquidators (engine). */
export interface LiquidatorSpec {
  /** Independent liquidator bots. */
  count: number;
  /** Mean delay from a sub-account becoming liquidatable to the liquidation landing, seconds. */
  delaySecs: number;
  /** Uniform jitter around `delaySecs`, seconds (±). */
  delayJitterSecs: number;
  /** Debt one liquidator can repay per step (capital and throughput), SOL. */
  capacitySolPerStep: number;
  /** Liquidation transactions one liquidator lands per step. */
  maxLiquidationsPerStep: number;
  /** A liquidation is attempted only if its expected profit exceeds this, SOL (fees, priority fees). */
  minProfitSol: number;
  /** Liquidators stop selling within a step once the marginal price impact reaches this, bps. */
  maxImpactBps: number;
  /** Share of the seized LRT sold into the DEX at once (the rest is held or redeemed). */
  sellFraction: number;
}

/** The market's risk parameters (programs/margin RiskParams), engine. */
export interface RiskSpec {
  ltvInitBps: number;
  ltBps: number;
  ltvFullBps: number;
  targetLtvBps: number;
  closeFactorBps: number;
  bonusMinBps: number;
  bonusMaxBps: number;
  insuranceShareBps: number;
  /** Smallest debt a sub-account may keep, SOL. */
  minDebtSol: number;
}

// ---------------------------------------------------------------------------------------------
// Schema description (drives validation, defaults and the reference table)
// ---------------------------------------------------------------------------------------------

interface NumberField {
  kind: "number";
  min: number;
  max: number;
  int?: boolean;
  /** Absent: the field is required (inside scripted events). */
  default?: number;
}
interface BooleanField {
  kind: "boolean";
  default: boolean;
}
interface EnumField {
  kind: "enum";
  values: readonly string[];
  default?: string;
}
interface StringField {
  kind: "string";
  default: string;
}
interface StringListField {
  kind: "strings";
  default: string[];
}
interface NumberListField {
  kind: "numbers";
  min: number;
  max: number;
  int?: boolean;
  maxItems: number;
  default?: number[];
}
interface RangeField {
  kind: "range";
  min: number;
  max: number;
  default: [number, number];
}
interface ObjectField<T = unknown> {
  kind: "object";
  fields: { [K in keyof T]-?: FieldFor<T[K]> };
}
interface ListField<T = unknown> {
  kind: "list";
  item: ObjectField<T>;
  maxItems: number;
}

type FieldFor<V> = [V] extends [number]
  ? NumberField
  : [V] extends [boolean]
    ? BooleanField
    : [V] extends [string]
      ? string extends V
        ? StringField
        : EnumField
      : [V] extends [[number, number]]
        ? RangeField
        : [V] extends [string[]]
          ? StringListField
          : [V] extends [number[]]
            ? NumberListField
            : [V] extends [(infer I)[]]
              ? ListField<I>
              : ObjectField<V>;

type Field =
  | NumberField
  | BooleanField
  | EnumField
  | StringField
  | StringListField
  | NumberListField
  | RangeField
  | ObjectField
  | ListField;

const num = (def: number | undefined, min: number, max: number, int = false): NumberField =>
  def === undefined ? { kind: "number", min, max, int } : { kind: "number", min, max, int, default: def };
const int = (def: number | undefined, min: number, max: number): NumberField => num(def, min, max, true);
const bool = (def: boolean): BooleanField => ({ kind: "boolean", default: def });
const oneOf = (values: readonly string[], def?: string): EnumField =>
  def === undefined ? { kind: "enum", values } : { kind: "enum", values, default: def };
const range = (def: [number, number], min: number, max: number): RangeField => ({
  kind: "range",
  min,
  max,
  default: def,
});
// The fields' types are inferred here and checked against `FieldFor<Scenario>` where the schema is
// assigned, so a missing or mistyped field is a compile error.
const obj = <F>(fields: F): { kind: "object"; fields: F } => ({ kind: "object", fields });
const list = <F>(
  fields: F,
  maxItems = 1000,
): { kind: "list"; item: { kind: "object"; fields: F }; maxItems: number } => ({
  kind: "list",
  item: obj(fields),
  maxItems,
});

const MAX_DAY = 3650;
const DAY = num(undefined, 0, MAX_DAY);
const pathOf = (min: number, max: number) => list({ day: DAY, value: num(undefined, min, max) });

const MEMBERS_MAX = 16;

/** The schema of a scenario file, with the defaults (= the `baseline` scenario). */
export const SCENARIO_SCHEMA: ObjectField<Scenario> = obj({
  name: { kind: "string", default: "" },
  description: { kind: "string", default: "" },
  source: { kind: "strings", default: [] },
  horizonDays: num(30, 0.01, MAX_DAY),
  stepSecs: int(60, 1, 86_400),
  paths: int(1_000, 1, 100_000_000),
  seed: int(1, 0, Number.MAX_SAFE_INTEGER),
  policy: oneOf(["FairRate", "Market", "MinOfBoth"], "MinOfBoth"),
  fairRate: obj({
    initialRate: num(1, 0.1, 10),
    aprPct: num(7, 0, 100),
    epochHours: num(48, 1, 24 * 30),
    mevNoiseAprPct: num(0.5, 0, 50),
    slashing: obj({ perYear: num(0, 0, 365), meanPct: num(1, 0, 100), maxPct: num(100, 0, 100) }),
    slashings: list({ day: DAY, pct: num(undefined, 0, 100) }),
    commission: obj({
      baselinePct: num(5, 0, 99),
      shocksPerYear: num(0, 0, 365),
      stakeSharePct: num(10, 0, 100),
      commissionPct: num(100, 0, 100),
      epochs: int(1, 1, 1000),
    }),
    commissionShocks: list({
      day: DAY,
      epochs: int(1, 1, 1000),
      stakeSharePct: num(undefined, 0, 100),
      commissionPct: num(100, 0, 100),
    }),
  }),
  discount: obj({
    initialBps: num(-20, -9_000, 1_000),
    levelBps: num(-20, -9_000, 1_000),
    halfLifeEpochs: num(1.5, 0.1, 100),
    queuedHalfLifeDays: num(21, 0.01, 365),
    sdBps: num(8, 0, 5_000),
    redemptionQueued: bool(false),
    jumps: obj({ perYear: num(1, 0, 100_000), meanBps: num(30, 0, 9_000) }),
    flash: obj({ perYear: num(2, 0, 100_000), meanBps: num(450, 0, 9_000), halfLifeMinutes: num(10, 0.1, 100_000) }),
    stress: obj({
      entryPerYear: num(1, 0, 365),
      meanDays: num(7, 0.01, 365),
      levelBps: num(-150, -9_000, 1_000),
      sdBps: num(40, 0, 5_000),
      jumpFactor: num(4, 0, 1_000),
    }),
    stressPeriods: list({ fromDay: DAY, toDay: DAY }),
    levelPath: pathOf(-9_000, 1_000),
    events: list({
      day: DAY,
      bps: num(undefined, -9_000, 1_000),
      kind: oneOf(["flash", "persistent"], "flash"),
      holdMinutes: num(0, 0, 100_000),
      halfLifeMinutes: num(10, 0.1, 100_000),
    }),
  }),
  dex: obj({
    depth1PctSol: num(20_000, 1, 1e10),
    impactHalfLifeMinutes: num(20, 0.1, 1e6),
    queuedImpactHalfLifeMinutes: num(240, 0.1, 1e6),
    stressDepthFactor: num(0.5, 0.001, 1),
    depthPath: pathOf(0.001, 100),
  }),
  restaking: obj({
    reserveSol: num(50_000, 0, 1e10),
    instantUnstakeFeeBps: num(30, 0, 10_000),
    reserveRefillSolPerDay: num(10_000, 0, 1e10),
    drains: list({ day: DAY, sol: num(undefined, 0, 1e10) }),
  }),
  committee: obj({
    members: int(9, 1, MEMBERS_MAX),
    quorum: int(5, 1, MEMBERS_MAX),
    frameHours: num(24, 1, 24 * 7),
    fastLaneMinutes: num(0, 0, 24 * 60),
    limits: obj({
      annualIncreaseLimitBps: int(1_500, 0, 1_000_000),
      maxPositiveRebasePpb: int(750_000, 0, 1_000_000_000),
      maxDecreaseBps: int(100, 0, 10_000),
      decreaseWindowDays: num(18, 0, 365),
      maxReportAgeHours: num(36, 1, 24 * 365),
      minRate: num(0.1, 0.000001, 1_000),
      maxRate: num(10, 0.000001, 1_000),
    }),
    voteDelayMinutes: range([5, 30], 0, 7 * 24 * 60),
    lateDelayHours: range([4, 20], 0, 7 * 24),
    dataDelaySecs: num(20, 0, 86_400),
    offlinePerFrame: num(0.01, 0, 1),
    latePerFrame: num(0.02, 0, 1),
    roles: list({
      members: { kind: "numbers", min: 0, max: MEMBERS_MAX - 1, int: true, maxItems: MEMBERS_MAX },
      role: oneOf(["honest", "offline", "late", "colluding"]),
      fromDay: num(0, 0, MAX_DAY),
      toDay: num(MAX_DAY, 0, MAX_DAY),
    }),
    collusion: obj({ direction: oneOf(["down", "up", "withhold"], "down") }),
    guardian: obj({
      delayHours: num(12, 0, 24 * 365),
      confirms: oneOf(["ifTrue", "always", "never"], "ifTrue"),
      toleranceBps: num(10, 0, 10_000),
    }),
    clampToLimits: bool(true),
  }),
  oracle: obj({
    maxPriceAgeSecs: int(60, 1, 86_400),
    emaHalfLifeSecs: int(3_600, 0, 10_000_000),
    maxConfidenceBps: int(200, 1, 10_000),
    memberNoiseBps: num(2, 0, 1_000),
    lagSecs: range([1, 20], 0, 86_400),
    lateLagSecs: range([30, 180], 0, 86_400),
    outagesPerMemberPerYear: num(6, 0, 100_000),
    outageMeanMinutes: num(30, 0.01, 1e6),
    faults: list({
      members: { kind: "numbers", min: 0, max: MEMBERS_MAX - 1, int: true, maxItems: MEMBERS_MAX },
      fromDay: DAY,
      hours: num(undefined, 0, 24 * MAX_DAY),
      factor: num(undefined, 0, 1_000),
    }),
    colludingDeviationBps: num(0, -9_000, 10_000),
  }),
  pool: obj({
    supplySol: num(5_000_000, 1, 1e12),
    utilization: num(0.6, 0, 1),
    utilizationHalfLifeDays: num(3, 0.01, 3650),
    utilizationSd: num(0.3, 0, 10),
    utilizationPath: pathOf(0, 1),
    supplyFlowSdPctPerDay: num(1, 0, 100),
    supplyHalfLifeDays: num(10, 0.01, 3650),
    flows: list({ day: DAY, pct: num(undefined, -100, 1_000) }),
    insuranceSol: num(20_000, 0, 1e12),
    curve: obj({
      kink1UtilizationBps: int(8_000, 1, 9_999),
      kink1RateBps: int(400, 0, 60_000),
      kink2UtilizationBps: int(9_000, 1, 9_999),
      kink2RateBps: int(700, 0, 60_000),
      maxRateBps: int(5_000, 0, 60_000),
    }),
    reserveFactorBps: int(1_000, 0, 5_000),
    maxUtilizationBps: int(9_500, 1, 10_000),
  }),
  population: obj({
    subAccounts: int(10_000, 1, 10_000_000),
    equitySol: obj({
      median: num(20, 0.001, 1e9),
      sigma: num(1.2, 0, 5),
      min: num(0.1, 0, 1e9),
      max: num(1e6, 0, 1e12),
    }),
    leverage: obj({
      min: num(2, 1, 100),
      max: num(10, 1, 100),
      values: { kind: "numbers", min: 1, max: 100, maxItems: 1000, default: [] },
      weights: { kind: "numbers", min: 0, max: 1e9, maxItems: 1000, default: [] },
    }),
  }),
  liquidators: obj({
    count: int(3, 0, 10_000),
    delaySecs: num(20, 0, 86_400),
    delayJitterSecs: num(10, 0, 86_400),
    capacitySolPerStep: num(5_000, 0, 1e12),
    maxLiquidationsPerStep: int(50, 0, 1_000_000),
    minProfitSol: num(0.001, 0, 1e9),
    maxImpactBps: num(50, 0, 10_000),
    sellFraction: num(1, 0, 1),
  }),
  risk: obj({
    ltvInitBps: int(9_000, 1, 9_900),
    ltBps: int(9_300, 1, 9_900),
    ltvFullBps: int(9_600, 1, 9_900),
    targetLtvBps: int(9_200, 1, 9_900),
    closeFactorBps: int(2_000, 1, 10_000),
    bonusMinBps: int(50, 0, 10_000),
    bonusMaxBps: int(200, 0, 10_000),
    insuranceShareBps: int(2_000, 0, 10_000),
    minDebtSol: num(0.05, 1e-9, 1e9),
  }),
});

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** An invalid scenario: `issues` lists every problem, each naming the field and the allowed range. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(
    readonly issues: string[],
    /** Where the scenario came from (its file), when it came from one. */
    readonly origin?: string,
  ) {
    super(`invalid scenario${origin ? ` ${origin}` : ""}:\n  - ${issues.join("\n  - ")}`);
  }
}

const show = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value)
    : Array.isArray(value)
      ? "an array"
      : value === null
        ? "null"
        : typeof value === "object"
          ? "an object"
          : String(value);

function rangeText(f: { min: number; max: number; int?: boolean }): string {
  return `${f.int ? "an integer " : ""}between ${f.min} and ${f.max}`;
}

function checkNumber(
  f: { min: number; max: number; int?: boolean },
  value: unknown,
  path: string,
  issues: string[],
): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    issues.push(`${path} must be a number ${rangeText(f)}, got ${show(value)}`);
    return undefined;
  }
  if (value < f.min || value > f.max || (f.int && !Number.isInteger(value))) {
    issues.push(`${path} must be ${rangeText(f)}, got ${value}`);
    return undefined;
  }
  return value;
}

function defaultOf(field: Field): unknown {
  switch (field.kind) {
    case "object":
      return Object.fromEntries(Object.entries(field.fields).map(([k, f]) => [k, defaultOf(f as Field)]));
    case "list":
      return [];
    case "range":
      return [...field.default];
    case "strings":
    case "numbers":
      return field.default ? [...field.default] : undefined;
    default:
      return field.default;
  }
}

function check(field: Field, value: unknown, path: string, issues: string[]): unknown {
  if (value === undefined) {
    const def = defaultOf(field);
    if (def === undefined) {
      const what =
        field.kind === "number"
          ? `a number ${rangeText(field)}`
          : field.kind === "enum"
            ? `one of ${field.values.map((v) => JSON.stringify(v)).join(", ")}`
            : "a value";
      issues.push(`${path} is required (${what})`);
    }
    return def;
  }
  switch (field.kind) {
    case "number":
      return checkNumber(field, value, path, issues);
    case "boolean":
      if (typeof value !== "boolean") issues.push(`${path} must be true or false, got ${show(value)}`);
      return value;
    case "string":
      if (typeof value !== "string") issues.push(`${path} must be a string, got ${show(value)}`);
      return value;
    case "enum":
      if (typeof value !== "string" || !field.values.includes(value)) {
        issues.push(
          `${path} must be one of ${field.values.map((v) => JSON.stringify(v)).join(", ")}, got ${show(value)}`,
        );
      }
      return value;
    case "strings":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        issues.push(`${path} must be an array of strings, got ${show(value)}`);
        return [];
      }
      return [...value];
    case "numbers": {
      if (!Array.isArray(value)) {
        issues.push(`${path} must be an array of numbers ${rangeText(field)}, got ${show(value)}`);
        return [];
      }
      if (value.length > field.maxItems)
        issues.push(`${path} must have at most ${field.maxItems} entries, got ${value.length}`);
      return value.map((v, i) => checkNumber(field, v, `${path}[${i}]`, issues));
    }
    case "range": {
      if (!Array.isArray(value) || value.length !== 2) {
        issues.push(
          `${path} must be a [min, max] pair of numbers between ${field.min} and ${field.max}, got ${show(value)}`,
        );
        return [...field.default];
      }
      const lo = checkNumber(field, value[0], `${path}[0]`, issues);
      const hi = checkNumber(field, value[1], `${path}[1]`, issues);
      if (lo !== undefined && hi !== undefined && lo > hi)
        issues.push(`${path}[1] must be between ${lo} (${path}[0]) and ${field.max}, got ${hi}`);
      return [lo, hi];
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        issues.push(`${path || "the scenario"} must be an object, got ${show(value)}`);
        return defaultOf(field);
      }
      const record = value as Record<string, unknown>;
      const known = Object.keys(field.fields);
      for (const key of Object.keys(record)) {
        if (key === "$schema" || key === "$comment") continue;
        if (!known.includes(key))
          issues.push(`unknown field ${path ? `${path}.` : ""}${key} (allowed: ${known.join(", ")})`);
      }
      const out: Record<string, unknown> = {};
      for (const key of known)
        out[key] = check(
          field.fields[key as keyof typeof field.fields] as Field,
          record[key],
          path ? `${path}.${key}` : key,
          issues,
        );
      return out;
    }
    case "list": {
      if (!Array.isArray(value)) {
        issues.push(`${path} must be an array, got ${show(value)}`);
        return [];
      }
      if (value.length > field.maxItems)
        issues.push(`${path} must have at most ${field.maxItems} entries, got ${value.length}`);
      return value.map((v, i) => check(field.item, v, `${path}[${i}]`, issues));
    }
  }
}

function crossChecks(s: Scenario, issues: string[]): void {
  const need = (ok: boolean, message: string) => {
    if (!ok) issues.push(message);
  };
  need(86_400 % s.stepSecs === 0, `stepSecs must divide 86400 (e.g. 1, 10, 60, 300, 3600), got ${s.stepSecs}`);

  const c = s.committee;
  need(
    c.quorum * 2 > c.members && c.quorum <= c.members,
    `committee.quorum must be an integer between ${Math.floor(c.members / 2) + 1} and ${c.members} (more than half of committee.members), got ${c.quorum}`,
  );
  need(
    86_400 % s.stepSecs !== 0 || (c.frameHours * 3600) % s.stepSecs === 0,
    `committee.frameHours must be a multiple of stepSecs (${s.stepSecs} s), got ${c.frameHours}`,
  );
  need(
    c.fastLaneMinutes * 60 < c.frameHours * 3600,
    `committee.fastLaneMinutes must be between 0 and ${c.frameHours * 60} (the frame), got ${c.fastLaneMinutes}`,
  );
  need(
    c.limits.minRate <= c.limits.maxRate,
    `committee.limits.maxRate must be between ${c.limits.minRate} (committee.limits.minRate) and 1000, got ${c.limits.maxRate}`,
  );
  need(
    s.fairRate.initialRate >= c.limits.minRate && s.fairRate.initialRate <= c.limits.maxRate,
    `fairRate.initialRate must be between ${c.limits.minRate} and ${c.limits.maxRate} (committee.limits), got ${s.fairRate.initialRate}`,
  );
  c.roles.forEach((r, i) => {
    r.members.forEach((m, j) => {
      need(
        m < c.members,
        `committee.roles[${i}].members[${j}] must be an integer between 0 and ${c.members - 1}, got ${m}`,
      );
    });
    need(
      r.fromDay <= r.toDay,
      `committee.roles[${i}].toDay must be between ${r.fromDay} (fromDay) and ${MAX_DAY}, got ${r.toDay}`,
    );
  });
  s.oracle.faults.forEach((f, i) => {
    f.members.forEach((m, j) => {
      need(
        m < c.members,
        `oracle.faults[${i}].members[${j}] must be an integer between 0 and ${c.members - 1}, got ${m}`,
      );
    });
  });
  s.discount.stressPeriods.forEach((p, i) => {
    need(
      p.fromDay <= p.toDay,
      `discount.stressPeriods[${i}].toDay must be between ${p.fromDay} (fromDay) and ${MAX_DAY}, got ${p.toDay}`,
    );
  });
  const ascending = (points: PathPoint[], path: string) =>
    points.forEach((p, i) => {
      const prev = points[i - 1];
      if (i > 0 && prev && p.day < prev.day)
        issues.push(`${path}[${i}].day must be between ${prev.day} (the previous point) and ${MAX_DAY}, got ${p.day}`);
    });
  ascending(s.discount.levelPath, "discount.levelPath");
  ascending(s.dex.depthPath, "dex.depthPath");
  ascending(s.pool.utilizationPath, "pool.utilizationPath");

  const k = s.pool.curve;
  need(
    k.kink1UtilizationBps < k.kink2UtilizationBps,
    `pool.curve.kink2UtilizationBps must be between ${k.kink1UtilizationBps + 1} and 9999 (above kink1UtilizationBps), got ${k.kink2UtilizationBps}`,
  );
  need(
    k.kink1RateBps <= k.kink2RateBps,
    `pool.curve.kink2RateBps must be between ${k.kink1RateBps} (kink1RateBps) and 60000, got ${k.kink2RateBps}`,
  );
  need(
    k.kink2RateBps <= k.maxRateBps,
    `pool.curve.maxRateBps must be between ${k.kink2RateBps} (kink2RateBps) and 60000, got ${k.maxRateBps}`,
  );

  const r = s.risk;
  need(
    r.ltvInitBps <= r.targetLtvBps,
    `risk.targetLtvBps must be between ${r.ltvInitBps} (risk.ltvInitBps) and ${r.ltBps - 1}, got ${r.targetLtvBps}`,
  );
  need(
    r.targetLtvBps < r.ltBps,
    `risk.ltBps must be between ${r.targetLtvBps + 1} (above risk.targetLtvBps) and ${r.ltvFullBps - 1}, got ${r.ltBps}`,
  );
  need(
    r.ltBps < r.ltvFullBps,
    `risk.ltvFullBps must be between ${r.ltBps + 1} (above risk.ltBps) and 9900, got ${r.ltvFullBps}`,
  );
  need(
    r.bonusMinBps <= r.bonusMaxBps,
    `risk.bonusMaxBps must be between ${r.bonusMinBps} (risk.bonusMinBps) and 10000, got ${r.bonusMaxBps}`,
  );
  const bonusCap = Math.ceil(1e8 / r.ltBps - 1e4) - 1;
  need(
    r.ltBps * (10_000 + r.bonusMaxBps) < 1e8,
    `risk.bonusMaxBps must be between ${r.bonusMinBps} and ${bonusCap} (so that LT·(1 + bonus) < 1), got ${r.bonusMaxBps}`,
  );

  const p = s.population;
  const maxLeverage = 10_000 / (10_000 - r.ltvInitBps);
  const lev = p.leverage;
  need(
    lev.min <= lev.max,
    `population.leverage.max must be between ${lev.min} (population.leverage.min) and ${maxLeverage}, got ${lev.max}`,
  );
  need(
    lev.max <= maxLeverage + 1e-9,
    `population.leverage.max must be between 1 and ${maxLeverage} (1 / (1 − risk.ltvInitBps)), got ${lev.max}`,
  );
  lev.values.forEach((v, i) => {
    need(
      v <= maxLeverage + 1e-9,
      `population.leverage.values[${i}] must be between 1 and ${maxLeverage} (1 / (1 − risk.ltvInitBps)), got ${v}`,
    );
  });
  need(
    lev.weights.length === 0 || lev.weights.length === lev.values.length,
    `population.leverage.weights must have ${lev.values.length} entries (one per population.leverage.values) or none, got ${lev.weights.length}`,
  );
  need(
    lev.weights.length === 0 || lev.weights.some((w) => w > 0),
    `population.leverage.weights must have a positive entry`,
  );
  need(
    p.equitySol.min <= p.equitySol.max,
    `population.equitySol.max must be between ${p.equitySol.min} (population.equitySol.min) and 1e12, got ${p.equitySol.max}`,
  );
}

/** Validates a parsed scenario object and fills in the defaults; throws a `ScenarioError`. */
export function parseScenario(raw: unknown, origin?: string): Scenario {
  const issues: string[] = [];
  const scenario = check(SCENARIO_SCHEMA as unknown as Field, raw, "", issues) as Scenario;
  if (issues.length === 0) crossChecks(scenario, issues);
  if (issues.length > 0) throw new ScenarioError(issues, origin);
  return scenario;
}

/** The defaults: the `baseline` scenario's parameters. */
export function defaultScenario(): Scenario {
  return parseScenario({ name: "defaults" });
}

/**
 * The scenario with dotted-path overrides applied and validated again, e.g.
 * `overrideScenario(s, { "risk.ltBps": 9200, policy: "FairRate" })` (for `sim compare`).
 */
export function overrideScenario(scenario: Scenario, overrides: Record<string, unknown>): Scenario {
  const copy = structuredClone(scenario) as unknown as Record<string, unknown>;
  for (const [dotted, value] of Object.entries(overrides)) {
    const keys = dotted.split(".");
    let node: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null || Array.isArray(next))
        throw new ScenarioError([`unknown field ${dotted}`], scenario.name);
      node = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1]!;
    if (!(last in node)) throw new ScenarioError([`unknown field ${dotted}`], scenario.name);
    node[last] = value;
  }
  return parseScenario(copy, scenario.name);
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** The directory of the shipped scenarios (sim/scenarios). */
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "scenarios");

/**
 * Loads a scenario from a file path, or by name from sim/scenarios (`baseline`, `msol-flash-depeg`,
 * ...). Errors name the file, the field and the allowed range.
 */
export function loadScenario(pathOrName: string): Scenario {
  const file = existsSync(pathOrName)
    ? pathOrName
    : join(SCENARIO_DIR, pathOrName.endsWith(".json") ? pathOrName : `${pathOrName}.json`);
  if (!existsSync(file)) {
    const known = listScenarios().map((s) => s.name);
    throw new ScenarioError([`no scenario file ${pathOrName} (shipped scenarios: ${known.join(", ")})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ScenarioError([`not valid JSON: ${(error as Error).message}`], file);
  }
  if (
    typeof raw === "object" &&
    raw !== null &&
    !Array.isArray(raw) &&
    (raw as Record<string, unknown>).name === undefined
  ) {
    raw = { ...(raw as Record<string, unknown>), name: basename(file, ".json") };
  }
  return parseScenario(raw, file);
}

export interface ScenarioEntry {
  name: string;
  description: string;
  file: string;
}

/** The shipped scenarios, sorted by name (files that fail to parse are listed with the error). */
export function listScenarios(): ScenarioEntry[] {
  if (!existsSync(SCENARIO_DIR)) return [];
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = join(SCENARIO_DIR, f);
      try {
        const raw = JSON.parse(readFileSync(file, "utf8")) as { name?: string; description?: string };
        return { name: raw.name ?? basename(f, ".json"), description: raw.description ?? "", file };
      } catch (error) {
        return { name: basename(f, ".json"), description: `unreadable: ${(error as Error).message}`, file };
      }
    });
}

/** JSON with object keys sorted at every level: the canonical form that is hashed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A stable hash (sha256, hex) of the scenario's canonical JSON with its defaults filled in, so a file
 * that spells out a default and one that omits it hash the same.
 */
export function scenarioHash(scenario: Scenario): string {
  return createHash("sha256")
    .update(canonicalJson(parseScenario(scenario)))
    .digest("hex");
}

/** One row per schema field: its dotted path, default and allowed values (for docs and UIs). */
export function describeSchema(): { path: string; default: string; allowed: string }[] {
  const rows: { path: string; default: string; allowed: string }[] = [];
  const walk = (field: Field, path: string) => {
    switch (field.kind) {
      case "object":
        for (const [k, f] of Object.entries(field.fields)) walk(f as Field, path ? `${path}.${k}` : k);
        return;
      case "list": {
        const item = Object.entries(field.item.fields)
          .map(([k, f]) => {
            const sub = f as Field;
            return sub.kind === "number"
              ? `${k} ${sub.min}..${sub.max}`
              : sub.kind === "enum"
                ? `${k} ${sub.values.join("|")}`
                : sub.kind === "numbers"
                  ? `${k} [${sub.min}..${sub.max}]`
                  : k;
          })
          .join(", ");
        rows.push({ path, default: "[]", allowed: `list of { ${item} }` });
        return;
      }
      case "number":
        rows.push({
          path,
          default: String(field.default),
          allowed: `${field.int ? "integer " : ""}${field.min}..${field.max}`,
        });
        return;
      case "range":
        rows.push({
          path,
          default: JSON.stringify(field.default),
          allowed: `[min, max] in ${field.min}..${field.max}`,
        });
        return;
      case "enum":
        rows.push({ path, default: JSON.stringify(field.default), allowed: field.values.join(" \\| ") });
        return;
      case "boolean":
        rows.push({ path, default: String(field.default), allowed: "true \\| false" });
        return;
      case "numbers":
        rows.push({
          path,
          default: JSON.stringify(field.default ?? []),
          allowed: `numbers in ${field.min}..${field.max}`,
        });
        return;
      case "strings":
      case "string":
        rows.push({
          path,
          default: JSON.stringify(field.default),
          allowed: field.kind === "strings" ? "list of text" : "text",
        });
        return;
    }
  };
  walk(SCENARIO_SCHEMA as unknown as Field, "");
  return rows;
}
