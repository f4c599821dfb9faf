// A snapshot of the demo world for the status screen `npm start` shows until the trader UI lands.
import { BorshAccountsCoder, type Idl } from "@coral-xyz/anchor";
import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import oracleIdl from "../idl/oracle.json" with { type: "json" };
import restakingIdl from "../idl/restaking.json" with { type: "json" };
import marginIdl from "../idl/margin.json" with { type: "json" };

/** The file `lantern-localnet --bootstrap-demo <dir>` writes as `<dir>/demo.json`. */
export interface DemoManifest {
  programs: { oracle: string; restaking: string; margin: string };
  lrtMint: string;
  committee: string;
  feed: string;
  stakePool: string;
  lendingPool: string;
  market: string;
  members: { authority: { pubkey: string }; signer: { pubkey: string } }[];
  wallets: Record<string, { pubkey: string; keypair: string; wsol: string; lrt: string }>;
  traderSubAccount: { address: string; collateralVault: string; index: number };
}

const WAD = 10n ** 18n;
const coders = {
  oracle: new BorshAccountsCoder(oracleIdl as Idl),
  restaking: new BorshAccountsCoder(restakingIdl as Idl),
  margin: new BorshAccountsCoder(marginIdl as Idl),
};

// Anchor's coder returns BN for wide integers; the status works in bigint.
const big = (value: { toString(): string }) => BigInt(value.toString());

export interface DemoStatus {
  slot: number;
  unixTime: bigint;
  committee: { members: number; quorum: number; lastProcessedFrame: bigint; currentFrame: bigint | null; paused: boolean; consensusDisabled: boolean };
  feed: { fairRate: bigint; reportedRate: bigint; stale: boolean; bunker: boolean; marketPrice: bigint | null; marketEma: bigint; marketConfidence: bigint; heldFrame: bigint };
  stakePool: { reserveLamports: bigint; stakedLamports: bigint; lockedLamports: bigint; queuedTickets: bigint };
  lendingPool: { cash: bigint; totalDebt: bigint; insurance: bigint; utilizationBps: bigint; supplyIndex: bigint; borrowIndex: bigint; frozen: boolean };
  market: { policy: string; ltvInitBps: number; ltBps: number; paused: boolean; collateralTotal: bigint };
  trader: { collateral: bigint; debt: bigint } | null;
}

async function decode(connection: Connection, address: string, coder: BorshAccountsCoder, name: string) {
  const info = await connection.getAccountInfo(new PublicKey(address));
  if (!info) throw new Error(`account ${address} (${name}) not found`);
  return coder.decode(name, info.data);
}

const mulDivCeil = (a: bigint, b: bigint, c: bigint) => (a * b + c - 1n) / c;

export async function demoStatus(connection: Connection, demo: DemoManifest): Promise<DemoStatus> {
  const [slot, clockInfo] = await Promise.all([connection.getSlot(), connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY)]);
  const unixTime = clockInfo ? clockInfo.data.readBigInt64LE(32) : 0n;
  const committee = await decode(connection, demo.committee, coders.oracle, "Committee");
  const feed = await decode(connection, demo.feed, coders.oracle, "Feed");
  const stakePool = await decode(connection, demo.stakePool, coders.restaking, "StakePool");
  const pool = await decode(connection, demo.lendingPool, coders.margin, "LendingPool");
  const market = await decode(connection, demo.market, coders.margin, "Market");
  const subInfo = await connection.getAccountInfo(new PublicKey(demo.traderSubAccount.address));
  const sub = subInfo ? coders.margin.decode("SubAccount", subInfo.data) : null;

  const frames = committee.frames;
  const anchorTs = big(frames.anchor_ts);
  const currentFrame = unixTime < anchorTs ? null : big(frames.anchor_frame) + (unixTime - anchorTs) / BigInt(frames.frame_secs);
  const marketFresh = big(feed.market_price) > 0n && unixTime - big(feed.market_price_ts) <= BigInt(feed.max_price_age_secs);
  const borrowIndex = big(pool.borrow_index);
  const totalDebt = mulDivCeil(big(pool.debt_shares), borrowIndex, WAD);
  const cash = big(pool.cash);
  const insurance = big(pool.insurance);
  const assets = cash + totalDebt - insurance;
  return {
    slot,
    unixTime,
    committee: {
      members: committee.member_count,
      quorum: committee.quorum,
      lastProcessedFrame: big(committee.last_processed_frame),
      currentFrame,
      paused: committee.paused,
      consensusDisabled: committee.consensus_disabled,
    },
    feed: {
      fairRate: big(feed.fair_rate),
      reportedRate: big(feed.reported_rate),
      stale: unixTime - big(feed.last_report_ref_ts) > BigInt(feed.max_report_age_secs),
      bunker: feed.bunker,
      marketPrice: marketFresh ? big(feed.market_price) : null,
      marketEma: big(feed.market_ema),
      marketConfidence: big(feed.market_confidence),
      heldFrame: big(feed.held.frame),
    },
    stakePool: {
      reserveLamports: big(stakePool.reserve_lamports),
      stakedLamports: big(stakePool.staked_lamports),
      lockedLamports: big(stakePool.locked_lamports),
      queuedTickets: big(stakePool.next_ticket) - big(stakePool.next_to_finalize),
    },
    lendingPool: {
      cash,
      totalDebt,
      insurance,
      utilizationBps: assets > 0n ? mulDivCeil(totalDebt, 10_000n, assets) : 0n,
      supplyIndex: big(pool.supply_index),
      borrowIndex,
      frozen: pool.frozen,
    },
    market: {
      policy: Object.keys(market.policy)[0] ?? "unknown",
      ltvInitBps: market.risk.ltv_init_bps,
      ltBps: market.risk.lt_bps,
      paused: market.paused,
      collateralTotal: big(market.collateral_total),
    },
    trader: sub ? { collateral: big(sub.collateral), debt: mulDivCeil(big(sub.debt_shares), borrowIndex, WAD) } : null,
  };
}

