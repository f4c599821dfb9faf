// Small shared views: health bar with its marks, a state word, a simple table.
import { Box, Text } from "ink";
import type { PositionView } from "@lantern/sdk";
import { CHART_GLYPHS, type ChartCell, rateChart } from "../chart.js";
import { cell, duration, healthBar, pct } from "../format.js";
import type { HistoryPoint } from "../store/state.js";
import { type Theme, useTheme } from "./theme.js";

/** The four LTVs a trader watches: max to open, target after liquidation, liquidation, full liquidation. */
export function riskMarks(risk: { ltvInitBps: number; targetLtvBps: number; ltBps: number; ltvFullBps: number }) {
  return [risk.ltvInitBps, risk.targetLtvBps, risk.ltBps, risk.ltvFullBps];
}

export function riskWord(
  view: PositionView,
  ltvInitBps: number,
  t: Theme,
): { text: string; color: string | undefined } {
  if (view.debt === 0n) return { text: "● NO DEBT", color: t.good };
  if (view.liquidatable) return { text: "✖ LIQUIDATABLE", color: t.bad };
  if (view.ltvBps !== undefined && view.ltvBps > BigInt(ltvInitBps)) return { text: "! OVER MAX LTV", color: t.warn };
  return { text: "▲ SAFE", color: t.good };
}

export function HealthBar({
  ltvBps,
  marks,
  width,
  labels = true,
}: {
  ltvBps: bigint | undefined;
  marks: number[];
  width: number;
  labels?: boolean;
}) {
  const t = useTheme();
  const { bar, marksLine, labelsLine } = healthBar(ltvBps, width, marks);
  const color =
    ltvBps === undefined ? t.dim : ltvBps > BigInt(marks[2]!) ? t.bad : ltvBps > BigInt(marks[0]!) ? t.warn : t.good;
  return (
    <Box flexDirection="column">
      <Text>
        <Text>LTV {ltvBps === undefined ? "—" : pct(ltvBps).padStart(7)} </Text>
        <Text color={color}>{bar}</Text>
      </Text>
      {labels ? (
        <>
          <Text color={t.dim} wrap="truncate">
            {" ".repeat(12) + marksLine}
          </Text>
          <Text color={t.dim} wrap="truncate">{`${" ".repeat(12) + labelsLine}  max · target · LT · full`}</Text>
        </>
      ) : null}
    </Box>
  );
}

export interface Column {
  title: string;
  width: number;
  align?: "left" | "right";
}

export function TableHeader({ columns }: { columns: Column[] }) {
  const t = useTheme();
  return (
    <Text bold color={t.accent} wrap="truncate">
      {columns.map((c) => cell(c.title, c.width, c.align)).join(" ")}
    </Text>
  );
}

export function Row({
  columns,
  values,
  selected,
  color,
}: {
  columns: Column[];
  values: string[];
  selected?: boolean;
  color?: string | undefined;
}) {
  return (
    <Text inverse={selected} color={color} wrap="truncate">
      {columns.map((c, i) => cell(values[i] ?? "", c.width, c.align)).join(" ")}
    </Text>
  );
}

/** Loading / error / empty message in the body. */
export function Notice({ kind, children }: { kind: "loading" | "error" | "empty" | "disabled"; children: string }) {
  const t = useTheme();
  const color = kind === "error" ? t.bad : kind === "disabled" ? t.warn : t.dim;
  const glyph = kind === "error" ? "✖ " : kind === "loading" ? "… " : kind === "disabled" ? "⊘ " : "○ ";
  return (
    <Box paddingY={1}>
      <Text color={color} wrap="wrap">
        {glyph}
        {children}
      </Text>
    </Box>
  );
}

/**
 * The fair rate (█), the market price (─) inside its ± confidence band (░) and the EMA (•) over the
 * session, `height` rows of chart plus a legend, price labels on the left.
 */
export function RateChartView({
  history,
  width,
  height,
}: {
  history: readonly HistoryPoint[];
  width: number;
  height: number;
}) {
  const t = useTheme();
  const label = 9;
  const chart = rateChart(history, Math.max(2, width - label - 1), height);
  if (!chart)
    return (
      <Text color={t.dim} wrap="truncate">
        (the chart of fair rate, market band and EMA fills as reports and price rounds arrive)
      </Text>
    );
  const color: Record<ChartCell, string | undefined> = {
    fair: t.accent,
    ema: t.warn,
    market: t.good,
    band: t.dim,
    " ": undefined,
  };
  const price = (v: number) => v.toFixed(5).padStart(label);
  return (
    <Box flexDirection="column">
      {chart.cells.map((cells, y) => {
        // Runs of one series as one Text each.
        const runs: { cell: ChartCell; text: string }[] = [];
        for (const c of cells) {
          const glyph = c === " " ? " " : CHART_GLYPHS[c];
          const last = runs[runs.length - 1];
          if (last && last.cell === c) last.text += glyph;
          else runs.push({ cell: c, text: glyph });
        }
        const axis = y === 0 ? price(chart.max) : y === chart.cells.length - 1 ? price(chart.min) : " ".repeat(label);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions
          <Text key={y} wrap="truncate">
            <Text color={t.dim}>{`${axis}┤`}</Text>
            {runs.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: runs are positions
              <Text key={i} color={color[r.cell]}>
                {r.text}
              </Text>
            ))}
          </Text>
        );
      })}
      <Text wrap="truncate" color={t.dim}>
        {`${" ".repeat(label)} ${CHART_GLYPHS.fair} fair  ${CHART_GLYPHS.ema} EMA  ${CHART_GLYPHS.market} market ${CHART_GLYPHS.band} ± band · the last ${duration(chart.spanSecs)}, ${chart.samples} samples`}
      </Text>
    </Box>
  );
}
