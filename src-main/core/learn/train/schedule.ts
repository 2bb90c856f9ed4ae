// Learning-rate schedule: linear warm-up over the first epochs (per step), then step decay
// (×factor at each listed epoch, counted 0-based: "15" means from the 16th epoch on).
import type { TrainConfig } from '../../../../src-shared/contract';

export function learningRateAt(
  config: Pick<TrainConfig, 'learningRate' | 'warmupEpochs' | 'lrDecayEpochs' | 'lrDecayFactor'>,
  epoch: number,
  stepInEpoch: number,
  stepsPerEpoch: number,
): number {
  const warmSteps = config.warmupEpochs * stepsPerEpoch;
  const globalStep = epoch * stepsPerEpoch + stepInEpoch;
  if (globalStep < warmSteps) return (config.learningRate * (globalStep + 1)) / warmSteps;
  const decays = config.lrDecayEpochs.filter((e) => epoch >= e).length;
  return config.learningRate * Math.pow(config.lrDecayFactor, decays);
}
