// The trainer's data source on top of the imaging pipeline: one worker-thread stream over train and
// validation sites whose plans (plans.ts: order, crop, D4, jitter) are drawn from (seed, epoch, step),
// so a run resumed mid-epoch sees exactly the batches an uninterrupted run would. Per epoch the
// stream yields the remaining training steps, then the validation batches (the evaluation plan that
// prediction uses too: centre crop, no augmentation).
import path from 'node:path';
import {
  epochOrder,
  evalPlans,
  planStream,
  trainStepPlan,
  type AugmentOptions,
  type Batch,
  type BatchPlan,
  type PipelineSample,
  type StatsTable,
} from '../../imaging/pipeline';
import type { CacheLimits } from '../../imaging/decoded-cache';
import type { Normalization } from '../../imaging/normalize';

export interface TrainStreamOptions {
  root: string;
  train: { samples: PipelineSample[] };
  val: { samples: PipelineSample[] };
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
}

export interface TrainStream {
  /** The next item, in order; throws when the stream ended early (a bug in the caller). */
  next(): Promise<StreamItem>;
  /** Stops the worker (in-flight batches are dropped); safe to call twice. */
  close(): Promise<void>;
}

/** Decoded-site cache beside the catalog: one file per dataset (catalog) and image size. */
export function decodedCacheFile(dbFile: string, imageSize: number): string {
  const base = path.basename(dbFile).replace(/\.[^.]*$/, '');
  return path.join(path.dirname(dbFile), 'decoded-cache', `${base}-${imageSize}.bin`);
}

/** The pipeline's sample list: train samples first, validation samples after them. */
export function pipelineSamples(opts: Pick<TrainStreamOptions, 'train' | 'val'>): PipelineSample[] {
  return [...opts.train.samples, ...opts.val.samples];
}

export function createTrainStream(opts: TrainStreamOptions): TrainStream {
  const nTrain = opts.train.samples.length;
  const nVal = opts.val.samples.length;
  const metas = new Map<number, PlanMeta>();
  const valIndices = Array.from({ length: nVal }, (_, i) => nTrain + i);

  function* plans(): Generator<BatchPlan> {
    let id = 0;
    for (let epoch = opts.startEpoch; epoch < opts.epochs; epoch++) {
      const order = epochOrder(opts.seed, epoch, nTrain);
      const first = epoch === opts.startEpoch ? opts.startStep : 0;
      for (let step = first; step < opts.stepsPerEpoch; step++) {
        metas.set(id, { kind: 'train', epoch, step, last: false });
        yield { id: id++, epoch, samples: trainStepPlan(order, opts, epoch, step) };
      }
      let done = 0;
      for (const plan of evalPlans(valIndices, {
        ...opts,
        batchSize: opts.evalBatchSize,
        firstId: id,
        epoch,
      })) {
        done += plan.samples.length;
        metas.set(plan.id, { kind: 'val', epoch, step: 0, last: done === nVal });
        id = plan.id + 1;
        yield plan;
      }
    }
  }

  const it = planStream({
    root: opts.root,
    samples: pipelineSamples(opts),
    imageSize: opts.imageSize,
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
      const batch = r.value;
      const meta = metas.get(batch.index);
      if (!meta) throw new Error(`training data stream returned an unknown batch ${batch.index}`);
      metas.delete(batch.index);
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
