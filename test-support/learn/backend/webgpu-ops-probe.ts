// Child-process probe for webgpu.test.ts: PlateLab's own layers and ops (training batch norm,
// PlateLabBatchNorm's moving statistics, GroupedConv2D, InputConv2D) on WebGPU against the cpu
// backend, the kernels they run there, and the tensors left behind. Prints one JSON line.
import { batchNormTrain } from '../../../src-main/core/learn/backend/ops/batch-norm-train';
import { customLayers } from '../../../src-main/core/learn/models/custom-layers';
import { lcgValues } from '../random';
import {
  describeSelection,
  selectBackend,
} from '../../../src-main/core/learn/backend/select-backend';
import {
  getTf,
  type Scalar,
  type Tensor,
  type Variable,
} from '../../../src-main/core/learn/backend/tf';

const sel = await selectBackend('webgpu');
const tf = getTf();
// Everything is made on cpu: tfjs moves cpu data to WebGPU, but moving WebGPU data back needs a
// synchronous read, which WebGPU in Node does not have.
await tf.setBackend('cpu');
const { BatchNorm, GroupedConv2D, InputConv2D } = customLayers();

const bn = new BatchNorm({ momentum: 0.9, epsilon: 1e-3 });
const grouped = new GroupedConv2D({ filters: 12, kernelSize: 3, strides: 2, groups: 4, seed: 1 });
const stem = new InputConv2D({ filters: 8, kernelSize: 5, strides: 2, seed: 2 });
const x = tf.tensor4d(lcgValues(4 * 9 * 9 * 8, 3), [4, 9, 9, 8]);
const image = tf.tensor4d(lcgValues(4 * 9 * 9 * 6, 4, 0, 1), [4, 9, 9, 6]);
bn.apply(x, { training: false });
grouped.apply(x);
stem.apply(image);
const gamma = tf.variable(tf.tensor1d(lcgValues(8, 5, 0.5, 1.5)));
const beta = tf.variable(tf.tensor1d(lcgValues(8, 6, -0.2, 0.2)));

/** A fixed random projection, so every output element carries its own gradient. */
function project(y: Tensor, seed: number): Scalar {
  return tf.sum(tf.mul(y, tf.tensor(lcgValues(y.size, seed), y.shape)));
}

/** The gradient of a layer's projected output with respect to its kernel. */
function kernelGrad(layer: typeof grouped, input: Tensor, seed: number): Tensor {
  const kernel = layer.trainableWeights[0]!.read() as Variable;
  const { value, grads } = tf.variableGrads(
    () => project(layer.apply(input) as Tensor, seed),
    [kernel],
  );
  value.dispose();
  return grads[kernel.name]!;
}

type Outputs = Record<string, Float32Array>;

/** Every compared value on the current backend. */
async function compute(): Promise<Outputs> {
  const out: Record<string, Tensor> = {};
  // The op: output, batch statistics, and gradients for x, gamma and beta.
  const { value, grads } = tf.variableGrads(() => {
    const y = batchNormTrain(x, gamma, beta, 1e-3, (mean, variance) => {
      out.bnMean = tf.keep(mean.clone());
      out.bnVariance = tf.keep(variance.clone());
    });
    out.bnY = tf.keep(y.clone());
    return project(y, 7);
  }, [gamma, beta]);
  out.bnGamma = grads[gamma.name]!;
  out.bnBeta = grads[beta.name]!;
  out.bnDx = tf.grad((xx: Tensor) => project(batchNormTrain(xx, gamma, beta, 1e-3), 7))(x);
  value.dispose();
  // The layer in training mode: its moving statistics after one update from their start values.
  tf.tidy(() => {
    bn.setWeights([gamma, beta, tf.zerosLike(gamma), tf.onesLike(gamma)]);
    bn.apply(x, { training: true });
  });
  const [, , movingMean, movingVariance] = bn.getWeights();
  out.bnMovingMean = movingMean!.clone();
  out.bnMovingVariance = movingVariance!.clone();
  // Grouped conv: output, input gradient, kernel gradient.
  out.groupedY = grouped.apply(x) as Tensor;
  out.groupedDx = tf.grad((xx: Tensor) => project(grouped.apply(xx) as Tensor, 8))(x);
  out.groupedDk = kernelGrad(grouped, x, 8);
  // Stem conv: output and kernel gradient.
  out.stemY = stem.apply(image) as Tensor;
  out.stemDk = kernelGrad(stem, image, 9);
  const values: Outputs = {};
  for (const [k, t] of Object.entries(out)) values[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(out));
  return values;
}

/** Largest |a − b| relative to the largest |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / Math.max(s, 1e-30);
}

const cpu = await compute();
await tf.setBackend('webgpu');
await compute(); // warm-up: pipelines and tfjs' own caches
const before = tf.memory().numTensors;
const gpu = await compute();
const after = tf.memory().numTensors;
const profile = await tf.profile(() => {
  tf.tidy(() => {
    project(batchNormTrain(x, gamma, beta, 1e-3), 7);
    project(grouped.apply(x) as Tensor, 8);
  });
});
console.log(
  JSON.stringify({
    line: describeSelection(sel)[0],
    rel: Object.fromEntries(Object.keys(cpu).map((k) => [k, relDiff(gpu[k]!, cpu[k]!)])),
    sizes: Object.fromEntries(Object.keys(cpu).map((k) => [k, cpu[k]!.length])),
    kernels: [...new Set(profile.kernels.map((k) => k.name))],
    platelabKernelsOnWebgpu: tf
      .getKernelsForBackend('webgpu')
      .map((k) => k.kernelName)
      .filter((n) => n.startsWith('PlateLab')),
    tensors: { before, after },
  }),
);
