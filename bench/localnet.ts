// Benchmark (not a test): the local chain's start-up, its throughput and confirmation latency for SOL
// transfers, SPL Token transfers and a mix of Lantern transactions, through web3.js as any client would,
// side by side with LiteSVM running the same SOL and SPL transactions in process (this machine's
// execution ceiling; it cannot run Lantern's programs, which exist only natively here). LiteSVM's npm
// package ships a native binary per platform and this registry mirror serves only linux-x64-gnu's, so
// it is installed for the benchmark rather than locked:   npm install --no-save litesvm@1.5.0
//   npm run bench:localnet [-- --transactions 1000]        the comparison
//   npm run bench:localnet -- --soak 30 [--load 100000]     memory: idle N minutes, under load, idle N minutes
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import {
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountInstruction,
  createInitializeMint2Instruction,
  createMintToInstruction,
  createTransferInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { address, getTransactionDecoder, lamports } from "@solana/kit";
import { type LocalChain, startLocalChain } from "@lantern/devtools";
import { marginInstructions, restakingInstructions } from "@lantern/sdk";
import { readDemoManifest, readKeypairFile } from "@lantern/sdk/node";

const { values: options } = parseArgs({
  options: {
    transactions: { type: "string", default: "1000" },
    soak: { type: "string" },
    load: { type: "string", default: "100000" },
  },
});
const COUNT = Number(options.transactions);
const BATCH = 100;
const WARM_UP = 500;

const demoDir = () => mkdtempSync(join(tmpdir(), "lantern-bench-"));
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? Number.NaN;

/** Where a workload's transactions go: the local chain over RPC, or LiteSVM in process. */
interface Target {
  name: string;
  blockhash(): Promise<string>;
  /** Lands one transaction (setup: waits until it is confirmed, and fails loudly). */
  land(tx: Transaction, signers: Keypair[]): Promise<void>;
  /** One at a time, each confirmed before the next; returns each one's latency in ms. */
  sequential(raw: Buffer[]): Promise<number[]>;
  /** All in flight, then every one confirmed; returns the wall time in ms. */
  pipelined(raw: Buffer[]): Promise<number>;
  /** CPU seconds the chain's process has used so far (where the chain is a process of its own). */
  chainCpu?: () => number;
}

/** A process's CPU seconds (user + system) from /proc: where a pipelined run's time goes on 2 cores. */
const processCpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const clientCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function localnetTarget(connection: Connection, chain: LocalChain): Target {
  return {
    name: "localnet",
    chainCpu: () => processCpu(chain.child.pid!),
    blockhash: async () => (await connection.getLatestBlockhash()).blockhash,
    async land(tx, signers) {
      const latest = await connection.getLatestBlockhash();
      tx.recentBlockhash = latest.blockhash;
      tx.feePayer = signers[0]!.publicKey;
      tx.sign(...signers);
      const signature = await connection.sendRawTransaction(tx.serialize());
      const { value } = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
      if (value.err) throw new Error(`setup transaction failed: ${JSON.stringify(value.err)}`);
    },
    async sequential(raw) {
      const latencies: number[] = [];
      const latest = await connection.getLatestBlockhash();
      for (const bytes of raw) {
        const began = performance.now();
        const signature = await connection.sendRawTransaction(bytes);
        await connection.confirmTransaction({ signature, ...latest }, "confirmed");
        latencies.push(performance.now() - began);
      }
      return latencies;
    },
    async pipelined(raw) {
      const began = performance.now();
      const signatures: string[] = [];
      for (let i = 0; i < raw.length; i += BATCH) {
        const batch = raw.slice(i, i + BATCH).map((bytes) => connection.sendRawTransaction(bytes));
        signatures.push(...(await Promise.all(batch)));
      }
      for (let i = 0; i < signatures.length; ) {
        const statuses = (await connection.getSignatureStatuses(signatures.slice(i, i + 256))).value;
        const firstPending = statuses.indexOf(null);
        if (statuses.some((s) => s?.err)) throw new Error("a benchmark transaction failed");
        i += firstPending === -1 ? statuses.length : firstPending;
      }
      return performance.now() - began;
    },
  };
}

/** The part of LiteSVM's API the benchmark uses (the package is not a locked dependency, see above). */
interface LiteSvm {
  latestBlockhash(): string;
  airdrop(recipient: ReturnType<typeof address>, amount: ReturnType<typeof lamports>): unknown;
  sendTransaction(tx: ReturnType<ReturnType<typeof getTransactionDecoder>["decode"]>): unknown;
}

async function loadLiteSvm(): Promise<{ svm: LiteSvm; failed: (result: unknown) => string | undefined }> {
  const name = "litesvm";
  const liteSvm = await import(name).catch(() => {
    console.error("LiteSVM, the benchmark's peer, is not installed: run `npm install --no-save litesvm@1.5.0`.");
    process.exit(2);
  });
  return {
    svm: new liteSvm.LiteSVM(),
    failed: (result) =>
      result instanceof liteSvm.FailedTransactionMetadata ? String((result as { err(): unknown }).err()) : undefined,
  };
}

function liteSvmTarget({ svm, failed }: Awaited<ReturnType<typeof loadLiteSvm>>): Target {
  const decoder = getTransactionDecoder();
  const send = (bytes: Buffer) => {
    const refused = failed(svm.sendTransaction(decoder.decode(bytes)));
    if (refused) throw new Error(`LiteSVM refused: ${refused}`);
  };
  return {
    name: "LiteSVM",
    blockhash: async () => svm.latestBlockhash(),
    async land(tx, signers) {
      tx.recentBlockhash = svm.latestBlockhash();
      tx.feePayer = signers[0]!.publicKey;
      tx.sign(...signers);
      send(tx.serialize());
    },
    async sequential(raw) {
      return raw.map((bytes) => {
        const began = performance.now();
        send(bytes);
        return performance.now() - began;
      });
    },
    // In process, sending is landing: the pipelined figure is the sequential one.
    async pipelined(raw) {
      const began = performance.now();
      for (const bytes of raw) send(bytes);
      return performance.now() - began;
    },
  };
}

/** A workload: funds and accounts on `target`, then the i-th transaction's instructions. */
interface Workload {
  name: string;
  prepare(target: Target, payer: Keypair): Promise<(i: number) => TransactionInstruction[]>;
}

const solTransfers: Workload = {
  name: "SOL transfer",
  async prepare() {
    const to = Keypair.generate().publicKey;
    return (i) => [SystemProgram.transfer({ fromPubkey: PAYER.publicKey, toPubkey: to, lamports: 1_000_000 + i })];
  },
};

const splTransfers: Workload = {
  name: "SPL Token transfer",
  async prepare(target, payer) {
    const mint = Keypair.generate();
    const holder = Keypair.generate().publicKey;
    const [source, destination] = [payer.publicKey, holder].map((owner) =>
      getAssociatedTokenAddressSync(mint.publicKey, owner),
    );
    await target.land(
      new Transaction().add(
        SystemProgram.createAccount({
          fromPubkey: payer.publicKey,
          newAccountPubkey: mint.publicKey,
          lamports: 1_461_600,
          space: MINT_SIZE,
          programId: TOKEN_PROGRAM_ID,
        }),
        createInitializeMint2Instruction(mint.publicKey, 6, payer.publicKey, null),
        createAssociatedTokenAccountInstruction(payer.publicKey, source!, payer.publicKey, mint.publicKey),
        createAssociatedTokenAccountInstruction(payer.publicKey, destination!, holder, mint.publicKey),
        createMintToInstruction(mint.publicKey, source!, payer.publicKey, 10n ** 15n),
      ),
      [payer, mint],
    );
    return (i) => [createTransferInstruction(source!, destination!, payer.publicKey, 1 + i)];
  },
};

const PAYER = Keypair.generate();

/** Signs `count` transactions of `build` in batches, each batch with a fresh blockhash. */
async function sign(target: Target, build: (i: number) => TransactionInstruction[], count: number, offset: number) {
  const raw: Buffer[] = [];
  for (let done = 0; done < count; done += BATCH) {
    const blockhash = await target.blockhash();
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const tx = new Transaction({ feePayer: PAYER.publicKey, recentBlockhash: blockhash }).add(...build(offset + i));
      tx.sign(PAYER);
      raw.push(tx.serialize());
    }
  }
  return raw;
}

