/**
 * Engine parameters: from a scenario (`engineParams(scenario, policy)`), or the program's defaults
 * (DESIGN.md §3.3) with overrides (`engineParamsWith`, for tests and benchmarks).
 */
import type { Policy } from "../contract.js";
import type { Scenario } from "../scenario.js";
import * as approx from "./approx.js";
import { DEFAULT_LIQUIDATORS, type EngineParams, type LiquidatorParams } from "./types.js";

export const DEFAULT_SERIES_BUCKETS = 120;
const LAMPORTS = 1e9;

/** The most time buckets a path's series may have (the calm kernel holds a lane's whole series). */
export const MAX_SERIES_BUCKETS = 10_000;

/** The engine's share of a scenario: risk, policy (or `policy` instead), insurance, liquidators. */
export function engineParams(scenario: Scenario, policy?: Policy): EngineParams {
  const { minDebtSol, ...riskBps } = scenario.risk;
  const l = scenario.liquidators;
  return engineParamsWith({
    policy: policy ?? scenario.policy,
    // The scenario's risk section is the sdk's RiskParams with the minimum debt in SOL: one converter.
    risk: approx.riskFrom({ ...riskBps, minDebt: BigInt(Math.round(minDebtSol * LAMPORTS)) }),
    reserveFactor: scenario.pool.reserveFactorBps / 10_000,
    insuranceSol: scenario.pool.insuranceSol,
    liquidators: {
      count: l.count,
      delaySecs: l.delaySecs,
      delayJitterSecs: l.delayJitterSecs,
      capacitySolPerStep: l.capacitySolPerStep,
      maxLiquidationsPerStep: l.maxLiquidationsPerStep,
      minProfitSol: l.minProfitSol,
      sellFraction: l.sellFraction,
    },
  });
}

export function engineParamsWith(
  overrides: {
    policy?: Policy;
    risk?: Partial<approx.RiskF>;
    reserveFactor?: number;
    insuranceSol?: number;
    liquidators?: Partial<LiquidatorParams>;
    seriesBuckets?: number;
  } = {},
): EngineParams {
  const params: EngineParams = {
    policy: overrides.policy ?? "MinOfBoth",
    risk: { ...approx.DEFAULT_RISK, ...overrides.risk },
    reserveFactor: overrides.reserveFactor ?? 0.1,
    insuranceSol: overrides.insuranceSol ?? 0,
    liquidators: { ...DEFAULT_LIQUIDATORS, ...overrides.liquidators },
    seriesBuckets: overrides.seriesBuckets ?? DEFAULT_SERIES_BUCKETS,
  };
  validateEngineParams(params);
  return params;
}

/** Throws a RangeError naming the field and its allowed range. */
export function validateEngineParams(p: EngineParams): void {
  const check = (field: string, value: number, ok: boolean, range: string) => {
    if (!ok || !Number.isFinite(value)) throw new RangeError(`${field} is ${value}; it must be ${range}`);
  };
  const r = p.risk;
  if (!["FairRate", "Market", "MinOfBoth"].includes(p.policy))
    throw new RangeError(`policy is "${p.policy}"; it must be one of FairRate, Market, MinOfBoth`);
  check("risk.ltvInit", r.ltvInit, r.ltvInit > 0 && r.ltvInit < r.lt, "in (0, risk.lt)");
  check("risk.lt", r.lt, r.lt < r.ltvFull, "below risk.ltvFull");
  check("risk.ltvFull", r.ltvFull, r.ltvFull <= 0.99, "at most 0.99");
  check("risk.targetLtv", r.targetLtv, r.targetLtv > 0 && r.targetLtv < r.lt, "in (0, risk.lt)");
  check("risk.closeFactor", r.closeFactor, r.closeFactor > 0 && r.closeFactor <= 1, "in (0, 1]");
  check("risk.bonusMin", r.bonusMin, r.bonusMin >= 0 && r.bonusMin <= r.bonusMax, "in [0, risk.bonusMax]");
  check("risk.bonusMax", r.bonusMax, r.lt * (1 + r.bonusMax) < 1, "such that risk.lt·(1 + bonusMax) < 1");
  check("risk.insuranceShare", r.insuranceShare, r.insuranceShare >= 0 && r.insuranceShare <= 1, "in [0, 1]");
  check("risk.minDebt", r.minDebt, r.minDebt >= 0, "at least 0 (SOL)");
  check("reserveFactor", p.reserveFactor, p.reserveFactor >= 0 && p.reserveFactor <= 1, "in [0, 1]");
  check("insuranceSol", p.insuranceSol, p.insuranceSol >= 0, "at least 0 (SOL)");
  const l = p.liquidators;
  check("liquidators.count", l.count, Number.isInteger(l.count) && l.count >= 0, "a non-negative integer");
  check("liquidators.delaySecs", l.delaySecs, l.delaySecs >= 0, "at least 0 (seconds)");
  check("liquidators.delayJitterSecs", l.delayJitterSecs, l.delayJitterSecs >= 0, "at least 0 (seconds)");
  check("liquidators.capacitySolPerStep", l.capacitySolPerStep, l.capacitySolPerStep >= 0, "at least 0 (SOL)");
  check(
    "liquidators.maxLiquidationsPerStep",
    l.maxLiquidationsPerStep,
    Number.isInteger(l.maxLiquidationsPerStep) && l.maxLiquidationsPerStep >= 0,
    "a non-negative integer",
  );
  check("liquidators.minProfitSol", l.minProfitSol, l.minProfitSol >= 0, "at least 0 (SOL)");
  check("liquidators.sellFraction", l.sellFraction, l.sellFraction >= 0 && l.sellFraction <= 1, "in [0, 1]");
  check(
    "seriesBuckets",
    p.seriesBuckets,
    Number.isInteger(p.seriesBuckets) && p.seriesBuckets >= 1 && p.seriesBuckets <= MAX_SERIES_BUCKETS,
    `an integer in 1..${MAX_SERIES_BUCKETS.toLocaleString("en-US")}`,
  );
}
