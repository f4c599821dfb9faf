/**
 * The comparison of a replay: what the chain did against what the model predicts for the same path,
 * metric by metric, each with a tolerance and the reason for the differences it allows. Pure.
 */
import { YEAR_SECS } from "../engine/math.js";
import type { ChainOutcome } from "./driver.js";
import { CROSSING_BAND, type ReplayPlan } from "./plan.js";

export interface ComparisonRow {
  metric: string;
  unit: "count" | "SOL" | "s" | "rate" | "fraction" | "list";
  chain: number | string | null;
  model: number | string | null;
  /** |chain − model| (or the number of mismatches for lists). */
  difference: number;
  tolerance: number;
  ok: boolean;
  /** Why chain and model may differ by up to the tolerance. */
  reason: string;
}

export interface Comparison {
  rows: ComparisonRow[];
  passed: boolean;
}

/** How far apart a sub-account's opening liquidation price may be from the deepest maintenance price to count as borderline. */
export const BORDERLINE = 0.005;

/**
 * Sub-accounts whose liquidation is a coin toss at the replay's resolution: the deepest maintenance price
 * of the path is within `BORDERLINE` of their opening liquidation price.
 */
export function borderlineSubAccounts(plan: ReplayPlan): Set<number> {
  const { equity, leverage } = plan.population;
  let deepest = Number.POSITIVE_INFINITY;
  for (const s of plan.steps) if (!Number.isNaN(s.maintPrice) && s.maintPrice < deepest) deepest = s.maintPrice;
  const out = new Set<number>();
  const p0 = plan.model.openFair;
  for (let i = 0; i < equity.length; i++) {
    const l = leverage[i]!;
    // debt/(collateral·LT) at the opening: ((L − 1)·E) / ((L·E/p0)·LT)
    const liquidationPrice = ((l - 1) * p0) / (l * plan.params.risk.lt);
    if (Math.abs(deepest / liquidationPrice - 1) < BORDERLINE) out.add(i);
  }
  return out;
}

/** What liquidations cost the users: the seized collateral, marked at `redemptionRate`, less the debt it repaid (SOL). */
export const liquidationLossSol = (list: { repaidSol: number; seizedLrt: number }[], redemptionRate: number) =>
  list.reduce((a, l) => a + l.seizedLrt * redemptionRate - l.repaidSol, 0);

const firstTimes = <T extends { subAccount: number; atSecs: number }>(list: T[]) => {
  const first = new Map<number, T>();
  for (const l of list)
    if (!first.has(l.subAccount) || l.atSecs < first.get(l.subAccount)!.atSecs) first.set(l.subAccount, l);
  return first;
};

