// Browser test: train a tiny run, predict the validation and test splits, step through a review
// queue with the keyboard into the well viewer, then export a Kaggle submission and check the file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AppPage } from './helpers/app-page';
import { launchBrowser, openPage, type TrackedPage } from './helpers/browser';
import { testCsvRows } from './helpers/dataset-csv';
import { naturalWidth } from './helpers/in-page';
import { startServe, type Served } from './helpers/serve';
import { fillTinyConfig, runStatus, startRun } from './helpers/training';

let served: Served;
let browser: Browser;
let tracked: TrackedPage;
let app: AppPage;

beforeAll(async () => {
  served = await startServe({ dataset: 'tiny', name: 'predict' });
  browser = await launchBrowser();
  tracked = await openPage(browser, served.url);
  app = new AppPage(tracked.page);
  await app.waitForDataset();
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

async function predict(split: 'Validation' | 'Test'): Promise<void> {
  await app.go('predictions');
  await app.byTestId('predict-split').getByText(split).click();
  await app.byTestId('predict-run').click();
  await expect
    .poll(() => app.byTestId('predict-job').textContent(), { timeout: 180_000, interval: 500 })
    .toMatch(/^done/);
  await app.byTestId('predict-summary').waitFor({ timeout: 30_000 });
}

describe('predictions and export', () => {
  it('trains a tiny run to the end', async () => {
    await app.go('training');
    await app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(app, 3);
    await startRun(app, null);
    await expect.poll(() => runStatus(app), { timeout: 180_000, interval: 1000 }).toBe('done');
  });

  it('predicts the validation split and shows accuracy, plates and confused pairs', async () => {
    await predict('Validation');
    await expect(app.byTestId('predict-accuracy').innerText()).resolves.toMatch(/^\d+(\.\d)?%$/);
    expect(await app.byTestId('per-plate-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await app.byTestId('plate-grid').waitFor();
    // The correctness heatmap colours every predicted well of the plate green or red.
    const colours = await app.page
      .locator('[data-testid="screen-predictions"] [data-has-well="true"][data-value]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-value')));
    expect(colours.every((v) => v === 'correct' || v === 'wrong')).toBe(true);
    await app.screenshot('predictions');
  });

  it('steps through a review queue with j/k and opens a well with Enter', async () => {
    await app.byTestId('queue-least-confident').click();
    const queue = app.byTestId('review-queue');
    await queue.waitFor({ timeout: 30_000 });
    const items = app.byTestId('queue-item');
    expect(await items.count()).toBeGreaterThan(1);
    await queue.focus();
    await app.page.keyboard.press('j');
    await expect.poll(() => queue.getAttribute('data-active')).toBe('1');
    await app.page.keyboard.press('j');
    await app.page.keyboard.press('k');
    await expect.poll(() => queue.getAttribute('data-active')).toBe('1');
    const idCode = await items.nth(1).getAttribute('data-idcode');
    await app.page.keyboard.press('Enter');
    await app.byTestId('screen-well').waitFor();
    await expect(app.byTestId('well-title').innerText()).resolves.toBe(idCode);
    await app.byTestId('top-predictions').waitFor({ timeout: 30_000 });
    expect(
      await app.byTestId('top-predictions').locator('.mantine-Progress-root').count(),
    ).toBeGreaterThan(0);
    await expect
      .poll(() => app.byTestId('site-1-img').evaluate(naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await app.screenshot('review-well');
  });

  it('exports a Kaggle submission with one row per test.csv well', async () => {
    await predict('Test');
    await app.go('export');
    await app.byTestId('export-submission').click();
    const link = app.byTestId('export-submission-link');
    await link.waitFor({ timeout: 120_000 });
    const href = (await link.getAttribute('href')) ?? '';
    const res = await app.page.request.get(new URL(href, served.url).toString());
    expect(res.status()).toBe(200);
    const lines = (await res.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('id_code,sirna');
    const expected = testCsvRows(served.datasetDir as string);
    expect(lines.length - 1).toBe(expected);
    expect(Number(await link.getAttribute('data-rows'))).toBe(expected);
    expect(lines.slice(1).every((l) => /^[^,]+_\d+_[A-P]\d{2},\S+$/.test(l))).toBe(true);

    // The per-well predictions CSV and the plate heatmap PNG come back as files too.
    await app.byTestId('export-predictions').click();
    const csvHref = await app
      .byTestId('export-predictions-link')
      .getAttribute('href', { timeout: 60_000 });
    const csv = await app.page.request.get(new URL(csvHref ?? '', served.url).toString());
    expect((await csv.text()).split(/\r?\n/)[0]).toMatch(/^id_code,/);
    await app.byTestId('export-png').click();
    const pngHref = await app.byTestId('export-png-link').getAttribute('href', { timeout: 60_000 });
    const png = await (
      await app.page.request.get(new URL(pngHref ?? '', served.url).toString())
    ).body();
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await app.screenshot('export');
  });
});
