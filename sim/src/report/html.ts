/** The self-contained HTML report (inline CSS and SVG, no scripts, no network). */
import type { SimResult } from "../run.js";
import { SCALAR_NAMES, type Estimate, type ScalarName } from "../stats.js";
import { UNITS } from "./csv.js";
import { antitheticNote, num, pct, sol, withCi } from "./format.js";
import { CHART_CSS, bars, esc, fan, histogram, intervals } from "./svg.js";

const PAGE_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.lead { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
td.n { text-align: right; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; margin: 12px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.card .k { color: #555; font-size: 12px; } .card .v { font-size: 18px; font-weight: 600; } .card .ci { color: #666; font-size: 12px; }
.note { color: #555; font-size: 13px; }
.note.warn { color: #a33; font-weight: 600; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
code { background: #f3f3f3; padding: 0 3px; }
`;

const LABELS: Record<ScalarName, string> = {
  protocolLoss: "Protocol loss (bad debt + shortfall at horizon)",
  badDebt: "Bad debt written off",
  coveredByInsurance: "…of which paid by insurance",
  socialized: "…of which socialised to lenders",
  shortfall: "Unsettled shortfall at the horizon",
  lossBeyondInsurance: "Loss beyond insurance",
  insuranceEnd: "Insurance fund at the horizon",
  insuranceLrtSol: "LRT received by the insurance vault (bonus share)",
  liquidations: "Liquidations",
  liquidatedAccounts: "Sub-accounts liquidated",
  liquidationVolume: "Debt repaid by liquidators",
  unprofitableAttempts: "Liquidations refused as unprofitable",
  peakUtilization: "Peak pool utilisation",
  bunkerHours: "Time in bunker mode",
  staleHours: "Time with a stale feed",
  maxDiscount: "Deepest DEX discount to the true rate",
  netApy: "User net APY (equity-weighted, marked at what the LRT redeems for)",
  markToMarketReturn: "User return over the horizon, marked to market at min(fair, DEX) (not annualised)",
};

function fmtFor(name: string): (x: number) => string {
  const unit = UNITS[name] ?? "";
  if (unit === "SOL") return sol;
  if (unit.startsWith("fraction")) return (x) => pct(x);
  if (unit === "hours") return (x) => `${num(x)} h`;
  return (x) => num(x);
}

function card(label: string, e: Estimate, f: (x: number) => string): string {
  const ci = e.ci ? `95% CI ${f(e.ci[0])} – ${f(e.ci[1])}` : "";
  return `<div class="card"><div class="k">${esc(label)}</div><div class="v">${esc(f(e.estimate))}</div><div class="ci">${esc(ci)}</div></div>`;
}

function document(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${PAGE_CSS}${CHART_CSS}</style></head><body>\n${body}\n</body></html>\n`;
}

export function resultHtml(result: SimResult): string {
  const { meta: m, statistics: s } = result;
  const p = s.probabilities;
  const [t95, t99] = s.loss.tails;
  const parts: string[] = [];
  parts.push(`<h1>Lantern risk simulation — ${esc(m.scenario.name)} · ${esc(m.policy)}</h1>`);
  parts.push(`<p class="lead">${esc(m.scenario.description)}</p>`);
  parts.push(
    `<table><tr><th>paths</th><td>${s.paths.toLocaleString("en-US")}${m.antithetic ? ` (${s.units.toLocaleString("en-US")} antithetic pairs)` : ""}</td><th>seed</th><td>${m.seed}</td><th>policy</th><td>${esc(m.policy)}</td></tr>` +
      `<tr><th>sub-accounts</th><td>${m.subAccounts.toLocaleString("en-US")}</td><th>horizon</th><td>${m.horizonDays} days at ${m.stepSecs} s steps</td><th>engine</th><td>${esc(m.engine)}</td></tr>` +
      `<tr><th>scenario hash</th><td colspan="3"><code>${esc(m.scenario.hash)}</code></td><th>version</th><td>${esc(m.version)}</td></tr>` +
      (Object.keys(m.overrides).length > 0
        ? `<tr><th>overrides</th><td colspan="5"><code>${esc(JSON.stringify(m.overrides))}</code></td></tr>`
        : "") +
      `</table>`,
  );
  parts.push(`<h2>Headline</h2><div class="cards">`);
  parts.push(card("P(any bad debt)", p.anyBadDebt, (x) => pct(x)));
  parts.push(card("P(bad debt beyond insurance)", p.badDebtBeyondInsurance, (x) => pct(x)));
  parts.push(card("P(any liquidation)", p.anyLiquidation, (x) => pct(x)));
  if (t95) parts.push(card("VaR 95% of protocol loss", t95.var, sol), card("ES 95% of protocol loss", t95.es, sol));
  if (t99) parts.push(card("VaR 99% of protocol loss", t99.var, sol), card("ES 99% of protocol loss", t99.es, sol));
  parts.push(card("Mean protocol loss", s.metrics.protocolLoss, sol));
  parts.push(card("Debt repaid by liquidators", s.metrics.liquidationVolume, sol));
  parts.push(card("Peak utilisation", s.metrics.peakUtilization, (x) => pct(x)));
  parts.push(card("Time in bunker mode", s.metrics.bunkerHours, (x) => `${num(x)} h`));
  parts.push(card("User net APY", s.metrics.netApy, (x) => pct(x)));
  parts.push(card("User return marked to market", s.metrics.markToMarketReturn, (x) => pct(x)));
  parts.push(`</div>`);
  parts.push(
    `<p class="note">Intervals are 95% confidence intervals of the Monte Carlo estimate (not of the world): probabilities use Wilson intervals over paths (divided by the antithetic pairs' design effect when their paths move together); means use the spread of ${m.antithetic ? "antithetic-pair means" : "path values"}; VaR uses order statistics and ES an asymptotic normal interval. A protocol loss is debt that no collateral covers: written off when the collateral is gone (insurance first, then lenders), or still open at the horizon with the collateral marked at min(fair rate, DEX price). User net APY marks the collateral at what the LRT redeems for (the true rate with the current epoch's reward accrued), simple and annualised; the mark-to-market return (at min(fair rate, DEX price), what selling at the horizon would fetch) is over the horizon, not annualised, so a one-off exit cost is not magnified.</p>`,
  );

  // Loss distribution.
  const h = s.lossHistogram;
  parts.push(`<h2>Loss distribution</h2>`);
  parts.push(
    histogram(h.edges, h.counts, {
      title: "Protocol loss per path",
      xlabel: "protocol loss per path (SOL)",
      ylabel: "paths",
      markers: s.loss.tails
        .filter((t) => t.var.estimate > 0)
        .map((t) => ({ at: t.var.estimate, label: `VaR${Math.round(t.level * 100)}` })),
    }),
  );
  parts.push(
    `<p class="note">${h.zeros.toLocaleString("en-US")} of ${s.paths.toLocaleString("en-US")} paths ended without any loss and are not drawn; the largest loss was ${esc(sol(s.loss.max))}.</p>`,
  );

  // Depeg fan.
  const d = s.series.depeg;
  const lo = s.series.depegMin;
  const hi = s.series.depegMax;
  const days = s.series.liquidations.map((_, i) => ((i + 1) * s.series.bucketSecs) / 86_400);
  parts.push(`<h2>Depeg paths</h2>`);
  parts.push(
    fan(
      days,
      [
        [lo.p1!, hi.p99!],
        [lo.p5!, hi.p95!],
        [lo.p25!, hi.p75!],
      ],
      d.p50!,
      {
        title: "DEX price over the opening fair rate",
        xlabel: "day",
        ylabel: "DEX price / opening fair rate − 1",
        yfmt: (v) => pct(v, 1),
        envelope: [lo.p0!, hi.p100!],
      },
    ),
  );
  parts.push(
    `<p class="note">Per time bucket, the lower edge of each band is a quantile of the paths' lowest price in the bucket and the upper edge one of their highest (1–99%, 5–95%, 25–75%; 5 bps bins), so a wick shorter than a bucket shows wherever it falls; dashed lines: the lowest and the highest price of any path; solid line: the median at the bucket's end. The price includes staking growth, slashing and the liquidators' own price impact.</p>`,
  );

  // Liquidations over time.
  parts.push(`<h2>Liquidations over time</h2>`);
  parts.push(
    bars(days, s.series.liquidations, {
      title: "Liquidations per path",
      xlabel: "day",
      ylabel: "liquidations per path",
    }),
  );
  parts.push(
    bars(days, s.series.volume, {
      title: "Debt repaid by liquidators per path",
      xlabel: "day",
      ylabel: "SOL repaid per path",
    }),
  );

  // Leverage.
  parts.push(`<h2>By leverage</h2>`);
  parts.push(
    intervals(
      s.leverage.map((l) => ({
        label: l.bucket,
        estimate: l.liquidationProbability.estimate,
        ci: l.liquidationProbability.ci,
      })),
      {
        title: "Probability that a sub-account is liquidated",
        xlabel: "probability that a sub-account is liquidated during the path",
        xfmt: (v) => pct(v, 1),
      },
    ),
  );
  parts.push(
    `<table><tr><th>leverage</th><th>sub-accounts</th><th>P(liquidated)</th><th>time to first liquidation</th><th>net APY</th></tr>`,
  );
  for (const l of s.leverage) {
    const ttl = l.timeToLiquidationHours.count > 0 ? withCi(l.timeToLiquidationHours, (x) => `${num(x)} h`) : "—";
    parts.push(
      `<tr><td>${esc(l.bucket)}</td><td class="n">${l.accounts.toLocaleString("en-US")}</td><td>${esc(withCi(l.liquidationProbability, (x) => pct(x)))}</td><td>${esc(ttl)}</td><td>${esc(withCi(l.netApy, (x) => pct(x)))}</td></tr>`,
    );
  }
  parts.push(`</table>`);

  // Everything.
  parts.push(
    `<h2>All statistics</h2><table><tr><th>statistic</th><th>mean [95% CI]</th><th>sd</th><th>min</th><th>max</th></tr>`,
  );
  for (const name of SCALAR_NAMES) {
    const e = s.metrics[name];
    const f = fmtFor(name);
    parts.push(
      `<tr><td>${esc(LABELS[name])}</td><td>${esc(withCi(e, f))}</td><td>${esc(f(e.sd))}</td><td>${e.min === null ? "" : esc(f(e.min))}</td><td>${e.max === null ? "" : esc(f(e.max))}</td></tr>`,
    );
  }
  for (const [name, pr] of Object.entries(p))
    parts.push(
      `<tr><td>P(${esc(name)})</td><td>${esc(withCi(pr, (x) => pct(x)))}</td><td colspan="3">${pr.count} of ${pr.paths} paths</td></tr>`,
    );
  parts.push(`</table>`);
  if (m.antithetic) {
    const note = antitheticNote(s.antitheticGain);
    parts.push(`<p class="note">${esc(note.text)}</p>`);
    for (const w of note.warnings) parts.push(`<p class="note warn">Warning: ${esc(w)}</p>`);
  }
  parts.push(`<h2>Engine parameters</h2><pre>${esc(JSON.stringify(m.engineParams, null, 2))}</pre>`);
  return document(`Lantern simulation — ${m.scenario.name} (${m.policy})`, parts.join("\n"));
}

/** Side-by-side comparison of several results of one scenario (policies or parameter sets). */
export function compareHtml(variants: { name: string; result: SimResult; link?: string }[]): string {
  const first = variants[0]!.result;
  const parts: string[] = [];
  parts.push(
    `<h1>Lantern risk simulation — ${esc(first.meta.scenario.name)}: ${variants.map((v) => esc(v.name)).join(" vs ")}</h1>`,
  );
  parts.push(`<p class="lead">${esc(first.meta.scenario.description)}</p>`);
  parts.push(
    `<p class="note">Same seed (${first.meta.seed}) and the same ${first.statistics.paths.toLocaleString("en-US")} paths for every variant (common random numbers), so differences come from the variants, not from sampling; the world still reacts to each variant's liquidations (price impact).</p>`,
  );
  const rows: [string, (r: SimResult) => string][] = [
    ["P(any bad debt)", (r) => withCi(r.statistics.probabilities.anyBadDebt, (x) => pct(x))],
    ["P(bad debt beyond insurance)", (r) => withCi(r.statistics.probabilities.badDebtBeyondInsurance, (x) => pct(x))],
    ["P(any liquidation)", (r) => withCi(r.statistics.probabilities.anyLiquidation, (x) => pct(x))],
    ...r_tails(),
    ...SCALAR_NAMES.map(
      (k) =>
        [LABELS[k], (r: SimResult) => withCi(r.statistics.metrics[k], fmtFor(k))] as [string, (r: SimResult) => string],
    ),
  ];
  parts.push(
    `<table><tr><th>statistic</th>${variants.map((v) => `<th>${v.link ? `<a href="${esc(v.link)}">${esc(v.name)}</a>` : esc(v.name)}</th>`).join("")}</tr>`,
  );
  for (const [label, f] of rows)
    parts.push(`<tr><td>${esc(label)}</td>${variants.map((v) => `<td>${esc(f(v.result))}</td>`).join("")}</tr>`);
  parts.push(`</table>`);
  parts.push(`<h2>Probability that a sub-account is liquidated, by leverage</h2>`);
  parts.push(`<table><tr><th>leverage</th>${variants.map((v) => `<th>${esc(v.name)}</th>`).join("")}</tr>`);
  first.statistics.leverage.forEach((l, b) => {
    parts.push(
      `<tr><td>${esc(l.bucket)}</td>${variants.map((v) => `<td>${esc(withCi(v.result.statistics.leverage[b]!.liquidationProbability, (x) => pct(x)))}</td>`).join("")}</tr>`,
    );
  });
  parts.push(`</table>`);
  for (const v of variants) {
    const h = v.result.statistics.lossHistogram;
    parts.push(`<h2>${esc(v.name)}: loss distribution and liquidations</h2>`);
    parts.push(
      histogram(h.edges, h.counts, {
        title: `${v.name}: protocol loss per path`,
        xlabel: "protocol loss per path (SOL)",
        ylabel: "paths",
      }),
    );
    const s = v.result.statistics.series;
    const days = s.liquidations.map((_, i) => ((i + 1) * s.bucketSecs) / 86_400);
    parts.push(
      bars(days, s.liquidations, {
        title: `${v.name}: liquidations per path`,
        xlabel: "day",
        ylabel: "liquidations per path",
      }),
    );
  }
  return document(`Lantern simulation — ${first.meta.scenario.name} compared`, parts.join("\n"));
}

function r_tails(): [string, (r: SimResult) => string][] {
  const out: [string, (r: SimResult) => string][] = [];
  for (const [i, level] of [
    [0, 95],
    [1, 99],
  ] as const) {
    out.push([`VaR ${level}% of protocol loss`, (r) => withCi(r.statistics.loss.tails[i]!.var, sol)]);
    out.push([`ES ${level}% of protocol loss`, (r) => withCi(r.statistics.loss.tails[i]!.es, sol)]);
  }
  return out;
}
