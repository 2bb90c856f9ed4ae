// The stem's PlateLabInputConv2D against the tf.layers.conv2d stem it replaces: same kernel and
// output, same model weights (order, shape, values), same training gradients, and no
// Conv2DBackpropInput for the image in a wasm training step.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend';
import {
  getTf,
  type LayersModel,
  type Scalar,
  type SymbolicTensor,
  type Tensor,
  type Variable,
} from '../backend/tf';
import { modelWeights, setModelWeights } from '../train/weights';
import { buildModel } from './build-model';
import type { ModelConfig } from './config';
import { customLayers } from './custom-layers';
import { lcgValues } from '../../../../test-support/learn/random';

beforeAll(async () => {
  await selectBackend('wasm');
});

const base = { inputSize: 16, channels: 6, numClasses: 5, seed: 3, dropout: 0 } as const;
const tiny: Record<string, ModelConfig> = {
  'resnet-mini': { ...base, arch: 'resnet-mini', widthMultiplier: 0.5 },
  resnet18: { ...base, arch: 'resnet18', widthMultiplier: 0.25 },
  resnet34: { ...base, arch: 'resnet34', widthMultiplier: 0.25 },
  'se-resnext50': { ...base, arch: 'se-resnext50', widthMultiplier: 0.25 },
};

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const tf = getTf();
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Loss and gradients of one training step, gradients in model.trainableWeights order. */
function step(
  model: LayersModel,
  x: Tensor,
  labels: Tensor,
): { loss: number; grads: Float32Array[] } {
  const tf = getTf();
  return tf.tidy(() => {
    const vars = model.trainableWeights.map((w) => w.read() as Variable);
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          model.apply(x, { training: true }) as Tensor,
        ) as Scalar,
      vars,
    );
    return {
      loss: value.dataSync()[0],
      grads: vars.map((v) => grads[v.name].dataSync() as Float32Array),
    };
  });
}

describe('InputConv2D', () => {
  it.each([
    [7, 2],
    [5, 2],
    [3, 1],
  ])('matches tf.layers.conv2d with the same seed (kernel %i, stride %i)', (k, strides) => {
    const tf = getTf();
    const { InputConv2D } = customLayers();
    const args = { filters: 8, kernelSize: k, strides };
    const ours = new InputConv2D({ ...args, name: 'stem_conv', seed: 17 });
    const ref = tf.layers.conv2d({
      ...args,
      name: 'stem_conv',
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: 17 }),
    });
    // Odd size: 'same' padding with stride 2 pads unevenly, the case most likely to differ.
    const input = tf.input({ shape: [9, 9, 6] });
    const symOurs = ours.apply(input) as SymbolicTensor;
    const symRef = ref.apply(input) as SymbolicTensor;
    expect(symOurs.shape).toEqual(symRef.shape);
    const [kOurs] = ours.getWeights();
    const [kRef] = ref.getWeights();
    expect(kOurs.shape).toEqual([k, k, 6, 8]);
    expect(kOurs.shape).toEqual(kRef.shape);
    expect(maxAbsDiff(kOurs, kRef)).toBe(0);
    expect(ours.trainableWeights.map((w) => w.originalName)).toEqual(
      ref.trainableWeights.map((w) => w.originalName),
    );
    const x = tf.tensor4d(lcgValues(3 * 9 * 9 * 6, 5), [3, 9, 9, 6]);
    const yOurs = ours.apply(x) as Tensor;
    const yRef = ref.apply(x) as Tensor;
    expect(yOurs.shape).toEqual(yRef.shape);
    expect(yOurs.shape.slice(1)).toEqual(symOurs.shape.slice(1));
    const diff = maxAbsDiff(yOurs, yRef);
    console.log(`InputConv2D k${k} s${strides}: forward max abs diff ${diff.toExponential(1)}`);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, yOurs, yRef]);
    ours.dispose();
    ref.dispose();
  });
});

