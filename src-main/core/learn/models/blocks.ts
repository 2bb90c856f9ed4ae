// Building blocks shared by the architectures: conv+BN(+ReLU), basic and SE-ResNeXt bottleneck
// residual blocks, all through the tfjs layers API of the selected tf instance.
import { getTf, type SymbolicTensor } from '../backend/tf';
import { customLayers } from './custom-layers';

/**
 * How the stem convolves the image: 'input' (default) is PlateLabInputConv2D, which skips the
 * image's gradient; 'layers' is tf.layers.conv2d as before (same weights and output), kept so
 * tests and benchmarks can compare the two.
 */
export type StemConv = 'input' | 'layers';

export interface BlockContext {
  /** Unique layer names: prefix + running counter. */
  name(kind: string): string;
  seed(): number | undefined;
  batchNorm: 'fused' | 'keras';
  stemConv: StemConv;
}

export function makeContext(
  seed: number | undefined,
  batchNorm: 'fused' | 'keras' = 'fused',
  stemConv: StemConv = 'input',
): BlockContext {
  const counts = new Map<string, number>();
  let s = seed;
  return {
    batchNorm,
    stemConv,
    name(kind) {
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      return `${kind}_${n}`;
    },
    seed() {
      if (s === undefined) return undefined;
      s = (s * 1103515245 + 12345) % 2147483647;
      return s;
    },
  };
}

function apply(
  layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown },
  x: SymbolicTensor | SymbolicTensor[],
): SymbolicTensor {
  return layer.apply(x) as SymbolicTensor;
}

/** BatchNorm with PyTorch-like settings (momentum 0.9 in Keras terms, eps 1e-5), fused training path. */
export function batchNorm(ctx: BlockContext, x: SymbolicTensor, zeroGamma = false): SymbolicTensor {
  if (ctx.batchNorm === 'keras') {
    const tf = getTf();
    return apply(
      tf.layers.batchNormalization({
        name: ctx.name('bn'),
        momentum: 0.9,
        epsilon: 1e-5,
        gammaInitializer: zeroGamma ? 'zeros' : 'ones',
      }),
      x,
    );
  }
  const { BatchNorm } = customLayers();
  return apply(new BatchNorm({ name: ctx.name('bn'), momentum: 0.9, epsilon: 1e-5, zeroGamma }), x);
}

export function relu(ctx: BlockContext, x: SymbolicTensor): SymbolicTensor {
  return apply(getTf().layers.reLU({ name: ctx.name('relu') }), x);
}

export function conv(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides = 1,
): SymbolicTensor {
  const tf = getTf();
  return apply(
    tf.layers.conv2d({
      name: ctx.name('conv'),
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed() }),
    }),
    x,
  );
}

/**
 * The first convolution, applied to the image: the same layer name, weights, seed use and output
 * as conv(), but no gradient for the image (see InputConv2D).
 */
export function inputConv(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides = 1,
): SymbolicTensor {
  if (ctx.stemConv === 'layers') return conv(ctx, x, filters, kernelSize, strides);
  const { InputConv2D } = customLayers();
  return apply(
    new InputConv2D({ name: ctx.name('conv'), filters, kernelSize, strides, seed: ctx.seed() }),
    x,
  );
}

export function convBnRelu(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides = 1,
): SymbolicTensor {
  return relu(ctx, batchNorm(ctx, conv(ctx, x, filters, kernelSize, strides)));
}

function channelsOf(x: SymbolicTensor): number {
  const c = x.shape[x.shape.length - 1];
  if (c == null) throw new Error('model builder: unknown channel count');
  return c;
}

function shortcut(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  strides: number,
): SymbolicTensor {
  if (strides === 1 && channelsOf(x) === filters) return x;
  return batchNorm(ctx, conv(ctx, x, filters, 1, strides));
}

/** ResNet basic block: 3×3 → 3×3, identity or 1×1 projection shortcut. */
export function basicBlock(
  ctx: BlockContext,
  x: SymbolicTensor,
  filters: number,
  strides: number,
): SymbolicTensor {
  const tf = getTf();
  const y = batchNorm(ctx, conv(ctx, convBnRelu(ctx, x, filters, 3, strides), filters, 3), true);
  const sum = apply(tf.layers.add({ name: ctx.name('add') }), [
    y,
    shortcut(ctx, x, filters, strides),
  ]);
  return relu(ctx, sum);
}

/** Squeeze-and-excitation: channel weights from pooled features, multiplied back in. */
export function squeezeExcite(
  ctx: BlockContext,
  x: SymbolicTensor,
  reduction: number,
): SymbolicTensor {
  const tf = getTf();
  const c = channelsOf(x);
  let s = apply(tf.layers.globalAveragePooling2d({ name: ctx.name('se_pool') }), x);
  s = apply(tf.layers.reshape({ name: ctx.name('se_reshape'), targetShape: [1, 1, c] }), s);
  s = apply(
    tf.layers.dense({
      name: ctx.name('se_fc'),
      units: Math.max(8, Math.round(c / reduction)),
      activation: 'relu',
      // Seeded like every other kernel, so a seeded SE-ResNeXt build is reproducible.
      kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed() }),
    }),
    s,
  );
  s = apply(
    tf.layers.dense({
      name: ctx.name('se_gate'),
      units: c,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed() }),
    }),
    s,
  );
  return apply(tf.layers.multiply({ name: ctx.name('se_scale') }), [x, s]);
}

/** SE-ResNeXt bottleneck: 1×1 → grouped 3×3 (stride here) → 1×1, SE, residual. */
export function seResnextBlock(
  ctx: BlockContext,
  x: SymbolicTensor,
  width: number,
  outFilters: number,
  groups: number,
  strides: number,
): SymbolicTensor {
  const tf = getTf();
  const { GroupedConv2D } = customLayers();
  let y = convBnRelu(ctx, x, width, 1);
  y = apply(
    new GroupedConv2D({
      name: ctx.name('gconv'),
      filters: width,
      kernelSize: 3,
      strides,
      groups,
      seed: ctx.seed(),
    }),
    y,
  );
  y = relu(ctx, batchNorm(ctx, y));
  y = batchNorm(ctx, conv(ctx, y, outFilters, 1), true);
  y = squeezeExcite(ctx, y, 16);
  const sum = apply(tf.layers.add({ name: ctx.name('add') }), [
    y,
    shortcut(ctx, x, outFilters, strides),
  ]);
  return relu(ctx, sum);
}
