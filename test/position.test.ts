// The sdk's trader-facing helpers (sdk/src/margin/position.ts): the liquidation point is exact against
// the health check, and the action previews return the program's first error for the same inputs.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RATE_CURVE,
  DEFAULT_RISK_PARAMS,
  DEFAULT_SANITY_LIMITS,
  type Feed,
  isLiquidatable,
  NO_HELD_REPORT,
  type PoolState,
  positionView,
  previewCloseSubAccount,
  previewDeleverage,
  previewDepositCollateral,
  previewLeverageUp,
  previewRepay,
  previewWithdrawCollateral,
  requireRiskIncrease,
  withinLtv,
  WAD,
} from "@lantern/sdk";
import { PublicKey } from "@solana/web3.js";

const SOL = 1_000_000_000n;
const NOW = 1_800_000_000n;
const pool: PoolState = {
  params: {
    curve: { ...DEFAULT_RATE_CURVE },
    reserveFactorBps: 1_000,
    maxUtilizationBps: 9_500,
    supplyCap: 10n ** 15n,
    borrowCap: 10n ** 15n,
  },
  cash: 500n * SOL,
  insurance: SOL,
  supplyShares: 1_000n * SOL,
  supplyIndex: WAD,
  debtShares: 500n * SOL,
  borrowIndex: WAD,
  lastAccrualTs: NOW - 3_600n,
  socialized: false,
  frozen: false,
};
const market = {
  policy: "MinOfBoth" as const,
  risk: { ...DEFAULT_RISK_PARAMS },
  paused: false,
  collateralCap: 10n ** 15n,
  collateralTotal: 0n,
};
const rate = (WAD * 103n) / 100n;
const feed: Feed = {
  bump: 0,
  lrtMint: PublicKey.default,
  committee: PublicKey.default,
  fairRate: rate,
  reportedRate: rate,
  reportedStakedLamports: 0n,
  lastReportFrame: 1n,
  lastReportRefTs: NOW - 100n,
  lastReportTs: NOW - 100n,
  bunker: false,
  held: { ...NO_HELD_REPORT },
  decreases: [],
  marketPrice: rate,
  marketLow: rate - WAD / 100n,
  marketConfidence: WAD / 100n,
  marketEma: rate,
  marketEmaLow: rate - WAD / 100n,
  marketPriceTs: NOW - 5n,
  marketEmaTs: NOW - 5n,
  maxReportAgeSecs: DEFAULT_SANITY_LIMITS.maxReportAgeSecs,
  maxPriceAgeSecs: DEFAULT_SANITY_LIMITS.maxPriceAgeSecs,
};

describe("positionView", () => {
  it("puts the liquidation point exactly where the health check turns", () => {
    for (const [c, d] of [
      [50n * SOL, 40n * SOL],
      [7n * SOL + 3n, 6n * SOL + 11n],
      [1_000_003n, 900_001n],
    ] as const) {
      const v = positionView({ collateral: c, debtShares: d }, pool, market, feed, NOW);
      expect(isLiquidatable(v.debt, c, v.liquidationPrice!, market.risk.ltBps)).toBe(false);
      expect(isLiquidatable(v.debt, c, v.liquidationPrice! - 1n, market.risk.ltBps)).toBe(true);
      expect(v.liquidationDepegBps! > 0n).toBe(true);
    }
    const none = positionView({ collateral: SOL, debtShares: 0n }, pool, market, feed, NOW);
    expect([none.liquidationPrice, none.liquidationDepegBps, none.liquidatable]).toEqual([undefined, undefined, false]);
  });
});