interface Figures {
  sequentialTps: number;
  p50: number;
  p99: number;
  pipelinedTps: number;
  /** CPU µs per transaction, sequential and pipelined: the chain's process, and this (web3.js client)
   * process. */
  sequentialCpu: CpuPerTx;
  pipelinedCpu: CpuPerTx;
}

interface CpuPerTx {
  chainUs?: number;
  clientUs: number;
}

/** Runs `work` over `count` transactions and returns its result with the CPU each side spent on it. */
async function withCpu<T>(target: Target, count: number, work: () => Promise<T>): Promise<[T, CpuPerTx]> {
  const [chainBefore, clientBefore] = [target.chainCpu?.(), clientCpu()];
  const result = await work();
  const perTx = (seconds: number) => (seconds * 1e6) / count;
  return [
    result,
    {
      chainUs: chainBefore === undefined ? undefined : perTx(target.chainCpu!() - chainBefore),
      clientUs: perTx(clientCpu() - clientBefore),
    },
  ];
}

async function measure(target: Target, workload: Workload): Promise<Figures> {
  const build = await workload.prepare(target, PAYER);
  return figures(target, (count, offset) => sign(target, build, count, offset));
}

/** Sequential, then pipelined, figures for the transactions `signed(count, offset)` makes, after an
 * untimed warm-up: a kind's first transactions pay for the client's JIT and the chain's caches, and
 * whichever workload ran first was measured slower for it (SOL transfers, measured first, read 168–329
 * sequential tx/s in three runs after 100 warm-up transactions, with the client's CPU per transaction
 * nearly twice the other workloads'; 389 after 1,000). */
