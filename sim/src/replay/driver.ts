/**
 * The scenario driver: plays one planned path (`replayPlan`) on a local chain while the real keeper fleet
 * acts on it, and reads back what happened. It plays every exogenous actor of the model:
 *
 * - the validators: before each frame starts, the stake manager's account (the members' StakeSource) is
 *   credited or debited so that the pool's backing per LRT is the path's true rate at the frame's
 *   reference time — staking rewards, slashing and commission losses alike;
 * - the DEX: an HTTP price source (the members' PriceSource) serves the path's DEX price, member by
 *   member with the scenario's publisher faults;
 * - the committee's behaviour: scripted offline and late members are paused (SIGSTOP) for their window;
 *   colluding members are paused too and played by the driver with their keys (prices, votes for the
 *   report the model's colluders make, its data), then restarted;
 * - the guardian: confirms a held decrease when the model's guardian does;
 * - lenders: supply is set so that the pool's utilisation follows the path's;
 * - the borrowers: the scenario's population, opened with `leverage_up` at the start.
 *
 * Time: the chain's clock is the path's clock (`chain = T0 + t`, T0 a frame boundary), moved forward
 * with `lantern_warpTime`, from stop to stop of the schedule (`replaySchedule`: every `speed` seconds
 * around the model's liquidations, longer where the EMA and the book allow, every checkpoint); each stop
 * serves the next stop's DEX price and waits for the committee's price round at the new time and for the
 * liquidator (docs/replay.md).
 */
