// Markets: the SOL pool's rates and utilisation, the market's policy, limits and flags, and the LRT's
// fair rate against the committee's market price (± band) and its EMA, with a discount sparkline.
import { Box, Text } from "ink";
import { marketPriceAt } from "@lantern/sdk";
import { apr, duration, lrt, pct, rate, shortKey, sol, sparkline } from "../../format.js";
import { feedStatus, poolRates } from "../../store/selectors.js";
import type { State } from "../../store/state.js";
import { Notice } from "../components.js";
import { useTheme } from "../theme.js";

export function MarketsScreen({ state }: { state: State }) {
  const t = useTheme();
  const { world, chain } = state;
  if (chain.status === "error" && !world)
    return <Notice kind="error">{chain.error ?? "The chain could not be read"}</Notice>;
  if (!world || chain.now === undefined) return <Notice kind="loading">Reading the market…</Notice>;
  const m = world.market;
  const p = world.pool;
  const r = poolRates(world);
  const f = world.feed;
  const s = feedStatus(world, chain.now);
  const round = marketPriceAt(f, chain.now);
  const discountBps = round ? ((round.price - f.fairRate) * 10_000n) / f.fairRate : undefined;
  const width = Math.max(10, state.ui.size.columns - 30);
  const discounts = state.history.filter((h) => h.market !== undefined).map((h) => (h.market! - h.fair) / h.fair);
  const utilCells = 30;
  const filled = Math.min(utilCells, Math.round((Number(r.utilization) / 10_000) * utilCells));
  const kink = Math.round((p.params.curve.kink1UtilizationBps / 10_000) * utilCells);
  const utilBar = Array.from({ length: utilCells }, (_, i) => (i === kink ? "┃" : i < filled ? "█" : "░")).join("");
  const flag = (on: boolean, word: string) => (on ? <Text color={t.bad} bold>{` [${word}]`}</Text> : null);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Market {shortKey(world.marketAddress, 6)} · LRT {shortKey(m.lrtMint.toBase58(), 6)} · policy {m.policy}
        {flag(m.paused, "PAUSED")}
        {flag(p.frozen, "POOL FROZEN")}
      </Text>
      <Text> </Text>
      <Text bold color={t.accent}>
        SOL lending pool
      </Text>
      <Text wrap="truncate">{`  Borrow APR ${apr(r.borrow)}   Supply APR ${apr(r.supply)}   Reserve factor ${pct(p.params.reserveFactorBps)}`}</Text>
      <Text wrap="truncate">
        {"  Utilisation "}
        <Text color={r.utilization > 9_000n ? t.bad : r.utilization > 8_000n ? t.warn : t.good}>{utilBar}</Text>
        {` ${pct(r.utilization)} (kink ${pct(p.params.curve.kink1UtilizationBps)}, borrowing stops at ${pct(p.params.maxUtilizationBps)})`}
      </Text>
      <Text wrap="truncate">{`  Cash ${sol(p.cash)} SOL   Borrowed ${sol(r.debt)} SOL   Insurance ${sol(p.insurance)} SOL`}</Text>
      <Text> </Text>
      <Text bold color={t.accent}>
        Risk
      </Text>
      <Text wrap="truncate">{`  Max LTV ${pct(m.risk.ltvInitBps)}   Target ${pct(m.risk.targetLtvBps)}   Liquidation ${pct(m.risk.ltBps)}   Full ${pct(m.risk.ltvFullBps)}   Min debt ${sol(m.risk.minDebt, 2)} SOL`}</Text>
      <Text wrap="truncate">{`  Collateral ${lrt(m.collateralTotal, 2)} / cap ${lrt(m.collateralCap, 0)} LRT${m.pending.activatesTs !== 0n ? `   Queued change activates in ${duration(m.pending.activatesTs - chain.now)}` : ""}`}</Text>
      <Text> </Text>
      <Text bold color={t.accent}>
        Price (SOL per LRT)
      </Text>
      <Text wrap="truncate">
        {`  Fair rate ${rate(f.fairRate)}`}
        {s.stale ? (
          <Text color={t.bad}> STALE</Text>
        ) : (
          <Text color={t.dim}>{` (stale in ${duration(s.staleInSecs)})`}</Text>
        )}
        {s.bunker ? <Text color={t.warn}> BUNKER</Text> : null}
      </Text>
      <Text wrap="truncate">
        {round
          ? `  Market    ${rate(round.price)} ± ${rate(round.confidence)}   low ${rate(round.low)}   EMA ${rate(round.ema)}   EMA low ${rate(round.emaLow)}`
          : "  Market    no fresh price round (fewer than a quorum of fresh observations, or they disagree)"}
      </Text>
      <Text wrap="truncate">
        {discountBps === undefined
          ? "  Premium/discount —"
          : `  ${discountBps < 0n ? "Discount" : "Premium"} ${pct(discountBps < 0n ? -discountBps : discountBps)} vs fair`}
      </Text>
      <Text wrap="truncate">
        {"  "}
        <Text color={t.accent}>
          {discounts.length > 1 ? sparkline(discounts, width) : "(the sparkline fills as prices arrive)"}
        </Text>
      </Text>
    </Box>
  );
}
