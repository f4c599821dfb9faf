// A blockhash lives 150 slots on a validator whatever the load; the keeper's rebroadcast logic relies on
// it, and on `lastValidBlockHeight` and `isBlockhashValid` telling the truth about what
// `sendTransaction` will accept. Its own chain: warping 150 slots would expire other files' blockhashes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BlockhashWithExpiryBlockHeight,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  SystemProgram,
  Transaction,
} from "@solana/web3.js";
import { type LocalChain, startLocalChain } from "./setup/chain.js";

let chain: LocalChain;
beforeAll(async () => {
  chain = await startLocalChain();
});
afterAll(() => chain?.stop());

const connection = () => new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });

const rpc = async (method: string, params: unknown[] = []) => {
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return response.json() as Promise<{ result?: unknown; error?: { code: number; message: string } }>;
};

/** A new keypair holding `sol` SOL, airdropped and confirmed. */
async function funded(c: Connection, sol: number) {
  const payer = Keypair.generate();
  const airdrop = await c.requestAirdrop(payer.publicKey, sol * LAMPORTS_PER_SOL);
  await c.confirmTransaction({ signature: airdrop, ...(await c.getLatestBlockhash()) });
  return payer;
}

const transfer = (from: Keypair, lamports: number, blockhash: string) => {
  const tx = new Transaction({ feePayer: from.publicKey, recentBlockhash: blockhash }).add(
    SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: Keypair.generate().publicKey, lamports }),
  );
  tx.sign(from);
  return tx.serialize();
};

describe("blockhash lifetime", () => {
  it("honours a blockhash for 150 blocks through 2,000 other transactions, and refuses it after", async () => {
    const c = connection();
    const payer = await funded(c, 100);
    const old: BlockhashWithExpiryBlockHeight = await c.getLatestBlockhash();

    // 2,000 distinct transfers (each amount once), pipelined 50 at a time with fresh blockhashes.
    const total = 2_000;
    for (let start = 0; start < total; start += 50) {
      const { blockhash } = await c.getLatestBlockhash();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          c.sendRawTransaction(transfer(payer, 1_000_000 + start + i, blockhash), { skipPreflight: true }),
        ),
      );
    }
    const height = await c.getBlockHeight();
    // The 2,000 took far fewer than 150 slots; were the machine that slow, the next check would be void.
    expect(height).toBeLessThan(old.lastValidBlockHeight);
    expect((await c.isBlockhashValid(old.blockhash)).value).toBe(true);
    const accepted = await c.sendRawTransaction(transfer(payer, 900_001, old.blockhash));
    expect((await c.confirmTransaction({ signature: accepted, ...old })).value.err).toBeNull();

    // One block before its last valid block height it is still accepted (slots keep ticking in real
    // time meanwhile, so the test stays a block clear of the edge); past it, it is refused. Near the
    // edge the send skips preflight: as on a validator, simulation keeps 6 blocks for forwarding
    // (MAX_TRANSACTION_FORWARDING_DELAY) and refuses a blockhash older than 144 blocks.
    const toEdge = old.lastValidBlockHeight - 1 - (await c.getBlockHeight());
    if (toEdge > 0) expect((await rpc("lantern_warpSlots", [toEdge])).error).toBeUndefined();
    expect((await c.isBlockhashValid(old.blockhash)).value).toBe(true);
    const atEdge = await c.sendRawTransaction(transfer(payer, 900_002, old.blockhash), { skipPreflight: true });
    expect((await c.getSignatureStatus(atEdge)).value?.err).toBeNull();
    await rpc("lantern_warpSlots", [2]);
    expect(await c.getBlockHeight()).toBeGreaterThan(old.lastValidBlockHeight);
    expect((await c.isBlockhashValid(old.blockhash)).value).toBe(false);
    await expect(c.sendRawTransaction(transfer(payer, 900_003, old.blockhash))).rejects.toThrow(/Blockhash not found/);
    await expect(
      c.sendRawTransaction(transfer(payer, 900_004, old.blockhash), { skipPreflight: true }),
    ).rejects.toThrow(/Blockhash not found/);
  }, 120_000);

  it("never lands a transaction twice, before or after the runtime forgets it (every 30 slots, once its blockhash is past 150)", async () => {
    const c = connection();
    const payer = await funded(c, 10);
    const sent: BlockhashWithExpiryBlockHeight = await c.getLatestBlockhash();
    const bytes = transfer(payer, 1_000_000, sent.blockhash);
    const signature = await c.sendRawTransaction(bytes);
    expect((await c.confirmTransaction({ signature, ...sent })).value.err).toBeNull();
    const paid = await c.getBalance(payer.publicKey);
    const landedIn = (await c.getSignatureStatus(signature)).value?.slot;

    // Through prunings while its blockhash lives (the runtime must keep its record), then past them
    // once it expired (the record is gone; the age check must refuse it).
    for (const slots of [60, 100]) {
      expect((await rpc("lantern_warpSlots", [slots])).error).toBeUndefined();
      await c.sendRawTransaction(bytes, { skipPreflight: true }).catch((e: Error) => e);
      expect(await c.getBalance(payer.publicKey)).toBe(paid);
      expect((await c.getSignatureStatus(signature)).value?.slot).toBe(landedIn);
    }
    expect((await c.isBlockhashValid(sent.blockhash)).value).toBe(false);
    await expect(c.sendRawTransaction(bytes, { skipPreflight: true })).rejects.toThrow(/Blockhash not found/);
  });

  it("warps only by a positive, bounded number of slots", async () => {
    expect((await rpc("lantern_warpSlots", [0])).error?.message).toMatch(/warp by 1 to 9000 slots/);
    expect((await rpc("lantern_warpSlots", [9_001])).error?.code).toBe(-32602);
    const before = await connection().getSlot();
    const warped = (await rpc("lantern_warpSlots", [3])).result as { slot: number };
    expect(warped.slot).toBeGreaterThanOrEqual(before + 3);
  });
});
