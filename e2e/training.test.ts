// Browser test: the training form validates as you type, a tiny run streams its curves, one run is
// cancelled and resumed, and a short run finishes and appears in the run list.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AppPage } from './helpers/app-page';
import { launchBrowser, openPage, type TrackedPage } from './helpers/browser';
import { startServe, type Served } from './helpers/serve';
import { fillTinyConfig, runStatus, startRun, stepCount } from './helpers/training';

let served: Served;
let browser: Browser;
let tracked: TrackedPage;
let app: AppPage;

beforeAll(async () => {
  served = await startServe({ dataset: 'tiny', name: 'training' });
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

describe('training', () => {
  it('validates the settings as you type', async () => {
    await app.go('training');
    await app.byTestId('tf-batchSize').waitFor();
    await expect.poll(() => app.byTestId('training-backend').textContent()).toMatch(/compute: \w+/);
    await app.byTestId('tf-batchSize').fill('0');
    await expect.poll(() => app.byTestId('train-start').isEnabled()).toBe(false);
    await expect(app.byTestId('train-invalid').innerText()).resolves.toMatch(/1 setting/);
    // The error is shown inline, under the field.
    const describedBy = await app.byTestId('tf-batchSize').getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    await expect(
      app.page.locator(`[id="${describedBy?.split(' ')[0]}"]`).innerText(),
    ).resolves.toMatch(/>=\s*1|too small/i);
    await app.byTestId('tf-cropSize').fill('400');
    await app.byTestId('tf-imageSize').fill('64');
    await app.byTestId('tf-batchSize').fill('8');
    await expect.poll(() => app.byTestId('train-invalid').innerText()).toMatch(/1 setting/);
    await fillTinyConfig(app, 2);
    await expect
      .poll(() => app.byTestId('train-counts').innerText(), { timeout: 30_000 })
      .toMatch(/\d+ training wells/);
    await app.screenshot('training-form');
  });

  it('streams curves, cancels a run and resumes it', async () => {
    await fillTinyConfig(app, 400);
    const runId = await startRun(app, null);
    await expect.poll(() => stepCount(app), { timeout: 120_000, interval: 500 }).toBeGreaterThan(1);
    const stepsBefore = await stepCount(app);
    await app.screenshot('training-running');
    await app.byTestId('train-cancel').click();
    await expect.poll(() => runStatus(app), { timeout: 60_000 }).toBe('cancelled');
    expect(
      await app.page
        .locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
        .getAttribute('data-status'),
    ).toBe('cancelled');

    await expect.poll(() => app.byTestId('train-resume').isEnabled()).toBe(true);
    await app.byTestId('train-resume').click();
    await expect.poll(() => runStatus(app), { timeout: 60_000 }).toBe('running');
    await expect
      .poll(() => stepCount(app), { timeout: 120_000, interval: 500 })
      .toBeGreaterThan(stepsBefore);
    // This time cancel from the global jobs drawer.
    await app.byTestId('jobs-button').click();
    const row = app.page.locator('[data-testid="job-row"][data-status="running"]');
    await row.waitFor();
    await app.page.waitForTimeout(500); // the drawer slides in
    await app.screenshot('jobs-drawer');
    await row.getByTestId('job-cancel').click();
    await app.page.keyboard.press('Escape');
    await expect.poll(() => runStatus(app), { timeout: 60_000 }).toBe('cancelled');
  });

  it('finishes a short run, lists it with its best score, and reloads its curves', async () => {
    await fillTinyConfig(app, 2);
    const previous = await app.byTestId('run-panel').getAttribute('data-run-id');
    const runId = await startRun(app, previous);
    await expect.poll(() => runStatus(app), { timeout: 180_000, interval: 1000 }).toBe('done');
    const row = app.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await expect(row.innerText()).resolves.toMatch(/resnet-mini/);
    expect(Number(await app.byTestId('metrics-charts').getAttribute('data-epochs'))).toBe(2);
    await app.screenshot('training-done');

    // After a reload the curves come back from runs.metrics.
    await app.page.reload();
    await app.go('training');
    await app.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).click();
    await expect.poll(() => stepCount(app), { timeout: 30_000 }).toBeGreaterThan(0);
    // A run's metrics are asked for as soon as it starts; until its folder exists the server says 404.
    expect(tracked.errors.filter((e) => e !== 'http 404: POST /api/call/runs.metrics')).toEqual([]);
  });
});
