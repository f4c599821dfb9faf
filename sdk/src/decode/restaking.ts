/** Fast decoders of the restaking accounts (Borsh layout at fixed offsets; see decode/common.ts for keys). */
import restakingIdl from "../../idl/restaking.json" with { type: "json" };
import type { StakePool, Ticket } from "../restaking/types.js";
import { accountView, bool, discriminator, keyAt, ownBytes, ownedSlab, u128, type Discriminator } from "./common.js";

function disc(name: string): Discriminator {
  const account = restakingIdl.accounts.find((a) => a.name === name);
  if (!account) throw new Error(`restaking IDL has no account ${name}`);
  return discriminator(account.discriminator);
}

export const STAKE_POOL_DISCRIMINATOR = disc("StakePool");
export const TICKET_DISCRIMINATOR = disc("Ticket");
export const STAKE_POOL_SIZE = 251;
export const TICKET_SIZE = 122;

export function decodeStakePool(data: Uint8Array): StakePool {
  const v = accountView(data, STAKE_POOL_DISCRIMINATOR, STAKE_POOL_SIZE, "StakePool");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 201);
  const keys = ownedSlab();
  return {
    bump: data[8]!,
    lrtMint: keyAt(keys, at),
    feed: keyAt(keys, at + 32),
    admin: keyAt(keys, at + 64),
    stakeManager: keyAt(keys, at + 96),
    reserveVault: keyAt(keys, at + 128),
    escrowVault: keyAt(keys, at + 160),
    reserveLamports: v.getBigUint64(b + 201, true),
    lockedLamports: v.getBigUint64(b + 209, true),
    stakedLamports: v.getBigUint64(b + 217, true),
    escrowedLrt: v.getBigUint64(b + 225, true),
    instantUnstakeFeeBps: v.getUint16(b + 233, true),
    nextTicket: v.getBigUint64(b + 235, true),
    nextToFinalize: v.getBigUint64(b + 243, true),
  };
}

export function decodeTicket(data: Uint8Array): Ticket {
  const v = accountView(data, TICKET_DISCRIMINATOR, TICKET_SIZE, "Ticket");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 81);
  const keys = ownedSlab();
  return {
    bump: data[8]!,
    pool: keyAt(keys, at),
    id: v.getBigUint64(b + 41, true),
    owner: keyAt(keys, at + 40),
    lrt: v.getBigUint64(b + 81, true),
    rateAtRequest: u128(v, b + 89),
    requestedTs: v.getBigInt64(b + 105, true),
    finalized: bool(v, b + 113),
    lamportsOwed: v.getBigUint64(b + 114, true),
  };
}
