// fast-check commands for the model-based tests: user, oracle and keeper actions. Each command's
// parameters are abstract ("the whole balance", "the borrow headroom + 1", "a 3% decrease"), resolved
// against the model at run time, so that random sequences keep hitting boundaries and both outcomes.
import fc from "fast-check";
import {
  type AccountingReport,
  BPS,
  collateralValue,
  frameAt,
  frameRefTs,
  instantUnstake,
  isInsolvent,
  liquidationPlan,
  liquidLamports,
  lrtForDeposit,
  marketPrices,
  oracleInstructions as oracle,
  pessimisticRate,
  type PricingPolicy,
  type RiskParams,
  submitReportHash,
  U64_MAX,
  WAD,
  YEAR_SECS,
  accruePool,
  availableCash,
} from "@lantern/sdk";
import { FAULTY_MEMBER, type Harness, KEEPER, LENDERS, type Model, SUB_KEYS, THIRD, TRADERS } from "./harness.js";
import { type Action, borrowHeadroom, collateralOf, debtOf, MAX_TICKETS, type State } from "./protocol.js";

const SOL = 1_000_000_000n;

export type ModelCommand = fc.AsyncCommand<Model, Harness>;

class Command implements ModelCommand {
  constructor(
    private readonly label: string,
    private readonly body: (m: Model, h: Harness) => Promise<void>,
    private readonly applicable: (m: Readonly<Model>) => boolean = () => true,
  ) {}
  check(m: Readonly<Model>): boolean {
    return this.applicable(m);
  }
  run(m: Model, h: Harness): Promise<void> {
    return this.body(m, h);
  }
  toString(): string {
    return this.label;
  }
}

/** A command kind: its parameters' arbitrary, and `make` for a command with given parameters. */
interface CommandKind<P> extends fc.Arbitrary<ModelCommand> {
  make(p: P): ModelCommand;
}

function command<P>(
  name: string,
  params: fc.Arbitrary<P>,
  body: (m: Model, h: Harness, p: P, label: string) => Promise<void>,
  applicable?: (m: Readonly<Model>) => boolean,
): CommandKind<P> {
  const make = (p: P) => {
    const label = `${name}(${JSON.stringify(p)})`;
    return new Command(label, (m, h) => body(m, h, p, label), applicable);
  };
  return Object.assign(params.map(make), { make });
}

/** One transaction of `actions`, stepped through the harness. */
const step = (m: Model, h: Harness, label: string, ...actions: Action[]) => h.step(m, label, actions);

// ---- Resolving abstract amounts against the model ----

const token = (s: State, name: string) => s.tokens[name] ?? 0n;

/** The model's pool with interest accrued to `now` (what an instruction would see). */
function accrued(s: State, now: bigint): State {
  try {
    return { ...s, pool: accruePool(s.pool, now) };
  } catch {
    return s;
  }
}

function openPrice(s: State, now: bigint): bigint {
  try {
    return marketPrices(s.market, s.feed, now).init ?? pessimisticRate(s.feed);
  } catch {
    return pessimisticRate(s.feed);
  }
}

function maintPrice(s: State, now: bigint): bigint {
  try {
    return marketPrices(s.market, s.feed, now).maint;
  } catch {
    return pessimisticRate(s.feed);
  }
}

/** Indebted sub-accounts with no collateral worth the debt at the maintenance price: settleable bad debt. */
function insolvent(s: State, now: bigint, key: string): boolean {
  const a = s.subs[key];
  if (!a || a.debtShares === 0n) return false;
  try {
    return isInsolvent(a.debtShares, a.collateral, maintPrice(s, now), s.pool.borrowIndex);
  } catch {
    return a.collateral === 0n;
  }
}

const half = (x: bigint) => x / 2n;

/** Mostly one of `common`, sometimes one of `rare` (the edge cases, most of which must be refused). */
function mostly<T>(common: readonly T[], rare: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...common) },
    { weight: 1, arbitrary: fc.constantFrom(...rare) },
  );
}

/** Usually `false`: slippage guards set one unit beyond what the model predicts. */
const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true));

