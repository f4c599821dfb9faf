// The chain service: finds the market (and from it the pool, feed, committee and stake pool), then
// reads them, the clock and the owner's sub-accounts in one getMultipleAccounts round per refresh, plus
// a getProgramAccounts for the sub-accounts every few rounds (they are found by owner). Every read ends
// as one store action: a snapshot, or an error sentence. Nothing here touches the terminal.
import {
  committeeAddress,
  decodeCommittee,
  decodeFeed,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  MARGIN_PROGRAM_ID,
  MARKET_SIZE,
  SUB_ACCOUNT_OFFSETS,
  SUB_ACCOUNT_SIZE,
} from "@lantern/sdk";
import { type Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import type { Store } from "../store/store.js";
import { associatedTokenAddress } from "./tokens.js";
import type { SubAccountEntry, World } from "../store/state.js";

export interface ChainServiceOptions {
  connection: Connection;
  store: Store;
  owner: PublicKey | undefined;
  market: string | undefined;
  /** Your LRT token account (default: the associated one of the market's LRT mint). */
  lrtAccount?: PublicKey | undefined;
  refreshMs: number;
}

/** A sentence for the person: what failed and what to do. */
export function describeRpcError(error: unknown, rpcUrl: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|fetch failed|ENOTFOUND|EAI_AGAIN/.test(message))
    return `Cannot reach the RPC endpoint ${rpcUrl}: is the cluster running? (start one with npm start, or pass --url)`;
  if (/429/.test(message))
    return `The RPC endpoint ${rpcUrl} is rate limiting us (429): slow down with --refresh-ms or use another endpoint`;
  return `Reading the chain failed: ${message}`;
}

export class ChainService {
  private marketAddress: PublicKey | undefined;
  private keys:
    | { committee: PublicKey; feed: PublicKey; pool: PublicKey; stakePool: PublicKey; lrt: PublicKey | undefined }
    | undefined;
  private subAddresses: PublicKey[] = [];
  private round = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly o: ChainServiceOptions) {}

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.refresh();
      if (!this.stopped) this.timer = setTimeout(loop, this.o.refreshMs);
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Re-read the owner's sub-accounts on the next round (after a transaction). */
  rescanSubAccounts(): void {
    this.round = 0;
  }

  private async discover(): Promise<void> {
    const { connection } = this.o;
    if (this.o.market) this.marketAddress = new PublicKey(this.o.market);
    if (!this.marketAddress) {
      const markets = await connection.getProgramAccounts(MARGIN_PROGRAM_ID, {
        filters: [{ dataSize: MARKET_SIZE }],
        dataSlice: { offset: 0, length: 0 },
      });
      const first = markets.map((m) => m.pubkey).sort((a, b) => a.toBase58().localeCompare(b.toBase58()))[0];
      if (!first)
        throw new Error(
          `No Lantern market on this cluster (margin program ${MARGIN_PROGRAM_ID.toBase58()}): pass --url for a cluster that has one, or --market`,
        );
      this.marketAddress = first;
    }
    const info = await connection.getAccountInfo(this.marketAddress);
    if (!info) throw new Error(`No market at ${this.marketAddress.toBase58()}: check --market`);
    const market = decodeMarket(info.data);
    this.keys = {
      committee: committeeAddress(market.lrtMint),
      feed: market.feed,
      pool: market.pool,
      stakePool: market.stakePool,
      lrt: this.o.lrtAccount ?? (this.o.owner ? associatedTokenAddress(this.o.owner, market.lrtMint) : undefined),
    };
  }

  async refresh(): Promise<void> {
    const { connection, store, owner } = this.o;
    const started = Date.now();
    try {
      if (!this.keys || !this.marketAddress) await this.discover();
      const keys = this.keys!;
      if (owner && this.round % 5 === 0) {
        const found = await connection.getProgramAccounts(MARGIN_PROGRAM_ID, {
          filters: [
            { dataSize: SUB_ACCOUNT_SIZE },
            { memcmp: { offset: SUB_ACCOUNT_OFFSETS.owner, bytes: owner.toBase58() } },
            { memcmp: { offset: SUB_ACCOUNT_OFFSETS.market, bytes: this.marketAddress!.toBase58() } },
          ],
          dataSlice: { offset: 0, length: 0 },
        });
        this.subAddresses = found.map((f) => f.pubkey);
      }
      this.round++;
      const list = [
        SYSVAR_CLOCK_PUBKEY,
        this.marketAddress!,
        keys.pool,
        keys.feed,
        keys.committee,
        keys.stakePool,
        ...(keys.lrt ? [keys.lrt] : []),
        ...this.subAddresses,
      ];
      const [infos, lamports] = await Promise.all([
        connection.getMultipleAccountsInfo(list),
        owner ? connection.getBalance(owner) : Promise.resolve(undefined),
      ]);
      const need = (i: number, what: string) => {
        const info = infos[i];
        if (!info) throw new Error(`The ${what} account ${list[i]!.toBase58()} is missing on this cluster`);
        return info.data;
      };
      const clock = need(0, "Clock");
      const slot = Number(clock.readBigUInt64LE(0));
      const now = clock.readBigInt64LE(32);
      const world: World = {
        marketAddress: this.marketAddress!.toBase58(),
        market: decodeMarket(need(1, "market")),
        pool: decodeLendingPool(need(2, "lending pool")),
        feed: decodeFeed(need(3, "feed")),
        committee: decodeCommittee(need(4, "committee")),
        stakePool: decodeStakePool(need(5, "stake pool")),
      };
      const first = keys.lrt ? 7 : 6;
      // A token account's amount is the u64 at byte 64; no account holds nothing.
      const lrtInfo = keys.lrt ? infos[6] : undefined;
      const lrt = keys.lrt ? (lrtInfo && lrtInfo.data.length >= 72 ? lrtInfo.data.readBigUInt64LE(64) : 0n) : undefined;
      const subs: SubAccountEntry[] = [];
      this.subAddresses.forEach((address, i) => {
        const info = infos[first + i];
        if (info && info.data.length === SUB_ACCOUNT_SIZE)
          subs.push({ address: address.toBase58(), sub: decodeSubAccount(info.data) });
      });
      store.dispatch({
        type: "chain/snapshot",
        slot,
        now,
        latencyMs: Date.now() - started,
        world,
        subs,
        lamports: lamports === undefined ? undefined : BigInt(lamports),
        lrt,
        at: Date.now(),
      });
    } catch (error) {
      store.dispatch({ type: "chain/error", message: describeRpcError(error, connection.rpcEndpoint) });
    }
  }
}
