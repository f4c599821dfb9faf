// Simulator: choose a shipped scenario, its pricing policy, number of paths and horizon, run it in worker threads
// with a progress bar and ETA (Esc cancels), and read the results with 95% confidence intervals, the
// last runs side by side (e.g. the same scenario under each policy), the loss histogram, and export.
import { Box, Text } from "ink";
import type { Estimate, Statistics } from "@lantern/sim";
import { histogramRow, lossMarks, TAIL_MARKS } from "../../chart.js";
import { cell, duration } from "../../format.js";
import { simHorizon } from "../../store/selectors.js";
import type { SimRun, State } from "../../store/state.js";
import { Notice } from "../components.js";
import { useTheme } from "../theme.js";

const num = (x: number) =>
  x === 0
    ? "0"
    : Math.abs(x) >= 1_000
      ? x.toFixed(0)
      : Math.abs(x) >= 1
        ? x.toFixed(2)
        : Math.abs(x) >= 0.01
          ? x.toFixed(3)
          : x.toPrecision(2);
const pctOf = (x: number) => `${(x * 100).toFixed(2)}%`;
const withCi = (e: Estimate, f: (x: number) => string) =>
  e.ci ? `${f(e.estimate)} [${f(e.ci[0])}, ${f(e.ci[1])}]` : `${f(e.estimate)} [—]`;

/** Rows of the results table: label and how to read it from a run's statistics. */
const ROWS: { label: string; value: (s: Statistics) => string }[] = [
  { label: "P(any bad debt)", value: (s) => withCi(s.probabilities.anyBadDebt, pctOf) },
  { label: "P(bad debt > insurance)", value: (s) => withCi(s.probabilities.badDebtBeyondInsurance, pctOf) },
  { label: "P(any liquidation)", value: (s) => withCi(s.probabilities.anyLiquidation, pctOf) },
  { label: "Protocol loss, mean SOL", value: (s) => withCi(s.loss.mean, num) },
  ...[0, 1].flatMap((i) => [
    {
      label: `VaR / ES ${i === 0 ? "95" : "99"}%, SOL`,
      value: (s: Statistics) => {
        const t = s.loss.tails[i];
        return t ? `${num(t.var.estimate)} / ${num(t.es.estimate)}` : "—";
      },
    },
  ]),
  { label: "Liquidation volume, SOL", value: (s) => withCi(s.metrics.liquidationVolume, num) },
  { label: "Peak utilisation", value: (s) => withCi(s.metrics.peakUtilization, pctOf) },
  { label: "Hours in bunker mode", value: (s) => withCi(s.metrics.bunkerHours, num) },
  { label: "User net APY", value: (s) => withCi(s.metrics.netApy, pctOf) },
];

export function SimulatorScreen({ state, height }: { state: State; height: number }) {
  const t = useTheme();
  const sim = state.sim;
  if (sim.listError) return <Notice kind="error">{sim.listError}</Notice>;
  if (sim.scenarios.length === 0) return <Notice kind="loading">Reading the shipped scenarios…</Notice>;
  const runs = sim.runs;
  const horizon = simHorizon(state);
  const listRows = Math.max(3, Math.min(8, height - 6 - (runs.length ? ROWS.length + 4 : 0)));
  const start = Math.max(0, Math.min(sim.selected - Math.floor(listRows / 2), sim.scenarios.length - listRows));
  const width = state.ui.size.columns - 4;
  const colWidth = Math.max(24, Math.floor((width - 26) / Math.max(1, runs.length)) - 1);
  const shownRuns = runs.slice(0, Math.max(1, Math.floor((width - 26) / 25)));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>Scenario </Text>
        <Text color={t.dim}>{`(${sim.selected + 1}/${sim.scenarios.length})   `}</Text>
        {`${sim.policy} · ${sim.paths} paths · ${horizon === undefined ? "—" : `${horizon}d`} horizon${sim.horizonDays === undefined ? " (scenario's)" : ""} · seed ${sim.seed}`}
      </Text>
      {sim.scenarios.slice(start, start + listRows).map((s, i) => {
        const selected = start + i === sim.selected;
        return (
          <Text key={s.name} wrap="truncate" inverse={selected}>
            {`${selected ? "›" : " "} ${cell(s.name, 26)} `}
            <Text color={selected ? undefined : t.dim}>{s.description}</Text>
          </Text>
        );
      })}
      <SimStatus state={state} />
      {shownRuns.length > 0 ? (
        <Results runs={shownRuns} colWidth={colWidth} wide={state.ui.size.columns >= 110} />
      ) : null}
    </Box>
  );
}

