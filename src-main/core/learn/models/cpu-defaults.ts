// Default model for CPU training (wasm backend, no tfjs-node): the configuration we recommend for
// the demo dataset in about ten minutes on a 2-core machine. The measurements are in the comment.
import type { ModelConfig } from './config';

export interface CpuTrainingDefaults {
  model: Pick<ModelConfig, 'arch' | 'widthMultiplier' | 'dropout'>;
  /** Random crop side in pixels, taken from the full-resolution site (texture kept, no resizing). */
  crop: number;
  /** Predict on whole sites at this size with the same weights (withInputSize). */
  predictSize: number;
  batchSize: number;
  /** Adam; the learning rate follows a cosine decay to 0 over the run. */
  optimizer: { name: 'adam'; learningRate: number };
  /** Training budget the defaults were sized for, in seconds of one free core. */
  targetSeconds: number;
}

/**
 * resnet-mini at 64 px crops, batch 32, Adam 2e-3 with cosine decay over the run.
 *
 * Why (measured 2026-11-25 on the 2-core AMD EPYC build machine, wasm SIMD, one thread, batch 32,
 * CPU time per step so other users' load does not distort it; bench/train.ts):
 * - resnet-mini@64 takes ~0.3 s of CPU per training step (~100 img/s), ResNet-18@64 1.6 s,
 *   ResNet-18@128 6.0 s, ResNet-34@128 10.8 s. In 10 minutes resnet-mini sees ~64k crops (~50
 *   epochs of the demo's 1,248 train sites with 4 experiments held out), ResNet-18@64 ~12k (10
 *   epochs), ResNet-18@128 ~3k (2.5 epochs): only the small net gets through enough epochs.
 * - 64 px crops of the 128 px sites keep full resolution (the demo classes differ in texture and
 *   shape, which downscaling blurs) at 1/4 of the cost of whole sites, and random crops are
 *   augmentation. Predict on whole 128 px sites (withInputSize): +7–10 points over centre crops.
 * - Demo set, 4 held-out experiments (one per cell type), 37 classes: 150 s of CPU (510 steps,
 *   13 epochs) gave 47% accuracy on whole sites, 300 s (1,039 steps, 27 epochs) 60%, with the
 *   training loss still falling, so a 10-minute run lands above that; longer runs or tfjs-node
 *   (4× faster per core) are what reach high accuracy.
 * - Batch 32 needs ~150 MB of wasm heap (4 GB cap) and keeps batch-norm statistics stable.
 */
export const CPU_TRAINING_DEFAULTS: CpuTrainingDefaults = {
  model: { arch: 'resnet-mini', widthMultiplier: 1, dropout: 0.3 },
  crop: 64,
  predictSize: 128,
  batchSize: 32,
  optimizer: { name: 'adam', learningRate: 2e-3 },
  targetSeconds: 600,
};
