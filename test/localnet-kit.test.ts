// The local chain through @solana/kit, the newer client line: its RPC and subscription clients, its
// airdrop and send-and-confirm helpers (signature notifications raced against block-height expiry).
import { describe, expect, inject, it } from "vitest";
import {
  address,
  airdropFactory,
  appendTransactionMessageInstruction,
  assertIsTransactionWithBlockhashLifetime,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  generateKeyPairSigner,
  getSignatureFromTransaction,
  lamports,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const clients = () => ({
  rpc: createSolanaRpc(inject("rpcUrl")),
  rpcSubscriptions: createSolanaRpcSubscriptions(inject("wsUrl")),
});

describe("@solana/kit against the local chain", () => {
  it("reads chain state, accounts and program accounts", async () => {
    const { rpc } = clients();
    const demo = JSON.parse(readFileSync(join(inject("demoDir"), "demo.json"), "utf8"));
    const slot = await rpc.getSlot().send();
    expect(slot).toBeGreaterThan(0n);
    const epoch = await rpc.getEpochInfo().send();
    expect(epoch.absoluteSlot).toBeGreaterThanOrEqual(slot);
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    expect((await rpc.isBlockhashValid(blockhash.blockhash).send()).value).toBe(true);
    const market = await rpc.getAccountInfo(address(demo.market), { encoding: "base64" }).send();
    expect(market.value?.owner).toBe(demo.programs.margin);
    expect(market.value?.data[1]).toBe("base64");
    const owned = await rpc
      .getProgramAccounts(market.value!.owner, {
        encoding: "base64",
        filters: [{ dataSize: BigInt(Buffer.from(market.value!.data[0], "base64").length) }],
      })
      .send();
    expect(owned.map((a) => a.pubkey)).toContain(demo.market);
  });

  it("airdrops, then sends a transfer and confirms it through signature notifications", async () => {
    const { rpc, rpcSubscriptions } = clients();
    const [from, to] = [await generateKeyPairSigner(), await generateKeyPairSigner()];
    await airdropFactory({ rpc, rpcSubscriptions })({
      recipientAddress: from.address,
      lamports: lamports(2_000_000_000n),
      commitment: "confirmed",
    });
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(from, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) =>
        appendTransactionMessageInstruction(
          getTransferSolInstruction({ source: from, destination: to.address, amount: 1_234_567n }),
          m,
        ),
    );
    const signed = await signTransactionMessageWithSigners(message);
    assertIsTransactionWithBlockhashLifetime(signed);
    await sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions })(signed, { commitment: "confirmed" });
    expect((await rpc.getBalance(to.address).send()).value).toBe(1_234_567n);
    const landed = await rpc
      .getTransaction(getSignatureFromTransaction(signed), { maxSupportedTransactionVersion: 0, encoding: "json" })
      .send();
    expect(landed?.meta?.err).toBeNull();
    expect(landed?.version).toBe(0);
  });
});
