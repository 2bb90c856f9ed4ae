// foldedPredictor against model.predict on the wasm backend: same output after training steps or
// with random BN statistics, one fused conv per conv → BN pair, no BN kernels left, no leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend';
import {
  getTf,
  type LayersModel,
  type Scalar,
  type SymbolicTensor,
  type Tensor,
} from '../backend/tf';
import { buildModel } from './build-model';
import type { ModelConfig } from './config';
import { FEATURES_LAYER, foldedPredictor } from './folded-inference';
import { bnClasses, randomiseBatchNorm } from '../../../../test-support/learn/batch-norm';
import { lcgValues } from '../../../../test-support/learn/random';

beforeAll(async () => {
  await selectBackend('wasm');
});

const convClasses = ['Conv2D', 'PlateLabInputConv2D'];

/** Conv → BN pairs counted from the layer graph, independently of the predictor's own walk. */
function convBnPairs(model: LayersModel): number {
  return model.layers.filter(
    (l) =>
      bnClasses.includes(l.getClassName()) &&
      convClasses.includes(l.inboundNodes[0].inboundLayers[0].getClassName()),
  ).length;
}

/** A few SGD steps in training mode: BN moving statistics and every weight move. */
function train(model: LayersModel, inputs: Tensor[], numClasses: number, steps: number): void {
  const tf = getTf();
  const optimizer = tf.train.sgd(0.05);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), numClasses);
  for (let i = 0; i < steps; i++)
    optimizer.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          model.apply(inputs, { training: true }) as Tensor,
        ) as Scalar,
    );
  labels.dispose();
  optimizer.dispose();
}

function kernelCounts(f: () => Tensor): Promise<Map<string, number>> {
  const tf = getTf();
  return tf
    .profile(() => {
      f().dispose();
    })
    .then((info) => {
      const counts = new Map<string, number>();
      for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
      return counts;
    });
}

const base = { inputSize: 32, channels: 6, numClasses: 5, seed: 11 } as const;
const cases: { name: string; config: ModelConfig; prepare: 'train' | 'random' }[] = [
  {
    name: 'resnet-mini, after training steps',
    config: { ...base, arch: 'resnet-mini', widthMultiplier: 0.5 },
    prepare: 'train',
  },
  {
    name: 'resnet-mini with Keras BatchNormalization',
    config: { ...base, arch: 'resnet-mini', widthMultiplier: 0.5, batchNorm: 'keras' },
    prepare: 'random',
  },
  {
    name: 'resnet18 with the cell-type input and dropout',
    config: { ...base, arch: 'resnet18', widthMultiplier: 0.25, cellTypeInputs: 4, dropout: 0.5 },
    prepare: 'random',
  },
  {
    name: 'se-resnext50',
    config: { ...base, arch: 'se-resnext50', widthMultiplier: 0.25 },
    prepare: 'random',
  },
];

