// The account store's in-memory index and its snapshot file (the cold-start path `bench/keeper-store.ts`
// measures): accounts are written as getProgramAccounts returns them and loaded through `applySnapshot`,
// the code the store's resync runs.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import anchor, { type Idl } from "@coral-xyz/anchor";
import { loadSubAccountSnapshot, makeSubAccountIndex, shardOf, writeSubAccountSnapshot } from "@lantern/keeper";
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import { Keypair, type PublicKey } from "@solana/web3.js";
import { describe, expect, it } from "vitest";

const coder = new anchor.BorshAccountsCoder(marginIdl as Idl);
const encode = (market: PublicKey, index: number, collateral: bigint, debtShares: bigint) =>
  coder.encode("SubAccount", {
    bump: 254,
    vault_bump: 253,
    market,
    owner: Keypair.generate().publicKey,
    index,
    collateral: new anchor.BN(collateral.toString()),
    debt_shares: new anchor.BN(debtShares.toString()),
  });

describe("sub-account snapshot file", () => {
  it("loads the served market's accounts of this shard through applySnapshot", async () => {
    const market = Keypair.generate().publicKey;
    const other = Keypair.generate().publicKey;
    const accounts = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => ({
        pubkey: Keypair.generate().publicKey,
        data: await encode(i % 10 === 9 ? other : market, i, BigInt(1_000 + i), BigInt(500 + i)),
      })),
    );
    const file = join(mkdtempSync(join(tmpdir(), "lantern-snap-")), "subs.snap");
    writeSubAccountSnapshot(file, 1234, accounts);

    const all = makeSubAccountIndex({ market });
    expect(loadSubAccountSnapshot(file, all)).toEqual({ slot: 1234, accounts: 40 });
    expect(all.size()).toBe(36);
    const first = all.get(accounts[0]!.pubkey.toBase58())!;
    expect(first.slot).toBe(1234);
    expect(first.sub.collateral).toBe(1_000n);
    expect(first.sub.debtShares).toBe(500n);
    expect(all.get(accounts[9]!.pubkey.toBase58())).toBeUndefined();
    expect(all.frontier(9_300, 10n ** 18n).size).toBe(36);
    // A stream update older than the snapshot loses; a newer one wins.
    const address = accounts[1]!.pubkey.toBase58();
    expect(all.apply(address, await encode(market, 1, 1n, 1n), 1000)).toBe(false);
    expect(all.apply(address, await encode(market, 1, 7n, 1n), 1235)).toBe(true);
    expect(all.get(address)!.sub.collateral).toBe(7n);
    // A later snapshot into a filled index: what it no longer lists is closed, what it lists is refreshed.
    const later = join(mkdtempSync(join(tmpdir(), "lantern-snap-")), "later.snap");
    writeSubAccountSnapshot(later, 1300, accounts.slice(1));
    loadSubAccountSnapshot(later, all);
    expect(all.get(accounts[0]!.pubkey.toBase58())).toBeUndefined();
    expect(all.get(address)!.sub.collateral).toBe(1_001n);
    expect(all.size()).toBe(35);
    expect(all.apply(accounts[0]!.pubkey.toBase58(), accounts[0]!.data, 1299)).toBe(false);

    const shard = makeSubAccountIndex({ market, shard: "1/3" });
    loadSubAccountSnapshot(file, shard);
    const expected = accounts.filter((a, i) => i % 10 !== 9 && shardOf(a.pubkey, 3) === 1).length;
    expect(shard.size()).toBe(expected);
  });

  it("refuses a file that is not a snapshot or is truncated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lantern-snap-"));
    const market = Keypair.generate().publicKey;
    const bad = join(dir, "bad.snap");
    writeFileSync(bad, "not a snapshot at all");
    expect(() => loadSubAccountSnapshot(bad, makeSubAccountIndex({ market }))).toThrow(/not a sub-account snapshot/);
    const good = join(dir, "good.snap");
    writeSubAccountSnapshot(good, 1, [{ pubkey: Keypair.generate().publicKey, data: await encode(market, 0, 1n, 1n) }]);
    const cut = join(dir, "cut.snap");
    writeFileSync(cut, readFileSync(good).subarray(0, 60));
    expect(() => loadSubAccountSnapshot(cut, makeSubAccountIndex({ market }))).toThrow(/truncated/);
  });
});
