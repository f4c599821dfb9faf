// Sub-accounts: the owner's positions sorted by risk, one in detail (health bar with the 90/92/93/96
// marks, leverage, the liquidation point as a depeg, carry), and the action form with its live
// before/after preview.
import { Box, Text } from "ink";
import type { ActionPreview, PositionView } from "@lantern/sdk";
import { apr, cell, duration, leverage, lrt, pct, rate, shortKey, sol } from "../../format.js";
import { ACTIONS, formSummary, selectFormPreview } from "../../store/forms.js";
import { ERROR_HINTS, poolRates, selectSubRows, stakingYield, type SubRow } from "../../store/selectors.js";
import type { State } from "../../store/state.js";
import { type Column, HealthBar, Notice, Row, riskMarks, riskWord, TableHeader } from "../components.js";
import { useTheme } from "../theme.js";

const depeg = (v: PositionView) =>
  v.liquidationDepegBps === undefined ? "—" : v.liquidationDepegBps <= 0n ? "LIQ" : `-${pct(v.liquidationDepegBps)}`;

const signedSol = (lamports: bigint | undefined) =>
  lamports === undefined ? "—" : `${lamports >= 0n ? "+" : ""}${sol(lamports, 3)}`;

export function SubAccountsScreen({ state, height }: { state: State; height: number }) {
  const rows = selectSubRows(state);
  if (state.ui.form) return <ActionForm state={state} />;
  if (state.chain.status === "error" && !state.world)
    return <Notice kind="error">{state.chain.error ?? "The chain could not be read"}</Notice>;
  if (!state.world) return <Notice kind="loading">Reading the market and your sub-accounts…</Notice>;
  if (!state.wallet.pubkey)
    return (
      <Notice kind="disabled">
        {`${state.wallet.readOnlyReason ?? "Read-only"}. Sub-accounts are per owner: pass --keypair to see and trade yours.`}
      </Notice>
    );
  if (rows.length === 0)
    return (
      <Notice kind="empty">
        {state.ui.filter
          ? `No sub-account matches "${state.ui.filter}" (Esc clears the filter).`
          : `${shortKey(state.wallet.pubkey)} has no sub-account in this market yet: n opens one.`}
      </Notice>
    );
  const selected = rows[Math.min(state.ui.selected, rows.length - 1)]!;
  if (state.ui.detail) return <SubAccountDetail state={state} row={selected} />;
  return <SubAccountList state={state} rows={rows} height={height} />;
}

function SubAccountList({ state, rows, height }: { state: State; rows: SubRow[]; height: number }) {
  const t = useTheme();
  const wide = state.ui.size.columns >= 110;
  const columns: Column[] = [
    { title: "#", width: 3, align: "right" },
    { title: "Collateral", width: 11, align: "right" },
    { title: "Debt SOL", width: 10, align: "right" },
    { title: "Equity", width: 9, align: "right" },
    { title: "Lev", width: 6, align: "right" },
    { title: "LTV", width: 7, align: "right" },
    { title: "Health", width: 10 },
    { title: "Liq. at", width: 8, align: "right" },
    { title: "Carry/yr", width: 9, align: "right" },
    ...(wide ? [{ title: "Address", width: 44 }] : []),
  ];
  const world = state.world!;
  const visible = Math.max(1, height - 3);
  const start = Math.max(0, Math.min(state.ui.selected - visible + 1, rows.length - visible));
  return (
    <Box flexDirection="column">
      <TableHeader columns={columns} />
      {rows.slice(start, start + visible).map((r, i) => {
        const v = r.view;
        const filled =
          v.ltvBps === undefined ? 0 : Math.max(0, Math.min(10, Math.round((Number(v.ltvBps) - 5_000) / 500)));
        const word = riskWord(v, world.market.risk.ltvInitBps, t);
        return (
          <Row
            key={r.address}
            columns={columns}
            selected={start + i === state.ui.selected}
            color={word.color}
            values={[
              String(r.index),
              lrt(v.collateral, 3),
              sol(v.debt, 3),
              sol(v.equity, 3),
              leverage(v.leverageBps),
              v.ltvBps === undefined ? "—" : pct(v.ltvBps),
              "█".repeat(filled) + "░".repeat(10 - filled),
              depeg(v),
              signedSol(r.carryPerYear),
              r.address,
            ]}
          />
        );
      })}
      <Text color={t.dim} wrap="truncate">
        {`${rows.length} sub-account${rows.length === 1 ? "" : "s"}, riskiest first · "Liq. at": how far the LRT may fall below the fair rate`}
      </Text>
    </Box>
  );
}

