// full-layout on a slice of the real RxRx1 2019 metadata (first plate of each split): the real rows
// and labels are copied, every well gets 2 sites × 6 tiny PNGs, and bad metadata is named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateLabError } from '../../errors';
import { parseImagePath } from '../layout';
import { generateSynthDataset } from './index';

const REAL = path.resolve(__dirname, '../../../../../shared/rxrx1');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-full-'));
const out = path.join(tmp, 'out');

type Row = Record<string, string>;
const read = (dir: string, name: string): Row[] =>
  parse(fs.readFileSync(path.join(dir, name), 'utf8'), { columns: true }) as Row[];
const lines = (dir: string, name: string): string[] =>
  fs.readFileSync(path.join(dir, name), 'utf8').trimEnd().split(/\r?\n/);

function listPngs(dir: string): string[] {
  const outList: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (r.endsWith('.png')) outList.push(r);
    }
  };
  for (const split of ['train', 'test']) if (fs.existsSync(path.join(dir, split))) walk(split);
  return outList;
}

beforeAll(async () => {
  const summary = await generateSynthDataset({
    preset: 'full-layout',
    outDir: out,
    realMetadataDir: REAL,
    limitPlates: 1,
  });
  expect(summary.plates).toBe(2);
  expect(summary.images).toBe(summary.wells * 12);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('full-layout preset (first plate of each split)', () => {
  it('copies the real rows of those plates, labels included', () => {
    const firstTrain = read(REAL, 'train.csv')[0]!;
    const firstTest = read(REAL, 'test.csv')[0]!;
    const onPlate = (r: Row, f: Row): boolean =>
      r.experiment === f.experiment && r.plate === f.plate;
    for (const [name, first] of [
      ['train.csv', firstTrain],
      ['train_controls.csv', firstTrain],
      ['test.csv', firstTest],
      ['test_controls.csv', firstTest],
    ] as const) {
      const realLines = lines(REAL, name);
      const expected = [
        realLines[0],
        ...read(REAL, name).flatMap((r, i) => (onPlate(r, first) ? [realLines[i + 1]] : [])),
      ];
      expect(lines(out, name), name).toEqual(expected);
      expect(expected.length).toBeGreaterThan(1);
    }
    const testIds = new Set(read(out, 'test.csv').map((r) => r.id_code));
    expect(
      read(out, 'sample_submission.csv')
        .map((r) => r.id_code)
        .sort(),
    ).toEqual([...testIds].sort());
  });

  it('writes 2 sites × 6 channels for exactly the wells in the CSVs', () => {
    const expected = new Set<string>();
    for (const [split, names] of [
      ['train', ['train.csv', 'train_controls.csv']],
      ['test', ['test.csv', 'test_controls.csv']],
    ] as const)
      for (const name of names)
        for (const r of read(out, name))
          for (let s = 1; s <= 2; s++)
            for (let c = 1; c <= 6; c++)
              expected.add(`${split}/${r.experiment}/Plate${r.plate}/${r.well}_s${s}_w${c}.png`);
    const pngs = listPngs(out);
    for (const f of pngs) expect(parseImagePath(f).ok, f).toBe(true);
    expect(new Set(pngs)).toEqual(expected);
    expect(read(out, 'pixel_stats.csv')).toHaveLength(pngs.length);
  });

  it('writes tiny 8-bit grayscale PNGs', async () => {
    const pngs = listPngs(out);
    for (const f of pngs.slice(0, 24)) {
      const m = await sharp(path.join(out, f)).metadata();
      expect([m.width, m.height, m.channels, m.format]).toEqual([8, 8, 1, 'png']);
    }
  });

  it('names a missing metadata file', async () => {
    const fake = path.join(tmp, 'fake-real');
    fs.mkdirSync(fake);
    fs.copyFileSync(path.join(REAL, 'test.csv'), path.join(fake, 'test.csv'));
    const err = await generateSynthDataset({
      preset: 'full-layout',
      outDir: path.join(tmp, 'x'),
      realMetadataDir: fake,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateLabError);
    expect((err as Error).message).toContain(path.join(fake, 'train.csv'));
  });
});
