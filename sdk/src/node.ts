// `@lantern/sdk/node`: the parts of the sdk that need Node (the file system). Everything else is in the
// browser-safe entry, `@lantern/sdk`.
export * from "./demo.js";
