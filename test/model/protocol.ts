// The protocol as the sdk sees it: every account a model-based run tracks, and what each instruction
// does to them, written with the sdk's exact math and state transitions (accruePool, borrowFromPool,
// repayToPool, applyLiquidation, settleSubAccount, liquidationPlan, processReport, confirmHeld,
// updateMarket, updateMarketRisk, exitRate, ...). The checks run
// in the programs' order (Anchor's account checks, then `validate`, then the handler), so a rejected
// transaction is predicted with the error the program returns first. Token movements are SPL Token's:
// a transfer or burn beyond the balance fails with its `InsufficientFunds`.
//
// Pure: `applyTransaction` returns the next state (or the error) and leaves its input untouched; a
// transaction's instructions apply in order and any error reverts them all.
import type { PublicKey } from "@solana/web3.js";
import {
  type AccountingReport,
  accruePool,
  addInsurance,
  applyLiquidation,
  applyPendingUpdate,
  checkPoolInvariant,
  depositRate,
  exitRate,
  isSettleable,
  marketPrices,
  pessimisticRate,
  type PricingPolicy,
  requireRiskIncrease as marketRequireRiskIncrease,
  type RiskParams,
  settleSubAccount,
  updateMarketRisk,
  availableCash,
  BPS,
  borrowFromPool,
  type Committee,
  confirmHeld,
  consensusFor,
  collateralValue,
  debtAmount,
  type Feed,
  frameAt,
  frameRefTs,
  freshPrices,
  inFastLane,
  instantUnstake,
  isFastLaneMember,
  isLanternError,
  type LenderPosition,
  type LendingPool,
  lenderClaims,
  liquidationPlan,
  lamportsForLrt,
  liquidLamports,
  lrtForDeposit,
  ltvLower,
  type Market,
  processReport,
  repayToPool,
  type StakePool,
  type SubAccount,
  submitReportHash,
  type Ticket,
  ticketPayout,
  supplyAmount,
  supplySharesForDeposit,
  U64_MAX,
  updateMarket,
  voted,
  withinLtv,
} from "@lantern/sdk";

// ---- State ----

/** Every account a run tracks, decoded; `null` where an account does not exist (yet, or any more). */
export interface State {
  pool: LendingPool;
  /** Lender positions by lender name. */
  lenders: Record<string, LenderPosition | null>;
  market: Market;
  feed: Feed;
  committee: Committee;
  stakePool: StakePool;
  /** Sub-accounts by key (`T0#1`: trader T0's index 1). */
  subs: Record<string, SubAccount | null>;
  /** Withdrawal tickets by id (the first MAX_TICKETS ids of the run's stake pool). */
  tickets: Record<string, Ticket | null>;
  /**
   * SPL Token balances by name: `L0.wsol`, `T0.lrt`, `vault` (the lending pool's), `reserve` and `escrow`
   * (the stake pool's), `insurance` (the market's LRT), `manager.wsol`, `collateral.T0#1`.
   */
  tokens: Record<string, bigint | null>;
  /** The LRT mint's supply. */
  lrtSupply: bigint;
}

/** What the model needs to know to create accounts: keys and PDA bumps, fixed for a run. */
export interface ModelContext {
  pool: PublicKey;
  market: PublicKey;
  feed: PublicKey;
  oracleProgram: PublicKey;
  /** Wallets by user name. */
  owners: Record<string, PublicKey>;
  lenderBumps: Record<string, number>;
  subs: Record<string, { trader: string; index: number; bump: number; vaultBump: number }>;
  stakePool: PublicKey;
  /** PDA bumps of tickets 0..MAX_TICKETS-1. */
  ticketBumps: number[];
}

/** Tickets a run tracks (and may request). */
export const MAX_TICKETS = 8;

export const subKey = (trader: string, index: number) => `${trader}#${index}`;
export const collateralOf = (sub: string) => `collateral.${sub}`;

// ---- Instructions ----

