// Test helper: gives every batch norm of a model non-trivial statistics, so inference-mode
// comparisons (folded inference, backend against backend) exercise the normalisation.
import { getTf, type LayersModel } from '../../src-main/core/learn/backend/tf';
import { lcgValues } from './random';

/** Class names of the batch-norm layers PlateLab models may hold. */
export const bnClasses = ['PlateLabBatchNorm', 'BatchNormalization'];

/** Non-trivial BN: γ ∈ [0.5, 1.5], β, μ ∈ ±0.2, σ² ∈ [0.5, 2] per channel, fixed by `seed`. */
export function randomiseBatchNorm(model: LayersModel, seed: number): void {
  const tf = getTf();
  let k = seed;
  for (const layer of model.layers) {
    if (!bnClasses.includes(layer.getClassName())) continue;
    const c = layer.getWeights()[0].shape[0];
    tf.tidy(() => {
      const u = () => tf.tensor1d(lcgValues(c, k++, 0, 1));
      layer.setWeights([
        tf.add(u(), 0.5),
        tf.mul(tf.sub(u(), 0.5), 0.4),
        tf.mul(tf.sub(u(), 0.5), 0.4),
        tf.add(tf.mul(u(), 1.5), 0.5),
      ]);
    });
  }
}
