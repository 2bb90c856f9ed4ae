// The full preset on 1 train experiment at 16 px: every plate has all 308 used wells filled, 277
// treatments of its plate group + the 30 positive controls on the real grid + the negative control
// at B02, and the 4 plates together hold all 1,108 siRNA classes; each well has its 12 PNGs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NEGATIVE_CONTROL_ID,
  NEGATIVE_CONTROL_WELL,
  POSITIVE_CONTROL_IDS,
  SIRNA_CLASSES,
  positiveControlWells,
  usedWells,
} from '../plate';
import { generateSynthDataset } from './index';

type Row = Record<string, string>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-full-'));

function readCsv(name: string): Row[] {
  return parse(fs.readFileSync(path.join(dir, name), 'utf8'), { columns: true }) as Row[];
}

beforeAll(async () => {
  const summary = await generateSynthDataset({
    preset: 'full',
    outDir: dir,
    seed: 3,
    imageSize: 16,
    experiments: { train: 1, test: 0 },
  });
  expect(summary).toMatchObject({ experiments: 1, plates: 4, wells: 4 * 308, classes: 1139 });
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('full preset', () => {
  it('fills all 308 wells of every plate: 277 treatments, 30 positive, 1 negative control', () => {
    const treatments = readCsv('train.csv');
    const controls = readCsv('train_controls.csv');
    const exp = treatments[0]!.experiment!;
    const allTreatments = new Set<number>();
    for (let plate = 1; plate <= 4; plate++) {
      const on = (r: Row): boolean => r.experiment === exp && Number(r.plate) === plate;
      const t = treatments.filter(on);
      const pos = controls.filter((r) => on(r) && r.well_type === 'positive_control');
      const neg = controls.filter((r) => on(r) && r.well_type === 'negative_control');
      expect([t.length, pos.length, neg.length]).toEqual([277, 30, 1]);
      expect(new Set(t.map((r) => r.sirna)).size).toBe(277);
      t.forEach((r) => allTreatments.add(Number(r.sirna)));
      expect(pos.map((r) => Number(r.sirna)).sort((a, b) => a - b)).toEqual(POSITIVE_CONTROL_IDS);
      expect(new Set(pos.map((r) => r.well))).toEqual(new Set(positiveControlWells()));
      expect(neg.map((r) => [r.well, Number(r.sirna)])).toEqual([
        [NEGATIVE_CONTROL_WELL, NEGATIVE_CONTROL_ID],
      ]);
      const wells = [...t, ...pos, ...neg].map((r) => r.well!).sort();
      expect(wells).toEqual([...usedWells()].sort());
      const files = fs.readdirSync(path.join(dir, 'train', exp, `Plate${plate}`));
      expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(308 * 2 * 6);
    }
    expect(allTreatments.size).toBe(SIRNA_CLASSES);
  });
});
