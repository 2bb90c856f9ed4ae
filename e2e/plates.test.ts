// Browser test: open a tiny synthetic dataset in serve mode, check the counts, the 384-well grid
// with its greyed ring, one-sprite thumbnails that change when a channel is toggled, the heatmap,
// the tooltip and keyboard navigation into the well viewer.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AppPage } from './helpers/app-page';
import { launchBrowser, openPage, type TrackedPage } from './helpers/browser';
import { datasetWells } from './helpers/dataset-csv';
import {
  backgroundColor,
  backgroundColors,
  backgroundImage,
  backgroundImages,
} from './helpers/in-page';
import { startServe, type Served } from './helpers/serve';

let served: Served;
let browser: Browser;
let tracked: TrackedPage;
let app: AppPage;

/** One image removed before indexing, so the problems list has something to show. */
let removed = '';

beforeAll(async () => {
  served = await startServe({
    dataset: 'tiny-closed',
    name: 'plates',
    prepare: (dir) => {
      const plateDir = join(dir, 'train', 'RPE-01', 'Plate2');
      const file = readdirSync(plateDir).filter((f) => f.endsWith('_s2_w4.png'))[0];
      removed = `train/RPE-01/Plate2/${file}`;
      rmSync(join(plateDir, file));
    },
  });
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

describe('datasets and plates', () => {
  it('opens a folder, shows indexing progress and counts that match its CSVs', async () => {
    await app.go('datasets');
    await app.byTestId('dataset-path').fill(served.datasetDir as string);
    await app.byTestId('dataset-open').click();
    await app.byTestId('index-progress').waitFor();
    await expect
      .poll(() => app.byTestId('index-progress').getAttribute('data-status'), { timeout: 90_000 })
      .toBe('done');
    await app.waitForDataset();
    const wells = datasetWells(served.datasetDir as string);
    const plates = new Set(wells.map((w) => `${w.experiment}/${w.plate}`));
    const experiments = new Set(wells.map((w) => w.experiment));
    const count = async (k: string) =>
      Number((await app.byTestId(`count-${k}`).innerText()).replace(/,/g, ''));
    expect(await count('wells')).toBe(wells.length);
    expect(await count('plates')).toBe(plates.size);
    expect(await count('experiments')).toBe(experiments.size);
    expect(await app.byTestId('experiment-row').count()).toBe(experiments.size);
    await expect
      .poll(() => app.byTestId('header-backend').textContent(), { timeout: 60_000 })
      .toMatch(/compute: \w+/);
    await app.screenshot('datasets');
  });

  it('lists the problems found, naming the file, and filters them', async () => {
    const panel = app.byTestId('problems-panel');
    // The indexer names the incomplete site (…/B02_s2) and the missing channel.
    const site = removed.replace(/_w\d\.png$/, '');
    await expect.poll(() => panel.innerText(), { timeout: 30_000 }).toContain(site);
    expect(await panel.innerText()).toMatch(/channel 4/);
    await app.byTestId('problems-search').fill('Plate2');
    await expect.poll(() => app.byTestId('problem-row').count()).toBeGreaterThan(0);
    await app.byTestId('problems-search').fill('no-such-file-anywhere');
    await expect.poll(() => app.byTestId('problem-row').count()).toBe(0);
    await app.byTestId('problems-search').fill('');
  });

  it('shows the damaged well as broken, with the reason, in the well viewer', async () => {
    const site = removed.replace(/_w\d\.png$/, '');
    const [, , exp, plate, wellSite] =
      /^(train)\/([^/]+)\/Plate(\d+)\/([A-P]\d{2})_s2$/.exec(site) ?? [];
    expect(wellSite).toBeDefined();
    await app.go('well');
    await app.byTestId('well-idcode').fill(`${exp}_${plate}_${wellSite}`);
    await app.page.keyboard.press('Enter');
    await app.byTestId('well-title').waitFor();
    await app.byTestId('site-2-error').waitFor({ timeout: 30_000 });
    expect(await app.byTestId('well-meta').innerText()).toMatch(/Site 2\s+broken/);
    await app.screenshot('well-broken');
  });

  it('draws the 384-well plate with the outer ring greyed and the wells of the CSVs', async () => {
    const first = datasetWells(served.datasetDir as string)
      .filter((w) => w.experiment.startsWith('HUVEC'))
      .sort((a, b) => a.experiment.localeCompare(b.experiment) || a.plate - b.plate)[0];
    await app.openPlate(first.experiment, first.plate);
    const expected = datasetWells(served.datasetDir as string).filter(
      (w) => w.experiment === first.experiment && w.plate === first.plate,
    );
    await expect
      .poll(() => app.page.locator('[data-has-well="true"]').count())
      .toBe(expected.length);
    expect(await app.cells().count()).toBe(384);
    expect(await app.page.locator('[data-testid="well-cell"][data-ring="true"]').count()).toBe(76);
    expect(await app.page.locator('[data-testid="well-cell"][data-ring="false"]').count()).toBe(
      308,
    );
    expect(await app.byTestId('row-label').allInnerTexts()).toEqual('ABCDEFGHIJKLMNOP'.split(''));
    expect((await app.byTestId('col-label').allInnerTexts()).map(Number)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    // The ring is drawn greyed: its computed background differs from a used empty position.
    const ringBg = await app.page.locator('[data-well="A01"]').evaluate(backgroundImage);
    expect(ringBg).toContain('repeating-linear-gradient');
    for (const w of expected) {
      const cell = app.page.locator(`[data-testid="well-cell"][data-well="${w.well}"]`);
      expect(await cell.getAttribute('data-has-well')).toBe('true');
      expect(await cell.getAttribute('data-ring')).toBe('false');
    }
    expect(await app.page.locator('[data-well="B02"]').getAttribute('data-well-type')).toBe(
      'negative_control',
    );
  });

  it('loads all thumbnails from one sprite and redraws it when a channel is toggled', async () => {
    await expect.poll(() => app.cellBackground('B02'), { timeout: 30_000 }).toContain('url(');
    const withWells = await app.page
      .locator('[data-has-well="true"]')
      .evaluateAll(backgroundImages);
    // Every well uses the same sprite URL (one request per plate, not one per well).
    expect(new Set(withWells).size).toBe(1);
    const before = await app.cellBackground('B02');
    const shotBefore = await app.page.locator('[data-well="B02"]').screenshot();
    await app.screenshot('plates-thumbnails');
    // Thumbnails mode explains the dashed outline of a well without images, as the heatmap does.
    await expect(app.byTestId('thumbnail-keys').innerText()).resolves.toContain('no images');

    await app.byTestId('chip-channel-1').locator('label').click();
    await expect.poll(() => app.cellBackground('B02'), { timeout: 30_000 }).not.toBe(before);
    await app.page.waitForTimeout(300); // let the new sprite decode
    const shotAfter = await app.page.locator('[data-well="B02"]').screenshot();
    expect(Buffer.compare(shotBefore, shotAfter)).not.toBe(0);

    // The sprite files themselves differ too.
    const url = (bg: string) => /url\("?(.*?)"?\)/.exec(bg)?.[1] ?? '';
    const [a, b] = await Promise.all(
      [before, await app.cellBackground('B02')].map((bg) =>
        app.page.evaluate(
          async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())),
          url(bg),
        ),
      ),
    );
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
    await app.byTestId('chip-channel-1').locator('label').click();
  });

  it('shows a heatmap with a legend, a tooltip on hover, and opens a well with the keyboard', async () => {
    await app.byTestId('plate-mode').getByText('Heatmap').click();
    await app.byTestId('heatmap-legend').waitFor();
    const colored = await app.page.locator('[data-has-well="true"]').evaluateAll(backgroundColors);
    // Well types: the negative control has its own colour, different from a treatment well.
    const neg = await app.page.locator('[data-well="B02"]').evaluate(backgroundColor);
    const treatment = await app.page
      .locator('[data-has-well="true"][data-well-type="treatment"]')
      .first()
      .evaluate(backgroundColor);
    expect(colored.every((c) => c !== 'rgba(0, 0, 0, 0)')).toBe(true);
    expect(neg).not.toBe(treatment);
    expect(await app.byTestId('heatmap-legend').innerText()).toContain('negative_control');

    await app.page.locator('[data-well="B02"]').hover();
    await expect(app.byTestId('well-tooltip').innerText()).resolves.toMatch(
      /B02[\s\S]*negative control/,
    );
    await app.screenshot('plates-heatmap');

    // The tiny plate is sparse: arrows move to the next well that exists, never onto an empty
    // position (from which the next arrow used to jump back to B02).
    const selected = app.page.locator('[data-testid="well-cell"][data-selected="true"]');
    await app.page.locator('[data-well="B02"]').click();
    await expect.poll(() => selected.getAttribute('data-well')).toBe('B02');
    await app.page.keyboard.press('ArrowDown');
    await expect.poll(() => selected.getAttribute('data-well')).not.toBe('B02');
    expect(await selected.getAttribute('data-has-well')).toBe('true');
    const below = (await selected.getAttribute('data-well')) as string;
    expect(below[0] > 'B').toBe(true);
    await app.page.keyboard.press('ArrowRight');
    await expect.poll(() => selected.getAttribute('data-has-well')).toBe('true');
    const right = (await selected.getAttribute('data-well')) as string;
    await app.page.keyboard.press('ArrowLeft');
    await expect.poll(() => selected.getAttribute('data-well')).not.toBe(right);
    expect(await selected.getAttribute('data-has-well')).toBe('true');
    const opened = (await selected.getAttribute('data-well')) as string;
    await app.page.keyboard.press('Enter');
    await app.byTestId('screen-well').waitFor();
    await expect(app.byTestId('well-title').innerText()).resolves.toMatch(
      new RegExp(`_${opened}$`),
    );
    expect(tracked.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
