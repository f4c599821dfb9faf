// A small text chart of the LRT's price over the session: the fair rate, the committee's market price
// with its ± confidence band, and the EMA, on one time axis. Pure: rows of characters, drawn by the
// view. Each column is a moment (time-proportional), holding the latest sample at or before it.
import type { HistoryPoint } from "./store/state.js";

/** One glyph per series, so the chart reads the same without colour. */
export const CHART_GLYPHS = { fair: "█", ema: "•", market: "─", band: "░" } as const;
export type ChartCell = keyof typeof CHART_GLYPHS | " ";

export interface RateChart {
  /** Top row first; each cell names the series drawn there (the view colours and glyphs it). */
  cells: ChartCell[][];
  /** Price at the top and the bottom row (SOL per LRT). */
  max: number;
  min: number;
  /** Seconds the chart spans (chain time). */
  spanSecs: number;
  samples: number;
}

/** The samples as a `width`×`height` chart; `undefined` with fewer than two samples. */
export function rateChart(history: readonly HistoryPoint[], width: number, height: number): RateChart | undefined {
  if (history.length < 2 || width < 2 || height < 2) return undefined;
  const t0 = history[0]!.ts;
  const t1 = history[history.length - 1]!.ts;
  const values = history.flatMap((h) => [
    h.fair,
    ...(h.ema === undefined ? [] : [h.ema]),
    ...(h.market === undefined ? [] : [h.market - (h.confidence ?? 0), h.market + (h.confidence ?? 0)]),
  ]);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (max === min) {
    // A flat line sits in the middle of a band of ±0.1%.
    min -= min * 0.001;
    max += max * 0.001;
  }
  const row = (v: number) => Math.round(((max - v) / (max - min)) * (height - 1));
  const cells: ChartCell[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => " "));
  let k = 0;
  for (let x = 0; x < width; x++) {
    const t = t1 === t0 ? t1 : t0 + ((t1 - t0) * x) / (width - 1);
    while (k + 1 < history.length && history[k + 1]!.ts <= t) k++;
    const h = history[k]!;
    const put = (v: number, cell: ChartCell) => {
      cells[row(v)]![x] = cell;
    };
    if (h.market !== undefined) {
      const c = h.confidence ?? 0;
      for (let y = row(h.market + c); y <= row(h.market - c); y++) cells[y]![x] = "band";
      put(h.market, "market");
    }
    if (h.ema !== undefined) put(h.ema, "ema");
    put(h.fair, "fair");
  }
  return { cells, max, min, spanSecs: t1 - t0, samples: history.length };
}
