import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "tui/test/**/*.test.{ts,tsx}"],
    globalSetup: ["test/setup/localnet.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
