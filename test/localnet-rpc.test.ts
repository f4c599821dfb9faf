// The local chain speaks the standard RPC: web3.js's own response validation is the conformance check.
import { describe, expect, inject, it } from "vitest";
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  AddressLookupTableProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  SendTransactionError,
  SystemProgram,
  type ParsedAccountData,
  type ParsedInnerInstruction,
  type ParsedInstruction,
  type SlotUpdate,
  type TokenBalance,
  Transaction,
  TransactionMessage,
  VersionedTransaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import { AnchorError, EventParser, utils } from "@coral-xyz/anchor";
import {
  TOKEN_PROGRAM_ID,
  approve,
  createMint,
  getMint,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  transfer,
} from "@solana/spl-token";
import { marginInstructions, offlinePrograms } from "@lantern/sdk";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rawSubscriptions } from "./setup/subscriptions.js";

const connection = () => new Connection(inject("rpcUrl"), { commitment: "confirmed", wsEndpoint: inject("wsUrl") });
const demo = () => JSON.parse(readFileSync(join(inject("demoDir"), "demo.json"), "utf8"));

async function funded(c: Connection, lamports = 2 * LAMPORTS_PER_SOL) {
  const key = Keypair.generate();
  const signature = await c.requestAirdrop(key.publicKey, lamports);
  await c.confirmTransaction({ signature, ...(await c.getLatestBlockhash()) });
  return key;
}

