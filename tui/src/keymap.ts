// Keys → commands, as a pure function of the state (so it is testable without a terminal), and the
// hints the bottom bar and the help overlay show for the current context. Layers, first match wins:
// quit confirmation > help overlay > action form > filter editing > screen > global.
import type { ThemeName } from "./config.js";
import { ACTION_BY_KEY, ACTIONS, actionAvailability } from "./store/forms.js";
import { ACTION_KINDS, type ActionKind, type State, TABS, type Tab } from "./store/state.js";

export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export type Command =
  | { type: "none" }
  | { type: "quit" }
  | { type: "quitAsk" }
  | { type: "quitCancel" }
  | { type: "ctrlC" }
  | { type: "tab"; tab: Tab }
  | { type: "help"; open: boolean }
  | { type: "theme"; theme: ThemeName }
  | { type: "move"; delta: number }
  | { type: "detail"; open: boolean }
  | { type: "filter"; text: string; editing: boolean }
  | { type: "action"; kind: ActionKind }
  | { type: "disabled"; reason: string }
  | { type: "formField"; value: string }
  | { type: "formFocus"; delta: number }
  | { type: "formSubmit" }
  | { type: "formTyped"; value: string }
  | { type: "formCancel" }
  | { type: "refresh" }
  | { type: "simSelect"; delta: number }
  | { type: "simPolicy" }
  | { type: "simPaths"; delta: number }
  | { type: "simHorizon"; delta: number }
  | { type: "simExport" }
  | { type: "simRun" }
  | { type: "simCancel" }
  | { type: "palette"; text: string | undefined }
  | { type: "paletteRun"; text: string }
  | { type: "shock"; line: string }
  | { type: "error"; message: string };

/** What the `:` command line understands (also the help text). */
export const PALETTE_HELP =
  "goto markets|sub|oracle|sim|keeper|activity · theme dark|light|mono · lever · delever · repay · new · deposit · withdraw · close · export · refresh · depeg 5% [10m] · slash 3% · recover · quit";

const ACTION_WORDS: Record<string, ActionKind> = {
  lever: "leverageUp",
  delever: "deleverage",
  deleverage: "deleverage",
  repay: "repay",
  new: "create",
  open: "create",
  create: "create",
  deposit: "deposit",
  withdraw: "withdraw",
  close: "close",
};

const TAB_WORDS: Record<string, Tab> = {
  markets: "markets",
  market: "markets",
  sub: "subaccounts",
  subs: "subaccounts",
  "sub-accounts": "subaccounts",
  subaccounts: "subaccounts",
  oracle: "oracle",
  sim: "simulator",
  simulator: "simulator",
  keeper: "keeper",
  keepers: "keeper",
  activity: "activity",
};

/** A `:` command line → the command it means, or why it means none. */
export function parsePalette(state: State, text: string): Command {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const [verb, arg] = words;
  if (!verb) return { type: "palette", text: undefined };
  const tab = TAB_WORDS[verb] ?? (verb === "goto" && arg ? TAB_WORDS[arg] : undefined);
  if (tab) return { type: "tab", tab };
  if (/^[1-6]$/.test(verb)) return { type: "tab", tab: TABS[Number(verb) - 1]! };
  if (verb === "theme") {
    if (arg === "dark" || arg === "light" || arg === "mono") return { type: "theme", theme: arg };
    return { type: "error", message: "theme takes dark, light or mono" };
  }
  const kind = ACTION_WORDS[verb];
  if (kind) {
    if (state.ui.tab !== "subaccounts")
      return { type: "error", message: "select a sub-account on the Sub-accounts tab first" };
    const a = actionAvailability(state, kind);
    return a.enabled ? { type: "action", kind } : { type: "disabled", reason: a.reason ?? "not available" };
  }
  if (verb === "refresh") return { type: "refresh" };
  if (verb === "export") {
    if (state.ui.tab !== "simulator")
      return { type: "error", message: "export writes the newest run: open the Simulator tab (4)" };
    return state.sim.runs.length ? { type: "simExport" } : { type: "disabled", reason: NO_RUN };
  }
  if (verb === "quit" || verb === "q") return { type: "quitAsk" };
  if (verb === "depeg" || verb === "slash" || verb === "recover") return { type: "shock", line: text.trim() };
  return { type: "error", message: `Unknown command "${text.trim()}": ${PALETTE_HELP}` };
}

const THEMES: ThemeName[] = ["dark", "light", "mono"];
const NO_RUN = "run a scenario first: there is nothing to export yet";

/** Printable text: one key, or a paste (a terminal delivers pasted text as one input), no control codes. */
const printable = (input: string) => input.length > 0 && [...input].every((c) => c >= " " && c !== "\x7f");

