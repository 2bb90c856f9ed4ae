// The trainer's data stream on a tiny synthetic RxRx1 dataset: each normalisation mode gives the
// tensor statistics it promises (and exactly (v − mean)/std of the decoded site), batches come from
// the pipeline's worker thread, and the plans of a step depend only on (seed, epoch, step).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSynthCatalog, type SynthCatalog } from '../../../../test-support/learn/synth-catalog';
import { openCatalog } from '../../catalog/db';
import { loadRawSite } from '../../imaging/load-site';
import { MIN_STD, type Normalization } from '../../imaging/normalize';
import { liveWorkers, resolveStats } from '../../imaging/pipeline/batch-stream';
import { trainStepPlan } from '../../imaging/pipeline/plans';
import type { PipelineSample, StatsTable } from '../../imaging/pipeline/types';
import { createStatsProvider } from '../../imaging/stats-provider';
import { siteKeyOf } from './samples';
import type { SiteRow } from './site-rows';
import { createTrainStream, pipelineSamples, type StreamItem } from './train-stream';

const SIZE = 64; // the tiny preset's native size: no resampling between the stats and the batches
let root: string;
let dbFile: string;
let rows: SiteRow[];
let samples: PipelineSample[];

let synth: SynthCatalog;
beforeAll(async () => {
  synth = await makeSynthCatalog('platelab-train-stream-');
  ({ root, dbFile, rows } = synth);
  samples = rows.map((r) => ({
    siteKey: siteKeyOf(r),
    relPaths: r.paths,
    label: 0,
    experiment: r.experiment,
    plate: r.plate,
  }));
}, 60_000);
afterAll(() => synth.cleanup());

async function statsFor(mode: Normalization): Promise<StatsTable> {
  const db = openCatalog(dbFile);
  try {
    const all = pipelineSamples({ train: { samples }, val: { samples: [] } });
    return await resolveStats(mode, all, createStatsProvider({ root, db }));
  } finally {
    db.close();
  }
}

/** Every site once (one epoch, no augmentation, full-size crops), through the worker. */
async function allSites(mode: Normalization, stats: StatsTable): Promise<Float32Array[]> {
  const stream = createTrainStream({
    root,
    train: { samples },
    val: { samples: [] },
    seed: 5,
    imageSize: SIZE,
    cropSize: SIZE,
    batchSize: 16,
    stepsPerEpoch: Math.ceil(samples.length / 16),
    evalBatchSize: 32,
    augment: { d4: false, intensityJitter: 0 },
    epochs: 1,
    startEpoch: 0,
    startStep: 0,
    normalization: mode,
    stats,
  });
  const bySample = new Map<string, Float32Array>();
  let sawWorker = false;
  try {
    for (let k = 0; k < Math.ceil(samples.length / 16); k++) {
      const item: StreamItem = await stream.next();
      sawWorker ||= liveWorkers() > 0;
      const per = SIZE * SIZE * 6;
      item.batch.keys.forEach((key, j) =>
        bySample.set(key, item.batch.x.slice(j * per, (j + 1) * per)),
      );
    }
  } finally {
    await stream.close();
  }
  expect(sawWorker).toBe(true);
  expect(liveWorkers()).toBe(0);
  return samples.map((s) => bySample.get(s.siteKey)!);
}

/** Per-channel mean and std over a set of channel-last tensors. */
function pooled(xs: Float32Array[]): { mean: number[]; std: number[] } {
  const sum = new Float64Array(6);
  const sq = new Float64Array(6);
  let n = 0;
  for (const x of xs) {
    for (let i = 0; i < x.length; i += 6) {
      for (let c = 0; c < 6; c++) {
        sum[c]! += x[i + c]!;
        sq[c]! += x[i + c]! ** 2;
      }
      n++;
    }
  }
  const mean = Array.from(sum, (s) => s / n);
  return { mean, std: mean.map((m, c) => Math.sqrt(sq[c]! / n - m * m)) };
}

