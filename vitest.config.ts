import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/**/*.test.ts",
      "src/**/*.test.ts",
      "bots/**/*.test.ts",
      "queue/**/*.test.ts",
      "config/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Sandbox and end-to-end tests start real processes; two cores cannot run many at once.
    maxWorkers: 2,
  },
});
