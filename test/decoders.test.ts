// The fast decoders against Anchor's own coder: thousands of random accounts, generated from the IDL
// (so every field, edge values included), encoded with BorshAccountsCoder and decoded both ways.
import anchor, { type Idl } from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import oracleIdl from "@lantern/sdk/idl/oracle.json" with { type: "json" };
import restakingIdl from "@lantern/sdk/idl/restaking.json" with { type: "json" };
import {
  AccountDecodeError,
  COMMITTEE_SIZE,
  FEED_SIZE,
  LENDER_POSITION_SIZE,
  LENDING_POOL_SIZE,
  MARKET_SIZE,
  STAKE_POOL_SIZE,
  SUB_ACCOUNT_SIZE,
  TICKET_SIZE,
  decodeCommittee,
  decodeFeed,
  decodeLenderPosition,
  decodeLendingPool,
  decodeMarket,
  decodeStakePool,
  decodeSubAccount,
  decodeTicket,
} from "@lantern/sdk";

const { BN, BorshAccountsCoder } = anchor;

interface IdlField {
  name: string;
  type: unknown;
}
interface IdlTypeDef {
  name: string;
  type: { kind: "struct"; fields: IdlField[] } | { kind: "enum"; variants: { name: string }[] };
}

/** An arbitrary of Anchor-encodable values for an IDL type (raw JSON IDL: snake_case fields). */
function arbitraryOf(type: unknown, types: IdlTypeDef[]): fc.Arbitrary<unknown> {
  const big = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map((v) => new BN(v.toString()));
  switch (type) {
    case "u8":
      return fc.integer({ min: 0, max: 0xff });
    case "u16":
      return fc.integer({ min: 0, max: 0xffff });
    case "u32":
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case "u64":
      return big(0n, (1n << 64n) - 1n);
    case "i64":
      return big(-(1n << 63n), (1n << 63n) - 1n);
    case "u128":
      return big(0n, (1n << 128n) - 1n);
    case "bool":
      return fc.boolean();
    case "pubkey":
      return fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new PublicKey(b));
  }
  const t = type as { array?: [unknown, number]; defined?: { name: string } };
  if (t.array) {
    const [inner, length] = t.array;
    return fc.array(arbitraryOf(inner, types), { minLength: length, maxLength: length });
  }
  if (t.defined) {
    const def = types.find((d) => d.name === t.defined!.name);
    if (!def) throw new Error(`unknown type ${t.defined.name}`);
    if (def.type.kind === "enum") return fc.constantFrom(...def.type.variants.map((v) => ({ [v.name]: {} })));
    return fc.record(Object.fromEntries(def.type.fields.map((f) => [f.name, arbitraryOf(f.type, types)])));
  }
  throw new Error(`unsupported IDL type ${JSON.stringify(type)}`);
}

/**
 * Anchor's coder encodes into a fixed 1,000-byte buffer, too small for a Committee (2,329 bytes): the
 * larger accounts go through the coder's own layout with a buffer of their size.
 */
async function encode(
  coder: InstanceType<typeof BorshAccountsCoder>,
  name: string,
  value: unknown,
  size: number,
): Promise<Buffer> {
  if (size <= 1_000) return coder.encode(name, value);
  const layouts = (
    coder as unknown as { accountLayouts: Map<string, { layout: { encode(v: unknown, b: Buffer): number } }> }
  ).accountLayouts;
  const body = Buffer.alloc(size);
  const length = layouts.get(name)!.layout.encode(value, body);
  return Buffer.concat([coder.accountDiscriminator(name), body.subarray(0, length)]);
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Both decoders' output in one comparable form: bigint numbers, base58 keys, number[] bytes, camelCase, enum names. */
function normalise(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof BN) return BigInt((value as { toString(): string }).toString());
  if (value instanceof PublicKey) return value.toBase58();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    const only = entries[0];
    if (
      entries.length === 1 &&
      only &&
      only[1] !== null &&
      typeof only[1] === "object" &&
      Object.keys(only[1] as object).length === 0
    ) {
      return only[0].charAt(0).toUpperCase() + only[0].slice(1); // an enum variant
    }
    return Object.fromEntries(entries.map(([k, v]) => [camel(k), normalise(v)]));
  }
  return value;
}

const CASES: { name: string; idl: unknown; decode: (data: Uint8Array) => unknown; size: number; runs: number }[] = [
  { name: "SubAccount", idl: marginIdl, decode: decodeSubAccount, size: SUB_ACCOUNT_SIZE, runs: 2_000 },
  { name: "LenderPosition", idl: marginIdl, decode: decodeLenderPosition, size: LENDER_POSITION_SIZE, runs: 1_000 },
  { name: "LendingPool", idl: marginIdl, decode: decodeLendingPool, size: LENDING_POOL_SIZE, runs: 1_000 },
  { name: "Market", idl: marginIdl, decode: decodeMarket, size: MARKET_SIZE, runs: 1_000 },
  { name: "StakePool", idl: restakingIdl, decode: decodeStakePool, size: STAKE_POOL_SIZE, runs: 1_000 },
  { name: "Ticket", idl: restakingIdl, decode: decodeTicket, size: TICKET_SIZE, runs: 1_000 },
  { name: "Feed", idl: oracleIdl, decode: decodeFeed, size: FEED_SIZE, runs: 300 },
  { name: "Committee", idl: oracleIdl, decode: decodeCommittee, size: COMMITTEE_SIZE, runs: 150 },
];