export type Action =
  | { kind: "supply"; lender: string; amount: bigint }
  | { kind: "withdrawSupply"; lender: string; shares: bigint }
  | { kind: "accrueInterest"; caller?: string }
  | { kind: "setPaused"; paused: boolean }
  | { kind: "createSubAccount"; sub: string }
  | { kind: "closeSubAccount"; sub: string }
  | { kind: "depositCollateral"; depositor: string; sub: string; amount: bigint }
  | { kind: "withdrawCollateral"; sub: string; amount: bigint }
  | { kind: "borrow"; sub: string; amount: bigint }
  | { kind: "repay"; payer: string; sub: string; amount: bigint }
  | { kind: "leverageUp"; sub: string; equity: bigint; borrow: bigint; minLrtOut: bigint }
  | { kind: "deleverage"; sub: string; lrt: bigint; minSolOut: bigint }
  | { kind: "liquidate"; liquidator: string; sub: string; maxRepay: bigint; minCollateralOut: bigint }
  | { kind: "settleBadDebt"; sub: string; caller?: string }
  | { kind: "convertInsurance"; lrt: bigint; minSolOut: bigint }
  | { kind: "applyMarketUpdate" }
  | { kind: "updateMarket"; policy: PricingPolicy; risk: RiskParams }
  | { kind: "stakeDeposit"; user: string; lamports: bigint; minLrtOut: bigint }
  | { kind: "instantUnstake"; user: string; lrt: bigint; minSolOut: bigint }
  | { kind: "delegate"; lamports: bigint }
  | { kind: "requestWithdrawal"; user: string; lrt: bigint }
  | { kind: "finalizeWithdrawals"; firstTicket: bigint; upTo: bigint }
  | { kind: "claim"; user: string; ticket: bigint }
  | { kind: "tokenTransfer"; from: string; to: string; amount: bigint }
  | { kind: "submitPrice"; member: number; price: bigint; observedTs: bigint }
  | { kind: "submitReportHash"; member: number; frame: bigint; hash: Uint8Array; consensusVersion: bigint }
  | { kind: "submitReportData"; member: number; report: AccountingReport }
  | { kind: "confirmHeldDecrease"; frame: bigint };

/** A program's refusal: `program` as `LanternProgramError.program`, `name` as its `name`. */
export class Rejection extends Error {
  constructor(
    readonly program: string,
    readonly error: string,
  ) {
    super(`${program} ${error}`);
  }
}

export type Outcome = { ok: true; state: State } | { ok: false; program: string; error: string };

function reject(program: string, error: string): never {
  throw new Rejection(program, error);
}

/** A deep copy of plain objects, arrays and byte arrays; keys (PublicKey) are immutable and shared. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clone(v);
    return out as T;
  }
  return value;
}

/** Applies one transaction's instructions at clock time `now`. */
export function applyTransaction(state: State, ctx: ModelContext, actions: readonly Action[], now: bigint): Outcome {
  const s = clone(state);
  try {
    for (const action of actions) apply(s, ctx, action, now);
    return { ok: true, state: s };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, program: error.program, error: error.error };
    if (isLanternError(error)) return { ok: false, program: error.program, error: error.code };
    throw error;
  }
}

// ---- Pieces shared by the instructions ----

function balance(s: State, account: string): bigint {
  const b = s.tokens[account];
  if (b === null || b === undefined) throw new Error(`token account ${account} does not exist in the model`);
  return b;
}

/** SPL Token transfer (or burn, with `to` undefined). */
function transfer(s: State, from: string, to: string | undefined, amount: bigint): void {
  const available = balance(s, from);
  if (available < amount) reject("token", "InsufficientFunds");
  s.tokens[from] = available - amount;
  if (to !== undefined) s.tokens[to] = balance(s, to) + amount;
}

function mint(s: State, to: string, amount: bigint): void {
  s.lrtSupply += amount;
  s.tokens[to] = balance(s, to) + amount;
}

/** Anchor's `Account<SubAccount>` on an address with no account: AccountNotInitialized. */
function existingSub(s: State, sub: string): SubAccount {
  const account = s.subs[sub];
  if (!account) reject("margin", "AccountNotInitialized");
  return account;
}

function u64(value: bigint, program: "margin" | "restaking" = "margin"): bigint {
  if (value > U64_MAX) reject(program, "MathOverflow");
  return value;
}

function requireLive(s: State): void {
  if (s.pool.frozen) reject("margin", "PoolFrozen");
}

/** `Market::require_risk_increase`: the opening price, or why risk may not increase now. */
function requireRiskIncrease(s: State, now: bigint): bigint {
  return marketRequireRiskIncrease(s.market, s.feed, now);
}

/** `Market::prices(..).maint`: from the feed's pessimistic rate (a held loss counts at once). */
function maintenancePrice(s: State, now: bigint): bigint {
  return marketPrices(s.market, s.feed, now).maint;
}

