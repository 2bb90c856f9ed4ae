// Browser test of the well viewer's Saliency panel: train a tiny run, predict its validation wells,
// open one, ask for the predicted class's saliency (computed in the prediction child with
// progress), then check the overlay really draws (non-zero pixels), the stain shares add to 100%
// and the opacity slider changes the overlay's opacity.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { naturalWidth } from './helpers/in-page';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'saliency' }, { waitForDataset: true });

/** In the page: how many pixels of an <img> have non-zero alpha (drawn through a canvas). */
const litPixels = (el: unknown): number => {
  const img = el as { naturalWidth: number; naturalHeight: number };
  const doc = (globalThis as unknown as { document: { createElement(t: 'canvas'): unknown } })
    .document;
  const canvas = doc.createElement('canvas') as {
    width: number;
    height: number;
    getContext(k: '2d'): {
      drawImage(i: unknown, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
  };
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
  return n;
};

const opacityOf = (el: unknown): string => (el as { style: { opacity: string } }).style.opacity;

describe('saliency in the well viewer', () => {
  it('trains a tiny run and predicts its validation wells', async () => {
    const { app } = session;
    await app.go('training');
    await app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(app, 2);
    await startRun(app, null);
    await expect.poll(() => runStatus(app), { timeout: 180_000, interval: 1000 }).toBe('done');
    await predictSplit(app, 'Validation');
  });

  it('computes the predicted class’s map and overlays it on the site', async () => {
    const { app } = session;
    await app.byTestId('queue-least-confident').click();
    await app.byTestId('review-queue').waitFor({ timeout: 30_000 });
    await app.page.keyboard.press('j');
    await app.page.keyboard.press('Enter');
    await app.byTestId('screen-well').waitFor();
    await app.byTestId('top-predictions').waitFor({ timeout: 30_000 });
    const panel = app.byTestId('saliency-panel');
    await panel.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => app.byTestId('site-1-img').evaluate(naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(await app.byTestId('site-1-overlay').count()).toBe(0);

    await app.byTestId('saliency-run').click();
    // Progress while the child computes (16 integrated-gradient steps), then the result.
    await app.byTestId('saliency-result').waitFor({ timeout: 120_000 });
    expect(await app.byTestId('saliency-error').count()).toBe(0);

    const overlay = app.byTestId('site-1-overlay');
    await overlay.waitFor();
    await expect.poll(() => overlay.evaluate(naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await overlay.evaluate(litPixels)).toBeGreaterThan(0);

    const shares = await app
      .byTestId('saliency-share')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-share'))));
    expect(shares).toHaveLength(6);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    await expect(app.byTestId('saliency-completeness').innerText()).resolves.toMatch(
      /Integrated gradients, 16 steps/,
    );
    await app.screenshot('saliency');
  });

  it('changes the overlay’s opacity with the slider', async () => {
    const { app } = session;
    const overlay = app.byTestId('site-1-overlay');
    const before = Number(await overlay.evaluate(opacityOf));
    expect(before).toBeCloseTo(0.7, 5);
    const thumb = app.byTestId('saliency-opacity').locator('.mantine-Slider-thumb');
    await thumb.focus();
    await app.page.keyboard.press('Home');
    await expect.poll(async () => Number(await overlay.evaluate(opacityOf))).toBe(0);
    await app.page.keyboard.press('End');
    await expect.poll(async () => Number(await overlay.evaluate(opacityOf))).toBe(1);
  });

  it('overlays one stain on its own and a cached map comes back without a job', async () => {
    const { app } = session;
    const overlay = app.byTestId('site-1-overlay');
    const summed = await overlay.getAttribute('src');
    await app.byTestId('saliency-overlay-choice').click();
    await app.page.getByRole('option', { name: /Hoechst/ }).click();
    await expect.poll(() => overlay.getAttribute('src')).not.toBe(summed);
    expect(await overlay.getAttribute('src')).toMatch(/-c1\.png$/);
    // Asking again is a cache hit: the result stays, no progress shows.
    await app.byTestId('saliency-run').click();
    await app.page.waitForTimeout(500);
    expect(await app.byTestId('saliency-progress').count()).toBe(0);
    await app.byTestId('saliency-result').waitFor();
  });

  it('says why when the weights cannot be verified or the well has no prediction', async () => {
    const { app, served } = session;
    const runs = join(served.dataDir, 'runs');
    const runDir = join(runs, readdirSync(runs).find((d) => d.startsWith('run-'))!);
    const weights = join(runDir, 'best', 'weights.bin');
    const saved = readFileSync(weights);
    try {
      appendFileSync(weights, Buffer.from([0]));
      await app.byTestId('saliency-run').click();
      await app.byTestId('saliency-error').waitFor({ timeout: 30_000 });
      await expect(app.byTestId('saliency-error').innerText()).resolves.toMatch(
        /weights\.bin.*manifest/,
      );
    } finally {
      writeFileSync(weights, saved);
    }
    // A training well of the run was never predicted: the panel says to predict first.
    const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8')) as {
      train: string[];
    };
    await app.byTestId('well-idcode').fill(split.train[0]!);
    await app.byTestId('well-open').click();
    await expect
      .poll(() => app.byTestId('well-title').innerText(), { timeout: 30_000 })
      .toBe(split.train[0]);
    await app.byTestId('saliency-no-prediction').waitFor({ timeout: 30_000 });
    expect(await app.byTestId('saliency-run').count()).toBe(0);
  });
});
