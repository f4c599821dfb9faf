/**
 * The protocol's exact math without the chain client (no web3.js, no Anchor), as `@lantern/sdk/math`:
 * fixed point, the programs' errors, the oracle's rules, the restaking and margin math. For code that
 * only computes — the simulator's models load it, and its workers start without the client.
 */
export * from "./math/errors.js";
export * from "./math/fixed.js";

export * from "./oracle/types.js";
export * from "./oracle/sanity.js";
export * from "./oracle/ema.js";
export * from "./oracle/median.js";
export * from "./oracle/frames.js";
export * from "./oracle/committee.js";
export * from "./oracle/feed.js";

export * from "./restaking/types.js";
export * from "./restaking/math.js";

export * from "./margin/types.js";
export * from "./margin/shares.js";
export * from "./margin/interest.js";
export * from "./margin/pool.js";
export * from "./margin/health.js";
export * from "./margin/pricing.js";
export * from "./margin/liquidation.js";
export * from "./margin/market.js";
export * from "./margin/subAccount.js";
export * from "./margin/frontier.js";
export * from "./margin/position.js";
