// What the demo world needs beyond the bootstrap to be alive: shorter frames (so reports are seen in
// minutes, not days), a few leveraged positions to watch, and stake with the "validators".
import {
  decodeFeed,
  feedAddress,
  LanternClient,
  marginInstructions,
  oracleInstructions,
  restakingInstructions,
  subAccountAddress,
  TOKEN_PROGRAM_ID,
  marketAddress,
  lendingPoolAddress,
} from "@lantern/sdk";
import { type DemoManifest, readKeypairFile } from "@lantern/sdk/node";
import { type Connection, type Keypair, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";

export interface DemoKeys {
  admin: Keypair;
  guardian: Keypair;
  stakeManager: Keypair;
  trader: Keypair;
  lrtMint: PublicKey;
}

export const demoKeys = (m: DemoManifest): DemoKeys => ({
  admin: readKeypairFile(m.admin.keypair),
  guardian: readKeypairFile(m.guardian.keypair),
  stakeManager: readKeypairFile(m.stakeManager.keypair),
  trader: readKeypairFile(m.wallets.trader.keypair),
  lrtMint: new PublicKey(m.lrtMint),
});

/** Lamports for fees (the local chain airdrops freely). */
export async function fund(connection: Connection, who: PublicKey, lamports = 10_000_000_000): Promise<void> {
  const signature = await connection.requestAirdrop(who, lamports);
  for (let i = 0; i < 50; i++) {
    const [s] = (await connection.getSignatureStatuses([signature])).value;
    if (s?.confirmationStatus) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Frames of `frameSecs` (fast lane `fastLaneSecs`), staleness after 1.5 frames, and an EMA half-life
 * of `emaHalfLifeSecs`, so a depeg reaches the maintenance price in minutes. Admin only.
 */
export async function configureDemoFrames(
  client: LanternClient,
  keys: DemoKeys,
  p: { frameSecs: number; fastLaneSecs: number; emaHalfLifeSecs: number },
): Promise<void> {
  const committee = await client.committee(keys.lrtMint);
  const limits = {
    ...committee.limits,
    maxReportAgeSecs: Math.ceil(p.frameSecs * 1.5),
    emaHalfLifeSecs: p.emaHalfLifeSecs,
  };
  if (committee.frames.frameSecs !== p.frameSecs || committee.frames.fastLaneSecs !== p.fastLaneSecs)
    await client.send(
      [
        await oracleInstructions.updateFrameConfig({
          admin: keys.admin.publicKey,
          lrtMint: keys.lrtMint,
          frameSecs: p.frameSecs,
          fastLaneSecs: p.fastLaneSecs,
        }),
      ],
      [keys.admin],
    );
  if (
    committee.limits.maxReportAgeSecs !== limits.maxReportAgeSecs ||
    committee.limits.emaHalfLifeSecs !== limits.emaHalfLifeSecs
  )
    await client.send(
      [await oracleInstructions.updateLimits({ admin: keys.admin.publicKey, lrtMint: keys.lrtMint, limits })],
      [keys.admin],
    );
}

/** The stake manager's wSOL account (the validators, on the local chain). */
export async function stakeManagerWsol(connection: Connection, stakeManager: PublicKey): Promise<PublicKey> {
  const accounts = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
    filters: [
      { dataSize: 165 },
      { memcmp: { offset: 0, bytes: "So11111111111111111111111111111111111111112" } },
      { memcmp: { offset: 32, bytes: stakeManager.toBase58() } },
    ],
  });
  if (accounts.length === 0)
    throw new Error(`The stake manager ${stakeManager.toBase58()} has no wSOL account on this chain`);
  return accounts[0]!.pubkey;
}

/** wSOL `lamports` arrive at `account` as staking rewards: SOL airdropped in, then the token balance synced. */
export async function creditRewards(
  connection: Connection,
  client: LanternClient,
  payer: Keypair,
  account: PublicKey,
  lamports: bigint,
) {
  await fund(connection, account, Number(lamports));
  const syncNative = {
    programId: TOKEN_PROGRAM_ID,
    keys: [{ pubkey: account, isSigner: false, isWritable: true }],
    data: Buffer.from([17]),
  };
  await client.send([syncNative], [payer]);
}

/** SPL Token `Transfer` (wSOL cannot be burned): a slashing moves stake out of the validators. */
export async function slashStake(
  client: LanternClient,
  stakeManager: Keypair,
  from: PublicKey,
  to: PublicKey,
  lamports: bigint,
) {
  const data = Buffer.alloc(9);
  data.writeUInt8(3, 0);
  data.writeBigUInt64LE(lamports, 1);
  await client.send(
    [
      {
        programId: TOKEN_PROGRAM_ID,
        keys: [
          { pubkey: from, isSigner: false, isWritable: true },
          { pubkey: to, isSigner: false, isWritable: true },
          { pubkey: stakeManager.publicKey, isSigner: true, isWritable: false },
        ],
        data,
      },
    ],
    [stakeManager],
  );
}

/** Levers sub-account `index` of `owner` up: `equity` of its wSOL plus `borrow` from the pool, all restaked into collateral. */
export async function openPosition(
  client: LanternClient,
  owner: Keypair,
  ownerWsol: PublicKey,
  lrtMint: PublicKey,
  index: number,
  equity: bigint,
  borrow: bigint,
): Promise<PublicKey> {
  const address = subAccountAddress(marketAddress(lendingPoolAddress(), lrtMint), owner.publicKey, index);
  const instructions = [];
  if (!(await client.connection.getAccountInfo(address)))
    instructions.push(await marginInstructions.createSubAccount({ owner: owner.publicKey, lrtMint, index }));
  instructions.push(
    await marginInstructions.leverageUp({
      owner: owner.publicKey,
      lrtMint,
      index,
      ownerWsol,
      equity,
      borrow,
      minLrtOut: 0n,
    }),
  );
  await client.send(instructions, [owner]);
  return address;
}

/** The stake manager delegates `lamports` of the pool's liquid reserve to its validators. */
export async function delegateStake(client: LanternClient, keys: DemoKeys, destination: PublicKey, lamports: bigint) {
  await client.send(
    [
      await restakingInstructions.delegate({
        stakeManager: keys.stakeManager.publicKey,
        lrtMint: keys.lrtMint,
        destination,
        lamports,
      }),
    ],
    [keys.stakeManager],
  );
}

export { LanternClient };

/** Where `decodeFeed` reads the fields `writeMarketPrice` writes (checked by decoding what is written). */
const FEED_AT = {
  marketPrice: 698,
  marketLow: 714,
  marketEma: 746,
  marketEmaLow: 762,
  marketPriceTs: 778,
  marketEmaTs: 786,
} as const;

/**
 * A test lever, for a local chain started with `--test-methods` only (tests and benchmarks): writes the
 * feed of `lrtMint` with `lantern_setAccount` as a committee's agreed price round would leave it — the
 * market price, its robust low and both EMAs at `price` (SOL per LRT, WAD), observed now by the chain's
 * clock (fresh for the feed's `maxPriceAgeSecs`). A depeg (or a recovery) in one write, without nine
 * members and an EMA to wait for; the report side (fair rate, staleness) is left as it is. Returns the
 * chain time written.
 */
export async function writeMarketPrice(connection: Connection, lrtMint: PublicKey, price: bigint): Promise<bigint> {
  const address = feedAddress(lrtMint);
  const [clock, feed] = await connection.getMultipleAccountsInfo([SYSVAR_CLOCK_PUBKEY, address], "confirmed");
  if (!clock || !feed) throw new Error(`No feed for ${lrtMint.toBase58()} on ${connection.rpcEndpoint}`);
  const now = Buffer.from(clock.data).readBigInt64LE(32);
  const data = Buffer.from(feed.data);
  for (const at of [FEED_AT.marketPrice, FEED_AT.marketLow, FEED_AT.marketEma, FEED_AT.marketEmaLow]) {
    data.writeBigUInt64LE(price & 0xffff_ffff_ffff_ffffn, at);
    data.writeBigUInt64LE(price >> 64n, at + 8);
  }
  for (const at of [FEED_AT.marketPriceTs, FEED_AT.marketEmaTs]) data.writeBigInt64LE(now, at);
  const check = decodeFeed(data);
  if (check.marketEmaLow !== price || check.marketLow !== price || check.marketPriceTs !== now)
    throw new Error("The feed's layout changed: update FEED_AT in keeper/src/demo/world.ts from the sdk's decodeFeed");
  const response = await fetch(connection.rpcEndpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "lantern_setAccount",
      params: [
        address.toBase58(),
        { lamports: feed.lamports, owner: feed.owner.toBase58(), data: data.toString("base64") },
      ],
    }),
  });
  const answer = (await response.json()) as { error?: { message: string } };
  if (answer.error) throw new Error(`lantern_setAccount on the feed: ${answer.error.message}`);
  return now;
}
