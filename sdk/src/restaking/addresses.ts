import { Buffer } from "buffer";
import { PublicKey } from "@solana/web3.js";
import idl from "../../idl/restaking.json" with { type: "json" };
import { feedAddress } from "../oracle/addresses.js";

export const RESTAKING_PROGRAM_ID = new PublicKey(idl.address);

/** PDA seeds, as in programs/restaking/src/seeds.rs. */
const POOL_SEED = Buffer.from("pool");
const RESERVE_SEED = Buffer.from("reserve");
const ESCROW_SEED = Buffer.from("escrow");
const TICKET_SEED = Buffer.from("ticket");

/** `["pool", lrt_mint]`: the stake pool of `lrtMint`, also the LRT's mint authority and its vaults' owner. */
export function stakePoolAddress(lrtMint: PublicKey, programId = RESTAKING_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([POOL_SEED, lrtMint.toBuffer()], programId)[0];
}

/** `["reserve", pool]`: the pool's liquid SOL (wSOL). */
export function reserveVaultAddress(stakePool: PublicKey, programId = RESTAKING_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([RESERVE_SEED, stakePool.toBuffer()], programId)[0];
}

/** `["escrow", pool]`: LRT waiting in the withdrawal queue. */
export function escrowVaultAddress(stakePool: PublicKey, programId = RESTAKING_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([ESCROW_SEED, stakePool.toBuffer()], programId)[0];
}

/** `["ticket", pool, id (u64 LE)]`: withdrawal request number `id` of the pool. */
export function ticketAddress(stakePool: PublicKey, id: bigint | number, programId = RESTAKING_PROGRAM_ID): PublicKey {
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(BigInt(id));
  return PublicKey.findProgramAddressSync([TICKET_SEED, stakePool.toBuffer(), le], programId)[0];
}

/** Every address the restaking program uses for one LRT. */
export interface StakePoolAddresses {
  lrtMint: PublicKey;
  /** The oracle feed the pool prices the LRT with. */
  feed: PublicKey;
  stakePool: PublicKey;
  reserveVault: PublicKey;
  escrowVault: PublicKey;
}

export function stakePoolAddresses(lrtMint: PublicKey): StakePoolAddresses {
  const stakePool = stakePoolAddress(lrtMint);
  return {
    lrtMint,
    feed: feedAddress(lrtMint),
    stakePool,
    reserveVault: reserveVaultAddress(stakePool),
    escrowVault: escrowVaultAddress(stakePool),
  };
}
