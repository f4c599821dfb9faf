/** The world models: one module per driver, composed by `createWorld`. */
export * from "./borrowRate.js";
export * from "./committee.js";
export * from "./discount.js";
export * from "./fairRate.js";
export * from "./marketOracle.js";
export * from "./paths.js";
export * from "./world.js";
