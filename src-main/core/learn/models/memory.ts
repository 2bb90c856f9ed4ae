// Training-memory estimate and batch-size pick. The wasm heap is capped at 4 GB and never shrinks,
// so CPU runs shrink the micro-batch and accumulate gradients to keep the effective batch.
import { getTf, type LayersModel } from '../backend/tf';
import { buildModel } from './build-model';
import type { ModelConfig } from './config';

/** wasm32 heap cap minus headroom for fragmentation, the data pipeline's tensors and kernels' temporaries. */
export const WASM_TRAIN_BUDGET_BYTES = 3 * 1024 ** 3;

/**
 * Live bytes per activation element during a training step: the forward output kept for the
 * backward pass, its gradient, and kernel temporaries (col buffers, BN outputs). Calibrated on
 * the wasm heap after two steps at batch 32 with PlateLabBatchNorm: ResNet-34@128 2,096 MB
 * (estimate 2,160), ResNet-18@64 551 MB (estimate 560). tfjs' own BatchNormalization needs far
 * more (ResNet-34@128 peaked at 3.87 GB), so estimates are for batchNorm 'fused'.
 */
const BYTES_PER_ACTIVATION = 4 * 3.2;
/** tfjs' BatchNormalization keeps ~40 full-size intermediates per layer: 3.87 / 2.1 GB above. */
const KERAS_BN_FACTOR = 1.9;
/** Weights, gradients, momentum and one temporary per parameter. */
const BYTES_PER_PARAM = 4 * 4;
const FIXED_OVERHEAD = 96 * 1024 ** 2;

export interface MemoryEstimate {
  params: number;
  activationsPerImage: number;
  bytes: number;
}

function sizeOf(shape: (number | null)[]): number {
  return shape.reduce<number>((a, d) => a * (d ?? 1), 1);
}

/** Counts parameters and per-image activation elements of a built model. */
export function measureModel(model: LayersModel): { params: number; activationsPerImage: number } {
  let activations = 0;
  for (const layer of model.layers) {
    const shapes = layer.outputShape;
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as (number | null)[][];
    for (const s of list) activations += sizeOf(s.slice(1));
  }
  return { params: model.countParams(), activationsPerImage: activations };
}

/** Estimated peak bytes of one training step at `batch` (builds and disposes the model unless given). */
const measuredCache = new Map<string, { params: number; activationsPerImage: number }>();

export function estimateMemory(
  config: ModelConfig,
  batch: number,
  model?: LayersModel,
): MemoryEstimate {
  const key = JSON.stringify({ ...config, seed: 0, dropout: 0 });
  let measured = model ? measureModel(model) : measuredCache.get(key);
  if (!measured) {
    const tf = getTf();
    tf.engine().startScope();
    try {
      const built = buildModel({ ...config, seed: config.seed ?? 1 });
      measured = measureModel(built);
      built.dispose();
    } finally {
      tf.engine().endScope();
    }
    measuredCache.set(key, measured);
  }
  const bytes =
    FIXED_OVERHEAD +
    measured.params * BYTES_PER_PARAM +
    batch *
      measured.activationsPerImage *
      BYTES_PER_ACTIVATION *
      (config.batchNorm === 'keras' ? KERAS_BN_FACTOR : 1);
  return { ...measured, bytes };
}

/** A micro-batch size and the gradient accumulation that fit the memory budget. */
export interface MicroBatchPlan {
  /** Images per forward/backward pass. */
  batchSize: number;
  /** Micro-batches whose gradients are summed before each optimiser step. */
  accumulationSteps: number;
  /** Effective batch = batchSize × accumulationSteps (≥ the wanted batch). */
  effectiveBatch: number;
  estimatedBytes: number;
}

/**
 * Largest micro-batch (≤ targetBatch) whose estimate fits the budget at this crop, and the
 * accumulation steps that restore the target batch.
 */
export function pickBatchSize(
  config: ModelConfig,
  crop: number,
  opts: { targetBatch?: number; budgetBytes?: number } = {},
): MicroBatchPlan {
  const target = opts.targetBatch ?? 32;
  const budget = opts.budgetBytes ?? WASM_TRAIN_BUDGET_BYTES;
  const one = estimateMemory({ ...config, inputSize: crop }, 1);
  const fixed = FIXED_OVERHEAD + one.params * BYTES_PER_PARAM;
  const perImage = one.bytes - fixed;
  const fit = Math.floor((budget - fixed) / perImage);
  if (fit < 1)
    throw new Error(
      `model ${config.arch} at ${crop}px needs ${Math.round((fixed + perImage) / 1024 ** 2)} MB for one image, over the ${Math.round(budget / 1024 ** 2)} MB budget`,
    );
  const accumulationSteps = Math.ceil(target / Math.min(target, fit));
  // Even micro-batches: 32 with room for 15 → 3 × 11, not 3 × 15.
  const batchSize = Math.ceil(target / accumulationSteps);
  return {
    batchSize,
    accumulationSteps,
    effectiveBatch: batchSize * accumulationSteps,
    estimatedBytes: fixed + perImage * batchSize,
  };
}