function debtOf(s: State, sub: SubAccount): bigint {
  return debtAmount(sub.debtShares, s.pool.borrowIndex);
}

function requireNoDust(s: State, sub: SubAccount): void {
  const debt = debtOf(s, sub);
  if (debt !== 0n && debt < s.market.risk.minDebt) reject("margin", "DustDebt");
}

function requireHealthyToOpen(s: State, sub: SubAccount, price: bigint): void {
  if (!withinLtv(debtOf(s, sub), sub.collateral, price, s.market.risk.ltvInitBps)) reject("margin", "Unhealthy");
}

/** `SubAccount::borrow`: the pool lends (checking its limits), the sub-account owes the shares. */
function borrowInto(s: State, sub: SubAccount, amount: bigint): void {
  const { pool, newShares } = borrowFromPool(s.pool, amount);
  s.pool = pool;
  sub.debtShares = u64(sub.debtShares + newShares);
}

/** restaking `deposit`: SOL from `source` into the reserve, LRT minted to `destination`. */
function stakeDeposit(
  s: State,
  now: bigint,
  source: string,
  destination: string,
  lamports: bigint,
  minLrtOut: bigint,
): bigint {
  const lrt = lrtForDeposit(lamports, depositRate(s.feed, now));
  if (lrt < minLrtOut) reject("restaking", "SlippageExceeded");
  transfer(s, source, "reserve", lamports);
  mint(s, destination, lrt);
  s.stakePool.reserveLamports = u64(s.stakePool.reserveLamports + lamports, "restaking");
  return lrt;
}

/** restaking `instant_unstake`: LRT burned from `source`, its value less the fee paid to `destination`. */
function stakeInstantUnstake(
  s: State,
  now: bigint,
  source: string,
  destination: string,
  lrt: bigint,
  minSolOut: bigint,
): bigint {
  const { out } = instantUnstake(lrt, exitRate(s.feed, now), s.stakePool.instantUnstakeFeeBps);
  if (out < minSolOut) reject("restaking", "SlippageExceeded");
  if (out > liquidLamports(s.stakePool)) reject("restaking", "InsufficientLiquidity");
  transfer(s, source, undefined, lrt);
  s.lrtSupply -= lrt;
  transfer(s, "reserve", destination, out);
  s.stakePool.reserveLamports -= out;
  return out;
}

const NO_HASH = new Uint8Array(32);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `Committee::require_current_frame`. */
function requireCurrentFrame(c: Committee, frame: bigint, now: bigint): void {
  const current = frameAt(c.frames, now);
  if (current === undefined) reject("oracle", "BeforeGenesis");
  if (frame > current) reject("oracle", "WrongFrame");
  if (frame !== current) reject("oracle", "DeadlinePassed");
}

/** `Committee::refresh_consensus`: records the hash holding quorum in the current frame (or none). */
function refreshConsensus(c: Committee, now: bigint): void {
  const frame = frameAt(c.frames, now);
  if (frame === undefined || frame <= c.lastProcessedFrame) return;
  const previous = c.consensusFrame === frame && !sameBytes(c.consensusHash, NO_HASH) ? c.consensusHash : undefined;
  const current = consensusFor(c, frame);
  const same =
    previous === undefined ? current === undefined : current !== undefined && sameBytes(previous, current.hash);
  if (same) return;
  c.consensusFrame = frame;
  c.consensusHash = current ? current.hash.slice() : NO_HASH.slice();
}

// ---- The instructions ----