const sol = (lamports: bigint) => (Number(lamports) / 1e9).toLocaleString("en-US", { maximumFractionDigits: 4 });
const rate = (wad: bigint) => (Number(wad) / 1e18).toFixed(6);
const pct = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)}%`;

export function renderStatus(s: DemoStatus, where: { rpcUrl: string; demoFile: string }): string {
  const flag = (on: boolean, text: string) => (on ? ` [${text}]` : "");
  const lines = [
    `Lantern local chain — ${where.rpcUrl} — slot ${s.slot} — chain time ${new Date(Number(s.unixTime) * 1000).toISOString()}`,
    `Demo world: ${where.demoFile}   (Ctrl-C stops the chain)`,
    "",
    `Oracle committee   ${s.committee.quorum} of ${s.committee.members} members; frame ${s.committee.currentFrame ?? "before genesis"}, last report frame ${s.committee.lastProcessedFrame}` +
      flag(s.committee.paused, "paused") + flag(s.committee.consensusDisabled, "consensus disabled"),
    `Feed               fair rate ${rate(s.feed.fairRate)} SOL/LRT (reported ${rate(s.feed.reportedRate)})` +
      flag(s.feed.stale, "STALE") + flag(s.feed.bunker, "bunker mode") + flag(s.feed.heldFrame > 0n, `decrease of frame ${s.feed.heldFrame} held`),
    `                   market ${s.feed.marketPrice === null ? "no fresh price round" : `${rate(s.feed.marketPrice)} ± ${rate(s.feed.marketConfidence)}`}, EMA ${rate(s.feed.marketEma)}`,
    `Restaking pool     reserve ${sol(s.stakePool.reserveLamports)} SOL, staked ${sol(s.stakePool.stakedLamports)} SOL, owed to tickets ${sol(s.stakePool.lockedLamports)} SOL, ${s.stakePool.queuedTickets} tickets queued`,
    `SOL lending pool   cash ${sol(s.lendingPool.cash)} SOL, borrowed ${sol(s.lendingPool.totalDebt)} SOL, utilisation ${pct(s.lendingPool.utilizationBps)}, insurance ${sol(s.lendingPool.insurance)} SOL` +
      flag(s.lendingPool.frozen, "FROZEN"),
    `LRT market         policy ${s.market.policy}, max LTV ${pct(s.market.ltvInitBps)}, liquidation at ${pct(s.market.ltBps)}, collateral ${sol(s.market.collateralTotal)} LRT` +
      flag(s.market.paused, "paused"),
    s.trader
      ? `Trader sub-account collateral ${sol(s.trader.collateral)} LRT, debt ${sol(s.trader.debt)} SOL`
      : "Trader sub-account closed",
    "",
    "Keypairs for every role (admin, guardian, 9 members, trader, lender, liquidator) are listed in the demo file.",
  ];
  return lines.join("\n");
}