const rpc = async (method: string, params: unknown[] = []) => {
  const response = await fetch(inject("rpcUrl"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return response.json() as Promise<{ result?: unknown; error?: { code: number; message: string } }>;
};

describe("standard JSON-RPC through web3.js", () => {
  it("answers the chain-state methods", async () => {
    const c = connection();
    expect((await c.getVersion())["solana-core"]).toMatch(/^2\./);
    expect(await c.getSlot()).toBeGreaterThan(0);
    expect(await c.getBlockHeight()).toBeGreaterThan(0);
    const epoch = await c.getEpochInfo();
    expect(epoch.absoluteSlot).toBeGreaterThan(0);
    expect(await c.getGenesisHash()).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    const { blockhash } = await c.getLatestBlockhash();
    expect((await c.isBlockhashValid(blockhash)).value).toBe(true);
    expect(await c.getMinimumBalanceForRentExemption(92)).toBe(1_531_200);
    expect((await c.getRecentPrioritizationFees()).length).toBeGreaterThan(0);
    expect((await rpc("getHealth")).result).toBe("ok");
  });

  it("lands transfers, reports their status and returns them with their fee", async () => {
    const c = connection();
    const from = await funded(c);
    const to = Keypair.generate().publicKey;
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 1_234_567 }),
    );
    const signature = await sendAndConfirmTransaction(c, tx, [from]);
    expect(await c.getBalance(to)).toBe(1_234_567);
    const [status] = (await c.getSignatureStatuses([signature])).value;
    expect(status?.err).toBeNull();
    const landed = await c.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(landed?.meta?.fee).toBe(5_000);
    expect(landed?.meta?.postBalances[1]).toBe(1_234_567);
    const fee = await c.getFeeForMessage(tx.compileMessage());
    expect(fee.value).toBe(5_000);
  });

  it("prices priority fees as the runtime does, and reports recent ones per write-locked account", async () => {
    const c = connection();
    const from = await funded(c);
    const contended = Keypair.generate().publicKey;
    // 200,000 units at 10,000 micro-lamports each: 2,000 lamports on top of the signature's 5,000.
    const instructions = [
      ComputeBudgetProgram.setComputeUnitLimit({ units: 200_000 }),
      ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 10_000 }),
      SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: contended, lamports: 1_000_000 }),
    ];
    const { blockhash, lastValidBlockHeight } = await c.getLatestBlockhash();
    const message = new TransactionMessage({ payerKey: from.publicKey, recentBlockhash: blockhash, instructions });
    const v0 = new VersionedTransaction(message.compileToV0Message());
    v0.sign([from]);
    expect((await c.getFeeForMessage(v0.message)).value).toBe(7_000);
    const signature = await c.sendTransaction(v0);
    await c.confirmTransaction({ signature, blockhash, lastValidBlockHeight });
    const landed = await c.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(landed?.meta?.fee).toBe(7_000);
    expect(landed!.meta!.preBalances[0]! - landed!.meta!.postBalances[0]!).toBe(1_007_000);

    // Bidding for `contended` in that slot meant paying at least 10,000; the block's floor may be lower.
    const forContended = await c.getRecentPrioritizationFees({ lockedWritableAccounts: [contended] });
    expect(forContended.find((f) => f.slot === landed!.slot)?.prioritizationFee).toBe(10_000);
    const anywhere = await c.getRecentPrioritizationFees();
    expect(anywhere.find((f) => f.slot === landed!.slot)?.prioritizationFee).toBeLessThanOrEqual(10_000);
    expect(anywhere.length).toBeLessThanOrEqual(150);
    expect(anywhere.map((f) => f.slot)).toEqual([...anywhere.map((f) => f.slot)].sort((x, y) => x - y));
    // An expired blockhash prices nothing, as on a validator.
    const stale = new TransactionMessage({
      payerKey: from.publicKey,
      recentBlockhash: Keypair.generate().publicKey.toBase58(),
      instructions,
    }).compileToLegacyMessage();
    expect((await c.getFeeForMessage(stale)).value).toBeNull();
  });

  it("carries Anchor events in the transaction's logs, where Anchor's EventParser reads them", async () => {
    const c = connection();
    const payer = await funded(c);
    const tx = new Transaction().add(await marginInstructions.accrueInterest());
    const signature = await sendAndConfirmTransaction(c, tx, [payer]);
    const landed = await c.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    const logs = landed?.meta?.logMessages ?? [];
    const margin = offlinePrograms().margin;
    expect(logs[0]).toBe(`Program ${margin.programId.toBase58()} invoke [1]`);
    expect(logs).toContain("Program log: Instruction: AccrueInterest");
    expect(logs.some((line) => line.startsWith("Program data: "))).toBe(true);
    const events = [...new EventParser(margin.programId, margin.coder).parseLogs(logs)];
    expect(events.map((e) => e.name)).toEqual(["interestAccrued"]);
    expect(events[0]?.data.pool.toBase58()).toBe(demo().lendingPool);
    // The same lines come back from a simulation.
    const simulated = await c.simulateTransaction(new Transaction().add(await marginInstructions.accrueInterest()), [
      payer,
    ]);
    expect(simulated.value.logs?.some((line) => line.startsWith("Program data: "))).toBe(true);
  });

  it("lists an address's transactions newest first, with before, until and limit", async () => {
    const c = connection();
    const from = await funded(c);
    const to = Keypair.generate().publicKey;
    const sent: string[] = [];
    for (const lamports of [1_000_001, 1_000_002, 1_000_003]) {
      const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
      sent.push(await sendAndConfirmTransaction(c, tx, [from]));
    }
    const all = await c.getSignaturesForAddress(to);
    expect(all.map((s) => s.signature)).toEqual([...sent].reverse());
    expect(all.every((s) => s.err === null && s.confirmationStatus === "finalized" && s.blockTime)).toBe(true);
    // The payer's list also holds its airdrop, which the receiver's does not.
    expect((await c.getSignaturesForAddress(from.publicKey)).length).toBe(4);
    expect((await c.getSignaturesForAddress(to, { limit: 1 })).map((s) => s.signature)).toEqual([sent[2]]);
    expect((await c.getSignaturesForAddress(to, { before: sent[2] })).map((s) => s.signature)).toEqual([
      sent[1],
      sent[0],
    ]);
    expect((await c.getSignaturesForAddress(to, { until: sent[0] })).map((s) => s.signature)).toEqual([
      sent[2],
      sent[1],
    ]);
    expect((await rpc("getSignaturesForAddress", [to.toBase58(), { limit: 1001 }])).error?.code).toBe(-32602);
  });

  it("serves the token methods @solana/spl-token and wallets use, parsed or raw", async () => {
    const c = connection();
    const payer = await funded(c);
    const holder = Keypair.generate();
    const mint = await createMint(c, payer, payer.publicKey, null, 6);
    const big = await getOrCreateAssociatedTokenAccount(c, payer, mint, holder.publicKey);
    const small = await getOrCreateAssociatedTokenAccount(c, payer, mint, payer.publicKey);
    await mintTo(c, payer, mint, big.address, payer, 2_500_000);
    await mintTo(c, payer, mint, small.address, payer, 1_000);
    expect((await getMint(c, mint)).supply).toBe(2_501_000n);
    const supply = await c.getTokenSupply(mint);
    expect(supply.value).toMatchObject({ amount: "2501000", decimals: 6, uiAmountString: "2.501" });
    const largest = await c.getTokenLargestAccounts(mint);
    expect(largest.value.map((a) => [a.address.toBase58(), a.amount])).toEqual([
      [big.address.toBase58(), "2500000"],
      [small.address.toBase58(), "1000"],
    ]);
    const raw = await c.getTokenAccountsByOwner(holder.publicKey, { mint });
    expect(raw.value.map((a) => a.pubkey.toBase58())).toEqual([big.address.toBase58()]);
    const parsed = await c.getParsedTokenAccountsByOwner(holder.publicKey, { programId: TOKEN_PROGRAM_ID });
    expect(parsed.value[0]?.account.data.parsed.info.tokenAmount.uiAmountString).toBe("2.5");
    expect(parsed.value[0]?.account.data.parsed.info.mint).toBe(mint.toBase58());

    // A transfer's metadata carries both token accounts' balances before and after, by account index.
    const sent = await transfer(c, payer, small.address, big.address, payer, 400);
    const landed = await c.getTransaction(sent, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const keys = landed?.transaction.message.staticAccountKeys.map((k) => k.toBase58()) ?? [];
    const balance = (list: TokenBalance[] | null | undefined, account: PublicKey) =>
      list?.find((b) => keys[b.accountIndex] === account.toBase58());
    expect(balance(landed?.meta?.preTokenBalances, small.address)).toMatchObject({
      mint: mint.toBase58(),
      owner: payer.publicKey.toBase58(),
      uiTokenAmount: { amount: "1000", decimals: 6 },
    });
    expect(balance(landed?.meta?.postTokenBalances, small.address)?.uiTokenAmount.amount).toBe("600");
    expect(balance(landed?.meta?.postTokenBalances, big.address)?.uiTokenAmount.uiAmountString).toBe("2.5004");
    // The `jsonParsed` transaction, by Solana's own instruction parsers.
    const parsedTransfer = await c.getParsedTransaction(sent, { maxSupportedTransactionVersion: 0 });
    expect(parsedTransfer?.transaction.message.instructions[0]).toMatchObject({
      program: "spl-token",
      parsed: { type: "transfer", info: { amount: "400", source: small.address.toBase58() } },
    });
    expect(parsedTransfer?.meta?.postTokenBalances).toEqual(landed?.meta?.postTokenBalances);
    const encoded = (await rpc("getTransaction", [sent, { encoding: "base58" }])).result as {
      transaction: [string, string];
    };
    expect(encoded.transaction[1]).toBe("base58");

    // `jsonParsed` accounts, by Solana's own account decoder: token accounts and mints parse, others
    // stay base64 (web3.js hands those back as a Buffer).
    const parsedHolder = (await c.getParsedAccountInfo(big.address)).value?.data as ParsedAccountData;
    expect(parsedHolder.parsed).toMatchObject({
      type: "account",
      info: { mint: mint.toBase58(), owner: holder.publicKey.toBase58(), tokenAmount: { amount: "2500400" } },
    });
    const parsedMint = (await c.getParsedAccountInfo(mint)).value?.data as ParsedAccountData;
    expect(parsedMint.parsed).toMatchObject({ type: "mint", info: { decimals: 6, supply: "2501000" } });
    expect(Buffer.isBuffer((await c.getParsedAccountInfo(payer.publicKey)).value?.data)).toBe(true);
    const parsedProgram = await c.getParsedProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ memcmp: { offset: 0, bytes: mint.toBase58() } }],
    });
    expect(
      parsedProgram.map((a) => (a.account.data as ParsedAccountData).parsed.info.tokenAmount.amount).sort(),
    ).toEqual(["2500400", "600"]);

    // A delegate finds the accounts it may spend from.
    const delegate = Keypair.generate().publicKey;
    await approve(c, payer, small.address, delegate, payer, 100);
    const delegated = (await rpc("getTokenAccountsByDelegate", [delegate.toBase58(), { mint: mint.toBase58() }]))
      .result as { value: { pubkey: string }[] };
    expect(delegated.value.map((a) => a.pubkey)).toEqual([small.address.toBase58()]);

    // The block that holds it lists it, with the slot's blockhash chained to its parent's.
    const block = await c.getBlock(landed!.slot, { maxSupportedTransactionVersion: 0 });
    expect(block?.transactions.map((t) => t.transaction.signatures[0])).toContain(sent);
    const parent = await c.getBlock(landed!.slot - 1, {
      maxSupportedTransactionVersion: 0,
      transactionDetails: "none",
    });
    expect(block?.previousBlockhash).toBe(parent?.blockhash);
    expect(block?.parentSlot).toBe(landed!.slot - 1);
    // web3.js 1.98 has no typed "signatures" mode: asked directly.
    const signaturesOnly = (
      await rpc("getBlock", [landed!.slot, { maxSupportedTransactionVersion: 0, transactionDetails: "signatures" }])
    ).result as { signatures: string[] };
    expect(signaturesOnly.signatures).toContain(sent);
    const accountsOnly = await c.getParsedBlock(landed!.slot, {
      maxSupportedTransactionVersion: 0,
      transactionDetails: "accounts",
    });
    const listed = accountsOnly.transactions.find((t) => t.transaction.signatures[0] === sent);
    expect(listed?.transaction.accountKeys.find((k) => k.signer)?.pubkey.toBase58()).toBe(payer.publicKey.toBase58());
  });

  it("creates and extends an address lookup table, and lands a v0 transaction that loads from it", async () => {
    const c = connection();
    const payer = await funded(c);
    const recipients = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const [create, table] = AddressLookupTableProgram.createLookupTable({
      authority: payer.publicKey,
      payer: payer.publicKey,
      recentSlot: await c.getSlot(),
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
      authority: payer.publicKey,
      payer: payer.publicKey,
      lookupTable: table,
      addresses: recipients,
    });
    // Creating a table calls the system program: the simulation and the landed transaction both carry
    // those inner instructions (the simulation's with accounts named, as a validator writes them).
    const toSimulate = new VersionedTransaction(
      new TransactionMessage({
        payerKey: payer.publicKey,
        recentBlockhash: (await c.getLatestBlockhash()).blockhash,
        instructions: [create, extend],
      }).compileToLegacyMessage(),
    );
    toSimulate.sign([payer]);
    const simulated = await c.simulateTransaction(toSimulate, { innerInstructions: true });
    expect(simulated.value.err).toBeNull();
    const simulatedInner = (simulated.value as { innerInstructions?: ParsedInnerInstruction[] }).innerInstructions;
    expect(simulatedInner?.[0]?.index).toBe(0);
    // Parsed, as a validator writes a simulation's inner instructions.
    const systemCalls = (simulatedInner?.[0]?.instructions ?? []) as ParsedInstruction[];
    expect(systemCalls.map((i) => i.programId.toBase58())).toContain(SystemProgram.programId.toBase58());
    expect(systemCalls.every((i) => i.program === "system" && typeof i.parsed?.type === "string")).toBe(true);
    const created = await sendAndConfirmTransaction(c, new Transaction().add(create, extend), [payer]);
    const createdTx = await c.getTransaction(created, { maxSupportedTransactionVersion: 0 });
    const keys = createdTx!.transaction.message.staticAccountKeys.map((k) => k.toBase58());
    const landedInner = createdTx?.meta?.innerInstructions?.[0]?.instructions ?? [];
    expect(landedInner.map((i) => keys[i.programIdIndex])).toContain(SystemProgram.programId.toBase58());
    expect(landedInner.length).toBe(simulatedInner?.[0]?.instructions.length);
    // As on a validator, addresses added in a slot can be loaded from the next slot on.
    const createdSlot = createdTx!.slot;
    while ((await c.getSlot()) <= createdSlot) await new Promise((r) => setTimeout(r, 100));
    const lookupTable = (await c.getAddressLookupTable(table)).value!;
    expect(lookupTable.state.addresses.map((a) => a.toBase58())).toEqual(recipients.map((a) => a.toBase58()));

    const { blockhash, lastValidBlockHeight } = await c.getLatestBlockhash();
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: recipients.map((to, i) =>
        SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 + i }),
      ),
    }).compileToV0Message([lookupTable]);
    expect(message.addressTableLookups.length).toBe(1);
    const tx = new VersionedTransaction(message);
    tx.sign([payer]);
    const signature = await c.sendTransaction(tx);
    expect((await c.confirmTransaction({ signature, blockhash, lastValidBlockHeight })).value.err).toBeNull();
    expect(await c.getBalance(recipients[1]!)).toBe(1_000_001);
    const landed = await c.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(landed?.meta?.loadedAddresses?.writable.map((a) => a.toBase58())).toEqual(
      recipients.map((a) => a.toBase58()),
    );
    expect(landed?.meta?.postBalances.length).toBe(landed!.transaction.message.staticAccountKeys.length + 2);
    expect((await c.getSignaturesForAddress(recipients[0]!))[0]?.signature).toBe(signature);
    // Parsed, a loaded address is named with where it came from.
    const parsed = await c.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    const loadedKey = parsed?.transaction.message.accountKeys.find((k) => k.pubkey.equals(recipients[0]!));
    expect(loadedKey).toMatchObject({ source: "lookupTable", writable: true, signer: false });
    expect(parsed?.transaction.message.instructions[1]).toMatchObject({
      program: "system",
      parsed: { type: "transfer", info: { destination: recipients[1]!.toBase58(), lamports: 1_000_001 } },
    });

    // As on a validator, an address added in a slot is not loadable until the next slot: a transaction
    // that loads it in the extension's own slot is refused (tried until both fall in one slot).
    let refusedInSameSlot: unknown;
    let added: PublicKey | undefined;
    for (let attempt = 0; attempt < 10 && refusedInSameSlot === undefined; attempt++) {
      added = Keypair.generate().publicKey;
      const extended = await sendAndConfirmTransaction(
        c,
        new Transaction().add(
          AddressLookupTableProgram.extendLookupTable({
            authority: payer.publicKey,
            payer: payer.publicKey,
            lookupTable: table,
            addresses: [added],
          }),
        ),
        [payer],
      );
      const extendedSlot = (await c.getTransaction(extended, { maxSupportedTransactionVersion: 0 }))!.slot;
      const withAdded = new AddressLookupTableAccount({
        key: table,
        state: { ...lookupTable.state, addresses: [...lookupTable.state.addresses, added] },
      });
      const using = new VersionedTransaction(
        new TransactionMessage({
          payerKey: payer.publicKey,
          recentBlockhash: (await c.getLatestBlockhash()).blockhash,
          instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: added, lamports: 1_000_000 })],
        }).compileToV0Message([withAdded]),
      );
      using.sign([payer]);
      const result = await c.simulateTransaction(using);
      if ((await c.getSlot()) === extendedSlot) refusedInSameSlot = result.value.err;
      lookupTable.state.addresses.push(added);
    }
    expect(refusedInSameSlot).toBe("InvalidAddressLookupTableIndex");
    const nextSlot = await c.getSlot();
    while ((await c.getSlot()) === nextSlot) await new Promise((r) => setTimeout(r, 100));
    const later = new VersionedTransaction(
      new TransactionMessage({
        payerKey: payer.publicKey,
        recentBlockhash: (await c.getLatestBlockhash()).blockhash,
        instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: added!, lamports: 1_000_000 })],
      }).compileToV0Message([(await c.getAddressLookupTable(table)).value!]),
    );
    later.sign([payer]);
    expect((await c.simulateTransaction(later)).value.err).toBeNull();
  });

  it("describes itself as a single-node cluster", async () => {
    const c = connection();
    const identity = (await rpc("getIdentity")).result as { identity: string };
    expect((await c.getClusterNodes()).map((n) => n.pubkey)).toEqual([identity.identity]);
    expect(await c.getSlotLeader()).toBe(identity.identity);
    expect(await c.getVoteAccounts()).toEqual({ current: [], delinquent: [] });
    expect((await c.getEpochSchedule()).slotsPerEpoch).toBeGreaterThan(0);
    expect(await c.getFirstAvailableBlock()).toBe(0);
    expect(await c.getMinimumLedgerSlot()).toBe(0);
    expect((await c.getInflationGovernor()).initial).toBeGreaterThan(0);
    expect((await rpc("getHighestSnapshotSlot")).error?.code).toBe(-32008);
    const slot = await c.getSlot();
    expect(await c.getBlocks(slot - 2, slot)).toEqual([slot - 2, slot - 1, slot]);
    // Block times follow the chain's own clock (other tests warp it forward): they never fall, and the
    // newest is not ahead of the Clock sysvar read afterwards.
    const times = await Promise.all([slot - 2, slot - 1, slot].map((at) => c.getBlockTime(at)));
    const clock = await c.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
    const chainNow = Number(clock?.data.readBigInt64LE(32));
    expect(times.every((t) => typeof t === "number" && t > 1_600_000_000)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(times[2]).toBeLessThanOrEqual(chainNow);
    expect((await rpc("getBlockTime", [slot + 1_000])).error?.code).toBe(-32004);
    const production = await c.getBlockProduction();
    expect(production.value.byIdentity[identity.identity]?.[0]).toBeGreaterThan(0);
    expect(await c.getInflationReward([Keypair.generate().publicKey])).toEqual([null]);
    expect((await c.getSupply()).value.total).toBeGreaterThan(0);
    const rate = await c.getInflationRate();
    expect(rate.total).toBeCloseTo(rate.validator + rate.foundation, 12);
    const schedule = await c.getLeaderSchedule();
    expect(Object.keys(schedule)).toEqual([identity.identity]);
    // Every slot of the current epoch (its length: early epochs are short while the schedule warms up).
    const epoch = await c.getEpochInfo();
    expect(schedule[identity.identity]?.length).toBe(epoch.slotsInEpoch);
    expect(await c.getSlotLeaders(slot, 3)).toEqual(Array(3).fill(new PublicKey(identity.identity)));
    expect(Array.isArray(await c.getRecentPerformanceSamples(5))).toBe(true);
    // The stake program's own answer (1 lamport, or 1 SOL once that feature is on).
    expect([1, LAMPORTS_PER_SOL]).toContain((await c.getStakeMinimumDelegation()).value);
    const largest = await c.getLargestAccounts();
    expect(largest.value.length).toBeGreaterThan(0);
    expect(largest.value.map((a) => a.lamports)).toEqual(
      [...largest.value.map((a) => a.lamports)].sort((a, b) => b - a),
    );
  });

  it("carries the programs' own log lines, so Anchor parses a program error from them", async () => {
    const c = connection();
    const payer = await funded(c);
    const world = demo();
    const settle = await marginInstructions.settleBadDebt({
      lrtMint: new PublicKey(world.lrtMint),
      subAccount: new PublicKey(world.traderSubAccount.address),
    });
    const simulation = await c.simulateTransaction(new Transaction().add(settle), [payer]);
    const logs = simulation.value.logs ?? [];
    expect(logs).toContain("Program log: Instruction: SettleBadDebt");
    const error = AnchorError.parse(logs);
    expect(error?.error.errorCode.code).toMatch(/^(CollateralRemains|NoDebt)$/);
    expect(error?.program.toBase58()).toBe(world.programs.margin);
  });

  it("refuses a failing transaction at preflight with the runtime's error and logs, commits nothing, and lands it without preflight, fee paid", async () => {
    const c = connection();
    const from = await funded(c, LAMPORTS_PER_SOL);
    const tx = new Transaction().add(
      SystemProgram.transfer({
        fromPubkey: from.publicKey,
        toPubkey: Keypair.generate().publicKey,
        lamports: 5 * LAMPORTS_PER_SOL,
      }),
    );
    tx.recentBlockhash = (await c.getLatestBlockhash()).blockhash;
    tx.sign(from);
    const bytes = tx.serialize();
    const refused = await c.sendRawTransaction(bytes).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SendTransactionError);
    expect(String(refused)).toMatch(/Simulation failed/);
    expect((await c.simulateTransaction(tx)).value.err).toEqual({ InstructionError: [0, { Custom: 1 }] });
    const logs = await (refused as SendTransactionError).getLogs(c);
    expect(logs).toContain(`Program ${SystemProgram.programId.toBase58()} failed: custom program error: 0x1`);
    const signature = utils.bytes.bs58.encode(tx.signature!);
    expect((await c.getSignatureStatuses([signature])).value[0]).toBeNull();
    expect(await c.getBalance(from.publicKey)).toBe(LAMPORTS_PER_SOL);

    expect(await c.sendRawTransaction(bytes, { skipPreflight: true })).toBe(signature);
    const landed = await c.getTransaction(signature, { commitment: "confirmed" });
    expect(landed?.meta?.err).toEqual({ InstructionError: [0, { Custom: 1 }] });
    expect(await c.getBalance(from.publicKey)).toBe(LAMPORTS_PER_SOL - landed!.meta!.fee);
  });

  it("simulates with the accounts as the transaction would leave them, and changes nothing", async () => {
    const c = connection();
    const from = await funded(c);
    const to = Keypair.generate().publicKey;
    const elsewhere = (await funded(c)).publicKey;
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 1_234_567 }),
    );
    tx.recentBlockhash = (await c.getLatestBlockhash()).blockhash;
    tx.feePayer = from.publicKey;
    const before = await c.getBalance(from.publicKey);
    const simulate = (addresses: string[]) =>
      c.simulateTransaction(new VersionedTransaction(tx.compileMessage()), {
        sigVerify: false,
        accounts: { encoding: "base64", addresses },
      });
    // web3.js validates the response itself; an address the transaction does not load is null.
    const simulated = await simulate([to.toBase58(), from.publicKey.toBase58(), elsewhere.toBase58()]);
    expect(simulated.value.err).toBeNull();
    const [recipient, payer, untouched] = simulated.value.accounts!;
    expect(recipient?.lamports).toBe(1_234_567);
    expect(recipient?.owner).toBe(SystemProgram.programId.toBase58());
    expect(payer?.lamports).toBe(before - 1_234_567 - 5_000);
    expect(untouched).toBeNull();
    // Nothing moved.
    expect(await c.getBalance(from.publicKey)).toBe(before);
    expect(await c.getBalance(to)).toBe(0);
    // As a validator: no base58, no more addresses than the transaction names.
    const raw = (config: object) =>
      rpc("simulateTransaction", [
        tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64"),
        { encoding: "base64", sigVerify: false, ...config },
      ]);
    expect((await raw({ accounts: { encoding: "base58", addresses: [to.toBase58()] } })).error?.message).toMatch(
      /base58 encoding not supported/,
    );
    const four = [to, from.publicKey, elsewhere, Keypair.generate().publicKey].map((k) => k.toBase58());
    expect((await raw({ accounts: { addresses: four } })).error?.message).toMatch(/Too many accounts provided; max 3/);
    // A transaction that fails leaves no accounts to show.
    const failing = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: 100 * LAMPORTS_PER_SOL }),
    );
    failing.recentBlockhash = tx.recentBlockhash;
    failing.feePayer = from.publicKey;
    const failed = await c.simulateTransaction(new VersionedTransaction(failing.compileMessage()), {
      sigVerify: false,
      accounts: { encoding: "base64", addresses: [to.toBase58()] },
    });
    expect(failed.value.err).not.toBeNull();
    expect(failed.value.accounts).toEqual([null]);
  });

  it("checks signatures as a validator does: with sigVerify, and before a preflight", async () => {
    const c = connection();
    const from = await funded(c);
    const { blockhash } = await c.getLatestBlockhash();
    const message = new TransactionMessage({
      payerKey: from.publicKey,
      recentBlockhash: blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: from.publicKey, lamports: 1 })],
    }).compileToV0Message();
    const signed = new VersionedTransaction(message);
    signed.sign([from]);
    expect((await c.simulateTransaction(signed, { sigVerify: true })).value.err).toBeNull();
    // The same message with its signature's first bit flipped: it no longer verifies.
    const forged = new VersionedTransaction(message, [signed.signatures[0]!.map((b, i) => (i === 0 ? b ^ 1 : b))]);
    await expect(c.simulateTransaction(forged, { sigVerify: true })).rejects.toThrow(
      /Transaction signature verification failure/,
    );
    expect((await c.simulateTransaction(forged)).value.err).toBeNull();
    await expect(c.sendTransaction(forged)).rejects.toThrow(/Transaction signature verification failure/);
    // Without preflight too: the runtime's processing path does not check signatures, the chain does.
    // (Before it did, this forged transfer landed.)
    const balance = await c.getBalance(from.publicKey);
    await expect(c.sendTransaction(forged, { skipPreflight: true })).rejects.toThrow(
      /Transaction signature verification failure/,
    );
    const unsigned = new VersionedTransaction(message);
    await expect(c.sendTransaction(unsigned, { skipPreflight: true })).rejects.toThrow(
      /Transaction signature verification failure/,
    );
    expect(await c.getBalance(from.publicKey)).toBe(balance);
    await expect(c.simulateTransaction(signed, { sigVerify: true, replaceRecentBlockhash: true })).rejects.toThrow(
      /sigVerify may not be used with replaceRecentBlockhash/,
    );
  });

  it("reads the demo world's accounts, by key and by program with filters", async () => {
    const c = connection();
    const world = demo();
    const market = await c.getAccountInfo(new PublicKey(world.market));
    expect(market?.owner.toBase58()).toBe(world.programs.margin);
    const many = await c.getMultipleAccountsInfo([
      new PublicKey(world.market),
      new PublicKey(world.feed),
      Keypair.generate().publicKey,
    ]);
    expect(many.map((a) => a === null)).toEqual([false, false, true]);
    const subAccounts = await c.getProgramAccounts(new PublicKey(world.programs.margin), {
      filters: [{ dataSize: 92 }],
    });
    expect(subAccounts.map((a) => a.pubkey.toBase58())).toContain(world.traderSubAccount.address);
    const byOwner = await c.getProgramAccounts(new PublicKey(world.programs.margin), {
      filters: [{ dataSize: 92 }, { memcmp: { offset: 42, bytes: world.wallets.trader.pubkey } }],
      dataSlice: { offset: 0, length: 8 },
    });
    expect(byOwner).toHaveLength(1);
    expect(byOwner[0]!.account.data).toHaveLength(8);
    const balance = await c.getTokenAccountBalance(new PublicKey(world.wallets.trader.wsol));
    expect(balance.value.uiAmount).toBe(100);
  });
});

