// Benchmark (not a test): the local chain's start-up time and its throughput for a mix of margin and
// restaking transactions, through web3.js as any client would.   npm run bench:localnet
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, PublicKey, Transaction, type Keypair, type TransactionInstruction } from "@solana/web3.js";
import { startLocalChain } from "@lantern/devtools";
import { marginInstructions, restakingInstructions } from "@lantern/sdk";
import { readDemoManifest, readKeypairFile } from "@lantern/sdk/node";

const demoDir = () => mkdtempSync(join(tmpdir(), "lantern-bench-"));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function startupTimes(withDemo: boolean, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const chain = await startLocalChain({ demoDir: withDemo ? demoDir() : undefined, stderr: "ignore" });
    times.push(chain.startupMs);
    await chain.stop();
  }
  return times;
}

async function throughput(count: number) {
  const dir = demoDir();
  const chain = await startLocalChain({ demoDir: dir, stderr: "ignore" });
  const demo = readDemoManifest(dir);
  const connection = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
  const lrtMint = new PublicKey(demo.lrtMint);
  const trader = demo.wallets.trader;
  const traderKey = readKeypairFile(trader.keypair);
  await connection.requestAirdrop(traderKey.publicKey, 10e9);
  const [traderWsol, traderLrt] = [new PublicKey(trader.wsol), new PublicKey(trader.lrt)];
  const subAccount = { owner: traderKey.publicKey, index: 0 };

  // The mix, all from the demo trader: a restaking deposit, a collateral deposit, a supply to the
  // lending pool and an interest crank.
  const mix: ((i: bigint) => Promise<[TransactionInstruction, Keypair]>)[] = [
    async (i) => [
      await restakingInstructions.deposit({
        depositor: traderKey.publicKey,
        lrtMint,
        source: traderWsol,
        destination: traderLrt,
        lamports: 1_000_000n + i,
        minLrtOut: 0n,
      }),
      traderKey,
    ],
    async (i) => [
      await marginInstructions.depositCollateral({
        depositor: traderKey.publicKey,
        lrtMint,
        subAccount,
        source: traderLrt,
        amount: 1_000n + i,
      }),
      traderKey,
    ],
    async (i) => [
      await marginInstructions.supply({ owner: traderKey.publicKey, source: traderWsol, amount: 1_000_000n + i }),
      traderKey,
    ],
    async () => [await marginInstructions.accrueInterest(), traderKey],
  ];
  // Give the trader LRT for the collateral deposits before timing.
  const seed = new Transaction().add((await mix[0]!(1_000_000_000n))[0]);
  await connection.sendTransaction(seed, [traderKey]);
  await new Promise((r) => setTimeout(r, 500));

  // Transactions are signed in batches with a fresh blockhash, as a client sending this much would.
  const BATCH = 25;
  const build = async (n: number, offset: number) => {
    const { blockhash } = await connection.getLatestBlockhash();
    const txs: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const [ix, signer] = await mix[(offset + i) % mix.length]!(BigInt(offset + i));
      const tx = new Transaction({ feePayer: signer.publicKey, recentBlockhash: blockhash }).add(ix);
      // The crank has no arguments: a deposit next to it keeps each signature unique.
      if ((offset + i) % mix.length === 3) tx.add((await mix[0]!(BigInt(offset + i)))[0]);
      tx.sign(signer);
      txs.push(tx.serialize());
    }
    return txs;
  };

  let began = performance.now();
  for (let done = 0; done < count; done += BATCH) {
    for (const raw of await build(Math.min(BATCH, count - done), done)) {
      const signature = await connection.sendRawTransaction(raw);
      await connection.confirmTransaction(signature, "confirmed");
    }
  }
  const sequential = count / ((performance.now() - began) / 1000);

  began = performance.now();
  const signatures: string[] = [];
  for (let done = 0; done < count; done += BATCH) {
    const batch = await build(Math.min(BATCH, count - done), count + done);
    signatures.push(...(await Promise.all(batch.map((raw) => connection.sendRawTransaction(raw)))));
  }
  for (;;) {
    const statuses = [];
    for (let i = 0; i < signatures.length; i += 256) {
      statuses.push(...(await connection.getSignatureStatuses(signatures.slice(i, i + 256))).value);
    }
    if (statuses.every((s) => s !== null)) {
      if (statuses.some((s) => s!.err)) throw new Error("a benchmark transaction failed");
      break;
    }
  }
  const pipelined = count / ((performance.now() - began) / 1000);
  await chain.stop();
  return { sequential, pipelined };
}

const plain = await startupTimes(false, 5);
const demo = await startupTimes(true, 5);
console.log("Start-up, spawn → first healthy answer (median of 5):");
console.log(
  `  bare chain        ${median(plain).toFixed(0)} ms   (runs: ${plain.map((t) => t.toFixed(0)).join(", ")})`,
);
console.log(`  with demo world   ${median(demo).toFixed(0)} ms   (runs: ${demo.map((t) => t.toFixed(0)).join(", ")})`);
const count = Number(process.env.BENCH_TX ?? 400);
const { sequential, pipelined } = await throughput(count);
console.log(
  `Throughput, ${count} transactions of the mix (restaking deposit, deposit_collateral, supply, accrue+deposit):`,
);
console.log(`  send, then confirm each      ${sequential.toFixed(0)} tx/s`);
console.log(`  all in flight, then confirm  ${pipelined.toFixed(0)} tx/s`);
process.exit(0);
