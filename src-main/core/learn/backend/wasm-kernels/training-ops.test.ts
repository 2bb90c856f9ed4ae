// The wasm batch-norm and max-pool-gradient kernels against the cpu backend and tfjs' own
// autodiff: values, gradients, moving statistics, and no leaked handles.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './register';
import { batchNormTrain } from '../ops/batch-norm-train';
import { lcgValues } from '../../../../../test-support/learn/random';

function maxErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

beforeAll(() => {
  registerWasmTrainingKernels();
});

const shape: [number, number, number, number] = [3, 5, 6, 7];
const xData = lcgValues(3 * 5 * 6 * 7, 1, -1.5, 2.5);
const gData = lcgValues(7, 2, 0.5, 1.5);
const bData = lcgValues(7, 3);
const wData = lcgValues(3 * 5 * 6 * 7, 4);

/** Loss = Σ w·BN(x); returns [loss, dx, dgamma, dbeta] flattened. */
function bnGrads(useOurs: boolean): Float32Array[] {
  return tf.tidy(() => {
    const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const y = useOurs
        ? batchNormTrain(x, g, b, 1e-5)
        : (() => {
            const { mean, variance } = tf.moments(x, [0, 1, 2]);
            return tf.batchNorm(x, mean, variance, b, g, 1e-5);
          })();
      return tf.sum(tf.mul(y, tf.tensor(wData, shape)));
    };
    const { value, grads } = tf.valueAndGrads(f)([
      tf.tensor(xData, shape),
      tf.tensor(gData),
      tf.tensor(bData),
    ]);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('batchNormTrain', () => {
  it('matches tfjs autodiff of moments + batchNorm on cpu and wasm', async () => {
    await tf.setBackend('cpu');
    const reference = bnGrads(false);
    const composite = bnGrads(true);
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const kernels = bnGrads(true);
    expect(tf.backend().numDataIds()).toBe(ids);
    const names = ['loss', 'dx', 'dgamma', 'dbeta'];
    reference.forEach((ref, i) => {
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      const eComp = maxErr(composite[i], ref);
      const eKern = maxErr(kernels[i], ref);
      console.log(
        `batchNorm ${names[i]}: composite err ${eComp.toExponential(1)}, wasm kernel err ${eKern.toExponential(1)} (scale ${scale.toFixed(1)})`,
      );
      expect(eComp).toBeLessThan(1e-4 * scale);
      expect(eKern).toBeLessThan(1e-4 * scale);
    });
    expect(Math.abs(reference[2][0])).toBeGreaterThan(1e-3);
  });

  it('reports the batch statistics for moving averages', async () => {
    await tf.setBackend('wasm');
    const stats = tf.tidy(() => {
      let got: Float32Array[] = [];
      batchNormTrain(tf.tensor(xData, shape), tf.tensor(gData), tf.tensor(bData), 1e-5, (m, v) => {
        got = [m.dataSync() as Float32Array, v.dataSync() as Float32Array];
      });
      const { mean, variance } = tf.moments(tf.tensor(xData, shape), [0, 1, 2]);
      return [...got, mean.dataSync() as Float32Array, variance.dataSync() as Float32Array];
    });
    expect(maxErr(stats[0], stats[2])).toBeLessThan(1e-5);
    expect(maxErr(stats[1], stats[3])).toBeLessThan(1e-4);
  });
});

describe('wasm MaxPoolGrad', () => {
  it.each([
    [3, 2, 'same'],
    [2, 2, 'valid'],
    [3, 1, 'same'],
  ] as [number, number, 'same' | 'valid'][])(
    'pool %i stride %i %s matches cpu',
    async (size, stride, pad) => {
      const s: [number, number, number, number] = [2, 9, 8, 5];
      const data = lcgValues(2 * 9 * 8 * 5, 7 + size);
      const run = () =>
        tf.tidy(
          () =>
            tf
              .grad((x: tf.Tensor) =>
                tf.sum(tf.square(tf.maxPool(x as tf.Tensor4D, size, stride, pad))),
              )(tf.tensor(data, s))
              .dataSync() as Float32Array,
        );
      await tf.setBackend('cpu');
      const want = run();
      await tf.setBackend('wasm');
      const ids = tf.backend().numDataIds();
      const got = run();
      expect(tf.backend().numDataIds()).toBe(ids);
      const err = maxErr(got, want);
      console.log(`maxPool ${size} s${stride} ${pad}: dx err ${err.toExponential(1)}`);
      expect(err).toBeLessThan(1e-5);
      expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(0.1);
    },
  );
});
