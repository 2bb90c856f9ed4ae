// One optimisation step: the batch is split into micro-batches when memory needs it, gradients are
// accumulated (weighted by micro-batch size) and applied once; mixup happens inside each micro-batch.
// Every tensor made here is released before returning (tests check numTensors stays flat).
import type { LayersModel, Tensor, Variable } from '../backend/tf';
import { getTf } from '../backend/tf';
import type { Batch } from '../../imaging/pipeline/types';
import { countCorrect, lossFromLogits, smoothedOneHot, type LossKind } from './loss';
import { withSeededRandom, type SeededRng } from '../../util/rng';
import type { Optimizer } from './optimizer';

export interface StepContext {
  model: LayersModel;
  optimizer: Optimizer;
  loss: LossKind;
  numClasses: number;
  /** 0 = no cell-type input. */
  numCellTypes: number;
  labelSmoothing: number;
  /** Beta(α, α) parameter; 0 = off. */
  mixup: number;
  microBatch: number;
}

export interface StepResult {
  loss: number;
  correct: number;
  n: number;
}

/** Builds the model inputs (image, and the cell-type one-hot when the model takes it) for rows [from, to). */
export function batchInputs(
  batch: Batch,
  from: number,
  to: number,
  numCellTypes: number,
): Tensor[] {
  const tf = getTf();
  const s = batch.cropSize;
  const per = s * s * 6;
  const x = tf.tensor4d(batch.x.subarray(from * per, to * per), [to - from, s, s, 6]);
  if (numCellTypes <= 0) return [x];
  const ct = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(batch.cellType.slice(from, to), 'int32'), numCellTypes).toFloat(),
  );
  return [x, ct];
}

export async function trainStep(
  ctx: StepContext,
  batch: Batch,
  lr: number,
  rng: SeededRng,
): Promise<StepResult> {
  const tf = getTf();
  const vars = ctx.optimizer.vars;
  let acc: Tensor[] | null = null;
  let lossSum = 0;
  let correct = 0;
  for (let from = 0; from < batch.n; from += ctx.microBatch) {
    const to = Math.min(batch.n, from + ctx.microBatch);
    const m = to - from;
    const labels = batch.y.slice(from, to);
    const lam = ctx.mixup > 0 ? rng.beta(ctx.mixup) : 1;
    const perm = Int32Array.from(rng.shuffle(Array.from({ length: m }, (_, i) => i)));
    const dropoutSeed = Math.floor(rng.next() * 2 ** 31);
    const inputs = batchInputs(batch, from, to, ctx.numCellTypes);
    const targets = tf.tidy(() => {
      const t = smoothedOneHot(labels, ctx.numClasses, ctx.labelSmoothing);
      if (lam === 1) return t;
      return tf.add(tf.mul(t, lam), tf.mul(tf.gather(t, tf.tensor1d(perm, 'int32')), 1 - lam));
    });
    const mixed =
      lam === 1
        ? inputs
        : tf.tidy(() => {
            const x = inputs[0]!;
            const xm = tf.add(
              tf.mul(x, lam),
              tf.mul(tf.gather(x, tf.tensor1d(perm, 'int32')), 1 - lam),
            );
            return [xm, ...inputs.slice(1)];
          });
    let logitsKept: Tensor | null = null;
    const { value, grads } = withSeededRandom(dropoutSeed, () =>
      tf.variableGrads(() => {
        const logits = ctx.model.apply(mixed.length === 1 ? mixed[0]! : mixed, {
          training: true,
        }) as Tensor;
        logitsKept = tf.keep(logits);
        return lossFromLogits(ctx.loss, logits, targets) as ReturnType<typeof tf.scalar>;
      }, vars as Variable[]),
    );
    // data(), not dataSync(): the WebGPU backend in Node cannot read synchronously.
    lossSum += (await value.data())[0]! * m;
    correct += await countCorrect(logitsKept!, labels);
    const w = m / batch.n;
    const gradList = vars.map((v) => grads[v.name]!);
    const scaled = tf.tidy(() =>
      gradList.map((g, i) => (acc ? tf.add(acc[i]!, tf.mul(g, w)) : tf.mul(g, w))),
    );
    if (acc) tf.dispose(acc);
    acc = scaled;
    tf.dispose([value, logitsKept!, targets, ...gradList, ...inputs]);
    if (mixed !== inputs) tf.dispose(mixed);
  }
  ctx.optimizer.apply(acc!, lr);
  tf.dispose(acc!);
  return { loss: lossSum / batch.n, correct, n: batch.n };
}