describe("WebSocket subscriptions", () => {
  it("delivers every account change in order, and program changes", async () => {
    const c = connection();
    const from = await funded(c, 3 * LAMPORTS_PER_SOL);
    const target = Keypair.generate().publicKey;
    const seen: number[] = [];
    const programSeen: string[] = [];
    const accountSub = c.onAccountChange(target, (account) => seen.push(account.lamports));
    const programSub = c.onProgramAccountChange(SystemProgram.programId, (keyed) =>
      programSeen.push(keyed.accountId.toBase58()),
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const lamports of [1_000_000, 2_000_000, 3_000_000]) {
      const tx = new Transaction().add(
        SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: target, lamports }),
      );
      await sendAndConfirmTransaction(c, tx, [from]);
    }
    await new Promise((r) => setTimeout(r, 300));
    await c.removeAccountChangeListener(accountSub);
    await c.removeProgramAccountChangeListener(programSub);
    expect(seen).toEqual([1_000_000, 3_000_000, 6_000_000]);
    expect(programSeen).toContain(target.toBase58());
  });

  it("notifies a token account parsed, with its mint's decimals, when asked for jsonParsed", async () => {
    const c = connection();
    const payer = await funded(c, 2 * LAMPORTS_PER_SOL);
    const mint = await createMint(c, payer, payer.publicKey, null, 6);
    const holder = await getOrCreateAssociatedTokenAccount(c, payer, mint, payer.publicKey);
    const seen: { data: unknown }[] = [];
    const ws = await rawSubscriptions(inject("wsUrl"), ({ value }) => seen.push(value as { data: unknown }));
    await ws.subscribe("accountSubscribe", [
      holder.address.toBase58(),
      { encoding: "jsonParsed", commitment: "confirmed" },
    ]);
    await mintTo(c, payer, mint, holder.address, payer, 1_234_567);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    expect(seen[0]!.data).toMatchObject({
      program: "spl-token",
      parsed: { type: "account", info: { mint: mint.toBase58(), tokenAmount: { amount: "1234567", decimals: 6 } } },
    });
  });

  it("reports each slot's root through slotsUpdatesSubscribe", async () => {
    const c = connection();
    const updates: SlotUpdate[] = [];
    const id = c.onSlotUpdate((update) => updates.push(update));
    while (updates.length < 2) await new Promise((r) => setTimeout(r, 100));
    await c.removeSlotUpdateListener(id);
    expect(updates.map((u) => u.type)).toEqual(["root", "root"]);
    expect(updates[1]!.slot).toBe(updates[0]!.slot + 1);
  });

  it("notifies the Clock sysvar's subscribers every slot, as a validator does", async () => {
    const c = connection();
    const slots: bigint[] = [];
    const id = c.onAccountChange(SYSVAR_CLOCK_PUBKEY, (account) => slots.push(account.data.readBigUInt64LE(0)));
    while (slots.length < 3) await new Promise((r) => setTimeout(r, 100));
    await c.removeAccountChangeListener(id);
    expect(slots[1]).toBe(slots[0]! + 1n);
    expect(slots[2]).toBe(slots[1]! + 1n);
  });

  it("confirms signatures and ticks slots", async () => {
    const c = connection();
    const slots: number[] = [];
    const slotSub = c.onSlotChange((info) => slots.push(info.slot));
    const key = await funded(c);
    expect(await c.getBalance(key.publicKey)).toBe(2 * LAMPORTS_PER_SOL);
    await new Promise((r) => setTimeout(r, 1_000));
    await c.removeSlotChangeListener(slotSub);
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
  });

  it("streams logs (all, or mentioning an address) with Anchor events, and roots", async () => {
    const c = connection();
    const payer = await funded(c);
    const margin = offlinePrograms().margin;
    const mentioned: { signature: string; logs: string[] }[] = [];
    const all: string[] = [];
    const roots: number[] = [];
    const mentionsSub = c.onLogs(margin.programId, (l) => mentioned.push({ signature: l.signature, logs: l.logs }));
    const allSub = c.onLogs("all", (l) => all.push(l.signature));
    const rootSub = c.onRootChange((root) => roots.push(root));
    await new Promise((r) => setTimeout(r, 300));
    const transfer = new Transaction().add(
      SystemProgram.transfer({
        fromPubkey: payer.publicKey,
        toPubkey: Keypair.generate().publicKey,
        lamports: 1_000_000,
      }),
    );
    const transferSig = await sendAndConfirmTransaction(c, transfer, [payer]);
    const accrueSig = await sendAndConfirmTransaction(
      c,
      new Transaction().add(await marginInstructions.accrueInterest()),
      [payer],
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await Promise.all([
      c.removeOnLogsListener(mentionsSub),
      c.removeOnLogsListener(allSub),
      c.removeRootChangeListener(rootSub),
    ]);
    expect(all).toEqual(expect.arrayContaining([transferSig, accrueSig]));
    expect(mentioned.map((m) => m.signature)).toEqual([accrueSig]);
    expect(mentioned[0]?.logs.some((line) => line.startsWith("Program data: "))).toBe(true);
    expect(roots.length).toBeGreaterThanOrEqual(1);
  });
});