/** A sub-account to act on: usually an existing one, sometimes (or when none exists) one that does not. */
interface SubPick {
  k: number;
  missing: boolean;
}
const subPick: fc.Arbitrary<SubPick> = fc.record({
  k: fc.nat(7),
  missing: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

function pickSub(s: State, p: SubPick, prefer?: (key: string) => boolean): string {
  const existing = SUB_KEYS.filter((k) => s.subs[k]);
  const absent = SUB_KEYS.filter((k) => !s.subs[k]);
  if ((p.missing && absent.length > 0) || existing.length === 0) return absent[p.k % absent.length]!;
  const preferred = prefer ? existing.filter(prefer) : [];
  const pool = preferred.length > 0 ? preferred : existing;
  return pool[p.k % pool.length]!;
}

const traderOf = (sub: string) => sub.split("#")[0]!;

// ---- Lenders ----

const supply = command(
  "Supply",
  fc.record({
    lender: fc.constantFrom(...LENDERS),
    amount: mostly(["sol", "hundred", "all"] as const, ["zero", "lamport", "allPlus1"] as const),
  }),
  async (m, h, p, label) => {
    const balance = token(m.state, `${p.lender}.wsol`);
    const amount = { zero: 0n, lamport: 1n, sol: SOL, hundred: 100n * SOL, all: balance, allPlus1: balance + 1n }[
      p.amount
    ];
    await step(m, h, label, { kind: "supply", lender: p.lender, amount });
  },
);

const withdrawSupply = command(
  "WithdrawSupply",
  fc.record({
    k: fc.nat(1),
    shares: mostly(["one", "half", "all", "available"] as const, ["zero", "allPlus1", "availablePlus1"] as const),
  }),
  async (m, h, p, label) => {
    const s = accrued(m.state, await h.clock());
    // A lender with a position, unless none has one yet.
    const lenders = LENDERS.filter((l) => s.lenders[l]);
    const lender = lenders.length > 0 ? lenders[p.k % lenders.length]! : LENDERS[p.k % LENDERS.length]!;
    const owned = s.lenders[lender]?.shares ?? 0n;
    const index = s.pool.supplyIndex;
    const available = index === 0n ? 0n : (availableCash(s.pool) * WAD) / index;
    const shares = {
      zero: 0n,
      one: 1n,
      half: half(owned),
      all: owned,
      allPlus1: owned + 1n,
      available,
      availablePlus1: available + 1n,
    }[p.shares];
    await step(m, h, `${label} → ${lender}`, { kind: "withdrawSupply", lender, shares });
  },
);

// ---- Restaking ----

const stakers = [...TRADERS, KEEPER] as const;

const stakeDeposit = command(
  "DepositToStakePool",
  fc.record({
    user: fc.constantFrom(...stakers),
    lamports: mostly(["sol", "ten", "fifty"] as const, ["lamport", "allPlus1"] as const),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const balance = token(m.state, `${p.user}.wsol`);
    const lamports = { lamport: 1n, sol: SOL, ten: 10n * SOL, fifty: 50n * SOL, allPlus1: balance + 1n }[p.lamports];
    let minLrtOut = 0n;
    if (p.slippage) {
      try {
        minLrtOut = lrtForDeposit(lamports, m.state.feed.fairRate) + 1n;
      } catch {
        minLrtOut = 1n;
      }
    }
    await step(m, h, label, { kind: "stakeDeposit", user: p.user, lamports, minLrtOut });
  },
);

const instantUnstakeCommand = command(
  "InstantUnstake",
  fc.record({
    user: fc.constantFrom(...stakers),
    lrt: mostly(["half", "all"] as const, ["lamport", "allPlus1"] as const),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const balance = token(m.state, `${p.user}.lrt`);
    const lrt = { lamport: 1n, half: half(balance), all: balance, allPlus1: balance + 1n }[p.lrt];
    let minSolOut = 0n;
    if (p.slippage) {
      try {
        minSolOut = instantUnstake(lrt, pessimisticRate(m.state.feed), m.state.stakePool.instantUnstakeFeeBps).out + 1n;
      } catch {
        minSolOut = 1n;
      }
    }
    await step(m, h, label, { kind: "instantUnstake", user: p.user, lrt, minSolOut });
  },
);

const delegate = command(
  "Delegate",
  fc.record({ lamports: mostly(["half", "liquid"] as const, ["zero", "liquidPlus1"] as const) }),
  async (m, h, p, label) => {
    const liquid = liquidLamports(m.state.stakePool);
    const lamports = { zero: 0n, half: half(liquid), liquid, liquidPlus1: liquid + 1n }[p.lamports];
    await step(m, h, label, { kind: "delegate", lamports });
  },
);

/** A withdrawal request: LRT escrowed for a numbered ticket (while the run's tracked tickets last). */
const requestWithdrawal = command(
  "RequestWithdrawal",
  fc.record({
    user: fc.constantFrom(...stakers),
    lrt: mostly(["tenth", "half", "all"] as const, ["lamport", "allPlus1"] as const),
  }),
  async (m, h, p, label) => {
    const balance = token(m.state, `${p.user}.lrt`);
    const lrt = { lamport: 1n, tenth: balance / 10n, half: half(balance), all: balance, allPlus1: balance + 1n }[p.lrt];
    await step(m, h, label, { kind: "requestWithdrawal", user: p.user, lrt: lrt > 0n ? lrt : 1n });
  },
  (m) => m.state.stakePool.nextTicket < BigInt(MAX_TICKETS),
);

/** The keeper's crank: finalizes queued tickets in order (nothing in bunker mode). */
const finalizeWithdrawals = command(
  "FinalizeWithdrawals",
  fc.record({ upTo: mostly(["next", "all"] as const, ["behind", "beyond", "skipFirst"] as const) }),
  async (m, h, p, label) => {
    const { nextToFinalize: next, nextTicket } = m.state.stakePool;
    const last = nextTicket > next ? nextTicket - 1n : next;
    const [firstTicket, upTo] = {
      next: [next, next],
      all: [next, last],
      behind: next > 0n ? [next - 1n, next - 1n] : [0n, 0n],
      beyond: [next, nextTicket],
      skipFirst: [next + 1n, last > next ? last : next + 1n],
    }[p.upTo];
    await step(m, h, label, { kind: "finalizeWithdrawals", firstTicket: firstTicket!, upTo: upTo! });
  },
);

/** A ticket's owner claims it (finalized ones preferably). */
const claim = command("Claim", fc.record({ k: fc.nat(7) }), async (m, h, p, label) => {
  const tickets = Object.values(m.state.tickets).filter((t) => t !== null);
  const finalized = tickets.filter((t) => t.finalized);
  const pool = finalized.length > 0 ? finalized : tickets;
  const ticket = pool[p.k % Math.max(pool.length, 1)];
  const owner = ticket ? Object.entries(m.ctx.owners).find(([, key]) => key.equals(ticket.owner))![0] : TRADERS[0];
  await step(m, h, `${label} → ticket ${ticket?.id ?? 0n}`, { kind: "claim", user: owner, ticket: ticket?.id ?? 0n });
});

// ---- Sub-accounts ----

const createSubAccount = command(
  "CreateSubAccount",
  fc.record({ k: fc.nat(7), fresh: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, fc.constant(false)) }),
  async (m, h, p, label) => {
    const absent = SUB_KEYS.filter((k) => !m.state.subs[k]);
    const sub = p.fresh && absent.length > 0 ? absent[p.k % absent.length]! : SUB_KEYS[p.k % SUB_KEYS.length]!;
    await step(m, h, `${label} → ${sub}`, { kind: "createSubAccount", sub });
  },
);

const closeSubAccount = command("CloseSubAccount", fc.record({ pick: subPick }), async (m, h, p, label) => {
  const sub = pickSub(m.state, p.pick, (k) => m.state.subs[k]!.collateral === 0n && m.state.subs[k]!.debtShares === 0n);
  await step(m, h, `${label} → ${sub}`, { kind: "closeSubAccount", sub });
});

const depositCollateral = command(
  "DepositCollateral",
  fc.record({
    pick: subPick,
    byKeeper: rarely,
    amount: mostly(["half", "all"] as const, ["zero", "lamport", "allPlus1"] as const),
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick);
    const depositor = p.byKeeper ? KEEPER : traderOf(sub);
    const balance = token(m.state, `${depositor}.lrt`);
    const amount = { zero: 0n, lamport: 1n, half: half(balance), all: balance, allPlus1: balance + 1n }[p.amount];
    await step(m, h, `${label} → ${sub}`, { kind: "depositCollateral", depositor, sub, amount });
  },
);

const withdrawCollateral = command(
  "WithdrawCollateral",
  fc.record({
    pick: subPick,
    amount: mostly(["lamport", "headroom", "all"] as const, ["zero", "headroomPlus1", "allPlus1"] as const),
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick);
    const now = await h.clock();
    const s = accrued(m.state, now);
    const account = s.subs[sub];
    const collateral = account?.collateral ?? 0n;
    let headroom = collateral;
    if (account && account.debtShares > 0n) {
      // The least collateral with value × LTV_init ≥ debt at the opening price.
      const price = openPrice(s, now);
      const value =
        (debtOf(s, account) * BPS + BigInt(s.market.risk.ltvInitBps) - 1n) / BigInt(s.market.risk.ltvInitBps);
      const least = price === 0n ? collateral : (value * WAD + price - 1n) / price;
      headroom = collateral > least ? collateral - least : 0n;
    }
    const amount = {
      zero: 0n,
      lamport: 1n,
      headroom,
      headroomPlus1: headroom + 1n,
      all: collateral,
      allPlus1: collateral + 1n,
    }[p.amount];
    await step(m, h, `${label} → ${sub}`, { kind: "withdrawCollateral", sub, amount });
  },
);

const borrow = command(
  "Borrow",
  fc.record({
    pick: subPick,
    amount: mostly(["half", "maxMinus1", "max"] as const, ["lamport", "dust", "maxPlus1", "beyondLiquidity"] as const),
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick, (k) => m.state.subs[k]!.collateral > 0n);
    const now = await h.clock();
    const s = accrued(m.state, now);
    const account = s.subs[sub];
    const max = account ? borrowHeadroom(s, account, openPrice(s, now)) : SOL;
    const dust = s.market.risk.minDebt - 1n;
    const amount = {
      lamport: 1n,
      dust,
      half: half(max),
      maxMinus1: max - 1n,
      max,
      maxPlus1: max + 1n,
      beyondLiquidity: availableCash(s.pool) + 1n,
    }[p.amount];
    await step(m, h, `${label} → ${sub}`, { kind: "borrow", sub, amount: amount > 0n ? amount : 1n });
  },
);

const repay = command(
  "Repay",
  fc.record({
    pick: subPick,
    byKeeper: rarely,
    amount: mostly(["half", "exact", "all"] as const, ["zero", "lamport", "leaveDust"] as const),
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick, (k) => m.state.subs[k]!.debtShares > 0n);
    const s = accrued(m.state, await h.clock());
    const account = s.subs[sub];
    const debt = account ? debtOf(s, account) : SOL;
    const leaveDust = debt > s.market.risk.minDebt ? debt - s.market.risk.minDebt + 1n : 1n;
    const amount = { zero: 0n, lamport: 1n, half: half(debt), leaveDust, exact: debt, all: U64_MAX }[p.amount];
    const payer = p.byKeeper ? KEEPER : traderOf(sub);
    await step(m, h, `${label} → ${sub}`, { kind: "repay", payer, sub, amount });
  },
);

const leverageUp = command(
  "LeverageUp",
  fc.record({
    pick: subPick,
    // "cent": a dust-sized position (0.01 SOL of equity, a few times that borrowed, near the minimum
    // debt) that a large slashing leaves insolvent with collateral worth less than the minimum debt:
    // settle_bad_debt's case, which no liquidator would take.
    equity: mostly(["one", "five", "twenty", "cent"] as const, ["zero", "allPlus1"] as const),
    borrow: fc.oneof(fc.constantFrom("max", "maxPlus", "maxMinus"), fc.integer({ min: 1, max: 20 })),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick);
    const owner = traderOf(sub);
    const now = await h.clock();
    const s = accrued(m.state, now);
    const balance = token(s, `${owner}.wsol`);
    const equity = {
      zero: 0n,
      cent: SOL / 100n,
      one: SOL,
      five: 5n * SOL,
      twenty: 20n * SOL,
      allPlus1: balance + 1n,
    }[p.equity];
    let amount: bigint;
    if (typeof p.borrow === "number") {
      amount = ((equity > 0n ? equity : SOL) * BigInt(p.borrow)) / 2n;
    } else {
      // Solve debt + B ≤ (C·p + (E + B)·p/fair)·LTV for B, at the opening price p.
      const account = s.subs[sub];
      const price = openPrice(s, now);
      const fair = s.feed.fairRate;
      const ltv = BigInt(s.market.risk.ltvInitBps);
      const collateral = account?.collateral ?? 0n;
      const debt = account ? debtOf(s, account) : 0n;
      const numerator = (collateralValue(collateral, price) + (equity * price) / fair) * ltv - debt * BPS;
      const denominator = BPS * fair - price * ltv;
      const max = numerator > 0n && denominator > 0n ? (numerator * fair) / denominator : SOL;
      amount = { max, maxPlus: max + max / 1_000n + 1n, maxMinus: max - max / 1_000n }[p.borrow];
    }
    let minLrtOut = 0n;
    if (p.slippage) {
      try {
        minLrtOut = lrtForDeposit(equity + amount, s.feed.fairRate) + 1n;
      } catch {
        minLrtOut = 1n;
      }
    }
    await step(m, h, `${label} → ${sub}`, {
      kind: "leverageUp",
      sub,
      equity,
      borrow: amount > 0n ? amount : 1n,
      minLrtOut,
    });
  },
);

const deleverage = command(
  "Deleverage",
  fc.record({
    pick: subPick,
    lrt: mostly(["tenth", "half", "all"] as const, ["lamport", "allPlus1"] as const),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, p.pick, (k) => m.state.subs[k]!.collateral > 0n);
    const collateral = m.state.subs[sub]?.collateral ?? SOL;
    const lrt = {
      lamport: 1n,
      tenth: collateral / 10n,
      half: half(collateral),
      all: collateral,
      allPlus1: collateral + 1n,
    }[p.lrt];
    let minSolOut = 0n;
    if (p.slippage) {
      try {
        minSolOut = instantUnstake(lrt, pessimisticRate(m.state.feed), m.state.stakePool.instantUnstakeFeeBps).out + 1n;
      } catch {
        minSolOut = 1n;
      }
    }
    await step(m, h, `${label} → ${sub}`, { kind: "deleverage", sub, lrt: lrt > 0n ? lrt : 1n, minSolOut });
  },
);

/** LRT sent straight to a collateral vault (not through deposit_collateral): not collateral, swept at close. */
const donate = command(
  "DonateToCollateralVault",
  fc.record({ pick: subPick, amount: mostly(["lamport", "sol"] as const, ["allPlus1"] as const) }),
  async (m, h, p, label) => {
    const sub = pickSub(m.state, { ...p.pick, missing: false });
    const balance = token(m.state, `${KEEPER}.lrt`);
    const amount = { lamport: 1n, sol: SOL, allPlus1: balance + 1n }[p.amount];
    await step(m, h, `${label} → ${sub}`, {
      kind: "tokenTransfer",
      from: `${KEEPER}.lrt`,
      to: collateralOf(sub),
      amount,
    });
  },
  (m) => SUB_KEYS.some((k) => m.state.subs[k]),
);

// ---- Keeper ----

const liquidate = command(
  "Liquidate",
  fc.record({
    pick: subPick,
    worst: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
    maxRepay: mostly(["sol", "max", "max"] as const, ["zero", "lamport"] as const),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const now = await h.clock();
    const s = accrued(m.state, now);
    const price = maintPrice(s, now);
    const ltvOf = (k: string) => {
      const a = s.subs[k]!;
      const value = collateralValue(a.collateral, price);
      return value === 0n ? (a.debtShares > 0n ? U64_MAX : 0n) : (debtOf(s, a) * WAD) / value;
    };
    let sub = pickSub(s, p.pick, (k) => s.subs[k]!.debtShares > 0n);
    if (p.worst && !p.pick.missing) {
      const indebted = SUB_KEYS.filter((k) => s.subs[k] && s.subs[k]!.debtShares > 0n).sort((a, b) =>
        ltvOf(b) > ltvOf(a) ? 1 : -1,
      );
      if (indebted.length > 0) sub = indebted[0]!;
    }
    const maxRepay = { zero: 0n, lamport: 1n, sol: SOL, max: U64_MAX }[p.maxRepay];
    let minCollateralOut = 0n;
    if (p.slippage) {
      const account = s.subs[sub];
      try {
        const plan = liquidationPlan(debtOf(s, account!), account!.collateral, price, s.market.risk, maxRepay);
        minCollateralOut = plan.seize - plan.toInsurance + 1n;
      } catch {
        minCollateralOut = 1n;
      }
    }
    await step(m, h, `${label} → ${sub}`, { kind: "liquidate", liquidator: KEEPER, sub, maxRepay, minCollateralOut });
  },
);

const settleBadDebt = command("SettleBadDebt", fc.record({ pick: subPick }), async (m, h, p, label) => {
  const now = await h.clock();
  const s = accrued(m.state, now);
  const sub = pickSub(s, p.pick, (k) => insolvent(s, now, k));
  await step(m, h, `${label} → ${sub}`, { kind: "settleBadDebt", sub });
});

const accrueInterest = command("AccrueInterest", fc.constant({}), async (m, h, _p, label) => {
  await step(m, h, label, { kind: "accrueInterest" });
});

/** The pool admin flips the market's pause flag (or restates it: an update that changes nothing). */
const setPaused = command(
  "PauseMarket",
  fc.record({ flip: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)) }),
  async (m, h, p, label) => {
    const paused = p.flip ? !m.state.market.paused : m.state.market.paused;
    await step(m, h, `${label} → ${paused ? "paused" : "unpaused"}`, { kind: "setPaused", paused });
  },
);

// ---- The third party: donations into others' sub-accounts and every permissionless instruction ----

/**
 * The third party deposits its LRT into someone else's sub-account, preferring indebted ones with little
 * or no collateral left (the dust that once blocked bad-debt settlement).
 */
const thirdPartyDeposit = command(
  "ThirdPartyDeposit",
  fc.record({
    pick: subPick,
    target: fc.oneof({ weight: 3, arbitrary: fc.constant("emptied" as const) }, fc.constant("any" as const)),
    amount: mostly(["lamport", "lamport", "tenth"] as const, ["zero", "allPlus1"] as const),
  }),
  async (m, h, p, label) => {
    const now = await h.clock();
    const s = accrued(m.state, now);
    const sub = pickSub(
      s,
      p.pick,
      p.target === "emptied" ? (k) => s.subs[k]!.debtShares > 0n && insolvent(s, now, k) : undefined,
    );
    const balance = token(s, `${THIRD}.lrt`);
    const amount = { zero: 0n, lamport: 1n, tenth: balance / 10n, allPlus1: balance + 1n }[p.amount];
    await step(m, h, `${label} → ${sub}`, { kind: "depositCollateral", depositor: THIRD, sub, amount });
  },
);

/** The third party liquidates the worst sub-account (or any), with its own wSOL. */
const thirdPartyLiquidate = command(
  "ThirdPartyLiquidate",
  fc.record({ pick: subPick, maxRepay: mostly(["max", "sol"] as const, ["lamport"] as const) }),
  async (m, h, p, label) => {
    const now = await h.clock();
    const s = accrued(m.state, now);
    const sub = pickSub(s, p.pick, (k) => s.subs[k]!.debtShares > 0n);
    const maxRepay = { lamport: 1n, sol: SOL, max: U64_MAX }[p.maxRepay];
    await step(m, h, `${label} → ${sub}`, {
      kind: "liquidate",
      liquidator: THIRD,
      sub,
      maxRepay,
      minCollateralOut: 0n,
    });
  },
);

const thirdPartySettle = command("ThirdPartySettle", fc.record({ pick: subPick }), async (m, h, p, label) => {
  const now = await h.clock();
  const s = accrued(m.state, now);
  const sub = pickSub(s, p.pick, (k) => insolvent(s, now, k));
  await step(m, h, `${label} → ${sub}`, { kind: "settleBadDebt", sub, caller: THIRD });
});

const thirdPartyAccrue = command("ThirdPartyAccrue", fc.constant({}), async (m, h, _p, label) => {
  await step(m, h, label, { kind: "accrueInterest", caller: THIRD });
});

/** Anyone sells the market's insurance LRT through the restaking pool into insurance cash. */
const convertInsurance = command(
  "ConvertInsurance",
  fc.record({
    lrt: mostly(["all", "half"] as const, ["zero", "lamport", "allPlus1"] as const),
    slippage: rarely,
  }),
  async (m, h, p, label) => {
    const held = token(m.state, "insurance");
    const lrt = { zero: 0n, lamport: 1n, half: half(held), all: held, allPlus1: held + 1n }[p.lrt];
    let minSolOut = 0n;
    if (p.slippage) {
      try {
        minSolOut = instantUnstake(lrt, pessimisticRate(m.state.feed), m.state.stakePool.instantUnstakeFeeBps).out + 1n;
      } catch {
        minSolOut = 1n;
      }
    }
    await step(m, h, label, { kind: "convertInsurance", lrt, minSolOut });
  },
);

/** Anyone activates a queued market update (too early, or with nothing queued, it is refused). */
const applyMarketUpdate = command(
  "ApplyMarketUpdate",
  fc.record({ wait: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, fc.constant(false)) }),
  async (m, h, p, label) => {
    const due = m.state.market.pending.activatesTs;
    if (p.wait && due !== 0n) {
      const now = await h.clock();
      if (due > now) await h.warp(m, Number(due - now));
    }
    await step(m, h, label, { kind: "applyMarketUpdate" });
  },
);

// ---- The pool admin's market updates (time-locked when they tighten) ----

type RiskChange = "restate" | "lowerLt" | "lowerLtTwoSteps" | "raiseBonus" | "raiseLt" | "otherPolicy" | "invalid";

const updateMarketRisk = command(
  "UpdateMarketRisk",
  fc.record({
    change: fc.constantFrom<RiskChange>(
      "restate",
      "lowerLt",
      "lowerLt",
      "lowerLtTwoSteps",
      "raiseBonus",
      "raiseLt",
      "otherPolicy",
      "invalid",
    ),
    policy: fc.constantFrom<PricingPolicy>("FairRate", "Market", "MinOfBoth"),
  }),
  async (m, h, p, label) => {
    const { policy, risk } = m.state.market;
    const next: RiskParams = { ...risk };
    let nextPolicy = policy;
    if (p.change === "lowerLt") next.ltBps = risk.ltBps - 100;
    if (p.change === "lowerLtTwoSteps") next.ltBps = risk.ltBps - 200;
    if (p.change === "raiseBonus") next.bonusMaxBps = risk.bonusMaxBps + 10;
    if (p.change === "raiseLt") next.ltBps = Math.min(risk.ltBps + 50, risk.ltvFullBps - 1);
    if (p.change === "otherPolicy") nextPolicy = p.policy;
    if (p.change === "invalid") next.ltBps = risk.ltvFullBps;
    await step(m, h, label, { kind: "updateMarket", policy: nextPolicy, risk: next });
  },
);

// ---- A faulty committee member ----

/**
 * The faulty member publishes an arbitrary price (near zero, huge, half or twice the fair rate), alone
 * or with honest members, and sometimes a third party liquidates in the same transaction.
 */
const faultyPrice = command(
  "FaultyPrice",
  fc.record({
    value: fc.constantFrom("one", "huge", "half", "double"),
    honest: fc.integer({ min: 0, max: 4 }),
    start: fc.nat(3),
    liquidateToo: rarely,
    pick: subPick,
  }),
  async (m, h, p, label) => {
    const now = await h.clock();
    const fair = m.state.feed.fairRate;
    const price = { one: 1n, huge: 10n ** 30n, half: fair / 2n, double: fair * 2n }[p.value];
    const actions: Action[] = [{ kind: "submitPrice", member: FAULTY_MEMBER, price, observedTs: now }];
    // With a liquidation in the same transaction, at most three honest rounds fit in its 1,232 bytes.
    const honest = p.liquidateToo ? Math.min(p.honest, 3) : p.honest;
    for (let i = 0; i < honest; i++)
      actions.push({ kind: "submitPrice", member: (p.start + i) % FAULTY_MEMBER, price: fair, observedTs: now });
    if (p.liquidateToo) {
      const sub = pickSub(m.state, p.pick, (k) => m.state.subs[k]!.debtShares > 0n);
      actions.push({ kind: "liquidate", liquidator: THIRD, sub, maxRepay: U64_MAX, minCollateralOut: 0n });
    }
    await step(m, h, label, ...actions);
  },
);

// ---- Oracle ----

/** Market price levels relative to the fair rate (bps): at par, small moves, depegs, a crash. */
const PRICE_LEVELS = [10_000, 9_990, 10_050, 9_800, 9_500, 9_000, 7_500];

const submitPrices = command(
  "SubmitPrices",
  fc.record({
    start: fc.nat(3),
    count: fc.integer({ min: 1, max: 4 }),
    level: fc.constantFrom(...PRICE_LEVELS),
    jitter: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 5, maxLength: 5 }),
    observed: fc.oneof({ weight: 6, arbitrary: fc.constant("now") }, fc.constantFrom("past", "future", "stale")),
    // Seconds the members wait before observing: with the run's 300 s EMA half-life, a round after
    // 900 s moves the EMA most of the way to a new level (a sustained depeg).
    wait: fc.constantFrom(0, 1, 1, 5, 120, 900, 900),
  }),
  async (m, h, p, label) => {
    if (p.wait > 0) await h.warp(m, p.wait);
    const now = await h.clock();
    // Members 0..3 observe honestly; FAULTY_MEMBER publishes only in `FaultyPrice`.
    const members = FAULTY_MEMBER;
    const maxAge = BigInt(m.state.committee.limits.maxPriceAgeSecs);
    const observedTs = { now, past: now - 30n, future: now + 5n, stale: now - maxAge - 30n }[p.observed];
    const actions: Action[] = [];
    for (let i = 0; i < p.count; i++) {
      const member = (p.start + i) % members;
      const price = (m.state.feed.fairRate * BigInt(p.level + p.jitter[member]!)) / BPS;
      actions.push({ kind: "submitPrice", member, price, observedTs });
    }
    await step(m, h, label, ...actions);
  },
);

