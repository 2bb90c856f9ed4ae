// Per-site class probabilities of a run's model: prediction batches come from the data pipeline
// (worker threads) with the same evaluation plan and builder as the trainer's validation batches,
// so a site's tensor is bit-for-bit what validation saw; test-time augmentation averages 8 D4 views.
// The same pass can keep each site's pooled features (the embedding view).
import type { TrainConfig } from '../../../../src-shared/contract';
import { throwIfCancelled } from '../../errors';
import {
  evalPlans,
  planStream,
  type Batch,
  type BatchPlan,
  type PipelineSample,
  type StatsTable,
} from '../../imaging/pipeline';
import { getTf } from '../backend/tf';
import type { FoldedPredictor } from '../models/folded-inference';
import { probabilities } from '../train/loss';
import { batchInputs } from '../train/step';

export interface SiteBatchOptions {
  root: string;
  samples: PipelineSample[];
  config: Pick<TrainConfig, 'imageSize' | 'cropSize' | 'batchSize' | 'normalization'>;
  /** The run's resolved normalisation stats (data/normalization.ts `resolveRunStats`). */
  stats: StatsTable;
  /** D4 views per site: [0], or 0..7 for test-time augmentation. */
  views: readonly number[];
  signal?: AbortSignal;
  /** Decode worker threads (default: the pipeline's); `inProcess` builds on this thread. */
  workers?: number;
  inProcess?: boolean;
}

/**
 * The prediction batches of `samples`, in order, and their plans (plan `b.index` says which sample
 * and view each row of batch b is): ⌊max(16, batchSize) / views⌋ sites a batch, a site's views
 * side by side, each the evaluation plan (centre crop, view d4, no jitter) of plans.ts.
 */
export function predictionBatches(o: SiteBatchOptions): {
  plans: BatchPlan[];
  batches: AsyncIterable<Batch>;
} {
  const { config } = o;
  const batchSize = Math.max(16, config.batchSize);
  const indices = o.samples.map((_, i) => i);
  const plans = [...evalPlans(indices, { ...config, batchSize, views: o.views })];
  const batches = planStream({
    root: o.root,
    samples: o.samples,
    imageSize: config.imageSize,
    cropSize: config.cropSize,
    batchSize,
    normalization: config.normalization,
    stats: o.stats,
    signal: o.signal,
    workers: o.workers,
    inProcess: o.inProcess,
    plans,
  });
  return { plans, batches };
}

/** One prediction pass over the sites: probabilities and, when asked, the pooled features. */
export interface SitePass {
  /** samples × classes, mean over the views. */
  probs: Float32Array;
  /** samples × featureDims pooled features (models/folded-inference.ts), mean over the views; null unless asked. */
  features: Float32Array | null;
  featureDims: number;
}

/**
 * Class probabilities per site (samples × classes, mean over the views) from `net`, and with
 * `features` the pooled features per site from the same forward passes (samples × dims, mean over
 * the views). `numCellTypes` 0 = no cell-type input. Progress counts sites. Errors: CANCELLED
 * through `signal`; a model without pooled features when they are asked for.
 */
export async function sitePass(
  net: FoldedPredictor,
  o: SiteBatchOptions & {
    loss: TrainConfig['loss'];
    numClasses: number;
    numCellTypes: number;
    features?: boolean;
    onProgress?(done: number, total: number): void;
  },
): Promise<SitePass> {
  const tf = getTf();
  const K = o.numClasses;
  const V = o.views.length;
  const D = o.features ? (net.featureDims ?? 0) : 0;
  if (o.features && D <= 0)
    throw new Error('this model has no pooled-features layer, so no embedding can be taken');
  const siteProbs = new Float32Array(o.samples.length * K);
  const siteFeatures = o.features ? new Float32Array(o.samples.length * D) : null;
  const { plans, batches } = predictionBatches(o);
  let done = 0;
  for await (const b of batches) {
    throwIfCancelled(o.signal);
    const plan = plans[b.index]!;
    const inputs = batchInputs(b, 0, b.n, o.numCellTypes);
    const x = inputs.length === 1 ? inputs[0]! : inputs;
    const [p, f] = tf.tidy(() => {
      if (!siteFeatures) return [probabilities(o.loss, net.predict(x))];
      const r = net.predictWithFeatures(x);
      return [probabilities(o.loss, r.output), r.features];
    });
    const data = await p!.data();
    const feats = f ? await f.data() : null;
    tf.dispose([p!, ...(f ? [f] : []), ...inputs]);
    plan.samples.forEach((s, k) => {
      for (let c = 0; c < K; c++) siteProbs[s.index * K + c]! += data[k * K + c]! / V;
      if (siteFeatures && feats)
        for (let d = 0; d < D; d++) siteFeatures[s.index * D + d]! += feats[k * D + d]! / V;
    });
    done += b.n / V;
    o.onProgress?.(done, o.samples.length);
  }
  return { probs: siteProbs, features: siteFeatures, featureDims: D };
}

/**
 * Class probabilities per site (samples × classes, mean over the views) from `net` (`sitePass`
 * without features). Errors: CANCELLED through `signal`.
 */
export async function siteProbabilities(
  net: FoldedPredictor,
  o: SiteBatchOptions & {
    loss: TrainConfig['loss'];
    numClasses: number;
    numCellTypes: number;
    onProgress?(done: number, total: number): void;
  },
): Promise<Float32Array> {
  return (await sitePass(net, { ...o, features: false })).probs;
}