import { createServer, type Server } from "node:http";
import { EventParser } from "@coral-xyz/anchor";
import {
  committeeAddress,
  decodeCommittee,
  decodeFeed,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  feedAddress,
  BPS,
  frameAt,
  frameRefTs,
  isLiquidatable,
  LanternClient,
  lendingPoolAddress,
  marginInstructions,
  marketAddress,
  marketPrices,
  offlinePrograms,
  oracleInstructions,
  PPB,
  restakingInstructions,
  stakePoolAddress,
  subAccountAddress,
  TOKEN_PROGRAM_ID,
  WAD,
  windowDecreasePpb,
} from "@lantern/sdk";
import { type DemoManifest, readDemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { Connection, type Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY, type TransactionInstruction } from "@solana/web3.js";
import { maxDecreaseRate, maxIncreaseRate, RoleScript } from "../models/committee.js";
import { DAY_SECS } from "../models/paths.js";
import { type ReplayPlan, stepAt } from "./plan.js";
import { replaySchedule } from "./schedule.js";
import { type ChainEndpoints, type KeeperFleet, startFleet } from "./processes.js";

const SOL = 1_000_000_000n;
const LAMPORTS = 1e9;

export interface DriveOptions {
  /** The fine stride: chain seconds between stops where the model liquidates (a stop is a wall second or more). */
  speed: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** One liquidation seen on chain. */
export interface ChainLiquidation {
  subAccount: number;
  atSecs: number;
  repaidSol: number;
  /** Collateral that left the sub-account (to the liquidator and the insurance), LRT in the model's units. */
  seizedLrt: number;
  signature: string;
  /** The chain's move that ended at the stop where it landed (seconds): the resolution of its time. */
  strideSecs: number;
}

/** What the chain shows at the end of the replay, in the model's units (SOL, rates relative to the opening). */
export interface ChainOutcome {
  liquidations: ChainLiquidation[];
  badDebtSol: number;
  coveredByInsuranceSol: number;
  socializedSol: number;
  insuranceUsedSol: number;
  bunkerSecs: number;
  staleSecs: number;
  /** Rates and prices divided by the opening fair rate (the model's are too, in the comparison). */
  fairRate: number;
  marketPrice: number | null;
  marketEma: number | null;
  marketEmaLow: number | null;
  utilization: number;
  /** Users' equity at the horizon (collateral at what the LRT redeems for, debt at the borrow index), SOL. */
  equityEndSol: number;
  equityStartSol: number;
  horizonSecs: number;
  /** Sub-accounts that could not be opened as drawn (the opening check refused them), by index. */
  notOpened: number[];
  /** Wall time of the replay, ms, and how many stops it took at the fine stride (`ticks`) and longer (`jumps`). */
  wallMs: number;
  ticks: number;
  jumps: number;
}

interface World {
  connection: Connection;
  client: LanternClient;
  manifest: DemoManifest;
  lrtMint: PublicKey;
  admin: Keypair;
  guardian: Keypair;
  stakeManager: Keypair;
  trader: Keypair;
  lender: Keypair;
  /** The committee members' hot keys, in committee order (the driver signs for colluding members). */
  members: Keypair[];
  validators: PublicKey;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method} failed: ${body.error.message}`);
  return body.result as T;
}

async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** wSOL arrives at a token account: SOL airdropped to it, then its token balance synced. */
async function creditWsol(w: World, account: PublicKey, lamports: bigint, payer: Keypair) {
  let left = lamports;
  // The faucet hands out at most this much per request.
  const chunk = 1_000_000n * SOL;
  while (left > 0n) {
    const amount = left < chunk ? left : chunk;
    await airdrop(w, account, amount);
    left -= amount;
  }
  const syncNative = {
    programId: TOKEN_PROGRAM_ID,
    keys: [{ pubkey: account, isSigner: false, isWritable: true }],
    data: Buffer.from([17]),
  };
  await send(w, [syncNative], [payer]);
}

/** SPL Token `Transfer` out of the validators (wSOL cannot be burned): a loss of stake. */
function transferOut(from: PublicKey, to: PublicKey, authority: PublicKey, lamports: bigint): TransactionInstruction {
  const data = Buffer.alloc(9);
  data.writeUInt8(3, 0);
  data.writeBigUInt64LE(lamports, 1);
  return {
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: from, isSigner: false, isWritable: true },
      { pubkey: to, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: true, isWritable: false },
    ],
    data,
  };
}

/**
 * Sends with the client, again with a fresh blockhash when the chain forgot the one it signed with (the
 * local chain keeps 150 blockhashes, and under a replay's load that can be a few seconds).
 */
async function send(w: World, instructions: TransactionInstruction[], signers: Keypair[]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await w.client.send(instructions, signers);
    } catch (error) {
      if (attempt >= 4 || !/Blockhash not found|block height exceeded|expired/i.test((error as Error).message))
        throw error;
    }
  }
}

async function account<T>(w: World, address: PublicKey, decode: (d: Uint8Array) => T): Promise<T> {
  const info = await w.connection.getAccountInfo(address, "confirmed");
  if (!info) throw new Error(`The account ${address.toBase58()} does not exist on this chain.`);
  return decode(info.data);
}

const chainNow = async (w: World) =>
  Buffer.from((await w.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed"))!.data).readBigInt64LE(32);

const lrtSupply = async (w: World) =>
  Buffer.from((await w.connection.getAccountInfo(w.lrtMint, "confirmed"))!.data).readBigUInt64LE(36);

const toWad = (x: number) => BigInt(Math.round(x * 1e12)) * 1_000_000n;
const fromWad = (x: bigint) => Number(x) / 1e18;

/**
 * A chain with the keeper fleet running on it and the replay's DEX serving the members: the part of a
 * replay that costs a minute to start (11 keeper processes) and that one scenario does not change. Replays
 * on one stage play one after another; each sets its own frames, limits, stake, supply and book.
 */
export interface ReplayStage {
  readonly chain: ChainEndpoints;
  /** Plays `plan` with the stage's fleet and returns the chain's outcome (one replay at a time). */
  drive(plan: ReplayPlan, o: DriveOptions): Promise<ChainOutcome>;
  /** Stops the fleet and the DEX (the chain is the caller's). */
  close(): Promise<void>;
}

/**
 * Opens a stage on the chain at `chain`: funds the payers, delegates the pool's SOL to the validators,
 * serves the DEX and starts the keeper fleet, ready once every member is.
 */
export async function openStage(chain: ChainEndpoints, log?: (line: string) => void): Promise<ReplayStage> {
  const began = Date.now();
  const say = (line: string) => log?.(`${((Date.now() - began) / 1000).toFixed(1)} s: ${line}`);
  const manifest = readDemoManifest(chain.demoDir);
  const connection = new Connection(chain.rpcUrl, "confirmed");
  const w: World = {
    connection,
    client: new LanternClient(connection),
    manifest,
    lrtMint: new PublicKey(manifest.lrtMint),
    admin: readKeypairFile(manifest.admin.keypair),
    guardian: readKeypairFile(manifest.guardian.keypair),
    stakeManager: readKeypairFile(manifest.stakeManager.keypair),
    trader: readKeypairFile(manifest.wallets.trader.keypair),
    lender: readKeypairFile(manifest.wallets.lender.keypair),
    members: manifest.members.map((m) => readKeypairFile(m.signer.keypair)),
    validators: await stakeManagerWsol(connection, manifest),
  };

  // The DEX: what each member's PriceSource reads, stamped with the chain's clock (the members clamp to it anyway).
  const feed0 = await account(w, feedAddress(w.lrtMint), decodeFeed);
  let served = { price: feed0.fairRate, observedAt: 0n };
  let faultFactor: (member: number) => number = () => 1;
  const server: Server = createServer((req, res) => {
    const m = /^\/price\/(\d+)$/.exec((req.url ?? "").split("?")[0]!);
    if (!m) {
      res.writeHead(404).end("The replay's DEX serves GET /price/<member>.\n");
      return;
    }
    const factor = faultFactor(Number(m[1]));
    const price = factor === 1 ? served.price : toWad(fromWad(served.price) * factor);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ price: formatWad(price), observedAt: Number(served.observedAt) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  let clockOffset = 0n;
  const observeNow = async () => {
    const now = await chainNow(w);
    clockOffset = now - BigInt(Math.floor(Date.now() / 1000));
    return now;
  };
  await observeNow();
  const ticker = setInterval(() => {
    served = { ...served, observedAt: BigInt(Math.floor(Date.now() / 1000)) + clockOffset };
  }, 200);

  // The fleet boots (about a minute on a loaded machine) while the payers are funded.
  const fleet = startFleet({
    chain,
    manifest,
    validators: w.validators.toBase58(),
    priceUrl: (i) => `http://127.0.0.1:${port}/price/${i}`,
  });
  say(`fleet starting (keepers' logs kept in memory; ${fleet.members} members, a liquidator and cranker)`);
  const close = async () => {
    clearInterval(ticker);
    await fleet.stop();
    server.close();
  };
  try {
    const payers = [w.admin, w.guardian, w.stakeManager, w.trader, w.lender].map((k) => k.publicKey);
    for (const m of manifest.members) payers.push(new PublicKey(m.signer.pubkey));
    payers.push(new PublicKey(manifest.wallets.liquidator.pubkey));
    for (const p of payers) await airdrop(w, p, 100n * SOL);
    if (
      !(await waitFor(async () => (await Promise.race([fleet.ready.then(() => true), sleep(100)])) === true, 120_000))
    )
      throw new Error(`The keeper members did not all start within two minutes:\n${fleet.lines.slice(-20).join("\n")}`);
    say("fleet ready");
  } catch (error) {
    await close();
    throw error;
  }

  let busy = false;
  let nextBook = FIRST_BOOK;
  return {
    chain,
    close,
    async drive(plan, o) {
      if (busy) throw new Error("A replay is already playing on this stage: replays on one stage play in turn.");
      const book = nextBook;
      if (book + plan.population.equity.length > 0xffff)
        throw new RangeError("The trader's sub-account indexes are used up on this chain.");
      nextBook += plan.population.equity.length;
      busy = true;
      try {
        return await driveOn(plan, w, fleet, book, o, {
          warp: async (secs: number) => {
            if (secs > 0) await rpc(chain.rpcUrl, "lantern_warpTime", [Math.ceil(secs)]);
            return observeNow();
          },
          serve: (price: bigint, faults: (member: number) => number) => {
            served = { ...served, price };
            faultFactor = faults;
          },
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\nLast keeper lines:\n${fleet.lines.slice(-15).join("\n")}`);
      } finally {
        busy = false;
      }
    },
  };
}

/** The first sub-account index of a replay's book (the demo trader's own position is index 0). */
const FIRST_BOOK = 100;

/** Plays `plan` on the stage's chain, from the scenario's committee configuration to the outcome. */
async function driveOn(
  plan: ReplayPlan,
  w: World,
  fleet: KeeperFleet,
  book: number,
  o: DriveOptions,
  io: { warp: (secs: number) => Promise<bigint>; serve: (price: bigint, faults: (member: number) => number) => void },
): Promise<ChainOutcome> {
  const began = Date.now();
  const log = (line: string) => o.log?.(`${((Date.now() - began) / 1000).toFixed(1)} s: ${line}`);
  const scenario = plan.scenario;
  const stride = Math.max(plan.stepSecs, Math.round(o.speed));

  // The chain prices in its own units: every rate and price of the path is scaled by the opening ratio.
  const feed0 = await account(w, feedAddress(w.lrtMint), decodeFeed);
  const scale = fromWad(feed0.fairRate) / plan.model.openFair;

  // The committee runs the scenario's frames and limits. The market price stays fresh for one live tick.
  const committee0 = await account(w, committeeAddress(w.lrtMint), decodeCommittee);
  const frameSecs = Math.round(scenario.committee.frameHours * 3600);
  const limits = scenario.committee.limits;
  const livePriceAge = Math.max(scenario.oracle.maxPriceAgeSecs, stride);
  const chainLimits = (maxPriceAgeSecs: number) => ({
    annualIncreaseLimitBps: limits.annualIncreaseLimitBps,
    maxPositiveRebasePpb: BigInt(limits.maxPositiveRebasePpb),
    maxDecreaseBps: limits.maxDecreaseBps,
    decreaseWindowSecs: Math.round(limits.decreaseWindowDays * DAY_SECS),
    minRate: toWad(limits.minRate * scale),
    maxRate: toWad(limits.maxRate * scale),
    maxReportAgeSecs: Math.round(limits.maxReportAgeHours * 3600),
    maxPriceAgeSecs,
    emaHalfLifeSecs: scenario.oracle.emaHalfLifeSecs,
    maxConfidenceBps: scenario.oracle.maxConfidenceBps,
  });
  // Quiet jumps (and the opening): observations stay fresh for a frame, so the first round after a jump
  // moves the EMA for the whole jump (as a minute-by-minute committee would at a steady price) instead of
  // one price age.
  const setLimits = async (maxPriceAgeSecs: number, frames: boolean) =>
    send(
      w,
      [
        ...(frames
          ? [
              await oracleInstructions.updateFrameConfig({
                admin: w.admin.publicKey,
                lrtMint: w.lrtMint,
                frameSecs,
                fastLaneSecs: Math.round(scenario.committee.fastLaneMinutes * 60),
              }),
            ]
          : []),
        await oracleInstructions.updateLimits({
          admin: w.admin.publicKey,
          lrtMint: w.lrtMint,
          limits: chainLimits(maxPriceAgeSecs),
        }),
      ],
      [w.admin],
    );
  let priceAge = frameSecs;
  await setLimits(priceAge, true);
  const setPriceAge = async (secs: number) => {
    if (secs === priceAge) return;
    priceAge = secs;
    await setLimits(secs, false);
  };
  if (committee0.quorum !== scenario.committee.quorum || committee0.memberCount !== scenario.committee.members)
    throw new Error(
      `The chain's committee has ${committee0.memberCount} members and quorum ${committee0.quorum}; the scenario needs ${scenario.committee.members} and ${scenario.committee.quorum}.`,
    );
  const market0 = await account(w, marketAddress(lendingPoolAddress(), w.lrtMint), decodeMarket);
  if (market0.policy !== scenario.policy)
    throw new Error(`The chain's market prices with ${market0.policy}; the scenario uses ${scenario.policy}.`);

  const outcome = await play(plan, w, fleet, {
    stride,
    scale,
    frameSecs,
    book,
    log,
    began,
    warp: io.warp,
    setPriceAge: (quiet: boolean) => setPriceAge(quiet ? frameSecs : livePriceAge),
    serve: (price: number, faults: (member: number) => number) => io.serve(toWad(price * scale), faults),
  });
  await retireBook(w, { first: book, n: plan.population.equity.length });
  return outcome;
}

const formatWad = (wad: bigint) => `${wad / WAD}.${(wad % WAD).toString().padStart(18, "0")}`;

/** An airdrop that has landed (a replay's later steps count on the SOL being there). */
async function airdrop(w: World, who: PublicKey, lamports: bigint) {
  const signature = await w.connection.requestAirdrop(who, Number(lamports));
  const landed = await waitFor(
    async () => (await w.connection.getSignatureStatuses([signature])).value[0]?.confirmationStatus,
    60_000,
  );
  if (!landed) throw new Error(`An airdrop of ${lamports} lamports to ${who.toBase58()} did not land within a minute.`);
}

/** The stake manager's wSOL account: the validators, on the local chain. */
async function stakeManagerWsol(connection: Connection, manifest: DemoManifest): Promise<PublicKey> {
  const accounts = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
    filters: [
      { dataSize: 165 },
      { memcmp: { offset: 0, bytes: "So11111111111111111111111111111111111111112" } },
      { memcmp: { offset: 32, bytes: manifest.stakeManager.pubkey } },
    ],
  });
  if (accounts.length === 0)
    throw new Error(`The stake manager ${manifest.stakeManager.pubkey} has no wSOL account on this chain.`);
  return accounts[0]!.pubkey;
}

interface PlayContext {
  stride: number;
  scale: number;
  frameSecs: number;
  /** The first sub-account index of the replay's book. */
  book: number;
  log: (line: string) => void;
  began: number;
  warp: (secs: number) => Promise<bigint>;
  /** Quiet jumps keep observations fresh for a frame; live ticks for one tick. */
  setPriceAge: (quiet: boolean) => Promise<void>;
  serve: (price: number, faults: (member: number) => number) => void;
}

async function play(plan: ReplayPlan, w: World, fleet: KeeperFleet, c: PlayContext): Promise<ChainOutcome> {
  const scenario = plan.scenario;
  const horizon = plan.steps[plan.steps.length - 1]!.t;
  const roles = new RoleScript(scenario.committee);
  const faults = scenario.oracle.faults.map((f) => ({
    members: new Set(f.members),
    from: f.fromDay * DAY_SECS,
    to: f.fromDay * DAY_SECS + f.hours * 3600,
    factor: f.factor,
  }));
  const quorum = scenario.committee.quorum;
  const lateHours = scenario.committee.lateDelayHours[0];
  /** The member observes prices (its process, or the driver for a colluding member). */
  const online = (m: number, t: number) => {
    const role = roles.roleAt(m, t);
    if (role === "offline") return false;
    if (role === "late") return t % c.frameSecs >= lateHours * 3600;
    return true;
  };
  const colluding = (m: number, t: number) => roles.roleAt(m, t) === "colluding";
  /** The member's own process runs: online and not colluding (the driver signs for colluders). */
  const runs = (m: number, t: number) => online(m, t) && !colluding(m, t);
  const collusion = scenario.committee.collusion.direction;
  const colludeFactor = 1 + scenario.oracle.colludingDeviationBps * 1e-4;
  const faultsAt = (t: number) => (m: number) =>
    faults.reduce((f, x) => (t >= x.from && t < x.to && x.members.has(m) ? f * x.factor : f), 1);
  // Members whose key the driver signed with while their process was paused: that process would take the
  // driver's observations for a second signer's (the keeper's guard) and stop, so it is restarted instead.
  const played = new Set<number>();
  const restart = async (members: number[]) => {
    if (members.length === 0) return;
    c.log(`members ${members.join(", ")} leave the collusion: their processes restart`);
    for (const m of members) played.delete(m);
    await Promise.all(members.map((m) => fleet.restartMember(m)));
  };
  const setRunning = async (t: number) => {
    const back: number[] = [];
    for (let m = 0; m < fleet.members; m++) {
      const run = runs(m, t);
      if (run && played.has(m)) back.push(m);
      else fleet.setMemberOnline(m, run);
    }
    await restart(back);
  };
  /** Members whose votes can count for a report at `t` (withholding colluders abstain). */
  const onlineCount = (t: number) =>
    Array.from(
      { length: fleet.members },
      (_, m) => online(m, t) && !(colluding(m, t) && collusion === "withhold"),
    ).filter(Boolean).length;
  const colludersAt = (t: number) =>
    Array.from({ length: fleet.members }, (_, m) => m).filter((m) => online(m, t) && colluding(m, t));

  // T0: a frame boundary of the chain at least a frame ahead; path time t is chain time T0 + t from here on.
  // The opening round then counts a whole frame of EMA (the limits allow a frame's price age until the
  // loop starts), so the market opens at the served price whatever an earlier replay on this chain left.
  // And past the decrease window of every decrease the feed recorded (an earlier replay's slashing or
  // collusion): the path's decreases find the whole budget, as in the model.
  const committee = await account(w, committeeAddress(w.lrtMint), decodeCommittee);
  const now0 = await c.warp(0);
  const genesis = committee.frames.anchorTs;
  const F = BigInt(c.frameSecs);
  const feedBefore = await account(w, feedAddress(w.lrtMint), decodeFeed);
  const windowSecs = BigInt(Math.round(scenario.committee.limits.decreaseWindowDays * DAY_SECS));
  const clearOf = feedBefore.decreases.reduce(
    (a, d) => (d.ppb > 0n && d.refTs + windowSecs > a ? d.refTs + windowSecs : a),
    now0,
  );
  const T0 = genesis + ((clearOf - genesis) / F + 2n) * F;
  const pathNow = async () => Number((await c.warp(0)) - T0);
  const warpTo = async (t: number) => {
    const now = await c.warp(0);
    const target = T0 + BigInt(Math.round(t));
    return c.warp(Number(target - now));
  };

  // Opening: the book's true rate and a price round at the fair rate, then every sub-account levered up.
  const n = plan.population.equity.length;
  const book = { first: c.book, n };
  for (let m = 0; m < fleet.members; m++) fleet.setMemberOnline(m, runs(m, 0));
  c.serve(plan.model.openFair, () => 1);
  await setStake(w, plan.steps[0]!.trueRate * c.scale, 0n);
  await warpTo(0);
  const frame0 = frameAt(committee.frames, T0)!;
  await settle(w, fleet, { frame: frame0, quorumOnline: true, t0: T0, at: 0, book, log: c.log });
  const opening = await account(w, feedAddress(w.lrtMint), decodeFeed);
  if (opening.bunker || opening.held.frame !== 0n)
    throw new Error(
      "The feed is in bunker mode (or holds a decrease) after the opening report: an earlier replay on this chain left it there, and the path opens on a calm feed.",
    );
  await waitFor(async () => {
    const feed = await account(w, feedAddress(w.lrtMint), decodeFeed);
    const fair = feed.fairRate;
    return feed.marketEmaLow >= (fair * 9_995n) / 10_000n && feed.marketLow >= (fair * 9_995n) / 10_000n;
  }, 60_000);
  await supplyFor(w, plan);
  const notOpened = await openBook(w, plan, c.book, c.log);
  const pool0 = await account(w, lendingPoolAddress(), decodeLendingPool);
  const equityStartSol = plan.population.equity.reduce((a, b) => a + b, 0);
  c.log(`opened ${n - notOpened.length} of ${n} sub-accounts at chain time T0 + ${await pathNow()} s`);

  // The timeline: the schedule's stops (fine around the model's liquidations and where it grazes the
  // frontier, longer where the EMA and the book allow), every checkpoint among them.
  const checkpoints = new Set<number>();
  for (let f = c.frameSecs; f <= horizon; f += c.frameSecs) checkpoints.add(f);
  for (const b of roles.boundaries()) if (b > 0 && b < horizon) checkpoints.add(b);
  for (const f of faults) for (const b of [f.from, f.to]) if (b > 0 && b < horizon) checkpoints.add(b);
  // A late member comes back `lateHours` into each frame of its window.
  for (let f = 0; f < horizon; f += c.frameSecs) {
    const back = f + lateHours * 3600;
    if (
      back > 0 &&
      back < horizon &&
      Array.from({ length: fleet.members }, (_, m) => roles.roleAt(m, f) === "late").some(Boolean)
    )
      checkpoints.add(back);
  }
  let prevHeld = false;
  for (const s of plan.steps) {
    if (prevHeld && !s.held) checkpoints.add(s.t);
    prevHeld = s.held;
  }
  checkpoints.add(horizon);
  const stops = replaySchedule(plan, {
    fine: c.stride,
    maxStrideSecs: c.frameSecs,
    checkpoints: [...checkpoints],
  });
  const allOnlineOver = (a: number, b: number) =>
    Array.from({ length: fleet.members }, (_, m) => online(m, a) && online(m, b)).every(Boolean);
  // The price a stop serves: the first round at a stop counts the observations of the stop before (they
  // are fresh for the move), so a stop serves the next stop's price — the EMA then moves by the whole move
  // toward the price at its end, as a chain fed every second would at a steady price. While a member is
  // paused the observations are fresh for a fine stride only, and a stop serves its own price.
  let servedFor = 0;
  const serveAt = (k: number) => {
    const here = stops[k]!;
    const after = stops[k + 1];
    servedFor = after !== undefined && allOnlineOver(here, after) ? after : here;
    c.serve(stepAt(plan, servedFor).dexPrice, faultsAt(servedFor));
  };
  let t = 0;
  let bunkerSecs = 0;
  let staleSecs = 0;
  let ticks = 0;
  let jumps = 0;
  let lastReport = Date.now();
  const moves: [number, number][] = [];
  // The first move's price, served before it (the members observe it during the opening's last seconds).
  if (stops.length > 0 && allOnlineOver(0, stops[0]!)) {
    const served = await pathNow();
    servedFor = stops[0]!;
    c.serve(stepAt(plan, servedFor).dexPrice, faultsAt(servedFor));
    await playColluders(w, {
      members: colludersAt(0),
      price: (m) => stepAt(plan, servedFor).dexPrice * faultsAt(servedFor)(m) * colludeFactor * c.scale,
    });
    await waitFor(
      async () => (await account(w, feedAddress(w.lrtMint), decodeFeed)).marketPriceTs > T0 + BigInt(served),
      15_000,
    );
  }
  for (let k = 0; k < stops.length; k++) {
    const next = stops[k]!;
    const frameStart = next % c.frameSecs === 0;
    const feed = await account(w, feedAddress(w.lrtMint), decodeFeed);
    if (feed.bunker) bunkerSecs += next - t;
    // Reports land only at checkpoints, so the feed turns stale at a known time inside the interval.
    const staleFrom = Number(feed.lastReportRefTs + BigInt(feed.maxReportAgeSecs) - T0);
    staleSecs += Math.max(0, next - Math.max(t, staleFrom));
    // The validators move before the frame's reference time: members read the state as of the frame start.
    if (frameStart) {
      const rate = stepAt(plan, next).trueRate;
      // Where the path's rate did not fall over the frame, the chain's must not either, not even by the
      // rounding of a recomputed stake: the oracle counts a decrease of one unit (1 ppb, rounded up) and
      // turns bunker mode on for the frame.
      const floor = rate >= stepAt(plan, next - c.frameSecs).trueRate ? feed.reportedRate : 0n;
      await setStake(w, rate * c.scale, floor);
    }
    await c.setPriceAge(allOnlineOver(t, next));
    await setRunning(next);
    serveAt(k);
    await warpTo(next);
    // Colluding members, played by the driver with their keys: their observations at the new time, and at a
    // frame start the report the model's colluders vote for, through the oracle's own sanity rules.
    const colluders = colludersAt(next);
    for (const m of colluders) played.add(m);
    await playColluders(w, {
      members: colluders,
      price: (m) => stepAt(plan, servedFor).dexPrice * faultsAt(servedFor)(m) * colludeFactor * c.scale,
      report: frameStart && collusion !== "withhold" ? collusion : undefined,
      quorum,
      log: c.log,
    });
    const step = stepAt(plan, next);
    if (!step.held) await confirmHeld(w);
    await settle(w, fleet, {
      frame: frameStart ? frameAt(committee.frames, T0 + BigInt(next)) : undefined,
      quorumOnline: onlineCount(next) >= quorum,
      t0: T0,
      at: next,
      book,
      log: c.log,
    });
    if (frameStart) await supplyFor(w, plan, step.utilization);
    if (next - t <= c.stride) ticks++;
    else jumps++;
    moves.push([t, next]);
    t = next;
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      c.log(
        `day ${(t / DAY_SECS).toFixed(2)} of ${(horizon / DAY_SECS).toFixed(1)} (${ticks} fine stops, ${jumps} longer)`,
      );
    }
  }
  // The fleet as it was: every member's own process running (colluders' restarted).
  await restart([...played]);
  for (let m = 0; m < fleet.members; m++) fleet.setMemberOnline(m, true);
  const outcome = await readOutcome(w, plan, {
    book,
    moves,
    T0,
    scale: c.scale,
    pool0,
    equityStartSol,
    horizon,
  });
  return {
    ...outcome,
    bunkerSecs,
    staleSecs,
    notOpened,
    wallMs: Date.now() - c.began,
    ticks,
    jumps,
  };
}

