// What the TUI says on the normal screen after it quits: what it stopped, what this run sent, and any
// transaction that was still in flight (it may still land: quitting does not cancel it). Pure.
import type { State, TxStatus } from "./store/state.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function quitSummary(state: State): string {
  const stopped = [`reading the chain at ${state.rpcUrl}`];
  if (state.keepers.length) stopped.push(`polling ${plural(state.keepers.length, "keeper")}`);
  if (state.sim.status === "running") {
    const p = state.sim.progress;
    stopped.push(`a simulation run (cancelled${p ? ` at ${p.done}/${p.total} paths` : ""})`);
  }
  const lines = [`Lantern TUI closed. Stopped ${stopped.join(", ")}.`];
  const sent = state.activity.filter((t) => t.status !== "observed");
  if (sent.length) {
    const count = (status: TxStatus) => sent.filter((t) => t.status === status).length;
    const parts = (["confirmed", "failed", "expired"] as const)
      .map((status) => [count(status), status] as const)
      .filter(([n]) => n > 0)
      .map(([n, status]) => `${n} ${status}`);
    lines.push(`This run: ${plural(sent.length, "transaction")}${parts.length ? ` (${parts.join(", ")})` : ""}.`);
  }
  for (const t of sent.filter((x) => x.status === "sending"))
    lines.push(
      `Still in flight when you quit: ${t.action} ${t.summary}${t.signature ? ` (${t.signature})` : ""} — it may still land; quitting does not cancel it.`,
    );
  return lines.join("\n");
}
