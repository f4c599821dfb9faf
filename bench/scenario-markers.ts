// World-level markers of every shipped scenario (the table in docs/scenarios.md "The shipped
// scenarios"): `npx tsx bench/scenario-markers.ts [paths=40]`. No positions, so no feedback: the world
// models alone, paths 0 … paths−1 of each scenario's seed. Medians are the (⌊n/2⌋+1)-th of the n sorted
// values, 5th percentiles the ⌈0.05·n⌉-th (the 21st and the 2nd of 40).
import { createRng, createWorld, listScenarios, loadScenario } from "@lantern/sim";

const n = Number(process.argv[2] ?? 40);
const rows: string[] = [];
for (const entry of listScenarios()) {
  const s = loadScenario(entry.name);
  const cols: number[][] = Array.from({ length: 8 }, () => []);
  for (let p = 0; p < n; p++) {
    const w = createWorld(s, createRng(s.seed, p));
    let minDex = Infinity;
    let minMaint = Infinity;
    let maxGap = 0;
    let stale = 0;
    let bunker = 0;
    let held = 0;
    let noMarket = 0;
    let apr = 0;
    for (let k = 0; k < w.steps; k++) {
      const x = w.step({ lrtSoldSol: 0, netBorrowSol: 0 });
      minDex = Math.min(minDex, x.dexPrice / x.trueRate);
      const rate = x.pessimisticRate ?? x.fairRate;
      const maint = x.market ? Math.min(rate, x.market.emaLow) : rate;
      minMaint = Math.min(minMaint, maint / x.fairRate);
      maxGap = Math.max(maxGap, x.fairRate / x.trueRate);
      if (x.stale) stale += w.stepSecs;
      if (x.bunker) bunker += w.stepSecs;
      if (x.held) held += w.stepSecs;
      if (!x.market) noMarket += w.stepSecs;
      apr = Math.max(apr, x.borrowApr);
    }
    [minDex, minMaint, maxGap, stale / 3600, bunker / 3600, held / 3600, noMarket / 3600, apr].forEach((v, i) => {
      cols[i]!.push(v);
    });
  }
  for (const c of cols) c.sort((a, b) => a - b);
  const med = (i: number) => cols[i]![Math.floor(n / 2)]!;
  const p5 = (i: number) => cols[i]![Math.max(0, Math.ceil(0.05 * n) - 1)]!;
  rows.push(
    `| ${entry.name} | ${med(0).toFixed(4)}; ${p5(0).toFixed(4)} | ${med(1).toFixed(4)}; ${p5(1).toFixed(4)} | ${med(2).toFixed(4)} | ${med(3).toFixed(1)} | ${med(4).toFixed(1)} | ${med(5).toFixed(1)} | ${med(6).toFixed(1)} | ${(med(7) * 100).toFixed(1)}% |`,
  );
}
process.stdout.write(`${rows.join("\n")}\n`);