export function resolveKey(state: State, input: string, key: KeyInfo, txInFlight = false): Command {
  const ui = state.ui;
  if (key.ctrl && input === "c") return { type: "ctrlC" };
  if (ui.quitConfirm) {
    if (input === "y" || input === "q") return { type: "quit" };
    return { type: "quitCancel" };
  }
  if (ui.help) {
    if (key.escape || input === "?" || input === "q") return { type: "help", open: false };
    return { type: "none" };
  }
  if (ui.palette !== undefined) {
    if (key.escape) return { type: "palette", text: undefined };
    if (key.return) return { type: "paletteRun", text: ui.palette };
    if (key.backspace || key.delete) return { type: "palette", text: ui.palette.slice(0, -1) };
    if (printable(input)) return { type: "palette", text: ui.palette + input };
    return { type: "none" };
  }
  const form = ui.form;
  if (form) {
    if (key.escape) return form.stage === "sending" ? { type: "none" } : { type: "formCancel" };
    if (form.stage === "sending" || form.stage === "simulating") return { type: "none" };
    if (form.stage === "confirm") {
      if (state.cluster === "mainnet") {
        if (key.return) return { type: "formSubmit" };
        if (key.backspace || key.delete) return { type: "formTyped", value: form.typed.slice(0, -1) };
        if (printable(input)) return { type: "formTyped", value: form.typed + input };
        return { type: "none" };
      }
      if (key.return || input === "y") return { type: "formSubmit" };
      if (input === "n") return { type: "formCancel" };
      return { type: "none" };
    }
    if (form.stage === "done") {
      if (key.return) return { type: "formCancel" };
      return { type: "none" };
    }
    if (key.return) return { type: "formSubmit" };
    if (key.tab || key.downArrow) return { type: "formFocus", delta: key.shift ? -1 : 1 };
    if (key.upArrow) return { type: "formFocus", delta: -1 };
    if (key.backspace || key.delete) return { type: "formField", value: "\b" };
    if (printable(input) && /^[0-9.]+$/.test(input)) return { type: "formField", value: input };
    return { type: "none" };
  }
  if (ui.filterEditing) {
    if (key.escape) return { type: "filter", text: "", editing: false };
    if (key.return) return { type: "filter", text: ui.filter, editing: false };
    if (key.backspace || key.delete) return { type: "filter", text: ui.filter.slice(0, -1), editing: true };
    if (printable(input)) return { type: "filter", text: ui.filter + input, editing: true };
    return { type: "none" };
  }
  // Screen and global keys.
  if (input === "q") return txInFlight ? { type: "quitAsk" } : { type: "quit" };
  if (input === "?") return { type: "help", open: true };
  if (input === ":") return { type: "palette", text: "" };
  if (input >= "1" && input <= "6") return { type: "tab", tab: TABS[Number(input) - 1]! };
  if (input === "t") return { type: "theme", theme: THEMES[(THEMES.indexOf(ui.theme) + 1) % THEMES.length]! };
  if (input === "R") return { type: "refresh" };
  if (key.tab) {
    const i = TABS.indexOf(ui.tab);
    return { type: "tab", tab: TABS[(i + (key.shift ? TABS.length - 1 : 1)) % TABS.length]! };
  }
  if (ui.tab === "simulator") {
    const running = state.sim.status === "running";
    if (key.escape) return running ? { type: "simCancel" } : { type: "none" };
    if (running) return { type: "none" };
    if (key.upArrow || input === "k") return { type: "simSelect", delta: -1 };
    if (key.downArrow || input === "j") return { type: "simSelect", delta: 1 };
    if (input === "p") return { type: "simPolicy" };
    if (input === "+" || input === "=") return { type: "simPaths", delta: 1 };
    if (input === "-") return { type: "simPaths", delta: -1 };
    if (input === "[") return { type: "simHorizon", delta: -1 };
    if (input === "]") return { type: "simHorizon", delta: 1 };
    if (input === "e") return state.sim.runs.length ? { type: "simExport" } : { type: "disabled", reason: NO_RUN };
    if (key.return) return { type: "simRun" };
    return { type: "none" };
  }
  if (key.upArrow || input === "k") return { type: "move", delta: -1 };
  if (key.downArrow || input === "j") return { type: "move", delta: 1 };
  if (key.escape) {
    if (ui.detail) return { type: "detail", open: false };
    if (ui.filter) return { type: "filter", text: "", editing: false };
    return { type: "none" };
  }
  if (ui.tab === "subaccounts") {
    if (key.return) return { type: "detail", open: true };
    if (input === "/") return { type: "filter", text: "", editing: true };
    const kind = ACTION_BY_KEY[input];
    if (kind) {
      const a = actionAvailability(state, kind);
      return a.enabled ? { type: "action", kind } : { type: "disabled", reason: a.reason ?? "not available" };
    }
  }
  if (ui.tab === "activity" && input === "/") return { type: "filter", text: "", editing: true };
  return { type: "none" };
}