describe("previews", () => {
  const sub = { collateral: 10n * SOL, debtShares: 5n * SOL };
  it("lever up: the program's first error for paused, stale, over max LTV", () => {
    const args = { equity: SOL, borrow: 4n * SOL, slippageBps: 50 };
    expect(previewLeverageUp(sub, pool, market, feed, NOW, args).error).toBeUndefined();
    expect(previewLeverageUp(sub, pool, { ...market, paused: true }, feed, NOW, args).error).toBe("MarketPaused");
    expect(previewLeverageUp(sub, pool, market, { ...feed, lastReportRefTs: NOW - 10n ** 6n }, NOW, args).error).toBe(
      "FeedStale",
    );
    expect(previewLeverageUp(sub, pool, market, feed, NOW, { ...args, borrow: 200n * SOL }).error).toBe("Unhealthy");
    const ok = previewLeverageUp(sub, pool, market, feed, NOW, args);
    expect(ok.after!.debt > ok.before.debt).toBe(true);
    expect(ok.minOut).toBe((ok.out * 9_950n) / 10_000n);
  });
  it("deleverage lowers the LTV and pays the unstake fee", () => {
    const p = previewDeleverage(sub, pool, market, feed, NOW, 30, { lrt: 2n * SOL, slippageBps: 0 });
    expect(p.error).toBeUndefined();
    expect(p.after!.ltvBps! < p.before.ltvBps!).toBe(true);
    expect(p.fee > 0n && p.minOut === p.out).toBe(true);
    expect(previewDeleverage(sub, pool, market, feed, NOW, 30, { lrt: 11n * SOL, slippageBps: 0 }).error).toBe(
      "InsufficientCollateral",
    );
  });
  it("repay: pays at most the debt, refuses dust, works on a stale feed", () => {
    const stale = { ...feed, lastReportRefTs: NOW - 10n ** 6n };
    const part = previewRepay(sub, pool, market, stale, NOW, { amount: SOL });
    expect(part.error).toBeUndefined();
    expect(part.out).toBe(SOL);
    expect(part.after!.debt < part.before.debt).toBe(true);
    const all = previewRepay(sub, pool, market, feed, NOW, { amount: 100n * SOL });
    expect(all.out).toBe(all.before.debt);
    expect(all.after!.debt).toBe(0n);
    expect(previewRepay(sub, pool, market, feed, NOW, { amount: all.before.debt - 1_000n }).error).toBe("DustDebt");
    expect(previewRepay({ collateral: SOL, debtShares: 0n }, pool, market, feed, NOW, { amount: SOL }).error).toBe(
      "NoDebt",
    );
  });
  it("deposit: adds the LRT up to the market's cap, whatever the feed says", () => {
    const stale = { ...feed, lastReportRefTs: NOW - 10n ** 6n };
    const p = previewDepositCollateral(sub, pool, { ...market, paused: true }, stale, NOW, { amount: 2n * SOL });
    expect(p.error).toBeUndefined();
    expect(p.after!.collateral).toBe(12n * SOL);
    expect(p.after!.ltvBps! < p.before.ltvBps!).toBe(true);
    const capped = { ...market, collateralTotal: 99n * SOL, collateralCap: 100n * SOL };
    expect(previewDepositCollateral(sub, pool, capped, feed, NOW, { amount: SOL }).error).toBeUndefined();
    expect(previewDepositCollateral(sub, pool, capped, feed, NOW, { amount: SOL + 1n }).error).toBe(
      "CollateralCapExceeded",
    );
    expect(previewDepositCollateral(sub, pool, market, feed, NOW, { amount: 0n }).error).toBe("ZeroAmount");
  });
  it("withdraw: free without debt; with debt only within the maximum LTV at the opening price", () => {
    const stale = { ...feed, lastReportRefTs: NOW - 10n ** 6n };
    const free = { collateral: 3n * SOL, debtShares: 0n };
    expect(
      previewWithdrawCollateral(free, pool, { ...market, paused: true }, stale, NOW, { amount: 3n * SOL }).error,
    ).toBeUndefined();
    expect(previewWithdrawCollateral(free, pool, market, feed, NOW, { amount: 3n * SOL + 1n }).error).toBe(
      "InsufficientCollateral",
    );
    expect(previewWithdrawCollateral(sub, pool, market, stale, NOW, { amount: SOL }).error).toBe("FeedStale");
    expect(previewWithdrawCollateral(sub, pool, { ...market, paused: true }, feed, NOW, { amount: SOL }).error).toBe(
      "MarketPaused",
    );
    // The largest withdrawal is exactly where the opening-price LTV check turns.
    const init = requireRiskIncrease(market, feed, NOW);
    const debt = positionView(sub, pool, market, feed, NOW).debt;
    let lo = 0n;
    let hi = sub.collateral;
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      if (withinLtv(debt, sub.collateral - mid, init, market.risk.ltvInitBps)) lo = mid;
      else hi = mid - 1n;
    }
    const max = previewWithdrawCollateral(sub, pool, market, feed, NOW, { amount: lo });
    expect(max.error).toBeUndefined();
    expect(max.after!.collateral).toBe(sub.collateral - lo);
    expect(previewWithdrawCollateral(sub, pool, market, feed, NOW, { amount: lo + 1n }).error).toBe("Unhealthy");
  });
  it("close: only an empty sub-account", () => {
    expect(previewCloseSubAccount({ collateral: 0n, debtShares: 0n }, pool, market, feed, NOW).error).toBeUndefined();
    expect(previewCloseSubAccount({ collateral: 1n, debtShares: 0n }, pool, market, feed, NOW).error).toBe(
      "SubAccountNotEmpty",
    );
    expect(previewCloseSubAccount(sub, pool, market, feed, NOW).error).toBe("SubAccountNotEmpty");
  });
});
