// Browser test: open a well from the plate, see both sites, switch to one site at a time, zoom,
// toggle a channel (the rendered image changes), reset to the rxrx1 default.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AppPage } from './helpers/app-page';
import { launchBrowser, openPage, type TrackedPage } from './helpers/browser';
import { datasetWells } from './helpers/dataset-csv';
import { naturalWidth } from './helpers/in-page';
import { startServe, type Served } from './helpers/serve';

let served: Served;
let browser: Browser;
let tracked: TrackedPage;
let app: AppPage;

beforeAll(async () => {
  served = await startServe({ dataset: 'tiny', name: 'well' });
  browser = await launchBrowser();
  tracked = await openPage(browser, served.url);
  app = new AppPage(tracked.page);
});

afterEach((ctx) => {
  // On failure, show what the server and the page said: the likeliest explanations.
  if (ctx.task.result?.state === 'fail') {
    console.error(`server output (tail):\n${served?.output().slice(-3000)}`);
    console.error(`page errors:\n${tracked?.errors.join('\n')}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

/** The loaded image of a site, waiting until it has decoded. */
async function siteSrc(site: number): Promise<string> {
  const img = app.byTestId(`site-${site}-img`);
  await img.waitFor();
  await expect.poll(() => img.evaluate(naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
  return (await img.getAttribute('src')) ?? '';
}

/** Each channel's contrast range [lo, hi], read from the range sliders' thumbs. */
async function ranges(): Promise<number[][]> {
  const out: number[][] = [];
  for (let c = 1; c <= 6; c++) {
    const thumbs = app.byTestId(`channel-range-${c}`).getByRole('slider');
    out.push(
      (await thumbs.evaluateAll((els) => els.map((e) => e.getAttribute('aria-valuenow')))).map(
        Number,
      ),
    );
  }
  return out;
}

describe('well viewer', () => {
  it('opens a well by double-click and shows both sites side by side', async () => {
    await app.waitForDataset();
    const w = datasetWells(served.datasetDir as string).find(
      (x) => x.experiment.startsWith('HUVEC') && x.well === 'B02',
    );
    expect(w).toBeDefined();
    await app.openPlate(w!.experiment, w!.plate);
    await app.page.locator('[data-testid="well-cell"][data-well="B02"]').dblclick();
    await app.byTestId('screen-well').waitFor();
    await expect(app.byTestId('well-title').innerText()).resolves.toBe(w!.idCode);
    const [s1, s2] = [await siteSrc(1), await siteSrc(2)];
    expect(s1).not.toBe(s2);
    await expect(app.byTestId('well-meta').innerText()).resolves.toContain('negative_control');
    await app.screenshot('well-side-by-side');
  });

  it('switches between sites in single-site layout', async () => {
    await app.byTestId('site-layout').getByText('One site').click();
    await app.byTestId('site-switch').waitFor();
    await siteSrc(1);
    expect(await app.byTestId('site-2').count()).toBe(0);
    await app.byTestId('site-switch').getByText('Site 2').click();
    await siteSrc(2);
    expect(await app.byTestId('site-1').count()).toBe(0);
    // 's' toggles back to site 1 from the keyboard.
    await app.page.locator('body').click({ position: { x: 5, y: 500 } });
    await app.page.keyboard.press('s');
    await siteSrc(1);
    expect(await app.byTestId('site-2').count()).toBe(0);
    await app.screenshot('well-one-site');
  });

  it('zooms with the wheel and re-renders when a channel is hidden, then resets', async () => {
    const frame = app.byTestId('site-1');
    await frame.hover();
    await app.page.mouse.wheel(0, -300);
    await expect
      .poll(async () => Number(await frame.getAttribute('data-scale')))
      .toBeGreaterThan(1);
    await frame.dblclick();
    await expect.poll(async () => Number(await frame.getAttribute('data-scale'))).toBe(1);

    const before = await siteSrc(1);
    const pixelsBefore = await app.byTestId('site-1-img').screenshot();
    await app.byTestId('channel-toggle-2').click();
    await expect
      .poll(() => app.byTestId('site-1-img').getAttribute('src'), { timeout: 30_000 })
      .not.toBe(before);
    await siteSrc(1);
    const pixelsAfter = await app.byTestId('site-1-img').screenshot();
    expect(Buffer.compare(pixelsBefore, pixelsAfter)).not.toBe(0);
    expect(await app.byTestId('channel-toggle-2').isChecked()).toBe(false);

    await app.byTestId('reset-display').click();
    await expect.poll(() => app.byTestId('channel-toggle-2').isChecked()).toBe(true);
  });

  it('auto-contrasts from the site and applies one channel to all', async () => {
    const defaults = await ranges();
    await app.byTestId('auto-contrast').click();
    await expect.poll(ranges, { timeout: 30_000 }).not.toEqual(defaults);
    const auto = await ranges();
    // Apply channel 1's range to every channel.
    await app.byTestId('channel-1').click({ position: { x: 5, y: 5 } });
    await app.byTestId('apply-all').click();
    await expect.poll(ranges).toEqual(Array.from({ length: 6 }, () => auto[0]));
    await app.screenshot('well-auto-contrast');
    await app.byTestId('reset-display').click();
    await expect.poll(ranges).toEqual(defaults);
    expect(tracked.errors).toEqual([]);
  });
});
