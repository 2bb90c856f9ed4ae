// Child-process probe for webgpu.test.ts: one model (PROBE_MODEL = JSON ModelConfig) on the WebGPU
// backend against the cpu backend in the same process: inference logits (model.predict and the
// folded predictor), the loss and every weight gradient (batch norm in inference mode, with random
// moving statistics); tensors left after each pass.
// Prints one JSON line. Values are read with data() (WebGPU in Node has no synchronous read).
// By hand: PROBE_BACKEND=wasm compares wasm instead, PROBE_TRAINING=1 takes the gradients with
// training-mode batch norm (ill-conditioned at tiny sizes on every backend: see webgpu.test.ts).
import { buildModel } from '../../../src-main/core/learn/models/build-model';
import type { ModelConfig } from '../../../src-main/core/learn/models/config';
import { foldedPredictor } from '../../../src-main/core/learn/models/folded-inference';
import { randomiseBatchNorm } from '../batch-norm';
import { lcgValues } from '../random';
import {
  describeSelection,
  selectBackend,
} from '../../../src-main/core/learn/backend/select-backend';
import { getTf, type Scalar, type Tensor } from '../../../src-main/core/learn/backend/tf';

const config = JSON.parse(process.env.PROBE_MODEL ?? '') as ModelConfig;
const batch = Number(process.env.PROBE_BATCH ?? 2);
const training = process.env.PROBE_TRAINING === '1';
const t0 = performance.now();
const backendName = process.env.PROBE_BACKEND === 'wasm' ? 'wasm' : 'webgpu';
const sel = await selectBackend(backendName);
const tf = getTf();
// Built on cpu: tfjs moves cpu data to the other backend, but moving WebGPU data back needs a
// synchronous read, which WebGPU in Node does not have.
await tf.setBackend('cpu');
const model = buildModel({ ...config, dropout: 0 });
const s = config.inputSize;
// Samples of clearly different brightness (sample k scaled by 1 + 3k), so they are not alike.
const perSample = s * s * config.channels;
const xData = lcgValues(batch * perSample, 21, 0, 1).map(
  (v, i) => v * (1 + 3 * Math.floor(i / perSample)),
);
const labelIds = Array.from({ length: batch }, (_, i) => i % config.numClasses);
const cellIds = Array.from({ length: batch }, (_, i) => i % (config.cellTypeInputs ?? 1));

function inputs(): Tensor[] {
  const x = tf.tensor4d(xData, [batch, s, s, config.channels]);
  if (!config.cellTypeInputs) return [x];
  const depth = config.cellTypeInputs;
  return [x, tf.tidy(() => tf.oneHot(tf.tensor1d(cellIds, 'int32'), depth))];
}

interface Pass {
  logits: Float32Array;
  folded: Float32Array;
  loss: number;
  grads: Float32Array[];
  ms: { forward: number; grads: number };
}

let names: string[] = [];

/** Everything compared, computed on the current backend; leaves no tensors behind. */
async function pass(): Promise<Pass> {
  // The same batch-norm statistics for each pass (a training pass moves the moving averages).
  randomiseBatchNorm(model, 100);
  const xs = inputs();
  const a = performance.now();
  const logitsT = model.predict(xs) as Tensor;
  const logits = (await logitsT.data()) as Float32Array;
  const forward = performance.now() - a;
  const net = foldedPredictor(model);
  const foldedT = net.predict(xs);
  const folded = (await foldedT.data()) as Float32Array;
  net.dispose();
  const b = performance.now();
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(labelIds, 'int32'), config.numClasses));
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy(
        labels,
        model.apply(xs.length === 1 ? xs[0]! : xs, { training }) as Tensor,
      ) as Scalar,
  );
  names = Object.keys(grads).sort();
  const values = await Promise.all(names.map((n) => grads[n]!.data() as Promise<Float32Array>));
  const loss = (await value.data())[0]!;
  const gradMs = performance.now() - b;
  tf.dispose([logitsT, foldedT, labels, value, ...Object.values(grads), ...xs]);
  return { logits, folded, loss, grads: values, ms: { forward, grads: gradMs } };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Largest |a − b|; that divided by the largest |b| (the reference's scale); and the relative
 * L2 error ‖a − b‖ / ‖b‖.
 */
function diff(a: Float32Array, b: Float32Array): { abs: number; rel: number; l2: number } {
  let abs = 0;
  let scale = 0;
  let d2 = 0;
  let b2 = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i]! - b[i]!;
    abs = Math.max(abs, Math.abs(d));
    scale = Math.max(scale, Math.abs(b[i]!));
    d2 += d * d;
    b2 += b[i]! * b[i]!;
  }
  const tiny = 1e-30;
  return { abs, rel: abs / Math.max(scale, tiny), l2: Math.sqrt(d2 / Math.max(b2, tiny)) };
}

const cpuBefore = tf.memory().numTensors;
const cpu = await pass();
const cpuAfter = tf.memory().numTensors;
await tf.setBackend(backendName);
const before = tf.memory().numTensors;
const gpu = await pass();
const after = tf.memory().numTensors;
const grads = gpu.grads.map((g, i) => diff(g, cpu.grads[i]!));
console.log(
  JSON.stringify({
    line: describeSelection(sel)[0],
    params: model.countParams(),
    logits: diff(gpu.logits, cpu.logits),
    folded: diff(gpu.folded, cpu.logits),
    logitScale: maxAbs(cpu.logits),
    loss: { cpu: cpu.loss, webgpu: gpu.loss },
    gradTensors: grads.length,
    gradAbs: Math.max(...grads.map((g) => g.abs)),
    gradRel: Math.max(...grads.map((g) => g.rel)),
    gradL2: Math.max(...grads.map((g) => g.l2)),
    worst: names[grads.findIndex((g) => g.rel === Math.max(...grads.map((h) => h.rel)))],
    zeroGrads: cpu.grads.filter((g) => g.every((v) => v === 0)).length,
    tensors: { before, after, cpuBefore, cpuAfter },
    pipelines: Object.keys(
      (tf.backend() as unknown as { pipelineCache?: object }).pipelineCache ?? {},
    ).length,
    ms: { total: performance.now() - t0, cpu: cpu.ms, webgpu: gpu.ms },
  }),
);