describe('stem convolution', () => {
  it.each(Object.keys(tiny))(
    '%s: same weights (order, names, shapes, values) as the tf.layers.conv2d stem',
    async (name) => {
      const model = buildModel(tiny[name]);
      const old = buildModel(tiny[name], { stemConv: 'layers' });
      const classes = (m: LayersModel) => m.layers.map((l) => l.getClassName());
      expect(classes(model).filter((c) => c === 'PlateLabInputConv2D')).toHaveLength(1);
      expect(classes(old)).not.toContain('PlateLabInputConv2D');
      const describeWeights = (m: LayersModel) =>
        m.weights.map((w) => `${w.originalName} ${w.shape.join('x')}`);
      expect(describeWeights(model)).toEqual(describeWeights(old));
      const ours = await modelWeights(model);
      const ref = await modelWeights(old);
      const differ = ours.flatMap((w, i) =>
        w.values.every((v, j) => v === ref[i].values[j]) ? [] : [model.weights[i].originalName],
      );
      // Every kernel is seeded (the SE dense layers too), so two seeded builds are identical.
      expect(differ).toEqual([]);
      model.dispose();
      old.dispose();
    },
  );

  it('loads a checkpoint written by the tf.layers.conv2d stem and predicts the same', async () => {
    const tf = getTf();
    const cfg = { ...tiny['resnet-mini'], seed: 11 };
    const old = buildModel(cfg, { stemConv: 'layers' });
    const model = buildModel({ ...cfg, seed: 12 });
    const x = tf.tensor4d(lcgValues(2 * 16 * 16 * 6, 8), [2, 16, 16, 6]);
    tf.tidy(() => {
      old.apply(x, { training: true }); // moves the BN statistics off their initial values
    });
    setModelWeights(model, await modelWeights(old), 'old checkpoint');
    const a = old.predict(x) as Tensor;
    const b = model.predict(x) as Tensor;
    const diff = maxAbsDiff(a, b);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    old.dispose();
    model.dispose();
  });

  it.each(['resnet18', 'resnet-mini'])(
    '%s: a training step gives the same loss and gradients as the tf.layers.conv2d stem',
    async (name) => {
      const tf = getTf();
      const model = buildModel(tiny[name]);
      const old = buildModel(tiny[name], { stemConv: 'layers' });
      // Random weights in both (zero-gamma BNs would otherwise block most of the gradients).
      const weights = (await modelWeights(old)).map((w, i) => ({
        shape: w.shape,
        values: model.weights[i].originalName.includes('moving')
          ? w.values
          : lcgValues(w.values.length, 100 + i).map((v) => v * 0.5),
      }));
      setModelWeights(model, weights, 'random weights');
      setModelWeights(old, weights, 'random weights');
      const x = tf.tensor4d(lcgValues(4 * 16 * 16 * 6, 21), [4, 16, 16, 6]);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
      const ours = step(model, x, labels);
      const ref = step(old, x, labels);
      expect(ours.grads).toHaveLength(model.trainableWeights.length);
      expect(Math.abs(ours.loss - ref.loss)).toBeLessThan(1e-5);
      let worst = 0;
      let zero = 0;
      ref.grads.forEach((g, i) => {
        if (g.every((v) => v === 0)) zero++;
        const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
        g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ours.grads[i][j]) / scale)));
      });
      console.log(
        `${name}: ${ref.grads.length} gradients, worst error relative to each tensor's max ${worst.toExponential(1)}`,
      );
      expect(worst).toBeLessThan(1e-4);
      expect(zero).toBe(0);
      tf.dispose([x, labels]);
      model.dispose();
      old.dispose();
    },
  );

  it('a wasm training step runs no Conv2DBackpropInput for the image', async () => {
    const tf = getTf();
    expect(tf.getBackend()).toBe('wasm');
    const image = [2, 16, 16, 6];
    const stemKernel = [5, 5, 6, 16]; // resnet-mini at width 0.5
    const x = tf.tensor4d(lcgValues(2 * 16 * 16 * 6, 2), image as [number, number, number, number]);
    const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 5);
    const profileStep = async (model: LayersModel) => {
      const info = await tf.profile(() => {
        step(model, x, labels);
      });
      const same = (a: number[] | null | undefined, b: number[]) => a?.join('x') === b.join('x');
      return {
        imageGrads: info.kernels.filter(
          (k) => k.name === 'Conv2DBackpropInput' && same(k.outputShapes[0], image),
        ).length,
        stemKernelGrads: info.kernels.filter(
          (k) => k.name === 'Conv2DBackpropFilter' && same(k.outputShapes[0], stemKernel),
        ).length,
      };
    };
    const model = buildModel(tiny['resnet-mini']);
    const old = buildModel(tiny['resnet-mini'], { stemConv: 'layers' });
    const ours = await profileStep(model);
    const ref = await profileStep(old);
    // The old stem does compute the image's gradient (so this check can fail), ours does not.
    expect(ref.imageGrads).toBe(1);
    expect(ours.imageGrads).toBe(0);
    // The stem's kernel still gets its gradient.
    expect(ours.stemKernelGrads).toBe(1);
    expect(ref.stemKernelGrads).toBe(1);
    tf.dispose([x, labels]);
    model.dispose();
    old.dispose();
  });
});
