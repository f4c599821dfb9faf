/**
 * Scripted paths: piecewise-linear interpolation of `{ day, value }` points over simulated time,
 * constant before the first point and after the last. Time only moves forward in a path, so the
 * cursor remembers its segment and a lookup is O(1) amortised.
 */
import type { PathPoint } from "../scenario.js";

export const DAY_SECS = 86_400;

export class PathCursor {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private index = 0;

  constructor(
    points: readonly PathPoint[],
    private readonly fallback: number,
  ) {
    this.times = Float64Array.from(points, (p) => p.day * DAY_SECS);
    this.values = Float64Array.from(points, (p) => p.value);
  }

  /** Whether the path has any point (otherwise `at` returns the fallback). */
  get scripted(): boolean {
    return this.times.length > 0;
  }

  /** The value at time `t` (seconds); `t` must not decrease between calls. */
  at(t: number): number {
    const n = this.times.length;
    if (n === 0) return this.fallback;
    if (t <= this.times[0]!) return this.values[0]!;
    if (t >= this.times[n - 1]!) return this.values[n - 1]!;
    while (this.index + 1 < n && this.times[this.index + 1]! <= t) this.index++;
    const t0 = this.times[this.index]!;
    const t1 = this.times[this.index + 1]!;
    const v0 = this.values[this.index]!;
    if (t1 === t0) return this.values[this.index + 1]!;
    return v0 + ((this.values[this.index + 1]! - v0) * (t - t0)) / (t1 - t0);
  }
}

/** Whether `t` (seconds) falls in any of the `[fromDay, toDay)` windows. */
export function inWindows(windows: readonly { fromDay: number; toDay: number }[], t: number): boolean {
  for (const w of windows) if (t >= w.fromDay * DAY_SECS && t < w.toDay * DAY_SECS) return true;
  return false;
}
