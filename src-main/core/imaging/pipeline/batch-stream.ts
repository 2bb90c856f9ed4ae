// Training and evaluation batch streams. The main thread draws every random choice from the seed
// (order, crops, D4, jitter) and owns the decoded-site cache's index; it sends batch plans (with
// cache tickets) to a pool of worker threads, which decode and augment ahead of the trainer
// (`prefetch` batches in flight) and transfer the buffers back. Batches come out in plan order
// whatever the number of workers: each batch is a function of its plan alone.
import { startWorker } from '../../jobs/entries';
import { cancelledError, PlateLabError, throwIfCancelled, type ErrorCode } from '../../errors';
import { DecodedSiteCache, siteDigest, type CacheLimits, type CacheTicket } from '../decoded-cache';
import type { Normalization } from '../normalize';
import { resolveStatsWithFallback } from '../stats-fallback';
import type { StatsProvider } from '../stats-provider';
import { BatchBuilder } from './batch-builder';
import { D4_COUNT } from './d4';
import { defaultDecodeWorkers } from './threads';
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
  /** The cache's disk budget and free-disk reserve (defaults in decoded-cache.ts). */
  cacheLimits?: CacheLimits;
  signal?: AbortSignal;
  /** Decode worker threads; default `defaultDecodeWorkers()` (cores − 1, at least 1). */
  workers?: number;
  /** Batches built ahead of the consumer. Default workers + 2. */
  prefetch?: number;
  /** Build batches on the calling thread (tests, debugging). Default false: worker threads. */
  inProcess?: boolean;
  /** Called once when the stream ends with the decoded-site cache's counts. */
  onCacheStats?: (stats: CacheStreamStats) => void;
  /** Called once, when it happens, if the cache stops growing (a nearly full disk); default console.warn. */
  onCacheWarning?: (message: string) => void;
}

/** What the decoded-site cache did during one stream. */
export interface CacheStreamStats {
  hits: number;
  misses: number;
  /** Sites dropped to stay within the disk budget. */
  evicted: number;
  /** Why the cache stopped growing below its budget (a nearly full disk), or null. */
  warning: string | null;
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
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 1))
    bad(`decode workers ${opts.workers} must be a positive integer`);
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
  request(plan: BatchPlan, tickets?: CacheTicket[]): Promise<Batch>;
  /** Requests not yet answered. */
  readonly busy: number;
  close(): Promise<void>;
}

function inProcessBuilder(config: BuilderConfig): Builder {
  const b = new BatchBuilder(config);
  let chain: Promise<unknown> = Promise.resolve();
  let busy = 0;
  return {
    request(plan, tickets) {
      busy++;
      const p = chain.then(() => b.build(plan, tickets)).finally(() => busy--);
      chain = p.catch(() => undefined);
      return p;
    },
    get busy() {
      return busy;
    },
    async close() {
      await chain.catch(() => undefined);
      b.close();
    },
  };
}

let live = 0;
/** Pipeline worker threads currently running (tests check that streams clean up). */
export function liveWorkers(): number {
  return live;
}

function workerBuilder(config: BuilderConfig): Builder {
  const worker = startWorker('pipeline-worker');
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
    request(plan, tickets) {
      if (fatal) return Promise.reject(fatal);
      return new Promise<Batch>((resolve, reject) => {
        pending.set(plan.id, { resolve, reject });
        worker.postMessage({ type: 'batch', plan, tickets } satisfies ToWorker);
      });
    },
    get busy() {
      return pending.size;
    },
    async close() {
      // Let the worker finish the batch it is on (and its cache writes), but never hang on it.
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
  const cache = opts.cacheFile
    ? DecodedSiteCache.open(opts.cacheFile, opts.resolution, opts.cacheLimits)
    : null;
  const workers = opts.inProcess ? 1 : (opts.workers ?? defaultDecodeWorkers());
  let builders: Builder[] = [];
  try {
    builders = opts.inProcess
      ? [inProcessBuilder(config)]
      : Array.from({ length: workers }, () => workerBuilder(config));
  } catch (err) {
    cache?.close();
    throw err;
  }
  // Source digests are taken once per stream: later epochs then cost one read per site.
  const digests = new Map<number, string>();
  const ticketsFor = (plan: BatchPlan): CacheTicket[] | undefined => {
    if (!cache) return undefined;
    return plan.samples.map(({ index }) => {
      const s = opts.samples[index];
      if (!s) return { kind: 'skip', offset: -1, key: '', digest: '' };
      let digest = digests.get(index);
      if (digest === undefined) {
        digest = siteDigest(opts.root, s.relPaths);
        digests.set(index, digest);
      }
      const warned = cache.warning;
      const t = cache.ticket(s.siteKey, digest);
      if (!warned && cache.warning) (opts.onCacheWarning ?? console.warn)(cache.warning);
      return t;
    });
  };
  const inFlight: Array<Promise<Batch>> = [];
  let aborted: (() => void) | null = null;
  const abortP = new Promise<never>((_, reject) => {
    aborted = () => reject(cancelledError());
    signal?.addEventListener('abort', aborted, { once: true });
  });
  abortP.catch(() => undefined);
  const fill = (): void => {
    while (inFlight.length < Math.max(1, opts.prefetch ?? workers + 2)) {
      const next = plans.next();
      if (next.done) return;
      const plan = next.value;
      const tickets = ticketsFor(plan);
      // The least busy worker (the first on a tie): any worker builds the same batch from a plan.
      const b = builders.reduce((best, w) => (w.busy < best.busy ? w : best));
      const settle = (ok: boolean): void => tickets?.forEach((t) => cache!.settle(t, ok));
      const p = b.request(plan, tickets).then(
        (batch) => {
          settle(true);
          return batch;
        },
        (err: unknown) => {
          settle(false);
          throw err;
        },
      );
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
    await Promise.all(builders.map((b) => b.close()));
    await Promise.allSettled(inFlight);
    if (cache) {
      cache.close();
      const { hits, misses, evicted } = cache.stats;
      opts.onCacheStats?.({ hits, misses, evicted, warning: cache.warning });
    }
  }
}
