// Instruction builders of the oracle program: one per instruction, addressed by the LRT mint (the
// committee and feed PDAs are derived from it), plus the member's report helpers (vote, then data).
import { type PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import { committeeAddress, feedAddress, ORACLE_PROGRAM_ID } from "../oracle/addresses.js";
import { type AccountingReport, submitReportHash as reportHash } from "../oracle/report.js";
import type { SanityLimits } from "../oracle/types.js";
import { i64Arg, offlinePrograms, sanityLimitsArg, u128Arg, u64Arg, uintArg } from "../programs.js";

const program = () => offlinePrograms().oracle;
const pdas = (lrtMint: PublicKey) => ({ committee: committeeAddress(lrtMint), feed: feedAddress(lrtMint) });

export interface InitializeCommitteeParams {
  /** Pays for the accounts and becomes the committee's admin. */
  admin: PublicKey;
  /** The LRT mint's current mint authority (only it may create the mint's committee). */
  mintAuthority: PublicKey;
  lrtMint: PublicKey;
  guardian: PublicKey;
  /** Start of frame 1 (unix seconds). */
  genesisTs: bigint | number;
  frameSecs: number;
  fastLaneSecs: number;
  consensusVersion: bigint;
  /** Fair rate (SOL per LRT, WAD) before the first report. */
  initialRate: bigint;
  limits: SanityLimits;
}

/** Creates the committee and feed of `lrtMint` (quorum 1 and no members until `addMember`). */
export async function initializeCommittee(p: InitializeCommitteeParams): Promise<TransactionInstruction> {
  return program()
    .methods.initializeCommittee({
      guardian: p.guardian,
      genesisTs: i64Arg(p.genesisTs, "genesisTs"),
      frameSecs: uintArg(p.frameSecs, 32, "frameSecs"),
      fastLaneSecs: uintArg(p.fastLaneSecs, 32, "fastLaneSecs"),
      consensusVersion: u64Arg(p.consensusVersion, "consensusVersion"),
      initialRate: u128Arg(p.initialRate, "initialRate"),
      limits: sanityLimitsArg(p.limits),
    })
    .accountsStrict({
      admin: p.admin,
      mintAuthority: p.mintAuthority,
      lrtMint: p.lrtMint,
      ...pdas(p.lrtMint),
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Adds a member (cold `authority`, hot `signer`) and restates the quorum. Admin only. */
export async function addMember(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  authority: PublicKey;
  signer: PublicKey;
  quorum: number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.addMember({ authority: p.authority, signer: p.signer, quorum: uintArg(p.quorum, 8, "quorum") })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Removes the member whose cold key is `authority` (and its vote) and restates the quorum. Admin only. */
export async function removeMember(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  authority: PublicKey;
  quorum: number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.removeMember({ authority: p.authority, quorum: uintArg(p.quorum, 8, "quorum") })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** A member's cold key gives its seat a new hot key; the old one is refused at once. */
export async function rotateSigner(p: {
  authority: PublicKey;
  lrtMint: PublicKey;
  newSigner: PublicKey;
}): Promise<TransactionInstruction> {
  return program()
    .methods.rotateSigner({ newSigner: p.newSigner })
    .accountsStrict({ authority: p.authority, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** The guardian or the admin disables consensus; only the admin enables it again. */
export async function setConsensusDisabled(p: {
  authority: PublicKey;
  lrtMint: PublicKey;
  disabled: boolean;
}): Promise<TransactionInstruction> {
  return program()
    .methods.setConsensusDisabled({ disabled: p.disabled })
    .accountsStrict({ authority: p.authority, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Moves the committee to a new consensus version (old votes stop counting). Admin only. */
export async function setConsensusVersion(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  consensusVersion: bigint;
}): Promise<TransactionInstruction> {
  return program()
    .methods.setConsensusVersion({ consensusVersion: u64Arg(p.consensusVersion, "consensusVersion") })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** The guardian or the admin pauses the committee; only the admin unpauses it. */
export async function setPaused(p: {
  authority: PublicKey;
  lrtMint: PublicKey;
  paused: boolean;
}): Promise<TransactionInstruction> {
  return program()
    .methods.setPaused({ paused: p.paused })
    .accountsStrict({ authority: p.authority, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Sets the quorum (must be more than half of the members). Admin only. */
export async function setQuorum(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  quorum: number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.setQuorum({ quorum: uintArg(p.quorum, 8, "quorum") })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Hands the admin and guardian roles to `newAdmin` and `guardian`. Admin only. */
export async function setRoles(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  newAdmin: PublicKey;
  guardian: PublicKey;
}): Promise<TransactionInstruction> {
  return program()
    .methods.setRoles({ admin: p.newAdmin, guardian: p.guardian })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** A member's hot key reports the market price (SOL per LRT, WAD) it observed at `observedTs`. */
export async function submitPrice(p: {
  signer: PublicKey;
  lrtMint: PublicKey;
  price: bigint;
  observedTs: bigint | number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.submitPrice({ price: u128Arg(p.price, "price"), observedTs: i64Arg(p.observedTs, "observedTs") })
    .accountsStrict({ signer: p.signer, ...pdas(p.lrtMint) })
    .instruction();
}

/** A member's hot key votes for the report hashing to `hash` in `frame` (the current frame). */
export async function submitReportHash(p: {
  signer: PublicKey;
  lrtMint: PublicKey;
  frame: bigint;
  hash: Uint8Array;
  consensusVersion: bigint;
}): Promise<TransactionInstruction> {
  if (p.hash.length !== 32) throw new RangeError(`A report hash is 32 bytes, got ${p.hash.length}`);
  return program()
    .methods.submitReportHash({
      frame: u64Arg(p.frame, "frame"),
      hash: Array.from(p.hash),
      consensusVersion: u64Arg(p.consensusVersion, "consensusVersion"),
    })
    .accountsStrict({ signer: p.signer, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Any member's hot key submits the report whose hash holds quorum; the sanity checks then apply it. */
export async function submitReportData(p: {
  signer: PublicKey;
  lrtMint: PublicKey;
  report: AccountingReport;
}): Promise<TransactionInstruction> {
  const r = p.report;
  return program()
    .methods.submitReportData({
      report: {
        programId: r.programId,
        feed: r.feed,
        consensusVersion: u64Arg(r.consensusVersion, "report.consensusVersion"),
        frame: u64Arg(r.frame, "report.frame"),
        rate: u128Arg(r.rate, "report.rate"),
        stakedLamports: u64Arg(r.stakedLamports, "report.stakedLamports"),
        bunker: r.bunker,
      },
    })
    .accountsStrict({ signer: p.signer, ...pdas(p.lrtMint) })
    .instruction();
}

/** Re-cuts frames from the current one on (it keeps its number and start). Admin only. */
export async function updateFrameConfig(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  frameSecs: number;
  fastLaneSecs: number;
}): Promise<TransactionInstruction> {
  return program()
    .methods.updateFrameConfig({
      frameSecs: uintArg(p.frameSecs, 32, "frameSecs"),
      fastLaneSecs: uintArg(p.fastLaneSecs, 32, "fastLaneSecs"),
    })
    .accountsStrict({ admin: p.admin, committee: committeeAddress(p.lrtMint) })
    .instruction();
}

/** Sets the sanity limits (the feed takes the copies consumers read). Admin only. */
export async function updateLimits(p: {
  admin: PublicKey;
  lrtMint: PublicKey;
  limits: SanityLimits;
}): Promise<TransactionInstruction> {
  return program()
    .methods.updateLimits({ limits: sanityLimitsArg(p.limits) })
    .accountsStrict({ admin: p.admin, ...pdas(p.lrtMint) })
    .instruction();
}

/** The guardian's second opinion: the decrease held in `frame` takes effect. */
export async function confirmHeldDecrease(p: {
  guardian: PublicKey;
  lrtMint: PublicKey;
  frame: bigint;
}): Promise<TransactionInstruction> {
  return program()
    .methods.confirmHeldDecrease({ frame: u64Arg(p.frame, "frame") })
    .accountsStrict({ guardian: p.guardian, ...pdas(p.lrtMint) })
    .instruction();
}

/** The guardian turns bunker mode on (never off: a clean report does). */
export async function enableBunker(p: { guardian: PublicKey; lrtMint: PublicKey }): Promise<TransactionInstruction> {
  return program()
    .methods.enableBunker()
    .accountsStrict({ guardian: p.guardian, ...pdas(p.lrtMint) })
    .instruction();
}

// ---- A member's report: build it, vote for its hash, then submit its data ----

/** The accounting report of `lrtMint`'s feed for `frame`, naming this program (no replay elsewhere). */
export function accountingReport(p: {
  lrtMint: PublicKey;
  frame: bigint;
  /** SOL per LRT at the frame's reference time (WAD). */
  rate: bigint;
  stakedLamports: bigint;
  consensusVersion: bigint;
  bunker?: boolean;
}): AccountingReport {
  return {
    programId: ORACLE_PROGRAM_ID,
    feed: feedAddress(p.lrtMint),
    consensusVersion: p.consensusVersion,
    frame: p.frame,
    rate: p.rate,
    stakedLamports: p.stakedLamports,
    bunker: p.bunker ?? false,
  };
}

/** The vote for `report`: `submit_report_hash` with the report's hash, frame and version. */
export async function voteForReport(p: {
  signer: PublicKey;
  lrtMint: PublicKey;
  report: AccountingReport;
}): Promise<TransactionInstruction> {
  return submitReportHash({
    signer: p.signer,
    lrtMint: p.lrtMint,
    frame: p.report.frame,
    hash: reportHash(p.report),
    consensusVersion: p.report.consensusVersion,
  });
}

/**
 * Both steps of a member's report: `vote` (send first; every member of the quorum sends its own) and
 * `data` (send once the hash holds quorum; one member is enough).
 */
export async function memberReport(p: {
  signer: PublicKey;
  lrtMint: PublicKey;
  report: AccountingReport;
}): Promise<{ hash: Uint8Array; vote: TransactionInstruction; data: TransactionInstruction }> {
  return {
    hash: reportHash(p.report),
    vote: await voteForReport(p),
    data: await submitReportData(p),
  };
}
