// The random-number-generation bound of bench/sim.ts: a path's draws, counted by kind, drawn bare.
import { type Xoshiro128, createRng, kernelNormalSum, kernelNormalSumPair } from "@lantern/sim";

/** The top-level draws a path of the world makes, by kind (bench/sim.ts counts them). */
export interface Counts {
  uniform: number;
  normal: number;
  exponential: number;
  uniformPositive: number;
  poisson: number;
  poissonMean: number;
}

/** How the normals are drawn: JavaScript's generator, or the WebAssembly calm kernel's. */
export type NormalSum = (rng: Xoshiro128, n: number) => number;

export const jsNormalSum: NormalSum = (rng, n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += rng.normal();
  return acc;
};

export const normalSums = { js: jsNormalSum, kernel: kernelNormalSum } as const;

/**
 * How a run of paths' numbers can be drawn: each path alone by JavaScript's generator or by the kernel's,
 * or two paths at a time by the kernel's, their streams in turn (`drawPairOnly`). The bound is the fastest.
 */
export const drawMethods = ["js", "kernel", "kernelPairs"] as const;
export type DrawMethod = (typeof drawMethods)[number];

/** Draws paths `from`…`to − 1` by `method`, each as many numbers as the sampled path it cycles to. */
export function drawPaths(seed: number, from: number, to: number, counts: Counts[], method: DrawMethod): number {
  const c = (p: number) => counts[p % counts.length]!;
  let acc = 0;
  let p = from;
  if (method === "kernelPairs") for (; p + 1 < to; p += 2) acc += drawPairOnly(seed, [p, p + 1], [c(p), c(p + 1)]);
  const normals = method === "js" ? jsNormalSum : kernelNormalSum;
  for (; p < to; p++) acc += drawOnly(seed, p, c(p), normals);
  return acc;
}

/**
 * Draws exactly `c` from a fresh stream of the path, its normals by `normals` — JavaScript's generator,
 * or the WebAssembly calm kernel's, which draws the calm steps' normals: the random-number-generation
 * bound is the faster of the two.
 */
export function drawOnly(seed: number, path: number, c: Counts, normals: NormalSum): number {
  const rng = createRng(seed, path);
  return normals(rng, c.normal) + drawRest(rng, c);
}

/**
 * `drawOnly` for two paths at once: their normals by the kernel's generator from both streams in turn,
 * so that one stream's chain of dependent operations can run while the other's waits: the bound of
 * paths drawn two at a time.
 */
export function drawPairOnly(seed: number, paths: [number, number], c: [Counts, Counts]): number {
  const [a, b] = [createRng(seed, paths[0]), createRng(seed, paths[1])];
  const both = Math.min(c[0].normal, c[1].normal);
  const [sumA, sumB] = kernelNormalSumPair(a, b, both);
  const left = kernelNormalSum(a, c[0].normal - both) + kernelNormalSum(b, c[1].normal - both);
  return sumA + sumB + left + drawRest(a, c[0]) + drawRest(b, c[1]);
}

/** A path's draws other than its normals (a few hundred per path: events' times and sizes). */
function drawRest(rng: Xoshiro128, c: Counts): number {
  let acc = 0;
  for (let i = 0; i < c.uniform; i++) acc += rng.uniform();
  for (let i = 0; i < c.uniformPositive; i++) acc += rng.uniformPositive();
  for (let i = 0; i < c.exponential; i++) acc += rng.exponential(1);
  const mean = c.poisson > 0 ? c.poissonMean / c.poisson : 0;
  for (let i = 0; i < c.poisson; i++) acc += rng.poisson(mean);
  return acc;
}
