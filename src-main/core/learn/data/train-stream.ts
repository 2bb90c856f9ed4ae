// The trainer's data source on top of the imaging pipeline: one worker-thread stream over train and
// validation sites whose plans (order, crop, D4, jitter) are drawn here from (seed, epoch, step), so a
// run resumed mid-epoch sees exactly the batches an uninterrupted run would. Per epoch the stream
// yields the remaining training steps, then the validation batches (centre crop, no augmentation).
import {
  planStream,
  type BatchPlan,
  type PipelineSample,
  type SamplePlan,
  type StatsTable,
} from '../../imaging/pipeline';
import type { CacheLimits } from '../../imaging/decoded-cache';
import type { Normalization } from '../../imaging/normalize';
import { rngFor, RngPurpose } from '../util/rng';
import type { AugmentOptions, Batch, Sample } from './batches';
import type { SiteRow } from './site-rows';

export interface TrainStreamOptions {
  root: string;
  train: { samples: Sample[]; rows: SiteRow[] };
  val: { samples: Sample[]; rows: SiteRow[] };
  seed: number;
  imageSize: number;
  cropSize: number;
  batchSize: number;
  stepsPerEpoch: number;
  /** Validation batch size. */
  evalBatchSize: number;
  augment: AugmentOptions;
  epochs: number;
  /** Where to start: the checkpoint's epoch and step within it. */
  startEpoch: number;
  startStep: number;
  normalization: Normalization;
  /** Resolved stats for every experiment / plate the samples use (see `resolveStats`). */
  stats: StatsTable;
  /** Decoded-site cache file; later epochs read sites from it instead of decoding PNGs. */
  cacheFile?: string;
  /** The cache's disk budget and free-disk reserve. */
  cacheLimits?: CacheLimits;
  /** Decode worker threads; default one per core but one. */
  workers?: number;
  /** Batches built ahead of the trainer. Default 3. */
  prefetch?: number;
  /** Build on the calling thread (debugging only; the trainer uses the worker). */
  inProcess?: boolean;
  onCacheStats?: (stats: { hits: number; misses: number }) => void;
  /** The decoded cache stopped growing below its budget (a nearly full disk). */
  onCacheWarning?: (message: string) => void;
}

export type StreamItem =
  | { kind: 'train'; epoch: number; step: number; batch: Batch }
  | { kind: 'val'; epoch: number; last: boolean; batch: Batch };

interface PlanMeta {
  kind: 'train' | 'val';
  epoch: number;
  step: number;
  last: boolean;
  cellType: Int32Array;
}

export interface TrainStream {
  /** The next item, in order; throws when the stream ended early (a bug in the caller). */
  next(): Promise<StreamItem>;
  /** Stops the worker (in-flight batches are dropped); safe to call twice. */
  close(): Promise<void>;
}

const ones = (): number[] => [1, 1, 1, 1, 1, 1];
const zeros = (): number[] => [0, 0, 0, 0, 0, 0];

/** The plans of one training step: every draw comes from rngFor(seed, augment, epoch, step). */
export function trainStepPlan(
  order: readonly number[],
  opts: Pick<TrainStreamOptions, 'seed' | 'imageSize' | 'cropSize' | 'batchSize' | 'augment'>,
  epoch: number,
  step: number,
): SamplePlan[] {
  const rng = rngFor(opts.seed, RngPurpose.augment, epoch, step);
  const margin = opts.imageSize - opts.cropSize;
  const j = opts.augment.intensityJitter;
  return order.slice(step * opts.batchSize, (step + 1) * opts.batchSize).map((index) => {
    const y0 = rng.int(margin + 1);
    const x0 = rng.int(margin + 1);
    const d4 = opts.augment.d4 ? rng.int(8) : 0;
    const scale =
      j > 0 ? Array.from({ length: 6 }, () => Math.max(0.1, 1 + j * rng.normal())) : ones();
    return { index, x0, y0, d4, scale, shift: zeros() };
  });
}

