// A subscriber that reads too slowly misses events: the chain keeps the last 4,096 for its
// subscriptions. What it watches must still reach it in its latest state — a keeper's account store
// that never hears of a sub-account's last change would act on a stale book until its next resync.
// Its own chain: the flood of events below would make every other file's subscribers fall behind too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Keypair } from "@solana/web3.js";
import { type LocalChain, startLocalChain } from "./setup/chain.js";
import { rawSubscriptions } from "./setup/subscriptions.js";

let chain: LocalChain;
beforeAll(async () => {
  chain = await startLocalChain();
});
afterAll(() => chain?.stop());

const OWNER = Keypair.generate().publicKey.toBase58();
const FINAL_LAMPORTS = 777_777_777;

/** `lantern_setAccount` requests, sent as one JSON-RPC batch (each answers `null` on success). */
async function setAccounts(writes: { pubkey: string; lamports: number; data: string }[]) {
  const body = writes.map(({ pubkey, lamports, data }, id) => ({
    jsonrpc: "2.0",
    id,
    method: "lantern_setAccount",
    params: [pubkey, { lamports, owner: OWNER, data, executable: false }],
  }));
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answers = (await response.json()) as { error?: unknown }[];
  expect(answers.filter((a) => a.error !== undefined)).toEqual([]);
}

describe("subscriptions that fall behind", () => {
  it("still deliver the watched account's latest state, to account and program subscribers", async () => {
    const watched = Keypair.generate().publicKey.toBase58();
    const other = Keypair.generate().publicKey.toBase58();
    const latest = { account: 0, program: 0 };
    const ws = await rawSubscriptions(chain.wsUrl, ({ method, value }) => {
      if (method === "accountNotification") latest.account = (value as { lamports: number }).lamports;
      const keyed = value as { pubkey: string; account: { lamports: number } };
      if (method === "programNotification" && keyed.pubkey === watched) latest.program = keyed.account.lamports;
    });
    await ws.subscribe("accountSubscribe", [watched, { encoding: "base64" }]);
    await ws.subscribe("programSubscribe", [OWNER, { encoding: "base64" }]);

    // The client stops reading: the watched account's changes fill the connection's buffers until its
    // subscriptions wait on the client...
    ws.pause();
    const data = Buffer.alloc(4_096, 7).toString("base64");
    for (let i = 0; i < 4_000; i += 100) {
      await setAccounts(
        Array.from({ length: 100 }, (_, k) => ({ pubkey: watched, lamports: 1_000_000 + i + k, data })),
      );
    }
    // ...then its last change, and more events after it than the chain keeps.
    await setAccounts([{ pubkey: watched, lamports: FINAL_LAMPORTS, data: "" }]);
    for (let i = 0; i < 5_000; i += 500) {
      await setAccounts(
        Array.from({ length: 500 }, (_, k) => ({ pubkey: other, lamports: 1_000_000 + i + k, data: "" })),
      );
    }
    ws.resume();

    const deadline = Date.now() + 30_000;
    while ((latest.account !== FINAL_LAMPORTS || latest.program !== FINAL_LAMPORTS) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ws.close();
    expect(latest).toEqual({ account: FINAL_LAMPORTS, program: FINAL_LAMPORTS });
  }, 90_000);
});
