// The hard preset on 2 train + 1 test experiments at 64 px: its labels follow the RxRx1 plate-group
// rule, its confusable pairs are as documented, and its batch effects are in the PNGs by the
// amounts recorded in the dataset marker (measured from the negative-control wells).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEGATIVE_CONTROL_ID, NEGATIVE_CONTROL_WELL, positiveControlWells } from '../plate';
import { HARD_EFFECTS, type HardChange } from './hard-effects';
import { generateSynthDataset } from './index';
import { MARKER_FILE } from './output';
import { CELL_TYPE_LOOKS } from './phenotype';
import type { CellType } from './presets';

type Row = Record<string, string>;

interface Marker {
  groups: number[][];
  rotations: Record<string, number[]>;
  testTruth: [string, number][];
  hard: {
    batches: Record<
      string,
      { gain: number[]; background: number[]; vignette: number; density: number }
    >;
    classes: Record<string, { changes: HardChange[]; pair: number | null; stain: number[] }>;
  };
}

const SIZE = 64;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-hard-'));
let marker: Marker;

function readCsv(name: string): Row[] {
  return parse(fs.readFileSync(path.join(dir, name), 'utf8'), { columns: true }) as Row[];
}

beforeAll(async () => {
  const summary = await generateSynthDataset({
    preset: 'hard',
    outDir: dir,
    seed: 5,
    imageSize: SIZE,
    experiments: { train: 2, test: 1 },
  });
  expect(summary).toMatchObject({ experiments: 3, plates: 12, wells: 3 * 4 * 13, classes: 37 });
  marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8')) as Marker;
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hard preset labels', () => {
  it('every plate holds exactly its group’s siRNAs once, controls at the real positions', () => {
    const truth = new Map(marker.testTruth);
    const treatments: Row[] = [
      ...readCsv('train.csv'),
      ...readCsv('test.csv').map((r) => ({ ...r, sirna: String(truth.get(r.id_code!)) })),
    ];
    const controls = [...readCsv('train_controls.csv'), ...readCsv('test_controls.csv')];
    const plates = new Set(treatments.map((r) => `${r.experiment}/${r.plate}`));
    expect(plates.size).toBe(12);
    const grid = new Set(positiveControlWells());
    for (const key of plates) {
      const [exp, plate] = key.split('/') as [string, string];
      const onPlate = (r: Row): boolean => r.experiment === exp && r.plate === plate;
      const group = marker.groups[marker.rotations[exp]![Number(plate) - 1]!]!;
      const got = treatments.filter(onPlate).map((r) => Number(r.sirna));
      expect(
        [...got].sort((a, b) => a - b),
        key,
      ).toEqual([...group].sort((a, b) => a - b));
      const ctl = controls.filter(onPlate);
      const neg = ctl.filter((r) => r.well_type === 'negative_control');
      expect(neg.map((r) => [r.well, Number(r.sirna)])).toEqual([
        [NEGATIVE_CONTROL_WELL, NEGATIVE_CONTROL_ID],
      ]);
      const pos = ctl.filter((r) => r.well_type === 'positive_control');
      expect(pos.map((r) => Number(r.sirna)).sort()).toEqual([1108, 1109, 1110, 1111]);
      for (const r of pos) expect(grid.has(r.well!), r.id_code).toBe(true);
      for (const r of treatments.filter(onPlate)) expect(grid.has(r.well!), r.id_code).toBe(false);
      const wells = [...treatments.filter(onPlate), ...ctl].map((r) => r.well!);
      expect(new Set(wells).size).toBe(wells.length);
    }
    const all = marker.groups.flat();
    expect(new Set(all).size).toBe(4 * 8);
  });

  it('treatment siRNAs come in confusable pairs across plate groups', () => {
    const groupOf = new Map(marker.groups.flatMap((g, i) => g.map((id) => [id, i] as const)));
    for (const [id, cls] of Object.entries(marker.hard.classes)) {
      if (Number(id) === NEGATIVE_CONTROL_ID) {
        expect(cls.changes).toEqual([]);
        continue;
      }
      expect(cls.changes).toHaveLength(2);
      expect(cls.pair).not.toBeNull();
      const mate = marker.hard.classes[String(cls.pair)]!;
      expect(mate.pair).toBe(Number(id));
      expect(mate.changes[0]).toEqual(cls.changes[0]);
      expect(mate.changes[1]).not.toEqual(cls.changes[1]);
      // Only two stains change: the primary and the secondary sit in different channels.
      expect(cls.changes[0]!.channel).not.toBe(cls.changes[1]!.channel);
      if (groupOf.has(Number(id))) expect(groupOf.get(Number(id))).not.toBe(groupOf.get(cls.pair!));
      // The shared change is a stain pattern, each member's own one a stain intensity.
      expect(cls.changes.map((c) => c.kind)).toEqual(['pattern', 'stain']);
      const primary = cls.changes[0]!;
      if (primary.kind === 'pattern')
        expect(HARD_EFFECTS.primaryPatternFactors).toContain(primary.factor);
    }
    // No two classes are alike (pairs that share a pattern differ in their intensity changes).
    const sets = Object.values(marker.hard.classes).map((c) => JSON.stringify(c.changes));
    expect(new Set(sets).size).toBe(sets.length);
  });
});

