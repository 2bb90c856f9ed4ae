// The plate heatmap figure: the screen's colour function (cellLook) and the exported PNG agree at
// every well centre for every metric; the SVG carries row/column labels, title and legend (stain,
// units, image coverage); through the API on the tiny demo, intensity of the chosen channel is
// computed from the images when pixel_stats.csv has none, and a colormap of the wrong kind is refused.
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlateWell, Result } from '../../../src-shared/contract';
import {
  PLATE_COLS,
  PLATE_ROWS,
  usedWells,
  wellName,
  parseWellName,
} from '../../../src-shared/plate';
import {
  buildHeatmap,
  cellLook,
  EMPTY_STRIPES,
  NO_VALUE,
  REVIEW_COLORS,
  type MetricName,
} from '../../../src-shared/plate-heatmap';
import { plateFigureSvg, wellCenter } from '../../../src-shared/plate-figure';
import type { Rgb } from '../../../src-shared/colormaps';
import { startOpenDataset } from '../app/dataset-jobs';
import type { Catalog } from '../catalog/db';
import { realSampleDir } from '../../../test-support/dataset/real-sample';
import { catalogSites } from '../imaging/catalog-sites';
import { loadRawSite } from '../imaging/load-site';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';
import { invoke } from './dispatch';
import { FIGURE_PNG_SCALE, svgToPng } from './plate-heatmap';

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}

/** A full RxRx1 plate: controls on B02 and a few positive positions, 1 in 7 wells without images. */
function fixturePlate(): PlateWell[] {
  return usedWells().map((name, i) => {
    const pos = parseWellName(name)!;
    const wellType =
      name === 'B02' ? 'negative_control' : i % 37 === 5 ? 'positive_control' : 'treatment';
    const hasImages = i % 7 !== 3;
    const prob = (i % 11) / 10 / 1.2 + 0.05;
    return {
      well: name,
      row: pos.row,
      col: pos.col,
      idCode: `HUVEC-01_1_${name}`,
      wellType,
      sirna: i % 13 === 0 ? null : String(1 + (i % 20)),
      sites: hasImages ? 2 : 0,
      hasImages,
      broken: false,
      meanIntensity: hasImages ? [10 + (i % 5), 20 + (i % 17), 5 + i / 10, 1, 2, 3] : null,
      prediction:
        hasImages && i % 5 !== 0
          ? { top: String(i % 9), prob, assigned: null, correct: i % 3 === 0, sitesDisagree: false }
          : null,
      review: i % 19 === 1 ? 'exclude' : i % 23 === 2 ? 'suspect_label' : null,
    };
  });
}

async function pixels(png: Buffer): Promise<{ at: (x: number, y: number) => Rgb; width: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    at: (x, y) => {
      const o = (Math.round(y) * info.width + Math.round(x)) * 3;
      return [data[o]!, data[o + 1]!, data[o + 2]!];
    },
  };
}

/** Compares the PNG at every well centre with the screen's look of that position. */
async function expectSameAsScreen(
  wells: PlateWell[],
  metric: MetricName,
  channel: number,
  png: Buffer,
): Promise<number> {
  const heat = buildHeatmap(wells, metric, null, channel);
  const px = await pixels(png);
  const byName = new Map(wells.map((w) => [w.well, w]));
  let compared = 0;
  for (let row = 0; row < PLATE_ROWS; row++) {
    for (let col = 1; col <= PLATE_COLS; col++) {
      const name = wellName({ row, col });
      const look = cellLook(heat, byName.get(name));
      const c = wellCenter(row, col);
      const got = px.at(c.x * FIGURE_PNG_SCALE, c.y * FIGURE_PNG_SCALE);
      if (look.state === 'empty') {
        // Striped: one of the two stripe colours (or a blend of them), never a well's fill.
        const [a, b] = EMPTY_STRIPES;
        for (let k = 0; k < 3; k++) {
          expect(got[k]).toBeGreaterThanOrEqual(Math.min(a[k]!, b[k]!) - 1);
          expect(got[k]).toBeLessThanOrEqual(Math.max(a[k]!, b[k]!) + 1);
        }
        continue;
      }
      expect(got, `${metric} ${name}`).toEqual(look.fill);
      compared++;
    }
  }
  return compared;
}

