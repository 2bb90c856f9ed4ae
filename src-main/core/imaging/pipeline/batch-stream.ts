// Training and evaluation batch streams. The main thread draws every random choice from the seed
// (order, crops, D4, jitter) and sends batch plans to a worker thread, which decodes and augments
// ahead of the trainer (`prefetch` batches in flight) and transfers the buffers back.
import { Worker } from 'node:worker_threads';
import { cancelledError, PlateLabError, throwIfCancelled, type ErrorCode } from '../../errors';
import type { Normalization } from '../normalize';
import { resolveStatsWithFallback } from '../stats-fallback';
import type { StatsProvider } from '../stats-provider';
import { BatchBuilder } from './batch-builder';
import { D4_COUNT } from './d4';
import { epochSeed, mulberry32, permutation, type Random } from './rng';
import type {
  Batch,
  BatchPlan,
  BuilderConfig,
  FromWorker,
  PipelineSample,
  SamplePlan,
  StatsTable,
  ToWorker,
} from './types';

export interface StreamOptions {
  root: string;
  samples: PipelineSample[];
  /** Sites are resized to resolution×resolution before cropping (and cached at that size). */
  resolution: number;
  batchSize: number;
  normalization: Normalization;
  /** A stats provider (resolved up front) or precomputed stats; unused for 'per-image'/'none'. */
  stats?: StatsProvider | StatsTable;
  cacheFile?: string;
  signal?: AbortSignal;
  /** Batches built ahead of the consumer. Default 3. */
  prefetch?: number;
  /** Build batches on the calling thread (tests, debugging). Default false: a worker thread. */
  inProcess?: boolean;
  /** Called once when the stream ends with the decoded-site cache's hit/miss counts. */
  onCacheStats?: (stats: { hits: number; misses: number }) => void;
}

export interface BatchStreamOptions extends StreamOptions {
  cropSize: number;
  shuffle: boolean;
  seed: number;
  augment: { d4: boolean; intensityJitter: number };
  /** Passes over the samples; each epoch reshuffles with its own seed. Default 1. */
  epochs?: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
}

export interface EvalStreamOptions extends StreamOptions {
  /** Centre crop edge; default the full resolution. */
  cropSize?: number;
  /** Fixed D4 transform for test-time augmentation (0 = none). */
  d4?: number;
}

const identity = (): { scale: number[]; shift: number[] } => ({
  scale: [1, 1, 1, 1, 1, 1],
  shift: [0, 0, 0, 0, 0, 0],
});

/** Random crop, D4 and per-channel jitter: x' = x·(1 + j·u₁) + j·u₂ with u uniform in [−1, 1]. */
export function* trainPlans(opts: BatchStreamOptions): Generator<BatchPlan> {
  const { samples, batchSize, resolution, cropSize, augment } = opts;
  const epochs = opts.epochs ?? 1;
  let id = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rnd: Random = mulberry32(epochSeed(opts.seed, epoch));
    const order = opts.shuffle ? permutation(samples.length, rnd) : samples.map((_, i) => i);
    const span = resolution - cropSize + 1;
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      if (opts.dropLast && idx.length < batchSize) break;
      const plans: SamplePlan[] = idx.map((index) => {
        const x0 = Math.floor(rnd() * span);
        const y0 = Math.floor(rnd() * span);
        const d4 = augment.d4 ? Math.floor(rnd() * D4_COUNT) : 0;
        const j = augment.intensityJitter;
        const { scale, shift } = identity();
        if (j > 0) {
          for (let c = 0; c < 6; c++) {
            scale[c] = 1 + j * (2 * rnd() - 1);
            shift[c] = j * (2 * rnd() - 1);
          }
        }
        return { index, x0, y0, d4, scale, shift };
      });
      yield { id: id++, epoch, samples: plans };
    }
  }
}

/** Every sample once, in order: centre crop (or the full site), a fixed D4, no jitter. */
export function* evalPlans(opts: EvalStreamOptions): Generator<BatchPlan> {
  const crop = opts.cropSize ?? opts.resolution;
  const off = Math.floor((opts.resolution - crop) / 2);
  let id = 0;
  for (let start = 0; start < opts.samples.length; start += opts.batchSize) {
    const plans: SamplePlan[] = [];
    for (let i = start; i < Math.min(start + opts.batchSize, opts.samples.length); i++) {
      plans.push({ index: i, x0: off, y0: off, d4: opts.d4 ?? 0, ...identity() });
    }
    yield { id: id++, epoch: 0, samples: plans };
  }
}

/**
 * Turns a stats provider into the plain table the worker needs (only what the samples use), with
 * stats-fallback.ts's floor and fallbacks for flat or missing controls/experiment stats.
 */
export async function resolveStats(
  normalization: Normalization,
  samples: readonly PipelineSample[],
  stats: StatsProvider | StatsTable | undefined,
  signal?: AbortSignal,
): Promise<StatsTable> {
  if (!stats || !('forSite' in stats)) return stats ?? {};
  return resolveStatsWithFallback(normalization, samples, stats, signal);
}

function validate(opts: StreamOptions, crop: number): void {
  const bad = (m: string): never => {
    throw new PlateLabError('VALIDATION', m);
  };
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
    bad(`batch size ${opts.batchSize} must be a positive integer`);
  if (!Number.isInteger(opts.resolution) || opts.resolution < 1)
    bad(`resolution ${opts.resolution} must be a positive integer`);
  if (!Number.isInteger(crop) || crop < 1 || crop > opts.resolution)
    bad(`crop ${crop} must be 1..${opts.resolution}`);
  opts.samples.forEach((s, i) => {
    if (s.relPaths.length !== 6)
      bad(`sample ${i} (${s.siteKey}) has ${s.relPaths.length} channel paths, not 6`);
  });
}

