// Instruction builders of the restaking program: one per instruction, addressed by the LRT mint (the
// pool, its vaults, its tickets and its feed are derived from it).
import { type AccountMeta, type PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "../errors.js";
import { NATIVE_SOL_MINT } from "../margin/addresses.js";
import { stakePoolAddresses, ticketAddress } from "../restaking/addresses.js";
import { offlinePrograms, u64Arg, uintArg } from "../programs.js";

const program = () => offlinePrograms().restaking;

/** Creates the stake pool of `lrtMint`; the mint's authority hands minting over to the pool. */
export async function initializeStakePool(p: {
  /** Pays for the accounts and becomes the pool's admin. */
  admin: PublicKey;
  mintAuthority: PublicKey;
  lrtMint: PublicKey;
  stakeManager: PublicKey;
  instantUnstakeFeeBps: number;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.initializePool({
      stakeManager: p.stakeManager,
      instantUnstakeFeeBps: uintArg(p.instantUnstakeFeeBps, 16, "instantUnstakeFeeBps"),
    })
    .accountsStrict({
      admin: p.admin,
      mintAuthority: p.mintAuthority,
      lrtMint: p.lrtMint,
      solMint: NATIVE_SOL_MINT,
      feed: a.feed,
      pool: a.stakePool,
      reserveVault: a.reserveVault,
      escrowVault: a.escrowVault,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Changes the stake manager and the instant-unstake fee. Admin only. */
export async function updateStakePool(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  stakeManager: PublicKey;
  instantUnstakeFeeBps: number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.updatePool({
      stakeManager: p.stakeManager,
      instantUnstakeFeeBps: uintArg(p.instantUnstakeFeeBps, 16, "instantUnstakeFeeBps"),
    })
    .accountsStrict({ admin: p.admin, pool: stakePoolAddresses(p.lrtMint).stakePool })
    .instruction();
}

/** Deposits `lamports` of wSOL from `source`; mints LRT at the feed's fair rate into `destination`. */
export async function deposit(p: {
  depositor: PublicKey;
  lrtMint: PublicKey;
  /** The depositor's wSOL account. */
  source: PublicKey;
  /** LRT account receiving the minted LRT. */
  destination: PublicKey;
  lamports: bigint;
  minLrtOut: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.deposit({ lamports: u64Arg(p.lamports, "lamports"), minLrtOut: u64Arg(p.minLrtOut, "minLrtOut") })
    .accountsStrict({
      depositor: p.depositor,
      pool: a.stakePool,
      feed: a.feed,
      lrtMint: p.lrtMint,
      reserveVault: a.reserveVault,
      source: p.source,
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/**
 * Queues `lrt` for withdrawal as ticket `ticketId`, which must be the pool's `nextTicket` (read it from
 * the stake pool account just before).
 */
export async function requestWithdrawal(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  source: PublicKey;
  ticketId: bigint;
  lrt: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.requestWithdrawal({ lrt: u64Arg(p.lrt, "lrt") })
    .accountsStrict({
      owner: p.owner,
      pool: a.stakePool,
      feed: a.feed,
      source: p.source,
      escrowVault: a.escrowVault,
      ticket: ticketAddress(a.stakePool, p.ticketId),
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/**
 * The crank: finalizes tickets `firstTicket..=upTo` in queue order (`firstTicket` is the pool's
 * `nextToFinalize`); fewer when the reserve runs short, none in bunker mode.
 */
export async function finalizeWithdrawals(p: {
  lrtMint: PublicKey;
  firstTicket: bigint;
  upTo: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  if (p.upTo < p.firstTicket) throw new RangeError(`upTo (${p.upTo}) must not be below firstTicket (${p.firstTicket})`);
  const tickets: AccountMeta[] = [];
  for (let id = p.firstTicket; id <= p.upTo; id++)
    tickets.push({ pubkey: ticketAddress(a.stakePool, id), isSigner: false, isWritable: true });
  return program()
    .methods.finalizeWithdrawals({ upTo: u64Arg(p.upTo, "upTo") })
    .accountsStrict({
      pool: a.stakePool,
      feed: a.feed,
      lrtMint: p.lrtMint,
      escrowVault: a.escrowVault,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .remainingAccounts(tickets)
    .instruction();
}

/** Pays finalized ticket `ticketId` to the owner's wSOL account `destination` (and closes the ticket). */
export async function claim(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  ticketId: bigint;
  destination: PublicKey;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.claim()
    .accountsStrict({
      owner: p.owner,
      pool: a.stakePool,
      ticket: ticketAddress(a.stakePool, p.ticketId),
      reserveVault: a.reserveVault,
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Exits `lrt` at once from the liquid reserve, at the instant-unstake fee, into wSOL `destination`. */
export async function instantUnstake(p: {
  owner: PublicKey;
  lrtMint: PublicKey;
  /** The owner's LRT account. */
  source: PublicKey;
  /** wSOL account receiving the SOL. */
  destination: PublicKey;
  lrt: bigint;
  minSolOut: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.instantUnstake({ lrt: u64Arg(p.lrt, "lrt"), minSolOut: u64Arg(p.minSolOut, "minSolOut") })
    .accountsStrict({
      owner: p.owner,
      pool: a.stakePool,
      feed: a.feed,
      lrtMint: p.lrtMint,
      source: p.source,
      reserveVault: a.reserveVault,
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** The stake manager moves `lamports` from the reserve to validators (here: its wSOL `destination`). */
export async function delegate(p: {
  stakeManager: PublicKey;
  lrtMint: PublicKey;
  destination: PublicKey;
  lamports: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.delegate({ lamports: u64Arg(p.lamports, "lamports") })
    .accountsStrict({
      stakeManager: p.stakeManager,
      pool: a.stakePool,
      reserveVault: a.reserveVault,
      destination: p.destination,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** The stake manager brings `lamports` back from validators (its wSOL `source`) to the reserve. */
export async function undelegate(p: {
  stakeManager: PublicKey;
  lrtMint: PublicKey;
  source: PublicKey;
  lamports: bigint;
}): Promise<TransactionInstruction> {
  const a = stakePoolAddresses(p.lrtMint);
  return program()
    .methods.undelegate({ lamports: u64Arg(p.lamports, "lamports") })
    .accountsStrict({
      stakeManager: p.stakeManager,
      pool: a.stakePool,
      reserveVault: a.reserveVault,
      source: p.source,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}