/**
 * Credits or debits the validators so that the pool's backing per LRT is `rate` (SOL per LRT, chain units)
 * and at least `floor` (a WAD rate; 0n: none), rounded up so that the members' quotient is not below it.
 */
async function setStake(w: World, rate: number, floor: bigint) {
  const pool = await account(w, stakePoolAddress(w.lrtMint), decodeStakePool);
  const supply = await lrtSupply(w);
  let staked = await w.client.tokenBalance(w.validators);
  const wad = toWad(rate) > floor ? toWad(rate) : floor;
  const backing = (wad * supply + WAD - 1n) / WAD;
  let liquid = pool.reserveLamports - pool.lockedLamports;
  // The validators hold 80% of the backing, as in production, and the reserve keeps instant exits open.
  // SOL that entered the reserve since the last frame (the book's leverage_up) is delegated first: a
  // slashing takes stake from the validators, so the stake must be there to take.
  const reserve = backing / 5n;
  if (liquid > reserve + SOL) {
    await send(
      w,
      [
        await restakingInstructions.delegate({
          stakeManager: w.stakeManager.publicKey,
          lrtMint: w.lrtMint,
          destination: w.validators,
          lamports: liquid - reserve,
        }),
      ],
      [w.stakeManager],
    );
    staked += liquid - reserve;
    liquid = reserve;
  }
  const target = backing - liquid;
  if (target < 0n)
    throw new Error(
      `The pool's liquid reserve alone backs more than the path's rate ${rate}: the validators cannot play it (a stake below zero).`,
    );
  if (target > staked) await creditWsol(w, w.validators, target - staked, w.stakeManager);
  else if (target < staked) {
    const sink = new PublicKey(w.manifest.wallets.lender.wsol);
    await send(w, [transferOut(w.validators, sink, w.stakeManager.publicKey, staked - target)], [w.stakeManager]);
  }
}

