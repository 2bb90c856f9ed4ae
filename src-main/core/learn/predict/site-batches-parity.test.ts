// Train/predict preprocessing parity, on a tiny synthetic RxRx1 dataset with per-plate-controls
// normalisation: a site's tensor from the prediction path is bit for bit the training path's
// validation tensor (same crop), and, at full-size crops without augmentation, its training tensor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSynthCatalog, type SynthCatalog } from '../../../../test-support/learn/synth-catalog';
import type { Batch } from '../../imaging/pipeline/types';
import { buildClassList } from '../data/classes';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import type { SiteRow } from '../data/site-rows';
import { createTrainStream, pipelineSamples } from '../data/train-stream';
import { predictionBatches } from './site-probabilities';

const SIZE = 64;
let root: string;
let dbFile: string;
let rows: SiteRow[];

let synth: SynthCatalog;
beforeAll(async () => {
  synth = await makeSynthCatalog('platelab-parity-');
  ({ root, dbFile, rows } = synth);
}, 60_000);
afterAll(() => synth.cleanup());

/** Each site's tensor, by site key, from a list of batches. */
function bySite(batches: Batch[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const b of batches) {
    const per = b.cropSize * b.cropSize * 6;
    b.keys.forEach((k, j) => out.set(k, b.x.slice(j * per, (j + 1) * per)));
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)) === 0;
}

describe('prediction batches', () => {
  it('equal the training path’s batches bit for bit (validation crop, and full crop unaugmented)', async () => {
    const config = {
      target: 'sirna' as const,
      includeControls: true,
      normalization: 'per-plate-controls' as const,
    };
    const classes = buildClassList(rows, config);
    const wells = [...new Set(rows.map((r) => r.idCode))];
    const trainWells = new Set(wells.filter((_, i) => i % 3 !== 0));
    const valWells = new Set(wells.filter((_, i) => i % 3 === 0));
    const train = buildSamples(rows, trainWells, classes, 'sirna');
    const val = buildSamples(rows, valWells, classes, 'sirna');
    expect(val.samples.length).toBeGreaterThan(4);
    // Each path resolves its stats the way it does in a run: training over train + val samples,
    // prediction over the rows it predicts.
    const trainStats = await resolveRunStats(
      root,
      dbFile,
      config.normalization,
      pipelineSamples({ train, val }),
    );
    const predictStats = await resolveRunStats(root, dbFile, config.normalization, val.rows);
    expect(Object.keys(predictStats.plateControls ?? {}).length).toBeGreaterThan(0);

    for (const cropSize of [48, SIZE]) {
      const stream = createTrainStream({
        root,
        train,
        val,
        seed: 11,
        imageSize: SIZE,
        cropSize,
        batchSize: 4,
        stepsPerEpoch: Math.floor(train.samples.length / 4),
        evalBatchSize: 32,
        augment: { d4: false, intensityJitter: 0 },
        epochs: 1,
        startEpoch: 0,
        startStep: 0,
        normalization: config.normalization,
        stats: trainStats,
        workers: 2,
      });
      const trainBatches: Batch[] = [];
      const valBatches: Batch[] = [];
      try {
        for (;;) {
          const item = await stream.next();
          (item.kind === 'train' ? trainBatches : valBatches).push(item.batch);
          if (item.kind === 'val' && item.last) break;
        }
      } finally {
        await stream.close();
      }
      const predicted: Batch[] = [];
      const { batches } = predictionBatches({
        root,
        samples: val.samples,
        config: { imageSize: SIZE, cropSize, batchSize: 8, normalization: config.normalization },
        stats: predictStats,
        views: [0],
      });
      for await (const b of batches) predicted.push(b);
      const pred = bySite(predicted);
      const valT = bySite(valBatches);
      expect(pred.size).toBe(val.samples.length);
      for (const s of val.samples)
        expect(sameBits(pred.get(s.siteKey)!, valT.get(s.siteKey)!)).toBe(true);

      if (cropSize === SIZE) {
        // Training sites through the prediction path against the training steps' tensors.
        const trainT = bySite(trainBatches);
        const seen = train.samples.filter((s) => trainT.has(s.siteKey));
        expect(seen.length).toBeGreaterThan(4);
        const fromPredict: Batch[] = [];
        const again = predictionBatches({
          root,
          samples: seen,
          config: { imageSize: SIZE, cropSize, batchSize: 8, normalization: config.normalization },
          stats: trainStats,
          views: [0],
          inProcess: true,
        });
        for await (const b of again.batches) fromPredict.push(b);
        const p2 = bySite(fromPredict);
        for (const s of seen)
          expect(sameBits(p2.get(s.siteKey)!, trainT.get(s.siteKey)!)).toBe(true);
      }
    }
  }, 120_000);
});
