// Benchmark (not a test): after a price move over 100,000 sub-accounts, find the newly liquidatable
// ones with the liquidation frontier and with a full rescan (the exact `isLiquidatable` of every
// sub-account), side by side in one run, and check both find the same accounts. `npm run bench:ts`.
import { LiquidationFrontier, WAD, canLiquidate, type FrontierPoint } from "@lantern/sdk";

const N = 100_000;
const LT_BPS = 9_300;
const ROUNDS = 7;
const BATCH = 25;

// splitmix64, seeded: the same book every run.
let state = 0xf00dn;
function next(): bigint {
  state = (state + 0x9e3779b97f4a7c15n) & 0xffff_ffff_ffff_ffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffff_ffff_ffff_ffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffff_ffff_ffff_ffffn;
  return z ^ (z >> 31n);
}

// A book of leveraged positions at a fair rate of 1.0 and a borrow index of 1.05: collateral 1–1,000
// LRT, LTV spread over 30%–93% (none liquidatable yet).
const index = (WAD * 105n) / 100n;
const start: FrontierPoint = { price: WAD, borrowIndex: index };
const book: { id: number; debtShares: bigint; collateral: bigint }[] = [];
for (let id = 0; id < N; id++) {
  const collateral = 10n ** 9n + (next() % (1_000n * 10n ** 9n));
  const ltvPpm = 300_000n + (next() % 630_000n);
  const debt = (collateral * ltvPpm) / 1_000_000n;
  book.push({ id, collateral, debtShares: (debt * WAD) / index });
}

const buildStart = process.hrtime.bigint();
const frontier = LiquidationFrontier.from(book, { ltBps: LT_BPS, baseBorrowIndex: index });
const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;

// The rescan keeps the previous liquidatable set, as a keeper without the frontier would.
function rescan(previous: Set<number>, to: FrontierPoint): number[] {
  const out: number[] = [];
  for (const p of book)
    if (canLiquidate(p.debtShares, p.collateral, to.price, to.borrowIndex, LT_BPS) && !previous.has(p.id))
      out.push(p.id);
  return out;
}

const ms = (f: () => unknown) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `liquidation frontier over ${N.toLocaleString("en-US")} sub-accounts (LT ${LT_BPS / 100}%), median of ${ROUNDS} rounds, interleaved; frontier per query over batches of ${BATCH}`,
);
console.log(`  build (sort once): ${buildMs.toFixed(1)} ms`);
console.log("  move                         newly liq.   rescan ms   frontier ms     ratio");
const moves: [string, FrontierPoint, FrontierPoint][] = [
  ["price -0.1%", start, { price: (WAD * 999n) / 1000n, borrowIndex: index }],
  ["price -1%", start, { price: (WAD * 99n) / 100n, borrowIndex: index }],
  [
    "price -1% then -0.1% more",
    { price: (WAD * 99n) / 100n, borrowIndex: index },
    { price: (WAD * 989n) / 1000n, borrowIndex: index },
  ],
  ["price -5% (a depeg)", start, { price: (WAD * 95n) / 100n, borrowIndex: index }],
  ["one day of interest at 50%", start, { price: WAD, borrowIndex: index + (index * 50n) / 36_500n }],
];
for (const [name, from, to] of moves) {
  const previous = new Set(
    book.filter((p) => canLiquidate(p.debtShares, p.collateral, from.price, from.borrowIndex, LT_BPS)).map((p) => p.id),
  );
  const expected = rescan(previous, to).sort((a, b) => a - b);
  const found = frontier.newlyLiquidatable(from, to).sort((a, b) => a - b);
  if (found.length !== expected.length || found.some((id, i) => id !== expected[i]))
    throw new Error(`${name}: frontier and rescan disagree`);
  const scanTimes: number[] = [];
  const frontierTimes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    scanTimes.push(ms(() => rescan(previous, to)));
    // A frontier query takes microseconds: time a batch, so that one GC pause left by the rescan's
    // garbage does not stand for the query.
    frontierTimes.push(
      ms(() => {
        for (let q = 0; q < BATCH; q++) frontier.newlyLiquidatable(from, to);
      }) / BATCH,
    );
  }
  const scan = median(scanTimes);
  const fast = median(frontierTimes);
  console.log(
    `  ${name.padEnd(28)} ${String(found.length).padStart(10)} ${scan.toFixed(1).padStart(11)} ${fast.toFixed(3).padStart(13)} ${(`${(scan / fast).toFixed(0)}x`).padStart(9)}`,
  );
}
console.log("  goal: >= 100x for a price move");