type RateChoice =
  | { kind: "same" }
  | { kind: "within"; quarter: number }
  | { kind: "aboveAnnual" }
  | { kind: "decrease"; bps: number }
  | { kind: "outOfBounds"; high: boolean };

const rateChoice: fc.Arbitrary<RateChoice> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "same" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("within" as const), quarter: fc.integer({ min: 0, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "aboveAnnual" as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("decrease" as const),
      bps: fc.constantFrom(1, 30, 90, 100, 101, 300, 500, 800, 1_500, 4_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("outOfBounds" as const), high: fc.boolean() }) },
);

const report = command(
  "Report",
  fc.record({
    rate: rateChoice,
    bunker: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
    voters: fc.oneof(
      { weight: 1, arbitrary: fc.constant("belowQuorum" as const) },
      { weight: 4, arbitrary: fc.constant("quorum" as const) },
      { weight: 2, arbitrary: fc.constant("all" as const) },
    ),
    start: fc.nat(4),
    submitter: fc.nat(4),
    nextFrame: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, fc.constant(false)),
    /** The guardian confirms the report at once if it is held (a decrease beyond the budget). */
    confirm: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
    /** The data submitted differs from what was voted: another rate, frame or consensus version. */
    tamper: fc.oneof(
      { weight: 12, arbitrary: fc.constant("none" as const) },
      fc.constantFrom("rate" as const, "pastFrame" as const, "futureFrame" as const, "version" as const),
    ),
  }),
  async (m, h, p, label) => {
    const c0 = m.state.committee;
    if (p.nextFrame) {
      // Wait for the next frame to open (its first second).
      const now = await h.clock();
      const current = frameAt(c0.frames, now) ?? 0n;
      await h.warp(m, Number(frameRefTs(c0.frames, current + 1n) - now));
    }
    const now = await h.clock();
    const c = m.state.committee;
    const feed = m.state.feed;
    const frame = frameAt(c.frames, now) ?? 1n;
    const refTs = frameRefTs(c.frames, frame);
    const reported = feed.reportedRate;
    const elapsed = refTs > feed.lastReportRefTs ? refTs - feed.lastReportRefTs : 0n;
    const maxIncrease = (reported * BigInt(c.limits.annualIncreaseLimitBps) * elapsed) / (BPS * YEAR_SECS);
    const r = p.rate;
    const rate =
      r.kind === "same"
        ? reported
        : r.kind === "within"
          ? reported + (maxIncrease * BigInt(r.quarter)) / 4n
          : r.kind === "aboveAnnual"
            ? reported + maxIncrease + reported / 1_000_000n + 1n
            : r.kind === "decrease"
              ? (reported * (BPS - BigInt(r.bps))) / BPS
              : r.high
                ? c.limits.maxRate + 1n
                : c.limits.minRate - 1n;
    const accounting: AccountingReport = oracle.accountingReport({
      lrtMint: h.run.w.lrtMint,
      frame,
      rate,
      stakedLamports: m.state.stakePool.stakedLamports,
      consensusVersion: c.consensusVersion,
      bunker: p.bunker,
    });
    const hash = submitReportHash(accounting);
    const members = c.memberCount;
    const count = { belowQuorum: c.quorum - 1, quorum: c.quorum, all: members }[p.voters];
    for (let i = 0; i < count; i++) {
      const member = (p.start + i) % members;
      await step(m, h, `${label}: vote of member ${member}`, {
        kind: "submitReportHash",
        member,
        frame,
        hash,
        consensusVersion: c.consensusVersion,
      });
    }
    const submitted: AccountingReport = {
      none: accounting,
      rate: { ...accounting, rate: accounting.rate + 1n },
      pastFrame: { ...accounting, frame: frame - 1n },
      futureFrame: { ...accounting, frame: frame + 1n },
      version: { ...accounting, consensusVersion: accounting.consensusVersion + 1n },
    }[p.tamper];
    await step(m, h, `${label}: data by member ${p.submitter % members}`, {
      kind: "submitReportData",
      member: p.submitter % members,
      report: submitted,
    });
    if (p.confirm && m.state.feed.held.frame === frame)
      await step(m, h, `${label}: the guardian confirms`, { kind: "confirmHeldDecrease", frame });
  },
);

