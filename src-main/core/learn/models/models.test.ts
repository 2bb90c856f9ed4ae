// Model builders on wasm at tiny sizes: shapes, grouped conv vs a block-diagonal dense reference,
// checkpoint round-trip, learning on a tiny batch, no tensor leaks, and gradients equal to cpu's.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend';
import {
  getTf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor4D,
  type Variable,
} from '../backend/tf';
import { buildModel, withInputSize } from './build-model';
import { customLayers } from './custom-layers';
import type { ModelConfig } from './config';
import { estimateMemory, pickBatchSize } from './memory';
import { lcgValues } from '../../../../test-support/learn/random';

beforeAll(async () => {
  await selectBackend('wasm');
});

const tiny: Record<string, ModelConfig> = {
  'resnet-mini': { arch: 'resnet-mini', inputSize: 16, channels: 6, numClasses: 5, seed: 3 },
  resnet18: {
    arch: 'resnet18',
    inputSize: 16,
    channels: 6,
    numClasses: 5,
    widthMultiplier: 0.25,
    seed: 3,
  },
  resnet34: {
    arch: 'resnet34',
    inputSize: 16,
    channels: 6,
    numClasses: 5,
    widthMultiplier: 0.25,
    seed: 3,
  },
  'se-resnext50': {
    arch: 'se-resnext50',
    inputSize: 16,
    channels: 6,
    numClasses: 5,
    widthMultiplier: 0.25,
    seed: 3,
  },
};

function softmaxLoss(model: LayersModel, x: Tensor, labels: Tensor, extra: Tensor[] = []): Tensor {
  const tf = getTf();
  const logits = model.apply(extra.length ? [x, ...extra] : x, { training: true }) as Tensor;
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

describe('buildModel', () => {
  it.each(Object.keys(tiny))('%s builds with the right output shape', (name) => {
    const tf = getTf();
    const model = buildModel({ ...tiny[name], cellTypeInputs: 4 });
    const out = tf.tidy(
      () => (model.predict([tf.zeros([2, 16, 16, 6]), tf.oneHot([0, 3], 4)]) as Tensor).shape,
    );
    expect(out).toEqual([2, 5]);
    expect(model.inputs.map((i) => i.shape)).toEqual([
      [null, 16, 16, 6],
      [null, 4],
    ]);
    model.dispose();
  });

  it('rejects a bad config with a clear message', () => {
    expect(() =>
      buildModel({ arch: 'resnet18', inputSize: 64, channels: 6, numClasses: 1 }),
    ).toThrow(/numClasses/);
    expect(() =>
      buildModel({ arch: 'vgg' as 'resnet18', inputSize: 64, channels: 6, numClasses: 3 }),
    ).toThrow(/arch must be one of/);
  });
});

describe('GroupedConv2D', () => {
  it.each([1, 2])(
    'matches a dense conv with a block-diagonal kernel, forward and gradient (stride %i)',
    (stride) => {
      const tf = getTf();
      const { GroupedConv2D } = customLayers();
      const [cin, cout, groups, k] = [8, 12, 4, 3];
      const layer = new GroupedConv2D({
        filters: cout,
        kernelSize: k,
        strides: stride,
        groups,
        seed: 1,
      });
      const x = tf.tensor4d(lcgValues(2 * 7 * 7 * cin, 9), [2, 7, 7, cin]);
      layer.apply(x);
      const [w] = layer.getWeights(); // [k, k, cin, cout/groups]
      const gIn = cin / groups;
      const gOut = cout / groups;
      // Dense equivalent: W[a,b,c,o] = w[a,b,c,o mod gOut] when c and o are in the same group, else 0.
      const wv = w.dataSync();
      const dense = new Float32Array(k * k * cin * cout);
      for (let t = 0; t < k * k; t++)
        for (let c = 0; c < cin; c++)
          for (let o = 0; o < cout; o++)
            if (Math.floor(c / gIn) === Math.floor(o / gOut))
              dense[(t * cin + c) * cout + o] = wv[(t * cin + c) * gOut + (o % gOut)];
      const denseW = tf.tensor4d(dense, [k, k, cin, cout]);
      const o = Math.ceil(7 / stride);
      const weights = tf.tensor4d(lcgValues(2 * o * o * cout, 5), [2, o, o, cout]);
      const ours = tf.valueAndGrad((xx: Tensor) =>
        tf.sum(tf.mul(layer.apply(xx) as Tensor, weights)),
      )(x);
      const ref = tf.valueAndGrad((xx: Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xx as Tensor4D, denseW, stride, 'same'), weights)),
      )(x);
      expect(Math.abs(ours.value.dataSync()[0] - ref.value.dataSync()[0])).toBeLessThan(1e-3);
      const dx = Math.max(...Array.from(tf.abs(tf.sub(ours.grad, ref.grad)).dataSync()));
      expect(dx).toBeLessThan(1e-4);
      // Kernel gradient: the grouped kernel's gradient equals the dense kernel gradient's in-group entries.
      const gw = tf
        .grad((kw: Tensor) =>
          tf.sum(tf.mul(tf.conv2d(x, kw as Tensor4D, stride, 'same'), weights)),
        )(denseW)
        .dataSync();
      const kernelVar = layer.trainableWeights[0].read() as Variable;
      const groupedGrad = tf
        .variableGrads(
          () => tf.sum(tf.mul(layer.apply(x) as Tensor, weights)) as Scalar,
          [kernelVar],
        )
        .grads[kernelVar.name].dataSync();
      let err = 0;
      for (let t = 0; t < k * k; t++)
        for (let c = 0; c < cin; c++)
          for (let o = 0; o < gOut; o++)
            err = Math.max(
              err,
              Math.abs(
                groupedGrad[(t * cin + c) * gOut + o] -
                  gw[(t * cin + c) * cout + Math.floor(c / gIn) * gOut + o],
              ),
            );
      expect(err).toBeLessThan(1e-3);
    },
  );
});

