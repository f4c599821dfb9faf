// Activity: this run's transactions, newest first, with their status, the decoded program error and
// what to do about it.
import { Box, Text } from "ink";
import { shortKey } from "../../format.js";
import type { State, TxStatus } from "../../store/state.js";
import { type Column, Notice, Row, TableHeader } from "../components.js";
import { useTheme } from "../theme.js";

const WORDS: Record<TxStatus, string> = {
  simulating: "… simulating",
  "awaiting-confirmation": "? confirm",
  sending: "… sending",
  confirmed: "✔ confirmed",
  failed: "✖ failed",
  expired: "⌛ expired",
  observed: "⚡ on chain",
};

export function ActivityScreen({ state, height }: { state: State; height: number }) {
  const t = useTheme();
  const filter = state.ui.filter.toLowerCase();
  const rows = state.activity.filter(
    (a) => !filter || `${a.action} ${a.summary} ${a.status} ${a.signature ?? ""}`.toLowerCase().includes(filter),
  );
  if (rows.length === 0)
    return (
      <Notice kind="empty">
        {state.activity.length === 0
          ? "No transactions in this run yet: lever up (l) or deleverage (u) on the Sub-accounts tab. Liquidations of your sub-accounts appear here too."
          : `No transaction matches "${state.ui.filter}".`}
      </Notice>
    );
  const columns: Column[] = [
    { title: "Time", width: 8 },
    { title: "Action", width: 10 },
    { title: "Status", width: 12 },
    { title: "Signature", width: 19 },
    { title: "Details", width: Math.max(20, state.ui.size.columns - 55) },
  ];
  return (
    <Box flexDirection="column">
      <TableHeader columns={columns} />
      {rows.slice(0, Math.max(1, Math.floor((height - 1) / 2))).map((a) => (
        <Box key={a.id} flexDirection="column">
          <Row
            columns={columns}
            color={
              a.status === "confirmed"
                ? t.good
                : a.status === "failed"
                  ? t.bad
                  : a.status === "expired"
                    ? t.warn
                    : undefined
            }
            values={[
              new Date(a.at).toISOString().slice(11, 19),
              a.action,
              WORDS[a.status],
              a.signature ? shortKey(a.signature, 8) : "—",
              a.summary,
            ]}
          />
          {a.error ? (
            <Text color={t.dim} wrap="truncate">
              {`         ${a.error}${a.hint ? ` → ${a.hint}` : ""}`}
            </Text>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