const confirmHeldDecrease = command(
  "ConfirmHeldDecrease",
  fc.record({ wrongFrame: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)) }),
  async (m, h, p, label) => {
    const held = m.state.feed.held.frame;
    const frame =
      held === 0n ? (frameAt(m.state.committee.frames, await h.clock()) ?? 1n) : held + (p.wrongFrame ? 1n : 0n);
    await step(m, h, label, { kind: "confirmHeldDecrease", frame });
  },
);

// ---- Time ----

/** One second up to twenty days: past the price age, the report age (1.5 frames) and the decrease window. */
const advanceClock = command(
  "AdvanceClock",
  fc.record({
    secs: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(1, 30, 600, 3_600) },
      { weight: 2, arbitrary: fc.constantFrom(21_600, 86_400) },
      { weight: 1, arbitrary: fc.constantFrom(3 * 86_400, 20 * 86_400) },
    ),
  }),
  async (m, h, p) => {
    await h.warp(m, p.secs);
  },
);

/**
 * What every run does first (checked like any command): T0 levers its sub-account 0 up to the opening
 * limit (≈ 10×) and T1 its sub-account 0 to 5×, so that slashings and depegs find positions to liquidate.
 */
export function openingCommands(): ModelCommand[] {
  return [
    leverageUp.make({ pick: { k: 0, missing: false }, equity: "twenty", borrow: "max", slippage: false }),
    leverageUp.make({ pick: { k: 1, missing: false }, equity: "five", borrow: 8, slippage: false }),
  ];
}

