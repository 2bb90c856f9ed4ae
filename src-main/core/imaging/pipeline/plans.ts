// Batch plans (crop corner, D4 view, intensity jitter per sample): the one place they are made, for
// training (drawn from (seed, epoch, step) with core/util/rng.ts, so resume is exact), validation and
// prediction (one evaluation plan: centre crop, a fixed view, no jitter, the same for both).
import type { TrainConfig } from '../../../../src-shared/contract';
import { rngFor, RngPurpose, type SeededRng } from '../../util/rng';
import { D4_COUNT } from './d4';
import type { BatchPlan, SamplePlan } from './types';

/** Training augmentation settings (the contract's `augment`). */
export type AugmentOptions = TrainConfig['augment'];

/** Decode edge (sites are resized to imageSize × imageSize) and crop edge, in pixels. */
export interface PlanGeometry {
  imageSize: number;
  cropSize: number;
}

const CHANNELS = 6;

/** Scale 1 and shift 0 on every channel: no jitter. */
export function identityJitter(): { scale: number[]; shift: number[] } {
  return { scale: new Array<number>(CHANNELS).fill(1), shift: new Array<number>(CHANNELS).fill(0) };
}

/**
 * Per-channel intensity jitter applied after normalisation: x' = a·x + b with a = max(0.1, 1 + j·n₁)
 * and b = j·n₂, n standard normal, drawn independently per channel (6 scales, then 6 shifts).
 * Source: the RxRx1 1st-place solution's pixel-wise augmentation (kaggle-rcic-1st `dataset.py`,
 * `train_transform2`: a ~ N(1, σ), b ~ N(0, σ), default σ = 0.1), with σ = `intensityJitter`; the
 * floor at 0.1 keeps a channel from being inverted at large j. j = 0 draws nothing.
 */
export function drawJitter(rng: SeededRng, j: number): { scale: number[]; shift: number[] } {
  const out = identityJitter();
  if (j <= 0) return out;
  for (let c = 0; c < CHANNELS; c++) out.scale[c] = Math.max(0.1, 1 + j * rng.normal());
  for (let c = 0; c < CHANNELS; c++) out.shift[c] = j * rng.normal();
  return out;
}

/** A training sample's plan: random crop corner (y0 drawn first), random D4 when on, jitter. */
export function trainSamplePlan(
  rng: SeededRng,
  index: number,
  geom: PlanGeometry,
  augment: AugmentOptions,
): SamplePlan {
  const margin = geom.imageSize - geom.cropSize;
  const y0 = rng.int(margin + 1);
  const x0 = rng.int(margin + 1);
  const d4 = augment.d4 ? rng.int(D4_COUNT) : 0;
  return { index, x0, y0, d4, ...drawJitter(rng, augment.intensityJitter) };
}

/** The evaluation plan of a sample (validation and prediction alike): centre crop, view `d4`. */
export function evalSamplePlan(index: number, geom: PlanGeometry, d4 = 0): SamplePlan {
  const off = Math.floor((geom.imageSize - geom.cropSize) / 2);
  return { index, x0: off, y0: off, d4, ...identityJitter() };
}

/** The order of an epoch's training samples 0..n−1: shuffled from (seed, epoch), else in order. */
export function epochOrder(seed: number, epoch: number, n: number, shuffle = true): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return shuffle ? rngFor(seed, RngPurpose.shuffle, epoch).shuffle(order) : order;
}

export interface StepPlanOptions extends PlanGeometry {
  seed: number;
  batchSize: number;
  augment: AugmentOptions;
}

/** The sample plans of one training step: every draw comes from rngFor(seed, augment, epoch, step). */
export function trainStepPlan(
  order: readonly number[],
  opts: StepPlanOptions,
  epoch: number,
  step: number,
): SamplePlan[] {
  const rng = rngFor(opts.seed, RngPurpose.augment, epoch, step);
  return order
    .slice(step * opts.batchSize, (step + 1) * opts.batchSize)
    .map((index) => trainSamplePlan(rng, index, opts, opts.augment));
}

export interface EvalPlanOptions extends PlanGeometry {
  /** Samples per batch (all views of a site stay in one batch, so it is decoded once). */
  batchSize: number;
  /** D4 views of each site, e.g. [0] or the 8 of test-time augmentation. Default [0]. */
  views?: readonly number[];
  /** Id of the first plan; ids then count up. Default 0. */
  firstId?: number;
  epoch?: number;
}

/**
 * Evaluation batches over `indices`, in order: each site's views next to each other (sample k of a
 * batch is site ⌊k / views⌋ of its chunk, view k mod views), ⌊batchSize / views⌋ sites (≥ 1) a batch.
 */
export function* evalPlans(
  indices: readonly number[],
  opts: EvalPlanOptions,
): Generator<BatchPlan> {
  const views = opts.views ?? [0];
  if (views.length === 0) throw new Error('evalPlans needs at least one view');
  const sites = Math.max(1, Math.floor(opts.batchSize / views.length));
  let id = opts.firstId ?? 0;
  for (let from = 0; from < indices.length; from += sites) {
    const samples = indices
      .slice(from, from + sites)
      .flatMap((index) => views.map((d4) => evalSamplePlan(index, opts, d4)));
    yield { id: id++, epoch: opts.epoch ?? 0, samples };
  }
}
