// Non-triviality of the synthetic classes on a reduced, unfilled demo set read back from its PNGs:
// per-channel mean intensity (what batch effects scramble) must not tell classes apart, while simple
// shape and texture features (features.ts) must.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readWellFeatures,
  type WellFeatures,
} from '../../../../test-support/synth-analysis/baselines';
import {
  nearestCentroidAccuracy,
  standardizeWithinBatches,
  type Sample,
} from '../../../../test-support/synth-analysis/classify';
import { generateSynthDataset } from './index';
import { Rng } from './prng';

const SIZE = 128;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-synth-sep-'));

let wells: WellFeatures[] = [];

beforeAll(async () => {
  // 8 train experiments (all 4 cell types) of the demo preset with plate 1 left unfilled (the
  // fill's extra siRNAs sit in few experiments): 416 wells, 37 classes, each in every experiment.
  await generateSynthDataset({
    preset: 'demo',
    outDir: tmp,
    seed: 11,
    imageSize: SIZE,
    experiments: { train: 8, test: 0 },
    fillPlates: [],
  });
  wells = await readWellFeatures(tmp);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Accuracy on a random 20% of wells held out, nearest centroid fitted on the rest. */
function heldOutAccuracy(features: number[][]): number {
  const order = new Rng(5).shuffled(wells.map((_, i) => i));
  const test = new Set(order.slice(0, Math.round(wells.length * 0.2)));
  const tr: Sample[] = [];
  const te: Sample[] = [];
  features.forEach((f, i) => (test.has(i) ? te : tr).push({ features: f, label: wells[i]!.label }));
  return nearestCentroidAccuracy(tr, te);
}

describe('synthetic class separability (reduced demo, 416 wells, 37 classes)', () => {
  it('has the expected classes, each once per experiment', () => {
    expect(new Set(wells.map((w) => w.label)).size).toBe(37);
    expect(wells).toHaveLength(8 * 4 * 13);
  });

  it('per-channel mean intensity does not identify the class (< 30%)', () => {
    const raw = heldOutAccuracy(wells.map((w) => w.means));
    const perBatch = heldOutAccuracy(
      standardizeWithinBatches(wells.map((w) => ({ batch: w.experiment, features: w.means }))),
    );
    console.log(
      `mean-intensity accuracy: raw ${raw.toFixed(3)}, batch-standardised ${perBatch.toFixed(3)}`,
    );
    expect(raw).toBeLessThan(0.3);
    expect(perBatch).toBeLessThan(0.3);
  });

  it('shape and texture features tell the classes apart (≥ 70%)', () => {
    const raw = heldOutAccuracy(wells.map((w) => w.shape));
    const perBatch = heldOutAccuracy(
      standardizeWithinBatches(wells.map((w) => ({ batch: w.experiment, features: w.shape }))),
    );
    console.log(
      `shape-feature accuracy: raw ${raw.toFixed(3)}, batch-standardised ${perBatch.toFixed(3)}`,
    );
    expect(raw).toBeGreaterThan(0.4);
    expect(perBatch).toBeGreaterThanOrEqual(0.7);
  });
});
