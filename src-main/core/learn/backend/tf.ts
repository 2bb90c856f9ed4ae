// The single door to TensorFlow.js for all of PlateLab. selectBackend() may swap in the tfjs
// instance that @tensorflow/tfjs-node(-gpu) brings (it can carry its own tfjs-core copy), so code
// reads `tf` (a live proxy) or getTf() at call time instead of importing @tensorflow/tfjs itself.
import * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;
export type {
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Rank,
  Scalar,
  LayersModel,
  SymbolicTensor,
  Variable,
  NamedTensorMap,
  TensorContainer,
} from '@tensorflow/tfjs';

let current: Tf = tfjs;
let generation = 0;

/** The tfjs instance in use (the bundled one until selectBackend picks tfjs-node). */
export function getTf(): Tf {
  return current;
}

/** Bumped each time the instance changes; caches keyed on the instance (custom layer classes) use it. */
export function tfGeneration(): number {
  return generation;
}

/** Installs another tfjs instance (the namespace exported by @tensorflow/tfjs-node or -gpu). */
export function setTf(instance: Tf): void {
  if (instance !== current) {
    current = instance;
    generation++;
  }
}

/** The bundled instance, for the wasm/webgpu/cpu backends that register into it. */
export function bundledTf(): Tf {
  return tfjs;
}

/** Live view of the current instance: `tf.tensor(...)` always reaches the selected one. */
export const tf: Tf = new Proxy(Object.create(null) as Tf, {
  get(_target, key) {
    return Reflect.get(current, key);
  },
  has(_target, key) {
    return Reflect.has(current, key);
  },
});
