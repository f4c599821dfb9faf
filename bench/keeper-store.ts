// Benchmark (not a test): the keeper's account store at 100,000 and 1,000,000 sub-accounts, cold-started
// from a snapshot file — load time, and heap and RSS growth per account, against the budget of DESIGN.md
// §6 (1 M sub-accounts in ≤ 1 GiB and ≤ 5 s). `npm run bench:keeper [-- --rounds R --sizes 100000,1000000]`.
//
// The snapshot files are written once per size (in the OS temp directory) with Anchor's coder: real
// SubAccount account bytes, random 32-byte addresses (sub-accounts are PDAs), one owner per three
// sub-accounts, collateral 1–1,000 LRT at an LTV of 30%–93%. Each measurement runs in a fresh Node
// process (so heaps do not mix), alternating:
//   store     `makeSubAccountIndex` + `loadSubAccountSnapshot` from @lantern/keeper — the store's own
//             `applySnapshot`, as its resync runs it — then the liquidation frontier built over it;
//   baseline  the same file, read whole, parsed into a plain Map of address → Anchor
//             `BorshAccountsCoder.decode` objects (what a keeper written on Anchor alone would hold).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import anchor, { type Idl } from "@coral-xyz/anchor";
import { loadSubAccountSnapshot, makeSubAccountIndex, writeSubAccountSnapshot } from "@lantern/keeper";
import { DEFAULT_RISK_PARAMS, WAD } from "@lantern/sdk";
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import { PublicKey } from "@solana/web3.js";

const coder = new anchor.BorshAccountsCoder(marginIdl as Idl);
const MARKET = new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1));
const SLOT = 123_456_789;
const GIB = 2 ** 30;

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

// splitmix64, seeded: the same snapshot every run.
let state = 0x5eedn;
function next(): bigint {
  state = (state + 0x9e3779b97f4a7c15n) & 0xffff_ffff_ffff_ffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffff_ffff_ffff_ffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffff_ffff_ffff_ffffn;
  return z ^ (z >> 31n);
}
const bytes32 = () => {
  const b = Buffer.alloc(32);
  for (let k = 0; k < 4; k++) b.writeBigUInt64LE(next(), 8 * k);
  return b;
};