describe('withInputSize', () => {
  it('runs the trained weights at another input size', () => {
    const tf = getTf();
    const model = buildModel(tiny['resnet-mini']);
    const big = withInputSize(model, tiny['resnet-mini'], 32);
    expect(big.inputs[0].shape).toEqual([null, 32, 32, 6]);
    const same = model
      .getWeights()
      .every((w, i) => tf.tidy(() => tf.equal(w, big.getWeights()[i]).all().dataSync()[0] === 1));
    expect(same).toBe(true);
    const b = tf.tidy(() => (big.predict(tf.fill([1, 32, 32, 6], 0.3)) as Tensor).dataSync());
    expect(b.length).toBe(5);
    expect(Array.from(b).every(Number.isFinite)).toBe(true);
    model.dispose();
    big.dispose();
  });
});

describe('checkpoints', () => {
  it('round-trip through save/load with the custom layers', async () => {
    const tf = getTf();
    const model = buildModel(tiny['se-resnext50']);
    const x = tf.tensor4d(lcgValues(2 * 16 * 16 * 6, 4), [2, 16, 16, 6]);
    // One training-mode pass moves the BN moving statistics away from their initial values.
    tf.tidy(() => {
      model.apply(x, { training: true });
    });
    let saved: Parameters<typeof tf.io.fromMemory>[0] | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(saved).not.toBeNull();
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory(saved as unknown as Parameters<typeof tf.io.fromMemory>[0]),
    );
    const a = (model.predict(x) as Tensor).dataSync();
    const b = (loaded.predict(x) as Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(JSON.stringify(loaded.toJSON())).toContain('PlateLabGroupedConv2D');
    expect(JSON.stringify(loaded.toJSON())).toContain('PlateLabInputConv2D');
    model.dispose();
    loaded.dispose();
    x.dispose();
  });
});

describe('training on wasm', () => {
  it.each(['resnet-mini', 'se-resnext50'])(
    '%s: SGD lowers the loss on a tiny batch and leaks no tensors',
    (name) => {
      const tf = getTf();
      const model = buildModel({ ...tiny[name], dropout: 0 });
      const x = tf.tensor4d(lcgValues(8 * 16 * 16 * 6, 11), [8, 16, 16, 6]);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5);
      const opt = tf.train.momentum(0.05, 0.9);
      const losses: number[] = [];
      const counts: number[] = [];
      const heap: number[] = [];
      const wasmHeap = () =>
        (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
      for (let i = 0; i < 8; i++) {
        const loss = opt.minimize(() => softmaxLoss(model, x, labels) as Scalar, true);
        losses.push(loss?.dataSync()[0] ?? NaN);
        loss?.dispose();
        counts.push(tf.memory().numTensors);
        heap.push(wasmHeap());
      }
      // The wasm heap must stop growing once warm: XNNPACK operators cached by tensor id inside
      // the module (invisible to numTensors) must be freed with their tensors.
      expect(heap[7]).toBe(heap[3]);
      console.log(`${name} losses: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.7);
      expect(new Set(counts.slice(1)).size).toBe(1);
      opt.dispose();
      model.dispose();
      tf.dispose([x, labels]);
    },
  );

  it('gives the same gradients as the cpu backend (whole ResNet step)', async () => {
    const tf = getTf();
    const model = buildModel({ ...tiny.resnet18, dropout: 0, cellTypeInputs: 2 });
    const xData = lcgValues(4 * 16 * 16 * 6, 21);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xData, [4, 16, 16, 6]);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
        const cell = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
        const { value, grads: g } = tf.variableGrads(
          () => softmaxLoss(model, x, labels, [cell]) as Scalar,
        );
        return [
          value.dataSync()[0],
          ...Object.keys(g)
            .sort()
            .map((k) => Array.from(g[k].dataSync())),
        ] as [number, ...number[][]];
      });
    await tf.setBackend('cpu');
    const [lossCpu, ...cpu] = grads();
    await tf.setBackend('wasm');
    const [lossWasm, ...wasm] = grads();
    expect(Math.abs(lossWasm - lossCpu)).toBeLessThan(1e-4);
    let worst = 0;
    cpu.forEach((g, i) => {
      const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
      g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - wasm[i][j]) / scale)));
    });
    console.log(
      `whole-step gradients: ${cpu.length} tensors, worst error relative to each tensor's max ${worst.toExponential(1)}`,
    );
    expect(worst).toBeLessThan(1e-3);
    model.dispose();
  });
});

describe('memory planning', () => {
  it('estimates grow with batch and crop and the plan fits the wasm heap', () => {
    const cfg: ModelConfig = {
      arch: 'resnet34',
      inputSize: 128,
      channels: 6,
      numClasses: 31,
      widthMultiplier: 0.5,
    };
    const a = estimateMemory(cfg, 16);
    const b = estimateMemory(cfg, 32);
    expect(b.bytes).toBeGreaterThan(a.bytes);
    expect(a.params).toBeGreaterThan(2e6);
    const small = pickBatchSize(cfg, 64);
    expect(small).toMatchObject({ batchSize: 32, accumulationSteps: 1 });
    const big = pickBatchSize(cfg, 640);
    expect(big.batchSize).toBeLessThan(32);
    expect(big.effectiveBatch).toBeGreaterThanOrEqual(32);
    expect(big.estimatedBytes).toBeLessThanOrEqual(3 * 1024 ** 3);
    expect(() => pickBatchSize(cfg, 512, { budgetBytes: 64 * 1024 ** 2 })).toThrow(
      /over the 64 MB budget/,
    );
  });
});
