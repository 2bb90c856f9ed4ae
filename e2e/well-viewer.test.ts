// Browser test: open a well from the plate, see both sites, switch to one site at a time, zoom,
// toggle a channel (the rendered image changes), reset to the rxrx1 default.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { datasetWells } from './helpers/dataset-csv';
import { naturalWidth } from './helpers/in-page';
import { useSession } from './helpers/session';

const session = useSession({ dataset: 'tiny', name: 'well' });

/** The loaded image of a site, waiting until it has decoded. */
async function siteSrc(site: number): Promise<string> {
  const img = session.app.byTestId(`site-${site}-img`);
  await img.waitFor();
  await expect.poll(() => img.evaluate(naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
  return (await img.getAttribute('src')) ?? '';
}

/** Each channel's contrast range [lo, hi], read from the range sliders' thumbs. */
async function ranges(): Promise<number[][]> {
  const out: number[][] = [];
  for (let c = 1; c <= 6; c++) {
    const thumbs = session.app.byTestId(`channel-range-${c}`).getByRole('slider');
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
    await session.app.waitForDataset();
    const w = datasetWells(session.served.datasetDir as string).find(
      (x) => x.experiment.startsWith('HUVEC') && x.well === 'B02',
    );
    expect(w).toBeDefined();
    await session.app.openPlate(w!.experiment, w!.plate);
    await session.app.page.locator('[data-testid="well-cell"][data-well="B02"]').dblclick();
    await session.app.byTestId('screen-well').waitFor();
    await expect(session.app.byTestId('well-title').innerText()).resolves.toBe(w!.idCode);
    const [s1, s2] = [await siteSrc(1), await siteSrc(2)];
    expect(s1).not.toBe(s2);
    await expect(session.app.byTestId('well-meta').innerText()).resolves.toContain(
      'negative_control',
    );
    await session.app.screenshot('well-side-by-side');
  });

  it('switches between sites in single-site layout', async () => {
    await session.app.byTestId('site-layout').getByText('One site').click();
    await session.app.byTestId('site-switch').waitFor();
    await siteSrc(1);
    expect(await session.app.byTestId('site-2').count()).toBe(0);
    await session.app.byTestId('site-switch').getByText('Site 2').click();
    await siteSrc(2);
    expect(await session.app.byTestId('site-1').count()).toBe(0);
    // 's' toggles back to site 1 from the keyboard.
    await session.app.page.locator('body').click({ position: { x: 5, y: 500 } });
    await session.app.page.keyboard.press('s');
    await siteSrc(1);
    expect(await session.app.byTestId('site-2').count()).toBe(0);
    // The scale bar follows the site's real image width (the tiny demo's sites are not 512 px):
    // its length in image px, drawn 600 px wide for the whole site.
    const root = session.served.datasetDir as string;
    const w = datasetWells(root).find((x) => x.experiment.startsWith('HUVEC') && x.well === 'B02')!;
    const png = ['train', 'test']
      .map((sp) => join(root, sp, w.experiment, `Plate${w.plate}`, 'B02_s1_w1.png'))
      .find((f) => existsSync(f));
    const { width } = await sharp(png!).metadata();
    const scale = session.app.byTestId('site-1-scale');
    const imagePx = Number(await scale.getAttribute('data-image-px'));
    const barPx = await scale
      .locator('div')
      .first()
      .evaluate((e) => e.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(0);
    expect(barPx).toBeCloseTo((imagePx * 600) / width!, 0);
    await session.app.screenshot('well-one-site');
  });

  it('zooms with the wheel and re-renders when a channel is hidden, then resets', async () => {
    const frame = session.app.byTestId('site-1');
    await frame.hover();
    await session.app.page.mouse.wheel(0, -300);
    await expect
      .poll(async () => Number(await frame.getAttribute('data-scale')))
      .toBeGreaterThan(1);
    await frame.dblclick();
    await expect.poll(async () => Number(await frame.getAttribute('data-scale'))).toBe(1);

    const before = await siteSrc(1);
    const pixelsBefore = await session.app.byTestId('site-1-img').screenshot();
    await session.app.byTestId('channel-toggle-2').click();
    await expect
      .poll(() => session.app.byTestId('site-1-img').getAttribute('src'), { timeout: 30_000 })
      .not.toBe(before);
    await siteSrc(1);
    const pixelsAfter = await session.app.byTestId('site-1-img').screenshot();
    expect(Buffer.compare(pixelsBefore, pixelsAfter)).not.toBe(0);
    expect(await session.app.byTestId('channel-toggle-2').isChecked()).toBe(false);

    // A reload keeps the channel display (this tab's sessionStorage), and the image drawn with it.
    await session.app.page.reload();
    await session.app.byTestId('screen-well').waitFor();
    await expect.poll(() => session.app.byTestId('channel-toggle-2').isChecked()).toBe(false);
    await siteSrc(1);

    await session.app.byTestId('reset-display').click();
    await expect.poll(() => session.app.byTestId('channel-toggle-2').isChecked()).toBe(true);
  });

  it('auto-contrasts from the site and applies one channel to all', async () => {
    const defaults = await ranges();
    await session.app.byTestId('auto-contrast').click();
    await expect.poll(ranges, { timeout: 30_000 }).not.toEqual(defaults);
    const auto = await ranges();
    // Apply channel 1's range to every channel.
    await session.app.byTestId('channel-1').click({ position: { x: 5, y: 5 } });
    await session.app.byTestId('apply-all').click();
    await expect.poll(ranges).toEqual(Array.from({ length: 6 }, () => auto[0]));
    await session.app.screenshot('well-auto-contrast');
    await session.app.byTestId('reset-display').click();
    await expect.poll(ranges).toEqual(defaults);
    expect(session.tracked.errors).toEqual([]);
  });
});