function SubAccountDetail({ state, row }: { state: State; row: SubRow }) {
  const t = useTheme();
  const world = state.world!;
  const v = row.view;
  const risk = world.market.risk;
  const word = riskWord(v, risk.ltvInitBps, t);
  const { borrow } = poolRates(world);
  const staking = stakingYield(state);
  const width = Math.min(60, state.ui.size.columns - 16);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>Sub-account #{row.index} </Text>
        <Text color={t.dim}>{row.address} </Text>
        <Text color={word.color} bold>
          {word.text}
        </Text>
      </Text>
      <Text> </Text>
      <Text wrap="truncate">
        {`Collateral ${lrt(v.collateral)} LRT  (${sol(v.valueFair)} SOL at the fair rate ${rate(world.feed.fairRate)})`}
      </Text>
      <Text wrap="truncate">{`Debt       ${sol(v.debt)} SOL    Equity ${sol(v.equity)} SOL    Leverage ${leverage(v.leverageBps)}`}</Text>
      <Text> </Text>
      <HealthBar ltvBps={v.ltvBps} marks={riskMarks(risk)} width={width} />
      <Text> </Text>
      <Text wrap="wrap">
        {v.liquidationPrice === undefined
          ? "Liquidation: none — this sub-account has no debt."
          : v.liquidatable
            ? `Liquidation: NOW — the debt is above ${pct(risk.ltBps)} of the collateral's value; keepers may liquidate it. Deleverage (u) to bring the LTV down.`
            : `Liquidation: if the LRT's market price (EMA of the low) falls ${pct(v.liquidationDepegBps!)} below the fair rate, to ${rate(v.liquidationPrice)} SOL/LRT — or a slashing cuts the fair rate by as much.`}
      </Text>
      <Text wrap="wrap">
        {`Carry: ${signedSol(row.carryPerYear)} SOL/yr — borrow ${apr(borrow)} on the debt, staking ${staking === undefined ? "not measured yet (two reports needed)" : apr(staking)} on the collateral.`}
      </Text>
    </Box>
  );
}

/** The line under the before/after table: what the transaction moves, from the preview. */
function outcome(state: State, preview: ActionPreview): string {
  const f = state.ui.form!.fields;
  switch (state.ui.form!.kind) {
    case "leverageUp":
      return `LRT minted ${lrt(preview.out)} · min_lrt_out ${lrt(preview.minOut)} (slippage ${f.slippage} bps)`;
    case "deleverage":
      return `SOL out ${sol(preview.out)} after a ${sol(preview.fee)} SOL fee · min_sol_out ${sol(preview.minOut)}`;
    case "repay":
      return `Pays ${sol(preview.out)} SOL (a larger amount pays only the debt)`;
    case "create":
      return "Opens empty: deposit LRT (d) or lever up (l) next · the rent is shown before you send";
    case "deposit":
      return `Moves ${lrt(preview.out)} LRT from your wallet (it holds ${state.wallet.lrt === undefined ? "?" : lrt(state.wallet.lrt)} LRT)`;
    case "withdraw":
      return `Moves ${lrt(preview.out)} LRT to your wallet`;
    case "close":
      return "Closes the sub-account and its collateral vault; the rent comes back to your wallet";
  }
}

