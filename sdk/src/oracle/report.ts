import type { Buffer } from "buffer";
import anchor, { type Idl } from "@coral-xyz/anchor";
import { sha256 } from "@noble/hashes/sha2";
import type { PublicKey } from "@solana/web3.js";
import idl from "../../idl/oracle.json" with { type: "json" };

/** The accounting report a committee agrees on (programs/oracle `AccountingReport`). */
export interface AccountingReport {
  programId: PublicKey;
  feed: PublicKey;
  consensusVersion: bigint;
  frame: bigint;
  /** SOL per LRT, 18 decimals. */
  rate: bigint;
  stakedLamports: bigint;
  bunker: boolean;
}

// Anchor is CommonJS: under Node's own ESM loader (tsx, plain node) only its default export carries
// every name (BN is not detected as a named export), so take the classes from it.
const { BN, BorshCoder } = anchor;
const coder = new BorshCoder(idl as Idl);

/** The report's Borsh bytes, exactly as the program serialises them. */
export function encodeAccountingReport(report: AccountingReport): Buffer {
  // The coder is built from the JSON IDL, whose field names are the Rust (snake_case) ones.
  return coder.types.encode("AccountingReport", {
    program_id: report.programId,
    feed: report.feed,
    consensus_version: new BN(report.consensusVersion.toString()),
    frame: new BN(report.frame.toString()),
    rate: new BN(report.rate.toString()),
    staked_lamports: new BN(report.stakedLamports.toString()),
    bunker: report.bunker,
  });
}

/** The hash a member votes for with `submit_report_hash`: sha256 of the report's bytes. */
export function submitReportHash(report: AccountingReport): Uint8Array {
  return sha256(encodeAccountingReport(report));
}