/** A slashing: in a new frame the whole committee reports a decrease beyond the budget; the guardian confirms it. */
const slashing = fc
  .record({ bps: fc.constantFrom(500, 800, 1_500, 4_000), start: fc.nat(4), submitter: fc.nat(4) })
  .map(({ bps, start, submitter }) =>
    report.make({
      rate: { kind: "decrease", bps },
      bunker: false,
      voters: "all",
      start,
      submitter,
      nextFrame: true,
      confirm: true,
      tamper: "none",
    }),
  );

/** A sustained depeg: after 15 minutes every member observes the market below the fair rate. */
const depeg = fc
  .record({
    level: fc.constantFrom(9_500, 9_000, 7_500),
    jitter: fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ level, jitter }) => submitPrices.make({ start: 0, count: 4, level, jitter, observed: "now", wait: 900 }));

/** Every command, weighted toward the leveraged flow and the events that make positions liquidatable. */
export const COMMANDS: fc.Arbitrary<ModelCommand>[] = [
  fc.oneof(
    { weight: 3, arbitrary: supply },
    { weight: 2, arbitrary: withdrawSupply },
    { weight: 3, arbitrary: stakeDeposit },
    { weight: 1, arbitrary: instantUnstakeCommand },
    { weight: 1, arbitrary: delegate },
    { weight: 2, arbitrary: requestWithdrawal },
    { weight: 3, arbitrary: finalizeWithdrawals },
    { weight: 2, arbitrary: claim },
    { weight: 1, arbitrary: donate },
    { weight: 3, arbitrary: createSubAccount },
    { weight: 1, arbitrary: closeSubAccount },
    { weight: 3, arbitrary: depositCollateral },
    { weight: 2, arbitrary: withdrawCollateral },
    { weight: 4, arbitrary: borrow },
    { weight: 3, arbitrary: repay },
    { weight: 5, arbitrary: leverageUp },
    { weight: 3, arbitrary: deleverage },
    { weight: 7, arbitrary: liquidate },
    { weight: 2, arbitrary: settleBadDebt },
    { weight: 2, arbitrary: thirdPartyDeposit },
    { weight: 2, arbitrary: thirdPartyLiquidate },
    { weight: 2, arbitrary: thirdPartySettle },
    { weight: 1, arbitrary: thirdPartyAccrue },
    { weight: 2, arbitrary: convertInsurance },
    { weight: 1, arbitrary: applyMarketUpdate },
    { weight: 1, arbitrary: updateMarketRisk },
    { weight: 2, arbitrary: faultyPrice },
    { weight: 1, arbitrary: accrueInterest },
    { weight: 1, arbitrary: setPaused },
    { weight: 5, arbitrary: submitPrices },
    { weight: 3, arbitrary: report },
    { weight: 1, arbitrary: slashing },
    { weight: 1, arbitrary: depeg },
    { weight: 2, arbitrary: confirmHeldDecrease },
    { weight: 3, arbitrary: advanceClock },
  ),
];