describe('plate figure (pure SVG + sharp)', () => {
  const wells = fixturePlate();

  it.each<[MetricName, number]>([
    ['well_type', 1],
    ['sirna', 1],
    ['predicted', 1],
    ['confidence', 1],
    ['correct', 1],
    ['intensity', 3],
    ['review', 1],
  ])('%s: the PNG equals the screen colour at every well centre', async (metric, channel) => {
    const heat = buildHeatmap(wells, metric, null, channel);
    const svg = plateFigureSvg(wells, heat, {
      metric,
      dataset: 'fixture',
      experiment: 'HUVEC-01',
      plate: 1,
      run: 'run-1',
    });
    const png = await svgToPng(svg);
    expect(await expectSameAsScreen(wells, metric, channel, png)).toBe(308);
    // Wells without a value are drawn plain grey on both.
    if (heat.legend.missing > 0) {
      const w = wells.find((x) => !heat.values.has(x.well))!;
      const c = wellCenter(w.row, w.col);
      const px = await pixels(png);
      expect(px.at(c.x * FIGURE_PNG_SCALE, c.y * FIGURE_PNG_SCALE)).toEqual(NO_VALUE);
    }
  });

  it('confidence is on a fixed 0–1 scale and intensity reads the chosen channel', () => {
    const conf = buildHeatmap(wells, 'confidence', 'viridis', 1).legend;
    expect(conf).toMatchObject({ kind: 'range', min: 0, max: 1 });
    const ch3 = buildHeatmap(wells, 'intensity', null, 3).legend;
    const means = wells.flatMap((w) => (w.meanIntensity ? [w.meanIntensity[2]!] : []));
    expect(ch3).toMatchObject({ min: Math.min(...means), max: Math.max(...means) });
    expect(ch3.kind === 'range' && ch3.label).toBe('w3 Phalloidin mean intensity');
  });

  it('the SVG has the title, row letters, column numbers and the legend with units', () => {
    const heat = buildHeatmap(wells, 'intensity', null, 2);
    const svg = plateFigureSvg(wells, heat, {
      metric: 'Mean intensity',
      dataset: 'rxrx1',
      experiment: 'HUVEC-01',
      plate: 1,
      cellType: 'HUVEC',
      run: null,
      note: 'computed from the images of 2 sites',
    });
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const r of 'ABCDEFGHIJKLMNOP') expect(texts).toContain(r);
    for (let c = 1; c <= 24; c++) expect(texts).toContain(String(c));
    expect(texts).toContain('Mean intensity — HUVEC-01, plate 1');
    expect(texts.some((t) => t?.startsWith('dataset rxrx1 · HUVEC'))).toBe(true);
    expect(texts).toContain('w2 ConA mean intensity (grey level, 0–255)');
    const withImages = wells.filter((w) => w.hasImages).length;
    expect(texts).toContain('no images');
    expect(texts).toContain(`${withImages} of 308 wells have images`);
    expect(texts).toContain('computed from the images of 2 sites');
    // Wells without images are outlined dashed; every used position is drawn.
    const dashed = [...svg.matchAll(/<rect [^>]*data-well="[A-P]\d\d"[^>]*\/>/g)].filter((m) =>
      /stroke-dasharray/.test(m[0]),
    );
    expect(dashed.length).toBe(308 - withImages);
  });
});

/** The catalog's first plate. */
function firstPlate(db: Catalog): { experiment: string; plate: number } {
  return db
    .prepare(
      'SELECT e.name AS experiment, p.plate FROM plates p JOIN experiments e ON e.id = p.experiment_id LIMIT 1',
    )
    .get() as { experiment: string; plate: number };
}

