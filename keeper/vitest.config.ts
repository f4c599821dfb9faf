// The keeper's tests alone: `npx vitest run --config keeper/vitest.config.ts`. The unit tests need no
// chain; the fault-matrix and end-to-end tests start local chains of their own (build it first with
// `npm run cargo -- build -p localnet`, as `npm test` does). `npm test` runs them all through the root
// configuration.
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: resolve(import.meta.dirname, ".."),
  test: { include: ["test/keeper/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 120_000 },
});
