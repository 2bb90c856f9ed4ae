// Training-mode batch norm (channel-last) with a hand-written gradient: on wasm it runs as our two
// heap kernels, elsewhere as a handful of tf ops (still far fewer than tfjs' moments + batchNorm).
import type { GradSaveFunc } from '@tensorflow/tfjs-core';
import { getTf, type Tensor } from '../tf';
import { BN_TRAIN_BACKWARD, BN_TRAIN_FORWARD } from '../wasm-kernels/batch-norm';

export type BatchStatsCallback = (mean: Tensor, variance: Tensor) => void;

function useWasmKernels(): boolean {
  const tf = getTf();
  return tf.getBackend() === 'wasm' && tf.getKernel(BN_TRAIN_FORWARD, 'wasm') !== undefined;
}

/**
 * Normalises x with its own batch statistics. `onStats` sees the batch mean and (biased) variance
 * synchronously, inside the op, so the caller can update moving averages there.
 */
export function batchNormTrain(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
  onStats?: BatchStatsCallback,
): Tensor {
  const tf = getTf();
  const channels = x.shape[x.shape.length - 1];
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const kernels = useWasmKernels();
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xs, gs, bs] = args as Tensor[];
    const save = args[3] as GradSaveFunc;
    let y: Tensor;
    let mean: Tensor;
    let variance: Tensor;
    if (kernels) {
      [y, mean, variance] = tf
        .engine()
        .runKernel(BN_TRAIN_FORWARD, { x: xs, gamma: gs, beta: bs }, { epsilon }) as Tensor[];
    } else {
      ({ mean, variance } = tf.moments(xs, axes));
      y = tf.batchNorm(xs, mean, variance, bs, gs, epsilon);
    }
    onStats?.(mean, variance);
    save([xs, mean, variance, gs]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sm, sv, sg] = saved;
        if (kernels)
          return tf
            .engine()
            .runKernel(
              BN_TRAIN_BACKWARD,
              { x: sx, dy, mean: sm, variance: sv, gamma: sg },
              { epsilon },
            ) as Tensor[];
        const n = sx.size / channels;
        const invStd = tf.rsqrt(tf.add(sv, epsilon));
        const xc = tf.sub(sx, sm);
        const sumDy = tf.sum(dy, axes);
        const sumDyXc = tf.sum(tf.mul(dy, xc), axes);
        const a = tf.mul(sg, invStd);
        const b = tf.div(tf.mul(tf.mul(a, tf.square(invStd)), sumDyXc), -n);
        const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, b)), tf.div(tf.mul(a, sumDy), -n));
        return [dx, tf.mul(sumDyXc, invStd), sumDy];
      },
    };
  });
  return op(x, gamma, beta);
}
