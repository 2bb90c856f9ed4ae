// Flat channels in the normalisation's reference: a plate whose negative-control channel is
// constant (real PNGs, real catalog) falls back to per-experiment stats, an experiment whose
// pixel_stats.csv std is 0 falls back to per-image, and both say so in the run and the predictions.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { siteRelPaths } from '../../dataset/layout';
import { loadRawSite } from '../../imaging/load-site';
import { normalize } from '../../imaging/normalize';
import { FLAT_STD, siteStats, stdFloor } from '../../imaging/stats-fallback';
import { loadPredictionSet, predictRun } from '../predict/predict';
import { readRunInfo } from '../runs/run-folder';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { trainTinyRun } from '../../../../test-support/learn/tiny-config';
import { resolveRunStats } from './normalization';
import { loadSiteRows } from './site-rows';

let ds: TinyDataset;
const SIZE = 16;

/** Overwrites channel `channel` of both sites of a well with a constant image (a real PNG). */
async function flatten(
  split: 'train' | 'test',
  experiment: string,
  plate: number,
  well: string,
  channel: number,
): Promise<void> {
  for (const site of [1, 2]) {
    const rel = siteRelPaths({ split, experiment, plate, well, site })[channel - 1]!;
    await sharp(Buffer.alloc(SIZE * SIZE, 0), { raw: { width: SIZE, height: SIZE, channels: 1 } })
      .png()
      .toFile(path.join(ds.root, rel));
  }
}

function sites(): ReturnType<typeof loadSiteRows> {
  const db = openCatalog(ds.dbFile);
  try {
    return loadSiteRows(db);
  } finally {
    db.close();
  }
}

/** Largest |z| over a treatment site of the plate, normalised with the table's stats for it. */
async function maxAbsZ(
  table: Awaited<ReturnType<typeof resolveRunStats>>,
  mode: 'per-plate-controls' | 'per-experiment',
  experiment: string,
  plate: number,
): Promise<number> {
  const row = sites().find(
    (r) => r.experiment === experiment && r.plate === plate && r.wellType === 'treatment',
  )!;
  const raw = await loadRawSite(ds.root, row.paths);
  const stats = siteStats(mode, table, { experiment, plate, key: row.idCode }, raw.data)!;
  return normalize(raw.data, stats).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

beforeAll(async () => {
  ds = await makeTinyDataset({
    classes: 4,
    plates: 2,
    size: SIZE,
    negativeControls: true,
    trainExperiments: ['HUVEC-01', 'RPE-01'],
    testExperiments: ['U2OS-01'],
  });
  await flatten('train', 'HUVEC-01', 1, 'B02', 2);
  await flatten('test', 'U2OS-01', 2, 'B02', 5);
});
afterAll(() => ds.cleanup());

describe('per-plate-controls with a flat control channel', () => {
  it('floors nothing usable away and falls back to the experiment for the flat plate', async () => {
    const rows = sites();
    const table = await resolveRunStats(ds.root, ds.dbFile, 'per-plate-controls', rows);
    const flatKey = 'HUVEC-01/1';
    expect(table.warnings).toEqual([
      expect.stringMatching(
        /^HUVEC-01 plate 1: negative controls are flat \(channel 2 std 0\.00 < floor \d+\.\d\d\); normalised with per-experiment stats instead of per-plate-controls$/,
      ),
      expect.stringMatching(/^U2OS-01 plate 2: negative controls are flat \(channel 5 std 0\.00/),
    ]);
    // Every stat the run divides by is at or above the floor.
    const floor = table.stdFloor!;
    expect(floor.every((f) => f >= FLAT_STD)).toBe(true);
    for (const st of Object.values(table.plateControls!))
      st.std.forEach((s, c) => expect(s).toBeGreaterThanOrEqual(floor[c]!));
    // The flat plate now uses its experiment's stats (not its controls': channel 2 std 0).
    expect(table.plateControls![flatKey]!.std[1]).toBeGreaterThan(5);
    // Today's failure: std 0 → every other well's channel 2 at |z| ≈ 10⁵ (probability 1.000000).
    expect(await maxAbsZ(table, 'per-plate-controls', 'HUVEC-01', 1)).toBeLessThan(20);
    expect(await maxAbsZ(table, 'per-plate-controls', 'RPE-01', 2)).toBeLessThan(20);
  });

  it('records the fallback in run.json warnings and in the prediction results', async () => {
    const runDir = path.join(ds.root, 'runs', 'ctl');
    const s = await trainTinyRun(ds.dbFile, runDir, {
      epochs: 1,
      normalization: 'per-plate-controls',
    });
    expect(
      s.warnings.some((w) => w.startsWith('HUVEC-01 plate 1: negative controls are flat')),
    ).toBe(true);
    expect(readRunInfo(runDir).warnings).toEqual(s.warnings);
    const r = await predictRun({ runDir, split: 'test' });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^U2OS-01 plate 2: negative controls are flat \(channel 5/),
    ]);
    // Kept with the stored predictions too.
    expect(loadPredictionSet(runDir, 'test')!.warnings).toEqual(r.warnings);
  });
});

describe('per-experiment with pixel_stats.csv std 0', () => {
  it('normalises that experiment per image (std floored) and says so', async () => {
    const db = openCatalog(ds.dbFile);
    const exp = db.prepare(`SELECT id FROM experiments WHERE name = 'RPE-01'`).get() as {
      id: number;
    };
    const ins = db.prepare(
      `INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, source)
       VALUES (?, 1, 'B03', 1, ?, ?, ?, 'csv')`,
    );
    for (let c = 1; c <= 6; c++) ins.run(exp.id, c, 50, c === 3 ? 0 : 12);
    db.close();
    const rows = sites().filter((r) => r.split === 'train');
    const table = await resolveRunStats(ds.root, ds.dbFile, 'per-experiment', rows);
    expect(table.warnings).toEqual([
      expect.stringMatching(
        /^RPE-01: experiment stats are unusable \(channel 3 std 0\.00 < floor \d+\.\d\d\); its sites are normalised per image instead$/,
      ),
    ]);
    expect(table.perImage).toEqual(['RPE-01']);
    expect(table.experiments!['HUVEC-01']).toBeDefined();
    expect(await maxAbsZ(table, 'per-experiment', 'RPE-01', 1)).toBeLessThan(20);
  });

  it('floors relative to the median spread (formula)', () => {
    const e = (s: number) => ({ mean: [0], std: [s] });
    expect(stdFloor([e(0), e(40), e(60)], 1)).toEqual([0.05 * 40]);
    expect(stdFloor([e(0)], 1)).toEqual([FLAT_STD]);
  });
});
