// Keeper: each keeper process's health, readiness, last tick, liquidations by outcome, report lag,
// transactions by outcome, RPC errors and journal backlog, from its /healthz, /readyz and /metrics.
import { Box, Text } from "ink";
import { duration } from "../../format.js";
import { selectKeepers } from "../../store/selectors.js";
import type { State } from "../../store/state.js";
import { type Column, Notice, Row, TableHeader } from "../components.js";
import { useTheme } from "../theme.js";

const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "—";

export function KeeperScreen({ state, height }: { state: State; height: number }) {
  const t = useTheme();
  if (state.keepers.length === 0)
    return (
      <Notice kind="empty">
        No keeper to watch: pass --keeper http://host:port (once per process), or run npm start.
      </Notice>
    );
  const rows = selectKeepers(state);
  const wide = state.ui.size.columns >= 110;
  const columns: Column[] = [
    { title: "Keeper", width: 11 },
    { title: "Live", width: 4 },
    { title: "Ready", width: 5 },
    { title: "Tick", width: 6, align: "right" },
    { title: "Report", width: 7, align: "right" },
    { title: "RPC err", width: 7, align: "right" },
    { title: "Journal", width: 7, align: "right" },
    { title: wide ? "Transactions / liquidations" : "Tx / liq.", width: wide ? 50 : 22 },
  ];
  const yes = (b: boolean | undefined) => (b === undefined ? "…" : b ? "yes" : "NO");
  return (
    <Box flexDirection="column">
      <TableHeader columns={columns} />
      {rows.slice(0, Math.max(1, height - 3)).map((r) => (
        <Row
          key={r.url}
          columns={columns}
          color={r.status === "error" || r.live === false ? t.bad : r.ready === false ? t.warn : undefined}
          values={
            r.status === "error"
              ? [r.name, "—", "—", "", "", "", "", r.error ?? "no answer"]
              : [
                  r.name,
                  yes(r.live),
                  yes(r.ready),
                  r.lastTickAgeSecs === undefined ? "—" : duration(r.lastTickAgeSecs),
                  r.reportAgeSecs === undefined ? "—" : duration(r.reportAgeSecs),
                  r.rpcErrors === undefined ? "—" : String(r.rpcErrors),
                  r.journalPending === undefined ? "—" : String(r.journalPending),
                  `${counts(r.txOutcomes)}${Object.keys(r.liquidations).length ? ` | liq ${counts(r.liquidations)}` : ""}${r.dryRun ? " DRY-RUN" : ""}`,
                ]
          }
        />
      ))}
      {rows.some((r) => r.notReady.length > 0) ? (
        <Text color={t.warn} wrap="truncate">
          {`Not ready: ${rows
            .filter((r) => r.notReady.length)
            .map((r) => `${r.name} (${r.notReady.join("; ")})`)
            .join(" · ")}`}
        </Text>
      ) : null}
    </Box>
  );
}