/** The guardian confirms a held decrease (the model's guardian confirmed it by now). */
async function confirmHeld(w: World) {
  const feed = await account(w, feedAddress(w.lrtMint), decodeFeed);
  if (feed.held.frame === 0n) return;
  await send(
    w,
    [
      await oracleInstructions.confirmHeldDecrease({
        guardian: w.guardian.publicKey,
        lrtMint: w.lrtMint,
        frame: feed.held.frame,
      }),
    ],
    [w.guardian],
  );
}

/** Lender supply such that the pool's utilisation is `utilization` with the book's current debt. */
async function supplyFor(w: World, plan: ReplayPlan, utilization = plan.steps[0]!.utilization) {
  const pool = await account(w, lendingPoolAddress(), decodeLendingPool);
  const debt = (pool.debtShares * pool.borrowIndex) / WAD;
  const planned =
    debt > 0n
      ? debt
      : BigInt(
          Math.ceil(
            Array.from(plan.population.equity).reduce((a, e, i) => a + e * (plan.population.leverage[i]! - 1), 0) *
              LAMPORTS,
          ),
        );
  const claims = (pool.supplyShares * pool.supplyIndex) / WAD;
  const target = BigInt(Math.ceil(Number(planned) / Math.max(0.05, Math.min(0.95, utilization))));
  const lenderWsol = new PublicKey(w.manifest.wallets.lender.wsol);
  if (target > claims + SOL) {
    const amount = target - claims;
    await creditWsol(w, lenderWsol, amount, w.lender);
    await send(
      w,
      [await marginInstructions.supply({ owner: w.lender.publicKey, source: lenderWsol, amount })],
      [w.lender],
    );
  } else if (target + SOL < claims && debt > 0n) {
    const position = await w.client.lenderPosition(w.lender.publicKey);
    const shares = ((claims - target) * WAD) / pool.supplyIndex;
    const withdrawable = position ? (shares < position.shares ? shares : position.shares) : 0n;
    if (withdrawable > 0n)
      await send(
        w,
        [
          await marginInstructions.withdrawSupply({
            owner: w.lender.publicKey,
            destination: lenderWsol,
            shares: withdrawable,
          }),
        ],
        [w.lender],
      );
  }
}