async function figures(target: Target, signed: (count: number, offset: number) => Promise<Buffer[]>): Promise<Figures> {
  await target.sequential(await signed(WARM_UP, 2 * COUNT));
  const one = await signed(COUNT, 0);
  const [latencies, sequentialCpu] = await withCpu(target, COUNT, () => target.sequential(one));
  const many = await signed(COUNT, COUNT);
  const [ms, pipelinedCpu] = await withCpu(target, COUNT, () => target.pipelined(many));
  return {
    sequentialTps: COUNT / (latencies.reduce((a, b) => a + b, 0) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    pipelinedTps: COUNT / (ms / 1000),
    sequentialCpu,
    pipelinedCpu,
  };
}

/** Lantern's own transactions from the demo trader (localnet only: LiteSVM cannot load them). */
async function marginMix(connection: Connection, chain: LocalChain, dir: string): Promise<Figures> {
  const demo = readDemoManifest(dir);
  const trader = readKeypairFile(demo.wallets.trader.keypair);
  const [wsol, lrt] = [new PublicKey(demo.wallets.trader.wsol), new PublicKey(demo.wallets.trader.lrt)];
  const lrtMint = new PublicKey(demo.lrtMint);
  const subAccount = { owner: trader.publicKey, index: 0 };
  const deposit = (i: number) =>
    restakingInstructions.deposit({
      depositor: trader.publicKey,
      lrtMint,
      source: wsol,
      destination: lrt,
      lamports: 1_000_000n + BigInt(i),
      minLrtOut: 0n,
    });
  const mix = [
    async (i: number) => [await deposit(i)],
    async (i: number) => [
      await marginInstructions.depositCollateral({
        depositor: trader.publicKey,
        lrtMint,
        subAccount,
        source: lrt,
        amount: 1_000n + BigInt(i),
      }),
    ],
    async (i: number) => [
      await marginInstructions.supply({ owner: trader.publicKey, source: wsol, amount: 1_000_000n + BigInt(i) }),
    ],
    // The crank has no arguments: a deposit next to it keeps each signature unique.
    async (i: number) => [await marginInstructions.accrueInterest(), await deposit(i)],
  ];
  const target = localnetTarget(connection, chain);
  await target.land(new Transaction().add(await deposit(1_000_000_000)), [trader]);
  const signMix = async (count: number, offset: number) => {
    const raw: Buffer[] = [];
    for (let done = 0; done < count; done += BATCH) {
      const blockhash = await target.blockhash();
      for (let i = done; i < Math.min(count, done + BATCH); i++) {
        const tx = new Transaction({ feePayer: trader.publicKey, recentBlockhash: blockhash });
        tx.add(...(await mix[(offset + i) % mix.length]!(offset + i)));
        tx.sign(trader);
        raw.push(tx.serialize());
      }
    }
    return raw;
  };
  return figures(target, signMix);
}

async function startupTimes(withDemo: boolean, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const chain = await startLocalChain({ demoDir: withDemo ? demoDir() : undefined, stderr: "ignore" });
    times.push(chain.startupMs);
    await chain.stop();
  }
  return times;
}

