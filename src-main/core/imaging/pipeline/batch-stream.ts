// Training and evaluation batch streams. The main thread makes every plan (plans.ts: order, crops,
// D4, jitter, from the seed) and owns the decoded-site cache's index; it sends batch plans (with
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
import { epochOrder, evalPlans, trainStepPlan, type AugmentOptions } from './plans';
import { defaultDecodeWorkers } from './threads';
import type {
  Batch,
  BatchPlan,
  BuilderConfig,
  FromWorker,
  PipelineSample,
  StatsTable,
  ToWorker,
} from './types';

export interface StreamOptions {
  root: string;
  samples: PipelineSample[];
  /** Sites are resized to imageSize × imageSize before cropping (and cached at that size). */
  imageSize: number;
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
  augment: AugmentOptions;
  /** Passes over the samples; each epoch reshuffles with its own seed. Default 1. */
  epochs?: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
}

export interface EvalStreamOptions extends StreamOptions {
  /** Centre crop edge; default the full imageSize. */
  cropSize?: number;
  /** Fixed D4 transform for test-time augmentation (0 = none). */
  d4?: number;
}

/** Training plans: each epoch's order from (seed, epoch), each step's draws from (seed, epoch, step). */
export function* trainPlans(opts: BatchStreamOptions): Generator<BatchPlan> {
  const { samples, batchSize } = opts;
  const epochs = opts.epochs ?? 1;
  const steps = opts.dropLast
    ? Math.floor(samples.length / batchSize)
    : Math.ceil(samples.length / batchSize);
  let id = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = epochOrder(opts.seed, epoch, samples.length, opts.shuffle);
    for (let step = 0; step < steps; step++)
      yield { id: id++, epoch, samples: trainStepPlan(order, opts, epoch, step) };
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
  if (!Number.isInteger(opts.imageSize) || opts.imageSize < 1)
    bad(`image size ${opts.imageSize} must be a positive integer`);
  if (!Number.isInteger(crop) || crop < 1 || crop > opts.imageSize)
    bad(`crop ${crop} must be 1..${opts.imageSize}`);
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
  const cropSize = opts.cropSize ?? opts.imageSize;
  validate(opts, cropSize);
  const indices = opts.samples.map((_, i) => i);
  return {
    [Symbol.asyncIterator]: () =>
      run(opts, cropSize, evalPlans(indices, { ...opts, cropSize, views: [opts.d4 ?? 0] })),
  };
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
    imageSize: opts.imageSize,
    cropSize: crop,
    normalization: opts.normalization,
    stats,
    cacheFile: opts.cacheFile,
  };
  const cache = opts.cacheFile
    ? DecodedSiteCache.open(opts.cacheFile, opts.imageSize, opts.cacheLimits)
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
    const seen = new Set<number>();
    return plan.samples.map(({ index }) => {
      const s = opts.samples[index];
      // A site planned twice in a batch (test-time views) is loaded once, through its first ticket.
      if (!s || seen.has(index)) return { kind: 'skip', offset: -1, key: '', digest: '' };
      seen.add(index);
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