describe("robustness", () => {
  it("says what was wrong with a parameter, in the message web3.js shows, alone or in a batch", async () => {
    const single = await rpc("getBalance", [5]);
    expect(single.error?.code).toBe(-32602);
    expect(single.error?.message).toMatch(/^Invalid params: invalid type: integer `5`, expected a string/);
    const error = await connection()
      .getBlocks(-1)
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/Invalid params: invalid value: integer `-1`/);
    const response = await fetch(inject("rpcUrl"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "getSlot" },
        { jsonrpc: "2.0", id: 2, method: "getAccountInfo", params: [[]] },
      ]),
    });
    const [slot, account] = (await response.json()) as { result?: number; error?: { message: string } }[];
    expect(slot?.result).toBeGreaterThan(0);
    expect(account?.error?.message).toMatch(/^Invalid params: invalid type: sequence, expected a string/);
  });

  it("answers malformed requests with JSON-RPC errors and keeps serving", async () => {
    const url = inject("rpcUrl");
    const bodies = [
      "{",
      "null",
      "[]",
      JSON.stringify({ jsonrpc: "2.0", id: 1 }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "noSuchMethod" }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getBalance", params: ["not-a-key"] }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getBalance", params: {} }),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "sendTransaction",
        params: ["garbage!!", { encoding: "base64" }],
      }),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "sendTransaction",
        params: [Buffer.from("0123456789").toString("base64"), { encoding: "base64" }],
      }),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "getAccountInfo",
        params: [Keypair.generate().publicKey.toBase58(), { encoding: "zstd" }],
      }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "lantern_warpTime", params: [-5] }),
      "x".repeat(2 * 1024 * 1024),
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(random() * 300);
      bodies.push(Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join(""));
    }
    for (const body of bodies) {
      const response = await fetch(url, { method: "POST", body });
      const text = await response.text();
      const parsed = JSON.parse(text);
      const first = Array.isArray(parsed) ? parsed[0] : parsed;
      expect(first.error, `${body.slice(0, 60)} → ${text.slice(0, 120)}`).toBeDefined();
      expect(typeof first.error.message).toBe("string");
    }
    expect(await connection().getSlot()).toBeGreaterThan(0);
  });
});