/** The largest |x − (v − mean)/std| over a sample, from its own decode. */
async function maxError(
  x: Float32Array,
  s: PipelineSample,
  st: { mean: number[]; std: number[] },
): Promise<number> {
  const raw = await loadRawSite(root, s.relPaths, { size: SIZE });
  let worst = 0;
  for (let i = 0; i < raw.data.length; i++) {
    const c = i % 6;
    const want = (raw.data[i]! - st.mean[c]!) / Math.max(st.std[c]!, MIN_STD);
    worst = Math.max(worst, Math.abs(x[i]! - want));
  }
  return worst;
}

describe('training data stream (imaging pipeline)', () => {
  it("'per-image' standardises every site on its own", async () => {
    const xs = await allSites('per-image', {});
    for (const x of xs) {
      const { mean, std } = pooled([x]);
      for (let c = 0; c < 6; c++) {
        expect(Math.abs(mean[c]!)).toBeLessThan(1e-3);
        expect(Math.abs(std[c]! - 1)).toBeLessThan(1e-2);
      }
    }
  }, 30_000);

  it("'per-experiment' uses the experiment's pooled stats (CSV pixel_stats)", async () => {
    const stats = await statsFor('per-experiment');
    const exps = [...new Set(rows.map((r) => r.experiment))];
    expect(Object.keys(stats.experiments ?? {}).sort()).toEqual(exps.sort());
    const xs = await allSites('per-experiment', stats);
    for (const e of exps) {
      const mine = xs.filter((_, i) => rows[i]!.experiment === e);
      const { mean, std } = pooled(mine);
      for (let c = 0; c < 6; c++) {
        expect(Math.abs(mean[c]!)).toBeLessThan(0.05);
        expect(Math.abs(std[c]! - 1)).toBeLessThan(0.05);
      }
    }
    // Not per-image in disguise: sites keep their brightness differences.
    const siteMeans = xs.map((x) => pooled([x]).mean[0]!);
    expect(Math.max(...siteMeans) - Math.min(...siteMeans)).toBeGreaterThan(0.05);
    const i = 3;
    expect(
      await maxError(xs[i]!, samples[i]!, stats.experiments![rows[i]!.experiment]!),
    ).toBeLessThan(1e-4);
  }, 30_000);

  it("'per-plate-controls' anchors each plate on its negative controls", async () => {
    const stats = await statsFor('per-plate-controls');
    const xs = await allSites('per-plate-controls', stats);
    const plates = [...new Set(rows.map((r) => `${r.experiment}/${r.plate}`))];
    expect(Object.keys(stats.plateControls ?? {}).sort()).toEqual(plates.sort());
    for (const key of plates) {
      const controls = xs.filter(
        (_, i) =>
          `${rows[i]!.experiment}/${rows[i]!.plate}` === key &&
          rows[i]!.wellType === 'negative_control',
      );
      expect(controls.length).toBeGreaterThan(0);
      const { mean, std } = pooled(controls);
      for (let c = 0; c < 6; c++) {
        expect(Math.abs(mean[c]!)).toBeLessThan(0.05);
        expect(Math.abs(std[c]! - 1)).toBeLessThan(0.05);
      }
    }
    const i = rows.findIndex((r) => r.wellType === 'treatment');
    const r = rows[i]!;
    expect(
      await maxError(xs[i]!, samples[i]!, stats.plateControls![`${r.experiment}/${r.plate}`]!),
    ).toBeLessThan(1e-4);
  }, 30_000);

  it('draws each step from (seed, epoch, step) alone', () => {
    const order = Array.from({ length: 20 }, (_, i) => i);
    const opts = {
      seed: 9,
      imageSize: 40,
      cropSize: 32,
      batchSize: 4,
      augment: { d4: true, intensityJitter: 0.1 },
    };
    const a = trainStepPlan(order, opts, 2, 3);
    expect(trainStepPlan(order, opts, 2, 3)).toEqual(a);
    expect(trainStepPlan(order, opts, 2, 4)).not.toEqual(a);
    expect(trainStepPlan(order, { ...opts, seed: 10 }, 2, 3)).not.toEqual(a);
    expect(a.map((p) => p.index)).toEqual([12, 13, 14, 15]);
    for (const p of a) {
      expect(p.x0).toBeLessThanOrEqual(8);
      expect(p.d4).toBeLessThan(8);
    }
  });
});
