// The local chain runs for a working day under `npm start`: its memory must stay bounded idle and
// under load, and it keeps only its configured history of transactions. (The 30-minute soak is
// `npm run bench:localnet -- --soak`; this is its short slice.)
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction } from "@solana/web3.js";
import { type LocalChain, startLocalChain } from "@lantern/devtools";

const HISTORY = 1_000;
let chain: LocalChain;
beforeAll(async () => {
  chain = await startLocalChain({ stderr: "ignore", history: HISTORY });
});
afterAll(() => chain?.stop());

const residentMiB = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${chain.child.pid}/status`, "utf8"))?.[1]) / 1024;

describe("local chain memory", () => {
  it("stays bounded through 5,000 transactions and then idle, keeping the last --history transactions", async () => {
    const c = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
    const payer = Keypair.generate();
    const airdrop = await c.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL);
    await c.confirmTransaction({ signature: airdrop, ...(await c.getLatestBlockhash()) });
    const to = Keypair.generate().publicKey;
    const before = residentMiB();
    const signatures: string[] = [];
    for (let done = 0; done < 5_000; done += 100) {
      const { blockhash } = await c.getLatestBlockhash();
      const batch = Array.from({ length: 100 }, (_, i) => {
        const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
          SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 + done + i }),
        );
        tx.sign(payer);
        return c.sendRawTransaction(tx.serialize(), { skipPreflight: true });
      });
      signatures.push(...(await Promise.all(batch)));
    }
    const loaded = residentMiB();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idle = residentMiB();
    // Measured: ~35 MiB at start, +~1 KiB per transaction inside the runtime, flat when idle (a new
    // bank per slot used to add ~23 MiB a minute).
    expect(loaded - before).toBeLessThan(64);
    expect(idle - loaded).toBeLessThan(2);

    expect(await c.getTransaction(signatures[0]!, { maxSupportedTransactionVersion: 0 })).toBeNull();
    expect(await c.getTransaction(signatures.at(-1)!, { maxSupportedTransactionVersion: 0 })).not.toBeNull();
    const history = await c.getSignaturesForAddress(to, { limit: 1_000 });
    expect(history.length).toBe(HISTORY);
    // Newest first; a batch is sent concurrently, so its own order on chain is the chain's.
    expect(signatures.slice(-100)).toContain(history[0]!.signature);
  }, 120_000);
});
