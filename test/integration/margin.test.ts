// The margin program through the sdk against the local chain: every instruction, and its rejections
// arriving as the program's named errors. The SOL lending pool is the demo's (one per cluster); each
// market is an isolated world's, with fresh users and their own sub-account indexes.
import { beforeAll, describe, expect, it } from "vitest";
import type { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import {
  collateralValue,
  DEFAULT_RISK_PARAMS,
  debtAmount,
  instantUnstake as instantUnstakeQuote,
  isInsolvent,
  isSettleable,
  type LanternClient,
  lenderAddress,
  lendingPoolAddress,
  liquidationPlan,
  marginInstructions as margin,
  marketAddresses,
  oracleInstructions as oracle,
  pessimisticRate,
  restakingInstructions as restaking,
  subAccountAddresses,
} from "@lantern/sdk";
import {
  demo,
  expectProgramError,
  funded,
  keypairAt,
  lanternClient,
  priceRound,
  SOL,
  U64_MAX,
  user,
  WAD,
  world,
  type World,
} from "./world.js";

let client: LanternClient;
let w: World;
let poolAdmin: Keypair;

beforeAll(async () => {
  client = lanternClient();
  poolAdmin = keypairAt(demo().admin.keypair);
  w = await world(client, { market: {} });
  await priceRound(client, w, WAD);
});

/** Replaces `from` by `to` among the instruction's accounts: a spoofed account, as an attacker would pass. */
function swapAccount(ix: TransactionInstruction, from: PublicKey, to: PublicKey): TransactionInstruction {
  const meta = ix.keys.find((k) => k.pubkey.equals(from));
  if (!meta) throw new Error(`${from.toBase58()} is not an account of the instruction`);
  meta.pubkey = to;
  return ix;
}

/** A user with `lrtSol` SOL restaked into LRT and `spare` lamports of wSOL left, in world `v`. */
async function holder(v: World, lrtSol: bigint, spare: bigint) {
  const u = await user(client, lrtSol * SOL + spare, v.lrtMint);
  if (lrtSol > 0n) {
    await client.send(
      [
        await restaking.deposit({
          depositor: u.key.publicKey,
          lrtMint: v.lrtMint,
          source: u.wsol,
          destination: u.lrt,
          lamports: lrtSol * SOL,
          minLrtOut: 0n,
        }),
      ],
      [u.key],
    );
  }
  return u;
}

describe("margin: the SOL lending pool", () => {
  it("supply and withdraw_supply; InsufficientShares; accrue_interest", async () => {
    const lender = await user(client, 30n * SOL);
    await client.send(
      [await margin.supply({ owner: lender.key.publicKey, source: lender.wsol, amount: 20n * SOL })],
      [lender.key],
    );
    const position = await client.lenderPosition(lender.key.publicKey);
    const pool = await client.lendingPool();
    expect(position!.owner.equals(lender.key.publicKey)).toBe(true);
    // Shares at the supply index: worth the deposit, rounded in the pool's favour. (Other tests share the
    // pool: a bad-debt settlement elsewhere may lower the index a little at any moment.)
    const worth = (position!.shares * pool.supplyIndex) / WAD;
    expect(worth).toBeLessThanOrEqual(20n * SOL);
    expect(worth).toBeGreaterThan(20n * SOL - (20n * SOL) / 1_000n);
    expect(await client.tokenBalance(lender.wsol)).toBe(10n * SOL);

    await expectProgramError(
      client.send(
        [
          await margin.withdrawSupply({
            owner: lender.key.publicKey,
            destination: lender.wsol,
            shares: position!.shares + 1n,
          }),
        ],
        [lender.key],
      ),
      "margin",
      "InsufficientShares",
    );
    await client.send(
      [
        await margin.withdrawSupply({
          owner: lender.key.publicKey,
          destination: lender.wsol,
          shares: position!.shares,
        }),
      ],
      [lender.key],
    );
    const back = await client.tokenBalance(lender.wsol);
    expect(back).toBeGreaterThan(30n * SOL - (20n * SOL) / 1_000n);
    expect((await client.lenderPosition(lender.key.publicKey))?.shares).toBe(0n);
    expect(
      await client.connection.getAccountInfo(lenderAddress(lendingPoolAddress(), lender.key.publicKey)),
    ).not.toBeNull();

    const before = (await client.clock()).unixTimestamp;
    await client.send([await margin.accrueInterest()], [lender.key]);
    const accrued = await client.lendingPool();
    expect(accrued.lastAccrualTs).toBeGreaterThanOrEqual(before);
    expect(accrued.borrowIndex).toBeGreaterThanOrEqual(pool.borrowIndex);
  });

  it("initialize_lending_pool exists once (System's AccountAlreadyInUse); update_lending_pool is the admin's, validated", async () => {
    const pool = await client.lendingPool();
    expect(pool.admin.equals(poolAdmin.publicKey)).toBe(true);
    const again = await expectProgramError(
      client.send(
        [await margin.initializeLendingPool({ admin: poolAdmin.publicKey, params: pool.params })],
        [poolAdmin],
      ),
      "system",
      "AccountAlreadyInUse",
    );
    expect(again.programId?.toBase58()).toBe("11111111111111111111111111111111");
    const outsider = await funded(client, 1n);
    await expectProgramError(
      client.send([await margin.updateLendingPool({ admin: outsider.publicKey, params: pool.params })], [outsider]),
      "margin",
      "NotAdmin",
    );
    const invalid = { ...pool.params, curve: { ...pool.params.curve, kink1UtilizationBps: 9_500 } };
    await expectProgramError(
      client.send([await margin.updateLendingPool({ admin: poolAdmin.publicKey, params: invalid })], [poolAdmin]),
      "margin",
      "InvalidPoolParams",
    );
    // Restating the same parameters is accepted and changes nothing.
    await client.send(
      [await margin.updateLendingPool({ admin: poolAdmin.publicKey, params: pool.params })],
      [poolAdmin],
    );
    expect((await client.lendingPool()).params).toEqual(pool.params);
  });
});

describe("margin: markets and sub-accounts", () => {
  it("initialize_market opens the LRT's market; update_market is the pool admin's: InvalidRiskParams, ThresholdLoweredTooFast", async () => {
    const market = await client.market(w.lrtMint);
    const a = marketAddresses(w.lrtMint);
    expect(market).toMatchObject({
      policy: "MinOfBoth",
      risk: DEFAULT_RISK_PARAMS,
      collateralTotal: 0n,
      paused: false,
    });
    expect(market.insuranceVault.equals(a.insuranceVault)).toBe(true);
    expect(market.feed.equals(a.feed)).toBe(true);

    const update = (admin: Keypair, risk = market.risk, paused = false) =>
      margin.updateMarket({
        admin: admin.publicKey,
        lrtMint: w.lrtMint,
        policy: market.policy,
        risk,
        collateralCap: market.collateralCap,
        paused,
      });
    const outsider = await funded(client, 1n);
    await expectProgramError(client.send([await update(outsider)], [outsider]), "margin", "NotAdmin");
    await expectProgramError(
      client.send([await update(poolAdmin, { ...market.risk, ltvInitBps: 9_400 })], [poolAdmin]),
      "margin",
      "InvalidRiskParams",
    );
    await expectProgramError(
      client.send([await update(poolAdmin, { ...market.risk, ltBps: 9_100, targetLtvBps: 9_050 })], [poolAdmin]),
      "margin",
      "ThresholdLoweredTooFast",
    );
    await client.send([await update(poolAdmin, { ...market.risk, bonusMaxBps: 150 })], [poolAdmin]);
    expect((await client.market(w.lrtMint)).risk.bonusMaxBps).toBe(150);
    await client.send([await update(poolAdmin)], [poolAdmin]);
  });

  it("a sub-account's life: create, deposit_collateral, borrow, withdraw_collateral, repay, close; Unhealthy, NotOwner, DustDebt, SubAccountNotEmpty, ConstraintHasOne", async () => {
    const index = 5;
    const u = await holder(w, 10n, 2n * SOL);
    const s = subAccountAddresses(w.lrtMint, u.key.publicKey, index);
    await client.send([await margin.createSubAccount({ owner: u.key.publicKey, lrtMint: w.lrtMint, index })], [u.key]);
    const created = await client.subAccount(w.lrtMint, u.key.publicKey, index);
    expect(created).toMatchObject({ index, collateral: 0n, debtShares: 0n });
    expect(created!.owner.equals(u.key.publicKey)).toBe(true);

    const lrt = await client.tokenBalance(u.lrt);
    await client.send(
      [
        await margin.depositCollateral({
          depositor: u.key.publicKey,
          lrtMint: w.lrtMint,
          subAccount: { owner: u.key.publicKey, index },
          source: u.lrt,
          amount: lrt,
        }),
      ],
      [u.key],
    );
    expect(await client.tokenBalance(s.collateralVault)).toBe(lrt);

    const borrow = (amount: bigint) =>
      margin.borrow({ owner: u.key.publicKey, lrtMint: w.lrtMint, index, destination: u.wsol, amount });
    // 90% of 10 SOL of collateral at the opening price is the most it may borrow.
    await expectProgramError(client.send([await borrow(9n * SOL + SOL / 10n)], [u.key]), "margin", "Unhealthy");
    await client.send([await borrow(8n * SOL)], [u.key]);
    expect(await client.tokenBalance(u.wsol)).toBe(10n * SOL);

    // Someone else's signature on this sub-account: the program's own owner check.
    const attacker = await user(client, SOL, w.lrtMint);
    const attackerSub = subAccountAddresses(w.lrtMint, attacker.key.publicKey, index).subAccount;
    const spoofed = swapAccount(
      await margin.borrow({
        owner: attacker.key.publicKey,
        lrtMint: w.lrtMint,
        index,
        destination: attacker.wsol,
        amount: SOL,
      }),
      attackerSub,
      s.subAccount,
    );
    await expectProgramError(client.send([spoofed], [attacker.key]), "margin", "NotOwner");

    const withdraw = (amount: bigint) =>
      margin.withdrawCollateral({ owner: u.key.publicKey, lrtMint: w.lrtMint, index, destination: u.lrt, amount });
    await expectProgramError(client.send([await withdraw(2n * SOL)], [u.key]), "margin", "Unhealthy");
    await client.send([await withdraw(SOL / 2n)], [u.key]);
    expect((await client.subAccount(w.lrtMint, u.key.publicKey, index))?.collateral).toBe(lrt - SOL / 2n);

    const close = (owner: Keypair, destination: PublicKey) =>
      margin.closeSubAccount({ owner: owner.publicKey, lrtMint: w.lrtMint, index, destination });
    await expectProgramError(client.send([await close(u.key, u.lrt)], [u.key]), "margin", "SubAccountNotEmpty");
    const repay = (amount: bigint) =>
      margin.repay({ payer: u.key.publicKey, lrtMint: w.lrtMint, subAccount: s.subAccount, source: u.wsol, amount });
    await expectProgramError(client.send([await repay(8n * SOL - SOL / 100n)], [u.key]), "margin", "DustDebt");
    // More than the debt repays it exactly.
    await client.send([await repay(U64_MAX)], [u.key]);
    const repaid = await client.subAccount(w.lrtMint, u.key.publicKey, index);
    expect(repaid?.debtShares).toBe(0n);
    expect(await client.tokenBalance(u.wsol)).toBeGreaterThan(2n * SOL - 1_000n);
    await client.send([await withdraw(repaid!.collateral)], [u.key]);

    const hijack = swapAccount(
      swapAccount(await close(attacker.key, attacker.lrt), attackerSub, s.subAccount),
      subAccountAddresses(w.lrtMint, attacker.key.publicKey, index).collateralVault,
      s.collateralVault,
    );
    const hasOne = await expectProgramError(client.send([hijack], [attacker.key]), "margin", "ConstraintHasOne");
    expect(hasOne.message).toBe("A has one constraint was violated");
    await client.send([await close(u.key, u.lrt)], [u.key]);
    expect(await client.subAccount(w.lrtMint, u.key.publicKey, index)).toBeNull();
    expect(await client.connection.getAccountInfo(s.collateralVault)).toBeNull();
    expect(await client.tokenBalance(u.lrt)).toBe(lrt);
  });

  it("leverage_up and deleverage, one instruction each; restaking's SlippageExceeded through the CPI; MarketPaused blocks risk, never repayment", async () => {
    const index = 9;
    const u = await holder(w, 0n, 20n * SOL);
    await client.send([await margin.createSubAccount({ owner: u.key.publicKey, lrtMint: w.lrtMint, index })], [u.key]);
    const lever = (borrow: bigint, minLrtOut = 0n) =>
      margin.leverageUp({
        owner: u.key.publicKey,
        lrtMint: w.lrtMint,
        index,
        ownerWsol: u.wsol,
        equity: 10n * SOL,
        borrow,
        minLrtOut,
      });
    await expectProgramError(client.send([await lever(95n * SOL)], [u.key]), "margin", "Unhealthy");
    const slipped = await expectProgramError(
      client.send([await lever(80n * SOL, 91n * SOL)], [u.key]),
      "restaking",
      "SlippageExceeded",
    );
    expect(slipped.code).toBe(6005);
    await client.send([await lever(80n * SOL, 90n * SOL)], [u.key]);
    const levered = await client.subAccount(w.lrtMint, u.key.publicKey, index);
    expect(levered?.collateral).toBe(90n * SOL);
    const pool = await client.lendingPool();
    expect(debtAmount(levered!.debtShares, pool.borrowIndex)).toBeGreaterThanOrEqual(80n * SOL);
    expect(await client.tokenBalance(u.wsol)).toBe(10n * SOL);

    const market = await client.market(w.lrtMint);
    const pause = (paused: boolean) =>
      margin.updateMarket({
        admin: poolAdmin.publicKey,
        lrtMint: w.lrtMint,
        policy: market.policy,
        risk: market.risk,
        collateralCap: market.collateralCap,
        paused,
      });
    await client.send([await pause(true)], [poolAdmin]);
    try {
      await expectProgramError(client.send([await lever(SOL)], [u.key]), "margin", "MarketPaused");
      await expectProgramError(
        client.send(
          [
            await margin.borrow({
              owner: u.key.publicKey,
              lrtMint: w.lrtMint,
              index,
              destination: u.wsol,
              amount: SOL,
            }),
          ],
          [u.key],
        ),
        "margin",
        "MarketPaused",
      );
      await client.send(
        [
          await margin.repay({
            payer: u.key.publicKey,
            lrtMint: w.lrtMint,
            subAccount: { owner: u.key.publicKey, index },
            source: u.wsol,
            amount: SOL,
          }),
        ],
        [u.key],
      );
      // Deleveraging is allowed while paused: 20 LRT out at the fair rate less 0.3%, repaying debt.
      const deleverage = (minSolOut: bigint) =>
        margin.deleverage({
          owner: u.key.publicKey,
          lrtMint: w.lrtMint,
          index,
          ownerWsol: u.wsol,
          lrt: 20n * SOL,
          minSolOut,
        });
      await expectProgramError(client.send([await deleverage(20n * SOL)], [u.key]), "restaking", "SlippageExceeded");
      await client.send([await deleverage(0n)], [u.key]);
    } finally {
      await client.send([await pause(false)], [poolAdmin]);
    }
    const after = await client.subAccount(w.lrtMint, u.key.publicKey, index);
    expect(after?.collateral).toBe(70n * SOL);
    const debt = debtAmount(after!.debtShares, (await client.lendingPool()).borrowIndex);
    // 80 borrowed − 1 repaid − what 20 LRT fetch instantly at the fair rate (less 0.3%), plus interest.
    const expected = 79n * SOL - instantUnstakeQuote(20n * SOL, WAD, 30).out;
    expect(debt).toBeGreaterThanOrEqual(expected);
    expect(debt).toBeLessThan(expected + SOL / 100n);
  });
});

describe("margin: liquidation", () => {
  it("NotLiquidatable while healthy; after a 5% slashing a partial liquidation lands near the target LTV; settle_bad_debt refuses while collateral remains", async () => {
    // Its own world: one slashing report, applied at once (decrease budget 100%).
    const v = await world(client, { market: {}, limits: { maxDecreaseBps: 10_000 } });
    await priceRound(client, v, WAD);
    const index = 2;
    const trader = await holder(v, 0n, 15n * SOL);
    await client.send(
      [await margin.createSubAccount({ owner: trader.key.publicKey, lrtMint: v.lrtMint, index })],
      [trader.key],
    );
    await client.send(
      [
        await margin.leverageUp({
          owner: trader.key.publicKey,
          lrtMint: v.lrtMint,
          index,
          ownerWsol: trader.wsol,
          equity: 10n * SOL,
          borrow: 80n * SOL,
          minLrtOut: 0n,
        }),
      ],
      [trader.key],
    );
    const liquidator = await user(client, 100n * SOL, v.lrtMint);
    const liquidate = (maxRepay: bigint, minCollateralOut = 0n) =>
      margin.liquidate({
        liquidator: liquidator.key.publicKey,
        lrtMint: v.lrtMint,
        subAccount: subAccountAddresses(v.lrtMint, trader.key.publicKey, index).subAccount,
        liquidatorWsol: liquidator.wsol,
        liquidatorLrt: liquidator.lrt,
        maxRepay,
        minCollateralOut,
      });
    await expectProgramError(client.send([await liquidate(U64_MAX)], [liquidator.key]), "margin", "NotLiquidatable");

    // The committee reports a 5% slashing in its current frame.
    const rate = (WAD * 95n) / 100n;
    const report = oracle.accountingReport({
      lrtMint: v.lrtMint,
      frame: 1n,
      rate,
      stakedLamports: 0n,
      consensusVersion: v.consensusVersion,
    });
    for (const m of v.members.slice(0, v.quorum)) {
      const { vote } = await oracle.memberReport({ signer: m.signer.publicKey, lrtMint: v.lrtMint, report });
      await client.send([vote], [v.admin, m.signer]);
    }
    await client.send(
      [await oracle.submitReportData({ signer: v.members[1]!.signer.publicKey, lrtMint: v.lrtMint, report })],
      [v.admin, v.members[1]!.signer],
    );
    const feed = await client.feed(v.lrtMint);
    expect(feed).toMatchObject({ fairRate: rate, bunker: true, lastReportFrame: 1n });

    const sub = (await client.subAccount(v.lrtMint, trader.key.publicKey, index))!;
    const risk = (await client.market(v.lrtMint)).risk;
    const debtNow = debtAmount(sub.debtShares, (await client.lendingPool()).borrowIndex);
    const plan = liquidationPlan(debtNow, sub.collateral, rate, risk, U64_MAX);
    expect(plan.full).toBe(false);
    await expectProgramError(
      client.send([await liquidate(U64_MAX, plan.seize)], [liquidator.key]),
      "margin",
      "SlippageExceeded",
    );
    await expectProgramError(
      client.send(
        [await margin.settleBadDebt({ lrtMint: v.lrtMint, subAccount: { owner: trader.key.publicKey, index } })],
        [liquidator.key],
      ),
      "margin",
      "CollateralRemains",
    );
    const wsolBefore = await client.tokenBalance(liquidator.wsol);
    await client.send([await liquidate(U64_MAX)], [liquidator.key]);

    const after = (await client.subAccount(v.lrtMint, trader.key.publicKey, index))!;
    const repaid = wsolBefore - (await client.tokenBalance(liquidator.wsol));
    const seized = sub.collateral - after.collateral;
    const received = await client.tokenBalance(liquidator.lrt);
    const insurance = await client.tokenBalance(marketAddresses(v.lrtMint).insuranceVault);
    // The program's plan, as the sdk computes it (the debt may have grown by a few lamports of interest).
    expect(Number(repaid - plan.repay)).toBeLessThan(1_000);
    expect(received + insurance).toBe(seized);
    expect(insurance).toBeGreaterThan(0n);
    const debtAfter = debtAmount(after.debtShares, (await client.lendingPool()).borrowIndex);
    const ltvBefore = Number((debtNow * 10_000n) / collateralValue(sub.collateral, rate));
    const ltvAfter = Number((debtAfter * 10_000n) / collateralValue(after.collateral, rate));
    expect(ltvAfter).toBeLessThan(ltvBefore);
    expect(ltvAfter).toBeGreaterThanOrEqual(9_150);
    expect(ltvAfter).toBeLessThanOrEqual(9_250);
    await expectProgramError(client.send([await liquidate(U64_MAX)], [liquidator.key]), "margin", "NotLiquidatable");

    // A sub-account with neither collateral nor debt has nothing to settle.
    await client.send(
      [await margin.createSubAccount({ owner: trader.key.publicKey, lrtMint: v.lrtMint, index: index + 1 })],
      [trader.key],
    );
    await expectProgramError(
      client.send(
        [
          await margin.settleBadDebt({
            lrtMint: v.lrtMint,
            subAccount: { owner: trader.key.publicKey, index: index + 1 },
          }),
        ],
        [liquidator.key],
      ),
      "margin",
      "NoDebt",
    );
  });
});

describe("margin: issue 9's adversaries", () => {
  /** The committee of `v` reports `rate` for frame 1 (a quorum votes, one member submits the data). */
  async function report(v: World, rate: bigint): Promise<void> {
    const data = oracle.accountingReport({
      lrtMint: v.lrtMint,
      frame: 1n,
      rate,
      stakedLamports: 0n,
      consensusVersion: v.consensusVersion,
    });
    for (const m of v.members.slice(0, v.quorum)) {
      const { vote } = await oracle.memberReport({ signer: m.signer.publicKey, lrtMint: v.lrtMint, report: data });
      await client.send([vote], [v.admin, m.signer]);
    }
    await client.send(
      [await oracle.submitReportData({ signer: v.members[0]!.signer.publicKey, lrtMint: v.lrtMint, report: data })],
      [v.admin, v.members[0]!.signer],
    );
  }

  it("a held loss counts at once (exits and prices at the held rate); a donation cannot keep an insolvent sub-account from settlement; insurance LRT converts into pool insurance", async () => {
    // FairRate: before issue 9 the market lent and exits paid at the pre-loss fair rate while a loss was held.
    const v = await world(client, { market: { policy: "FairRate" } });
    await priceRound(client, v, WAD);
    const trader = await holder(v, 0n, SOL);
    const exiter = await holder(v, 2n, 0n);
    const third = await holder(v, 1n, 0n);
    // A small position: 0.07 LRT against 0.06 SOL of debt (the minimum debt is 0.05 SOL).
    const [equity, borrowed] = [SOL / 100n, (6n * SOL) / 100n];
    await client.send(
      [
        await margin.createSubAccount({ owner: trader.key.publicKey, lrtMint: v.lrtMint, index: 0 }),
        await margin.leverageUp({
          owner: trader.key.publicKey,
          lrtMint: v.lrtMint,
          index: 0,
          ownerWsol: trader.wsol,
          equity,
          borrow: borrowed,
          minLrtOut: 0n,
        }),
      ],
      [trader.key],
    );
    const collateral = equity + borrowed;

    // A 40% loss: beyond the 1% budget, held for the guardian; the fair rate does not move.
    const held = (WAD * 60n) / 100n;
    await report(v, held);
    const feed = await client.feed(v.lrtMint);
    expect(feed.fairRate).toBe(WAD);
    expect(feed.held.rate).toBe(held);
    expect(pessimisticRate(feed)).toBe(held);

    // An exit pays at the held rate, not at the fair rate (the pre-loss exit).
    const before = await client.tokenBalance(exiter.wsol);
    await client.send(
      [
        await restaking.instantUnstake({
          owner: exiter.key.publicKey,
          lrtMint: v.lrtMint,
          source: exiter.lrt,
          destination: exiter.wsol,
          lrt: SOL,
          minSolOut: 0n,
        }),
      ],
      [exiter.key],
    );
    expect((await client.tokenBalance(exiter.wsol)) - before).toBe(instantUnstakeQuote(SOL, held, 30).out);

    // 0.07 LRT is worth 0.042 SOL at the held rate: insolvent, and below the minimum debt (dust, not worth
    // a liquidation). A third party donates one base unit of LRT; settlement still goes through and sweeps
    // all of it to the market's insurance.
    const sub = subAccountAddresses(v.lrtMint, trader.key.publicKey, 0);
    await client.send(
      [
        await margin.depositCollateral({
          depositor: third.key.publicKey,
          lrtMint: v.lrtMint,
          subAccount: sub.subAccount,
          source: third.lrt,
          amount: 1n,
        }),
      ],
      [third.key],
    );
    const donated = (await client.subAccount(v.lrtMint, trader.key.publicKey, 0))!;
    expect(donated.collateral).toBe(collateral + 1n);
    const pool = await client.lendingPool();
    expect(isInsolvent(donated.debtShares, donated.collateral, held, pool.borrowIndex)).toBe(true);
    expect(
      isSettleable(
        donated.debtShares,
        donated.collateral,
        held,
        pool.borrowIndex,
        pool.insurance,
        DEFAULT_RISK_PARAMS.minDebt,
      ),
    ).toBe(true);
    await client.send([await margin.settleBadDebt({ lrtMint: v.lrtMint, subAccount: sub.subAccount })], [third.key]);
    const settled = (await client.subAccount(v.lrtMint, trader.key.publicKey, 0))!;
    expect([settled.collateral, settled.debtShares]).toEqual([0n, 0n]);
    const insuranceVault = marketAddresses(v.lrtMint).insuranceVault;
    expect(await client.tokenBalance(insuranceVault)).toBe(collateral + 1n);
    expect(await client.tokenBalance(sub.collateralVault)).toBe(0n);
    expect((await client.market(v.lrtMint)).collateralTotal).toBe(0n);

    // The insurance's LRT becomes SOL through instant unstake at the held rate, into the pool's insurance.
    const reserveBefore = (await client.stakePool(v.lrtMint)).reserveLamports;
    const lrt = collateral + 1n;
    const quote = instantUnstakeQuote(lrt, held, 30).out;
    await expectProgramError(
      client.send([await margin.convertInsurance({ lrtMint: v.lrtMint, lrt: lrt + 1n, minSolOut: 0n })], [third.key]),
      "margin",
      "InsufficientCollateral",
    );
    await expectProgramError(
      client.send([await margin.convertInsurance({ lrtMint: v.lrtMint, lrt, minSolOut: quote + 1n })], [third.key]),
      "restaking",
      "SlippageExceeded",
    );
    await client.send([await margin.convertInsurance({ lrtMint: v.lrtMint, lrt, minSolOut: quote })], [third.key]);
    expect(await client.tokenBalance(insuranceVault)).toBe(0n);
    expect(reserveBefore - (await client.stakePool(v.lrtMint)).reserveLamports).toBe(quote);
  });

  it("without debt, collateral can be withdrawn while paused; a tightening update waits out its time lock, a restatement drops it", async () => {
    const v = await world(client, { market: {} });
    await priceRound(client, v, WAD);
    const owner = await holder(v, 2n, SOL);
    const market = await client.market(v.lrtMint);
    const update = (p: { risk?: typeof DEFAULT_RISK_PARAMS; paused: boolean }) =>
      margin.updateMarket({
        admin: poolAdmin.publicKey,
        lrtMint: v.lrtMint,
        policy: market.policy,
        risk: p.risk ?? market.risk,
        collateralCap: market.collateralCap,
        paused: p.paused,
      });
    await client.send(
      [
        await margin.createSubAccount({ owner: owner.key.publicKey, lrtMint: v.lrtMint, index: 0 }),
        await margin.depositCollateral({
          depositor: owner.key.publicKey,
          lrtMint: v.lrtMint,
          subAccount: { owner: owner.key.publicKey, index: 0 },
          source: owner.lrt,
          amount: 2n * SOL,
        }),
      ],
      [owner.key],
    );
    await client.send([await update({ paused: true })], [poolAdmin]);
    const withdraw = (amount: bigint) =>
      margin.withdrawCollateral({
        owner: owner.key.publicKey,
        lrtMint: v.lrtMint,
        index: 0,
        destination: owner.lrt,
        amount,
      });
    await client.send([await withdraw(SOL)], [owner.key]);
    expect(await client.tokenBalance(owner.lrt)).toBe(SOL);
    await expectProgramError(
      client.send(
        [
          await margin.borrow({
            owner: owner.key.publicKey,
            lrtMint: v.lrtMint,
            index: 0,
            destination: owner.wsol,
            amount: SOL / 10n,
          }),
        ],
        [owner.key],
      ),
      "margin",
      "MarketPaused",
    );

    // A larger maximum bonus liquidates positions harder: queued for a day.
    const harder = { ...market.risk, bonusMaxBps: market.risk.bonusMaxBps + 10 };
    const now = (await client.clock()).unixTimestamp;
    await client.send([await update({ risk: harder, paused: true })], [poolAdmin]);
    const queued = await client.market(v.lrtMint);
    expect(queued.risk).toEqual(market.risk);
    expect(queued.pending.risk).toEqual(harder);
    expect(Number(queued.pending.activatesTs - now)).toBeGreaterThanOrEqual(86_400);
    expect(Number(queued.pending.activatesTs - now)).toBeLessThan(86_400 + 60);
    await expectProgramError(
      client.send([await margin.applyMarketUpdate({ lrtMint: v.lrtMint })], [owner.key]),
      "margin",
      "UpdateNotDue",
    );
    // Unpausing restates the current parameters: applied at once, which drops the queued change.
    await client.send([await update({ paused: false })], [poolAdmin]);
    const restated = await client.market(v.lrtMint);
    expect(restated.paused).toBe(false);
    expect(restated.pending.activatesTs).toBe(0n);
    await expectProgramError(
      client.send([await margin.applyMarketUpdate({ lrtMint: v.lrtMint })], [owner.key]),
      "margin",
      "NoPendingUpdate",
    );
  });
});
