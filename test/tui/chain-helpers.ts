// Helpers for the TUI's end-to-end test: a market price round by the demo committee (so that risk may
// increase under the MinOfBoth policy), signed with the members' keys from the demo manifest.
import { LanternClient, LanternProgramError, oracleInstructions, WAD } from "@lantern/sdk";
import { readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { Connection, PublicKey } from "@solana/web3.js";

/** A quorum (five) of the demo members observe `price` (default 1.0 SOL per LRT) at the chain's time. */
export async function demoPriceRound(rpcUrl: string, demoDir: string, price = WAD): Promise<void> {
  const demo = readDemoManifest(demoDir);
  const client = new LanternClient(new Connection(rpcUrl, "confirmed"));
  const admin = readKeypairFile(demo.admin.keypair);
  const lrtMint = new PublicKey(demo.lrtMint);
  // Five members (the quorum) fit in one transaction.
  const signers = demo.members.slice(0, 5).map((m) => readKeypairFile(m.signer.keypair));
  // An observation must be newer than the member's last one (the demo world's are from its start).
  for (let attempt = 0; ; attempt++) {
    const now = (await client.clock()).unixTimestamp;
    const ixs = await Promise.all(
      signers.map((s) => oracleInstructions.submitPrice({ signer: s.publicKey, lrtMint, price, observedTs: now })),
    );
    try {
      await client.send(ixs, [admin, ...signers], { feePayer: admin.publicKey });
      return;
    } catch (error) {
      if (!(error instanceof LanternProgramError && error.name === "PriceNotNewer") || attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
