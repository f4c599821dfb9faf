/** CSV exports of a result: one row per statistic (results.csv) and the time series (series.csv). */
import type { SimResult } from "../run.js";
import { FAN_QUANTILES, SCALAR_NAMES, type Estimate } from "../stats.js";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(values: unknown[]): string {
  return values.map(cell).join(",");
}

export function resultsCsv(result: SimResult): string {
  const s = result.statistics;
  const m = result.meta;
  const lines = [
    row([
      "scenario",
      "scenario_hash",
      "version",
      "policy",
      "seed",
      "paths",
      "section",
      "name",
      "unit",
      "estimate",
      "ci_low",
      "ci_high",
      "sd",
      "min",
      "max",
    ]),
  ];
  const add = (
    section: string,
    name: string,
    unit: string,
    e: Estimate,
    extra: { sd?: number; min?: number | null; max?: number | null } = {},
  ) =>
    lines.push(
      row([
        m.scenario.name,
        m.scenario.hash,
        m.version,
        m.policy,
        m.seed,
        s.paths,
        section,
        name,
        unit,
        e.estimate,
        e.ci?.[0],
        e.ci?.[1],
        extra.sd,
        extra.min,
        extra.max,
      ]),
    );
  for (const [name, p] of Object.entries(s.probabilities)) add("probability", name, "fraction of paths", p);
  for (const t of s.loss.tails) {
    add("loss", `VaR${Math.round(t.level * 100)}`, "SOL", t.var);
    add("loss", `ES${Math.round(t.level * 100)}`, "SOL", t.es);
  }
  for (const name of SCALAR_NAMES) {
    const e = s.metrics[name];
    add("metric", name, UNITS[name] ?? "", e, e);
  }
  for (const l of s.leverage) {
    add("leverage", `${l.bucket} liquidationProbability`, "fraction of sub-accounts", l.liquidationProbability);
    add("leverage", `${l.bucket} timeToLiquidation`, "hours", l.timeToLiquidationHours);
    add("leverage", `${l.bucket} netApy`, "fraction per year", l.netApy);
  }
  return `${lines.join("\n")}\n`;
}

export const UNITS: Record<string, string> = {
  protocolLoss: "SOL",
  badDebt: "SOL",
  coveredByInsurance: "SOL",
  socialized: "SOL",
  shortfall: "SOL",
  lossBeyondInsurance: "SOL",
  insuranceEnd: "SOL",
  insuranceLrtSol: "SOL",
  liquidations: "count",
  liquidatedAccounts: "count",
  liquidationVolume: "SOL",
  unprofitableAttempts: "count",
  peakUtilization: "fraction",
  bunkerHours: "hours",
  staleHours: "hours",
  maxDiscount: "fraction",
  netApy: "fraction per year",
  markToMarketReturn: "fraction",
};

export function seriesCsv(result: SimResult): string {
  const s = result.statistics.series;
  const qs = FAN_QUANTILES.map((q) => `p${Math.round(q * 100)}`);
  const lines = [
    row([
      "t_days",
      "liquidations_per_path",
      "repaid_sol_per_path",
      ...qs.map((q) => `depeg_${q}`),
      "depeg_min_p0",
      ...qs.map((q) => `depeg_min_${q}`),
      ...qs.map((q) => `depeg_max_${q}`),
      "depeg_max_p100",
    ]),
  ];
  s.liquidations.forEach((c, i) => {
    lines.push(
      row([
        ((i + 1) * s.bucketSecs) / 86_400,
        c,
        s.volume[i],
        ...qs.map((q) => s.depeg[q]![i]),
        s.depegMin.p0![i],
        ...qs.map((q) => s.depegMin[q]![i]),
        ...qs.map((q) => s.depegMax[q]![i]),
        s.depegMax.p100![i],
      ]),
    );
  });
  return `${lines.join("\n")}\n`;
}
