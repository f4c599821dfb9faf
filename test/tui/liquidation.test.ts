// The TUI end to end with keepers: a local chain of this file's own and the demo fleet (the demo market,
// six committee members, a liquidator, a cranker; 15-second frames and a 10-second EMA half-life, as the
// keeper e2e runs it). In tmux, one key at a time: the demo positions appear; `:depeg 20%` goes through
// the TUI's command line to the demo market's price source; the members report it, the EMA follows, the
// liquidator liquidates; the Activity tab shows the liquidation of the trader's sub-account (⚡ on chain,
// LRT seized, SOL repaid) and the Oracle chart shows the market under the fair rate.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startFleet } from "@lantern/keeper";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../setup/chain.js";

const root = resolve(import.meta.dirname, "../..");
const socket = `lantern-liq-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-t", "t", "-p");
const key = (k: string) => tmux("send-keys", "-t", "t", k);
const type = (text: string) => tmux("send-keys", "-t", "t", "-l", text);
/** Under the full suite every file runs beside this fleet on two cores: a liquidation can take minutes. */
const LOADED_WAIT_MS = 240_000;

async function waitFor(what: string | RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (typeof what === "string" ? last.includes(what) : what.test(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The screen never showed ${String(what)} within ${timeoutMs} ms. Last screen:\n${last}`);
}

const shows = (what: string, timeoutMs: number) =>
  waitFor(what, timeoutMs).then(
    () => true,
    () => false,
  );

/** Types `text` on the command line and runs it. The line opens on ":" (its key bar then offers
 * "⏎ run"); a loaded machine can miss keys sent right after a render — the ":" itself, or the text
 * typed before the line listens — so the line is opened, or closed and opened again, until the text
 * shows on it. */
async function runCommand(text: string) {
  for (let attempt = 1; ; attempt++) {
    key(":");
    if (await shows("⏎ run", 5_000)) {
      type(text);
      if (await shows(`:${text}`, 5_000)) break;
      key("Escape");
      await new Promise((r) => setTimeout(r, 500));
    }
    if (attempt === 4) throw new Error(`The command line never took "${text}". Last screen:\n${screen()}`);
  }
  key("Enter");
}

describe("TUI with the keeper fleet (tmux)", () => {
  let chain: LocalChain;
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    try {
      execFileSync("tmux", ["-V"]);
    } catch {
      throw new Error("This test drives the TUI through tmux, which is not installed: apt-get install -y tmux");
    }
    chain = await startLocalChain();
    fleet = await startFleet({
      demoDir: chain.demoDir,
      rpcUrl: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      basePort: 0,
      dryRun: false,
      frameSecs: 15,
      fastLaneSecs: 3,
      emaHalfLifeSecs: 10,
      epochSecs: 5,
      members: [0, 1, 2, 3, 4, 5],
      write: (line) => lines.push(line),
    });
    const command = [
      `cd ${root} &&`,
      "CI=false NO_COLOR=1",
      `${process.execPath} --import tsx tui/src/main.tsx`,
      `--url ${chain.rpcUrl} --demo ${chain.demoDir} --demo-market ${fleet.priceUrl} --refresh-ms 500;`,
      "echo TUI-EXIT-$?; sleep 60",
    ].join(" ");
    tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", command);
  }, 120_000);

  afterAll(async () => {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
    await fleet?.stop();
    // The fleet's lines stay with the chain's demo directory, for a failure's post-mortem.
    if (chain) writeFileSync(join(chain.demoDir, "fleet.log"), lines.join("\n"));
    await chain?.stop();
  });

  it(
    "a depeg typed on the command line gets a sub-account liquidated, and the Activity tab shows it",
    async () => {
      // The demo market levers the trader's sub-accounts #1–#3 up once its prices are live.
      await waitFor("4 sub-accounts, riskiest first", LOADED_WAIT_MS);
      await runCommand("depeg 20%");
      await waitFor(/depeg 20% → .*depeg 20\.00%/, 30_000);
      // The members carry the price to the chain, the EMA follows it, the liquidator acts.
      key("6");
      const s = await waitFor(/⚡ on chain/, LOADED_WAIT_MS);
      const row = s.split("\n").find((l) => l.includes("⚡ on chain"))!;
      expect(row).toContain("liquidated");
      expect(row).toMatch(/#[123]: [\d.,]+ LRT seized, [\d.,]+ SOL of debt repaid/);
      expect(lines.some((l) => l.includes('"message":"liquidation"') && l.includes('"result":"landed"'))).toBe(true);
      // The Oracle chart has the market (─) and its EMA (•) below the fair rate (█) by now.
      key("3");
      const oracle = await waitFor("± band · the last");
      const chart = oracle.split("\n").filter((l) => l.includes("┤"));
      const rows = (glyph: string) => chart.flatMap((l, i) => (l.split("┤")[1]!.includes(glyph) ? [i] : []));
      expect(rows("█").length).toBeGreaterThan(0);
      expect(Math.max(...rows("─"))).toBeGreaterThan(Math.max(...rows("█")));
      key("q");
      await waitFor("TUI-EXIT-0");
    },
    2 * LOADED_WAIT_MS + 60_000,
  );
});
