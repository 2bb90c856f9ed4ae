// Browser test: the plate heatmap figure. On a tiny dataset without pixel_stats.csv the intensity
// heatmap is computed from the images and says so; the figure exported from the plate browser and
// from the export screen downloads as SVG (title, row/column labels, legend with stain and units)
// and PNG whose pixel at each well centre has the colour the screen shows for that well.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { wellCenter } from '../src-shared/plate-figure';
import { parseWellName } from '../src-shared/plate';
import { SHOTS } from './helpers/app-page';
import { datasetWells } from './helpers/dataset-csv';
import { useSession } from './helpers/session';

/** PNG pixels per SVG unit of the exported figure (src-main/core/api/plate-heatmap.ts). */
const SCALE = 2;

const session = useSession(
  {
    dataset: 'tiny',
    name: 'figure',
    // As on the real RxRx1 sample: no pixel_stats.csv, so intensities come from the images.
    prepare: (dir) => rmSync(join(dir, 'pixel_stats.csv'), { force: true }),
  },
  { waitForDataset: true },
);

/**
 * The file behind a download link (its href, fetched as the browser would; headless Chromium here
 * cancels real downloads), after checking the link offers it as a download of that kind.
 */
async function download(link: Locator, ext: 'png' | 'svg'): Promise<Buffer> {
  await link.waitFor({ timeout: 60_000 });
  expect(await link.getAttribute('download')).not.toBeNull();
  const href = (await link.getAttribute('href')) ?? '';
  expect(href).toMatch(new RegExp(`\\.${ext}$`));
  const res = await session.app.page.request.get(new URL(href, session.served.url).toString());
  expect(res.status()).toBe(200);
  return res.body();
}

function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

function expectLabels(texts: string[]): void {
  for (const r of 'ABCDEFGHIJKLMNOP') expect(texts).toContain(r);
  for (let c = 1; c <= 24; c++) expect(texts).toContain(String(c));
}

/** The screen's colour of every well with a heatmap colour: well → 'rgb(r, g, b)'. */
async function screenColours(): Promise<Map<string, string>> {
  const pairs = await session.app.page
    .locator('[data-testid="well-cell"][data-has-well="true"]')
    .evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-well') ?? '', el.getAttribute('data-color') ?? '']),
    );
  return new Map(pairs.filter(([, c]) => c) as Array<[string, string]>);
}

async function expectPngMatchesScreen(png: Buffer, colours: Map<string, string>): Promise<void> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(colours.size).toBeGreaterThan(0);
  for (const [well, css] of colours) {
    const pos = parseWellName(well)!;
    const c = wellCenter(pos.row, pos.col);
    const o = (Math.round(c.y * SCALE) * info.width + Math.round(c.x * SCALE)) * 3;
    expect(`rgb(${data[o]}, ${data[o + 1]}, ${data[o + 2]})`, well).toBe(css);
  }
}

describe('plate heatmap figure', () => {
  it('computes intensity from the images and exports the figure the screen shows', async () => {
    const first = datasetWells(session.served.datasetDir as string)[0]!;
    await session.app.go('datasets');
    await session.app.byTestId(`open-plate-${first.experiment}-${first.plate}`).click();
    await session.app.byTestId('plate-grid').waitFor();
    await session.app.byTestId('plate-mode').getByText('Heatmap').click();
    await session.app.byTestId('heatmap-metric').click();
    await session.app.page.getByRole('option', { name: 'Mean intensity' }).click();
    await session.app.byTestId('heatmap-channel').click();
    await session.app.page.getByRole('option', { name: 'w2 ConA' }).click();
    await expect
      .poll(() => session.app.byTestId('legend-label').innerText(), { timeout: 60_000 })
      .toBe('w2 ConA mean intensity (grey level, 0–255)');
    // Computed by a job (pending first); the map refreshes when the catalog changes.
    await expect
      .poll(() => session.app.byTestId('legend-note').innerText(), { timeout: 120_000 })
      .toMatch(/computed from the images of \d+ sites?/);
    await expect(session.app.byTestId('legend-coverage').innerText()).resolves.toMatch(
      /^\d+ of 308 wells have images$/,
    );
    const colours = await screenColours();
    await session.app.screenshot('plates-intensity-heatmap');

    await session.app.byTestId('heatmap-export').click();
    const svg = (await download(session.app.byTestId('heatmap-export-svg-link'), 'svg')).toString(
      'utf8',
    );
    const texts = svgTexts(svg);
    expectLabels(texts);
    expect(texts).toContain(`Mean intensity — ${first.experiment}, plate ${first.plate}`);
    expect(texts).toContain('w2 ConA mean intensity (grey level, 0–255)');
    expect(texts.some((t) => /computed from the images of \d+ sites?/.test(t))).toBe(true);
    const png = await download(session.app.byTestId('heatmap-export-link'), 'png');
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await expectPngMatchesScreen(png, colours);
    mkdirSync(SHOTS, { recursive: true });
    const shot = join(SHOTS, 'plate-figure-intensity.png');
    await sharp(png).toFile(shot);
  });

  it('exports the default figure from the export screen with a value in every well', async () => {
    // The screen's well-type colours, for the comparison.
    await session.app.byTestId('heatmap-metric').click();
    await session.app.page.getByRole('option', { name: 'Well type' }).click();
    await expect.poll(async () => (await screenColours()).size).toBeGreaterThan(0);
    const colours = await screenColours();

    await session.app.go('export');
    await session.app.byTestId('export-png').click();
    const link = session.app.byTestId('export-png-link');
    await link.waitFor({ timeout: 60_000 });
    const summary = await session.app.byTestId('export-png-summary').innerText();
    const m = /^(\d+) of (\d+) wells with a value/.exec(summary);
    expect(m && Number(m[1])).toBeGreaterThan(0);
    expect(m && m[1]).toBe(m && m[2]);
    const svg = (await download(session.app.byTestId('export-svg-link'), 'svg')).toString('utf8');
    const texts = svgTexts(svg);
    expectLabels(texts);
    expect(texts).toContain('treatment');
    expect(texts.some((t) => /^\d+ of 308 wells have images$/.test(t))).toBe(true);
    expect(texts).toContain('no images');
    const png = await download(link, 'png');
    await expectPngMatchesScreen(png, colours);
    await sharp(png).toFile(join(SHOTS, 'plate-figure-well-type.png'));
    await session.app.screenshot('export-figure');
  });
});
