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

/** Glyphs of the tail marks under the loss histogram, in the order of `lossMarks`' values. */
export const TAIL_MARKS = [
  { glyph: "▲", label: "VaR95" },
  { glyph: "△", label: "ES95" },
  { glyph: "◆", label: "VaR99" },
  { glyph: "◇", label: "ES99" },
] as const;

const BARS = "▁▂▃▄▅▆▇█";

/** One column per bin: an empty bin is blank, any other at least ▁, the fullest █. */
export function histogramRow(counts: readonly number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (c <= 0 ? " " : BARS[Math.max(0, Math.ceil((c / max) * BARS.length) - 1)])).join("");
}

/**
 * The row under a histogram of `edges` (one column per bin): each value's glyph in the bin that holds
 * it (a later value wins a shared bin; a zero loss marks nothing, it is not in the histogram).
 */
export function lossMarks(edges: readonly number[], values: readonly (number | undefined)[]): string {
  const bins = edges.length - 1;
  if (bins < 1) return "";
  const row = Array.from({ length: bins }, () => " ");
  const lo = edges[0]!;
  const width = (edges[bins]! - lo) / bins;
  values.forEach((v, i) => {
    if (v === undefined || v <= 0 || width <= 0) return;
    row[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width)))] = TAIL_MARKS[i]!.glyph;
  });
  return row.join("");
}
