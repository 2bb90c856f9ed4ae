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
    // expect.poll waits for the UI (often a server round trip); vitest's 1 s default fails under
    // CI load (2 cores shared with the server, the browser and training children).
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
