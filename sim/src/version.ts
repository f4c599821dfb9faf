/** The simulator's version, written into every result (the package version plus the engine's revision). */
import pkg from "../package.json" with { type: "json" };

/** Bumped whenever the engine or the statistics change what a given (scenario, seed) produces. */
export const ENGINE_REVISION = 3;

export const SIM_VERSION = `${pkg.version}+engine.${ENGINE_REVISION}`;
