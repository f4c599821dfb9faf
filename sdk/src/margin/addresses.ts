import { Buffer } from "buffer";
import { PublicKey } from "@solana/web3.js";
import idl from "../../idl/margin.json" with { type: "json" };
import { feedAddress } from "../oracle/addresses.js";
import { stakePoolAddresses, type StakePoolAddresses } from "../restaking/addresses.js";

export const MARGIN_PROGRAM_ID = new PublicKey(idl.address);

/** Wrapped SOL: the lending pool's asset. */
export const NATIVE_SOL_MINT = new PublicKey("So11111111111111111111111111111111111111112");

/** The upgradeable BPF loader: owner of every upgradeable program's ProgramData account. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

/**
 * `[program_id]` under the upgradeable loader: the program's ProgramData account, which names its
 * upgrade authority (`initialize_pool` requires the admin to be it).
 */
export function programDataAddress(programId = MARGIN_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID)[0];
}

/** PDA seeds, as in programs/margin/src/seeds.rs. */
const POOL_SEED = Buffer.from("pool");
const VAULT_SEED = Buffer.from("vault");
const LENDER_SEED = Buffer.from("lender");
const MARKET_SEED = Buffer.from("market");
const INSURANCE_SEED = Buffer.from("insurance");
const SUB_ACCOUNT_SEED = Buffer.from("sub");
const COLLATERAL_SEED = Buffer.from("collateral");

const pda = (seeds: Buffer[], programId: PublicKey) => PublicKey.findProgramAddressSync(seeds, programId)[0];

/** `["pool", sol_mint]`: the SOL lending pool. */
export function lendingPoolAddress(solMint = NATIVE_SOL_MINT, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([POOL_SEED, solMint.toBuffer()], programId);
}

/** `["vault", pool]`: the lending pool's wSOL. */
export function lendingVaultAddress(lendingPool: PublicKey, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([VAULT_SEED, lendingPool.toBuffer()], programId);
}

/** `["lender", pool, owner]`: `owner`'s supply shares in the lending pool. */
export function lenderAddress(lendingPool: PublicKey, owner: PublicKey, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([LENDER_SEED, lendingPool.toBuffer(), owner.toBuffer()], programId);
}

/** `["market", pool, lrt_mint]`: the market of one LRT. */
export function marketAddress(lendingPool: PublicKey, lrtMint: PublicKey, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([MARKET_SEED, lendingPool.toBuffer(), lrtMint.toBuffer()], programId);
}

/** `["insurance", market]`: LRT the market's insurance receives from liquidation bonuses. */
export function insuranceVaultAddress(market: PublicKey, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([INSURANCE_SEED, market.toBuffer()], programId);
}

/** `["sub", market, owner, index (u16 LE)]`: `owner`'s isolated sub-account number `index`. */
export function subAccountAddress(
  market: PublicKey,
  owner: PublicKey,
  index: number,
  programId = MARGIN_PROGRAM_ID,
): PublicKey {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff)
    throw new RangeError(`A sub-account index is a u16 (0..65535), got ${index}`);
  const le = Buffer.alloc(2);
  le.writeUInt16LE(index);
  return pda([SUB_ACCOUNT_SEED, market.toBuffer(), owner.toBuffer(), le], programId);
}

/** `["collateral", sub_account]`: the sub-account's LRT, owned by the sub-account PDA. */
export function collateralVaultAddress(subAccount: PublicKey, programId = MARGIN_PROGRAM_ID): PublicKey {
  return pda([COLLATERAL_SEED, subAccount.toBuffer()], programId);
}

/** Every address of the SOL lending pool and the market of one LRT (with its restaking pool and feed). */
export interface MarketAddresses {
  lendingPool: PublicKey;
  lendingVault: PublicKey;
  market: PublicKey;
  insuranceVault: PublicKey;
  feed: PublicKey;
  restaking: StakePoolAddresses;
}

export function marketAddresses(lrtMint: PublicKey): MarketAddresses {
  const lendingPool = lendingPoolAddress();
  const market = marketAddress(lendingPool, lrtMint);
  return {
    lendingPool,
    lendingVault: lendingVaultAddress(lendingPool),
    market,
    insuranceVault: insuranceVaultAddress(market),
    feed: feedAddress(lrtMint),
    restaking: stakePoolAddresses(lrtMint),
  };
}

/** A sub-account's two addresses. */
export interface SubAccountAddresses {
  subAccount: PublicKey;
  collateralVault: PublicKey;
}

export function subAccountAddresses(lrtMint: PublicKey, owner: PublicKey, index: number): SubAccountAddresses {
  const subAccount = subAccountAddress(marketAddress(lendingPoolAddress(), lrtMint), owner, index);
  return { subAccount, collateralVault: collateralVaultAddress(subAccount) };
}