/** Opens the population: sub-account i gets equity E_i and borrows (L_i − 1)·E_i through leverage_up. */
async function openBook(w: World, plan: ReplayPlan, first: number, log: (line: string) => void): Promise<number[]> {
  const { equity, leverage } = plan.population;
  const n = equity.length;
  const traderWsol = new PublicKey(w.manifest.wallets.trader.wsol);
  const total = equity.reduce((a, b) => a + b, 0);
  await creditWsol(w, traderWsol, BigInt(Math.ceil(total * LAMPORTS)) + SOL, w.trader);
  const notOpened: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = BigInt(Math.floor(equity[i]! * LAMPORTS));
    const b = BigInt(Math.floor((leverage[i]! - 1) * equity[i]! * LAMPORTS));
    const index = first + i;
    try {
      await send(
        w,
        [
          await marginInstructions.createSubAccount({ owner: w.trader.publicKey, lrtMint: w.lrtMint, index }),
          await marginInstructions.leverageUp({
            owner: w.trader.publicKey,
            lrtMint: w.lrtMint,
            index,
            ownerWsol: traderWsol,
            equity: e,
            borrow: b,
            minLrtOut: 0n,
          }),
        ],
        [w.trader],
      );
    } catch (error) {
      notOpened.push(i);
      log(`sub-account ${i} (${leverage[i]!.toFixed(2)}×) was not opened: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return notOpened;
}

/** The chain's sub-accounts of a replay's book: the trader's indexes `first` to `first + n − 1`. */
interface Book {
  first: number;
  n: number;
}

const bookAddresses = (w: World, book: Book) =>
  Array.from({ length: book.n }, (_, i) =>
    subAccountAddress(marketAddress(lendingPoolAddress(), w.lrtMint), w.trader.publicKey, book.first + i),
  );

/**
 * Repays the book's remaining debt, so that an earlier replay's sub-accounts are never liquidated, never
 * borrow and never count in the utilisation of a later replay on the same chain.
 */
async function retireBook(w: World, book: Book) {
  const pool = await account(w, lendingPoolAddress(), decodeLendingPool);
  const infos = await w.connection.getMultipleAccountsInfo(bookAddresses(w, book), "confirmed");
  const debts = infos.map((info) =>
    info ? (decodeSubAccount(info.data).debtShares * pool.borrowIndex + WAD - 1n) / WAD : 0n,
  );
  const total = debts.reduce((a, b) => a + b, 0n);
  if (total === 0n) return;
  const traderWsol = new PublicKey(w.manifest.wallets.trader.wsol);
  // A day of interest margin: repay takes at most the debt.
  await creditWsol(w, traderWsol, total + total / 100n + SOL, w.trader);
  const repays = await Promise.all(
    debts.flatMap((debt, i) =>
      debt > 0n
        ? [
            marginInstructions.repay({
              payer: w.trader.publicKey,
              lrtMint: w.lrtMint,
              subAccount: { owner: w.trader.publicKey, index: book.first + i },
              source: traderWsol,
              amount: debt + debt / 100n + 1n,
            }),
          ]
        : [],
    ),
  );
  for (let i = 0; i < repays.length; i += 4) await send(w, repays.slice(i, i + 4), [w.trader]);
}

/**
 * The colluding members' part at a stop, signed by the driver with their keys: a price observation each
 * (the served price, times the scenario's colluding deviation), and at a frame start their vote for the
 * report the model's colluders make — `down`: the rate that takes exactly the decrease budget left in the
 * window (applied, never held), `up`: the largest increase the annual limit accepts — computed from the
 * chain's own feed with the model's functions, then its data. The oracle program applies its sanity rules.
 */
async function playColluders(
  w: World,
  o: {
    members: number[];
    /** SOL per LRT in chain units for member m's observation. */
    price: (m: number) => number;
    report?: "down" | "up";
    quorum?: number;
    log?: (line: string) => void;
  },
) {
  if (o.members.length === 0) return;
  const keys = o.members.map((m) => w.members[m]!);
  const now = await chainNow(w);
  const prices = await Promise.all(
    o.members.map((m, i) =>
      oracleInstructions.submitPrice({
        signer: keys[i]!.publicKey,
        lrtMint: w.lrtMint,
        price: toWad(o.price(m)),
        observedTs: now,
      }),
    ),
  );
  await send(w, prices, keys);
  if (!o.report) return;
  const [committee, feed] = await Promise.all([
    account(w, committeeAddress(w.lrtMint), decodeCommittee),
    account(w, feedAddress(w.lrtMint), decodeFeed),
  ]);
  const frame = frameAt(committee.frames, now);
  if (frame === undefined || committee.lastProcessedFrame >= frame) return;
  const refTs = frameRefTs(committee.frames, frame);
  const limits = committee.limits;
  let rate: bigint;
  if (o.report === "up") rate = maxIncreaseRate(limits, feed.reportedRate, refTs - feed.lastReportRefTs);
  else {
    const budget = BigInt(limits.maxDecreaseBps) * (PPB / BPS);
    const used = windowDecreasePpb(feed.decreases, refTs, limits.decreaseWindowSecs);
    rate = maxDecreaseRate(feed.reportedRate, budget - used);
    if (rate < limits.minRate) rate = limits.minRate;
  }
  const report = oracleInstructions.accountingReport({
    lrtMint: w.lrtMint,
    frame,
    rate,
    stakedLamports: await w.client.tokenBalance(w.validators),
    consensusVersion: committee.consensusVersion,
  });
  const votes = await Promise.all(
    keys.map((k) => oracleInstructions.voteForReport({ signer: k.publicKey, lrtMint: w.lrtMint, report })),
  );
  await send(w, votes, keys);
  if (o.members.length < (o.quorum ?? committee.quorum)) return;
  await send(
    w,
    [await oracleInstructions.submitReportData({ signer: keys[0]!.publicKey, lrtMint: w.lrtMint, report })],
    [keys[0]!],
  );
  o.log?.(`frame ${frame}: the colluders' report of ${fromWad(rate)} (reported ${fromWad(feed.reportedRate)}) landed`);
}

/**
 * After a move: the report of a new frame (when a quorum is online), a price round at the new time, and
 * the liquidator done with every sub-account liquidatable at the chain's maintenance price.
 */
async function settle(
  w: World,
  fleet: KeeperFleet,
  o: { frame: bigint | undefined; quorumOnline: boolean; t0: bigint; at: number; book: Book; log: (l: string) => void },
) {
  const target = o.t0 + BigInt(o.at);
  if (o.frame !== undefined && o.quorumOnline) {
    const reported = await waitFor(
      async () => (await account(w, committeeAddress(w.lrtMint), decodeCommittee)).lastProcessedFrame >= o.frame!,
      30_000,
    );
    if (!reported) o.log(`frame ${o.frame}: no report landed within 30 s (${fleet.lines.slice(-1)[0] ?? ""})`);
  }
  if (o.quorumOnline)
    await waitFor(async () => (await account(w, feedAddress(w.lrtMint), decodeFeed)).marketPriceTs >= target, 15_000);
  if (o.book.n === 0) return;
  const addresses = bookAddresses(w, o.book);
  let last = "";
  let since = Date.now();
  await waitFor(async () => {
    const [feed, market, pool, now] = await Promise.all([
      account(w, feedAddress(w.lrtMint), decodeFeed),
      account(w, marketAddress(lendingPoolAddress(), w.lrtMint), decodeMarket),
      account(w, lendingPoolAddress(), decodeLendingPool),
      chainNow(w),
    ]);
    let maint: bigint;
    try {
      maint = marketPrices(market, feed, now).maint;
    } catch {
      return true;
    }
    const infos = await w.connection.getMultipleAccountsInfo(addresses, "confirmed");
    const open: string[] = [];
    infos.forEach((info, i) => {
      if (!info) return;
      const s = decodeSubAccount(info.data);
      const debt = (s.debtShares * pool.borrowIndex + WAD - 1n) / WAD;
      if (s.debtShares > 0n && isLiquidatable(debt, s.collateral, maint, market.risk.ltBps))
        open.push(`${i}:${s.debtShares}`);
    });
    const key = open.join(",");
    if (key !== last) {
      last = key;
      since = Date.now();
    }
    // Done when nobody is liquidatable, or when the liquidator has left the rest alone for 3 s (unprofitable).
    return open.length === 0 || Date.now() - since > 3_000;
  }, 20_000);
}

async function readOutcome(
  w: World,
  plan: ReplayPlan,
  o: {
    book: Book;
    /** The chain's moves, [from, to] in path seconds. */
    moves: [number, number][];
    T0: bigint;
    scale: number;
    pool0: Awaited<ReturnType<typeof decodeLendingPool>>;
    equityStartSol: number;
    horizon: number;
  },
): Promise<Omit<ChainOutcome, "bunkerSecs" | "staleSecs" | "notOpened" | "wallMs" | "ticks" | "jumps">> {
  const addresses = bookAddresses(w, o.book);
  const margin = offlinePrograms().margin;
  const parser = new EventParser(margin.programId, margin.coder);
  const openT = plan.steps[0]!.t;
  const liquidations: ChainLiquidation[] = [];
  let badDebt = 0n;
  let covered = 0n;
  let socialized = 0n;
  for (const [i, address] of addresses.entries()) {
    const signatures = await w.connection.getSignaturesForAddress(address, { limit: 1000 }, "confirmed");
    for (const s of signatures.reverse()) {
      if (s.err) continue;
      const tx = await w.connection.getTransaction(s.signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      for (const event of parser.parseLogs(tx?.meta?.logMessages ?? [])) {
        const data = event.data as Record<string, { toString(): string }>;
        if (event.name === "liquidated" || event.name === "Liquidated") {
          const pathT = Number(BigInt(tx?.blockTime ?? 0) - o.T0);
          const move = [...o.moves].reverse().find(([, to]) => to <= pathT);
          liquidations.push({
            subAccount: i,
            atSecs: pathT - openT,
            strideSecs: move ? move[1] - move[0] : 0,
            repaidSol: Number(data.repaid!.toString()) / LAMPORTS,
            // The chain's LRT is worth `scale` times the model's: one SOL buys 1/scale as many.
            seizedLrt: (Number(data.seized!.toString()) / LAMPORTS) * o.scale,
            signature: s.signature,
          });
        }
        if (event.name === "badDebtSettled" || event.name === "BadDebtSettled") {
          badDebt += BigInt(data.debt!.toString());
          covered += BigInt(data.coveredByInsurance?.toString() ?? data.covered_by_insurance!.toString());
          socialized += BigInt(data.socialized!.toString());
        }
      }
    }
  }
  // Interest up to the horizon, so that debts compare with the model's at the same time.
  await send(w, [await marginInstructions.accrueInterest()], [w.trader]).catch(() => undefined);
  const [feed, pool] = await Promise.all([
    account(w, feedAddress(w.lrtMint), decodeFeed),
    account(w, lendingPoolAddress(), decodeLendingPool),
  ]);
  const now = await chainNow(w);
  // Users' equity is marked where the model marks it: what the LRT redeems for on the path at the horizon.
  const redeem = plan.model.last.redemptionRate * o.scale;
  const infos = await w.connection.getMultipleAccountsInfo(addresses, "confirmed");
  let equityEnd = 0;
  for (const info of infos) {
    if (!info) continue;
    const s = decodeSubAccount(info.data);
    const debt = Number((s.debtShares * pool.borrowIndex + WAD - 1n) / WAD) / LAMPORTS;
    const value = (Number(s.collateral) / LAMPORTS) * redeem;
    if (value > debt) equityEnd += value - debt;
  }
  const debt = Number((pool.debtShares * pool.borrowIndex) / WAD);
  const claims = Number((pool.supplyShares * pool.supplyIndex) / WAD);
  const fresh = feed.marketPrice > 0n && now - feed.marketPriceTs <= BigInt(feed.maxPriceAgeSecs);
  const rel = (x: bigint) => fromWad(x) / o.scale;
  return {
    liquidations,
    badDebtSol: Number(badDebt) / LAMPORTS,
    coveredByInsuranceSol: Number(covered) / LAMPORTS,
    socializedSol: Number(socialized) / LAMPORTS,
    insuranceUsedSol: Math.max(0, Number(o.pool0.insurance - pool.insurance) / LAMPORTS),
    fairRate: rel(feed.fairRate),
    marketPrice: fresh ? rel(feed.marketPrice) : null,
    marketEma: feed.marketEma > 0n ? rel(feed.marketEma) : null,
    marketEmaLow: feed.marketEmaLow > 0n ? rel(feed.marketEmaLow) : null,
    utilization: claims > 0 ? debt / claims : 0,
    equityEndSol: equityEnd,
    equityStartSol: o.equityStartSol,
    horizonSecs: o.horizon - openT,
  };
}