describe('foldedPredictor', () => {
  it.each(cases)('$name: matches model.predict', async ({ name, config, prepare }) => {
    const tf = getTf();
    const model = buildModel(config);
    const n = 4;
    const s = config.inputSize;
    const inputs: Tensor[] = [tf.tensor4d(lcgValues(n * s * s * 6, 5, 0, 1), [n, s, s, 6])];
    if (config.cellTypeInputs)
      inputs.push(tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), config.cellTypeInputs));
    if (prepare === 'train') train(model, inputs, config.numClasses, 2);
    else randomiseBatchNorm(model, 100);

    const folded = foldedPredictor(model);
    const pairs = convBnPairs(model);
    expect(pairs).toBeGreaterThan(0);
    expect(folded.folded).toBe(pairs);

    const want = model.predict(inputs) as Tensor;
    const got = folded.predict(inputs);
    expect(got.shape).toEqual(want.shape);
    const scale = tf.max(tf.abs(want)).dataSync()[0];
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
    console.log(
      `${name}: ${folded.folded} folded (${folded.fusedRelu} with ReLU), max |diff| ${diff.toExponential(2)}, ` +
        `output scale ${scale.toFixed(3)}, relative ${(diff / scale).toExponential(2)}`,
    );
    expect(scale).toBeGreaterThan(1e-3);
    expect(diff / scale).toBeLessThan(1e-4);
    got.dispose();

    // Every folded pair is one FusedConv2D, and no batch-norm kernel runs for them.
    const bnLeft = model.layers.filter((l) => bnClasses.includes(l.getClassName())).length - pairs;
    const kernels = await kernelCounts(() => folded.predict(inputs));
    expect(kernels.get('FusedConv2D') ?? 0).toBe(folded.folded);
    if (config.batchNorm !== 'keras') expect(kernels.get('FusedBatchNorm') ?? 0).toBe(bnLeft);

    // Nothing made per call survives it; dispose() frees exactly the folded weights.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) folded.predict(inputs).dispose();
    expect(tf.memory().numTensors).toBe(before);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before - 2 * folded.folded);
    expect(() => folded.predict(inputs)).toThrow(/after dispose/);
    tf.dispose([want, ...inputs]);
    model.dispose();
  });

  it.each(cases)(
    "$name: predictWithFeatures gives the plain model's pooled features from the same pass",
    ({ config }) => {
      const tf = getTf();
      const model = buildModel(config);
      randomiseBatchNorm(model, 21);
      const n = 3;
      const s = config.inputSize;
      const inputs: Tensor[] = [tf.tensor4d(lcgValues(n * s * s * 6, 9, 0, 1), [n, s, s, 6])];
      if (config.cellTypeInputs)
        inputs.push(tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), config.cellTypeInputs));
      // The plain (unfolded) model cut at the pooling layer: image in, pooled features out.
      const pooled = model.getLayer(FEATURES_LAYER).output as SymbolicTensor;
      const plain = tf.model({ inputs: model.inputs[0]!, outputs: pooled });
      const folded = foldedPredictor(model);
      expect(folded.featureDims).toBe(pooled.shape[1]);
      const before = tf.memory().numTensors;
      const { output, features } = folded.predictWithFeatures(inputs);
      expect(tf.memory().numTensors).toBe(before + 2);
      const wantF = plain.predict(inputs[0]!) as Tensor;
      const wantOut = folded.predict(inputs);
      expect(features.shape).toEqual([n, folded.featureDims]);
      const rel = (a: Tensor, b: Tensor) =>
        tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!;
      expect(tf.max(tf.abs(wantF)).dataSync()[0]).toBeGreaterThan(1e-3);
      expect(rel(features, wantF)).toBeLessThan(1e-4);
      expect(rel(output, wantOut)).toBeLessThan(1e-6);
      tf.dispose([output, features, wantF, wantOut, ...inputs]);
      folded.dispose();
      model.dispose();
    },
  );

  it('folds the tf.layers.conv2d stem as well as the input conv, and fuses the ReLU after BN', () => {
    const tf = getTf();
    const config: ModelConfig = { ...base, arch: 'resnet-mini', widthMultiplier: 0.5 };
    const a = buildModel(config, { stemConv: 'layers' });
    const b = buildModel(config, { stemConv: 'input' });
    randomiseBatchNorm(a, 7);
    b.setWeights(a.getWeights());
    const fa = foldedPredictor(a);
    const fb = foldedPredictor(b);
    // resnet-mini: stem + 2 convs × 4 blocks + 3 projection shortcuts; ReLU after the stem and
    // after each block's first conv (the others feed an add).
    expect([fa.folded, fb.folded]).toEqual([12, 12]);
    expect([fa.fusedRelu, fb.fusedRelu]).toEqual([5, 5]);
    const x = tf.tensor4d(lcgValues(2 * 32 * 32 * 6, 3, 0, 1), [2, 32, 32, 6]);
    const ya = fa.predict(x);
    const yb = fb.predict(x);
    const ref = a.predict(x) as Tensor;
    const scale = tf.max(tf.abs(ref)).dataSync()[0];
    expect(tf.max(tf.abs(tf.sub(ya, ref))).dataSync()[0] / scale).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(yb, ref))).dataSync()[0] / scale).toBeLessThan(1e-4);
    tf.dispose([x, ya, yb, ref]);
    fa.dispose();
    fb.dispose();
  });

  it('rejects the wrong number of inputs with the model name', () => {
    const tf = getTf();
    const model = buildModel({
      ...base,
      arch: 'resnet-mini',
      widthMultiplier: 0.5,
      cellTypeInputs: 3,
    });
    const folded = foldedPredictor(model);
    const x = tf.zeros([1, 32, 32, 6]);
    expect(() => folded.predict(x)).toThrow(/resnet_mini.*takes 2 inputs/);
    x.dispose();
    folded.dispose();
  });
});
