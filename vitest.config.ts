import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // End-to-end suites start real servers and child processes; give them room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallel workers modest so timings stay honest.
    maxWorkers: 2,
    env: {
      TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
      TEST_REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    },
  },
});