/** Chain vs model for one replay; `stride` is the fine stride (the `--speed`) in chain seconds. */
export function compareReplay(plan: ReplayPlan, chain: ChainOutcome, stride: number): Comparison {
  const m = plan.model.outcome;
  const last = plan.model.last;
  const rows: ComparisonRow[] = [];
  const totalDebt = Array.from(plan.population.equity).reduce(
    (a, e, i) => a + e * (plan.population.leverage[i]! - 1),
    0,
  );
  const row = (
    metric: string,
    unit: ComparisonRow["unit"],
    chainValue: number | null,
    modelValue: number | null,
    tolerance: number,
    reason: string,
  ) => {
    const difference =
      chainValue === null || modelValue === null
        ? chainValue === modelValue
          ? 0
          : Number.POSITIVE_INFINITY
        : Math.abs(chainValue - modelValue);
    rows.push({
      metric,
      unit,
      chain: chainValue,
      model: modelValue,
      difference,
      tolerance,
      ok: difference <= tolerance,
      reason,
    });
  };

  row(
    "liquidations",
    "count",
    chain.liquidations.length,
    m.liquidations,
    1 + Math.ceil(0.5 * Math.max(chain.liquidations.length, m.liquidations)),
    "the model liquidates each sub-account at most once per minute step; the keeper re-liquidates within a tick, so one model liquidation can be one or two on chain",
  );
  // Which sub-accounts: a mismatch is allowed only where the path grazes the sub-account's threshold.
  const chainFirst = firstTimes(chain.liquidations);
  const modelFirst = firstTimes(plan.model.liquidations);
  const borderline = borderlineSubAccounts(plan);
  const mismatched = [...new Set([...chainFirst.keys(), ...modelFirst.keys()])].filter(
    (i) => chainFirst.has(i) !== modelFirst.has(i),
  );
  const hard = mismatched.filter((i) => !borderline.has(i));
  const list = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b).join(" ") || "none";
  rows.push({
    metric: "liquidated sub-accounts",
    unit: "list",
    chain: list(chainFirst.keys()),
    model: list(modelFirst.keys()),
    difference: hard.length,
    tolerance: 0,
    ok: hard.length === 0,
    reason: `only a sub-account whose liquidation price is within ${BORDERLINE * 100}% of the path's deepest maintenance price may differ (borderline: ${list(borderline)})`,
  });
  const both = [...chainFirst.keys()].filter((i) => modelFirst.has(i));
  // Per sub-account: two of the chain's strides where it landed (at least two fine ones), half an hour for
  // report landings, and the time the model's liquidators left it liquidatable (delay, capacity,
  // profitability at the DEX price: the keeper acts at once and values seized LRT at the exit).
  const timeTolerance = (i: number) =>
    2 * Math.max(stride, chainFirst.get(i)!.strideSecs) + 1_800 + modelFirst.get(i)!.waitedSecs;
  const excess = (i: number) => Math.abs(chainFirst.get(i)!.atSecs - modelFirst.get(i)!.atSecs) - timeTolerance(i);
  const worst = both.reduce<number | undefined>(
    (a, i) => (a === undefined || excess(i) > excess(a) ? i : a),
    undefined,
  );
  rows.push({
    metric: "first liquidation time (worst sub-account)",
    unit: "s",
    chain: both.map((i) => `${i}@${chainFirst.get(i)!.atSecs}`).join(" ") || "none",
    model: both.map((i) => `${i}@${modelFirst.get(i)!.atSecs}`).join(" ") || "none",
    difference: worst === undefined ? 0 : Math.abs(chainFirst.get(worst)!.atSecs - modelFirst.get(worst)!.atSecs),
    tolerance: worst === undefined ? 2 * stride + 1_800 : timeTolerance(worst),
    ok: worst === undefined || excess(worst) <= 0,
    reason:
      "two of the chain's strides where it landed (the EMA fed per stop, the liquidator acting at stops), 30 min for report landings (seconds after the frame start on chain, 5–30 min in the model), plus the time the model's liquidators left the sub-account liquidatable (delay, capacity, profitability at the DEX price; the keeper acts at once)",
  });
  // When each sub-account became liquidatable: the keeper acts at once, so the chain's first liquidation
  // marks when the chain's maintenance price crossed the sub-account's threshold; the model's crossing of
  // the same threshold is known to the minute (whatever its liquidators then waited). The chain must
  // liquidate between the last time the model's price was CROSSING_BAND above the threshold and the first
  // time it was CROSSING_BAND below, give or take two of the chain's strides, and half an hour later when a
  // report or confirmation moved the rate just before (report landings). This row is what a wrong
  // liquidation threshold moves: a point of LT moves the threshold by about 1.1%.
  const slack = (i: number) => 2 * Math.max(stride, chainFirst.get(i)!.strideSecs);
  const outside = (i: number) => {
    const c = chainFirst.get(i)!.atSecs;
    const m = modelFirst.get(i)!;
    const from = m.nearSecs - slack(i);
    const to = m.deepSecs + slack(i) + (m.reportDriven ? 1_800 : 0);
    return c < from ? from - c : c > to ? c - to : 0;
  };
  const worstCrossing = both.reduce((a, i) => Math.max(a, outside(i)), 0);
  rows.push({
    metric: "threshold crossing (per sub-account)",
    unit: "s",
    chain: both.map((i) => `${i}@${chainFirst.get(i)!.atSecs}`).join(" ") || "none",
    model:
      both
        .map(
          (i) =>
            `${i}@${modelFirst.get(i)!.nearSecs}–${modelFirst.get(i)!.deepSecs}${modelFirst.get(i)!.reportDriven ? "R" : ""}`,
        )
        .join(" ") || "none",
    difference: worstCrossing,
    tolerance: 0,
    ok: worstCrossing === 0,
    reason: `the chain's first liquidation lands within two of its strides of the model's crossing of the sub-account's threshold (from ${CROSSING_BAND * 1e4} bps above to ${CROSSING_BAND * 1e4} bps below; R: a report moved the rate just before, 30 min more); the difference is the time outside that window`,
  });
  const chainVolume = chain.liquidations.reduce((a, l) => a + l.repaidSol, 0);
  row(
    "liquidation volume",
    "SOL",
    chainVolume,
    m.liquidationVolume,
    0.5 + 0.15 * Math.max(chainVolume, m.liquidationVolume),
    "both repay toward the target LTV with the program's math; the chain liquidates at tick prices, the model at minute prices",
  );
  const debtTolerance = 0.01 + 0.01 * totalDebt;
  row(
    "bad debt",
    "SOL",
    chain.badDebtSol,
    m.badDebt,
    debtTolerance,
    "settlement at the tick's maintenance price vs the minute's; lamport rounding",
  );
  row(
    "covered by insurance",
    "SOL",
    chain.coveredByInsuranceSol,
    m.coveredByInsurance,
    debtTolerance,
    "as bad debt; both pay from the insurance first",
  );
  row("socialised loss", "SOL", chain.socializedSol, m.socialized, debtTolerance, "as bad debt, beyond the insurance");
  row(
    "time in bunker mode",
    "s",
    chain.bunkerSecs,
    m.bunkerSecs,
    7_200 + stride,
    "bunker starts and ends with report landings: seconds after the frame start on chain, 5–30 min (plus data delay) in the model; measured per tick",
  );
  row(
    "time with a stale feed",
    "s",
    chain.staleSecs,
    m.staleSecs,
    7_200 + stride,
    "staleness follows the same report landings and guardian confirmations as bunker mode",
  );
  row(
    "final fair rate",
    "rate",
    chain.fairRate,
    last.fairRate,
    5e-4 * last.fairRate,
    "the validators are set to the path's true rate at each frame's reference time; a report due at the horizon has landed on chain but not yet in the model (≤ one frame's yield)",
  );
  row(
    "final market price",
    "rate",
    chain.marketPrice,
    last.market?.spot ?? null,
    1e-3 * last.fairRate,
    "members observe the served DEX price without the model's per-member noise (2 bps) and lags",
  );
  row(
    "final EMA (low)",
    "rate",
    chain.marketEmaLow,
    last.market?.emaLow ?? null,
    3e-3 * last.fairRate,
    "the chain's EMA is fed once per stop (within 2–10 bps of a minute-by-minute chain's, by the schedule), the model's every minute",
  );
  row(
    "final utilisation",
    "fraction",
    chain.utilization,
    last.utilization,
    0.05,
    "lenders are rebalanced to the path's utilisation at frame starts only; liquidations repay in between",
  );
  const chainReturn = chain.equityStartSol > 0 ? chain.equityEndSol / chain.equityStartSol - 1 : 0;
  const chainApy = chain.horizonSecs > 0 ? chainReturn * (YEAR_SECS / chain.horizonSecs) : 0;
  // What the liquidations cost the users differs with the price each side liquidated at (tick vs minute),
  // and the liquidation rows judge that; the return is checked for the rest within 0.2% of equity.
  const lossGap = Math.abs(
    liquidationLossSol(chain.liquidations, last.redemptionRate) -
      liquidationLossSol(plan.model.liquidations, last.redemptionRate),
  );
  row(
    "user net APY",
    "fraction",
    chainApy,
    m.netApy,
    ((0.002 + lossGap / Math.max(1e-9, chain.equityStartSol)) * YEAR_SECS) / Math.max(1, m.horizonSecs),
    "0.2% of equity over the horizon, annualised (both mark collateral at the path's redemption rate), plus the difference in what the liquidations cost the users (seized LRT at the redemption rate less the debt repaid: the two sides liquidate at stop and minute prices, judged by the liquidation rows); the row below checks the rest at 0.2%",
  );
  // The same return with each side's liquidation cost added back: what is left (interest, settlement,
  // marking) must agree within 0.2% of equity, whatever the liquidations cost.
  const equity0 = Math.max(1e-9, chain.equityStartSol);
  const annual = (sol: number, secs: number) => (sol / equity0) * (YEAR_SECS / Math.max(1, secs));
  row(
    "user net APY before liquidation costs",
    "fraction",
    chainApy + annual(liquidationLossSol(chain.liquidations, last.redemptionRate), chain.horizonSecs),
    m.netApy + annual(liquidationLossSol(plan.model.liquidations, last.redemptionRate), m.horizonSecs),
    (0.002 * YEAR_SECS) / Math.max(1, m.horizonSecs),
    "0.2% of equity over the horizon, annualised: interest (the chain's borrow rate follows its own utilisation, rebalanced at frame starts), bad-debt settlement, rounding; both mark collateral at the path's redemption rate",
  );
  return { rows, passed: rows.every((r) => r.ok) };
}
