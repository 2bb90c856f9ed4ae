// Training divergence: a NaN/Inf loss or weights stop the run with a user error that says so and
// suggests a lower learning rate; callers check before every checkpoint so the last good one stays.
import { inputError, type PlateLabError } from '../../errors';
import type { TensorBlob } from './checkpoint';

/**
 * The error for a diverged run (INVALID_INPUT: the config needs changing, not the code).
 * `what` says what went non-finite, e.g. "loss became NaN".
 */
export function divergedError(
  what: string,
  at: { epoch: number; step: number; lr: number },
): PlateLabError {
  return inputError(
    `training diverged: ${what} at epoch ${at.epoch + 1}, step ${at.step} (learning rate ${at.lr.toPrecision(3)}); lower the learning rate (e.g. --set learningRate=${(at.lr / 10).toPrecision(2)}) and start again or resume from the last checkpoint, which was kept`,
    { epoch: at.epoch, step: at.step, learningRate: at.lr },
  );
}

/** How many weight values are NaN or ±Inf across the blobs. */
export function countNonFiniteWeights(blobs: readonly TensorBlob[]): number {
  let bad = 0;
  for (const b of blobs) for (const v of b.values) if (!Number.isFinite(v)) bad++;
  return bad;
}
