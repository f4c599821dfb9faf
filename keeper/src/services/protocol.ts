// Reads of the protocol's accounts through the Rpc service, decoded with the sdk's fast decoders.
import {
  type Committee,
  committeeAddress,
  decodeCommittee,
  decodeFeed,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  type Feed,
  feedAddress,
  type LendingPool,
  lendingPoolAddress,
  type Market,
  marketAddress,
  type StakePool,
  stakePoolAddress,
  type SubAccount,
} from "@lantern/sdk";
import { PublicKey } from "@solana/web3.js";
import { Context, Effect, Layer } from "effect";
import { AppConfig } from "../config.js";
import type { RpcError } from "../errors.js";
import { Rpc } from "./rpc.js";

export interface ProtocolShape {
  readonly lrtMint: PublicKey;
  readonly addresses: {
    committee: PublicKey;
    feed: PublicKey;
    stakePool: PublicKey;
    lendingPool: PublicKey;
    market: PublicKey;
  };
  readonly committee: Effect.Effect<Committee, RpcError>;
  readonly feed: Effect.Effect<Feed, RpcError>;
  readonly stakePool: Effect.Effect<StakePool, RpcError>;
  readonly lendingPool: Effect.Effect<LendingPool, RpcError>;
  readonly market: Effect.Effect<Market, RpcError>;
  readonly subAccount: (address: PublicKey) => Effect.Effect<SubAccount | null, RpcError>;
  /** The LRT mint's supply. */
  readonly lrtSupply: Effect.Effect<bigint, RpcError>;
  /** A token account's amount (0 when absent). */
  readonly tokenBalance: (account: PublicKey) => Effect.Effect<bigint, RpcError>;
}

export class Protocol extends Context.Tag("keeper/Protocol")<Protocol, ProtocolShape>() {}

export const ProtocolLive = Layer.effect(
  Protocol,
  Effect.gen(function* () {
    const rpc = yield* Rpc;
    const config = yield* AppConfig;
    const lrtMint = new PublicKey(config.lrtMint);
    const pool = lendingPoolAddress();
    const addresses = {
      committee: committeeAddress(lrtMint),
      feed: feedAddress(lrtMint),
      stakePool: stakePoolAddress(lrtMint),
      lendingPool: pool,
      market: marketAddress(pool, lrtMint),
    };
    const raw = (address: PublicKey) => rpc.call("getAccountInfo", (c) => c.getAccountInfo(address, "confirmed"));
    const must = <A>(address: PublicKey, what: string, decode: (d: Uint8Array) => A) =>
      Effect.flatMap(raw(address), (info) =>
        info
          ? Effect.sync(() => decode(info.data))
          : Effect.dieMessage(
              `No ${what} at ${address.toBase58()}: is lrtMint ${config.lrtMint} served on this cluster?`,
            ),
      );
    return {
      lrtMint,
      addresses,
      committee: must(addresses.committee, "committee", decodeCommittee),
      feed: must(addresses.feed, "feed", decodeFeed),
      stakePool: must(addresses.stakePool, "stake pool", decodeStakePool),
      lendingPool: must(addresses.lendingPool, "lending pool", decodeLendingPool),
      market: must(addresses.market, "market", decodeMarket),
      subAccount: (address) => Effect.map(raw(address), (info) => (info ? decodeSubAccount(info.data) : null)),
      lrtSupply: must(lrtMint, "LRT mint", (d) => Buffer.from(d).readBigUInt64LE(36)),
      tokenBalance: (account) =>
        Effect.map(raw(account), (info) =>
          info && info.data.length >= 72 ? Buffer.from(info.data).readBigUInt64LE(64) : 0n,
        ),
    };
  }),
);
