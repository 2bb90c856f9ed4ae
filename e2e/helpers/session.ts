// One browser session per test file: starts serve mode on its own temp data folder, opens the page,
// and on a failed test prints what the server and the page said (the likeliest explanations).
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { AppPage } from './app-page';
import { launchBrowser, openPage, type TrackedPage } from './browser';
import { startServe, type Served } from './serve';

export interface Session {
  served: Served;
  tracked: TrackedPage;
  app: AppPage;
}

/** Registers the file's hooks; the returned object is filled in before the first test runs. */
export function useSession(
  serveOptions: Parameters<typeof startServe>[0],
  opts: { waitForDataset?: boolean } = {},
): Session {
  const session = {} as Session;
  let browser: Browser | undefined;
  beforeAll(async () => {
    session.served = await startServe(serveOptions);
    browser = await launchBrowser();
    session.tracked = await openPage(browser, session.served.url);
    session.app = new AppPage(session.tracked.page);
    if (opts.waitForDataset) {
      try {
        await session.app.waitForDataset();
      } catch (err) {
        // A failed beforeAll skips afterEach: say here what the server printed.
        console.error(`server output (tail):\n${session.served.output().slice(-3000)}`);
        throw err;
      }
    }
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.error(`server output (tail):\n${session.served?.output().slice(-3000)}`);
      console.error(`page errors:\n${session.tracked?.errors.join('\n')}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await session.served?.stop();
  });
  return session;
}
