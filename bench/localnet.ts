// Benchmark (not a test): the local chain's start-up time and its throughput for a mix of margin and
// restaking transactions, through web3.js as any client would.   npm run bench:localnet
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair, PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { cargoTargetDir } from "../scripts/cargo.mjs";
import { marginInstructions, restakingInstructions } from "../sdk/src/index.js";

const binary = join(cargoTargetDir, "debug", "lantern-localnet");
if (!existsSync(binary)) {
  console.error("The local chain is not built yet. Run `npm run cargo -- build -p localnet` (or `npm start` once) first.");
  process.exit(1);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function start(demoDir?: string): Promise<{ ms: number; child: ChildProcess; url: string; wsUrl: string }> {
  const [rpc, ws] = [await freePort(), await freePort()];
  const args = ["--rpc-port", String(rpc), "--ws-port", String(ws), ...(demoDir ? ["--bootstrap-demo", demoDir] : [])];
  const began = performance.now();
  const child = spawn(binary, args, { stdio: "ignore" });
  const url = `http://127.0.0.1:${rpc}`;
  for (;;) {
    try {
      const response = await fetch(url, { method: "POST", body: '{"jsonrpc":"2.0","id":1,"method":"getHealth"}' });
      if (response.ok) return { ms: performance.now() - began, child, url, wsUrl: `ws://127.0.0.1:${ws}` };
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const stop = (child: ChildProcess) => new Promise((r) => child.once("exit", r).kill("SIGINT"));

async function startupTimes(withDemo: boolean, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms, child } = await start(withDemo ? mkdtempSync(join(tmpdir(), "lantern-bench-")) : undefined);
    times.push(ms);
    await stop(child);
  }
  return times;
}

const keypair = (path: string) => Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8"))));

async function throughput(count: number) {
  const demoDir = mkdtempSync(join(tmpdir(), "lantern-bench-"));
  const { child, url, wsUrl } = await start(demoDir);
  const demo = JSON.parse(readFileSync(join(demoDir, "demo.json"), "utf8"));
  const connection = new Connection(url, { commitment: "confirmed", wsEndpoint: wsUrl });
  const lrtMint = new PublicKey(demo.lrtMint);
  const trader = demo.wallets.trader;
  const traderKey = keypair(trader.keypair);
  await connection.requestAirdrop(traderKey.publicKey, 10e9);
  const [traderWsol, traderLrt] = [new PublicKey(trader.wsol), new PublicKey(trader.lrt)];
  const subAccount = { owner: traderKey.publicKey, index: 0 };

  // The mix, all from the demo trader: a restaking deposit, a collateral deposit, a supply to the
  // lending pool and an interest crank.
  const mix: ((i: bigint) => Promise<[TransactionInstruction, Keypair]>)[] = [
    async (i) => [await restakingInstructions.deposit({ depositor: traderKey.publicKey, lrtMint, source: traderWsol, destination: traderLrt, lamports: 1_000_000n + i, minLrtOut: 0n }), traderKey],
    async (i) => [await marginInstructions.depositCollateral({ depositor: traderKey.publicKey, lrtMint, subAccount, source: traderLrt, amount: 1_000n + i }), traderKey],
    async (i) => [await marginInstructions.supply({ owner: traderKey.publicKey, source: traderWsol, amount: 1_000_000n + i }), traderKey],
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
  await stop(child);
  return { sequential, pipelined };
}

const plain = await startupTimes(false, 5);
const demo = await startupTimes(true, 5);
console.log("Start-up, spawn → first healthy answer (median of 5):");
console.log(`  bare chain        ${median(plain).toFixed(0)} ms   (runs: ${plain.map((t) => t.toFixed(0)).join(", ")})`);
console.log(`  with demo world   ${median(demo).toFixed(0)} ms   (runs: ${demo.map((t) => t.toFixed(0)).join(", ")})`);
const count = Number(process.env.BENCH_TX ?? 400);
const { sequential, pipelined } = await throughput(count);
console.log(`Throughput, ${count} transactions of the mix (restaking deposit, deposit_collateral, supply, accrue+deposit):`);
console.log(`  send, then confirm each      ${sequential.toFixed(0)} tx/s`);
console.log(`  all in flight, then confirm  ${pipelined.toFixed(0)} tx/s`);
process.exit(0);
