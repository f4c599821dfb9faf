// @lantern/tui: `runTui(argv)` (what `npm run tui` and `npm start` call) and the pure parts other
// code and tests use. Ink is loaded only inside runTui, after NO_COLOR has become FORCE_COLOR=0 (chalk
// reads the colour level once, when it is first imported, and ignores NO_COLOR itself).
import { type Flags, parseFlags, resolveConfig, type TuiConfig, USAGE, UsageError, wantsNoColor } from "./config.js";

export {
  parseFlags,
  resolveConfig,
  USAGE,
  UsageError,
  websocketUrlFor,
  MONIKERS,
  clusterOf,
  readSolanaConfig,
} from "./config.js";
export type { Flags, TuiConfig, Environment, SolanaCliConfig } from "./config.js";
export { parsePrometheus, sumOf, byLabel, PrometheusParseError } from "./prometheus.js";

export interface RunTuiOptions {
  /** Extra flags appended to argv (npm start passes the demo world and its keepers). */
  extra?: string[];
}

/** Runs the TUI for `argv` (without node and the script); resolves with the exit code. */
export async function runTui(argv: readonly string[], options: RunTuiOptions = {}): Promise<number> {
  let flags: Flags;
  let config: TuiConfig;
  try {
    flags = parseFlags([...argv, ...(options.extra ?? [])]);
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    config = resolveConfig(flags);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (wantsNoColor(flags, process.env)) process.env.FORCE_COLOR = "0";
  const { runWithConfig } = await import("./run.js");
  return runWithConfig(config);
}
