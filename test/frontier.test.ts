// The liquidation frontier against a brute-force scan with the exact program check, on random books of
// sub-accounts, random price and index moves, and random updates.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  LiquidationFrontier,
  WAD,
  canLiquidate,
  collateralValue,
  debtAmount,
  isLiquidatable,
  type FrontierPoint,
} from "@lantern/sdk";

interface Position {
  id: number;
  debtShares: bigint;
  collateral: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/** Positions clustered around the liquidation threshold, plus the edge cases the frontier treats apart. */
const positionAt = (price: bigint, index: bigint) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({
          collateral: fc.bigInt({ min: 1_000_000n, max: 10n ** 16n }),
          ltvPpm: fc.integer({ min: 500_000, max: 1_200_000 }),
        })
        .map(({ collateral, ltvPpm }) => {
          const debt = (collateral * price * BigInt(ltvPpm)) / (WAD * 1_000_000n);
          return { collateral, debtShares: (debt * WAD) / index };
        }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        collateral: fc.bigInt({ min: 0n, max: 1_000n }),
        debtShares: fc.bigInt({ min: 0n, max: 10_000_000n }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        collateral: fc.bigInt({ min: 0n, max: U64_MAX }),
        debtShares: fc.bigInt({ min: 0n, max: U64_MAX }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        collateral: fc.constantFrom(0n, 1n, 1n << 60n, U64_MAX),
        debtShares: fc.constantFrom(0n, 1n, 1n << 60n, U64_MAX),
      }),
    },
  );

const ppm = (value: bigint, ppmDelta: number) => (value * BigInt(1_000_000 + ppmDelta)) / 1_000_000n;

const scenario = fc
  .record({
    ltBps: fc.oneof(fc.constant(9_300), fc.integer({ min: 1, max: 10_000 })),
    base: fc.bigInt({ min: WAD, max: 3n * WAD }),
    price: fc.bigInt({ min: WAD / 2n, max: (3n * WAD) / 2n }),
    indexGrowthPpm: fc.integer({ min: 0, max: 50_000 }),
    moves: fc.array(
      fc.record({
        pricePpm: fc.integer({ min: -30_000, max: 30_000 }),
        indexPpm: fc.integer({ min: 0, max: 5_000 }),
        wild: fc.integer({ min: 0, max: 19 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      positions: fc.array(positionAt(s.price, s.base), { minLength: 0, maxLength: 120 }),
      updates: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 150 }), fc.option(positionAt(s.price, s.base), { nil: undefined })),
        { maxLength: 30 },
      ),
    }),
  );

function brute(book: Map<number, Position>, at: FrontierPoint, ltBps: number): number[] {
  return [...book.values()]
    .filter((p) => canLiquidate(p.debtShares, p.collateral, at.price, at.borrowIndex, ltBps))
    .map((p) => p.id)
    .sort((a, b) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe("liquidation frontier", () => {
  it("agrees with the exact check of every sub-account, after any price/index move and any update", () => {
    fc.assert(
      fc.property(scenario, ({ s, positions, updates }) => {
        const book = new Map<number, Position>(positions.map((p, id) => [id, { id, ...p }]));
        const frontier = LiquidationFrontier.from(book.values(), { ltBps: s.ltBps, baseBorrowIndex: s.base });
        for (const [id, p] of updates) {
          if (p === undefined) {
            expect(frontier.remove(id)).toBe(book.delete(id));
          } else {
            book.set(id, { id, ...p });
            frontier.upsert(id, p.debtShares, p.collateral);
          }
        }
        expect(frontier.size).toBe(book.size);
        let from: FrontierPoint = { price: s.price, borrowIndex: ppm(s.base, s.indexGrowthPpm) };
        for (const move of s.moves) {
          // One move in twenty is extreme (beyond the fast path's caps, or to zero).
          const price = move.wild === 0 ? 20n * WAD : move.wild === 1 ? 0n : ppm(from.price, move.pricePpm);
          const to: FrontierPoint = {
            price,
            borrowIndex: move.wild === 2 ? 17n * WAD : ppm(from.borrowIndex, move.indexPpm),
          };
          const before = new Set(brute(book, from, s.ltBps));
          const after = brute(book, to, s.ltBps);
          expect(sorted(frontier.liquidatableAt(to))).toEqual(after);
          expect(sorted(frontier.newlyLiquidatable(from, to))).toEqual(after.filter((id) => !before.has(id)));
          from = to;
        }
      }),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it("finds exactly the accounts a boundary price move tips over (rounding included)", () => {
    // Accounts exactly at their critical price: one unit lower makes them liquidatable.
    const lt = 9_300;
    const index = WAD + 123_456_789n;
    const book: Position[] = [];
    for (let id = 0; id < 2_000; id++) {
      const collateral = 10n ** 9n + BigInt(id) * 7_919n;
      const debtShares = 9n * 10n ** 8n + BigInt(id) * 104_729n;
      book.push({ id, collateral, debtShares });
    }
    const frontier = LiquidationFrontier.from(book, { ltBps: lt, baseBorrowIndex: index });
    for (const p of book.slice(0, 200)) {
      // The smallest healthy price: C·p ≥ ceil(D·BPS/LT)·W.
      const debt = debtAmount(p.debtShares, index);
      const minValue = (debt * 10_000n + BigInt(lt) - 1n) / BigInt(lt);
      const critical = (minValue * WAD + p.collateral - 1n) / p.collateral;
      expect(isLiquidatable(debt, p.collateral, critical, lt)).toBe(false);
      expect(isLiquidatable(debt, p.collateral, critical - 1n, lt)).toBe(true);
      expect(collateralValue(p.collateral, critical)).toBe(minValue);
      const newly = frontier.newlyLiquidatable(
        { price: critical, borrowIndex: index },
        { price: critical - 1n, borrowIndex: index },
      );
      expect(newly).toContain(p.id);
      const all = new Map(book.map((q) => [q.id, q]));
      const expected = brute(all, { price: critical - 1n, borrowIndex: index }, lt).filter(
        (id) => !canLiquidate(all.get(id)!.debtShares, all.get(id)!.collateral, critical, index, lt),
      );
      expect(sorted(newly)).toEqual(expected);
    }
  });

  it("keeps dust, empty and huge positions apart and refuses an index below its base", () => {
    const frontier = new LiquidationFrontier<string>({ ltBps: 9_300, baseBorrowIndex: WAD });
    frontier.upsert("dust", 1_000n, 1_000n);
    frontier.upsert("no-collateral", 5n * 10n ** 9n, 0n);
    frontier.upsert("huge", 1n << 62n, 1n << 62n);
    frontier.upsert("no-debt", 0n, 10n ** 9n);
    frontier.upsert("normal", 9n * 10n ** 8n, 10n ** 9n);
    expect(frontier.exceptionalCount).toBe(3);
    // 1,000 shares against 1,000 LRT and 2^62 against 2^62 are at 100% LTV; no collateral is always liquidatable.
    expect(frontier.liquidatableAt({ price: WAD, borrowIndex: WAD }).sort()).toEqual(["dust", "huge", "no-collateral"]);
    expect(frontier.liquidatableAt({ price: 2n * WAD, borrowIndex: WAD }).sort()).toEqual(["no-collateral"]);
    expect(() => frontier.liquidatableAt({ price: WAD, borrowIndex: WAD - 1n })).toThrow(RangeError);
    expect(frontier.remove("no-debt")).toBe(true);
    expect(frontier.remove("no-debt")).toBe(false);
  });
});