export interface Hint {
  key: string;
  label: string;
  /** Why the key does nothing now. */
  disabled?: string;
}

export function hintsFor(state: State): Hint[] {
  const ui = state.ui;
  if (ui.quitConfirm)
    return [
      { key: "y", label: "quit anyway" },
      { key: "any", label: "stay" },
    ];
  if (ui.help) return [{ key: "Esc", label: "close help" }];
  if (ui.palette !== undefined)
    return [
      { key: "⏎", label: "run" },
      { key: "Esc", label: "close" },
    ];
  if (ui.form) {
    switch (ui.form.stage) {
      case "confirm":
        return state.cluster === "mainnet"
          ? [
              { key: "type mainnet ⏎", label: "send" },
              { key: "Esc", label: "cancel" },
            ]
          : [
              { key: "y/⏎", label: "send" },
              { key: "n/Esc", label: "cancel" },
            ];
      case "sending":
        return [{ key: "…", label: "waiting for the cluster" }];
      case "done":
        return [{ key: "⏎/Esc", label: "close" }];
      default:
        return [
          { key: "⏎", label: "simulate" },
          { key: "Tab/↑↓", label: "field" },
          { key: "Esc", label: "cancel" },
        ];
    }
  }
  if (ui.filterEditing)
    return [
      { key: "⏎", label: "keep filter" },
      { key: "Esc", label: "clear" },
    ];
  const hints: Hint[] = [];
  if (ui.tab === "subaccounts") {
    // Seven action keys: on a narrow terminal the tabs and selection hints give way, labels shorten.
    const wide = ui.size.columns >= 140;
    if (wide) hints.push({ key: "1-6", label: "tabs" }, { key: "↑↓", label: "select" });
    hints.push(ui.detail || ui.filter ? { key: "Esc", label: "back" } : { key: "⏎", label: "open" });
    for (const kind of ACTION_KINDS) {
      const a = ACTIONS[kind];
      hints.push({ key: a.key, label: wide ? a.verb : a.short, disabled: actionAvailability(state, kind).reason });
    }
  } else if (ui.tab !== "simulator" || ui.size.columns >= 120) hints.push({ key: "1-6", label: "tabs" });
  if (ui.tab === "simulator") {
    if (state.sim.status === "running") hints.push({ key: "Esc", label: "cancel the run" });
    else
      hints.push(
        { key: "↑↓", label: "scenario" },
        { key: "p", label: "policy" },
        { key: "+/-", label: "paths" },
        { key: "[ ]", label: "horizon" },
        { key: "⏎", label: "run" },
        { key: "e", label: "export", disabled: state.sim.runs.length ? undefined : NO_RUN },
      );
  }
  if ((ui.detail || ui.filter) && ui.tab !== "subaccounts") hints.push({ key: "Esc", label: "back" });
  if (ui.tab !== "subaccounts") hints.push({ key: "t", label: "theme" });
  hints.push({ key: "?", label: "help" }, { key: "q", label: "quit" });
  return hints;
}

/** Every key, for the help overlay. */
export const HELP: { key: string; what: string }[] = [
  { key: "1 … 6  Tab", what: "Markets, Sub-accounts, Oracle, Simulator, Keeper, Activity (Shift+Tab: back)" },
  { key: "↑ ↓  or  k j", what: "move the selection" },
  { key: "Enter", what: "open the selected sub-account; in a form: simulate, then send" },
  { key: "l  u  r", what: "lever up · deleverage · repay (repay works on a stale feed or a paused market)" },
  { key: "n  d  w  x", what: "new sub-account · deposit LRT · withdraw LRT · close an empty one" },
  { key: "/", what: "filter the list (Enter keeps it, Esc clears it)" },
  { key: "p + - [ ] ⏎ e", what: "Simulator: policy, fewer/more paths, shorter/longer horizon, run, export" },
  { key: "Esc", what: "back: close the form, the detail, the filter" },
  { key: "t", what: "theme: dark → light → mono" },
  { key: "R", what: "read the chain now" },
  { key: ":", what: "command line: goto, theme, the actions by name, refresh, quit; depeg/slash/recover" },
  { key: "?", what: "this help" },
  { key: "q", what: "quit (asks first while a transaction is in flight)" },
  { key: "Ctrl+C twice", what: "quit at once" },
];