const residentMiB = (chain: LocalChain) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${chain.child.pid}/status`, "utf8"))?.[1]) / 1024;

const SPARKS = "▁▂▃▄▅▆▇█";
const sparkline = (values: number[]) => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return values.map((v) => SPARKS[high === low ? 0 : Math.round(((v - low) / (high - low)) * 7)]).join("");
};

async function soak(minutes: number, load: number) {
  const chain = await startLocalChain({ demoDir: demoDir(), stderr: "ignore" });
  const connection = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
  console.log(
    `Soak: idle for ${minutes} min, then ${load.toLocaleString()} transfers, then idle for ${minutes} min again (a sample every 30 s idle, every 10,000 transfers under load)`,
  );
  const idle = async (what: string) => {
    const samples = [residentMiB(chain)];
    for (let t = 0; t < minutes * 2; t++) {
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      samples.push(residentMiB(chain));
      process.stdout.write(`\r  ${what} ${(t + 1) / 2} min: ${samples.at(-1)!.toFixed(1)} MiB  `);
    }
    return samples;
  };
  const before = await idle("idle");
  const target = localnetTarget(connection, chain);
  await connection.confirmTransaction(await connection.requestAirdrop(PAYER.publicKey, 10 ** 13), "confirmed");
  const build = await solTransfers.prepare(target, PAYER);
  const loaded: number[] = [residentMiB(chain)];
  // Signed and sent a thousand at a time: signing all of a sample's 10,000 first can outlast their
  // blockhashes on a loaded machine.
  for (let done = 0; done < load; done += 1_000) {
    await target.pipelined(await sign(target, build, Math.min(1_000, load - done), done));
    if ((done + 1_000) % 10_000 !== 0 && done + 1_000 < load) continue;
    loaded.push(residentMiB(chain));
    process.stdout.write(
      `\r  ${Math.min(done + 1_000, load).toLocaleString()} transfers: ${loaded.at(-1)!.toFixed(1)} MiB  `,
    );
  }
  const after = await idle("idle after the load");
  const line = (what: string, samples: number[]) =>
    console.log(
      `  ${what.padEnd(20)} ${sparkline(samples)}  ${samples[0]!.toFixed(1)} → ${samples.at(-1)!.toFixed(1)} MiB`,
    );
  console.log();
  line("idle", before);
  line("load", loaded);
  line("idle after the load", after);
  await chain.stop();
}

async function compare() {
  const plain = await startupTimes(false, 5);
  const demo = await startupTimes(true, 5);
  console.log("Start-up, spawn → first healthy answer (median of 5):");
  console.log(`  bare chain        ${percentile(plain, 0.5).toFixed(0)} ms`);
  console.log(`  with demo world   ${percentile(demo, 0.5).toFixed(0)} ms`);

  const dir = demoDir();
  const chain = await startLocalChain({ demoDir: dir, stderr: "ignore" });
  const connection = new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
  await connection.confirmTransaction(await connection.requestAirdrop(PAYER.publicKey, 10 ** 13), "confirmed");
  const liteSvm = await loadLiteSvm();
  liteSvm.svm.airdrop(address(PAYER.publicKey.toBase58()), lamports(10n ** 13n));

  const rows: [string, Figures, Figures | undefined][] = [];
  for (const workload of [solTransfers, splTransfers]) {
    rows.push([
      workload.name,
      await measure(localnetTarget(connection, chain), workload),
      await measure(liteSvmTarget(liteSvm), workload),
    ]);
  }
  rows.push(["Lantern mix (localnet only)", await marginMix(connection, chain, dir), undefined]);
  await chain.stop();

  console.log(`\n${COUNT} transactions per measure; sequential = send, then confirm (web3.js), one at a time.`);
  console.log(
    "workload                      | localnet seq tx/s  p50 ms  p99 ms | pipelined tx/s | LiteSVM tx/s | ratio",
  );
  for (const [name, local, lite] of rows) {
    const ratio = lite ? `${(local.pipelinedTps / lite.pipelinedTps).toFixed(3)}×` : "";
    console.log(
      `${name.padEnd(29)} | ${local.sequentialTps.toFixed(0).padStart(17)} ${local.p50.toFixed(1).padStart(7)} ${local.p99.toFixed(1).padStart(7)} | ${local.pipelinedTps.toFixed(0).padStart(14)} | ${(lite ? lite.pipelinedTps.toFixed(0) : "—").padStart(12)} | ${ratio}`,
    );
  }
  // Where a transaction's time goes: the chain's CPU bounds its own throughput on a free core, and the
  // client's shares the machine's two cores with it (one at a time, web3.js's confirmation is five
  // requests and a notification a transaction).
  for (const mode of ["sequential", "pipelined"] as const) {
    console.log(
      `\n${`${mode}, CPU per transaction`.padEnd(36)} | chain µs | web3.js client µs | chain-bound tx/s | LiteSVM µs`,
    );
    for (const [name, local, lite] of rows) {
      const { chainUs, clientUs } = local[`${mode}Cpu`];
      const liteUs = lite ? (1e6 / lite.pipelinedTps).toFixed(0) : "—";
      console.log(
        `${name.padEnd(36)} | ${chainUs!.toFixed(0).padStart(8)} | ${clientUs.toFixed(0).padStart(17)} | ${(1e6 / chainUs!).toFixed(0).padStart(16)} | ${liteUs.padStart(10)}`,
      );
    }
  }
}

if (options.soak) await soak(Number(options.soak), Number(options.load));
else await compare();
process.exit(0);
