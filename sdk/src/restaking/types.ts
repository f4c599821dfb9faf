import type { PublicKey } from "@solana/web3.js";

/** Restaking account types, field for field as programs/restaking/src/state (camelCase, bigint, PublicKey). */

export interface StakePool {
  bump: number;
  lrtMint: PublicKey;
  feed: PublicKey;
  admin: PublicKey;
  stakeManager: PublicKey;
  reserveVault: PublicKey;
  escrowVault: PublicKey;
  /** wSOL in the reserve vault, including what finalized tickets are owed. */
  reserveLamports: bigint;
  /** Part of the reserve owed to finalized, unclaimed tickets. */
  lockedLamports: bigint;
  stakedLamports: bigint;
  escrowedLrt: bigint;
  instantUnstakeFeeBps: number;
  nextTicket: bigint;
  nextToFinalize: bigint;
}

/** One withdrawal request, paid in queue order. */
export interface Ticket {
  bump: number;
  pool: PublicKey;
  id: bigint;
  owner: PublicKey;
  lrt: bigint;
  /** Fair rate when requested. */
  rateAtRequest: bigint;
  requestedTs: bigint;
  finalized: boolean;
  lamportsOwed: bigint;
}
