/**
 * Committee counting, as `Committee` in programs/oracle/src/state/committee.rs: fresh market
 * observations, hash support and consensus, the rotating fast lane.
 */
import { LanternError } from "../math/errors.js";
import { sortPrices } from "./median.js";
import type { Committee, Member, SanityLimits } from "./types.js";

type Members<M> = { members: readonly M[]; memberCount: number };

/** The first `memberCount` member slots. */
export function activeMembers<M>(committee: Members<M>): M[] {
  return committee.members.slice(0, committee.memberCount);
}

/** Quorum > members/2, so at most one hash can hold it; fails with `QuorumTooLow`. */
export function checkQuorum(quorum: number, memberCount: number): void {
  if (!(quorum > 0 && quorum * 2 > memberCount)) throw new LanternError("oracle", "QuorumTooLow");
}

/**
 * The fresh observations at `now` (price > 0, at most `maxPriceAgeSecs` old), sorted ascending, and
 * the observation time of the quorum-th newest one (`undefined` with fewer fresh observations).
 */
export function freshPrices(
  committee: Members<Pick<Member, "price" | "priceTs">> & {
    quorum: number;
    limits: Pick<SanityLimits, "maxPriceAgeSecs">;
  },
  now: bigint,
): { prices: bigint[]; quorumTs: bigint | undefined } {
  const maxAge = BigInt(committee.limits.maxPriceAgeSecs);
  const fresh = activeMembers(committee).filter((m) => m.price > 0n && now - m.priceTs <= maxAge);
  const times = fresh.map((m) => m.priceTs).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const quorumTs = times[Math.max(committee.quorum - 1, 0)];
  return { prices: sortPrices(fresh.map((m) => m.price)), quorumTs };
}

function isNoHash(hash: Uint8Array): boolean {
  for (let i = 0; i < hash.length; i++) if (hash[i] !== 0) return false;
  return true;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the member voted in `frame` (a non-empty hash for that frame). */
export function voted(member: Pick<Member, "voteFrame" | "voteHash">, frame: bigint): boolean {
  return member.voteFrame === frame && !isNoHash(member.voteHash);
}

/** Members voting `hash` in `frame`, counted over the fixed member set. */
export function support(
  committee: Members<Pick<Member, "voteFrame" | "voteHash">>,
  frame: bigint,
  hash: Uint8Array,
): number {
  return activeMembers(committee).filter((m) => voted(m, frame) && sameHash(m.voteHash, hash)).length;
}

/** The hash holding quorum in `frame` and its support, if any (none while consensus is disabled). */
export function consensusFor(
  committee: Members<Pick<Member, "voteFrame" | "voteHash">> & Pick<Committee, "quorum" | "consensusDisabled">,
  frame: bigint,
): { hash: Uint8Array; support: number } | undefined {
  if (committee.consensusDisabled || committee.quorum > committee.memberCount) return undefined;
  for (const m of activeMembers(committee)) {
    if (!voted(m, frame)) continue;
    const count = support(committee, frame, m.voteHash);
    if (count >= committee.quorum) return { hash: m.voteHash, support: count };
  }
  return undefined;
}

/** Whether member `index` is in the fast-lane subset of `frame`: `quorum` members from `frame mod members`. */
export function isFastLaneMember(
  committee: Pick<Committee, "quorum" | "memberCount">,
  index: number,
  frame: bigint,
): boolean {
  if (committee.quorum >= committee.memberCount) return true;
  const count = BigInt(committee.memberCount);
  const start = frame % count;
  const offset = (BigInt(index) + count - start) % count;
  return offset < BigInt(committee.quorum);
}
