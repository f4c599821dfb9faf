// The --json snapshot: what the screens show, as plain JSON (bigints as decimal strings).
import { selectKeepers, selectOracle, selectSubRows, poolRates, feedStatus } from "./store/selectors.js";
import type { State } from "./store/state.js";

const plain = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    if ("toBase58" in value && typeof (value as { toBase58: unknown }).toBase58 === "function")
      return (value as { toBase58(): string }).toBase58();
    if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
};

export function toSnapshot(state: State) {
  const { world, chain } = state;
  return plain({
    cluster: state.cluster,
    rpcUrl: state.rpcUrl,
    chain: { status: chain.status, error: chain.error, slot: chain.slot, unixTime: chain.now },
    wallet: state.wallet,
    market:
      world && chain.now !== undefined
        ? {
            address: world.marketAddress,
            policy: world.market.policy,
            paused: world.market.paused,
            risk: world.market.risk,
            pool: poolRates(world),
            feed: {
              fairRate: world.feed.fairRate,
              ...feedStatus(world, chain.now),
            },
          }
        : undefined,
    subAccounts: selectSubRows(state),
    oracle: selectOracle(state),
    keepers: selectKeepers(state).map(
      ({ url, name, status, error, live, ready, lastTickAgeSecs, txOutcomes, liquidations }) => ({
        url,
        name,
        status,
        error,
        live,
        ready,
        lastTickAgeSecs,
        txOutcomes,
        liquidations,
      }),
    ),
  });
}
