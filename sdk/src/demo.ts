// The demo world `lantern-localnet --bootstrap-demo <dir>` writes (programs/localnet/src/demo.rs), and
// keypair files in the Solana CLI format (a JSON array of the 64 secret-key bytes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";

export interface KeypairFile {
  pubkey: string;
  keypair: string;
}

export interface DemoWallet extends KeypairFile {
  wsol: string;
  lrt: string;
}

/** `<dir>/demo.json`: `DemoManifest` in programs/localnet/src/demo.rs, field for field. */
export interface DemoManifest {
  programs: { oracle: string; restaking: string; margin: string };
  lrtMint: string;
  committee: string;
  feed: string;
  stakePool: string;
  reserveVault: string;
  escrowVault: string;
  lendingPool: string;
  lendingVault: string;
  market: string;
  insuranceVault: string;
  admin: KeypairFile;
  guardian: KeypairFile;
  stakeManager: KeypairFile;
  members: { authority: KeypairFile; signer: KeypairFile }[];
  wallets: { trader: DemoWallet; lender: DemoWallet; liquidator: DemoWallet };
  traderSubAccount: { address: string; collateralVault: string; index: number };
}

export function readDemoManifest(dir: string): DemoManifest {
  return JSON.parse(readFileSync(join(dir, "demo.json"), "utf8")) as DemoManifest;
}

/** A keypair file as the Solana CLI writes it. */
export function readKeypairFile(path: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
}
