/** Fast decoders of the margin accounts (Borsh layout at fixed offsets; see decode/common.ts for keys). */
import marginIdl from "../../idl/margin.json" with { type: "json" };
import {
  PRICING_POLICIES,
  type LenderPosition,
  type LendingPool,
  type Market,
  type PricingPolicy,
  type RiskParams,
  type SubAccount,
} from "../margin/types.js";
import {
  AccountDecodeError,
  accountView,
  bool,
  discriminator,
  keyAt,
  ownBytes,
  ownedSlab,
  u128,
  type Discriminator,
} from "./common.js";

function disc(name: string): Discriminator {
  const account = marginIdl.accounts.find((a) => a.name === name);
  if (!account) throw new Error(`margin IDL has no account ${name}`);
  return discriminator(account.discriminator);
}

export const LENDING_POOL_DISCRIMINATOR = disc("LendingPool");
export const LENDER_POSITION_DISCRIMINATOR = disc("LenderPosition");
export const MARKET_DISCRIMINATOR = disc("Market");
export const SUB_ACCOUNT_DISCRIMINATOR = disc("SubAccount");

/** Account sizes in bytes, discriminator included. */
export const LENDING_POOL_SIZE = 209;
export const LENDER_POSITION_SIZE = 81;
export const MARKET_SIZE = 252;
export const SUB_ACCOUNT_SIZE = 92;

/** Offsets of the SubAccount fields the keeper filters on (getProgramAccounts memcmp). */
export const SUB_ACCOUNT_OFFSETS = { market: 10, owner: 42, index: 74, collateral: 76, debtShares: 84 } as const;

export function decodeSubAccount(data: Uint8Array): SubAccount {
  const v = accountView(data, SUB_ACCOUNT_DISCRIMINATOR, SUB_ACCOUNT_SIZE, "SubAccount");
  const b = data.byteOffset;
  const at = ownBytes(data, 10, 74);
  const keys = ownedSlab();
  return {
    bump: data[8]!,
    vaultBump: data[9]!,
    market: keyAt(keys, at),
    owner: keyAt(keys, at + 32),
    index: v.getUint16(b + 74, true),
    collateral: v.getBigUint64(b + 76, true),
    debtShares: v.getBigUint64(b + 84, true),
  };
}

export function decodeLenderPosition(data: Uint8Array): LenderPosition {
  const v = accountView(data, LENDER_POSITION_DISCRIMINATOR, LENDER_POSITION_SIZE, "LenderPosition");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 73);
  const keys = ownedSlab();
  return { bump: data[8]!, pool: keyAt(keys, at), owner: keyAt(keys, at + 32), shares: v.getBigUint64(b + 73, true) };
}

export function decodeLendingPool(data: Uint8Array): LendingPool {
  const v = accountView(data, LENDING_POOL_DISCRIMINATOR, LENDING_POOL_SIZE, "LendingPool");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 105);
  const keys = ownedSlab();
  return {
    bump: data[8]!,
    admin: keyAt(keys, at),
    solMint: keyAt(keys, at + 32),
    vault: keyAt(keys, at + 64),
    params: {
      curve: {
        kink1UtilizationBps: v.getUint16(b + 105, true),
        kink1RateBps: v.getUint16(b + 107, true),
        kink2UtilizationBps: v.getUint16(b + 109, true),
        kink2RateBps: v.getUint16(b + 111, true),
        maxRateBps: v.getUint16(b + 113, true),
      },
      reserveFactorBps: v.getUint16(b + 115, true),
      maxUtilizationBps: v.getUint16(b + 117, true),
      supplyCap: v.getBigUint64(b + 119, true),
      borrowCap: v.getBigUint64(b + 127, true),
    },
    cash: v.getBigUint64(b + 135, true),
    insurance: v.getBigUint64(b + 143, true),
    supplyShares: v.getBigUint64(b + 151, true),
    supplyIndex: u128(v, b + 159),
    debtShares: v.getBigUint64(b + 175, true),
    borrowIndex: u128(v, b + 183),
    lastAccrualTs: v.getBigInt64(b + 199, true),
    socialized: bool(v, b + 207),
    frozen: bool(v, b + 208),
  };
}

function policyAt(view: DataView, offset: number): PricingPolicy {
  const tag = view.getUint8(offset);
  const policy = PRICING_POLICIES[tag];
  if (policy === undefined) throw new AccountDecodeError(`invalid PricingPolicy variant ${tag}`);
  return policy;
}

function riskAt(v: DataView, o: number): RiskParams {
  return {
    ltvInitBps: v.getUint16(o, true),
    ltBps: v.getUint16(o + 2, true),
    ltvFullBps: v.getUint16(o + 4, true),
    targetLtvBps: v.getUint16(o + 6, true),
    closeFactorBps: v.getUint16(o + 8, true),
    bonusMinBps: v.getUint16(o + 10, true),
    bonusMaxBps: v.getUint16(o + 12, true),
    insuranceShareBps: v.getUint16(o + 14, true),
    minDebt: v.getBigUint64(o + 16, true),
  };
}

export function decodeMarket(data: Uint8Array): Market {
  const v = accountView(data, MARKET_DISCRIMINATOR, MARKET_SIZE, "Market");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 169);
  const keys = ownedSlab();
  return {
    bump: data[8]!,
    pool: keyAt(keys, at),
    lrtMint: keyAt(keys, at + 32),
    feed: keyAt(keys, at + 64),
    stakePool: keyAt(keys, at + 96),
    insuranceVault: keyAt(keys, at + 128),
    policy: policyAt(v, b + 169),
    risk: riskAt(v, b + 170),
    collateralCap: v.getBigUint64(b + 194, true),
    collateralTotal: v.getBigUint64(b + 202, true),
    paused: bool(v, b + 210),
    ltLoweredTs: v.getBigInt64(b + 211, true),
    pending: {
      activatesTs: v.getBigInt64(b + 219, true),
      policy: policyAt(v, b + 227),
      risk: riskAt(v, b + 228),
    },
  };
}
