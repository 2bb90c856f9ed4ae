// Training-mode batch norm as two wasm kernels (JS loops over the heap, channel-last). tfjs does
// batch norm in training as ~40 full-size broadcast ops per layer (moments, a Tile, many muls);
// these do the forward in 2 passes and the backward in 2.
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { f32, type BackendWasm } from './heap';

export const BN_TRAIN_FORWARD = 'PlateLabBatchNormTrain';
export const BN_TRAIN_BACKWARD = 'PlateLabBatchNormTrainGrad';

/** y = (x-mean)/sqrt(var+eps)·gamma + beta over all but the last axis; outputs [y, mean, variance]. */
function forward(args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, gamma, beta } = args.inputs;
  if (!x || !gamma || !beta) throw new Error(`${BN_TRAIN_FORWARD}: missing x, gamma or beta`);
  const eps = Number(args.attrs?.epsilon ?? 1e-3);
  const c = x.shape[x.shape.length - 1];
  const y = backend.makeOutput(x.shape, 'float32');
  const meanOut = backend.makeOutput([c], 'float32');
  const varOut = backend.makeOutput([c], 'float32');
  const xv = f32(backend, x);
  const yv = f32(backend, y);
  const g = f32(backend, gamma);
  const b = f32(backend, beta);
  const total = xv.length;
  const count = total / c;
  // One pass for both moments (float64 accumulators keep E[x²] − mean² accurate for activations).
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < total; i += c) {
    for (let k = 0; k < c; k++) {
      const v = xv[i + k];
      sum[k] += v;
      sq[k] += v * v;
    }
  }
  const mean = new Float32Array(c);
  for (let k = 0; k < c; k++) mean[k] = sum[k] / count;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  const variance = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    variance[k] = Math.max(0, sq[k] / count - (sum[k] / count) ** 2);
    scale[k] = g[k] / Math.sqrt(variance[k] + eps);
    shift[k] = b[k] - mean[k] * scale[k];
  }
  for (let i = 0; i < total; i += c)
    for (let k = 0; k < c; k++) yv[i + k] = xv[i + k] * scale[k] + shift[k];
  f32(backend, meanOut).set(mean);
  f32(backend, varOut).set(variance);
  return [y, meanOut, varOut];
}

/** Gradients [dx, dgamma, dbeta] of the forward above given dy, x and the batch statistics. */
function backward(args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { x, dy, mean, variance, gamma } = args.inputs;
  if (!x || !dy || !mean || !variance || !gamma)
    throw new Error(`${BN_TRAIN_BACKWARD}: missing an input`);
  const eps = Number(args.attrs?.epsilon ?? 1e-3);
  const c = x.shape[x.shape.length - 1];
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgOut = backend.makeOutput([c], 'float32');
  const dbOut = backend.makeOutput([c], 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const dxv = f32(backend, dx);
  const m = f32(backend, mean);
  const v = f32(backend, variance);
  const g = f32(backend, gamma);
  const total = xv.length;
  const count = total / c;
  const sumDy = new Float64Array(c);
  const sumDyXc = new Float64Array(c);
  for (let i = 0; i < total; i += c) {
    for (let k = 0; k < c; k++) {
      const d = dyv[i + k];
      sumDy[k] += d;
      sumDyXc[k] += d * (xv[i + k] - m[k]);
    }
  }
  const invStd = new Float32Array(c);
  const a = new Float32Array(c); // dx = a·dy + b·(x - mean) + cst
  const bcoef = new Float32Array(c);
  const cst = new Float32Array(c);
  const dgamma = new Float32Array(c);
  const dbeta = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    invStd[k] = 1 / Math.sqrt(v[k] + eps);
    dbeta[k] = sumDy[k];
    dgamma[k] = sumDyXc[k] * invStd[k];
    a[k] = g[k] * invStd[k];
    bcoef[k] = (-a[k] * invStd[k] * invStd[k] * sumDyXc[k]) / count;
    cst[k] = (-a[k] * sumDy[k]) / count - bcoef[k] * m[k];
  }
  for (let i = 0; i < total; i += c)
    for (let k = 0; k < c; k++) dxv[i + k] = a[k] * dyv[i + k] + bcoef[k] * xv[i + k] + cst[k];
  f32(backend, dgOut).set(dgamma);
  f32(backend, dbOut).set(dbeta);
  return [dx, dgOut, dbOut];
}

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BN_TRAIN_FORWARD,
  backendName: 'wasm',
  kernelFunc: forward as unknown as KernelConfig['kernelFunc'],
};

export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BN_TRAIN_BACKWARD,
  backendName: 'wasm',
  kernelFunc: backward as unknown as KernelConfig['kernelFunc'],
};
