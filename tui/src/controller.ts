// Turns commands (from the keymap) into store actions and service calls: the only place where the
// person's intent meets I/O. Views never call services directly.
import { type Command, parsePalette } from "./keymap.js";
import type { ChainService } from "./services/chain.js";
import type { SimService } from "./services/sim.js";
import type { TxService } from "./services/tx.js";
import { ACTIONS, initialFields, selectFormPreview } from "./store/forms.js";
import { selectSubRows, stepHorizon } from "./store/selectors.js";
import { SIM_PATHS, SIM_POLICIES } from "./store/state.js";
import type { Store } from "./store/store.js";

export interface ControllerDeps {
  store: Store;
  chain: ChainService | undefined;
  tx: TxService | undefined;
  sim?: SimService | undefined;
  /** Sends a shock line to the demo market (`npm start`); undefined elsewhere. */
  shock?: ((line: string) => Promise<string>) | undefined;
  exit: () => void;
  now?: () => number;
}

export class Controller {
  private toastTimer: ReturnType<typeof setTimeout> | undefined;
  private ctrlCTimer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly d: ControllerDeps) {}

  get busy(): boolean {
    return this.d.tx?.busy ?? false;
  }

  toast(text: string, ms = 4_000): void {
    this.d.store.dispatch({ type: "ui/toast", text });
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.d.store.dispatch({ type: "ui/toast", text: undefined }), ms);
    this.toastTimer.unref?.();
  }

  dispose(): void {
    if (this.toastTimer) clearTimeout(this.toastTimer);
    if (this.ctrlCTimer) clearTimeout(this.ctrlCTimer);
  }

  run(c: Command): void {
    const { store } = this.d;
    const state = store.getState();
    const now = (this.d.now ?? Date.now)();
    switch (c.type) {
      case "none":
        return;
      case "quit":
        this.d.exit();
        return;
      case "quitAsk":
        store.dispatch({ type: "ui/quitConfirm", open: true });
        return;
      case "quitCancel":
        store.dispatch({ type: "ui/quitConfirm", open: false });
        return;
      case "ctrlC":
        if (state.ui.lastCtrlC !== undefined && now - state.ui.lastCtrlC < 2_000) {
          this.d.exit();
          return;
        }
        store.dispatch({ type: "ui/ctrlC", at: now });
        if (this.ctrlCTimer) clearTimeout(this.ctrlCTimer);
        this.ctrlCTimer = setTimeout(() => store.dispatch({ type: "ui/ctrlC", at: undefined }), 2_000);
        this.ctrlCTimer.unref?.();
        return;
      case "tab":
        store.dispatch({ type: "ui/tab", tab: c.tab });
        return;
      case "help":
        store.dispatch({ type: "ui/help", open: c.open });
        return;
      case "theme":
        store.dispatch({ type: "ui/theme", theme: c.theme });
        return;
      case "move": {
        const count =
          state.ui.tab === "subaccounts"
            ? selectSubRows(state).length
            : state.ui.tab === "keeper"
              ? state.keepers.length
              : state.ui.tab === "activity"
                ? state.activity.length
                : 0;
        store.dispatch({ type: "ui/move", delta: c.delta, count });
        return;
      }
      case "detail":
        store.dispatch({ type: "ui/detail", open: c.open });
        return;
      case "filter":
        store.dispatch({ type: "ui/filter", text: c.text, editing: c.editing });
        return;
      case "disabled":
        this.toast(`Not now: ${c.reason}`);
        return;
      case "action": {
        const row = selectSubRows(state)[state.ui.selected];
        if (ACTIONS[c.kind].onSelected && !row) return;
        const subAddress = ACTIONS[c.kind].onSelected ? row!.address : "";
        store.dispatch({ type: "ui/form/open", kind: c.kind, subAddress, fields: initialFields(state, c.kind) });
        return;
      }
      case "formField": {
        const form = state.ui.form;
        const field = form && ACTIONS[form.kind].fields[form.focus];
        if (!form || !field) return;
        const name = field.name;
        const old = form.fields[name] ?? "";
        store.dispatch({ type: "ui/form/field", name, value: c.value === "\b" ? old.slice(0, -1) : old + c.value });
        return;
      }
      case "formFocus": {
        const form = state.ui.form;
        if (!form) return;
        const n = ACTIONS[form.kind].fields.length;
        if (n === 0) return;
        store.dispatch({ type: "ui/form/patch", patch: { focus: (form.focus + c.delta + n) % n } });
        return;
      }
      case "formTyped":
        store.dispatch({ type: "ui/form/patch", patch: { typed: c.value } });
        return;
      case "formCancel":
        store.dispatch({ type: "ui/form/close" });
        return;
      case "formSubmit": {
        const form = state.ui.form;
        if (!form) return;
        if (!this.d.tx) {
          store.dispatch({
            type: "ui/form/patch",
            patch: { error: "Read-only: no keypair to sign with (pass --keypair)" },
          });
          return;
        }
        if (form.stage === "edit") {
          const { preview, inputError } = selectFormPreview(state);
          if (inputError || !preview) {
            store.dispatch({ type: "ui/form/patch", patch: { error: inputError ?? "Nothing to preview yet" } });
            return;
          }
          void this.d.tx.simulate();
          return;
        }
        if (form.stage === "confirm") {
          if (state.cluster === "mainnet" && form.typed !== "mainnet") {
            store.dispatch({
              type: "ui/form/patch",
              patch: { error: 'Type "mainnet" exactly to send on mainnet', typed: "" },
            });
            return;
          }
          void this.d.tx.send();
        }
        return;
      }
      case "simSelect": {
        const n = state.sim.scenarios.length;
        if (n > 0)
          store.dispatch({
            type: "sim/patch",
            patch: { selected: Math.max(0, Math.min(n - 1, state.sim.selected + c.delta)) },
          });
        return;
      }
      case "simPolicy":
        store.dispatch({
          type: "sim/patch",
          patch: { policy: SIM_POLICIES[(SIM_POLICIES.indexOf(state.sim.policy) + 1) % SIM_POLICIES.length]! },
        });
        return;
      case "simPaths": {
        const i = SIM_PATHS.indexOf(state.sim.paths);
        const next = SIM_PATHS[Math.max(0, Math.min(SIM_PATHS.length - 1, (i < 0 ? 3 : i) + c.delta))]!;
        store.dispatch({ type: "sim/patch", patch: { paths: next } });
        return;
      }
      case "simHorizon":
        store.dispatch({ type: "sim/patch", patch: { horizonDays: stepHorizon(state, c.delta) } });
        return;
      case "simExport":
        if (!this.d.sim) {
          this.toast("The simulator is not available in this mode");
          return;
        }
        this.d.sim.export();
        return;
      case "simRun":
        if (!this.d.sim) {
          this.toast("The simulator is not available in this mode");
          return;
        }
        void this.d.sim.run();
        return;
      case "simCancel":
        this.d.sim?.cancel();
        return;
      case "palette":
        store.dispatch({ type: "ui/palette", text: c.text });
        return;
      case "paletteRun": {
        store.dispatch({ type: "ui/palette", text: undefined });
        const next = parsePalette(store.getState(), c.text);
        if (next.type !== "palette") this.run(next);
        return;
      }
      case "error":
        this.toast(c.message, 6_000);
        return;
      case "shock": {
        const shock = this.d.shock;
        if (!shock) {
          this.toast("Shocks go to the demo market, which only npm start runs (--demo-market <url>)", 6_000);
          return;
        }
        this.toast(`Sending "${c.line}" to the demo market…`);
        shock(c.line).then(
          (answer) => this.toast(`${c.line} → ${answer.trim()}`, 8_000),
          (error: unknown) =>
            this.toast(`The demo market did not take "${c.line}": ${(error as Error).message}`, 8_000),
        );
        return;
      }
      case "refresh":
        void this.d.chain?.refresh();
        this.toast("Reading the chain…", 1_000);
        return;
    }
  }
}
