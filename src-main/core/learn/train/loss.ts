// Targets and losses: one-hot with label smoothing, mixup of inputs and targets, and the two losses
// (softmax cross-entropy, or the seed's BCE: sigmoid cross-entropy averaged over batch and classes
// as PyTorch's BCEWithLogitsLoss does).
import type { Tensor } from '../backend/tf';
import { getTf } from '../backend/tf';

export type LossKind = 'bce' | 'softmax';

export function smoothedOneHot(labels: Int32Array, numClasses: number, smoothing: number): Tensor {
  const tf = getTf();
  return tf.tidy(() => {
    const oh = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat();
    return smoothing > 0 ? tf.add(tf.mul(oh, 1 - smoothing), smoothing / numClasses) : oh;
  });
}

export function lossFromLogits(kind: LossKind, logits: Tensor, targets: Tensor): Tensor {
  const tf = getTf();
  return tf.tidy(() => {
    if (kind === 'softmax')
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1)));
    // max(z,0) − z·t + log(1 + e^−|z|): the numerically stable sigmoid cross-entropy.
    const z = logits;
    const l = tf.add(tf.sub(tf.relu(z), tf.mul(z, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.mean(l);
  });
}

/** Class probabilities from logits: softmax, or normalised sigmoids for BCE-trained models. */
export function probabilities(kind: LossKind, logits: Tensor): Tensor {
  const tf = getTf();
  return tf.tidy(() => {
    if (kind === 'softmax') return tf.softmax(logits);
    const s = tf.sigmoid(logits);
    return tf.div(s, tf.sum(s, -1, true));
  });
}

/**
 * Number of rows whose argmax equals the label. Reads asynchronously: a WebGPU backend in Node
 * has no synchronous read-back.
 */
export async function countCorrect(logits: Tensor, labels: Int32Array): Promise<number> {
  const tf = getTf();
  const pred = tf.tidy(() => tf.argMax(logits, -1));
  const p = await pred.data();
  pred.dispose();
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) ok++;
  return ok;
}
