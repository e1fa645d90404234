import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts'],
    // Tests open in-memory SQLite in the worker: the better-sqlite3 build this Node.js runs safely.
    setupFiles: ['packages/sqlite-driver/src/testSetup.ts'],
    // Backend startup (SQLite, auth keys, a child process in the end-to-end
    // test) takes seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 150_000,
    // 2-core machines: run test files one or two at a time.
    maxWorkers: 2,
  },
});
