// Checks the wasm training kernels against the cpu backend on random data (all conv shapes a
// ResNet uses, plus depthwise), and that they leave no tensor handles behind.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './register';
import { lcgValues } from '../../../../../test-support/learn/random';

type Pad = 'same' | 'valid';

async function onBackend(name: string, run: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const t = run();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Max abs error and the reference's largest magnitude. */
function compare(got: Float32Array, want: Float32Array): { err: number; scale: number } {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return { err, scale };
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

const cases: [number, number, number, Pad][] = [];
for (const size of [15, 16])
  for (const k of [1, 3, 7])
    for (const s of [1, 2]) for (const p of ['same', 'valid'] as Pad[]) cases.push([size, k, s, p]);

describe('wasm Conv2D backprop kernels match the cpu backend', () => {
  it.each(cases)('size %i kernel %i stride %i pad %s', async (size, k, stride, pad) => {
    const [n, ci, co] = [3, 5, 7];
    const xData = lcgValues(n * size * size * ci, size * 31 + k);
    const wData = lcgValues(k * k * ci * co, k * 7 + stride);
    const outSize = pad === 'same' ? Math.ceil(size / stride) : Math.ceil((size - k + 1) / stride);
    const dyData = lcgValues(n * outSize * outSize * co, 99 + size);
    const xShape: [number, number, number, number] = [n, size, size, ci];
    const wShape: [number, number, number, number] = [k, k, ci, co];
    const dyShape = [n, outSize, outSize, co];
    const dW = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(xData, xShape), dy: tf.tensor(dyData, dyShape) },
          { strides: stride, pad, dataFormat: 'NHWC', filterShape: wShape },
        ) as tf.Tensor;
    const dX = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dyData, dyShape), filter: tf.tensor4d(wData, wShape) },
          { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape },
        ) as tf.Tensor;
    const wantW = await onBackend('cpu', () => tf.tidy(dW));
    const wantX = await onBackend('cpu', () => tf.tidy(dX));
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const gotW = await onBackend('wasm', () => tf.tidy(dW));
    const gotX = await onBackend('wasm', () => tf.tidy(dX));
    expect(tf.backend().numDataIds()).toBe(ids);
    const w = compare(gotW, wantW);
    const x = compare(gotX, wantX);
    console.log(
      `conv ${size}² k${k} s${stride} ${pad}: dW err ${w.err.toExponential(1)} (scale ${w.scale.toFixed(1)}), dX err ${x.err.toExponential(1)} (scale ${x.scale.toFixed(1)})`,
    );
    expect(w.scale).toBeGreaterThan(0.1);
    expect(w.err).toBeLessThan(1e-5 * Math.max(1, w.scale) * 10);
    expect(x.err).toBeLessThan(1e-5 * Math.max(1, x.scale) * 10);
  });

  it('handles several image groups in the strided input gradient', async () => {
    // 24 images of 48² with 64 channels give col matrices larger than one 2 MB group.
    const [n, size, ci, co, k] = [24, 48, 16, 8, 3];
    const xShape: [number, number, number, number] = [n, size, size, ci];
    const wData = lcgValues(k * k * ci * co, 5);
    const dyData = lcgValues(n * 24 * 24 * co, 6);
    const dX = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dyData, [n, 24, 24, co]), filter: tf.tensor4d(wData, [k, k, ci, co]) },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: xShape },
        ) as tf.Tensor;
    const want = await onBackend('cpu', () => tf.tidy(dX));
    const got = await onBackend('wasm', () => tf.tidy(dX));
    const { err, scale } = compare(got, want);
    expect(err).toBeLessThan(1e-4 * Math.max(1, scale));
  });
});

describe('wasm depthwise backprop kernels match the cpu backend', () => {
  it.each([
    [9, 3, 1, 'same', 1],
    [10, 3, 2, 'same', 2],
    [11, 5, 2, 'valid', 1],
  ] as [number, number, number, Pad, number][])(
    'size %i kernel %i stride %i pad %s multiplier %i',
    async (size, k, stride, pad, mul) => {
      const [n, c] = [2, 4];
      const xShape: [number, number, number, number] = [n, size, size, c];
      const wShape: [number, number, number, number] = [k, k, c, mul];
      const xData = lcgValues(n * size * size * c, 3);
      const wData = lcgValues(k * k * c * mul, 4);
      const loss = (x: tf.Tensor, w: tf.Tensor) =>
        tf
          .depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)
          .square()
          .sum();
      const grads = () => {
        const [gx, gw] = tf.grads(loss)([tf.tensor4d(xData, xShape), tf.tensor4d(wData, wShape)]);
        return tf.concat([gx.flatten(), gw.flatten()]);
      };
      const want = await onBackend('cpu', () => tf.tidy(grads));
      await tf.setBackend('wasm');
      const ids = tf.backend().numDataIds();
      const got = await onBackend('wasm', () => tf.tidy(grads));
      expect(tf.backend().numDataIds()).toBe(ids);
      const { err, scale } = compare(got, want);
      console.log(
        `depthwise ${size}² k${k} s${stride} ${pad} ×${mul}: err ${err.toExponential(1)} (scale ${scale.toFixed(1)})`,
      );
      expect(scale).toBeGreaterThan(0.1);
      expect(err).toBeLessThan(1e-4 * Math.max(1, scale));
    },
  );
});
