/**
 * The true exchange rate of the LRT (SOL per LRT) before any oracle: what one LRT is redeemable for.
 *
 * - Staking yield is credited at each epoch boundary (Solana pays inflation rewards and, through the
 *   stake pools, MEV tips once per epoch of ~2 days): the rate grows by `apr·epoch/year` where the
 *   epoch's annualised yield is normal around `aprPct` with sd `mevNoiseAprPct` (floored at 0).
 *   Default 7%/yr: Solana native staking yield incl. Jito MEV tips was ~6.5–8% through 2023–2025.
 * - Slashing: Poisson jumps (`slashing.perYear`, exponential sizes of mean `meanPct`, capped at
 *   `maxPct`) plus scripted ones (`slashings`). Off by default: Solana's base layer has no slashing;
 *   restaking (AVS) slashing and the named mass-slashing scenarios turn it on.
 * - Commission shocks ("commission rugs"): validators with `stakeSharePct` of the stake switch to
 *   `commissionPct` for `epochs` epochs; stakers lose that share of the rewards above the baseline
 *   commission already netted out of `aprPct`. Rewards only: a commission never touches principal.
 *
 * Pure given its inputs: the same spec and random stream give the same path.
 */
import type { ModelRng } from "../rng.js";
import type { FairRateSpec } from "../scenario.js";
import { DAY_SECS } from "./paths.js";

export const YEAR_SECS = 31_536_000;

interface Shock {
  /** Epoch boundaries in (start, end] pay reduced rewards. */
  start: number;
  end: number;
  /** Fraction of the epoch's rewards lost. */
  cut: number;
}

/** Fraction of stakers' rewards lost when `share` of the stake pays `commission` instead of `baseline`. */
export function commissionCut(sharePct: number, commissionPct: number, baselinePct: number): number {
  const extra = Math.max(0, commissionPct - baselinePct) / (100 - baselinePct);
  return Math.min(1, (sharePct / 100) * extra);
}

export class FairRateModel {
  // Numeric state starts as a number where it is declared, so V8 keeps it unboxed (see DiscountModel).
  /** The true rate now. */
  rate = 0;
  /** Product of (1 − loss) over the slashings so far. */
  slashFactor = 1;
  /** Slashing events so far. */
  slashings = 0;

  private readonly epochSecs: number;
  private nextEpoch = 0;
  private nextRandomSlash = 0;
  private nextRandomShock = 0;
  private readonly scripted: { t: number; loss: number }[];
  private scriptedIndex = 0;
  private readonly shocks: Shock[] = [];

  constructor(
    private readonly spec: FairRateSpec,
    private readonly rng: ModelRng,
  ) {
    this.rate = spec.initialRate;
    this.redemptionApr = Math.max(0, spec.aprPct) / 100;
    this.epochSecs = spec.epochHours * 3600;
    this.nextEpoch = this.epochSecs;
    this.nextRandomSlash = rng.exponential(spec.slashing.perYear / YEAR_SECS);
    this.nextRandomShock = rng.exponential(spec.commission.shocksPerYear / YEAR_SECS);
    this.scripted = spec.slashings.map((s) => ({ t: s.day * DAY_SECS, loss: s.pct / 100 })).sort((a, b) => a.t - b.t);
    for (const c of spec.commissionShocks) {
      const start = c.day * DAY_SECS;
      this.shocks.push({
        start,
        end: start + c.epochs * this.epochSecs,
        cut: commissionCut(c.stakeSharePct, c.commissionPct, spec.commission.baselinePct),
      });
    }
  }

  /** The expected APR (fraction) that `redemptionRate` accrues. */
  private readonly redemptionApr: number;
  /** The share of the current epoch's reward the shocks leave (`redemptionRate`), for `keptFor`. */
  private kept = 1;
  private keptFor = Number.NaN;
  private keptShocks = 0;

  /** Time of the next event of any kind (cached: most steps have none). */
  private nextEvent = 0;

  /** Applies every epoch boundary, slashing and shock up to time `t` (seconds), in time order. */
  advanceTo(t: number): number {
    // Small enough to be inlined into the world's step, so the rate is not boxed on the way out.
    if (t >= this.nextEvent) this.applyEvents(t);
    return this.rate;
  }

  private applyEvents(t: number): void {
    for (;;) {
      const scripted = this.scriptedIndex < this.scripted.length ? this.scripted[this.scriptedIndex]!.t : Infinity;
      const next = Math.min(this.nextEpoch, this.nextRandomSlash, this.nextRandomShock, scripted);
      if (next > t) {
        this.nextEvent = next;
        return;
      }
      if (next === scripted) {
        this.slash(this.scripted[this.scriptedIndex]!.loss);
        this.scriptedIndex++;
      } else if (next === this.nextRandomSlash) {
        const s = this.spec.slashing;
        this.slash(Math.min(s.maxPct, s.meanPct * this.rng.exponential(1)) / 100);
        this.nextRandomSlash += this.rng.exponential(s.perYear / YEAR_SECS);
      } else if (next === this.nextRandomShock) {
        const c = this.spec.commission;
        this.shocks.push({
          start: next,
          end: next + c.epochs * this.epochSecs,
          cut: commissionCut(c.stakeSharePct, c.commissionPct, c.baselinePct),
        });
        this.nextRandomShock += this.rng.exponential(c.shocksPerYear / YEAR_SECS);
      } else {
        this.payEpoch(next);
        this.nextEpoch += this.epochSecs;
      }
    }
  }

  private slash(loss: number): void {
    this.rate *= 1 - loss;
    this.slashFactor *= 1 - loss;
    this.slashings++;
  }

  /**
   * What the LRT redeems for at time `t` (≤ the last `advanceTo`): the true rate plus the current
   * epoch's staking reward accrued pro rata at its expected APR (after the commission shocks known so
   * far). The reward is paid at the epoch boundary, so the true rate alone steps up every 48 h and a
   * horizon that ends mid-epoch would miss up to a whole epoch of yield that the holder has earned
   * (issue 14: −0.47 pp of APY per unit of leverage at 30 days). The MEV noise has mean 0.
   */
  redemptionRate(t: number): number {
    const start = this.nextEpoch - this.epochSecs;
    const elapsed = t > start ? t - start : 0;
    if (this.keptFor !== this.nextEpoch || this.keptShocks !== this.shocks.length) {
      // The epoch's reward share after the shocks changes only with the epoch or a new shock.
      this.keptFor = this.nextEpoch;
      this.keptShocks = this.shocks.length;
      let cut = 0;
      for (const s of this.shocks) if (this.nextEpoch > s.start && this.nextEpoch <= s.end) cut += s.cut;
      this.kept = 1 - Math.min(1, cut);
    }
    return this.rate * (1 + this.redemptionApr * (elapsed / YEAR_SECS) * this.kept);
  }

  private payEpoch(at: number): void {
    const noise = this.spec.mevNoiseAprPct > 0 ? this.spec.mevNoiseAprPct * this.rng.normal() : 0;
    const apr = Math.max(0, this.spec.aprPct + noise) / 100;
    let cut = 0;
    for (const s of this.shocks) if (at > s.start && at <= s.end) cut += s.cut;
    this.rate *= 1 + apr * (this.epochSecs / YEAR_SECS) * (1 - Math.min(1, cut));
  }
}
