// A small, self-consistent world for the TUI's unit and frame tests (no chain): a market at the
// protocol defaults, a pool, a fresh feed with a market price round, a committee of nine with five votes.
import {
  type Committee,
  DEFAULT_RATE_CURVE,
  DEFAULT_RISK_PARAMS,
  DEFAULT_SANITY_LIMITS,
  DECREASE_SLOTS,
  type Feed,
  type LendingPool,
  type Market,
  MAX_MEMBERS,
  NO_HELD_REPORT,
  NO_PENDING_UPDATE,
  type StakePool,
  type SubAccount,
  WAD,
} from "@lantern/sdk";
import { PublicKey } from "@solana/web3.js";
import { initialState, type State, type World } from "../src/store/state.js";

export const SOL = 1_000_000_000n;
export const NOW = 1_800_000_000n;
const key = (n: number) => new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? n : i)));
export const OWNER = key(200);
export const LRT_MINT = key(1);

export function world(o: { paused?: boolean; stale?: boolean; marketPrice?: boolean; bunker?: boolean } = {}): World {
  const market: Market = {
    bump: 255,
    pool: key(2),
    lrtMint: LRT_MINT,
    feed: key(3),
    stakePool: key(4),
    insuranceVault: key(5),
    policy: "MinOfBoth",
    risk: { ...DEFAULT_RISK_PARAMS },
    collateralCap: 1_000_000n * SOL,
    collateralTotal: 100n * SOL,
    paused: o.paused ?? false,
    ltLoweredTs: 0n,
    pending: { ...NO_PENDING_UPDATE },
  };
  const pool: LendingPool = {
    bump: 255,
    admin: key(6),
    solMint: key(7),
    vault: key(8),
    params: {
      curve: { ...DEFAULT_RATE_CURVE },
      reserveFactorBps: 1_000,
      maxUtilizationBps: 9_500,
      supplyCap: 1_000_000n * SOL,
      borrowCap: 1_000_000n * SOL,
    },
    cash: 500n * SOL,
    insurance: 1n * SOL,
    supplyShares: 1_000n * SOL,
    supplyIndex: WAD,
    debtShares: 500n * SOL,
    borrowIndex: WAD,
    lastAccrualTs: NOW,
    socialized: false,
    frozen: false,
  };
  const rate = (WAD * 102n) / 100n;
  const feed: Feed = {
    bump: 255,
    lrtMint: LRT_MINT,
    committee: key(9),
    fairRate: rate,
    reportedRate: rate,
    reportedStakedLamports: 1_000n * SOL,
    lastReportFrame: 10n,
    lastReportRefTs: o.stale ? NOW - 200_000n : NOW - 600n,
    lastReportTs: NOW - 590n,
    bunker: o.bunker ?? false,
    held: { ...NO_HELD_REPORT },
    decreases: Array.from({ length: DECREASE_SLOTS }, () => ({ refTs: 0n, ppb: 0n })),
    marketPrice: o.marketPrice === false ? 0n : rate - WAD / 200n,
    marketLow: rate - WAD / 100n,
    marketConfidence: WAD / 200n,
    marketEma: rate - WAD / 200n,
    marketEmaLow: rate - WAD / 100n,
    marketPriceTs: NOW - 10n,
    marketEmaTs: NOW - 10n,
    maxReportAgeSecs: DEFAULT_SANITY_LIMITS.maxReportAgeSecs,
    maxPriceAgeSecs: DEFAULT_SANITY_LIMITS.maxPriceAgeSecs,
  };
  const frameSecs = 60;
  const members = Array.from({ length: MAX_MEMBERS }, (_, i) => ({
    authority: key(100 + i),
    signer: key(150 + i),
    voteFrame: i < 5 ? 30_000_000n : 0n,
    voteHash: Uint8Array.from({ length: 32 }, () => (i < 5 ? 7 : 0)),
    price: i < 9 ? rate - WAD / 200n : 0n,
    priceTs: i < 9 ? NOW - BigInt(5 + i) : 0n,
  }));
  const committee: Committee = {
    bump: 255,
    lrtMint: LRT_MINT,
    feed: key(3),
    admin: key(6),
    guardian: key(10),
    quorum: 5,
    memberCount: 9,
    paused: false,
    consensusDisabled: false,
    consensusVersion: 1n,
    frames: { anchorTs: NOW - 30n, anchorFrame: 30_000_000n, frameSecs, fastLaneSecs: 10 },
    limits: { ...DEFAULT_SANITY_LIMITS },
    lastProcessedFrame: 29_999_999n,
    consensusFrame: 0n,
    consensusHash: new Uint8Array(32),
    members,
  };
  const stakePool: StakePool = {
    bump: 255,
    lrtMint: LRT_MINT,
    feed: key(3),
    admin: key(6),
    stakeManager: key(11),
    reserveVault: key(12),
    escrowVault: key(13),
    reserveLamports: 200n * SOL,
    lockedLamports: 0n,
    stakedLamports: 800n * SOL,
    escrowedLrt: 0n,
    instantUnstakeFeeBps: 30,
    nextTicket: 0n,
    nextToFinalize: 0n,
  };
  return { marketAddress: key(20).toBase58(), market, pool, feed, committee, stakePool };
}

export function sub(index: number, collateral: bigint, debtShares: bigint): { address: string; sub: SubAccount } {
  return {
    address: key(50 + index).toBase58(),
    sub: { bump: 255, vaultBump: 254, market: key(20), owner: OWNER, index, collateral, debtShares },
  };
}

/** A state as the chain service leaves it after one snapshot. */
export function liveState(
  o: Parameters<typeof world>[0] & {
    subs?: ReturnType<typeof sub>[];
    readOnly?: boolean;
    columns?: number;
    rows?: number;
  } = {},
): State {
  const base = initialState({
    cluster: "localnet",
    rpcUrl: "http://127.0.0.1:8899",
    pubkey: o.readOnly ? undefined : OWNER.toBase58(),
    readOnlyReason: o.readOnly ? "read-only: no keypair (pass --keypair)" : undefined,
    keepers: [],
    theme: "dark",
    size: { columns: o.columns ?? 120, rows: o.rows ?? 40 },
  });
  return {
    ...base,
    chain: { status: "live", error: undefined, slot: 1234, now: NOW, latencyMs: 7, updatedAt: 0 },
    world: world(o),
    subs: o.subs ?? [sub(0, 50n * SOL, 40n * SOL), sub(1, 10n * SOL, 0n), sub(2, 20n * SOL, 18n * SOL)],
    wallet: { ...base.wallet, lamports: 12n * SOL },
  };
}
