export * from "./errors.js";
export * from "./math/errors.js";
export * from "./math/fixed.js";

export * from "./oracle/addresses.js";
export * from "./oracle/report.js";
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

export { AccountDecodeError, discriminator, hasDiscriminator, type Discriminator } from "./decode/common.js";
export * from "./decode/oracle.js";
export * from "./decode/restaking.js";
export * from "./decode/margin.js";

export type { Oracle } from "../idl/oracle.js";
export type { Restaking } from "../idl/restaking.js";
export type { Margin } from "../idl/margin.js";

export * from "./restaking/addresses.js";
export * from "./margin/addresses.js";
export * from "./client.js";
export { lanternPrograms, offlinePrograms, type LanternPrograms } from "./programs.js";
export * as oracleInstructions from "./instructions/oracle.js";
export * as restakingInstructions from "./instructions/restaking.js";
export * as marginInstructions from "./instructions/margin.js";
