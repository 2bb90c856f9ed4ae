// Browser test: events sent while the page's event socket was down are not lost for good. The page
// opens with its socket held closed; a dataset is indexed meanwhile (its catalog:changed and
// job:update go to nobody); once the socket may connect, the datasets screen shows the new counts
// without a reload.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AppPage } from './helpers/app-page';
import { useSession } from './helpers/session';

const session = useSession({ dataset: 'tiny-closed', name: 'events-reconnect' });

/** One API call over HTTP, as the test's own client (the page's socket stays held). */
async function call<T>(page: Page, name: string, input: unknown): Promise<T> {
  const res = await page.request.post(new URL(`api/call/${name}`, session.served.url).toString(), {
    data: input,
  });
  const body = (await res.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name} failed: ${body.error?.message}`);
  return body.data as T;
}

describe('events missed while the socket was down', () => {
  it('shows a dataset indexed before the event socket connected', async () => {
    const context = session.tracked.page.context();
    let release = false;
    let refused = 0;
    // Until released, every connection attempt is closed at once: the page retries with backoff.
    await context.routeWebSocket(/\/api\/events/, (ws) => {
      if (release) ws.connectToServer();
      else {
        refused += 1;
        void ws.close();
      }
    });
    const page = await context.newPage();
    await page.goto(session.served.url);
    const app = new AppPage(page);
    await app.go('datasets');
    await expect.poll(() => refused, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await app.byTestId('count-wells').isVisible()).toBe(false);

    const { jobId } = await call<{ jobId: string }>(page, 'dataset.open', {
      root: session.served.datasetDir,
    });
    await expect
      .poll(
        async () =>
          (await call<Array<{ id: string; status: string }>>(page, 'jobs.list', {})).find(
            (j) => j.id === jobId,
          )?.status,
        { timeout: 60_000, interval: 250 },
      )
      .toBe('done');
    release = true;

    // The screen was never told (its socket was closed throughout); it must catch up on connect.
    await app.byTestId('count-wells').waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => Number((await app.byTestId('count-wells').innerText()).replace(/,/g, '')))
      .toBeGreaterThan(0);
    await page.close();
  });
});