describe('export.platePng through the API', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await makeTestApp();
  });
  afterAll(async () => app?.cleanup());

  it('computes intensity from the images without pixel_stats.csv, for the chosen channel', async () => {
    const db = app.ctx.dataset!.db;
    const { experiment, plate } = firstPlate(db);
    // As on the real sample: no pixel_stats.csv rows.
    db.prepare("DELETE FROM pixel_stats WHERE source = 'csv'").run();

    // The screen's call does not wait: it answers 'pending' with the job computing them, which
    // reports progress and announces the changed catalog when done.
    const changed: string[][] = [];
    const off = app.ctx.events.subscribe((m) => {
      if (m.event === 'catalog:changed') changed.push(m.payload.tables);
    });
    const pending = ok(
      await invoke(app.handlers, 'plates.wells', { experiment, plate, intensityChannel: 2 }),
    );
    expect(pending.intensity).toMatchObject({ source: 'pending' });
    expect(pending.wells.every((w) => w.meanIntensity === null)).toBe(true);
    const job = await app.ctx.jobs.wait(pending.intensity!.jobId!);
    off();
    expect(job).toMatchObject({ kind: 'stats', status: 'done', progress: 1 });
    expect(changed).toContainEqual(['pixel_stats']);

    const fig = ok(
      await invoke(app.handlers, 'export.platePng', {
        experiment,
        plate,
        metric: 'intensity',
        intensityChannel: 2,
      }),
    );
    const svg = fs.readFileSync(fig.svg.path, 'utf8');
    expect(svg).toContain('w2 ConA mean intensity (grey level, 0–255)');
    expect(svg).toMatch(/computed from the images of \d+ sites?/);
    expect(fig.rows).toBeGreaterThan(0);
    expect(fig.rows).toBe(fig.withImages);

    const screen = ok(
      await invoke(app.handlers, 'plates.wells', { experiment, plate, intensityChannel: 2 }),
    );
    expect(screen.intensity?.source).toBe('computed');
    // The number is the images' own: the mean of channel 2 over the well's sites, decoded here.
    const sites = catalogSites(db, { experiment, plate });
    const first = sites[0]!;
    const mine = sites.filter((s) => s.well === first.well);
    let sum = 0;
    for (const s of mine) {
      const raw = await loadRawSite(app.ctx.dataset!.root, s.paths);
      let t = 0;
      for (let i = 1; i < raw.data.length; i += 6) t += raw.data[i]!;
      sum += t / (raw.data.length / 6);
    }
    const w = screen.wells.find((x) => x.well === first.well)!;
    expect(w.meanIntensity?.[1]).toBeCloseTo(sum / mine.length, 6);
    // Same colours as the screen computes from plates.wells.
    const png = fs.readFileSync(fig.path);
    expect(await expectSameAsScreen(screen.wells, 'intensity', 2, png)).toBe(screen.wells.length);
    // Cached: stored as computed rows, reused by the next call.
    const stored = db
      .prepare(
        "SELECT COUNT(*) AS n FROM pixel_stats WHERE source = 'computed' AND well IS NOT NULL",
      )
      .get() as { n: number };
    expect(stored.n).toBe(sites.length * 6);
  });

  it('review decision: the figure shows the decisions made through the API, as the screen does', async () => {
    const { experiment, plate } = firstPlate(app.ctx.dataset!.db);
    const before = ok(await invoke(app.handlers, 'plates.wells', { experiment, plate }));
    const [a, b] = before.wells;
    ok(await invoke(app.handlers, 'review.set', { idCode: a!.idCode, decision: 'exclude' }));
    ok(await invoke(app.handlers, 'review.set', { idCode: b!.idCode, decision: 'suspect_label' }));
    const fig = ok(
      await invoke(app.handlers, 'export.platePng', { experiment, plate, metric: 'review' }),
    );
    const screen = ok(await invoke(app.handlers, 'plates.wells', { experiment, plate }));
    expect(screen.wells.find((w) => w.well === a!.well)?.review).toBe('exclude');
    expect(screen.wells.find((w) => w.well === b!.well)?.review).toBe('suspect_label');
    expect(screen.wells.filter((w) => w.review === null)).toHaveLength(screen.wells.length - 2);
    // Every well has a value (a decision or 'no decision'), drawn as on the screen.
    expect(fig.rows).toBe(fig.wells);
    const png = fs.readFileSync(fig.path);
    expect(await expectSameAsScreen(screen.wells, 'review', 1, png)).toBe(screen.wells.length);
    const c = wellCenter(a!.row, a!.col);
    expect((await pixels(png)).at(c.x * FIGURE_PNG_SCALE, c.y * FIGURE_PNG_SCALE)).toEqual(
      REVIEW_COLORS.excluded,
    );
    const svg = fs.readFileSync(fig.svg.path, 'utf8');
    for (const label of ['excluded', 'suspect label', 'no decision']) expect(svg).toContain(label);
    ok(await invoke(app.handlers, 'review.undo', {}));
    ok(await invoke(app.handlers, 'review.undo', {}));
  });

  it('refuses a colormap of the wrong kind and a prediction metric without a run', async () => {
    const { experiment, plate } = firstPlate(app.ctx.dataset!.db);
    const wrong = await invoke(app.handlers, 'export.platePng', {
      experiment,
      plate,
      metric: 'well_type',
      colormap: 'viridis',
    });
    expect(!wrong.ok && wrong.error.message).toMatch(/does not suit the categorical metric/);
    const noRun = await invoke(app.handlers, 'export.platePng', {
      experiment,
      plate,
      metric: 'confidence',
    });
    expect(!noRun.ok && noRun.error.code).toBe('INVALID_INPUT');
    // The default figure (well type) has a value in every well.
    const def = ok(
      await invoke(app.handlers, 'export.platePng', { experiment, plate, metric: 'well_type' }),
    );
    expect(def.rows).toBe(def.wells);
    expect(def.rows).toBeGreaterThan(0);
  });
});

const real = realSampleDir();

describe.skipIf(!real)('the real RxRx1 sample (no pixel_stats.csv)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await makeTestApp({ openDemo: false });
    const job = await app.ctx.jobs.wait(startOpenDataset(app.ctx, real!).id);
    expect(job.status, JSON.stringify(job.error)).toBe('done');
  });
  afterAll(async () => app?.cleanup());

  it('has an intensity heatmap computed from its images, and says how many wells have images', async () => {
    const input = { experiment: 'HUVEC-01', plate: 1, intensityChannel: 1 };
    // The export waits for the intensities to be computed; the screen then reads them cached.
    const fig = ok(
      await invoke(app.handlers, 'export.platePng', { ...input, metric: 'intensity' }),
    );
    const screen = ok(await invoke(app.handlers, 'plates.wells', input));
    expect(screen.intensity?.source).toBe('computed');
    const withValue = screen.wells.filter((w) => w.meanIntensity?.[0] != null);
    expect(withValue.length).toBe(screen.wells.filter((w) => w.hasImages).length);
    expect(withValue.length).toBeGreaterThan(0);
    expect(fig.rows).toBe(withValue.length);
    const svg = fs.readFileSync(fig.svg.path, 'utf8');
    expect(svg).toContain(`>${withValue.length} of 308 wells have images<`);
    expect(svg).toContain('w1 Hoechst mean intensity (grey level, 0–255)');
    expect(await expectSameAsScreen(screen.wells, 'intensity', 1, fs.readFileSync(fig.path))).toBe(
      screen.wells.length,
    );
  });
});
