// The keeper's metric set (notes/keeper.md §6.3) as Effect metrics, and their Prometheus text rendering.
import { Effect, Metric, MetricBoundaries, MetricKeyType, MetricState } from "effect";
import type { MetricPair } from "effect/MetricPair";

const latency = MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 14 });

export const M = {
  rpcRequests: Metric.counter("keeper_rpc_requests_total", {
    description: "RPC calls by method, endpoint and result",
    incremental: true,
  }),
  rpcLatency: Metric.histogram("keeper_rpc_latency_seconds", latency, "RPC call latency"),
  rpcRateLimited: Metric.counter("keeper_rpc_429_total", { description: "429 answers", incremental: true }),
  rpcFailovers: Metric.counter("keeper_rpc_failovers_total", {
    description: "Switches to another endpoint",
    incremental: true,
  }),
  txSent: Metric.counter("keeper_tx_sent_total", {
    description: "Signed transactions first sent, by intent kind",
    incremental: true,
  }),
  txRebroadcast: Metric.counter("keeper_tx_rebroadcast_total", {
    description: "Same-bytes rebroadcasts",
    incremental: true,
  }),
  txOutcomes: Metric.counter("keeper_tx_outcomes_total", {
    description: "Intent outcomes by kind and outcome",
    incremental: true,
  }),
  txConfirmSeconds: Metric.histogram("keeper_tx_confirmation_seconds", latency, "From first send to landed"),
  txSimulated: Metric.counter("keeper_tx_simulated_total", {
    description: "Simulations by kind and result",
    incremental: true,
  }),
  priorityFee: Metric.gauge("keeper_priority_fee_microlamports"),
  /** How each fee was chosen: from the samples, at the cap, or the fallback when the estimate could not be read. */
  priorityFeeEstimates: Metric.counter("keeper_priority_fee_estimates_total", {
    description: "priority fee estimates by how the fee was chosen (sampled, capped, fallback)",
    incremental: true,
  }),
  /** Per role: how many expiries (net of landings) its fees are escalated for; 0 = the plain estimate. */
  priorityFeeLevel: Metric.gauge("keeper_priority_fee_escalation_level"),
  priorityFeeEscalated: Metric.counter("keeper_priority_fee_escalated_total", {
    description: "fees raised above the estimate after blockhash expiries, by role",
    incremental: true,
  }),
  journalPending: Metric.gauge("keeper_journal_pending_intents"),
  chainSlot: Metric.gauge("keeper_chain_slot"),
  chainClockAge: Metric.gauge("keeper_chain_clock_age_seconds"),
  solBalance: Metric.gauge("keeper_sol_balance_lamports"),
  workerTick: Metric.gauge("keeper_worker_last_tick_timestamp_seconds"),
  workerErrors: Metric.counter("keeper_worker_errors_total", {
    description: "Worker iterations that failed",
    incremental: true,
  }),
  oracleReports: Metric.counter("keeper_oracle_reports_total", {
    description: "Oracle votes/data by result",
    incremental: true,
  }),
  oracleSkips: Metric.counter("keeper_oracle_skips_total", {
    description: "Oracle actions skipped, by reason",
    incremental: true,
  }),
  oraclePrices: Metric.counter("keeper_oracle_prices_total", {
    description: "Market price observations by result",
    incremental: true,
  }),
  feedReportAge: Metric.gauge("keeper_feed_report_age_seconds"),
  accountsTracked: Metric.gauge("keeper_accounts_tracked"),
  accountUpdates: Metric.counter("keeper_account_updates_total", {
    description: "Account store updates by source",
    incremental: true,
  }),
  staleUpdates: Metric.counter("keeper_account_updates_ignored_total", {
    description: "Updates older than what the store holds",
    incremental: true,
  }),
  resyncs: Metric.counter("keeper_account_resyncs_total", {
    description: "Full snapshots by reason",
    incremental: true,
  }),
  liquidatable: Metric.gauge("keeper_liquidatable_accounts"),
  liquidations: Metric.counter("keeper_liquidation_attempts_total", {
    description: "Liquidation attempts by result",
    incremental: true,
  }),
  liquidationSkips: Metric.counter("keeper_liquidation_skips_total", {
    description: "Liquidatable sub-accounts not attempted, by reason",
    incremental: true,
  }),
  cranks: Metric.counter("keeper_crank_total", { description: "Cranks by kind and result", incremental: true }),
};

export const inc = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>, by = 1) =>
  Metric.incrementBy(
    Object.entries(tags).reduce((m, [k, v]) => Metric.tagged(m, k, v), metric),
    by,
  );

export const setGauge = (metric: Metric.Metric.Gauge<number>, value: number, tags: Record<string, string> = {}) =>
  Metric.set(
    Object.entries(tags).reduce((m, [k, v]) => Metric.tagged(m, k, v), metric),
    value,
  );

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (tags: ReadonlyArray<{ key: string; value: string }>, extra: [string, string][] = []) => {
  const all = [...tags.map((t) => [t.key, t.value] as [string, string]), ...extra];
  return all.length === 0 ? "" : `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
};
const num = (v: number | bigint) =>
  typeof v === "bigint" ? v.toString() : Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : "-Inf";

/** Prometheus text exposition (0.0.4) of every metric in the registry. */
export function renderPrometheus(pairs: ReadonlyArray<MetricPair.Untyped>): string {
  const groups = new Map<string, { type: string; help: string; lines: string[] }>();
  for (const { metricKey: key, metricState: state } of pairs) {
    const type = MetricKeyType.isCounterKey(key.keyType)
      ? "counter"
      : MetricKeyType.isGaugeKey(key.keyType)
        ? "gauge"
        : MetricKeyType.isHistogramKey(key.keyType)
          ? "histogram"
          : undefined;
    if (!type) continue;
    const g = groups.get(key.name) ?? {
      type,
      help: key.description._tag === "Some" ? key.description.value : key.name,
      lines: [],
    };
    groups.set(key.name, g);
    if (MetricState.isCounterState(state)) g.lines.push(`${key.name}${labels(key.tags)} ${num(state.count)}`);
    else if (MetricState.isGaugeState(state)) g.lines.push(`${key.name}${labels(key.tags)} ${num(state.value)}`);
    else if (MetricState.isHistogramState(state)) {
      for (const [bound, count] of state.buckets)
        g.lines.push(`${key.name}_bucket${labels(key.tags, [["le", num(bound)]])} ${count}`);
      g.lines.push(`${key.name}_bucket${labels(key.tags, [["le", "+Inf"]])} ${state.count}`);
      g.lines.push(`${key.name}_sum${labels(key.tags)} ${num(state.sum)}`);
      g.lines.push(`${key.name}_count${labels(key.tags)} ${state.count}`);
    }
  }
  let out = "";
  for (const [name, g] of groups)
    out += `# HELP ${name} ${escapeLabel(g.help)}\n# TYPE ${name} ${g.type}\n${g.lines.join("\n")}\n`;
  return out;
}

export const prometheusText = Effect.map(Metric.snapshot, renderPrometheus);
