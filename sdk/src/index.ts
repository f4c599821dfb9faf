export * from "./protocolMath.js";
export * from "./errors.js";

export * from "./oracle/addresses.js";
export * from "./oracle/report.js";

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
