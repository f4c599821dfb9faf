// User net APY is unbiased (issue 14): in a riskless world — the real world models with every random
// driver off, a steady −20 bps DEX discount, an honest committee — each leverage bucket's APY is the
// leveraged carry L·s − (L−1)·b at 3, 30 and 90 days, where s is the LRT's staking yield including the
// epoch that has accrued but not been paid or reported yet, and b the borrow rate. The old headline
// marked at min(oracle, DEX): −0.47 pp per unit of leverage at 30 days for the unreported epoch and the
// −20 bps discount annualised as a yield (−2.4 pp per unit at 30 days, −132% at 3 days for 10×).
import { describe, expect, it } from "vitest";
import { growthF, runScenario, type SimResult, YEAR_SECS } from "@lantern/sim";

const STEP_SECS = 60;
const APR = 0.07; // fairRate.aprPct
const EPOCH_SECS = 48 * 3_600; // fairRate.epochHours
const BORROW = 0.03; // the default curve at 60% utilisation: 60/80 of the 4% first kink
const LEVELS = [1, 2, 3, 5, 10];

const RISKLESS = {
  "fairRate.mevNoiseAprPct": 0,
  "discount.initialBps": -20,
  "discount.levelBps": -20,
  "discount.sdBps": 0,
  "discount.jumps.perYear": 0,
  "discount.flash.perYear": 0,
  "discount.stress.entryPerYear": 0,
  "committee.offlinePerFrame": 0,
  "committee.latePerFrame": 0,
  "oracle.outagesPerMemberPerYear": 0,
  "pool.utilizationSd": 0,
  "pool.supplyFlowSdPctPerDay": 0,
  "population.subAccounts": 50,
  "population.leverage.values": LEVELS,
  stepSecs: STEP_SECS,
};

/** What one LRT redeems for at time t (initial rate 1): paid epochs compounded, the current one accrued. */
function redemption(t: number): number {
  const paid = Math.floor(t / EPOCH_SECS);
  return (1 + (APR * EPOCH_SECS) / YEAR_SECS) ** paid * (1 + (APR * (t - paid * EPOCH_SECS)) / YEAR_SECS);
}

describe("user net APY in a riskless world (issue 14)", () => {
  for (const days of [3, 30, 90]) {
    it(`is L·s − (L−1)·b at ${days} days, with mark-to-market apart`, async () => {
      const out = (await runScenario({
        scenario: "baseline",
        overrides: { ...RISKLESS, horizonDays: days },
        paths: 2,
        workers: 1,
        antithetic: false,
      })) as SimResult;
      const s = out.statistics;
      expect(s.metrics.liquidations.estimate).toBe(0);
      expect(s.metrics.peakUtilization.estimate).toBe(0.6); // the borrow rate is the curve's at 60%
      const steps = Math.round((days * 86_400) / STEP_SECS);
      const tOpen = STEP_SECS; // the book opens at the first snapshot, at the oracle's rate 1
      const tEnd = steps * STEP_SECS;
      const T = tEnd - tOpen;
      const index = growthF(BORROW, STEP_SECS) ** (steps - 1);
      const years = T / YEAR_SECS;
      for (const [b, L] of LEVELS.entries()) {
        const row = s.leverage[b]!;
        expect(row.leverage).toBe(L);
        // Exactly, from first principles: L·E/1 LRT marked at the redemption value, less the debt.
        const exact = (L * redemption(tEnd) - L - (L - 1) * (index - 1)) / years;
        expect(Math.abs(row.netApy.estimate - exact), `${L}× at ${days} days`).toBeLessThan(1e-9);
        // And the nominal carry, within compounding (≤ a²·T per unit) and the first step's accrual
        // bought at the oracle's rate (a·step/T per unit): 0.02 pp at 3 days, 0.4 pp at 30 for 10×,
        // against the old biases of 4.7 pp (unreported epoch) and 24 pp (annualised discount).
        const tol = L * (APR * (tOpen / T) + APR * APR * years) + (L - 1) * BORROW * BORROW * years + 1e-9;
        const carry = L * APR - (L - 1) * BORROW;
        expect(
          Math.abs(row.netApy.estimate - carry),
          `${L}× at ${days} days: ${row.netApy.estimate} vs ${carry}`,
        ).toBeLessThan(tol);
      }
      // The headline is the equity-weighted mix of the buckets: between the lowest and the highest.
      expect(s.metrics.netApy.estimate).toBeGreaterThan(APR - 1e-3);
      expect(s.metrics.netApy.estimate).toBeLessThan(10 * APR - 9 * BORROW);
      // Mark-to-market (min(oracle, DEX), not annualised) sits below the redemption-value return over
      // the horizon by at least the −20 bps discount on the collateral (L ≥ 1 ⇒ ≥ 20 bps of equity).
      const redeemReturn = s.metrics.netApy.estimate * years;
      expect(s.metrics.markToMarketReturn.estimate).toBeLessThan(redeemReturn - 0.0019);
      expect(s.metrics.markToMarketReturn.estimate).toBeGreaterThan(redeemReturn - 10 * 0.0021 - 10 * APR * years);
    }, 60_000);
  }
});
