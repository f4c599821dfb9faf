// Oracle: the committee's current frame — each member's vote and price observation with its age,
// quorum progress, sanity headroom (deferred increase, decrease budget), held decrease, bunker, and
// the staleness countdown, and a chart of the fair rate vs the market band vs the EMA over the session.
import { Box, Text } from "ink";
import { duration, fixed, rate, shortKey } from "../../format.js";
import { selectOracle } from "../../store/selectors.js";
import type { State } from "../../store/state.js";
import { type Column, Notice, RateChartView, Row, TableHeader } from "../components.js";
import { useTheme } from "../theme.js";

export function OracleScreen({ state, height }: { state: State; height: number }) {
  const t = useTheme();
  const o = selectOracle(state);
  if (state.chain.status === "error" && !o)
    return <Notice kind="error">{state.chain.error ?? "The chain could not be read"}</Notice>;
  if (!o) return <Notice kind="loading">Reading the committee and its feed…</Notice>;
  const columns: Column[] = [
    { title: "Member", width: 6 },
    { title: "Signer", width: 11 },
    { title: "Vote", width: 14 },
    { title: "Price", width: 10, align: "right" },
    { title: "Age", width: 7, align: "right" },
    { title: "Fresh", width: 5 },
  ];
  const progress = `${"●".repeat(Math.min(o.support, o.quorum))}${"○".repeat(Math.max(0, o.quorum - o.support))}`;
  // The chart takes what the members and the five lines around them leave (the body has height + 1
  // rows; one goes to the legend).
  const chartRows = Math.min(16, height + 1 - 5 - o.members.length - 1);
  const members = o.members.slice(0, Math.max(1, height - 9));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>Frame {o.frame === undefined ? "— (before genesis)" : o.frame.toString()}</Text>
        {o.frameEndsIn !== undefined ? <Text color={t.dim}>{` ends in ${duration(o.frameEndsIn)}`}</Text> : null}
        {"   Quorum "}
        <Text color={o.consensus ? t.good : t.warn}>{progress}</Text>
        {` ${o.support}/${o.quorum} of ${o.memberCount}`}
        {o.processed ? (
          <Text color={t.good}> ✔ report processed</Text>
        ) : o.consensus ? (
          <Text color={t.warn}> consensus, data pending</Text>
        ) : null}
        {o.paused ? <Text color={t.bad}> [PAUSED]</Text> : null}
        {o.consensusDisabled ? <Text color={t.bad}> [CONSENSUS DISABLED]</Text> : null}
      </Text>
      <TableHeader columns={columns} />
      {members.map((m) => (
        <Row
          key={m.signer}
          columns={columns}
          color={m.fresh ? undefined : t.dim}
          values={[
            `#${m.index}`,
            shortKey(m.signer, 4),
            m.votesConsensus ? "✔ consensus" : m.voted ? (o.consensus ? "✎ other hash" : "✎ voted") : "· no vote",
            m.price === 0n ? "—" : rate(m.price),
            m.priceAgeSecs === undefined ? "—" : duration(m.priceAgeSecs),
            m.fresh ? "yes" : "no",
          ]}
        />
      ))}
      <Text wrap="truncate">
        {`Fair ${rate(o.fairRate)}  reported ${rate(o.reportedRate)}  deferred +${rate(o.deferred)}  last report frame ${o.lastReportFrame}`}
      </Text>
      <Text wrap="truncate">
        {`Decrease budget used ${fixed(o.decreaseUsedPpb, 7, 3)}% of ${fixed(o.decreaseBudgetPpb, 7, 2)}% in the window`}
        {o.held ? (
          <Text
            color={t.warn}
          >{`   HELD decrease of frame ${o.held.frame} to ${rate(o.held.rate)}, waiting for the guardian`}</Text>
        ) : null}
      </Text>
      <Text wrap="truncate">
        {o.bunker ? (
          <Text color={t.warn} bold>
            ▲ BUNKER mode: exits pay the pessimistic rate{" "}
          </Text>
        ) : (
          <Text color={t.good}>● no bunker </Text>
        )}
        {o.status.stale ? (
          <Text
            color={t.bad}
            bold
          >{`✖ STALE for ${duration(-o.status.staleInSecs)}: risk-increasing actions are blocked`}</Text>
        ) : (
          <Text>{`stale in ${duration(o.status.staleInSecs)}`}</Text>
        )}
        <Text
          color={t.dim}
        >{`  · ${o.freshPrices} fresh prices${o.market ? `, market ${rate(o.market.price)} ± ${rate(o.market.confidence)}` : ", no market price"}`}</Text>
      </Text>
      {chartRows >= 3 ? (
        <RateChartView history={state.history} width={state.ui.size.columns - 2} height={chartRows} />
      ) : (
        <Text color={t.dim} wrap="truncate">
          (the chart of fair rate vs market band vs EMA needs a taller terminal)
        </Text>
      )}
    </Box>
  );
}
