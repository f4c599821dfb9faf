// Benchmark (not a test): decoding a snapshot of 100,000 SubAccounts with the sdk's fast decoder and
// with Anchor's BorshAccountsCoder, side by side in one run. `npm run bench:ts`.
import anchor, { type Idl } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import { SUB_ACCOUNT_DISCRIMINATOR, SUB_ACCOUNT_SIZE, decodeSubAccount } from "@lantern/sdk";

const { BorshAccountsCoder } = anchor;
const N = 100_000;
const ROUNDS = 7;

// splitmix64, seeded: the same snapshot every run.
let state = 0x5eedn;
function next(): bigint {
  state = (state + 0x9e3779b97f4a7c15n) & 0xffff_ffff_ffff_ffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffff_ffff_ffff_ffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffff_ffff_ffff_ffffn;
  return z ^ (z >> 31n);
}

// One market, many owners; each account decoded from base64 into its own Buffer, exactly as web3.js
// parses a getProgramAccounts response (small Buffers share Node's allocation pool).
const market = new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1));
const accounts: Buffer[] = new Array(N);
for (let i = 0; i < N; i++) {
  const data = Buffer.alloc(SUB_ACCOUNT_SIZE);
  data.set(SUB_ACCOUNT_DISCRIMINATOR.bytes, 0);
  data[8] = Number(next() & 0xffn);
  data[9] = Number(next() & 0xffn);
  data.set(market.toBytes(), 10);
  for (let k = 0; k < 4; k++) data.writeBigUInt64LE(next(), 42 + 8 * k);
  data.writeUInt16LE(i & 0xffff, 74);
  data.writeBigUInt64LE(next() % 10n ** 15n, 76);
  data.writeBigUInt64LE(next() % 10n ** 15n, 84);
  accounts[i] = Buffer.from(data.toString("base64"), "base64");
}

const coder = new BorshAccountsCoder(marginIdl as Idl);
// Same answers (checked on a sample; test/decoders.test.ts checks thousands of random accounts).
for (let i = 0; i < N; i += 997) {
  const a = coder.decode("SubAccount", accounts[i]!);
  const f = decodeSubAccount(accounts[i]!);
  if (
    !f.owner.equals(a.owner) ||
    f.collateral.toString() !== a.collateral.toString() ||
    f.debtShares.toString() !== a.debt_shares.toString()
  ) {
    throw new Error(`decoders disagree on account ${i}`);
  }
}

const out: unknown[] = new Array(N);
function time(decode: (data: Buffer) => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) out[i] = decode(accounts[i]!);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const anchorDecode = (data: Buffer) => coder.decode("SubAccount", data);
const fastTimes: number[] = [];
const anchorTimes: number[] = [];
time(anchorDecode); // warm-up
time(decodeSubAccount);
for (let r = 0; r < ROUNDS; r++) {
  anchorTimes.push(time(anchorDecode));
  fastTimes.push(time(decodeSubAccount));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fast = median(fastTimes);
const slow = median(anchorTimes);
const opsPerSec = (ms: number) => Math.round((N / ms) * 1000).toLocaleString("en-US");
console.log(`decode ${N.toLocaleString("en-US")} SubAccounts (median of ${ROUNDS} rounds, interleaved)`);
console.log(`  Anchor BorshAccountsCoder  ${slow.toFixed(1).padStart(8)} ms  ${opsPerSec(slow).padStart(12)} ops/s`);
console.log(`  sdk decodeSubAccount       ${fast.toFixed(1).padStart(8)} ms  ${opsPerSec(fast).padStart(12)} ops/s`);
console.log(`  ratio                      ${(slow / fast).toFixed(1)}x (goal >= 5x)`);
