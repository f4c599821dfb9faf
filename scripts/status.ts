// A snapshot of the demo world for the status screen `npm start` shows until the trader UI lands.
import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import {
  debtAmount,
  decodeCommittee,
  decodeFeed,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  frameAt,
  isStale,
  marketPriceAt,
  utilizationBps,
} from "@lantern/sdk";
import type { DemoManifest } from "@lantern/sdk/node";

export interface DemoStatus {
  slot: number;
  unixTime: bigint;
  committee: {
    members: number;
    quorum: number;
    lastProcessedFrame: bigint;
    currentFrame: bigint | null;
    paused: boolean;
    consensusDisabled: boolean;
  };
  feed: {
    fairRate: bigint;
    reportedRate: bigint;
    stale: boolean;
    bunker: boolean;
    marketPrice: bigint | null;
    marketEma: bigint;
    marketConfidence: bigint;
    heldFrame: bigint;
  };
  stakePool: { reserveLamports: bigint; stakedLamports: bigint; lockedLamports: bigint; queuedTickets: bigint };
  lendingPool: {
    cash: bigint;
    totalDebt: bigint;
    insurance: bigint;
    utilizationBps: bigint;
    supplyIndex: bigint;
    borrowIndex: bigint;
    frozen: boolean;
  };
  market: { policy: string; ltvInitBps: number; ltBps: number; paused: boolean; collateralTotal: bigint };
  trader: { collateral: bigint; debt: bigint } | null;
}

/** Offset of `unix_timestamp` in the Clock sysvar (slot, epoch start, epoch, leader schedule epoch). */
const CLOCK_UNIX_TIMESTAMP = 32;

export async function demoStatus(connection: Connection, demo: DemoManifest): Promise<DemoStatus> {
  const keys = [
    SYSVAR_CLOCK_PUBKEY,
    demo.committee,
    demo.feed,
    demo.stakePool,
    demo.lendingPool,
    demo.market,
    demo.traderSubAccount.address,
  ];
  const [slot, infos] = await Promise.all([
    connection.getSlot(),
    connection.getMultipleAccountsInfo(keys.map((key) => new PublicKey(key))),
  ]);
  const data = (i: number) => {
    const info = infos[i];
    if (!info) throw new Error(`account ${keys[i]!.toString()} not found`);
    return info.data;
  };
  const unixTime = data(0).readBigInt64LE(CLOCK_UNIX_TIMESTAMP);
  const committee = decodeCommittee(data(1));
  const feed = decodeFeed(data(2));
  const stakePool = decodeStakePool(data(3));
  const pool = decodeLendingPool(data(4));
  const market = decodeMarket(data(5));
  const sub = infos[6] ? decodeSubAccount(infos[6].data) : null;
  const totalDebt = debtAmount(pool.debtShares, pool.borrowIndex);
  return {
    slot,
    unixTime,
    committee: {
      members: committee.memberCount,
      quorum: committee.quorum,
      lastProcessedFrame: committee.lastProcessedFrame,
      currentFrame: frameAt(committee.frames, unixTime) ?? null,
      paused: committee.paused,
      consensusDisabled: committee.consensusDisabled,
    },
    feed: {
      fairRate: feed.fairRate,
      reportedRate: feed.reportedRate,
      stale: isStale(feed, unixTime),
      bunker: feed.bunker,
      marketPrice: marketPriceAt(feed, unixTime)?.price ?? null,
      marketEma: feed.marketEma,
      marketConfidence: feed.marketConfidence,
      heldFrame: feed.held.frame,
    },
    stakePool: {
      reserveLamports: stakePool.reserveLamports,
      stakedLamports: stakePool.stakedLamports,
      lockedLamports: stakePool.lockedLamports,
      queuedTickets: stakePool.nextTicket - stakePool.nextToFinalize,
    },
    lendingPool: {
      cash: pool.cash,
      totalDebt,
      insurance: pool.insurance,
      utilizationBps: utilizationBps(pool.cash, totalDebt, pool.insurance),
      supplyIndex: pool.supplyIndex,
      borrowIndex: pool.borrowIndex,
      frozen: pool.frozen,
    },
    market: {
      policy: market.policy,
      ltvInitBps: market.risk.ltvInitBps,
      ltBps: market.risk.ltBps,
      paused: market.paused,
      collateralTotal: market.collateralTotal,
    },
    trader: sub ? { collateral: sub.collateral, debt: debtAmount(sub.debtShares, pool.borrowIndex) } : null,
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
      flag(s.committee.paused, "paused") +
      flag(s.committee.consensusDisabled, "consensus disabled"),
    `Feed               fair rate ${rate(s.feed.fairRate)} SOL/LRT (reported ${rate(s.feed.reportedRate)})` +
      flag(s.feed.stale, "STALE") +
      flag(s.feed.bunker, "bunker mode") +
      flag(s.feed.heldFrame > 0n, `decrease of frame ${s.feed.heldFrame} held`),
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
