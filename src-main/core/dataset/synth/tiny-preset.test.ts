// The tiny preset end to end: exact RxRx1 layout, metadata rules (controls, plate groups,
// rotations), PNGs that decode at the right size, pixel stats that match the pixels, determinism,
// cancellation and the output-folder guard.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateLabError } from '../../errors';
import { parseImagePath } from '../layout';
import { NEGATIVE_CONTROL_ID, positiveControlWells } from '../plate';
import { generateSynthDataset } from './index';
import { TRAIN_ROTATIONS } from './plan';

type Row = Record<string, string>;

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-tiny-'));
const dirA = path.join(tmpRoot, 'a');

function readCsv(dir: string, name: string): { header: string[]; rows: Row[] } {
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  const header = text.split('\n')[0]!.split(',');
  return { header, rows: parse(text, { columns: true }) as Row[] };
}

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function treeHash(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of listFiles(dir)) {
    if (f === '.platelab-synth.json') continue;
    h.update(f);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex');
}

beforeAll(async () => {
  const summary = await generateSynthDataset({ preset: 'tiny', outDir: dirA, seed: 7 });
  expect(summary).toMatchObject({
    experiments: 3,
    plates: 12,
    wells: 72,
    sites: 144,
    images: 864,
    classes: 15,
  });
});

afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

