// The layout shell: header, tabs, the current screen, status line and key hints, inside a box one row
// shorter than the terminal (Ink 6.8 clears the whole screen on every frame that is as tall as it).
// One input handler for the whole app, stable across renders, routes keys through the keymap.
import { Box, useInput, useStdout } from "ink";
import { useEffect, useRef } from "react";
import type { Controller } from "../controller.js";
import { type KeyInfo, resolveKey } from "../keymap.js";
import type { Store } from "../store/store.js";
import { Header, HelpOverlay, HintBar, MIN_COLUMNS, MIN_ROWS, StatusLine, Tabs, TooSmall } from "./chrome.js";
import { StoreContext, useStoreState } from "./hooks.js";
import { ActivityScreen } from "./screens/Activity.js";
import { KeeperScreen } from "./screens/Keeper.js";
import { MarketsScreen } from "./screens/Markets.js";
import { OracleScreen } from "./screens/Oracle.js";
import { SimulatorScreen } from "./screens/Simulator.js";
import { SubAccountsScreen } from "./screens/SubAccounts.js";
import { THEMES, ThemeContext } from "./theme.js";

export function App({
  store,
  controller,
  interactive = true,
}: {
  store: Store;
  controller: Controller;
  interactive?: boolean;
}) {
  return (
    <StoreContext.Provider value={store}>
      <Shell store={store} controller={controller} interactive={interactive} />
    </StoreContext.Provider>
  );
}

function Input({ store, controller }: { store: Store; controller: Controller }) {
  const handler = useRef<(input: string, key: KeyInfo) => void>(() => undefined);
  handler.current = (input, key) => controller.run(resolveKey(store.getState(), input, key, controller.busy));
  const stable = useRef((input: string, key: KeyInfo) => handler.current(input, key)).current;
  useInput(stable);
  return null;
}

function useTerminalSize(store: Store) {
  const { stdout } = useStdout();
  useEffect(() => {
    const update = () => {
      const columns = stdout.columns ?? 80;
      const rows = stdout.rows ?? 24;
      const size = store.getState().ui.size;
      if (size.columns !== columns || size.rows !== rows) store.dispatch({ type: "ui/resize", columns, rows });
    };
    update();
    stdout.on("resize", update);
    return () => {
      stdout.off("resize", update);
    };
  }, [stdout, store]);
}

function Shell({ store, controller, interactive }: { store: Store; controller: Controller; interactive: boolean }) {
  const state = useStoreState();
  useTerminalSize(store);
  const { columns, rows } = state.ui.size;
  const theme = THEMES[state.ui.theme];
  const body = () => {
    const height = rows - 6;
    if (state.ui.help) return <HelpOverlay />;
    switch (state.ui.tab) {
      case "markets":
        return <MarketsScreen state={state} />;
      case "subaccounts":
        return <SubAccountsScreen state={state} height={height} />;
      case "oracle":
        return <OracleScreen state={state} height={height} />;
      case "simulator":
        return <SimulatorScreen state={state} height={height} />;
      case "keeper":
        return <KeeperScreen state={state} height={height} />;
      case "activity":
        return <ActivityScreen state={state} height={height} />;
    }
  };
  return (
    <ThemeContext.Provider value={theme}>
      {interactive ? <Input store={store} controller={controller} /> : null}
      {columns < MIN_COLUMNS || rows < MIN_ROWS ? (
        <TooSmall columns={columns} rows={rows} />
      ) : (
        <Box flexDirection="column" width={columns} height={rows - 1}>
          <Header state={state} />
          <Tabs state={state} />
          <Box flexDirection="column" flexGrow={1} overflow="hidden" paddingX={1}>
            {body()}
          </Box>
          <StatusLine state={state} />
          <HintBar state={state} />
        </Box>
      )}
    </ThemeContext.Provider>
  );
}
