// Instruction builders of the margin program: one per instruction. The SOL lending pool is the one of
// wrapped SOL; a market is addressed by its LRT mint; a sub-account by its owner and index (or its
// address, e.g. when a liquidator found it by scanning).
import { PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "../errors.js";
import {
  collateralVaultAddress,
  lenderAddress,
  lendingPoolAddress,
  lendingVaultAddress,
  marketAddresses,
  NATIVE_SOL_MINT,
  programDataAddress,
  subAccountAddress,
} from "../margin/addresses.js";
import type { PoolParams, PricingPolicy, RiskParams } from "../margin/types.js";
import { RESTAKING_PROGRAM_ID } from "../restaking/addresses.js";
import { offlinePrograms, poolParamsArg, pricingPolicyArg, riskParamsArg, u64Arg, uintArg } from "../programs.js";

const program = () => offlinePrograms().margin;

/** A sub-account: its address, or its owner and index (in the market of the builder's `lrtMint`). */
export type SubAccountRef = PublicKey | { owner: PublicKey; index: number };

function subAccountKeys(lrtMint: PublicKey, ref: SubAccountRef) {
  const { market } = marketAddresses(lrtMint);
  const subAccount = ref instanceof PublicKey ? ref : subAccountAddress(market, ref.owner, ref.index);
  return { subAccount, collateralVault: collateralVaultAddress(subAccount) };
}

function pool() {
  const lendingPool = lendingPoolAddress();
  return { pool: lendingPool, vault: lendingVaultAddress(lendingPool) };
}

/**
 * Creates the SOL lending pool (one per cluster); the signer becomes its admin. Only the margin
 * program's upgrade authority may (its ProgramData account is passed), so nobody can take the one
 * pool by calling first.
 */
export async function initializeLendingPool(p: {
  admin: PublicKey;
  params: PoolParams;
}): Promise<TransactionInstruction> {
  return program()
    .methods.initializePool({ params: poolParamsArg(p.params) })
    .accountsStrict({
      admin: p.admin,
      programData: programDataAddress(),
      solMint: NATIVE_SOL_MINT,
      ...pool(),
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Sets the pool's rate curve, reserve factor, utilisation bound and caps. Admin only. */
export async function updateLendingPool(p: { admin: PublicKey; params: PoolParams }): Promise<TransactionInstruction> {
  return program()
    .methods.updatePool({ params: poolParamsArg(p.params) })
    .accountsStrict({ admin: p.admin, pool: lendingPoolAddress() })
    .instruction();
}

/** Accrues the pool's interest up to now (permissionless crank). */
export async function accrueInterest(): Promise<TransactionInstruction> {
  return program().methods.accrueInterest().accountsStrict({ pool: lendingPoolAddress() }).instruction();
}

/** Opens the market of `lrtMint` (its feed and stake pool must exist). Pool admin only. */
export async function initializeMarket(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  policy: PricingPolicy;
  risk: RiskParams;
  collateralCap: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.initializeMarket({
      policy: pricingPolicyArg(p.policy),
      risk: riskParamsArg(p.risk),
      collateralCap: u64Arg(p.collateralCap, "collateralCap"),
    })
    .accountsStrict({
      admin: p.admin,
      pool: a.lendingPool,
      lrtMint: p.lrtMint,
      feed: a.feed,
      stakePool: a.restaking.stakePool,
      market: a.market,
      insuranceVault: a.insuranceVault,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/**
 * Sets the market's pricing policy, risk parameters, collateral cap and pause flag. Pool admin only.
 * Cap and pause apply at once; a policy or risk change that can make positions liquidatable (another
 * policy, a lower threshold or full-liquidation LTV, a larger bonus, close factor or minimum debt) is
 * queued for a day (`applyMarketUpdate` activates it); any other change applies at once and drops a
 * queued one.
 */
export async function updateMarket(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  policy: PricingPolicy;
  risk: RiskParams;
  collateralCap: bigint;
  paused: boolean;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.updateMarket({
      policy: pricingPolicyArg(p.policy),
      risk: riskParamsArg(p.risk),
      collateralCap: u64Arg(p.collateralCap, "collateralCap"),
      paused: p.paused,
    })
    .accountsStrict({ admin: p.admin, pool: a.lendingPool, market: a.market })
    .instruction();
}

/** Lends `amount` lamports of wSOL from `source` to the pool for supply shares. */
export async function supply(p: {
  owner: PublicKey;
  source: PublicKey;
  amount: bigint;
}): Promise<TransactionInstruction> {
  const { pool: lendingPool, vault } = pool();
  return program()
    .methods.supply({ amount: u64Arg(p.amount, "amount") })
    .accountsStrict({
      owner: p.owner,
      pool: lendingPool,
      vault,
      lender: lenderAddress(lendingPool, p.owner),
      source: p.source,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Redeems `shares` supply shares for wSOL into `destination`. */
export async function withdrawSupply(p: {
  owner: PublicKey;
  destination: PublicKey;
  shares: bigint;
}): Promise<TransactionInstruction> {
  const { pool: lendingPool, vault } = pool();
  return program()
    .methods.withdrawSupply({ shares: u64Arg(p.shares, "shares") })
    .accountsStrict({
      owner: p.owner,
      pool: lendingPool,
      vault,
      lender: lenderAddress(lendingPool, p.owner),
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Opens `owner`'s isolated sub-account number `index` in the market of `lrtMint`. */
export async function createSubAccount(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  const s = subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index });
  return program()
    .methods.createSubAccount({ index: uintArg(p.index, 16, "index") })
    .accountsStrict({
      owner: p.owner,
      market: a.market,
      lrtMint: p.lrtMint,
      subAccount: s.subAccount,
      collateralVault: s.collateralVault,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Moves `amount` LRT from `source` into a sub-account's collateral (anyone may top one up). */
export async function depositCollateral(p: {
  depositor: PublicKey;
  lrtMint: PublicKey;
  subAccount: SubAccountRef;
  source: PublicKey;
  amount: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.depositCollateral({ amount: u64Arg(p.amount, "amount") })
    .accountsStrict({
      depositor: p.depositor,
      market: a.market,
      ...subAccountKeys(p.lrtMint, p.subAccount),
      source: p.source,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/**
 * Takes `amount` LRT of collateral out to `destination`. Owner only. With debt the sub-account must
 * stay healthy at the opening price (fresh feed, unpaused market); without debt it always works.
 */
export async function withdrawCollateral(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
  destination: PublicKey;
  amount: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.withdrawCollateral({ amount: u64Arg(p.amount, "amount") })
    .accountsStrict({
      owner: p.owner,
      pool: a.lendingPool,
      market: a.market,
      feed: a.feed,
      ...subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index }),
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Borrows `amount` lamports of wSOL into `destination` against the sub-account. Owner only. */
export async function borrow(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
  destination: PublicKey;
  amount: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.borrow({ amount: u64Arg(p.amount, "amount") })
    .accountsStrict({
      owner: p.owner,
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      feed: a.feed,
      subAccount: subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index }).subAccount,
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Repays up to `amount` lamports of a sub-account's debt from `source` (anyone; more than the debt repays it exactly). */
export async function repay(p: {
  payer: PublicKey;
  lrtMint: PublicKey;
  subAccount: SubAccountRef;
  source: PublicKey;
  amount: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.repay({ amount: u64Arg(p.amount, "amount") })
    .accountsStrict({
      payer: p.payer,
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      subAccount: subAccountKeys(p.lrtMint, p.subAccount).subAccount,
      source: p.source,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Levers up in one instruction: `equity` of the owner's wSOL plus `borrow` from the pool are restaked into collateral. */
export async function leverageUp(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
  ownerWsol: PublicKey;
  equity: bigint;
  borrow: bigint;
  /** Slippage guard on the LRT minted for `equity + borrow`. */
  minLrtOut: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.leverageUp({
      equity: u64Arg(p.equity, "equity"),
      borrow: u64Arg(p.borrow, "borrow"),
      minLrtOut: u64Arg(p.minLrtOut, "minLrtOut"),
    })
    .accountsStrict({
      owner: p.owner,
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      feed: a.feed,
      ...subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index }),
      ownerWsol: p.ownerWsol,
      stakePool: a.restaking.stakePool,
      lrtMint: p.lrtMint,
      reserveVault: a.restaking.reserveVault,
      restakingProgram: RESTAKING_PROGRAM_ID,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Levers down: `lrt` of collateral is instantly unstaked and the SOL repays the debt (any excess to `ownerWsol`). */
export async function deleverage(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
  ownerWsol: PublicKey;
  lrt: bigint;
  minSolOut: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.deleverage({ lrt: u64Arg(p.lrt, "lrt"), minSolOut: u64Arg(p.minSolOut, "minSolOut") })
    .accountsStrict({
      owner: p.owner,
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      feed: a.feed,
      ...subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index }),
      ownerWsol: p.ownerWsol,
      stakePool: a.restaking.stakePool,
      lrtMint: p.lrtMint,
      reserveVault: a.restaking.reserveVault,
      restakingProgram: RESTAKING_PROGRAM_ID,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Liquidates an unhealthy sub-account: repays up to `maxRepay` from `liquidatorWsol`, seizes LRT (plus bonus) into `liquidatorLrt`. */
export async function liquidate(p: {
  liquidator: PublicKey;
  lrtMint: PublicKey;
  subAccount: SubAccountRef;
  liquidatorWsol: PublicKey;
  liquidatorLrt: PublicKey;
  maxRepay: bigint;
  /** Slippage guard on the LRT the liquidator receives. */
  minCollateralOut: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.liquidate({
      maxRepay: u64Arg(p.maxRepay, "maxRepay"),
      minCollateralOut: u64Arg(p.minCollateralOut, "minCollateralOut"),
    })
    .accountsStrict({
      liquidator: p.liquidator,
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      feed: a.feed,
      ...subAccountKeys(p.lrtMint, p.subAccount),
      insuranceVault: a.insuranceVault,
      liquidatorWsol: p.liquidatorWsol,
      liquidatorLrt: p.liquidatorLrt,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/**
 * Settles an insolvent sub-account (permissionless): its debt is written off — insurance first, then
 * lenders — and any collateral left (dust or a donation) goes to the market's insurance vault. Allowed
 * when debt remains and the collateral is gone or worth less than the debt at the maintenance price.
 */
export async function settleBadDebt(p: {
  lrtMint: PublicKey;
  subAccount: SubAccountRef;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.settleBadDebt()
    .accountsStrict({
      pool: a.lendingPool,
      market: a.market,
      feed: a.feed,
      ...subAccountKeys(p.lrtMint, p.subAccount),
      insuranceVault: a.insuranceVault,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/**
 * Sells `lrt` of the market's insurance LRT through the restaking pool's instant unstake (at the feed's
 * pessimistic rate) into the lending pool, where it becomes insurance cash that covers bad debt first
 * (permissionless).
 */
export async function convertInsurance(p: {
  lrtMint: PublicKey;
  lrt: bigint;
  /** Slippage guard on the SOL received. */
  minSolOut: bigint;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.convertInsurance({ lrt: u64Arg(p.lrt, "lrt"), minSolOut: u64Arg(p.minSolOut, "minSolOut") })
    .accountsStrict({
      pool: a.lendingPool,
      vault: a.lendingVault,
      market: a.market,
      feed: a.feed,
      insuranceVault: a.insuranceVault,
      stakePool: a.restaking.stakePool,
      lrtMint: p.lrtMint,
      reserveVault: a.restaking.reserveVault,
      restakingProgram: RESTAKING_PROGRAM_ID,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Activates the market's queued policy or risk change once its time lock has passed (permissionless). */
export async function applyMarketUpdate(p: { lrtMint: PublicKey }): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program().methods.applyMarketUpdate().accountsStrict({ pool: a.lendingPool, market: a.market }).instruction();
}

/**
 * Closes an empty sub-account and its collateral vault; the rent goes back to the owner and any LRT
 * someone dropped into the vault to `destination` (an LRT account). Owner only.
 */
export async function closeSubAccount(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  index: number;
  destination: PublicKey;
}): Promise<TransactionInstruction> {
  const a = marketAddresses(p.lrtMint);
  return program()
    .methods.closeSubAccount()
    .accountsStrict({
      owner: p.owner,
      market: a.market,
      ...subAccountKeys(p.lrtMint, { owner: p.owner, index: p.index }),
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}
