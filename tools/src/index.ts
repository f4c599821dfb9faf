// `@lantern/devtools`: the cargo wrapper and the local-chain launcher that `npm start`, the tests and the
// benchmarks share. Plain Node scripts (no TypeScript loader) import the cargo wrapper alone from
// `@lantern/devtools/cargo`.
export { cargo, cargoTargetDir } from "./cargo.mjs";
export * from "./local-chain.js";
