// Checks both strided Conv2DBackpropInput paths (sub-pixel and col2im) against the cpu backend on
// odd shapes (stride 3, non-square, explicit pads, 1-channel), and that the kernel leaks nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { backend_util } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './register';
import { col2imInputGrad } from './conv2d-backprop-input';
import { phaseAxis, subpixelInputGrad } from './subpixel-input-grad';
import type { BackendWasm } from './heap';
import { lcgValues } from '../../../../../test-support/learn/random';

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

interface Case {
  name: string;
  x: Shape4; // [N,H,W,CI]
  k: [number, number];
  co: number;
  strides: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  {
    name: 'ResNet stem 64² k7 s2 same',
    x: [2, 64, 64, 3],
    k: [7, 7],
    co: 8,
    strides: [2, 2],
    pad: 'same',
  },
  { name: 'stride 3 k3 same', x: [2, 14, 14, 4], k: [3, 3], co: 5, strides: [3, 3], pad: 'same' },
  { name: 'stride 3 k5 valid', x: [2, 17, 17, 3], k: [5, 5], co: 4, strides: [3, 3], pad: 'valid' },
  {
    name: 'stride 3 k2 (a tapless class)',
    x: [1, 12, 12, 3],
    k: [2, 2],
    co: 2,
    strides: [3, 3],
    pad: 'valid',
  },
  {
    name: 'non-square 13×18 k3×5 s2×3',
    x: [2, 13, 18, 3],
    k: [3, 5],
    co: 6,
    strides: [2, 3],
    pad: 'same',
  },
  {
    name: 'non-square k1×3 s3×2 valid',
    x: [2, 11, 10, 5],
    k: [1, 3],
    co: 4,
    strides: [3, 2],
    pad: 'valid',
  },
  {
    name: 'explicit pads k3 s2',
    x: [2, 9, 10, 3],
    k: [3, 3],
    co: 4,
    strides: [2, 2],
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
  { name: 'numeric pad 3 k7 s2', x: [1, 20, 20, 2], k: [7, 7], co: 3, strides: [2, 2], pad: 3 },
  { name: 'one input channel', x: [2, 10, 10, 1], k: [3, 3], co: 4, strides: [2, 2], pad: 'same' },
  { name: 'one output channel', x: [2, 10, 10, 3], k: [3, 3], co: 1, strides: [2, 2], pad: 'same' },
  {
    name: 'kernel larger than stride² input',
    x: [1, 3, 3, 2],
    k: [5, 5],
    co: 2,
    strides: [2, 2],
    pad: 'same',
  },
];

describe('strided Conv2DBackpropInput paths match the cpu backend', () => {
  it.each(cases)('$name', async ({ x, k, co, strides, pad }) => {
    const wShape: Shape4 = [k[0], k[1], x[3], co];
    const conv = backend_util.computeConv2DInfo(
      x,
      wShape,
      strides,
      1,
      pad,
      undefined,
      false,
      'channelsLast',
    );
    const dyShape = [x[0], conv.outHeight, conv.outWidth, co];
    const dyData = lcgValues(
      dyShape.reduce((a, b) => a * b),
      11 + x[1],
    );
    const wData = lcgValues(
      wShape.reduce((a, b) => a * b),
      17 + k[0],
    );

    await tf.setBackend('cpu');
    const want = tf.tidy(
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor(dyData, dyShape), filter: tf.tensor4d(wData, wShape) },
            { strides, pad, dataFormat: 'NHWC', inputShape: x },
          ) as tf.Tensor,
    );
    const wantData = want.dataSync() as Float32Array;
    want.dispose();

    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as BackendWasm;
    const dy = tf.tensor(dyData, dyShape);
    const w = tf.tensor4d(wData, wShape);
    const ids = backend.numDataIds();
    let scale = 0;
    for (const v of wantData) scale = Math.max(scale, Math.abs(v));
    expect(scale).toBeGreaterThan(0.1);
    for (const path of [subpixelInputGrad, col2imInputGrad]) {
      const out = path(backend, dy, w, conv);
      expect(out.shape).toEqual(x);
      const got = backend.typedArrayFromHeap(out) as Float32Array;
      let err = 0;
      for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - wantData[i]));
      backend.disposeData(out.dataId);
      expect(err, `${path.name}`).toBeLessThan(1e-5 * Math.max(1, scale) * 10);
    }
    expect(backend.numDataIds()).toBe(ids);
    dy.dispose();
    w.dispose();
  });

  it('splits one axis into classes whose taps and pads follow the derivation', () => {
    // k3 s2 pad-top 0 over 16 rows, dy 8 rows: even rows use taps 0,2; odd rows tap 1.
    expect(phaseAxis(0, 2, 3, 0, 16, 8)).toEqual({
      count: 8,
      first: 0,
      taps: 2,
      padBefore: 1,
      padAfter: 0,
      skip: 0,
    });
    expect(phaseAxis(1, 2, 3, 0, 16, 8)).toMatchObject({ count: 8, first: 1, taps: 1, skip: 0 });
    // 1×1 stride 2: odd rows have no taps (zero gradient).
    expect(phaseAxis(1, 2, 1, 0, 16, 8).taps).toBe(0);
    // k7 s2 pad-top 3: t = 3 → taps 1,3,5 and a negative leading pad turned into skipped rows.
    const a = phaseAxis(0, 2, 7, 3, 64, 32);
    expect(a).toMatchObject({ first: 1, taps: 3, padBefore: 1, skip: 0 });
    const b = phaseAxis(1, 2, 7, 3, 64, 32);
    expect(b).toMatchObject({ first: 0, taps: 4, padBefore: 1, skip: 0 });
    const c = phaseAxis(0, 3, 3, 0, 9, 3);
    expect(c).toMatchObject({ count: 3, first: 0, taps: 1, padBefore: 0 });
    const d = phaseAxis(2, 3, 3, 5, 20, 8);
    expect(d.skip).toBeGreaterThan(0);
  });
});

describe('Conv2DBackpropInput (wasm) leaks nothing', () => {
  it('keeps numTensors and numDataIds flat over repeated gradients on both paths', async () => {
    await tf.setBackend('wasm');
    // 16² → dy 8² takes the sub-pixel path, 6² → dy 3² the col2im path.
    for (const size of [16, 6]) {
      const x = tf.tensor4d(lcgValues(2 * size * size * 4, size), [2, size, size, 4]);
      const w = tf.variable(tf.tensor4d(lcgValues(3 * 3 * 4 * 6, 3), [3, 3, 4, 6]));
      const step = () =>
        tf.tidy(() => {
          const g = tf.grads((a: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, w as unknown as tf.Tensor4D, 2, 'same')
              .square()
              .sum(),
          )([x]);
          return g[0].sum();
        });
      step().dispose();
      const tensors = tf.memory().numTensors;
      const ids = tf.backend().numDataIds();
      let total = 0;
      for (let i = 0; i < 4; i++) {
        const s = step();
        total += s.dataSync()[0];
        s.dispose();
      }
      expect(Number.isFinite(total)).toBe(true);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(ids);
      x.dispose();
      w.dispose();
    }
  });
});
