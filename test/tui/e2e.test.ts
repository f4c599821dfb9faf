// The TUI end to end in a real terminal: tmux runs it (a private server, 120×40) against a local chain
// of its own with the demo world, and the test types one key at a time and reads the screen with
// capture-pane, as a person would: start → markets visible → open a sub-account → lever up 5× →
// confirm → confirmed → health bar updated; deleverage 1 LRT → LTV falls; repay 1 SOL; close refused
// with debt; withdraw 1 LRT (the blockhash countdown moves) and deposit it back; open sub-account #1 and
// close it (a quote left past its blockhash is refused first); the Activity tab shows all seven;
// a stale feed disables the lever key with its reason; resize to 80×24; double Ctrl+C quits with exit
// code 0.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../setup/chain.js";
import { demoPriceRound } from "./chain-helpers.js";

const root = resolve(import.meta.dirname, "../..");
const socket = `lantern-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-t", "t", "-p");
const key = (k: string) => tmux("send-keys", "-t", "t", k);
const type = (text: string) => tmux("send-keys", "-t", "t", "-l", text);

async function waitFor(what: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (typeof what === "string" ? last.includes(what) : what instanceof RegExp ? what.test(last) : what(last))
      return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The screen never showed ${String(what)} within ${timeoutMs} ms. Last screen:\n${last}`);
}

/** Closes a transaction's status with Enter; under a loaded CI machine a key can go unseen, so once,
 * after 5 s with the status still up, Enter goes again. */
async function closeStatus() {
  const closed = (screen: string) => !screen.includes("Enter or Esc to close");
  key("Enter");
  try {
    await waitFor(closed, 5_000);
  } catch {
    key("Enter");
    await waitFor(closed);
  }
}

async function rpc(url: string, method: string, params: unknown[]) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
}