function SimStatus({ state }: { state: State }) {
  const t = useTheme();
  const sim = state.sim;
  switch (sim.status) {
    case "running": {
      const p = sim.progress;
      const frac = p && p.total > 0 ? p.done / p.total : 0;
      const wide = state.ui.size.columns >= 110;
      const cells = wide ? 30 : 10;
      const filled = Math.round(frac * cells);
      return (
        <Text wrap="truncate" color={t.accent}>
          {`${wide ? "Running in worker threads" : "Running"} ${"█".repeat(filled)}${"░".repeat(cells - filled)} ${p?.done ?? 0}/${p?.total ?? sim.paths} paths · ${(p?.pathsPerSec ?? 0).toFixed(1)} paths/s · ETA ${p?.etaMs == null ? "…" : duration(p.etaMs / 1000)} · Esc cancels`}
        </Text>
      );
    }
    case "cancelled":
      return <Text color={t.warn}>Cancelled: nothing was kept from that run. Enter runs again.</Text>;
    case "error":
      return (
        <Text color={t.bad} wrap="wrap">
          ✖ {sim.error}
        </Text>
      );
    default:
      if (sim.exported && "path" in sim.exported)
        return (
          <Text color={t.good} wrap="truncate">
            {`✔ Exported ${sim.exported.path} (with results.csv, series.csv, report.html)`}
          </Text>
        );
      if (sim.exported)
        return (
          <Text color={t.bad} wrap="wrap">
            ✖ {sim.exported.error}
          </Text>
        );
      return (
        <Text color={t.dim}>
          {sim.runs.length
            ? "e exports the newest run (JSON, CSV, HTML)"
            : "Enter runs the selected scenario; results appear here."}
        </Text>
      );
  }
}

function Results({ runs, colWidth, wide }: { runs: SimRun[]; colWidth: number; wide: boolean }) {
  const t = useTheme();
  const newest = runs[0]!;
  const hist = newest.statistics.lossHistogram;
  const tails = newest.statistics.loss.tails;
  const marks = lossMarks(hist.edges, [
    tails[0]?.var.estimate,
    tails[0]?.es.estimate,
    tails[1]?.var.estimate,
    tails[1]?.es.estimate,
  ]);
  return (
    <Box flexDirection="column">
      <Text bold color={t.accent} wrap="truncate">
        {cell("95% confidence intervals", 26)}
        {runs
          .map((r) =>
            cell(`${r.scenario} · ${r.policy} · ${r.paths}${r.horizonDays ? ` · ${r.horizonDays}d` : ""}`, colWidth),
          )
          .join(" ")}
      </Text>
      {ROWS.map((row) => (
        <Text key={row.label} wrap="truncate">
          {cell(row.label, 26)}
          {runs.map((r) => cell(row.value(r.statistics), colWidth)).join(" ")}
        </Text>
      ))}
      <Text wrap="truncate" color={t.dim}>
        {"Losses  "}
        <Text color={t.accent}>{hist.counts.length ? histogramRow(hist.counts) : "—"}</Text>
        {`  ${hist.counts.length ? `0 … ${num(newest.statistics.loss.max)} SOL · ` : ""}${hist.zeros} of ${newest.statistics.paths} lost nothing${wide ? ` · ran in ${duration(newest.elapsedMs / 1000)}` : ""}`}
      </Text>
      <Text wrap="truncate" color={t.dim}>
        {" ".repeat(8)}
        <Text color={t.warn}>{marks.padEnd(hist.counts.length)}</Text>
        {hist.counts.length ? `  ${TAIL_MARKS.map((m) => `${m.glyph} ${m.label}`).join(" ")}` : " "}
      </Text>
    </Box>
  );
}