for (const { name, idl, decode, size, runs } of CASES) {
  describe(`decode${name}`, () => {
    const coder = new BorshAccountsCoder(idl as Idl);
    const types = (idl as { types: IdlTypeDef[] }).types;
    const def = types.find((t) => t.name === name)!;
    const account = arbitraryOf({ defined: { name } }, types);

    it(`equals Anchor's BorshAccountsCoder on ${runs} random accounts`, async () => {
      await fc.assert(
        fc.asyncProperty(account, async (value) => {
          const data = await encode(coder, name, value, size);
          expect(data.length).toBe(size);
          const fast = decode(data);
          expect(normalise(fast)).toEqual(normalise(coder.decode(name, data)));
          // The generated value itself, field for field (catches a shared mistake of both decoders).
          expect(normalise(fast)).toEqual(normalise(value));
        }),
        { numRuns: runs, seed: 0x1a7e12 },
      );
    });

    it("has the program's size and every IDL field", async () => {
      const sample = fc.sample(account, { numRuns: 1, seed: 7 })[0]!;
      const data = await encode(coder, name, sample, size);
      expect(coder.size(name)).toBe(size);
      const fields = def.type.kind === "struct" ? def.type.fields.map((f) => camel(f.name)) : [];
      expect(Object.keys(decode(data) as object)).toEqual(fields);
    });

    it("rejects another account's bytes, short data and invalid values", async () => {
      const sample = fc.sample(account, { numRuns: 1, seed: 11 })[0]!;
      const data = await encode(coder, name, sample, size);
      const wrong = Buffer.from(data);
      wrong[0] = wrong[0]! ^ 0xff;
      expect(() => decode(wrong)).toThrow(AccountDecodeError);
      expect(() => decode(data.subarray(0, size - 1))).toThrow(AccountDecodeError);
      expect(() => decode(Buffer.concat([data, Buffer.alloc(16)]))).not.toThrow();
    });
  });
}

describe("decoded keys", () => {
  it("are PublicKeys that compare, print and serialise like web3.js keys, and never alias the input", async () => {
    const coder = new BorshAccountsCoder(marginIdl as Idl);
    const market = new PublicKey(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    const owner = PublicKey.unique();
    const data = await coder.encode("SubAccount", {
      bump: 1,
      vault_bump: 2,
      market,
      owner,
      index: 3,
      collateral: new BN(4),
      debt_shares: new BN(5),
    });
    const sub = decodeSubAccount(data);
    data.fill(0xee, 8); // the caller reuses its buffer
    expect(sub.market).toBeInstanceOf(PublicKey);
    expect(sub.market.equals(market)).toBe(true);
    expect(market.equals(sub.market)).toBe(true);
    expect(sub.owner.toBase58()).toBe(owner.toBase58());
    expect(sub.owner.toString()).toBe(owner.toString());
    expect(JSON.stringify({ k: sub.market })).toBe(JSON.stringify({ k: market }));
    expect(Buffer.compare(sub.market.toBuffer(), market.toBuffer())).toBe(0);
    expect(Array.from(sub.market.toBytes())).toEqual(Array.from(market.toBytes()));
    expect(new PublicKey(sub.market).equals(market)).toBe(true);
    const [pda] = PublicKey.findProgramAddressSync([sub.owner.toBuffer()], sub.market);
    expect(pda.equals(PublicKey.findProgramAddressSync([owner.toBuffer()], market)[0])).toBe(true);
  });

  it("decode accounts at any offset of a shared buffer, alternating buffers", async () => {
    const coder = new BorshAccountsCoder(marginIdl as Idl);
    const arb = arbitraryOf({ defined: { name: "SubAccount" } }, marginIdl.types as IdlTypeDef[]);
    const values = fc.sample(arb, { numRuns: 20, seed: 5 });
    const encoded = await Promise.all(values.map((v) => coder.encode("SubAccount", v)));
    const shared = new Uint8Array(3 + encoded.length * SUB_ACCOUNT_SIZE);
    encoded.forEach((e, i) => {
      shared.set(e, 3 + i * SUB_ACCOUNT_SIZE);
    });
    for (let i = 0; i < encoded.length; i++) {
      const view = shared.subarray(3 + i * SUB_ACCOUNT_SIZE, 3 + (i + 1) * SUB_ACCOUNT_SIZE);
      expect(normalise(decodeSubAccount(view))).toEqual(normalise(coder.decode("SubAccount", encoded[i]!)));
      expect(normalise(decodeSubAccount(encoded[i]!))).toEqual(normalise(values[i]));
    }
  });

  it("reject an invalid bool or enum tag", async () => {
    const coder = new BorshAccountsCoder(marginIdl as Idl);
    const [pool] = fc.sample(arbitraryOf({ defined: { name: "LendingPool" } }, marginIdl.types as IdlTypeDef[]), {
      numRuns: 1,
      seed: 3,
    });
    const data = await coder.encode("LendingPool", pool);
    data[207] = 2; // socialized
    expect(() => decodeLendingPool(data)).toThrow(AccountDecodeError);
    const [market] = fc.sample(arbitraryOf({ defined: { name: "Market" } }, marginIdl.types as IdlTypeDef[]), {
      numRuns: 1,
      seed: 3,
    });
    const bytes = await coder.encode("Market", market);
    bytes[169] = 3; // policy
    expect(() => decodeMarket(bytes)).toThrow(AccountDecodeError);
  });
});