/** Train samples come first in the pipeline's sample list, validation samples after them. */
function toPipeline(s: Sample, r: SiteRow): PipelineSample {
  return {
    relPaths: s.relPaths,
    label: s.label,
    siteKey: s.key,
    experiment: r.experiment,
    plate: r.plate,
  };
}

export function pipelineSamples(opts: Pick<TrainStreamOptions, 'train' | 'val'>): PipelineSample[] {
  return [
    ...opts.train.samples.map((s, i) => toPipeline(s, opts.train.rows[i]!)),
    ...opts.val.samples.map((s, i) => toPipeline(s, opts.val.rows[i]!)),
  ];
}

export function createTrainStream(opts: TrainStreamOptions): TrainStream {
  const nTrain = opts.train.samples.length;
  const nVal = opts.val.samples.length;
  const cellTypes = [...opts.train.samples, ...opts.val.samples].map((s) => s.cellType);
  const metas = new Map<number, PlanMeta>();
  const off = Math.floor((opts.imageSize - opts.cropSize) / 2);

  function* plans(): Generator<BatchPlan> {
    let id = 0;
    const emit = (meta: Omit<PlanMeta, 'cellType'>, samples: SamplePlan[]): BatchPlan => {
      metas.set(id, { ...meta, cellType: Int32Array.from(samples, (p) => cellTypes[p.index]!) });
      return { id: id++, epoch: meta.epoch, samples };
    };
    for (let epoch = opts.startEpoch; epoch < opts.epochs; epoch++) {
      const order = rngFor(opts.seed, RngPurpose.shuffle, epoch).shuffle(
        Array.from({ length: nTrain }, (_, i) => i),
      );
      const first = epoch === opts.startEpoch ? opts.startStep : 0;
      for (let step = first; step < opts.stepsPerEpoch; step++)
        yield emit(
          { kind: 'train', epoch, step, last: false },
          trainStepPlan(order, opts, epoch, step),
        );
      for (let from = 0; from < nVal; from += opts.evalBatchSize) {
        const to = Math.min(nVal, from + opts.evalBatchSize);
        const samples = Array.from({ length: to - from }, (_, i) => ({
          index: nTrain + from + i,
          x0: off,
          y0: off,
          d4: 0,
          scale: ones(),
          shift: zeros(),
        }));
        yield emit({ kind: 'val', epoch, step: from, last: to === nVal }, samples);
      }
    }
  }

  const it = planStream({
    root: opts.root,
    samples: pipelineSamples(opts),
    resolution: opts.imageSize,
    cropSize: opts.cropSize,
    batchSize: opts.batchSize,
    normalization: opts.normalization,
    stats: opts.stats,
    cacheFile: opts.cacheFile,
    cacheLimits: opts.cacheLimits,
    onCacheWarning: opts.onCacheWarning,
    workers: opts.workers,
    prefetch: opts.prefetch,
    inProcess: opts.inProcess,
    onCacheStats: opts.onCacheStats,
    plans: { [Symbol.iterator]: plans },
  })[Symbol.asyncIterator]();
  let closed = false;

  return {
    async next() {
      const r = await it.next();
      if (r.done) throw new Error('training data stream ended before the trainer did');
      const b = r.value;
      const meta = metas.get(b.index);
      if (!meta) throw new Error(`training data stream returned an unknown batch ${b.index}`);
      metas.delete(b.index);
      const batch: Batch = {
        x: b.x,
        y: b.y,
        cellType: meta.cellType,
        n: b.n,
        size: b.size,
        keys: b.keys,
      };
      return meta.kind === 'train'
        ? { kind: 'train', epoch: meta.epoch, step: meta.step, batch }
        : { kind: 'val', epoch: meta.epoch, last: meta.last, batch };
    },
    async close() {
      if (closed) return;
      closed = true;
      await it.return?.(undefined);
    },
  };
}
