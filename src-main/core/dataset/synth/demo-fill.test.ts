// The demo's filled plate 1 (planDataset only, nothing rendered): every experiment's plate 1 holds
// all 308 used wells as in RxRx1 while plates 2–4, the core wells, groups and rotations stay what
// they are without fill; the hard preset's plan is the one measured before fill existed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlateLabError } from '../../errors';
import {
  NEGATIVE_CONTROL_ID,
  NEGATIVE_CONTROL_WELL,
  POSITIVE_CONTROL_IDS,
  SIRNA_CLASSES,
  positiveControlWells,
  usedWells,
} from '../plate';
import { metadataCsvs } from './generate-rendered';
import { generateSynthDataset } from './index';
import { planDataset, type DatasetPlan } from './plan';
import { RENDERED_PRESETS } from './presets';
import type { PlannedWell } from './types';

const demo = RENDERED_PRESETS.demo;
const SEEDS = [1, 7];

const onPlate = (plan: DatasetPlan, split: string, experiment: string, plate: number) =>
  plan.wells.filter((w) => w.split === split && w.experiment === experiment && w.plate === plate);
const digest = (x: unknown): string =>
  createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

describe.each(SEEDS)('demo plan with plate 1 filled (seed %i)', (seed) => {
  const plan = planDataset(demo, seed);
  const unfilled = planDataset({ ...demo, fillPlates: [] }, seed);

  it('fills plate 1 only', () => {
    expect(demo.fillPlates).toEqual([1]);
    expect(plan.fillPlates).toEqual([1]);
    expect(plan.experiments).toHaveLength(20);
    expect(plan.wells).toHaveLength(20 * (308 + 3 * 13));
  });

  it('keeps 4 disjoint groups of 277 covering 0..1107, each holding its 8 demo siRNAs', () => {
    expect(plan.groups.map((g) => g.length)).toEqual([277, 277, 277, 277]);
    expect(plan.groups.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: SIRNA_CLASSES }, (_, i) => i),
    );
    expect(plan.coreGroups).toEqual(unfilled.groups);
    plan.coreGroups.forEach((core, g) => {
      expect(core).toHaveLength(8);
      const group = new Set(plan.groups[g]);
      for (const id of core) expect(group.has(id)).toBe(true);
    });
  });

  it('puts all 308 used wells on plate 1 of every train and test experiment, as RxRx1 does', () => {
    const grid = positiveControlWells();
    expect(new Set(plan.experiments.map((e) => e.split))).toEqual(new Set(['train', 'test']));
    for (const exp of plan.experiments) {
      const wells = onPlate(plan, exp.split, exp.name, 1);
      expect(wells).toHaveLength(308);
      expect(new Set(wells.map((w) => w.well))).toEqual(new Set(usedWells()));
      expect(new Set(wells.map((w) => w.sirna)).size).toBe(308);
      const at = new Map(wells.map((w) => [w.well, w] as const));
      expect(at.get(NEGATIVE_CONTROL_WELL)).toMatchObject({
        sirna: NEGATIVE_CONTROL_ID,
        wellType: 'negative_control',
      });
      const controls = grid.map((w) => at.get(w)!);
      expect(controls.every((w) => w.wellType === 'positive_control')).toBe(true);
      expect(controls.map((w) => w.sirna).sort((a, b) => a - b)).toEqual(POSITIVE_CONTROL_IDS);
      const treatments = wells.filter((w) => w.wellType === 'treatment');
      expect(treatments).toHaveLength(277);
      expect(
        treatments.every((w) => w.well !== NEGATIVE_CONTROL_WELL && !grid.includes(w.well)),
      ).toBe(true);
      expect(treatments.map((w) => w.sirna).sort((a, b) => a - b)).toEqual(
        plan.groups[exp.rotation[0]!],
      );
    }
  });

  it('leaves plates 2–4 and the 13 core wells of plate 1 as they are without fill', () => {
    expect(plan.experiments).toEqual(unfilled.experiments);
    expect(plan.positiveControls).toEqual(unfilled.positiveControls);
    const key = (w: PlannedWell): string => `${w.split}/${w.experiment}/${w.plate}/${w.well}`;
    const filled = new Map(plan.wells.map((w) => [key(w), w] as const));
    for (const w of unfilled.wells) expect(filled.get(key(w))).toEqual(w);
    for (const exp of plan.experiments)
      for (const plate of [2, 3, 4]) {
        const wells = onPlate(plan, exp.split, exp.name, plate);
        expect(wells).toEqual(onPlate(unfilled, exp.split, exp.name, plate));
        expect(wells).toHaveLength(13);
      }
  });

  it('has each siRNA once per plate', () => {
    const seen = new Set<string>();
    for (const w of plan.wells) {
      const k = `${w.split}/${w.experiment}/${w.plate}/${w.sirna}`;
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
  });

  it('lists the filled test wells in test.csv and their controls in test_controls.csv', () => {
    const csvs = metadataCsvs(plan);
    const rows = (name: string): string[] => csvs[name]!.trimEnd().split('\n').slice(1);
    const test = plan.experiments.find((e) => e.split === 'test')!;
    const onTestPlate1 = (r: string): boolean => r.includes(`,${test.name},1,`);
    expect(rows('test.csv').filter(onTestPlate1)).toHaveLength(277);
    expect(rows('test_controls.csv').filter(onTestPlate1)).toHaveLength(31);
    expect(rows('train.csv')).toHaveLength(16 * (277 + 3 * 8));
    expect(rows('train_controls.csv')).toHaveLength(16 * (31 + 3 * 5));
    expect(rows('test.csv')).toHaveLength(4 * (277 + 3 * 8));
    // Placeholder labels stay a demo siRNA, as before fill.
    expect(rows('sample_submission.csv')[0]!.split(',')[1]).toBe(
      String(Math.min(...plan.coreGroups.flat())),
    );
  });
});

