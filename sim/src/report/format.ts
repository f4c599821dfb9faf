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