function apply(s: State, ctx: ModelContext, a: Action, now: bigint): void {
  switch (a.kind) {
    case "supply": {
      requireLive(s);
      if (a.amount === 0n) reject("margin", "ZeroAmount");
      s.pool = accruePool(s.pool, now);
      const minted = supplySharesForDeposit(a.amount, s.pool.supplyIndex);
      const claimsAfter = u64(lenderClaims(s.pool) + a.amount);
      if (claimsAfter > s.pool.params.supplyCap) reject("margin", "SupplyCapExceeded");
      s.pool.cash = u64(s.pool.cash + a.amount);
      s.pool.supplyShares = u64(s.pool.supplyShares + minted);
      transfer(s, `${a.lender}.wsol`, "vault", a.amount);
      const position = s.lenders[a.lender] ?? {
        bump: ctx.lenderBumps[a.lender]!,
        pool: ctx.pool,
        owner: ctx.owners[a.lender]!,
        shares: 0n,
      };
      position.shares = u64(position.shares + minted);
      s.lenders[a.lender] = position;
      return;
    }
    case "withdrawSupply": {
      const position = s.lenders[a.lender];
      if (!position) reject("margin", "AccountNotInitialized");
      requireLive(s);
      if (a.shares === 0n) reject("margin", "ZeroAmount");
      if (a.shares > position.shares) reject("margin", "InsufficientShares");
      s.pool = accruePool(s.pool, now);
      const amount = supplyAmount(a.shares, s.pool.supplyIndex);
      if (amount === 0n) reject("margin", "ZeroAmount");
      if (amount > availableCash(s.pool)) reject("margin", "InsufficientLiquidity");
      s.pool.cash -= amount;
      s.pool.supplyShares -= a.shares;
      position.shares -= a.shares;
      transfer(s, "vault", `${a.lender}.wsol`, amount);
      return;
    }
    case "accrueInterest":
      s.pool = accruePool(s.pool, now);
      return;
    case "setPaused":
      // update_market restating the market's policy, risk parameters and cap: the flag changes, and
      // the restated (not tightening) policy and risk apply at once, which drops a queued update.
      s.market = updateMarketRisk(s.market, s.market.policy, s.market.risk, now).market;
      s.market.paused = a.paused;
      return;
    case "updateMarket":
      // The pool admin changes the policy and risk (cap and pause restated): a tightening is queued.
      s.market = updateMarketRisk(s.market, a.policy, a.risk, now).market;
      return;
    case "applyMarketUpdate":
      s.market = applyPendingUpdate(s.market, now);
      return;
    case "createSubAccount": {
      // `init` on an address already in use: the System program refuses to create it again.
      if (s.subs[a.sub]) reject("system", "AccountAlreadyInUse");
      const { trader, index, bump, vaultBump } = ctx.subs[a.sub]!;
      s.subs[a.sub] = {
        bump,
        vaultBump,
        market: ctx.market,
        owner: ctx.owners[trader]!,
        index,
        collateral: 0n,
        debtShares: 0n,
      };
      s.tokens[collateralOf(a.sub)] = 0n;
      return;
    }
    case "closeSubAccount": {
      const sub = existingSub(s, a.sub);
      if (sub.collateral !== 0n || sub.debtShares !== 0n) reject("margin", "SubAccountNotEmpty");
      const stray = balance(s, collateralOf(a.sub));
      if (stray > 0n) transfer(s, collateralOf(a.sub), `${ctx.subs[a.sub]!.trader}.lrt`, stray);
      s.subs[a.sub] = null;
      s.tokens[collateralOf(a.sub)] = null;
      return;
    }
    case "depositCollateral": {
      const sub = existingSub(s, a.sub);
      if (a.amount === 0n) reject("margin", "ZeroAmount");
      const total = u64(s.market.collateralTotal + a.amount);
      if (total > s.market.collateralCap) reject("margin", "CollateralCapExceeded");
      transfer(s, `${a.depositor}.lrt`, collateralOf(a.sub), a.amount);
      s.market.collateralTotal += a.amount;
      sub.collateral += a.amount;
      return;
    }
    case "withdrawCollateral": {
      const sub = existingSub(s, a.sub);
      if (a.amount === 0n) reject("margin", "ZeroAmount");
      if (a.amount > sub.collateral) reject("margin", "InsufficientCollateral");
      // Without debt it is risk-free: no pause, staleness or price check.
      const price = sub.debtShares === 0n ? undefined : requireRiskIncrease(s, now);
      s.pool = accruePool(s.pool, now);
      sub.collateral -= a.amount;
      s.market.collateralTotal -= a.amount;
      if (price !== undefined) requireHealthyToOpen(s, sub, price);
      transfer(s, collateralOf(a.sub), `${ctx.subs[a.sub]!.trader}.lrt`, a.amount);
      return;
    }
    case "borrow": {
      const sub = existingSub(s, a.sub);
      requireLive(s);
      if (a.amount === 0n) reject("margin", "ZeroAmount");
      const price = requireRiskIncrease(s, now);
      s.pool = accruePool(s.pool, now);
      borrowInto(s, sub, a.amount);
      requireNoDust(s, sub);
      requireHealthyToOpen(s, sub, price);
      transfer(s, "vault", `${ctx.subs[a.sub]!.trader}.wsol`, a.amount);
      return;
    }
    case "repay": {
      const sub = existingSub(s, a.sub);
      if (a.amount === 0n) reject("margin", "ZeroAmount");
      if (sub.debtShares === 0n) reject("margin", "NoDebt");
      s.pool = accruePool(s.pool, now);
      const { pool, paid, burned } = repayToPool(s.pool, sub.debtShares, a.amount);
      s.pool = pool;
      sub.debtShares -= burned;
      requireNoDust(s, sub);
      transfer(s, `${a.payer}.wsol`, "vault", paid);
      return;
    }
    case "leverageUp": {
      const sub = existingSub(s, a.sub);
      const owner = ctx.subs[a.sub]!.trader;
      requireLive(s);
      if (a.borrow === 0n) reject("margin", "ZeroAmount");
      const price = requireRiskIncrease(s, now);
      s.pool = accruePool(s.pool, now);
      borrowInto(s, sub, a.borrow);
      transfer(s, "vault", `${owner}.wsol`, a.borrow);
      const lamports = u64(a.equity + a.borrow);
      const minted = stakeDeposit(s, now, `${owner}.wsol`, collateralOf(a.sub), lamports, a.minLrtOut);
      s.market.collateralTotal = u64(s.market.collateralTotal + minted);
      if (s.market.collateralTotal > s.market.collateralCap) reject("margin", "CollateralCapExceeded");
      sub.collateral += minted;
      requireNoDust(s, sub);
      requireHealthyToOpen(s, sub, price);
      return;
    }
    case "deleverage": {
      const sub = existingSub(s, a.sub);
      if (a.lrt === 0n) reject("margin", "ZeroAmount");
      if (a.lrt > sub.collateral) reject("margin", "InsufficientCollateral");
      s.pool = accruePool(s.pool, now);
      const maint = maintenancePrice(s, now);
      const debtBefore = debtOf(s, sub);
      const valueBefore = collateralValue(sub.collateral, maint);
      const solOut = stakeInstantUnstake(s, now, collateralOf(a.sub), "vault", a.lrt, a.minSolOut);
      s.market.collateralTotal -= a.lrt;
      sub.collateral -= a.lrt;
      let repaid = 0n;
      if (sub.debtShares !== 0n) {
        const r = repayToPool(s.pool, sub.debtShares, solOut);
        s.pool = r.pool;
        sub.debtShares -= r.burned;
        repaid = r.paid;
      }
      const excess = solOut - repaid;
      requireNoDust(s, sub);
      const debtAfter = debtOf(s, sub);
      const valueAfter = collateralValue(sub.collateral, maint);
      if (!(debtAfter === 0n || ltvLower(debtAfter, valueAfter, debtBefore, valueBefore)))
        reject("margin", "DeleverageDidNotImprove");
      if (excess > 0n) transfer(s, "vault", `${ctx.subs[a.sub]!.trader}.wsol`, excess);
      return;
    }
    case "liquidate": {
      const sub = existingSub(s, a.sub);
      if (a.maxRepay === 0n) reject("margin", "ZeroAmount");
      s.pool = accruePool(s.pool, now);
      const price = maintenancePrice(s, now);
      const debt = debtOf(s, sub);
      const plan = liquidationPlan(debt, sub.collateral, price, s.market.risk, a.maxRepay);
      if (plan.seize - plan.toInsurance < a.minCollateralOut) reject("margin", "SlippageExceeded");
      const applied = applyLiquidation(s.pool, sub, s.market, plan, price);
      s.pool = applied.pool;
      s.market = applied.market;
      s.subs[a.sub] = applied.sub;
      checkPoolInvariant(s.pool);
      const swept = applied.outcome.settlement?.collateralSwept ?? 0n;
      transfer(s, `${a.liquidator}.wsol`, "vault", applied.outcome.repayment.paid);
      transfer(s, collateralOf(a.sub), `${a.liquidator}.lrt`, plan.seize - plan.toInsurance);
      if (plan.toInsurance + swept > 0n) transfer(s, collateralOf(a.sub), "insurance", plan.toInsurance + swept);
      return;
    }
    case "settleBadDebt": {
      const sub = existingSub(s, a.sub);
      if (sub.debtShares === 0n) reject("margin", "NoDebt");
      // With collateral left it must be settleable at the maintenance price: insolvent, and worth less
      // than the minimum debt or no more than the insurance pays for. Without collateral no price is read.
      let price = 0n;
      if (sub.collateral > 0n) {
        const pool = accruePool(s.pool, now);
        price = maintenancePrice(s, now);
        const { minDebt } = s.market.risk;
        if (!isSettleable(sub.debtShares, sub.collateral, price, pool.borrowIndex, pool.insurance, minDebt))
          reject("margin", "CollateralRemains");
      }
      s.pool = accruePool(s.pool, now);
      const settled = settleSubAccount(s.pool, sub, s.market, price);
      s.pool = settled.pool;
      s.market = settled.market;
      s.subs[a.sub] = settled.sub;
      checkPoolInvariant(s.pool);
      const swept = settled.settlement.collateralSwept;
      if (swept > 0n) transfer(s, collateralOf(a.sub), "insurance", swept);
      return;
    }
    case "convertInsurance": {
      if (a.lrt === 0n) reject("margin", "ZeroAmount");
      if (a.lrt > balance(s, "insurance")) reject("margin", "InsufficientCollateral");
      const solOut = stakeInstantUnstake(s, now, "insurance", "vault", a.lrt, a.minSolOut);
      s.pool = addInsurance(accruePool(s.pool, now), solOut);
      checkPoolInvariant(s.pool);
      return;
    }
    case "stakeDeposit":
      stakeDeposit(s, now, `${a.user}.wsol`, `${a.user}.lrt`, a.lamports, a.minLrtOut);
      return;
    case "instantUnstake":
      stakeInstantUnstake(s, now, `${a.user}.lrt`, `${a.user}.wsol`, a.lrt, a.minSolOut);
      return;
    case "delegate":
      if (a.lamports === 0n) reject("restaking", "ZeroAmount");
      if (a.lamports > liquidLamports(s.stakePool)) reject("restaking", "InsufficientLiquidity");
      transfer(s, "reserve", "manager.wsol", a.lamports);
      s.stakePool.reserveLamports -= a.lamports;
      s.stakePool.stakedLamports = u64(s.stakePool.stakedLamports + a.lamports, "restaking");
      return;
    case "requestWithdrawal": {
      const id = s.stakePool.nextTicket;
      // `init` of the ticket at the pool's next id (never in use: ids only grow).
      if (id >= BigInt(MAX_TICKETS)) throw new Error(`ticket ${id} is beyond the ${MAX_TICKETS} the model tracks`);
      if (lamportsForLrt(a.lrt, pessimisticRate(s.feed)) === 0n) reject("restaking", "ZeroAmount");
      transfer(s, `${a.user}.lrt`, "escrow", a.lrt);
      s.stakePool.nextTicket = id + 1n;
      s.stakePool.escrowedLrt = u64(s.stakePool.escrowedLrt + a.lrt, "restaking");
      s.tickets[String(id)] = {
        bump: ctx.ticketBumps[Number(id)]!,
        pool: ctx.stakePool,
        id,
        owner: ctx.owners[a.user]!,
        lrt: a.lrt,
        rateAtRequest: pessimisticRate(s.feed),
        requestedTs: now,
        finalized: false,
        lamportsOwed: 0n,
      };
      return;
    }
    case "finalizeWithdrawals": {
      if (s.feed.bunker) reject("restaking", "BunkerMode");
      const rate = exitRate(s.feed, now);
      if (a.upTo < s.stakePool.nextToFinalize) reject("restaking", "NothingToFinalize");
      let burned = 0n;
      let locked = 0n;
      // The tickets firstTicket..=upTo come in order as remaining accounts.
      for (let passed = a.firstTicket; passed <= a.upTo; passed++) {
        const id = s.stakePool.nextToFinalize;
        if (id > a.upTo) break;
        const ticket = s.tickets[String(passed)];
        if (!ticket) reject("restaking", "AccountNotInitialized");
        if (ticket.id !== id) reject("restaking", "TicketOutOfOrder");
        const owed = ticketPayout(ticket.lrt, ticket.rateAtRequest, rate);
        if (owed > liquidLamports(s.stakePool) - locked) break;
        ticket.finalized = true;
        ticket.lamportsOwed = owed;
        burned += ticket.lrt;
        locked += owed;
        s.stakePool.nextToFinalize += 1n;
      }
      if (burned === 0n) reject("restaking", "NothingToFinalize");
      transfer(s, "escrow", undefined, burned);
      s.lrtSupply -= burned;
      s.stakePool.escrowedLrt -= burned;
      s.stakePool.lockedLamports += locked;
      return;
    }
    case "claim": {
      const ticket = s.tickets[String(a.ticket)];
      if (!ticket) reject("restaking", "AccountNotInitialized");
      if (!ticket.finalized) reject("restaking", "TicketNotFinalized");
      transfer(s, "reserve", `${a.user}.wsol`, ticket.lamportsOwed);
      s.stakePool.reserveLamports -= ticket.lamportsOwed;
      s.stakePool.lockedLamports -= ticket.lamportsOwed;
      s.tickets[String(a.ticket)] = null;
      return;
    }
    case "tokenTransfer":
      transfer(s, a.from, a.to, a.amount);
      return;
    case "submitPrice": {
      const c = s.committee;
      if (c.paused) reject("oracle", "Paused");
      if (a.price === 0n) reject("oracle", "InvalidPrice");
      if (a.observedTs > now) reject("oracle", "PriceFromFuture");
      const member = c.members[a.member]!;
      if (a.observedTs <= member.priceTs) reject("oracle", "PriceNotNewer");
      member.price = a.price;
      member.priceTs = a.observedTs;
      const { prices: fresh, quorumTs } = freshPrices(c, now);
      s.feed = updateMarket(s.feed, fresh, quorumTs, c.quorum, now, c.limits).state;
      return;
    }
    case "submitReportHash": {
      const c = s.committee;
      if (c.paused) reject("oracle", "Paused");
      if (c.consensusDisabled) reject("oracle", "ConsensusDisabled");
      requireCurrentFrame(c, a.frame, now);
      if (inFastLane(c.frames, a.frame, now) && !isFastLaneMember(c, a.member, a.frame))
        reject("oracle", "NotFastLaneMember");
      if (a.consensusVersion !== c.consensusVersion) reject("oracle", "WrongConsensusVersion");
      if (sameBytes(a.hash, NO_HASH)) reject("oracle", "EmptyHash");
      const member = c.members[a.member]!;
      if (a.frame <= c.lastProcessedFrame && voted(member, a.frame)) reject("oracle", "ReportAlreadyProcessing");
      if (voted(member, a.frame) && sameBytes(member.voteHash, a.hash)) reject("oracle", "DuplicateHash");
      // Processing already started and this member never voted in the frame: nothing to record.
      if (a.frame <= c.lastProcessedFrame) return;
      member.voteFrame = a.frame;
      member.voteHash = a.hash.slice();
      refreshConsensus(c, now);
      return;
    }
    case "submitReportData": {
      const c = s.committee;
      const r = a.report;
      if (c.paused) reject("oracle", "Paused");
      if (c.consensusDisabled) reject("oracle", "ConsensusDisabled");
      if (!r.programId.equals(ctx.oracleProgram)) reject("oracle", "WrongProgram");
      if (!r.feed.equals(ctx.feed)) reject("oracle", "WrongFeed");
      if (r.consensusVersion !== c.consensusVersion) reject("oracle", "WrongConsensusVersion");
      requireCurrentFrame(c, r.frame, now);
      if (r.frame <= c.lastProcessedFrame) reject("oracle", "FrameAlreadyProcessed");
      const consensus = consensusFor(c, r.frame);
      if (!consensus) reject("oracle", "NoConsensus");
      if (!sameBytes(submitReportHash(r), consensus.hash)) reject("oracle", "HashMismatch");
      c.lastProcessedFrame = r.frame;
      const refTs = frameRefTs(c.frames, r.frame);
      s.feed = processReport(s.feed, c.limits, r.frame, refTs, now, r.rate, r.stakedLamports, r.bunker).feed;
      return;
    }
    case "confirmHeldDecrease":
      s.feed = confirmHeld(s.feed, s.committee.limits, a.frame, now);
      return;
  }
}

/** The largest `amount` (≥ 0) with `debt + amount ≤ value(collateral, price) × ltv`, roughly: a boundary to probe around. */
export function borrowHeadroom(s: State, sub: SubAccount, price: bigint): bigint {
  const limit = (collateralValue(sub.collateral, price) * BigInt(s.market.risk.ltvInitBps)) / BPS;
  const debt = debtOf(s, sub);
  return limit > debt ? limit - debt : 0n;
}

export { debtOf };
