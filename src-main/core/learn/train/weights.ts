// Reads and writes all of a model's weights (trainable and batch-norm statistics) as plain arrays,
// matched by order and checked by shape. Reads are asynchronous (WebGPU in Node has no sync read).
import type { LayersModel } from '../backend/tf';
import { getTf } from '../backend/tf';
import type { TensorBlob } from './checkpoint';

/** Every weight's shape and values (a copy), in model.weights order. */
export async function modelWeights(model: LayersModel): Promise<TensorBlob[]> {
  return Promise.all(
    model.weights.map(async (w) => {
      const t = w.read();
      return { shape: [...t.shape], values: Float32Array.from((await t.data()) as Float32Array) };
    }),
  );
}

export function setModelWeights(model: LayersModel, blobs: TensorBlob[], source: string): void {
  const tf = getTf();
  const ws = model.weights;
  if (ws.length !== blobs.length)
    throw new Error(`${source}: has ${blobs.length} weight tensors, the model needs ${ws.length}`);
  ws.forEach((w, i) => {
    const b = blobs[i]!;
    if (b.shape.join('x') !== w.shape.join('x'))
      throw new Error(
        `${source}: weight ${i} (${w.name}) has shape ${b.shape.join('x')}, model needs ${w.shape.join('x')}`,
      );
  });
  const tensors = blobs.map((b) => tf.tensor(b.values, b.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}
