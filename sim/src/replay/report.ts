/** A replay's comparison as a terminal table, JSON and a self-contained HTML page. */
import type { ChainOutcome } from "./driver.js";
import type { Comparison, ComparisonRow } from "./compare.js";
import type { ReplayPlan } from "./plan.js";

export interface ReplayReport {
  kind: "lantern-replay";
  scenario: string;
  scenarioHash?: string;
  seed: number;
  path: number;
  subAccounts: number;
  speed: number;
  passed: boolean;
  rows: ComparisonRow[];
  chain: ChainOutcome;
  model: {
    liquidations: ReplayPlan["model"]["liquidations"];
    outcome: Omit<ReplayPlan["model"]["outcome"], `series${string}` | `bucket${string}`>;
  };
}

export function replayReport(
  plan: ReplayPlan,
  chain: ChainOutcome,
  comparison: Comparison,
  speed: number,
): ReplayReport {
  const { seriesCount, seriesVolume, seriesDepeg, seriesDepegMin, seriesDepegMax, ...rest } = plan.model.outcome;
  const { bucketAccounts, bucketLiquidated, bucketTimeSum, bucketEquity0, bucketEquityEnd, ...outcome } = rest;
  return {
    kind: "lantern-replay",
    scenario: plan.scenario.name,
    seed: plan.seed,
    path: plan.path,
    subAccounts: plan.population.equity.length,
    speed,
    passed: comparison.passed,
    rows: comparison.rows,
    chain,
    model: { liquidations: plan.model.liquidations, outcome },
  };
}

const show = (value: number | string | null, unit: ComparisonRow["unit"]): string => {
  if (value === null) return "none";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return "∞";
  switch (unit) {
    case "count":
      return String(value);
    case "SOL":
      return `${value.toFixed(3)} SOL`;
    case "s":
      return value >= 3600 ? `${(value / 3600).toFixed(2)} h` : `${Math.round(value)} s`;
    case "rate":
      return value.toFixed(6);
    case "fraction":
      return `${(value * 100).toFixed(2)}%`;
    default:
      return String(value);
  }
};

/** The table printed on the terminal. */
export function replayTable(report: ReplayReport): string {
  const header = ["metric", "chain", "model", "diff", "tolerance", ""];
  const body = report.rows.map((r) => [
    r.metric,
    show(r.chain, r.unit),
    show(r.model, r.unit),
    r.unit === "list" ? `${r.difference} off` : show(r.difference, r.unit),
    r.unit === "list" ? `${r.tolerance}` : show(r.tolerance, r.unit),
    r.ok ? "ok" : "DIVERGES",
  ]);
  const widths = header.map((h, c) => Math.min(48, Math.max(h.length, ...body.map((row) => row[c]!.length))));
  const cell = (text: string, c: number) =>
    text.length > widths[c]! ? `${text.slice(0, widths[c]! - 1)}…` : text.padEnd(widths[c]!);
  const lines = [header, ...body].map((row) => row.map(cell).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "─".repeat(w)).join("  "));
  const diverging = report.rows.filter((r) => !r.ok);
  return [
    `Replay of ${report.scenario}, path ${report.path}, seed ${report.seed}, ${report.subAccounts} sub-accounts, fine stride ${report.speed} chain s`,
    ...lines,
    "",
    ...(diverging.length === 0
      ? ["Every metric is within its tolerance."]
      : diverging.map((r) => `${r.metric} diverges beyond its tolerance — allowed: ${r.reason}.`)),
  ].join("\n");
}

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A self-contained page (no scripts, nothing loaded). */
export function replayHtml(report: ReplayReport): string {
  const rows = report.rows
    .map(
      (r) =>
        `<tr class="${r.ok ? "ok" : "bad"}"><td>${html(r.metric)}</td><td>${html(show(r.chain, r.unit))}</td><td>${html(
          show(r.model, r.unit),
        )}</td><td>${html(r.unit === "list" ? `${r.difference} off` : show(r.difference, r.unit))}</td><td>${html(
          r.unit === "list" ? String(r.tolerance) : show(r.tolerance, r.unit),
        )}</td><td>${r.ok ? "ok" : "diverges"}</td><td>${html(r.reason)}</td></tr>`,
    )
    .join("\n");
  const liquidations = (list: { subAccount: number; atSecs: number; repaidSol: number }[]) =>
    list
      .map((l) => `${l.subAccount} at ${(l.atSecs / 3600).toFixed(2)} h: ${l.repaidSol.toFixed(3)} SOL`)
      .join("<br>") || "none";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lantern replay — ${html(report.scenario)} path ${report.path}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
tr.bad td{background:#fde2e2}tr.ok td:nth-child(6){color:#17663a}tr.bad td:nth-child(6){color:#a11;font-weight:bold}
.verdict{font-size:1.2em;font-weight:bold}
</style></head><body>
<h1>Live replay: ${html(report.scenario)}, path ${report.path}</h1>
<p>Seed ${report.seed}, ${report.subAccounts} sub-accounts, fine stride ${report.speed} chain seconds; wall time ${(report.chain.wallMs / 1000).toFixed(1)} s (${report.chain.ticks} stops at the fine stride, ${report.chain.jumps} longer).</p>
<p class="verdict">${report.passed ? "Chain and model agree within every tolerance." : "The chain and the model diverge beyond tolerance."}</p>
<table><tr><th>metric</th><th>chain</th><th>model</th><th>difference</th><th>tolerance</th><th></th><th>why they may differ</th></tr>
${rows}
</table>
<h2>Liquidations</h2>
<table><tr><th>chain (sub-account, hours after opening, repaid)</th><th>model</th></tr>
<tr><td>${liquidations(report.chain.liquidations)}</td><td>${liquidations(report.model.liquidations)}</td></tr></table>
</body></html>
`;
}
