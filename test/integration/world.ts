// Shared helpers of the integration tests: the local chain (one per vitest run, shared by every file),
// the demo world, funded users with wSOL, and isolated worlds (a fresh LRT with its own committee,
// stake pool and market) so that tests in different files never step on each other's state.
//
// Only test/integration/reporting.test.ts moves the shared chain's clock (lantern_warpTime) and reports on
// the demo committee. The isolated worlds of the other files use frames and staleness limits far longer
// than any warp, so a warp in another file cannot make their feed or prices stale mid-test.
//
// The helpers take the shared chain by default; test/model.test.ts passes its own chain (`ChainEndpoints`
// from test/setup/chain.ts), where it owns the lending pool and the clock.
import { expect, inject } from "vitest";
import {
  ACCOUNT_SIZE,
  createInitializeAccount3Instruction,
  createInitializeMint2Instruction,
  createSyncNativeInstruction,
  MINT_SIZE,
  NATIVE_MINT,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Connection, Keypair, PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import {
  DEFAULT_RISK_PARAMS,
  DEFAULT_SANITY_LIMITS,
  LanternClient,
  LanternProgramError,
  type LanternProgramName,
  marginInstructions as margin,
  oracleInstructions as oracle,
  type PricingPolicy,
  restakingInstructions as restaking,
  type RiskParams,
  type SanityLimits,
  WAD,
} from "@lantern/sdk";
import { type DemoManifest, readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import type { ChainEndpoints } from "../setup/chain.js";

export const SOL = 1_000_000_000n;
export { WAD };
export const U64_MAX = (1n << 64n) - 1n;

/** The chain every test file shares (started once per vitest run by test/setup/localnet.ts). */
export function sharedChain(): ChainEndpoints {
  return { rpcUrl: inject("rpcUrl"), wsUrl: inject("wsUrl"), demoDir: inject("demoDir") };
}

export function connection(chain: ChainEndpoints = sharedChain()): Connection {
  return new Connection(chain.rpcUrl, { commitment: "confirmed", wsEndpoint: chain.wsUrl });
}

/** A client without a wallet: every `send` names its signers, the first one pays. */
export function lanternClient(chain: ChainEndpoints = sharedChain()): LanternClient {
  return new LanternClient(connection(chain));
}

export type Demo = DemoManifest;

export function demo(chain: ChainEndpoints = sharedChain()): Demo {
  return readDemoManifest(chain.demoDir);
}

export const keypairAt = readKeypairFile;

/** A non-standard method of the local chain (started with --test-methods). */
export async function rpc<T>(
  method: string,
  params: unknown[] = [],
  chain: ChainEndpoints = sharedChain(),
): Promise<T> {
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Moves the chain's clock forward by `secs` (takes effect at once). */
export async function warpTime(secs: bigint | number, chain: ChainEndpoints = sharedChain()): Promise<void> {
  await rpc("lantern_warpTime", [Number(secs)], chain);
}

async function confirmed(c: Connection, signature: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [status] = (await c.getSignatureStatuses([signature])).value;
    if (status?.confirmationStatus) {
      if (status.err) throw new Error(`airdrop failed: ${JSON.stringify(status.err)}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("airdrop not confirmed");
}

/** A new keypair holding `sol` SOL. */
export async function funded(client: LanternClient, sol = 10n): Promise<Keypair> {
  const key = Keypair.generate();
  await confirmed(client.connection, await client.connection.requestAirdrop(key.publicKey, Number(sol * SOL)));
  return key;
}

/** Instructions creating a token account of `mint` owned by `owner` at the new address `account`. */
async function tokenAccountInstructions(
  client: LanternClient,
  payer: PublicKey,
  account: Keypair,
  mint: PublicKey,
  owner: PublicKey,
): Promise<TransactionInstruction[]> {
  const lamports = await client.connection.getMinimumBalanceForRentExemption(ACCOUNT_SIZE);
  return [
    SystemProgram.createAccount({
      fromPubkey: payer,
      newAccountPubkey: account.publicKey,
      lamports,
      space: ACCOUNT_SIZE,
      programId: TOKEN_PROGRAM_ID,
    }),
    createInitializeAccount3Instruction(account.publicKey, mint, owner),
  ];
}

/** A token account of `mint` for `owner`, paid by `payer`. */
export async function tokenAccount(
  client: LanternClient,
  payer: Keypair,
  mint: PublicKey,
  owner: PublicKey,
): Promise<PublicKey> {
  const account = Keypair.generate();
  await client.send(await tokenAccountInstructions(client, payer.publicKey, account, mint, owner), [payer, account]);
  return account.publicKey;
}

/** Wraps `lamports` of `payer`'s SOL into the wSOL account `account` (transfer, then sync). */
export async function wrapSol(
  client: LanternClient,
  payer: Keypair,
  account: PublicKey,
  lamports: bigint,
): Promise<void> {
  await client.send(
    [
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: account, lamports }),
      createSyncNativeInstruction(account),
    ],
    [payer],
  );
}

/** A funded user with a wSOL account holding `wsol` lamports and, given an LRT mint, an empty LRT account. */
export interface User {
  key: Keypair;
  wsol: PublicKey;
  lrt: PublicKey;
}

export async function user(client: LanternClient, wsol: bigint, lrtMint?: PublicKey): Promise<User> {
  const key = await funded(client, wsol / SOL + 5n);
  const wsolAccount = Keypair.generate();
  const lrtAccount = Keypair.generate();
  const instructions = await tokenAccountInstructions(client, key.publicKey, wsolAccount, NATIVE_MINT, key.publicKey);
  if (wsol > 0n) {
    instructions.push(
      SystemProgram.transfer({ fromPubkey: key.publicKey, toPubkey: wsolAccount.publicKey, lamports: wsol }),
      createSyncNativeInstruction(wsolAccount.publicKey),
    );
  }
  const signers = [key, wsolAccount];
  if (lrtMint) {
    instructions.push(...(await tokenAccountInstructions(client, key.publicKey, lrtAccount, lrtMint, key.publicKey)));
    signers.push(lrtAccount);
  }
  await client.send(instructions, signers);
  return { key, wsol: wsolAccount.publicKey, lrt: lrtMint ? lrtAccount.publicKey : PublicKey.default };
}

/** A new 9-decimal mint whose mint authority is `authority`. */
export async function mint(client: LanternClient, payer: Keypair, authority: PublicKey): Promise<PublicKey> {
  const account = Keypair.generate();
  const lamports = await client.connection.getMinimumBalanceForRentExemption(MINT_SIZE);
  await client.send(
    [
      SystemProgram.createAccount({
        fromPubkey: payer.publicKey,
        newAccountPubkey: account.publicKey,
        lamports,
        space: MINT_SIZE,
        programId: TOKEN_PROGRAM_ID,
      }),
      createInitializeMint2Instruction(account.publicKey, 9, authority, null),
    ],
    [payer, account],
  );
  return account.publicKey;
}

export interface Member {
  authority: Keypair;
  signer: Keypair;
}

/** A fresh LRT with its own committee (admin, guardian, members), stake pool and, optionally, market. */
export interface World {
  lrtMint: PublicKey;
  admin: Keypair;
  guardian: Keypair;
  stakeManager: Keypair;
  stakeManagerWsol: PublicKey;
  members: Member[];
  quorum: number;
  consensusVersion: bigint;
  limits: SanityLimits;
  genesisTs: bigint;
  frameSecs: number;
}

/** Ten years: frames and staleness limits that no warp of a test run reaches. */
export const LONG_SECS = 10 * 365 * 86_400;

export interface WorldOptions {
  members?: number;
  quorum?: number;
  frameSecs?: number;
  /** The start of each frame in which only the rotating fast-lane subset may vote (default none). */
  fastLaneSecs?: number;
  limits?: Partial<SanityLimits>;
  /** Also open the LRT's market in the shared SOL lending pool (signed by the demo's pool admin). */
  market?: { policy?: PricingPolicy; risk?: RiskParams; collateralCap?: bigint };
  /** The SOL lending pool's admin, who opens the market (default: the shared chain's demo admin). */
  poolAdmin?: Keypair;
  instantUnstakeFeeBps?: number;
  initialRate?: bigint;
}

export async function world(client: LanternClient, options: WorldOptions = {}): Promise<World> {
  const memberCount = options.members ?? 3;
  const quorum = options.quorum ?? Math.floor(memberCount / 2) + 1;
  const frameSecs = options.frameSecs ?? LONG_SECS;
  const limits: SanityLimits = {
    ...DEFAULT_SANITY_LIMITS,
    maxReportAgeSecs: LONG_SECS,
    maxPriceAgeSecs: LONG_SECS,
    ...options.limits,
  };
  const admin = await funded(client, 100n);
  const guardian = Keypair.generate();
  const stakeManager = Keypair.generate();
  const lrtMint = await mint(client, admin, admin.publicKey);
  const genesisTs = (await client.clock()).unixTimestamp;
  const consensusVersion = 1n;
  const members = Array.from({ length: memberCount }, () => ({
    authority: Keypair.generate(),
    signer: Keypair.generate(),
  }));
  await client.send(
    [
      await oracle.initializeCommittee({
        admin: admin.publicKey,
        mintAuthority: admin.publicKey,
        lrtMint,
        guardian: guardian.publicKey,
        genesisTs,
        frameSecs,
        fastLaneSecs: options.fastLaneSecs ?? 0,
        consensusVersion,
        initialRate: options.initialRate ?? WAD,
        limits,
      }),
    ],
    [admin],
  );
  // Each addition restates the quorum, which must stay above half of the members.
  const adds: TransactionInstruction[] = [];
  for (const [i, m] of members.entries()) {
    const count = i + 1;
    const q = count === memberCount ? quorum : Math.floor(count / 2) + 1;
    adds.push(
      await oracle.addMember({
        admin: admin.publicKey,
        lrtMint,
        authority: m.authority.publicKey,
        signer: m.signer.publicKey,
        quorum: q,
      }),
    );
  }
  for (let i = 0; i < adds.length; i += 5) await client.send(adds.slice(i, i + 5), [admin]);
  await client.send(
    [
      await restaking.initializeStakePool({
        admin: admin.publicKey,
        mintAuthority: admin.publicKey,
        lrtMint,
        stakeManager: stakeManager.publicKey,
        instantUnstakeFeeBps: options.instantUnstakeFeeBps ?? 30,
      }),
    ],
    [admin],
  );
  const stakeManagerWsol = await tokenAccount(client, admin, NATIVE_MINT, stakeManager.publicKey);
  if (options.market) {
    const poolAdmin = options.poolAdmin ?? keypairAt(demo().admin.keypair);
    await client.send(
      [
        await margin.initializeMarket({
          admin: poolAdmin.publicKey,
          lrtMint,
          policy: options.market.policy ?? "MinOfBoth",
          risk: options.market.risk ?? DEFAULT_RISK_PARAMS,
          collateralCap: options.market.collateralCap ?? U64_MAX,
        }),
      ],
      [admin, poolAdmin],
    );
  }
  return {
    lrtMint,
    admin,
    guardian,
    stakeManager,
    stakeManagerWsol,
    members,
    quorum,
    consensusVersion,
    limits,
    genesisTs,
    frameSecs,
  };
}

const lastPriceTs = new Map<string, bigint>();

/** `count` members (default: a quorum) observe `price` now: a market price round (the admin pays). */
export async function priceRound(
  client: LanternClient,
  w: Pick<World, "lrtMint" | "members" | "quorum" | "admin">,
  price: bigint,
  count = w.quorum,
): Promise<void> {
  let now = (await client.clock()).unixTimestamp;
  const signers = w.members.slice(0, count).map((m) => m.signer);
  // An observation must be newer than the member's previous one: wait for the next second if needed.
  while (signers.some((s) => (lastPriceTs.get(s.publicKey.toBase58()) ?? -1n) >= now)) {
    await new Promise((r) => setTimeout(r, 200));
    now = (await client.clock()).unixTimestamp;
  }
  const instructions = await Promise.all(
    signers.map((s) => oracle.submitPrice({ signer: s.publicKey, lrtMint: w.lrtMint, price, observedTs: now })),
  );
  await client.send(instructions, [w.admin, ...signers]);
  for (const s of signers) lastPriceTs.set(s.publicKey.toBase58(), now);
}

/** Asserts that `action` fails with `program`'s error `name`, and returns the error. */
export async function expectProgramError(
  action: Promise<unknown>,
  program: LanternProgramName,
  name: string,
): Promise<LanternProgramError> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${program} ${name}, but it succeeded`).toBeInstanceOf(LanternProgramError);
  const error = caught as LanternProgramError;
  expect({ program: error.program, name: error.name }, error.describe()).toEqual({ program, name });
  expect(error.message.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/\n\s+at /);
  return error;
}
