/** Live replay: one path of a scenario played on a local chain with the real keeper fleet, compared with the model. */
export * from "./compare.js";
export * from "./driver.js";
export * from "./plan.js";
export * from "./processes.js";
export * from "./report.js";
export * from "./run.js";
export * from "./schedule.js";
