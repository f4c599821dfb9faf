// Small shared views: health bar with its marks, a state word, a simple table.
import { Box, Text } from "ink";
import type { PositionView } from "@lantern/sdk";
import { cell, healthBar, pct } from "../format.js";
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
