/** Number formatting shared by the reports and the CLI. */
import type { Estimate } from "../stats.js";

export function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function sol(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return "0 SOL";
  if (a >= 1000) return `${Math.round(x).toLocaleString("en-US")} SOL`;
  if (a >= 1) return `${x.toFixed(2)} SOL`;
  return `${x.toPrecision(3)} SOL`;
}

export function num(x: number, digits = 3): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5) return Math.round(x).toLocaleString("en-US");
  if (a >= 1) return Number(x.toFixed(digits)).toLocaleString("en-US", { maximumFractionDigits: digits });
  return x.toPrecision(digits);
}

/** "1.23% [0.98%, 1.51%]" with a formatter. */
export function withCi(e: Estimate, f: (x: number) => string): string {
  return e.ci ? `${f(e.estimate)} [${f(e.ci[0])}, ${f(e.ci[1])}]` : f(e.estimate);
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`
    : `${m}:${String(r).padStart(2, "0")}`;
}

/** The antithetic gains a run reports, by what they measure. */
export interface GainReadout {
  netApy: number | null;
  protocolLoss: number | null;
  liquidationVolume: number | null;
  anyLiquidation: number | null;
  anyBadDebt: number | null;
}

const GAIN_LABELS: Record<keyof GainReadout, string> = {
  netApy: "net APY",
  protocolLoss: "protocol loss",
  liquidationVolume: "liquidation volume",
  anyLiquidation: "P(any liquidation)",
  anyBadDebt: "P(any bad debt)",
};

/**
 * What the antithetic gain means, in sentences, with every gain below 1 flagged: the pairs then hold
 * less information than as many independent paths (their two paths move together), so the run is
 * worth gain × paths independent draws for that statistic. Its intervals already account for it.
 */
export function antitheticNote(g: GainReadout): { text: string; warnings: string[] } {
  const f = (x: number | null) => (x === null ? "n/a" : `${num(x)}×`);
  const keys = Object.keys(GAIN_LABELS) as (keyof GainReadout)[];
  const list = keys.map((k) => `${GAIN_LABELS[k]} ${f(g[k])}`).join(", ");
  const text =
    `Antithetic gain (variance of the estimate with independent paths ÷ with antithetic pairs; ` +
    `above 1 the pairs helped, e.g. 2× is worth twice as many independent paths): ${list}.`;
  const warnings = keys
    .filter((k) => g[k] !== null && g[k]! < 1)
    .map(
      (k) =>
        `antithetic gain below 1 for ${GAIN_LABELS[k]} (${f(g[k])}): a pair's two paths move together here, so this run is worth only ${f(g[k])} as many independent paths for it; its interval is widened accordingly (--no-antithetic would do as well).`,
    );
  return { text, warnings };
}
