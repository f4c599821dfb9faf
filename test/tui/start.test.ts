// `npm start` in a real terminal (tmux, 120×40): the local chain, the keeper fleet and the TUI come up;
// `q` quits; the TUI says what it stopped, npm start says it stopped the fleet and the chain, it exits
// 0, every process it started is gone and its ports (8899, 8900, 8990–9001) are free. Then without a
// terminal (a CI log, a pipe): its one snapshot shows the fleet at work, every keeper live and ready.
import { execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const socket = `lantern-start-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-t", "s", "-p", "-S", "-60");
const PORTS = [8899, 8900, ...Array.from({ length: 12 }, (_, i) => 8990 + i)];

async function waitFor(what: string | RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = screen();
    if (typeof what === "string" ? last.includes(what) : what.test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The screen never showed ${String(what)} within ${timeoutMs} ms. Last screen:\n${last}`);
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
const listening = (port: number) =>
  new Promise<boolean>((done) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      done(true);
    });
    s.once("error", () => done(false));
  });

/** Every process below `pid`. */
function descendants(pid: number): number[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of rows)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

const command = (pid: number) => {
  try {
    return execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim();
  } catch {
    return "(gone)";
  }
};

/** Alive and not a zombie waiting for its parent to reap it. */
const alive = (pid: number) => {
  try {
    if (
      execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" })
        .trim()
        .startsWith("Z")
    )
      return false;
    return true;
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

describe("npm start, then q", () => {
  beforeAll(async () => {
    try {
      execFileSync("tmux", ["-V"]);
    } catch {
      throw new Error("This test drives npm start through tmux, which is not installed: apt-get install -y tmux");
    }
    const busy = (await Promise.all(PORTS.map(async (p) => ((await listening(p)) ? p : undefined)))).filter(Boolean);
    if (busy.length)
      throw new Error(`npm start needs ports ${busy.join(", ")}, which something else holds: stop it first`);
    tmux(
      "new-session",
      "-d",
      "-s",
      "s",
      "-x",
      "120",
      "-y",
      "40",
      `cd ${root} && CI=false NO_COLOR=1 npm start; echo START-EXIT-$?; sleep 120`,
    );
  });

  afterAll(() => {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
  });

  it("stops everything it started and says so", async () => {
    await waitFor("riskiest first", 150_000);
    // The whole fleet is up (each keeper serves /healthz on its port), not just spawned.
    const deadline = Date.now() + 150_000;
    while (!(await Promise.all(PORTS.map(listening))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error("The keeper fleet's ports never all opened");
      await new Promise((r) => setTimeout(r, 500));
    }
    const shell = Number(tmux("display-message", "-p", "-t", "s", "#{pane_pid}").trim());
    const started = descendants(shell);
    const commands = new Map(started.map((pid) => [pid, command(pid)]));
    expect(started.length).toBeGreaterThan(12); // npm, tsx, node, the chain, 12 fleet processes

    tmux("send-keys", "-t", "s", "q");
    const s = await waitFor("START-EXIT-", 60_000);
    expect(s).toMatch(
      /Lantern TUI closed\. Stopped reading the chain at http:\/\/127\.0\.0\.1:8899, polling 11 keepers\./,
    );
    expect(s).toContain(
      "Stopped the keeper fleet (12 processes) and the local chain; ports 8899, 8900 and 8990–9001 are free.",
    );
    expect(s).toContain("START-EXIT-0");
    // Nothing npm start spawned outlives it (a helper such as esbuild's service may take a moment to
    // see its parent gone), and every port is free.
    const stray = () => started.filter((p) => alive(p) && !descendants(shell).includes(p));
    const until = Date.now() + 10_000;
    while (stray().length && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    expect(stray().map((p) => `${p} ${commands.get(p)}`)).toEqual([]);
    expect(descendants(shell).map(command)).toEqual([]); // the pane's shell has become its `sleep`
    for (const port of PORTS) expect(await listening(port), `port ${port} after`).toBe(false);
  }, 300_000);
});

describe("npm start without a terminal", () => {
  it("waits for the keeper fleet, then prints one snapshot of it at work", async () => {
    for (const port of PORTS) expect(await listening(port), `port ${port} before`).toBe(false);
    const start = spawn("npm", ["start"], {
      cwd: root,
      env: { ...process.env, CI: "false", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    start.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    start.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise((done) => start.once("exit", done));
    try {
      const deadline = Date.now() + 200_000;
      while (!output.includes("The demo world keeps running") && Date.now() < deadline && start.exitCode === null)
        await new Promise((r) => setTimeout(r, 250));
      expect(output).toContain("The demo world keeps running");
      expect(output).toContain("Waiting for the keeper fleet: 11 of 11 ready");
      const keeperRows = output.split("\n").filter((line) => /^ (member-\d|liquidator|cranker)\s/.test(line));
      expect(keeperRows).toHaveLength(11);
      for (const row of keeperRows) expect(row, row).toMatch(/^ \S+\s+yes\s+yes\s/);
    } finally {
      process.kill(-start.pid!, "SIGTERM");
      await exited;
    }
    const deadline = Date.now() + 30_000;
    while ((await Promise.all(PORTS.map(listening))).some(Boolean) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    for (const port of PORTS) expect(await listening(port), `port ${port} after`).toBe(false);
  }, 300_000);
});
