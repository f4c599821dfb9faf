// The chain side of the model-based tests: a run's world (its LRT, committee, stake pool and market, its
// users), the instruction each model action stands for, a snapshot of every tracked account decoded
// with the sdk's fast decoders, and `step`: predict with the model, send through a plain Connection,
// then compare every tracked account field by field.
//
// The chain's clock follows the wall clock, so the second an instruction runs at is known only within
// [clock before sending, clock after confirmation]. A step is accepted when, for one second of that
// window, the model predicts exactly the chain's outcome (success, or the program and error name) and
// exactly every account afterwards. Usually the window is one or two seconds.
import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { createTransferInstruction } from "@solana/spl-token";
import { type Keypair, PublicKey, type TransactionInstruction } from "@solana/web3.js";
import {
  collateralVaultAddress,
  committeeAddress,
  decodeCommittee,
  decodeFeed,
  decodeLenderPosition,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  decodeTicket,
  escrowVaultAddress,
  feedAddress,
  isInsolvent,
  lamportsForLrt,
  marketPrices,
  pessimisticRate,
  accruePool,
  insuranceVaultAddress,
  type LanternClient,
  LanternProgramError,
  lenderAddress,
  lendingPoolAddress,
  lendingVaultAddress,
  MARGIN_PROGRAM_ID,
  marginInstructions as margin,
  U64_MAX,
  marketAddress,
  ORACLE_PROGRAM_ID,
  oracleInstructions as oracle,
  reserveVaultAddress,
  restakingInstructions as restaking,
  stakePoolAddress,
  RESTAKING_PROGRAM_ID,
  subAccountAddress,
  ticketAddress,
} from "@lantern/sdk";
import type { ChainEndpoints } from "../setup/chain.js";
import { type User, warpTime, type World } from "../integration/world.js";
import {
  type Action,
  applyTransaction,
  clone,
  collateralOf,
  MAX_TICKETS,
  type ModelContext,
  type Outcome,
  type State,
  subKey,
} from "./protocol.js";

export const LENDERS = ["L0", "L1"] as const;
export const TRADERS = ["T0", "T1"] as const;
/** The keeper: liquidations, bad-debt settlement, interest cranks. */
export const KEEPER = "K";
/**
 * A third party with its own LRT and wSOL: donates collateral into other people's sub-accounts
 * (dust into emptied, indebted ones included) and calls every permissionless instruction.
 */
export const THIRD = "X";
/** The committee member that publishes arbitrary market prices (the others observe honestly). */
export const FAULTY_MEMBER = 4;
export const SUB_INDEXES = [0, 1] as const;
export const SUB_KEYS = TRADERS.flatMap((t) => SUB_INDEXES.map((i) => subKey(t, i)));

/** One run's world on the chain. */
export interface RunWorld {
  w: World;
  users: Record<string, User>;
  poolAdmin: Keypair;
}

/** fast-check's model: the sdk's view of every tracked account. */
export interface Model {
  state: State;
  ctx: ModelContext;
}

type Decoder = (data: Uint8Array) => unknown;
interface Tracked {
  /** Where the decoded account goes in `State`: `["subs", "T0#1"]`, `["tokens", "vault"]`, `["pool"]`. */
  path: [keyof State, string?];
  address: PublicKey;
  decode: Decoder;
}

const tokenAmount: Decoder = (data) => Buffer.from(data).readBigUInt64LE(64);
const mintSupply: Decoder = (data) => Buffer.from(data).readBigUInt64LE(36);

