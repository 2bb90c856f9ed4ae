// Validation after each epoch: the stream's validation batches (the evaluation plan prediction uses
// too) through the model in eval mode, scored with hard targets.
import type { TrainConfig } from '../../../../src-shared/contract';
import { getTf, type LayersModel, type Tensor } from '../backend/tf';
import type { TrainStream } from '../data/train-stream';
import { lossFromLogits, smoothedOneHot } from './loss';
import { batchInputs } from './step';
import { yieldToEventLoop } from './yield';

/**
 * Mean loss and accuracy over one epoch's `total` validation samples, read from `stream` up to the
 * batch marked last; null when there are none. Throws when the stream is out of order.
 */
export async function evaluateSamples(
  model: LayersModel,
  stream: TrainStream,
  config: TrainConfig,
  numClasses: number,
  numCellTypes: number,
  total: number,
): Promise<{ loss: number; accuracy: number } | null> {
  const tf = getTf();
  if (total === 0) return null;
  let lossSum = 0;
  let correct = 0;
  for (;;) {
    const item = await stream.next();
    if (item.kind !== 'val')
      throw new Error('training data stream is out of order (expected validation)');
    const b = item.batch;
    const inputs = batchInputs(b, 0, b.n, numCellTypes);
    const [l, pred] = tf.tidy(() => {
      const logits = model.apply(inputs.length === 1 ? inputs[0]! : inputs, {
        training: false,
      }) as Tensor;
      const t = smoothedOneHot(b.y, numClasses, 0);
      return [lossFromLogits(config.loss, logits, t), tf.argMax(logits, -1)];
    });
    lossSum += (await l!.data())[0]! * b.n;
    const p = await pred!.data();
    for (let i = 0; i < b.n; i++) if (p[i] === b.y[i]) correct++;
    tf.dispose([l!, pred!, ...inputs]);
    await yieldToEventLoop();
    if (item.last) break;
  }
  return { loss: lossSum / total, accuracy: correct / total };
}
