// Starting the TUI: the wallet (keypair file, or the demo's trader), the services, the store, and
// either the interactive app (alternate screen, raw keys) or one snapshot (text or JSON) on stdout.
// This module loads Ink, so it is imported only after FORCE_COLOR has been settled (see index.ts).
import { LanternClient, NATIVE_SOL_MINT } from "@lantern/sdk";
import { readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { Connection, type Keypair, PublicKey } from "@solana/web3.js";
import { render, renderToString } from "ink";
import type { TuiConfig } from "./config.js";
import { Controller } from "./controller.js";
import { ChainService } from "./services/chain.js";
import { pollKeeper, startKeeperPolling } from "./services/keeper.js";
import { demoMarketShock } from "./services/demoMarket.js";
import { SimService } from "./services/sim.js";
import { associatedTokenAddress } from "./services/tokens.js";
import { TxService } from "./services/tx.js";
import { quitSummary } from "./quit.js";
import { toSnapshot } from "./snapshot.js";
import { initialState, type Tab } from "./store/state.js";
import { createStore } from "./store/store.js";
import { App } from "./ui/App.js";

export interface RunOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export async function runWithConfig(config: TuiConfig, options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  let signer: Keypair | undefined;
  let wsol = config.wsol ? new PublicKey(config.wsol) : undefined;
  let lrt = config.lrt ? new PublicKey(config.lrt) : undefined;
  if (config.keypairPath) signer = readKeypairFile(config.keypairPath);
  else if (config.demoDir) {
    const demo = readDemoManifest(config.demoDir);
    signer = readKeypairFile(demo.wallets.trader.keypair);
    wsol ??= new PublicKey(demo.wallets.trader.wsol);
    lrt ??= new PublicKey(demo.wallets.trader.lrt);
  }
  if (signer && !wsol) wsol = associatedTokenAddress(signer.publicKey, NATIVE_SOL_MINT);

  const store = createStore(
    initialState({
      cluster: config.cluster,
      rpcUrl: config.rpcUrl,
      pubkey: signer?.publicKey.toBase58(),
      readOnlyReason: config.readOnlyReason,
      keepers: config.keepers,
      theme: config.theme,
      size: { columns: stdout.columns ?? 120, rows: stdout.rows ?? 40 },
    }),
  );
  const connection = new Connection(config.rpcUrl, { commitment: config.commitment, wsEndpoint: config.wsUrl });
  const chain = new ChainService({
    connection,
    store,
    owner: signer?.publicKey,
    market: config.market,
    lrtAccount: lrt,
    refreshMs: config.refreshMs,
  });

  if (config.mode !== "interactive") {
    await chain.refresh();
    await Promise.all(store.getState().keepers.map((k) => pollKeeper(store, k.url)));
    store.flush();
    const state = store.getState();
    if (config.mode === "json") stdout.write(`${JSON.stringify(toSnapshot(state), null, 2)}\n`);
    else {
      // The screens a snapshot is for, one after the other, each without its trailing blank rows.
      const columns = Math.max(80, stdout.columns ?? 120);
      const tabs: Tab[] = ["subaccounts", "markets", "oracle", ...(state.keepers.length ? (["keeper"] as const) : [])];
      for (const tab of tabs) {
        const s = createStore({ ...state, ui: { ...state.ui, tab, size: { columns, rows: 40 } } }, 0);
        const controller = new Controller({ store: s, chain: undefined, tx: undefined, exit: () => undefined });
        const text = renderToString(<App store={s} controller={controller} interactive={false} />, { columns });
        const lines = text.split("\n").map((l) => l.trimEnd());
        const bottom = lines.splice(-2); // status line and key hints
        while (lines.length && lines[lines.length - 1] === "") lines.pop();
        stdout.write(`${[...lines, ...bottom.filter((l) => l !== "")].join("\n")}\n\n`);
      }
    }
    return state.chain.status === "error" ? 1 : 0;
  }

  const client = signer ? new LanternClient(connection, { wallet: signer, commitment: config.commitment }) : undefined;
  let app: ReturnType<typeof render> | undefined;
  const tx =
    client && signer && wsol
      ? new TxService({
          client,
          store,
          signer,
          wsol,
          lrt,
          onSettled: () => {
            chain.rescanSubAccounts();
            void chain.refresh();
          },
        })
      : undefined;
  const sim = new SimService(store);
  sim.load();
  const shock = config.demoMarket ? demoMarketShock(config.demoMarket) : undefined;
  const controller = new Controller({ store, chain, tx, sim, shock, exit: () => app?.unmount() });
  chain.start();
  const stopKeepers = startKeeperPolling(store);
  const alternate = !process.env.CI || process.env.CI === "0" || process.env.CI === "false";
  if (alternate) stdout.write("\x1b[?1049h\x1b[H");
  const restore = () => {
    if (alternate) stdout.write("\x1b[?25h\x1b[?1049l");
  };
  process.once("exit", restore);
  let summary = "";
  try {
    app = render(<App store={store} controller={controller} />, {
      stdout,
      stdin: options.stdin ?? process.stdin,
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 20,
    });
    await app.waitUntilExit();
    summary = quitSummary(store.getState());
  } finally {
    chain.stop();
    sim.cancel();
    stopKeepers();
    tx?.dispose();
    controller.dispose();
    restore();
    process.removeListener("exit", restore);
  }
  // On the normal screen again: what quitting stopped, what this run sent, what may still land.
  stdout.write(`${summary}\n`);
  return 0;
}
