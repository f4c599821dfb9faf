import { Buffer } from "buffer";
import { PublicKey } from "@solana/web3.js";
import idl from "../../idl/oracle.json" with { type: "json" };

export const ORACLE_PROGRAM_ID = new PublicKey(idl.address);

/** PDA seeds, as in programs/oracle/src/seeds.rs. */
const COMMITTEE_SEED = Buffer.from("committee");
const FEED_SEED = Buffer.from("feed");

/** The committee that prices `lrtMint`. */
export function committeeAddress(lrtMint: PublicKey, programId = ORACLE_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([COMMITTEE_SEED, lrtMint.toBuffer()], programId)[0];
}

/** The feed consumers read for `lrtMint`. */
export function feedAddress(lrtMint: PublicKey, programId = ORACLE_PROGRAM_ID): PublicKey {
  return PublicKey.findProgramAddressSync([FEED_SEED, lrtMint.toBuffer()], programId)[0];
}