describe("TUI in a real terminal (tmux)", () => {
  let chain: LocalChain;
  let prices: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    try {
      execFileSync("tmux", ["-V"]);
    } catch {
      throw new Error("This test drives the TUI through tmux, which is not installed: apt-get install -y tmux");
    }
    chain = await startLocalChain();
    // The demo market's policy needs a fresh market price round to open risk: the committee keeps one.
    await demoPriceRound(chain.rpcUrl, chain.demoDir);
    prices = setInterval(() => void demoPriceRound(chain.rpcUrl, chain.demoDir).catch(() => undefined), 15_000);
    const command = [
      `cd ${root} &&`,
      "CI=false NO_COLOR=1",
      `${process.execPath} --import tsx tui/src/main.tsx`,
      `--url ${chain.rpcUrl} --demo ${chain.demoDir} --refresh-ms 300;`,
      "echo TUI-EXIT-$?; sleep 60",
    ].join(" ");
    tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", command);
  });

  afterAll(async () => {
    if (prices) clearInterval(prices);
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
    await chain?.stop();
  });

  it("levers up 5×, deleverages, repays, withdraws, deposits, opens and closes a sub-account, shows all confirmed, then refuses to lever when the feed is stale", async () => {
    // Start: the Sub-accounts tab with the demo trader's sub-account #0 and no debt.
    await waitFor("riskiest first");
    // Markets visible.
    key("1");
    const markets = await waitFor("SOL lending pool");
    expect(markets).toMatch(/Fair rate 1\.\d{6}/);
    // Open sub-account #0.
    key("2");
    await waitFor("riskiest first");
    key("Enter");
    let s = await waitFor("Sub-account #0");
    expect(s).toContain("● NO DEBT");
    // Lever up: 1 SOL of equity and 4 SOL borrowed = 5×.
    key("l");
    s = await waitFor("Lever up sub-account #0");
    expect(s).toMatch(/Leverage\s+—\s+→\s+5\.00×/);
    expect(s).toContain("The exact math says this passes");
    key("Enter");
    await waitFor("Send this transaction?");
    type("y");
    s = await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    // The detail again, from the chain: 5 LRT against 4 SOL, the health bar filled to 80%.
    s = await waitFor(/Leverage 5\.00×/);
    expect(s).toContain("▲ SAFE");
    const bar = s.split("\n").find((l) => l.includes("LTV ") && l.includes("█"));
    expect(bar, "the health bar").toBeDefined();
    expect(bar).toMatch(/LTV\s+80\.\d\d%/);
    expect(s).toMatch(/falls \d+\.\d\d% below the fair rate/);
    // Deleverage 1 LRT: the preview shows the unstake fee, the LTV falls.
    key("u");
    s = await waitFor("Deleverage sub-account #0");
    expect(s).toMatch(/SOL out 0\.99\d\d after a 0\.00\d\d SOL fee/);
    expect(s).toMatch(/LTV\s+80\.\d\d%\s+→\s+75\.\d\d%/);
    key("Enter");
    await waitFor("Send this transaction?");
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    s = await waitFor(/LTV\s+75\.\d\d% █/);
    expect(s).toMatch(/Collateral 4\.0000 LRT/);
    // Repay 1 SOL from the wallet: the debt falls by exactly that.
    key("r");
    s = await waitFor("Repay sub-account #0");
    expect(s).toMatch(/Debt\s+3\.00\d\d SOL\s+→\s+2\.00\d\d SOL/);
    key("Enter");
    await waitFor("Send this transaction?");
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    s = await waitFor(/Debt\s+2\.00\d\d SOL/);
    // Close refuses a sub-account with debt, and says what to do first.
    key("x");
    await waitFor("Not now: has debt: repay it (r)");
    // Withdraw 1 LRT to the wallet: the confirm step counts the quote's blockhash down, live.
    key("w");
    s = await waitFor("Withdraw from sub-account #0");
    expect(s).toMatch(/Collateral\s+4\.0000 LRT\s+→\s+3\.0000 LRT/);
    key("Enter");
    s = await waitFor(/valid for (\d+) more blocks/);
    const blocks = (text: string) => Number(/valid for (\d+) more blocks/.exec(text)![1]);
    const first = blocks(s);
    s = await waitFor((text) => /valid for \d+ more blocks/.test(text) && blocks(text) < first, 10_000);
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    await waitFor(/Collateral 3\.0000 LRT/);
    // Deposit it back from the wallet, which the preview says holds it.
    key("d");
    s = await waitFor("Deposit into sub-account #0");
    expect(s).toMatch(/Collateral\s+3\.0000 LRT\s+→\s+4\.0000 LRT/);
    expect(s).toMatch(/it holds [1-9][\d,]*\.\d{4} LRT/);
    key("Enter");
    await waitFor("Send this transaction?");
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    await waitFor(/Collateral 4\.0000 LRT/);
    // Open sub-account #1 (the next free index): the confirm step shows the rent it deposits.
    key("Escape");
    await waitFor("riskiest first");
    key("n");
    s = await waitFor("Open sub-account #1");
    key("Enter");
    s = await waitFor("Send this transaction?");
    expect(s).toMatch(/rent deposited 0\.00\d{4} SOL/);
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    await waitFor("2 sub-accounts, riskiest first", 15_000);
    // Close it (no debt sorts last). A quote left unconfirmed past its blockhash is refused, not sent.
    key("j");
    // The key bar follows the selection: close is offered (no ✗) once #1, with no debt, is selected.
    await waitFor((screen) => !/x( close)? ?✗/.test(screen));
    key("x");
    await waitFor("Close sub-account #1");
    key("Enter");
    s = await waitFor("Send this transaction?");
    expect(s).toMatch(/rent returned 0\.00\d{4} SOL/);
    await rpc(chain.rpcUrl, "lantern_warpSlots", [300]);
    await waitFor("blockhash expired before you confirmed: nothing was sent");
    key("Enter");
    await waitFor("Send this transaction?");
    type("y");
    await waitFor("✔ confirmed", 30_000);
    await closeStatus();
    await waitFor("1 sub-account, riskiest first", 15_000);
    // Activity lists the seven transactions, newest first.
    key("6");
    s = await waitFor(
      /Action\s+Status[\s\S]*close[\s\S]*open[\s\S]*deposit[\s\S]*withdraw[\s\S]*repay[\s\S]*deleverage[\s\S]*lever up/,
    );
    expect(s.match(/✔ confirmed/g)).toHaveLength(7);
    // A stale feed: the lever key says why it cannot act.
    await rpc(chain.rpcUrl, "lantern_warpTime", [200_000]);
    await waitFor("FEED STALE");
    key("2");
    await waitFor("riskiest first");
    key("l");
    await waitFor("Not now: stale feed");
    // Resize to the minimum and below.
    tmux("resize-window", "-t", "t", "-x", "80", "-y", "24");
    s = await waitFor(/Sub-accounts[\s\S]*riskiest first/);
    for (const line of s.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    tmux("resize-window", "-t", "t", "-x", "70", "-y", "20");
    await waitFor("Terminal too small");
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "40");
    await waitFor("riskiest first");
    // Double Ctrl+C quits (once only warns).
    key("C-c");
    await waitFor("Press Ctrl+C again to quit");
    key("C-c");
    await waitFor("TUI-EXIT-0");
  }, 180_000);
});
