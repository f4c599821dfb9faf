// The keeper's unit tests alone, without starting a local chain: `npx vitest run --config keeper/vitest.config.ts`.
// (`npm test` runs them too, through the root configuration.)
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: resolve(import.meta.dirname, ".."),
  test: { include: ["test/keeper/unit.test.ts"], testTimeout: 30_000 },
});
