/** Fast decoders of the oracle accounts (Borsh layout at fixed offsets; see decode/common.ts for keys). */
import oracleIdl from "../../idl/oracle.json" with { type: "json" };
import {
  DECREASE_SLOTS,
  MAX_MEMBERS,
  type Committee,
  type DecreaseEntry,
  type Feed,
  type Member,
} from "../oracle/types.js";
import { accountView, bool, discriminator, keyAt, ownBytes, ownedSlab, u128, type Discriminator } from "./common.js";

function disc(name: string): Discriminator {
  const account = oracleIdl.accounts.find((a) => a.name === name);
  if (!account) throw new Error(`oracle IDL has no account ${name}`);
  return discriminator(account.discriminator);
}

export const COMMITTEE_DISCRIMINATOR = disc("Committee");
export const FEED_DISCRIMINATOR = disc("Feed");
export const COMMITTEE_SIZE = 2331;
export const FEED_SIZE = 802;

const MEMBERS_OFFSET = 283;
const MEMBER_SIZE = 128;
const DECREASES_OFFSET = 186;

export function decodeCommittee(data: Uint8Array): Committee {
  const v = accountView(data, COMMITTEE_DISCRIMINATOR, COMMITTEE_SIZE, "Committee");
  const b = data.byteOffset;
  // One private copy from the first key to the end of the members: keys and hashes view into it.
  const at = ownBytes(data, 0, COMMITTEE_SIZE);
  const own = ownedSlab();
  const members: Member[] = new Array(MAX_MEMBERS);
  for (let i = 0, o = MEMBERS_OFFSET; i < MAX_MEMBERS; i++, o += MEMBER_SIZE) {
    members[i] = {
      authority: keyAt(own, at + o),
      signer: keyAt(own, at + o + 32),
      voteFrame: v.getBigUint64(b + o + 64, true),
      voteHash: own.subarray(at + o + 72, at + o + 104),
      price: u128(v, b + o + 104),
      priceTs: v.getBigInt64(b + o + 120, true),
    };
  }
  return {
    bump: data[8]!,
    lrtMint: keyAt(own, at + 9),
    feed: keyAt(own, at + 41),
    admin: keyAt(own, at + 73),
    guardian: keyAt(own, at + 105),
    quorum: data[137]!,
    memberCount: data[138]!,
    paused: bool(v, b + 139),
    consensusDisabled: bool(v, b + 140),
    consensusVersion: v.getBigUint64(b + 141, true),
    frames: {
      anchorTs: v.getBigInt64(b + 149, true),
      anchorFrame: v.getBigUint64(b + 157, true),
      frameSecs: v.getUint32(b + 165, true),
      fastLaneSecs: v.getUint32(b + 169, true),
    },
    limits: {
      annualIncreaseLimitBps: v.getUint16(b + 173, true),
      maxPositiveRebasePpb: v.getBigUint64(b + 175, true),
      maxDecreaseBps: v.getUint16(b + 183, true),
      decreaseWindowSecs: v.getUint32(b + 185, true),
      minRate: u128(v, b + 189),
      maxRate: u128(v, b + 205),
      maxReportAgeSecs: v.getUint32(b + 221, true),
      maxPriceAgeSecs: v.getUint32(b + 225, true),
      emaHalfLifeSecs: v.getUint32(b + 229, true),
      maxConfidenceBps: v.getUint16(b + 233, true),
    },
    lastProcessedFrame: v.getBigUint64(b + 235, true),
    consensusFrame: v.getBigUint64(b + 243, true),
    consensusHash: own.subarray(at + 251, at + 283),
    members,
  };
}

export function decodeFeed(data: Uint8Array): Feed {
  const v = accountView(data, FEED_DISCRIMINATOR, FEED_SIZE, "Feed");
  const b = data.byteOffset;
  const at = ownBytes(data, 9, 73);
  const keys = ownedSlab();
  const decreases: DecreaseEntry[] = new Array(DECREASE_SLOTS);
  for (let i = 0, o = DECREASES_OFFSET; i < DECREASE_SLOTS; i++, o += 16) {
    decreases[i] = { refTs: v.getBigInt64(b + o, true), ppb: v.getBigUint64(b + o + 8, true) };
  }
  return {
    bump: data[8]!,
    lrtMint: keyAt(keys, at),
    committee: keyAt(keys, at + 32),
    fairRate: u128(v, b + 73),
    reportedRate: u128(v, b + 89),
    reportedStakedLamports: v.getBigUint64(b + 105, true),
    lastReportFrame: v.getBigUint64(b + 113, true),
    lastReportRefTs: v.getBigInt64(b + 121, true),
    lastReportTs: v.getBigInt64(b + 129, true),
    bunker: bool(v, b + 137),
    held: {
      frame: v.getBigUint64(b + 138, true),
      refTs: v.getBigInt64(b + 146, true),
      rate: u128(v, b + 154),
      stakedLamports: v.getBigUint64(b + 170, true),
      decreasePpb: v.getBigUint64(b + 178, true),
    },
    decreases,
    marketPrice: u128(v, b + 698),
    marketLow: u128(v, b + 714),
    marketConfidence: u128(v, b + 730),
    marketEma: u128(v, b + 746),
    marketEmaLow: u128(v, b + 762),
    marketPriceTs: v.getBigInt64(b + 778, true),
    marketEmaTs: v.getBigInt64(b + 786, true),
    maxReportAgeSecs: v.getUint32(b + 794, true),
    maxPriceAgeSecs: v.getUint32(b + 798, true),
  };
}