/** Training batches: shuffled, randomly cropped and augmented, deterministic for a seed. */
export function createBatchStream(opts: BatchStreamOptions): AsyncIterable<Batch> {
  validate(opts, opts.cropSize);
  return { [Symbol.asyncIterator]: () => run(opts, opts.cropSize, trainPlans(opts)) };
}

/** Evaluation / prediction batches: every sample once, in order, no random augmentation. */
export function evalStream(opts: EvalStreamOptions): AsyncIterable<Batch> {
  const crop = opts.cropSize ?? opts.resolution;
  validate(opts, crop);
  return { [Symbol.asyncIterator]: () => run(opts, crop, evalPlans(opts)) };
}

export interface PlanStreamOptions extends StreamOptions {
  cropSize: number;
  /** Plans made by the caller, e.g. a trainer that draws per (seed, epoch, step) to resume exactly. */
  plans: Iterable<BatchPlan>;
}

/** Batches for caller-made plans, built ahead in the worker like the other streams. */
export function planStream(opts: PlanStreamOptions): AsyncIterable<Batch> {
  validate(opts, opts.cropSize);
  return {
    [Symbol.asyncIterator]: () => run(opts, opts.cropSize, opts.plans[Symbol.iterator]()),
  };
}

/** A source of built batches: a worker thread or the calling thread. */
interface Builder {
  request(plan: BatchPlan): Promise<Batch>;
  close(): Promise<void>;
}

type CacheStatsSink = StreamOptions['onCacheStats'];

function inProcessBuilder(config: BuilderConfig, onStats: CacheStatsSink): Builder {
  const b = new BatchBuilder(config);
  let chain: Promise<unknown> = Promise.resolve();
  return {
    request(plan) {
      const p = chain.then(() => b.build(plan));
      chain = p.catch(() => undefined);
      return p;
    },
    async close() {
      await chain.catch(() => undefined);
      onStats?.(b.cacheStats);
      b.close();
    },
  };
}

let live = 0;
/** Pipeline worker threads currently running (tests check that streams clean up). */
export function liveWorkers(): number {
  return live;
}

function workerBuilder(config: BuilderConfig, onStats: CacheStatsSink): Builder {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url));
  live++;
  worker.once('exit', () => live--);
  const pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: unknown) => void }>();
  let fatal: unknown = null;
  let onClosed: (() => void) | null = null;
  const failAll = (err: unknown): void => {
    fatal ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'batch') {
      pending.get(msg.id)?.resolve(msg.batch);
      pending.delete(msg.id);
    } else if (msg.type === 'error') {
      const err = new PlateLabError(msg.error.code as ErrorCode, msg.error.message);
      if (msg.id === null) failAll(err);
      else {
        pending.get(msg.id)?.reject(err);
        pending.delete(msg.id);
      }
    } else if (msg.type === 'closed') {
      onStats?.({ hits: msg.hits, misses: msg.misses });
      onClosed?.();
    }
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => {
    failAll(new PlateLabError('INTERNAL', `pipeline worker exited (code ${code})`));
    onClosed?.();
  });
  worker.postMessage({ type: 'init', config } satisfies ToWorker);
  return {
    request(plan) {
      if (fatal) return Promise.reject(fatal);
      return new Promise<Batch>((resolve, reject) => {
        pending.set(plan.id, { resolve, reject });
        worker.postMessage({ type: 'batch', plan } satisfies ToWorker);
      });
    },
    async close() {
      // Let the worker flush the cache index, but never hang on it.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        onClosed = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.postMessage({ type: 'close' } satisfies ToWorker);
      });
      failAll(cancelledError('pipeline closed'));
      await worker.terminate();
    },
  };
}

async function* run(
  opts: StreamOptions,
  crop: number,
  plans: Iterator<BatchPlan>,
): AsyncGenerator<Batch> {
  const { signal } = opts;
  throwIfCancelled(signal);
  const stats = await resolveStats(opts.normalization, opts.samples, opts.stats, signal);
  const config: BuilderConfig = {
    root: opts.root,
    samples: opts.samples,
    resolution: opts.resolution,
    cropSize: crop,
    normalization: opts.normalization,
    stats,
    cacheFile: opts.cacheFile,
  };
  const builder = opts.inProcess
    ? inProcessBuilder(config, opts.onCacheStats)
    : workerBuilder(config, opts.onCacheStats);
  const inFlight: Array<Promise<Batch>> = [];
  let aborted: (() => void) | null = null;
  const abortP = new Promise<never>((_, reject) => {
    aborted = () => reject(cancelledError());
    signal?.addEventListener('abort', aborted, { once: true });
  });
  abortP.catch(() => undefined);
  const fill = (): void => {
    while (inFlight.length < Math.max(1, opts.prefetch ?? 3)) {
      const next = plans.next();
      if (next.done) return;
      const p = builder.request(next.value);
      p.catch(() => undefined); // handled when awaited in order
      inFlight.push(p);
    }
  };
  try {
    if (signal?.aborted) throw cancelledError();
    fill();
    while (inFlight.length > 0) {
      const batch = await Promise.race([inFlight.shift()!, abortP]);
      fill();
      yield batch;
      throwIfCancelled(signal);
    }
  } finally {
    if (aborted) signal?.removeEventListener('abort', aborted);
    await builder.close();
  }
}