describe('demo generated with and without fill (1 train experiment, 32 px)', () => {
  it('draws the wells it had without fill pixel for pixel, and 308 wells on plate 1', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-fill-'));
    try {
      const run = (name: string, fillPlates?: number[]) =>
        generateSynthDataset({
          preset: 'demo',
          outDir: path.join(tmp, name),
          seed: 5,
          imageSize: 32,
          experiments: { train: 1, test: 0 },
          ...(fillPlates ? { fillPlates } : {}),
        });
      const filled = await run('filled');
      const plain = await run('plain', []);
      expect([filled.wells, plain.wells]).toEqual([308 + 3 * 13, 4 * 13]);
      const exp = planDataset(demo, 5, { train: 1, test: 0 }).experiments[0]!.name;
      for (let plate = 1; plate <= 4; plate++) {
        const dir = (name: string): string => path.join(tmp, name, 'train', exp, `Plate${plate}`);
        const pngs = fs.readdirSync(dir('plain')).sort();
        expect(pngs).toHaveLength(13 * 12);
        for (const f of pngs)
          expect(
            fs
              .readFileSync(path.join(dir('filled'), f))
              .equals(fs.readFileSync(path.join(dir('plain'), f))),
            `${plate}/${f}`,
          ).toBe(true);
        expect(fs.readdirSync(dir('filled'))).toHaveLength((plate === 1 ? 308 : 13) * 12);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('presets without fill', () => {
  it('plans hard exactly as before fill existed', () => {
    // Digests of planDataset(hard, 1) taken at ff6e626, before `fillPlates` was added.
    expect(RENDERED_PRESETS.hard.fillPlates).toEqual([]);
    const hard = planDataset(RENDERED_PRESETS.hard, 1);
    expect(digest(hard.wells)).toBe('942adabe68e95546');
    expect(digest(hard.experiments)).toBe('37301139d909155c');
    expect(digest(hard.groups)).toBe('3a02e64420a3938f');
    expect(hard.coreGroups).toEqual(hard.groups);
    expect(hard.wells).toEqual(planDataset({ ...demo, fillPlates: [] }, 1).wells);
  });

  it('leaves tiny and full unfilled', () => {
    expect(RENDERED_PRESETS.tiny.fillPlates).toEqual([]);
    expect(RENDERED_PRESETS.full.fillPlates).toEqual([]);
  });

  it('refuses fill plates outside 1..4, and any on the hard preset', async () => {
    expect(() => planDataset({ ...demo, fillPlates: [5] }, 1)).toThrow(/fillPlates \[5\]/);
    expect(() => planDataset({ ...demo, fillPlates: [1, 1] }, 1)).toThrow(/distinct plates/);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-fill-'));
    try {
      await expect(
        generateSynthDataset({ preset: 'demo', outDir: out, fillPlates: [0] }),
      ).rejects.toThrow(PlateLabError);
      await expect(
        generateSynthDataset({ preset: 'hard', outDir: out, fillPlates: [1] }),
      ).rejects.toThrow(/hard preset cannot fill plates/);
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