async function writeSnapshot(n: number, path: string): Promise<void> {
  const started = performance.now();
  const accounts: { pubkey: Uint8Array; data: Uint8Array }[] = new Array(n);
  let owner = bytes32();
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) owner = bytes32();
    const collateral = (1n + (next() % 1_000n)) * 10n ** 9n;
    const ltvBps = 3_000n + (next() % 6_301n); // 30%–93% of the collateral's value at a rate of 1.0
    const debtShares = (collateral * ltvBps) / 10_000n;
    const data = await coder.encode("SubAccount", {
      bump: Number(next() & 0xffn),
      vault_bump: Number(next() & 0xffn),
      market: MARKET,
      owner: new PublicKey(owner),
      index: i % 3,
      collateral: new anchor.BN(collateral.toString()),
      debt_shares: new anchor.BN(debtShares.toString()),
    });
    accounts[i] = { pubkey: bytes32(), data };
  }
  const size = writeSubAccountSnapshot(path, SLOT, accounts);
  console.log(
    `  wrote ${path}: ${n.toLocaleString("en-US")} accounts, ${(size / 2 ** 20).toFixed(1)} MiB, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

interface Sample {
  kind: "store" | "baseline";
  accounts: number;
  loadMs: number;
  heapBytes: number;
  rssBytes: number;
  peakRssBytes: number;
  frontierMs?: number;
  heapWithFrontierBytes?: number;
}

/** One measurement, in this (fresh) process. */
function child(kind: "store" | "baseline", path: string): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the child with --expose-gc");
  // A cold start is what is measured: nothing is warmed up beyond importing the modules.
  gc();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const started = performance.now();
  let held: unknown;
  let accounts = 0;
  let frontierMs: number | undefined;
  if (kind === "store") {
    const index = makeSubAccountIndex({ market: MARKET });
    loadSubAccountSnapshot(path, index);
    accounts = index.size();
    held = index;
  } else {
    const file = readFileSync(path);
    const count = file.readUInt32LE(16);
    const map = new Map<string, unknown>();
    let o = 20;
    for (let i = 0; i < count; i++) {
      const length = file.readUInt32LE(o + 32);
      const address = new PublicKey(file.subarray(o, o + 32)).toBase58();
      map.set(address, coder.decode("SubAccount", file.subarray(o + 36, o + 36 + length)));
      o += 36 + length;
    }
    accounts = map.size;
    held = map;
  }
  const loadMs = performance.now() - started;
  gc();
  gc();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  const rssBytes = process.memoryUsage().rss - rss0;
  let heapWithFrontierBytes: number | undefined;
  if (kind === "store") {
    const index = held as ReturnType<typeof makeSubAccountIndex>;
    const t = performance.now();
    index.frontier(DEFAULT_RISK_PARAMS.ltBps, WAD);
    frontierMs = performance.now() - t;
    gc();
    gc();
    heapWithFrontierBytes = process.memoryUsage().heapUsed - heap0;
  }
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  if (!held) throw new Error("unreachable");
  return { kind, accounts, loadMs, heapBytes, rssBytes, peakRssBytes, frontierMs, heapWithFrontierBytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  if (args[0] === "--child") {
    process.stdout.write(JSON.stringify(child(args[1] as "store" | "baseline", args[2]!)));
    return;
  }
  const sizes = (flag("sizes") ?? "100000,1000000").split(",").map(Number);
  const rounds = Number(flag("rounds") ?? 3);
  const self = fileURLToPath(import.meta.url);
  console.log(
    `keeper account store, cold start from a snapshot file (Node ${process.version}, ${rounds} interleaved ` +
      `rounds per size, each measurement in a fresh process; load average at start ` +
      `${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")})`,
  );
  for (const n of sizes) {
    const path = join(tmpdir(), `lantern-bench-subaccounts-${n}.snap`);
    if (!existsSync(path) || statSync(path).size !== 20 + n * (36 + 92)) await writeSnapshot(n, path);
    const samples: Record<"store" | "baseline", Sample[]> = { store: [], baseline: [] };
    for (let r = 0; r < rounds; r++) {
      for (const kind of ["store", "baseline"] as const) {
        const out = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", self, "--child", kind, path], {
          encoding: "utf8",
          maxBuffer: 1 << 20,
        });
        if (out.status !== 0) throw new Error(`${kind} child failed: ${out.stderr}`);
        const s = JSON.parse(out.stdout) as Sample;
        if (s.accounts !== n) throw new Error(`${kind} loaded ${s.accounts} of ${n}`);
        samples[kind].push(s);
        console.log(
          `  round ${r + 1} ${kind.padEnd(8)} load ${(s.loadMs / 1000).toFixed(2)} s, heap +${mib(s.heapBytes)}, ` +
            `RSS +${mib(s.rssBytes)}, peak RSS ${mib(s.peakRssBytes)}` +
            (s.frontierMs !== undefined
              ? `; frontier ${(s.frontierMs / 1000).toFixed(2)} s, heap with it +${mib(s.heapWithFrontierBytes!)}`
              : ""),
        );
      }
    }
    const m = (kind: "store" | "baseline", f: (s: Sample) => number) => median(samples[kind].map(f));
    const row = (kind: "store" | "baseline", label: string) => {
      const load = m(kind, (s) => s.loadMs) / 1000;
      const heap = m(kind, (s) => s.heapBytes);
      const rss = m(kind, (s) => s.rssBytes);
      const peak = m(kind, (s) => s.peakRssBytes);
      console.log(
        `  ${label.padEnd(44)} ${load.toFixed(2).padStart(6)} s  ${(heap / n).toFixed(0).padStart(5)} B/acct heap  ` +
          `${(rss / n).toFixed(0).padStart(5)} B/acct RSS  peak RSS ${mib(peak)}`,
      );
      return { load, heap, rss, peak };
    };
    console.log(`${n.toLocaleString("en-US")} sub-accounts (median of ${rounds}):`);
    const store = row("store", "store (makeSubAccountIndex + snapshot file)");
    const base = row("baseline", "baseline (Map of Anchor-decoded objects)");
    const frontierS = m("store", (s) => s.frontierMs!) / 1000;
    const withFrontier = m("store", (s) => s.heapWithFrontierBytes!);
    console.log(
      `  store + liquidation frontier built: +${frontierS.toFixed(2)} s, heap ${(withFrontier / n).toFixed(0)} B/acct`,
    );
    console.log(
      `  ratio baseline ÷ store: load ${(base.load / store.load).toFixed(2)}x, heap ${(base.heap / store.heap).toFixed(2)}x, ` +
        `RSS ${(base.rss / store.rss).toFixed(2)}x`,
    );
    if (n === 1_000_000) {
      const ok = (b: boolean) => (b ? "met" : "NOT met");
      console.log(
        `  budget (DESIGN.md §6, 1 M in ≤ 1 GiB and ≤ 5 s): memory ${ok(store.peak <= GIB)} ` +
          `(peak RSS ${(store.peak / GIB).toFixed(2)} GiB), time ${ok(store.load <= 5)} (${store.load.toFixed(2)} s)`,
      );
    }
  }
}

await main();
