// Real-browser tests (e2e/*.test.ts): Chromium through playwright-core against `platelab serve`.
// One file at a time: each starts its own server and browser, and CI has 2 cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
  },
});
