#!/usr/bin/env -S npx tsx
// `npm run tui -- [flags]`: the Lantern TUI (see `--help` and docs/tui.md).
import { runTui } from "./index.js";

runTui(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `The TUI stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