/** Keys as base58, bytes as hex: a form `isDeepStrictEqual` and vitest's diff compare field by field. */
export function normalise(value: unknown): unknown {
  if (value instanceof PublicKey) return value.toBase58();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

export function modelContext(run: RunWorld): ModelContext {
  const pool = lendingPoolAddress();
  const market = marketAddress(pool, run.w.lrtMint);
  const owners = Object.fromEntries(Object.entries(run.users).map(([name, u]) => [name, u.key.publicKey]));
  const lenderBumps = Object.fromEntries(
    LENDERS.map((l) => [
      l,
      PublicKey.findProgramAddressSync(
        [Buffer.from("lender"), pool.toBuffer(), owners[l]!.toBuffer()],
        MARGIN_PROGRAM_ID,
      )[1],
    ]),
  );
  const subs: ModelContext["subs"] = {};
  for (const trader of TRADERS) {
    for (const index of SUB_INDEXES) {
      const le = Buffer.alloc(2);
      le.writeUInt16LE(index);
      const [address, bump] = PublicKey.findProgramAddressSync(
        [Buffer.from("sub"), market.toBuffer(), owners[trader]!.toBuffer(), le],
        MARGIN_PROGRAM_ID,
      );
      const [, vaultBump] = PublicKey.findProgramAddressSync(
        [Buffer.from("collateral"), address.toBuffer()],
        MARGIN_PROGRAM_ID,
      );
      subs[subKey(trader, index)] = { trader, index, bump, vaultBump };
    }
  }
  const stakePool = stakePoolAddress(run.w.lrtMint);
  const ticketBumps = Array.from({ length: MAX_TICKETS }, (_, id) => {
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(BigInt(id));
    return PublicKey.findProgramAddressSync([Buffer.from("ticket"), stakePool.toBuffer(), le], RESTAKING_PROGRAM_ID)[1];
  });
  return {
    pool,
    market,
    feed: feedAddress(run.w.lrtMint),
    oracleProgram: ORACLE_PROGRAM_ID,
    owners,
    lenderBumps,
    subs,
    stakePool,
    ticketBumps,
  };
}

function trackedAccounts(run: RunWorld, ctx: ModelContext): Tracked[] {
  const { w, users } = run;
  const stakePool = stakePoolAddress(w.lrtMint);
  const tracked: Tracked[] = [
    { path: ["pool"], address: ctx.pool, decode: decodeLendingPool },
    { path: ["market"], address: ctx.market, decode: decodeMarket },
    { path: ["feed"], address: ctx.feed, decode: decodeFeed },
    { path: ["committee"], address: committeeAddress(w.lrtMint), decode: decodeCommittee },
    { path: ["stakePool"], address: stakePool, decode: decodeStakePool },
    { path: ["lrtSupply"], address: w.lrtMint, decode: mintSupply },
    { path: ["tokens", "vault"], address: lendingVaultAddress(ctx.pool), decode: tokenAmount },
    { path: ["tokens", "reserve"], address: reserveVaultAddress(stakePool), decode: tokenAmount },
    { path: ["tokens", "escrow"], address: escrowVaultAddress(stakePool), decode: tokenAmount },
    { path: ["tokens", "insurance"], address: insuranceVaultAddress(ctx.market), decode: tokenAmount },
    { path: ["tokens", "manager.wsol"], address: w.stakeManagerWsol, decode: tokenAmount },
  ];
  for (const l of LENDERS)
    tracked.push({
      path: ["lenders", l],
      address: lenderAddress(ctx.pool, ctx.owners[l]!),
      decode: decodeLenderPosition,
    });
  for (const [name, u] of Object.entries(users)) {
    tracked.push({ path: ["tokens", `${name}.wsol`], address: u.wsol, decode: tokenAmount });
    if (!u.lrt.equals(PublicKey.default))
      tracked.push({ path: ["tokens", `${name}.lrt`], address: u.lrt, decode: tokenAmount });
  }
  for (const [key, sub] of Object.entries(ctx.subs)) {
    const address = subAccountAddress(ctx.market, ctx.owners[sub.trader]!, sub.index);
    tracked.push({ path: ["subs", key], address, decode: decodeSubAccount });
    tracked.push({
      path: ["tokens", collateralOf(key)],
      address: collateralVaultAddress(address),
      decode: tokenAmount,
    });
  }
  for (let id = 0; id < MAX_TICKETS; id++)
    tracked.push({ path: ["tickets", String(id)], address: ticketAddress(stakePool, id), decode: decodeTicket });
  return tracked;
}

/** What a successful step did that is worth counting apart (full liquidations, socialised losses, ...). */
function notable(before: State, after: State, actions: readonly Action[]): string {
  const a = actions[0]!;
  switch (a.kind) {
    case "liquidate":
      return after.subs[a.sub]!.collateral === 0n ? " (all collateral)" : " (partial)";
    case "settleBadDebt":
      return after.pool.frozen
        ? " (pool frozen)"
        : after.pool.supplyIndex < before.pool.supplyIndex
          ? " (loss socialised)"
          : " (insurance covered it)";
    case "submitReportData":
      return after.feed.held.frame !== 0n ? " (held)" : after.feed.bunker ? " (applied, bunker)" : " (applied)";
    case "deleverage":
      return before.subs[a.sub]!.debtShares > 0n && after.subs[a.sub]!.debtShares === 0n ? " (debt repaid)" : "";
    default:
      return "";
  }
}

/**
 * Issue 9's guarantees, checked after every accepted step on the accounts the chain and the model agree
 * on (`after`, at the second `ts` the step ran):
 * - bad debt is always settleable: every indebted sub-account with no collateral, or with collateral
 *   worth less than its debt at the maintenance price, is one transaction away from written off,
 *   whatever anyone donated into it — `settle_bad_debt` when what is left is dust or what the insurance
 *   pays for, else a full liquidation (by anyone with the SOL) that settles the remainder itself;
 * - no exit pays above the pessimistic rate: an instant unstake (also inside deleverage and
 *   convert_insurance) pays at most the burned LRT at the pessimistic rate of the feed it read, and a
 *   ticket is finalised for at most its LRT at that rate (and requested at no more than it);
 * - the Byzantine rule: a round that a faulty minority of the fresh observations took part in leaves the
 *   market price and its low within the honest fresh observations' range.
 */
export function checkGuarantees(
  ctx: ModelContext,
  before: State,
  after: State,
  actions: readonly Action[],
  ts: bigint,
): void {
  for (const key of SUB_KEYS) {
    const sub = after.subs[key];
    if (!sub || sub.debtShares === 0n) continue;
    let insolvent = sub.collateral === 0n;
    if (!insolvent) {
      let price: bigint | undefined;
      try {
        price = marketPrices(after.market, after.feed, ts).maint;
      } catch {
        price = undefined; // no maintenance price: insolvency cannot be established with collateral left
      }
      insolvent =
        price !== undefined &&
        isInsolvent(sub.debtShares, sub.collateral, price, accruePool(after.pool, ts).borrowIndex);
    }
    if (!insolvent) continue;
    const settled = applyTransaction(after, ctx, [{ kind: "settleBadDebt", sub: key, caller: THIRD }], ts);
    if (settled.ok) continue;
    // Too much collateral left for a settlement (worth the minimum debt and more than the insurance
    // pays for): then anyone with the SOL liquidates it whole, and the remainder is written off at once.
    const funded = clone(after);
    funded.tokens[`${THIRD}.wsol`] = 1_000_000_000_000_000n;
    const liquidated = applyTransaction(
      funded,
      ctx,
      [{ kind: "liquidate", liquidator: THIRD, sub: key, maxRepay: U64_MAX, minCollateralOut: 0n }],
      ts,
    );
    const cleared = liquidated.ok && liquidated.state.subs[key]!.debtShares === 0n;
    const why = liquidated.ok ? "debt left after a full liquidation" : `${liquidated.program} ${liquidated.error}`;
    expect(
      cleared ? "cleared" : `settle_bad_debt: ${settled.program} ${settled.error}; liquidate: ${why}`,
      `insolvent ${key}: bad debt can always be taken off the books`,
    ).toBe("cleared");
  }
  if (actions.length !== 1) {
    checkRounds(before, after, actions, ts);
    return;
  }
  const a = actions[0]!;
  const rate = pessimisticRate(before.feed);
  if (a.kind === "instantUnstake" || a.kind === "deleverage" || a.kind === "convertInsurance") {
    const paid = (before.tokens.reserve ?? 0n) - (after.tokens.reserve ?? 0n);
    const burned = before.lrtSupply - after.lrtSupply;
    expect(paid, `${a.kind}: reserve paid vs ${burned} LRT at the pessimistic rate`).toBeLessThanOrEqual(
      lamportsForLrt(burned, rate),
    );
  }
  if (a.kind === "finalizeWithdrawals") {
    for (const [id, ticket] of Object.entries(after.tickets)) {
      if (!ticket?.finalized || before.tickets[id]?.finalized) continue;
      expect(ticket.lamportsOwed, `ticket ${id} finalised`).toBeLessThanOrEqual(lamportsForLrt(ticket.lrt, rate));
    }
  }
  if (a.kind === "requestWithdrawal") {
    const ticket = after.tickets[String(before.stakePool.nextTicket)];
    expect(ticket?.rateAtRequest, "a new ticket's rate at request").toBe(rate);
  }
  checkRounds(before, after, actions, ts);
}

/** The Byzantine rule on a step's market round (a round happened when the EMA's time moved). */
function checkRounds(before: State, after: State, actions: readonly Action[], ts: bigint): void {
  if (!actions.some((a) => a.kind === "submitPrice")) return;
  if (after.feed.marketEmaTs === before.feed.marketEmaTs || after.feed.marketPrice === 0n) return;
  const c = after.committee;
  const maxAge = BigInt(c.limits.maxPriceAgeSecs);
  const fresh = c.members
    .slice(0, c.memberCount)
    .map((m, i) => ({ i, m }))
    .filter(({ m }) => m.price > 0n && ts - m.priceTs <= maxAge);
  const honest = fresh.filter(({ i }) => i !== FAULTY_MEMBER).map(({ m }) => m.price);
  const faulty = fresh.length - honest.length;
  if (honest.length === 0 || 2 * faulty >= fresh.length) return; // not a minority: out of scope
  const lo = honest.reduce((x, y) => (y < x ? y : x));
  const hi = honest.reduce((x, y) => (y > x ? y : x));
  for (const [what, v] of [
    ["market price", after.feed.marketPrice],
    ["market low", after.feed.marketLow],
  ] as const) {
    expect(v >= lo && v <= hi, `${what} ${v} within the honest range [${lo}, ${hi}]`).toBe(true);
  }
}

/** Outcomes and errors seen per command, for the coverage summary. */
export type Coverage = Map<string, number>;

export class Harness {
  private readonly tracked: Tracked[];
  readonly ctx: ModelContext;

  constructor(
    readonly client: LanternClient,
    readonly chain: ChainEndpoints,
    readonly run: RunWorld,
    readonly coverage: Coverage,
  ) {
    this.ctx = modelContext(run);
    this.tracked = trackedAccounts(run, this.ctx);
  }

  async clock(): Promise<bigint> {
    return (await this.client.clock()).unixTimestamp;
  }

  /** Every tracked account, read in one `getMultipleAccounts` and decoded. */
  async snapshot(): Promise<State> {
    const infos = await this.client.connection.getMultipleAccountsInfo(
      this.tracked.map((t) => t.address),
      "confirmed",
    );
    const state = { lenders: {}, subs: {}, tickets: {}, tokens: {} } as unknown as State;
    this.tracked.forEach((t, i) => {
      const info = infos[i];
      const value = info ? t.decode(info.data) : null;
      const [field, key] = t.path;
      if (key === undefined) {
        if (value === null) throw new Error(`${field} (${t.address.toBase58()}) does not exist`);
        (state as unknown as Record<string, unknown>)[field] = value;
      } else {
        (state[field] as Record<string, unknown>)[key] = value;
      }
    });
    return state;
  }

  /** A tracked token account's address by its name in `State.tokens`. */
  private tokenAccount(name: string): PublicKey {
    const t = this.tracked.find((x) => x.path[0] === "tokens" && x.path[1] === name);
    if (!t) throw new Error(`no tracked token account ${name}`);
    return t.address;
  }

  private user(name: string): User {
    const u = this.run.users[name];
    if (!u) throw new Error(`no user ${name}`);
    return u;
  }

  /** The instruction an action stands for, and who signs it (the first signer pays). */
  async instruction(state: State, a: Action): Promise<{ ix: TransactionInstruction; signers: Keypair[] }> {
    const { w, poolAdmin } = this.run;
    const lrtMint = w.lrtMint;
    const subOf = (key: string) => {
      const s = this.ctx.subs[key]!;
      const t = this.user(s.trader);
      return { owner: t, index: s.index, ref: { owner: t.key.publicKey, index: s.index } };
    };
    switch (a.kind) {
      case "supply": {
        const l = this.user(a.lender);
        return {
          ix: await margin.supply({ owner: l.key.publicKey, source: l.wsol, amount: a.amount }),
          signers: [l.key],
        };
      }
      case "withdrawSupply": {
        const l = this.user(a.lender);
        return {
          ix: await margin.withdrawSupply({ owner: l.key.publicKey, destination: l.wsol, shares: a.shares }),
          signers: [l.key],
        };
      }
      case "accrueInterest":
        return { ix: await margin.accrueInterest(), signers: [this.user(a.caller ?? KEEPER).key] };
      case "setPaused": {
        const m = state.market;
        const ix = await margin.updateMarket({
          admin: poolAdmin.publicKey,
          lrtMint,
          policy: m.policy,
          risk: m.risk,
          collateralCap: m.collateralCap,
          paused: a.paused,
        });
        return { ix, signers: [poolAdmin] };
      }
      case "createSubAccount": {
        const s = subOf(a.sub);
        return {
          ix: await margin.createSubAccount({ owner: s.owner.key.publicKey, lrtMint, index: s.index }),
          signers: [s.owner.key],
        };
      }
      case "closeSubAccount": {
        const s = subOf(a.sub);
        return {
          ix: await margin.closeSubAccount({
            owner: s.owner.key.publicKey,
            lrtMint,
            index: s.index,
            destination: s.owner.lrt,
          }),
          signers: [s.owner.key],
        };
      }
      case "depositCollateral": {
        const d = this.user(a.depositor);
        const ix = await margin.depositCollateral({
          depositor: d.key.publicKey,
          lrtMint,
          subAccount: subOf(a.sub).ref,
          source: d.lrt,
          amount: a.amount,
        });
        return { ix, signers: [d.key] };
      }
      case "withdrawCollateral": {
        const s = subOf(a.sub);
        const ix = await margin.withdrawCollateral({
          owner: s.owner.key.publicKey,
          lrtMint,
          index: s.index,
          destination: s.owner.lrt,
          amount: a.amount,
        });
        return { ix, signers: [s.owner.key] };
      }
      case "borrow": {
        const s = subOf(a.sub);
        return {
          ix: await margin.borrow({
            owner: s.owner.key.publicKey,
            lrtMint,
            index: s.index,
            destination: s.owner.wsol,
            amount: a.amount,
          }),
          signers: [s.owner.key],
        };
      }
      case "repay": {
        const p = this.user(a.payer);
        const ix = await margin.repay({
          payer: p.key.publicKey,
          lrtMint,
          subAccount: subOf(a.sub).ref,
          source: p.wsol,
          amount: a.amount,
        });
        return { ix, signers: [p.key] };
      }
      case "leverageUp": {
        const s = subOf(a.sub);
        const ix = await margin.leverageUp({
          owner: s.owner.key.publicKey,
          lrtMint,
          index: s.index,
          ownerWsol: s.owner.wsol,
          equity: a.equity,
          borrow: a.borrow,
          minLrtOut: a.minLrtOut,
        });
        return { ix, signers: [s.owner.key] };
      }
      case "deleverage": {
        const s = subOf(a.sub);
        const ix = await margin.deleverage({
          owner: s.owner.key.publicKey,
          lrtMint,
          index: s.index,
          ownerWsol: s.owner.wsol,
          lrt: a.lrt,
          minSolOut: a.minSolOut,
        });
        return { ix, signers: [s.owner.key] };
      }
      case "liquidate": {
        const k = this.user(a.liquidator);
        const ix = await margin.liquidate({
          liquidator: k.key.publicKey,
          lrtMint,
          subAccount: subOf(a.sub).ref,
          liquidatorWsol: k.wsol,
          liquidatorLrt: k.lrt,
          maxRepay: a.maxRepay,
          minCollateralOut: a.minCollateralOut,
        });
        return { ix, signers: [k.key] };
      }
      case "settleBadDebt":
        return {
          ix: await margin.settleBadDebt({ lrtMint, subAccount: subOf(a.sub).ref }),
          signers: [this.user(a.caller ?? KEEPER).key],
        };
      case "convertInsurance":
        return {
          ix: await margin.convertInsurance({ lrtMint, lrt: a.lrt, minSolOut: a.minSolOut }),
          signers: [this.user(THIRD).key],
        };
      case "applyMarketUpdate":
        return { ix: await margin.applyMarketUpdate({ lrtMint }), signers: [this.user(THIRD).key] };
      case "updateMarket": {
        const m = state.market;
        const ix = await margin.updateMarket({
          admin: poolAdmin.publicKey,
          lrtMint,
          policy: a.policy,
          risk: a.risk,
          collateralCap: m.collateralCap,
          paused: m.paused,
        });
        return { ix, signers: [poolAdmin] };
      }
      case "stakeDeposit": {
        const u = this.user(a.user);
        const ix = await restaking.deposit({
          depositor: u.key.publicKey,
          lrtMint,
          source: u.wsol,
          destination: u.lrt,
          lamports: a.lamports,
          minLrtOut: a.minLrtOut,
        });
        return { ix, signers: [u.key] };
      }
      case "instantUnstake": {
        const u = this.user(a.user);
        const ix = await restaking.instantUnstake({
          owner: u.key.publicKey,
          lrtMint,
          source: u.lrt,
          destination: u.wsol,
          lrt: a.lrt,
          minSolOut: a.minSolOut,
        });
        return { ix, signers: [u.key] };
      }
      case "delegate": {
        const ix = await restaking.delegate({
          stakeManager: w.stakeManager.publicKey,
          lrtMint,
          destination: w.stakeManagerWsol,
          lamports: a.lamports,
        });
        return { ix, signers: [w.admin, w.stakeManager] };
      }
      case "requestWithdrawal": {
        const u = this.user(a.user);
        const ix = await restaking.requestWithdrawal({
          owner: u.key.publicKey,
          lrtMint,
          source: u.lrt,
          ticketId: state.stakePool.nextTicket,
          lrt: a.lrt,
        });
        return { ix, signers: [u.key] };
      }
      case "finalizeWithdrawals":
        return {
          ix: await restaking.finalizeWithdrawals({ lrtMint, firstTicket: a.firstTicket, upTo: a.upTo }),
          signers: [this.user(KEEPER).key],
        };
      case "claim": {
        const u = this.user(a.user);
        return {
          ix: await restaking.claim({ owner: u.key.publicKey, lrtMint, ticketId: a.ticket, destination: u.wsol }),
          signers: [u.key],
        };
      }
      case "tokenTransfer": {
        const owner = this.user(a.from.split(".")[0]!);
        return {
          ix: createTransferInstruction(
            this.tokenAccount(a.from),
            this.tokenAccount(a.to),
            owner.key.publicKey,
            a.amount,
          ),
          signers: [owner.key],
        };
      }
      case "submitPrice": {
        const signer = w.members[a.member]!.signer;
        return {
          ix: await oracle.submitPrice({ signer: signer.publicKey, lrtMint, price: a.price, observedTs: a.observedTs }),
          signers: [w.admin, signer],
        };
      }
      case "submitReportHash": {
        const signer = w.members[a.member]!.signer;
        const ix = await oracle.submitReportHash({
          signer: signer.publicKey,
          lrtMint,
          frame: a.frame,
          hash: a.hash,
          consensusVersion: a.consensusVersion,
        });
        return { ix, signers: [w.admin, signer] };
      }
      case "submitReportData": {
        const signer = w.members[a.member]!.signer;
        return {
          ix: await oracle.submitReportData({ signer: signer.publicKey, lrtMint, report: a.report }),
          signers: [w.admin, signer],
        };
      }
      case "confirmHeldDecrease":
        return {
          ix: await oracle.confirmHeldDecrease({ guardian: w.guardian.publicKey, lrtMint, frame: a.frame }),
          signers: [w.admin, w.guardian],
        };
    }
  }

  /**
   * One transaction of `actions`: sent to the chain, predicted by the model for each second it may have
   * run at, and every tracked account compared. Advances the model on agreement; throws (with a
   * field-by-field diff) on disagreement.
   */
  async step(model: Model, label: string, actions: readonly Action[]): Promise<Outcome> {
    const built = await Promise.all(actions.map((a) => this.instruction(model.state, a)));
    const signers = [...new Map(built.flatMap((b) => b.signers).map((k) => [k.publicKey.toBase58(), k])).values()];
    const t0 = await this.clock();
    let observed: { ok: true } | { ok: false; program: string; error: string };
    try {
      await this.client.send(
        built.map((b) => b.ix),
        signers,
      );
      observed = { ok: true };
    } catch (error) {
      if (!(error instanceof LanternProgramError)) throw error;
      observed = { ok: false, program: error.program, error: error.name };
    }
    const t1 = await this.clock();
    const actual = normalise(await this.snapshot());

    const candidates: { ts: bigint; outcome: Outcome }[] = [];
    for (let ts = t0; ts <= t1 && ts <= t0 + 30n; ts++)
      candidates.push({ ts, outcome: applyTransaction(model.state, model.ctx, actions, ts) });
    const describe = (o: { ok: boolean; program?: string; error?: string }) =>
      o.ok ? "ok" : `${o.program} ${o.error}`;
    for (const c of candidates) {
      if (describe(c.outcome) !== describe(observed)) continue;
      const expected = c.outcome.ok ? c.outcome.state : model.state;
      if (isDeepStrictEqual(normalise(expected), actual)) {
        const key = `${actions.map((a) => a.kind).join("+")}: ${describe(observed)}${c.outcome.ok ? notable(model.state, c.outcome.state, actions) : ""}`;
        if (c.outcome.ok) {
          checkGuarantees(model.ctx, model.state, c.outcome.state, actions, c.ts);
          model.state = c.outcome.state;
        }
        if (process.env.LANTERN_MODEL_TRACE) console.log(`${label} → ${describe(observed)}`);
        this.coverage.set(key, (this.coverage.get(key) ?? 0) + 1);
        return c.outcome;
      }
    }
    // Disagreement: show it against the prediction with the chain's outcome if there is one, else at t0.
    const best = candidates.find((c) => describe(c.outcome) === describe(observed)) ?? candidates[0]!;
    const context = `${label} at clock ${best.ts} (chain's clock between ${t0} and ${t1})`;
    // vitest's diff: "- Expected" is the model, "+ Received" the chain.
    expect(describe(observed), `${context}: the chain's outcome (+) vs the model's (-)`).toBe(describe(best.outcome));
    expect(actual, `${context}: every tracked account after the step, the chain's (+) vs the model's (-)`).toEqual(
      normalise(best.outcome.ok ? best.outcome.state : model.state),
    );
    throw new Error(`${context}: no second of the window reproduces the chain's accounts`);
  }

  /** Moves the chain's clock forward; nothing else may change. */
  async warp(model: Model, secs: number): Promise<void> {
    await warpTime(secs, this.chain);
    expect(normalise(await this.snapshot()), `after a clock warp of ${secs} s`).toEqual(normalise(model.state));
    this.coverage.set("(clock warp)", (this.coverage.get("(clock warp)") ?? 0) + 1);
  }
}
