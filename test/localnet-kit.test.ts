// The local chain through @solana/kit, the newer client line: its RPC and subscription clients, its
// airdrop and send-and-confirm helpers (signature notifications raced against block-height expiry), and
// block notifications.
import { describe, expect, inject, it } from "vitest";
import {
  type Address,
  address,
  airdropFactory,
  appendTransactionMessageInstruction,
  assertIsTransactionWithBlockhashLifetime,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createSolanaRpcSubscriptions_UNSTABLE,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
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

/** A v0 SOL transfer from `from`, signed, with the chain's latest blockhash as its lifetime. */
async function signedTransfer(
  rpc: ReturnType<typeof clients>["rpc"],
  from: Awaited<ReturnType<typeof generateKeyPairSigner>>,
  to: Address,
  amount: bigint,
) {
  const { value: blockhash } = await rpc.getLatestBlockhash().send();
  return signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(from, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) =>
        appendTransactionMessageInstruction(getTransferSolInstruction({ source: from, destination: to, amount }), m),
    ),
  );
}

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
    const signed = await signedTransfer(rpc, from, to.address, 1_234_567n);
    assertIsTransactionWithBlockhashLifetime(signed);
    await sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions })(signed, { commitment: "confirmed" });
    expect((await rpc.getBalance(to.address).send()).value).toBe(1_234_567n);
    const landed = await rpc
      .getTransaction(getSignatureFromTransaction(signed), { maxSupportedTransactionVersion: 0, encoding: "json" })
      .send();
    expect(landed?.meta?.err).toBeNull();
    expect(landed?.version).toBe(0);
  });

  it("notifies each finished block, all or only the transactions naming an address, parsed", async () => {
    const { rpc } = clients();
    const rpcSubscriptions = createSolanaRpcSubscriptions_UNSTABLE(inject("wsUrl"));
    const [from, to] = [await generateKeyPairSigner(), await generateKeyPairSigner()];
    const abort = new AbortController();
    const mentioning = await rpcSubscriptions
      .blockNotifications(
        { mentionsAccountOrProgram: to.address },
        { encoding: "jsonParsed", maxSupportedTransactionVersion: 0, transactionDetails: "full" },
      )
      .subscribe({ abortSignal: abort.signal });
    const all = await rpcSubscriptions
      .blockNotifications("all", { transactionDetails: "signatures", maxSupportedTransactionVersion: 0 })
      .subscribe({ abortSignal: abort.signal });
    // Kit drops what arrives while nobody iterates: "all" is read from the start, as it comes.
    const seen: string[] = [];
    const slots: bigint[] = [];
    const reading = (async () => {
      for await (const { value } of all) {
        slots.push(value.slot);
        seen.push(...(value.block?.signatures ?? []));
      }
    })().catch(() => undefined);
    await airdropFactory({ rpc, rpcSubscriptions: clients().rpcSubscriptions })({
      recipientAddress: from.address,
      lamports: lamports(1_000_000_000n),
      commitment: "confirmed",
    });
    const airdropped = await rpc.getSignaturesForAddress(from.address).send();
    const signed = await signedTransfer(rpc, from, to.address, 7_654_321n);
    const sent = getSignatureFromTransaction(signed);
    await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();

    // Only the block with the transfer comes through the `mentions` filter, with nothing else in it.
    const { value: mentioned } = (await mentioning[Symbol.asyncIterator]().next()).value!;
    // Kit types the block per `transactionDetails`; the `full` jsonParsed shape is read here.
    type ParsedTransaction = { transaction: { signatures: string[]; message: { instructions: unknown[] } } };
    const transactions = (mentioned.block?.transactions ?? []) as readonly ParsedTransaction[];
    expect(transactions.map((t) => t.transaction.signatures[0])).toEqual([sent]);
    expect(transactions[0]?.transaction.message.instructions[0]).toMatchObject({
      program: "system",
      parsed: { type: "transfer", info: { destination: to.address, lamports: 7_654_321n } },
    });
    expect(mentioned.block?.blockHeight).toBeGreaterThan(0n);
    // "all" sees every block in order, the airdrop's and the transfer's among them.
    while (!seen.includes(sent)) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await reading;
    expect(slots.slice(1)).toEqual(slots.slice(0, -1).map((s) => s + 1n));
    expect(seen).toContain(airdropped[0]?.signature);
  });
});
