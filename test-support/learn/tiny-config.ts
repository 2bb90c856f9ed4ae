// A very small training config for tests and smoke runs: tiny net, 16-px crops (the contract's minimum), cpu-friendly.
import type { TrainConfig } from '../../src-shared/contract';
import { cpuTrainConfig } from '../../src-main/core/learn/config/default-config';

export function tinyTrainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...cpuTrainConfig(),
    imageSize: 20,
    cropSize: 16,
    epochs: 2,
    batchSize: 8,
    learningRate: 0.05,
    warmupEpochs: 0,
    lrDecayEpochs: [],
    dropout: 0,
    mixup: 0,
    split: { strategy: 'random', valFraction: 0.2, seed: 1 },
    ...overrides,
  };
}
