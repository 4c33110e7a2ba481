import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Chooses the PostgreSQL beside SQLite for the storage tests, once per run, and prints it.
    globalSetup: ["test/helpers/engines-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
  },
});