function ActionForm({ state }: { state: State }) {
  const t = useTheme();
  const form = state.ui.form!;
  const spec = ACTIONS[form.kind];
  const { preview, inputError, index } = selectFormPreview(state);
  const done = form.stage === "done";
  const line = (label: string, f: (v: PositionView) => string) => (
    <Text key={label} wrap="truncate">
      {cell(label, 14)}
      {cell(preview && spec.onSelected ? f(preview.before) : "—", 16, "right")}
      {"  →  "}
      {cell(form.kind === "close" ? "closed" : preview?.after ? f(preview.after) : "✗", 16, "right")}
    </Text>
  );
  const hint = preview?.error ? ERROR_HINTS[preview.error] : undefined;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {spec.title} sub-account #{index ?? "?"} <Text color={t.dim}>({spec.blurb})</Text>
      </Text>
      {spec.fields.map((f, i) => (
        <Text key={f.name} wrap="truncate">
          <Text color={i === form.focus ? t.accent : undefined} bold={i === form.focus}>
            {i === form.focus ? "› " : "  "}
            {cell(f.label, 30)}
          </Text>
          <Text
            inverse={i === form.focus}
          >{` ${form.fields[f.name] ?? ""}${i === form.focus && form.stage === "edit" ? "▏" : " "}`}</Text>
        </Text>
      ))}
      <Text> </Text>
      <Text bold color={t.accent}>
        {cell("", 14)}
        {cell("before", 16, "right")}
        {"     "}
        {cell("after", 16, "right")}
      </Text>
      {line("Collateral", (v) => `${lrt(v.collateral)} LRT`)}
      {line("Debt", (v) => `${sol(v.debt)} SOL`)}
      {line("LTV", (v) => (v.ltvBps === undefined ? "—" : pct(v.ltvBps)))}
      {line("Leverage", (v) => leverage(v.leverageBps))}
      {line("Liq. at", (v) => depeg(v))}
      <Text wrap="truncate" color={t.dim}>
        {preview && !preview.error ? outcome(state, preview) : " "}
      </Text>
      {done ? null : inputError ? (
        <Text color={t.warn}>! {inputError}</Text>
      ) : preview?.error ? (
        <Text color={t.bad} wrap="wrap">
          ✗ Would fail: {preview.error}
          {hint ? ` — ${hint}` : ""}
        </Text>
      ) : (
        <Text color={t.good}>✓ The exact math says this passes.</Text>
      )}
      {form.error ? (
        <Text color={t.bad} wrap="wrap">
          ✖ {form.error}
        </Text>
      ) : null}
      <FormStage state={state} />
    </Box>
  );
}

function FormStage({ state }: { state: State }) {
  const t = useTheme();
  const form = state.ui.form!;
  const tx = state.activity.find((a) => a.id === form.txId);
  switch (form.stage) {
    case "simulating":
      return <Text color={t.accent}>… simulating on {state.cluster}</Text>;
    case "confirm":
      return (
        <Box
          flexDirection="column"
          borderStyle={state.ui.size.rows < 30 ? undefined : "round"}
          borderColor={state.cluster === "mainnet" ? t.bad : t.accent}
          paddingX={1}
        >
          <Text bold>Simulation passed. Send this transaction?</Text>
          <Text wrap="truncate">{`${ACTIONS[form.kind].verb} ${formSummary(state)}`}</Text>
          <Text>
            Network fee {form.fee === undefined ? "unknown (the cluster did not say)" : `${sol(form.fee, 6)} SOL`}
            {form.rent
              ? ` · rent ${form.rent.returned ? "returned" : "deposited"} ${sol(form.rent.lamports, 6)} SOL`
              : ""}
          </Text>
          <Text color={form.blocksLeft !== undefined && form.blocksLeft < 30 ? t.warn : undefined}>
            ⌛ the quote's blockhash stays valid for {form.blocksLeft ?? "?"} more blocks (about{" "}
            {duration(Math.round((form.blocksLeft ?? 0) * 0.4))})
          </Text>
          {state.cluster === "mainnet" ? (
            <Text color={t.bad} bold>
              MAINNET: type "mainnet" and Enter to send, Esc to cancel: {form.typed}▏
            </Text>
          ) : (
            <Text>y or Enter sends · n or Esc cancels</Text>
          )}
        </Box>
      );
    case "sending":
      return (
        <Text color={t.accent}>… sent, waiting for confirmation {tx?.signature ? shortKey(tx.signature, 8) : ""}</Text>
      );
    case "done":
      return (
        <Text color={t.good} bold>
          ✔ confirmed {tx?.signature ? shortKey(tx.signature, 8) : ""} — Enter or Esc to close
        </Text>
      );
    default:
      return <Text color={t.dim}>Enter simulates · Tab moves between fields · Esc cancels</Text>;
  }
}
