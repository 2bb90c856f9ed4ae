// A very small training config for tests and smoke runs (tiny net, 16-px crops, the contract's
// minimum; cpu-friendly), and a tiny run trained with it.
import type { TrainConfig } from '../../src-shared/contract';
import { expect } from 'vitest';
import { cpuTrainConfig } from '../../src-main/core/learn/config/default-config';
import type { TrainSummary } from '../../src-main/core/learn/train/messages';
import { runTraining } from '../../src-main/core/learn/train/trainer';

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

/**
 * Trains a run of `tinyTrainConfig(overrides)` on the catalog `dbFile` into `runDir` in this
 * process and checks that it finished ('done'; the run's error message otherwise). The fixture the
 * handler, CLI and prediction tests start from.
 */
export async function trainTinyRun(
  dbFile: string,
  runDir: string,
  overrides: Partial<TrainConfig> = {},
): Promise<TrainSummary> {
  const s = await runTraining(
    { dbFile, runDir, config: tinyTrainConfig(overrides) },
    { emit: () => {}, isCancelled: () => false },
  );
  expect(s.status, s.error ?? '').toBe('done');
  return s;
}
