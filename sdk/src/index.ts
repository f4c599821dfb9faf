export * from "./oracle/addresses.js";
export * from "./oracle/report.js";
export type { Oracle } from "../idl/oracle.js";
