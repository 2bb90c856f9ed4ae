// A trained run's embedding is organised by class more than by batch: a tiny dataset whose images
// carry both a class pattern and a per-experiment batch pattern, a real short training run, a real
// prediction pass, then the organisation numbers of the stored embedding.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { predictRun } from '../predict/predict';
import { runTraining } from '../train/trainer';
import { openSetEmbedding, organisationOf } from './embedding-view';

let ds: TinyDataset;
let runDir: string;
beforeAll(async () => {
  ds = await makeTinyDataset({
    classes: 8,
    plates: 2,
    trainExperiments: ['HUVEC-01', 'RPE-01', 'HUVEC-02', 'RPE-02'],
    batchEffect: 80,
  });
  runDir = path.join(ds.root, 'runs', 'sep');
  const s = await runTraining(
    {
      dbFile: ds.dbFile,
      runDir,
      config: tinyTrainConfig({
        epochs: 3,
        split: { strategy: 'random', valFraction: 0.5, seed: 5 },
      }),
    },
    { emit: () => {}, isCancelled: () => false },
  );
  expect(s.status, s.error ?? '').toBe('done');
  await predictRun({ runDir, split: 'val' });
}, 300_000);
afterAll(() => ds.cleanup());

describe("a trained run's embedding", () => {
  it('separates siRNA classes better than experiments (neighbour fractions over chance)', async () => {
    const e = openSetEmbedding(runDir, 'val');
    const o = await organisationOf(e, { k: 5 });
    console.log(o.note, JSON.stringify(o));
    const classOverChance = o.sameSirna! / o.sameSirnaChance!;
    const batchOverChance = o.sameExperiment / o.sameExperimentChance;
    expect(o.sirnaWells).toBeGreaterThanOrEqual(24);
    expect(classOverChance).toBeGreaterThan(batchOverChance);
    expect(classOverChance).toBeGreaterThan(2);
    expect(o.silhouetteSirna!).toBeGreaterThan(o.silhouetteExperiment!);
  });
});
