// Formatting of protocol numbers for the screen: pure, exact where the input is exact (bigint digits,
// never a float round trip for amounts), and never a sentinel for "none".

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** A fixed-point bigint with `scale` decimals, shown with `decimals` digits (truncated toward zero). */
export function fixed(value: bigint, scale: number, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const whole = abs / unit;
  const frac = (abs % unit).toString().padStart(scale, "0").slice(0, decimals);
  return `${negative ? "-" : ""}${group(whole.toString())}${decimals > 0 ? `.${frac}` : ""}`;
}

/** Lamports as SOL with 4 decimals: `1,234.5678`. */
export const sol = (lamports: bigint, decimals = 4) => fixed(lamports, 9, decimals);
/** LRT base units (9 decimals). */
export const lrt = sol;
/** A WAD rate (SOL per LRT) with 6 decimals. */
export const rate = (wad: bigint) => fixed(wad, 18, 6);
/** Basis points as a percentage with 2 decimals: `93.00%`. */
export const pct = (bps: bigint | number) => `${fixed(BigInt(bps) * 100n, 4, 2)}%`;
/** A WAD annual rate as a percentage with 2 decimals. */
export const apr = (wad: bigint) => `${fixed(wad / 10n ** 12n, 4, 2)}%`;
/** Leverage from bps (10,000 = 1×): `5.02×`. */
export const leverage = (bps: bigint | undefined) => (bps === undefined ? "—" : `${fixed(bps, 4, 2)}×`);

/** Seconds as `1h02m`, `4m05s`, `12s`. */
export function duration(secs: bigint | number): string {
  let s = Number(secs);
  const sign = s < 0 ? "-" : "";
  s = Math.abs(Math.trunc(s));
  if (s >= 86_400)
    return `${sign}${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3_600)).padStart(2, "0")}h`;
  if (s >= 3_600) return `${sign}${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${sign}${s}s`;
}

/** `7xKX…gAsU`. */
export const shortKey = (key: string, n = 4) => (key.length <= 2 * n + 1 ? key : `${key.slice(0, n)}…${key.slice(-n)}`);

/** Pads or truncates to exactly `width` columns (ellipsis when cut). */
export function cell(text: string, width: number, align: "left" | "right" = "left"): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
  return align === "right" ? text.padStart(width) : text.padEnd(width);
}

/** Parses a decimal amount with up to `scale` decimals into base units; `undefined` if it is not one. */
export function parseAmount(text: string, scale = 9): bigint | undefined {
  const m = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return undefined;
  const frac = m[2] ?? "";
  if (frac.length > scale) return undefined;
  return BigInt(m[1] || "0") * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, "0") || "0");
}

const BLOCKS = "▁▂▃▄▅▆▇█";

/** A one-line sparkline of the last `width` values (a flat series draws at the bottom). */
export function sparkline(values: readonly number[], width: number, ascii = false): string {
  const xs = values.slice(-width);
  if (xs.length === 0) return "";
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const glyphs = ascii ? "_.-~=*#" : BLOCKS;
  return xs.map((x) => glyphs[max === min ? 0 : Math.round(((x - min) / (max - min)) * (glyphs.length - 1))]).join("");
}

/**
 * Health bar: `width` cells for LTVs from `fromBps` to `toBps`, filled up to `ltvBps`, and a line below
 * with `┴` at each mark and its label (e.g. 90 92 93 96) where it fits.
 */
export function healthBar(
  ltvBps: bigint | undefined,
  width: number,
  marks: readonly number[],
  fromBps = 7_500,
  toBps = 10_000,
): { bar: string; marksLine: string; labelsLine: string } {
  const at = (bps: number) =>
    Math.max(0, Math.min(width - 1, Math.floor(((bps - fromBps) / (toBps - fromBps)) * width)));
  const filled = ltvBps === undefined || Number(ltvBps) <= fromBps ? 0 : Math.min(width, at(Number(ltvBps)) + 1);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const marksLine = Array.from({ length: width }, () => " ");
  const labelsLine = Array.from({ length: width + 2 }, () => " ");
  for (const m of marks) {
    const i = at(m);
    marksLine[i] = "┴";
    const label = String(Math.round(m / 100));
    if (labelsLine.slice(Math.max(0, i - 1), i + label.length + 1).every((c) => c === " ")) {
      for (let k = 0; k < label.length; k++) labelsLine[i + k] = label[k]!;
    }
  }
  return { bar, marksLine: marksLine.join(""), labelsLine: labelsLine.join("").trimEnd() };
}
