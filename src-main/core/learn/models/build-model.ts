// buildModel(config): ResNet-18/34, SE-ResNeXt-50 (32×4d) and a small fast residual net for CPU
// runs, channel-last, with an optional one-hot cell-type input joined to the pooled features.
import { getTf, type LayersModel, type SymbolicTensor } from '../backend/tf';
import {
  basicBlock,
  batchNorm,
  inputConv,
  makeContext,
  relu,
  seResnextBlock,
  type BlockContext,
  type StemConv,
} from './blocks';
import { scaledWidth, validateModelConfig, type ModelConfig } from './config';

interface ResnetSpec {
  stemKernel: number;
  stemFilters: number;
  stemPool: boolean;
  blocks: number[];
  widths: number[];
}

const resnetSpecs: Record<'resnet18' | 'resnet34' | 'resnet-mini', ResnetSpec> = {
  resnet18: {
    stemKernel: 7,
    stemFilters: 64,
    stemPool: true,
    blocks: [2, 2, 2, 2],
    widths: [64, 128, 256, 512],
  },
  resnet34: {
    stemKernel: 7,
    stemFilters: 64,
    stemPool: true,
    blocks: [3, 4, 6, 3],
    widths: [64, 128, 256, 512],
  },
  // One basic block per stage at half width and a 5×5 stem: about 1/8 of ResNet-18's work.
  'resnet-mini': {
    stemKernel: 5,
    stemFilters: 32,
    stemPool: true,
    blocks: [1, 1, 1, 1],
    widths: [32, 64, 128, 256],
  },
};

function stem(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  kernel: number,
  pool: boolean,
): SymbolicTensor {
  const tf = getTf();
  let y = relu(ctx, batchNorm(ctx, inputConv(ctx, x, filters, kernel, 2)));
  if (pool)
    y = tf.layers
      .maxPooling2d({ name: ctx.name('pool'), poolSize: 3, strides: 2, padding: 'same' })
      .apply(y) as SymbolicTensor;
  return y;
}

function resnetBody(
  ctx: BlockContext,
  x: SymbolicTensor,
  spec: ResnetSpec,
  wm: number,
): SymbolicTensor {
  let y = stem(ctx, x, scaledWidth(spec.stemFilters, wm), spec.stemKernel, spec.stemPool);
  spec.blocks.forEach((count, stage) => {
    for (let i = 0; i < count; i++)
      y = basicBlock(ctx, y, scaledWidth(spec.widths[stage], wm), i === 0 && stage > 0 ? 2 : 1);
  });
  return y;
}

function seResnextBody(ctx: BlockContext, x: SymbolicTensor, wm: number): SymbolicTensor {
  const groups = 32;
  let y = stem(ctx, x, scaledWidth(64, wm), 7, true);
  const blocks = [3, 4, 6, 3];
  blocks.forEach((count, stage) => {
    // 32×4d: grouped width 128·2^stage, block output 256·2^stage; widths stay whole groups.
    const width = scaledWidth(128 * 2 ** stage, wm, groups);
    const out = scaledWidth(256 * 2 ** stage, wm);
    for (let i = 0; i < count; i++)
      y = seResnextBlock(ctx, y, width, out, groups, i === 0 && stage > 0 ? 2 : 1);
  });
  return y;
}

export interface BuildOptions {
  /** 'layers' builds the stem with tf.layers.conv2d as before, for comparisons (see StemConv). */
  stemConv?: StemConv;
}

/** Builds an uncompiled model: inputs [image] or [image, cellTypeOneHot]; output logits (or softmax). */
export function buildModel(config: ModelConfig, options: BuildOptions = {}): LayersModel {
  validateModelConfig(config);
  const tf = getTf();
  const ctx = makeContext(config.seed, config.batchNorm ?? 'fused', options.stemConv ?? 'input');
  const wm = config.widthMultiplier ?? 1;
  const image = tf.input({
    name: 'image',
    shape: [config.inputSize, config.inputSize, config.channels],
  });
  const body =
    config.arch === 'se-resnext50'
      ? seResnextBody(ctx, image, wm)
      : resnetBody(ctx, image, resnetSpecs[config.arch], wm);
  let features = tf.layers
    .globalAveragePooling2d({ name: 'pool_features' })
    .apply(body) as SymbolicTensor;
  const inputs: SymbolicTensor[] = [image];
  if (config.cellTypeInputs) {
    const cellType = tf.input({ name: 'cell_type', shape: [config.cellTypeInputs] });
    inputs.push(cellType);
    features = tf.layers
      .concatenate({ name: 'features_with_cell_type' })
      .apply([features, cellType]) as SymbolicTensor;
  }
  const dropout = config.dropout ?? 0.5;
  if (dropout > 0)
    features = tf.layers
      .dropout({ name: 'head_dropout', rate: dropout, seed: ctx.seed() })
      .apply(features) as SymbolicTensor;
  const logits = tf.layers
    .dense({
      name: 'head',
      units: config.numClasses,
      activation: config.outputActivation ?? 'linear',
      kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed() }),
    })
    .apply(features) as SymbolicTensor;
  return tf.model({ name: config.arch.replace(/-/g, '_'), inputs, outputs: logits });
}

/**
 * The same network at another input size with the trained weights copied (every layer is
 * size-independent: convs, BN, global pooling), e.g. train on 64 px crops, predict on 128 px sites.
 */
export function withInputSize(
  model: LayersModel,
  config: ModelConfig,
  inputSize: number,
): LayersModel {
  if (inputSize === config.inputSize) return model;
  const resized = buildModel({ ...config, inputSize });
  resized.setWeights(model.getWeights());
  return resized;
}
