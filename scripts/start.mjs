// `npm start`: the main job on the embedded local chain. The local chain (programs/localnet) and the
// terminal UI arrive with their own work items; until then this says so plainly.
console.log(
  [
    "Lantern — the embedded local chain is not part of this build yet.",
    "",
    "What works today:",
    "  npm test          runs the oracle committee program on the real Solana runtime",
    "  npm run idl       regenerates the programs' IDL and TypeScript types under sdk/idl",
    "  npm run bench     prints every account's size and rent",
    "",
    "`npm start` will start the local chain with a demo world and the trader UI once",
    "programs/localnet lands (see README.md, 'Status').",
  ].join("\n"),
);