describe('tiny preset', () => {
  it('writes exactly 2 sites × 6 channels for every well of the CSVs, all with valid RxRx1 paths', () => {
    const wells = [
      ...readCsv(dirA, 'train.csv').rows.map((r) => ['train', r] as const),
      ...readCsv(dirA, 'train_controls.csv').rows.map((r) => ['train', r] as const),
      ...readCsv(dirA, 'test.csv').rows.map((r) => ['test', r] as const),
      ...readCsv(dirA, 'test_controls.csv').rows.map((r) => ['test', r] as const),
    ];
    const expected = new Set<string>();
    for (const [split, r] of wells)
      for (let s = 1; s <= 2; s++)
        for (let c = 1; c <= 6; c++)
          expected.add(`${split}/${r.experiment}/Plate${r.plate}/${r.well}_s${s}_w${c}.png`);
    const files = listFiles(dirA).filter((f) => f.startsWith('train/') || f.startsWith('test/'));
    for (const f of files) expect(parseImagePath(f).ok, f).toBe(true);
    expect(new Set(files)).toEqual(expected);
    expect(files).toHaveLength(864);
    expect(fs.existsSync(path.join(dirA, '.synth-staging'))).toBe(false);
  });

  it('writes the RxRx1 2019 headers and consistent id codes', () => {
    expect(readCsv(dirA, 'train.csv').header).toEqual([
      'id_code',
      'experiment',
      'plate',
      'well',
      'sirna',
    ]);
    expect(readCsv(dirA, 'test.csv').header).toEqual(['id_code', 'experiment', 'plate', 'well']);
    for (const name of ['train_controls.csv', 'test_controls.csv'])
      expect(readCsv(dirA, name).header).toEqual([
        'id_code',
        'experiment',
        'plate',
        'well',
        'sirna',
        'well_type',
      ]);
    expect(readCsv(dirA, 'sample_submission.csv').header).toEqual(['id_code', 'sirna']);
    expect(readCsv(dirA, 'pixel_stats.csv').header).toEqual([
      'experiment',
      'plate',
      'well',
      'site',
      'channel',
      'mean',
      'std',
      'median',
      'min',
      'max',
    ]);
    for (const name of ['train.csv', 'test.csv', 'train_controls.csv', 'test_controls.csv'])
      for (const r of readCsv(dirA, name).rows)
        expect(r.id_code).toBe(`${r.experiment}_${r.plate}_${r.well}`);
    const testIds = readCsv(dirA, 'test.csv').rows.map((r) => r.id_code);
    expect(readCsv(dirA, 'sample_submission.csv').rows.map((r) => r.id_code)).toEqual(testIds);
  });

  it('places controls like RxRx1: 1138 at B02, positive controls only on the control grid', () => {
    const controlGrid = new Set(positiveControlWells());
    for (const name of ['train_controls.csv', 'test_controls.csv']) {
      const rows = readCsv(dirA, name).rows;
      const plates = new Set(rows.map((r) => `${r.experiment}/${r.plate}`));
      expect(plates.size).toBe(name.startsWith('train') ? 8 : 4);
      for (const p of plates) {
        const b02 = rows.filter((r) => `${r.experiment}/${r.plate}` === p && r.well === 'B02');
        expect(b02).toHaveLength(1);
        expect(b02[0]).toMatchObject({
          sirna: String(NEGATIVE_CONTROL_ID),
          well_type: 'negative_control',
        });
      }
      for (const r of rows.filter((x) => x.well_type === 'positive_control')) {
        expect(controlGrid.has(r.well!), r.id_code).toBe(true);
        expect(Number(r.sirna)).toBeGreaterThanOrEqual(1108);
        expect(Number(r.sirna)).toBeLessThanOrEqual(1137);
      }
      expect(rows.every((r) => r.well_type === 'positive_control' || r.well === 'B02')).toBe(true);
    }
    // Positive controls are shuffled per plate: not every plate uses the same wells.
    const pcWells = new Set(
      readCsv(dirA, 'train_controls.csv')
        .rows.filter((r) => r.well_type === 'positive_control')
        .map((r) => r.well),
    );
    expect(pcWells.size).toBeGreaterThan(2);
  });

  it('keeps treatments off control wells, once per plate, in 4 disjoint groups rotated like RxRx1', () => {
    const controlGrid = new Set([...positiveControlWells(), 'B02']);
    const train = readCsv(dirA, 'train.csv').rows;
    const marker = JSON.parse(fs.readFileSync(path.join(dirA, '.platelab-synth.json'), 'utf8')) as {
      testTruth: [string, number][];
      status: string;
    };
    expect(marker.status).toBe('complete');
    const truth = new Map(marker.testTruth);
    const test: Row[] = readCsv(dirA, 'test.csv').rows.map((r) => ({
      ...r,
      sirna: String(truth.get(r.id_code!)),
    }));
    const platesOf = (rows: Row[]): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const r of rows) {
        expect(controlGrid.has(r.well!), r.id_code).toBe(false);
        expect(Number(r.sirna)).toBeGreaterThanOrEqual(0);
        expect(Number(r.sirna)).toBeLessThan(1108);
        const k = `${r.experiment}/${r.plate}`;
        m.set(k, [...(m.get(k) ?? []), r.sirna!]);
      }
      return m;
    };
    const trainPlates = platesOf(train);
    const testPlates = platesOf(test);
    for (const list of [...trainPlates.values(), ...testPlates.values()])
      expect(new Set(list).size).toBe(list.length);

    // Groups named by the plates of the first train experiment, which uses rotation (0,1,2,3).
    const setKey = (l: string[]): string => [...l].sort().join(' ');
    const groupOf = new Map<string, number>();
    for (let p = 1; p <= 4; p++) groupOf.set(setKey(trainPlates.get(`HUVEC-01/${p}`)!), p - 1);
    expect(groupOf.size).toBe(4);
    const all = [...groupOf.keys()].flatMap((k) => k.split(' '));
    expect(new Set(all).size).toBe(all.length);

    const rotationOf = (plates: Map<string, string[]>, exp: string): number[] =>
      [1, 2, 3, 4].map((p) => groupOf.get(setKey(plates.get(`${exp}/${p}`)!)) ?? -1);
    const seen = new Set<string>();
    for (const exp of ['HUVEC-01', 'RPE-01']) {
      const rot = rotationOf(trainPlates, exp);
      expect(TRAIN_ROTATIONS.map((r) => r.join())).toContain(rot.join());
      seen.add(rot.join());
    }
    expect(seen.size).toBe(2);
    const testRot = rotationOf(testPlates, 'HEPG2-01');
    expect(testRot.every((g) => g >= 0)).toBe(true);
    expect([...testRot].sort().join()).toBe('0,1,2,3');
    const trainExps = new Set(train.map((r) => r.experiment));
    for (const r of test) expect(trainExps.has(r.experiment)).toBe(false);
  });

  it('writes 8-bit grayscale 64×64 PNGs whose pixels match pixel_stats.csv', async () => {
    const stats = readCsv(dirA, 'pixel_stats.csv').rows;
    expect(stats).toHaveLength(864);
    const pngs = listFiles(dirA).filter((f) => f.endsWith('.png'));
    for (const f of pngs) {
      const meta = await sharp(path.join(dirA, f)).metadata();
      expect([meta.width, meta.height, meta.channels, meta.depth, meta.format]).toEqual([
        64,
        64,
        1,
        'uchar',
        'png',
      ]);
    }
    for (const row of stats.filter((_, i) => i % 97 === 0)) {
      const ref = parseImagePath(
        `train/${row.experiment}/Plate${row.plate}/${row.well}_s${row.site}_w${row.channel}.png`,
      );
      expect(ref.ok).toBe(true);
      const split = fs.existsSync(path.join(dirA, 'train', row.experiment!)) ? 'train' : 'test';
      const file = path.join(
        dirA,
        split,
        row.experiment!,
        `Plate${row.plate}`,
        `${row.well}_s${row.site}_w${row.channel}.png`,
      );
      const px = await sharp(file).extractChannel(0).raw().toBuffer();
      expect(px.length).toBe(64 * 64);
      const mean = px.reduce((a, b) => a + b, 0) / px.length;
      expect(Number(row.mean)).toBeCloseTo(mean, 3);
      expect(Number(row.min)).toBe(Math.min(...px));
      expect(Number(row.max)).toBe(Math.max(...px));
    }
  });

  it('is deterministic: same seed gives identical bytes, another seed differs', async () => {
    const dirB = path.join(tmpRoot, 'b');
    const dirC = path.join(tmpRoot, 'c');
    await generateSynthDataset({ preset: 'tiny', outDir: dirB, seed: 7 });
    await generateSynthDataset({ preset: 'tiny', outDir: dirC, seed: 8 });
    expect(treeHash(dirB)).toBe(treeHash(dirA));
    expect(treeHash(dirC)).not.toBe(treeHash(dirA));
    const png = 'train/HUVEC-01/Plate1/B02_s1_w1.png';
    expect(
      fs.readFileSync(path.join(dirC, png)).equals(fs.readFileSync(path.join(dirA, png))),
    ).toBe(false);
  });

  it('regenerates over its own output but refuses a folder holding something else', async () => {
    const own = path.join(tmpRoot, 'own');
    await generateSynthDataset({
      preset: 'tiny',
      outDir: own,
      seed: 3,
      experiments: { train: 1, test: 0 },
    });
    await generateSynthDataset({
      preset: 'tiny',
      outDir: own,
      seed: 3,
      experiments: { train: 1, test: 1 },
    });
    expect(readCsv(own, 'test.csv').rows.length).toBeGreaterThan(0);
    const foreign = path.join(tmpRoot, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    const err = await generateSynthDataset({ preset: 'tiny', outDir: foreign }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlateLabError);
    expect((err as PlateLabError).code).toBe('INVALID_INPUT');
    expect((err as Error).message).toContain(foreign);
    expect(fs.readdirSync(foreign)).toEqual(['notes.txt']);
  });

  it('stops when cancelled, leaving no CSVs and no half-written plate', async () => {
    const dir = path.join(tmpRoot, 'cancel');
    const ctrl = new AbortController();
    const err = await generateSynthDataset({
      preset: 'tiny',
      outDir: dir,
      signal: ctrl.signal,
      onProgress: (done) => {
        if (done > 0) ctrl.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as PlateLabError).code).toBe('CANCELLED');
    expect(fs.existsSync(path.join(dir, 'train.csv'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.synth-staging'))).toBe(false);
    // Committed plates are whole: 6 wells × 12 files each.
    for (const f of fs.readdirSync(path.join(dir, 'train', 'HUVEC-01')))
      expect(fs.readdirSync(path.join(dir, 'train', 'HUVEC-01', f))).toHaveLength(72);
    const marker = JSON.parse(fs.readFileSync(path.join(dir, '.platelab-synth.json'), 'utf8')) as {
      status: string;
    };
    expect(marker.status).toBe('incomplete');
  });
});
