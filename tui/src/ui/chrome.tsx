// The frame around every screen: header (cluster, slot, latency, wallet, feed status), tabs, the key
// hints bar, the toast line, the help overlay, and the "terminal too small" screen.
import { Box, Text } from "ink";
import { duration, shortKey, sol } from "../format.js";
import { HELP, hintsFor, PALETTE_HELP } from "../keymap.js";
import { feedStatus } from "../store/selectors.js";
import { type State, TAB_TITLES, TABS } from "../store/state.js";
import { useTheme } from "./theme.js";

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export function Header({ state }: { state: State }) {
  const t = useTheme();
  const { chain, wallet, world } = state;
  const badge = state.cluster.toUpperCase();
  let feed = <Text color={t.dim}>feed: …</Text>;
  if (world && chain.now !== undefined) {
    const s = feedStatus(world, chain.now);
    feed = s.stale ? (
      <Text color={t.bad} bold>
        ✖ FEED STALE {duration(-s.staleInSecs)}
      </Text>
    ) : (
      <Text color={t.good}>● feed fresh {duration(s.staleInSecs)}</Text>
    );
    if (s.bunker)
      feed = (
        <>
          {feed}
          <Text color={t.warn} bold>
            {" "}
            ▲ BUNKER
          </Text>
        </>
      );
  }
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate">
        <Text bold color={t.accent}>
          LANTERN{" "}
        </Text>
        <Text inverse color={t.badge[state.cluster]}>
          {" "}
          {badge}{" "}
        </Text>
        <Text color={t.dim}>
          {" "}
          {chain.status === "live"
            ? `slot ${chain.slot} · ${chain.latencyMs} ms`
            : chain.status === "error"
              ? "RPC error"
              : "connecting…"}
        </Text>
      </Text>
      <Text wrap="truncate">
        {wallet.pubkey ? (
          <Text>
            ◆ {shortKey(wallet.pubkey)} {wallet.lamports === undefined ? "" : `${sol(wallet.lamports, 3)} SOL`}{" "}
          </Text>
        ) : (
          <Text color={t.warn}>◇ read-only </Text>
        )}
        {feed}
      </Text>
    </Box>
  );
}

export function Tabs({ state }: { state: State }) {
  const t = useTheme();
  return (
    <Box>
      <Text wrap="truncate">
        {TABS.map((tab, i) => {
          const active = state.ui.tab === tab;
          return (
            <Text key={tab} inverse={active} bold={active} color={active ? t.accent : undefined}>
              {` ${i + 1} ${TAB_TITLES[tab]} `}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}

export function HintBar({ state }: { state: State }) {
  const t = useTheme();
  const hints = hintsFor(state);
  // Narrow terminals: one space between hints, and a disabled key shows only its ✗ (the reason is a
  // key press away).
  const narrow = state.ui.size.columns < 120;
  return (
    <Text wrap="truncate">
      {hints.map((h) => (
        <Text key={h.key + h.label}>
          <Text bold inverse={!h.disabled} color={h.disabled ? t.dim : undefined}>
            {h.key}
          </Text>
          <Text color={h.disabled ? t.dim : undefined} strikethrough={Boolean(h.disabled) && t.name !== "mono"}>
            {h.disabled ? (narrow ? "✗" : ` ${h.label} ✗`) : ` ${h.label}`}
          </Text>
          {narrow ? " " : "  "}
        </Text>
      ))}
    </Text>
  );
}

export function StatusLine({ state }: { state: State }) {
  const t = useTheme();
  if (state.ui.quitConfirm)
    return (
      <Text color={t.warn} bold wrap="truncate">
        A transaction is in flight: quitting now does not cancel it. Quit anyway? (y / any key to stay)
      </Text>
    );
  if (state.ui.palette !== undefined)
    return (
      <Text wrap="truncate">
        <Text bold color={t.accent}>
          :{state.ui.palette}▏
        </Text>
        <Text color={t.dim}> {PALETTE_HELP}</Text>
      </Text>
    );
  if (state.ui.lastCtrlC !== undefined)
    return (
      <Text color={t.warn} wrap="truncate">
        Press Ctrl+C again to quit.
      </Text>
    );
  if (state.chain.status === "error")
    return (
      <Text color={t.bad} wrap="truncate">
        ✖ {state.chain.error}
      </Text>
    );
  return (
    <Text color={t.accent} wrap="truncate">
      {state.ui.toast ??
        (state.ui.filterEditing || state.ui.filter ? `/${state.ui.filter}${state.ui.filterEditing ? "▏" : ""}` : " ")}
    </Text>
  );
}

export function HelpOverlay() {
  const t = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={t.accent} paddingX={1}>
      <Text bold>Keys</Text>
      {HELP.map((h) => (
        <Text key={h.key} wrap="truncate">
          <Text bold color={t.accent}>
            {h.key.padEnd(18)}
          </Text>
          {h.what}
        </Text>
      ))}
      <Text color={t.dim}>A key that cannot act now is struck out in the bottom bar with the reason.</Text>
    </Box>
  );
}

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>Terminal too small</Text>
      <Text>
        Lantern needs at least {MIN_COLUMNS}×{MIN_ROWS}; this one is {columns}×{rows}.
      </Text>
      <Text>Enlarge the window (or q to quit).</Text>
    </Box>
  );
}