describe('hard preset batch effects, measured from the PNGs', () => {
  /** Per-channel mean grey level of an experiment's negative-control sites (4 plates × 2 sites). */
  async function controlMeans(split: string, exp: string): Promise<number[]> {
    const out: number[] = [];
    for (let c = 1; c <= 6; c++) {
      let sum = 0;
      let n = 0;
      for (let plate = 1; plate <= 4; plate++)
        for (let site = 1; site <= 2; site++) {
          const file = path.join(dir, split, exp, `Plate${plate}`, `B02_s${site}_w${c}.png`);
          const px = await sharp(file).extractChannel(0).raw().toBuffer();
          for (const v of px) sum += v;
          n += px.length;
        }
      out.push(sum / n);
    }
    return out;
  }

  it('control wells carry each experiment’s gain, offset, density and illumination', async () => {
    const exps = (['train', 'test'] as const).flatMap((split) =>
      [...new Set(readCsv(`${split}_controls.csv`).map((r) => r.experiment!))].map(
        (exp) => [split, exp] as const,
      ),
    );
    expect(exps).toHaveLength(3);
    const measured: number[][] = [];
    const expected: number[][] = [];
    for (const [split, exp] of exps) {
      const b = marker.hard.batches[exp]!;
      const look = CELL_TYPE_LOOKS[exp.split('-')[0] as CellType];
      // Stated model: (cell-type mean × gain × density + offset) × mean vignette (1 − v/3).
      expected.push(
        look.channelMeans.map(
          (m, c) => (m * b.gain[c]! * b.density + b.background[c]!) * (1 - b.vignette / 3),
        ),
      );
      measured.push(await controlMeans(split, exp));
    }
    console.log('control means measured', JSON.stringify(measured.map((r) => r.map(Math.round))));
    console.log('control means expected', JSON.stringify(expected.map((r) => r.map(Math.round))));
    for (let e = 0; e < exps.length; e++)
      for (let c = 0; c < 6; c++) {
        const ratio = measured[e]![c]! / expected[e]![c]!;
        expect(ratio, `${exps[e]![1]} w${c + 1}`).toBeGreaterThan(0.75);
        expect(ratio, `${exps[e]![1]} w${c + 1}`).toBeLessThan(1.25);
      }
    // The experiments differ: in some channel the control means are ≥ 1.4× apart, and that
    // ratio is the stated one within 20%.
    let biggest = { ratio: 1, c: 0, a: 0, b: 1 };
    for (let c = 0; c < 6; c++)
      for (let a = 0; a < exps.length; a++)
        for (let b = 0; b < exps.length; b++) {
          const ratio = measured[a]![c]! / measured[b]![c]!;
          if (ratio > biggest.ratio) biggest = { ratio, c, a, b };
        }
    expect(biggest.ratio).toBeGreaterThan(1.4);
    const stated = expected[biggest.a]![biggest.c]! / expected[biggest.b]![biggest.c]!;
    expect(biggest.ratio / stated).toBeGreaterThan(0.8);
    expect(biggest.ratio / stated).toBeLessThan(1.2);
  });

  it('states its effects in one config object with the documented ranges', () => {
    for (const b of Object.values(marker.hard.batches)) {
      for (const g of b.gain) {
        expect(g).toBeGreaterThanOrEqual(HARD_EFFECTS.gainClamp[0]);
        expect(g).toBeLessThanOrEqual(HARD_EFFECTS.gainClamp[1]);
      }
      for (const o of b.background) {
        expect(o).toBeGreaterThanOrEqual(HARD_EFFECTS.offsetRange[0]);
        expect(o).toBeLessThanOrEqual(HARD_EFFECTS.offsetRange[1]);
      }
    }
  });
});
