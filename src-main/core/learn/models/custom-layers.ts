// PlateLab's custom Keras-style layers (grouped convolution, fused batch norm, the stem's input
// convolution), defined once per tfjs instance (tfjs-node may bring its own) and registered for
// serialisation so checkpoints round-trip.
import { batchNormTrain } from '../backend/ops/batch-norm-train';
import { getTf, type Tensor, type Tensor4D, type Tf } from '../backend/tf';

type LayerArgs = NonNullable<ConstructorParameters<Tf['layers']['Layer']>[0]>;
type Kwargs = Record<string, unknown>;
type Shape = (number | null)[];

export interface GroupedConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  groups: number;
  seed?: number;
}

export interface BatchNormArgs extends LayerArgs {
  momentum?: number;
  epsilon?: number;
  /** Start gamma at 0 (last BN of a residual branch: each block starts as identity). */
  zeroGamma?: boolean;
}

export interface InputConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  /** Seed of the He-normal kernel initialiser (the same one tf.layers.conv2d gets in blocks.conv). */
  seed?: number;
}

export interface CustomLayerClasses {
  GroupedConv2D: new (args: GroupedConv2DArgs) => InstanceType<Tf['layers']['Layer']>;
  BatchNorm: new (args: BatchNormArgs) => InstanceType<Tf['layers']['Layer']>;
  InputConv2D: new (args: InputConv2DArgs) => InstanceType<Tf['layers']['Layer']>;
}

/** Output shape of a 'same'-padded conv: spatial dims divided by the stride, rounded up. */
function sameConvOutputShape(inputShape: Shape | Shape[], strides: number, filters: number): Shape {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  const out = (d: number | null) => (d == null ? null : Math.ceil(d / strides));
  return [shape[0], out(shape[1]), out(shape[2]), filters];
}

const cache = new WeakMap<Tf, CustomLayerClasses>();

function define(tf: Tf): CustomLayerClasses {
  /**
   * Grouped 3×3 (any k) convolution, 'same' padding, no bias. tfjs has no grouped conv, so it runs
   * as a depthwise conv with channel multiplier = group output width (exactly the grouped conv's
   * multiply-adds) followed by a sum over each group's input channels. The kernel is stored as
   * [k, k, inChannels, filters / groups]: input channel c (group g = c / (inChannels/groups))
   * feeds output channels g·(filters/groups) + m.
   */
  class GroupedConv2D extends tf.layers.Layer {
    static className = 'PlateLabGroupedConv2D';
    readonly filters: number;
    readonly kernelSize: number;
    readonly strides: number;
    readonly groups: number;
    readonly seed: number | undefined;
    private kernel: ReturnType<InstanceType<Tf['layers']['Layer']>['addWeight']> | null = null;

    constructor(args: GroupedConv2DArgs) {
      super(args);
      this.filters = args.filters;
      this.kernelSize = args.kernelSize;
      this.strides = args.strides ?? 1;
      this.groups = args.groups;
      this.seed = args.seed;
      if (this.filters % this.groups !== 0)
        throw new Error(
          `GroupedConv2D: filters ${this.filters} not divisible by groups ${this.groups}`,
        );
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const cin = shape[shape.length - 1];
      if (cin == null || cin % this.groups !== 0)
        throw new Error(
          `GroupedConv2D: input channels ${cin} not divisible by groups ${this.groups}`,
        );
      const perGroupIn = cin / this.groups;
      const k = this.kernelSize;
      // He-normal over the true fan-in of one output (k·k·perGroupIn), not the depthwise shape's.
      const stddev = Math.sqrt(2 / (k * k * perGroupIn));
      this.kernel = this.addWeight(
        'kernel',
        [k, k, cin, this.filters / this.groups],
        'float32',
        tf.initializers.randomNormal({ mean: 0, stddev, seed: this.seed }),
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return sameConvOutputShape(inputShape, this.strides, this.filters);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      void _kwargs;
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor;
        if (!this.kernel) throw new Error('GroupedConv2D: call before build');
        const w = this.kernel.read() as Tensor;
        const [n, , , cin] = x.shape;
        const g = this.groups;
        const m = this.filters / g;
        const y = tf.depthwiseConv2d(x as Tensor4D, w as Tensor4D, this.strides, 'same');
        const [, oh, ow] = y.shape;
        const summed = y.reshape([n * oh * ow * g, cin / g, m]).sum(1);
        return summed.reshape([n, oh, ow, this.filters]);
      });
    }

    override getConfig() {
      return {
        ...super.getConfig(),
        filters: this.filters,
        kernelSize: this.kernelSize,
        strides: this.strides,
        groups: this.groups,
        seed: this.seed ?? null,
      };
    }
  }
  type LayerVariable = ReturnType<InstanceType<Tf['layers']['Layer']>['addWeight']>;

  /**
   * Batch norm over the last axis with the same weights as Keras BatchNormalization (gamma, beta,
   * moving_mean, moving_variance) but a fused training path (batchNormTrain): tfjs' own layer
   * spends more time in its ~40 broadcast ops per BN than in the convolutions on wasm.
   */
  class BatchNorm extends tf.layers.Layer {
    static className = 'PlateLabBatchNorm';
    readonly momentum: number;
    readonly epsilon: number;
    readonly zeroGamma: boolean;
    private gamma: LayerVariable | null = null;
    private beta: LayerVariable | null = null;
    private movingMean: LayerVariable | null = null;
    private movingVariance: LayerVariable | null = null;

    constructor(args: BatchNormArgs) {
      super(args);
      this.momentum = args.momentum ?? 0.9;
      this.epsilon = args.epsilon ?? 1e-5;
      this.zeroGamma = args.zeroGamma ?? false;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const c = shape[shape.length - 1];
      if (c == null) throw new Error('BatchNorm: unknown channel count');
      this.gamma = this.addWeight(
        'gamma',
        [c],
        'float32',
        this.zeroGamma ? tf.initializers.zeros() : tf.initializers.ones(),
      );
      this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
      this.movingMean = this.addWeight(
        'moving_mean',
        [c],
        'float32',
        tf.initializers.zeros(),
        undefined,
        false,
      );
      this.movingVariance = this.addWeight(
        'moving_variance',
        [c],
        'float32',
        tf.initializers.ones(),
        undefined,
        false,
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor;
        const { gamma, beta, movingMean, movingVariance } = this;
        if (!gamma || !beta || !movingMean || !movingVariance)
          throw new Error('BatchNorm: call before build');
        if (kwargs.training !== true) {
          return tf.batchNorm(
            x,
            movingMean.read(),
            movingVariance.read(),
            beta.read(),
            gamma.read(),
            this.epsilon,
          );
        }
        const decay = 1 - this.momentum;
        return batchNormTrain(x, gamma.read(), beta.read(), this.epsilon, (mean, variance) => {
          tf.tidy(() => {
            const mm = movingMean.read();
            const mv = movingVariance.read();
            movingMean.write(tf.sub(mm, tf.mul(tf.sub(mm, mean), decay)));
            movingVariance.write(tf.sub(mv, tf.mul(tf.sub(mv, variance), decay)));
          });
        });
      });
    }

    override getConfig() {
      return {
        ...super.getConfig(),
        momentum: this.momentum,
        epsilon: this.epsilon,
        zeroGamma: this.zeroGamma,
      };
    }
  }

  /**
   * The stem's convolution of the image: the weights, initialiser and output of
   * tf.layers.conv2d({ padding: 'same', useBias: false, kernelInitializer: heNormal({ seed }) }),
   * but through the plain tf.conv2d op. tfjs-layers runs conv2d through tf.fused.conv2d, whose
   * gradient (a customGrad) always computes the input gradient too; tf.conv2d's gradient is lazy
   * per input, so the tape skips Conv2DBackpropInput for the image, which nothing trains.
   */
  class InputConv2D extends tf.layers.Layer {
    static className = 'PlateLabInputConv2D';
    readonly filters: number;
    readonly kernelSize: number;
    readonly strides: number;
    readonly seed: number | undefined;
    private kernel: LayerVariable | null = null;

    constructor(args: InputConv2DArgs) {
      super(args);
      this.filters = args.filters;
      this.kernelSize = args.kernelSize;
      this.strides = args.strides ?? 1;
      this.seed = args.seed;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const cin = shape[shape.length - 1];
      if (cin == null) throw new Error('InputConv2D: unknown input channel count');
      const k = this.kernelSize;
      // Same name, shape, dtype and initialiser as the Conv2D layer's kernel: checkpoints match.
      this.kernel = this.addWeight(
        'kernel',
        [k, k, cin, this.filters],
        'float32',
        tf.initializers.heNormal({ seed: this.seed }),
      );
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return sameConvOutputShape(inputShape, this.strides, this.filters);
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      void _kwargs;
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
        if (!this.kernel) throw new Error('InputConv2D: call before build');
        return tf.conv2d(x, this.kernel.read() as Tensor4D, this.strides, 'same');
      });
    }

    override getConfig() {
      return {
        ...super.getConfig(),
        filters: this.filters,
        kernelSize: this.kernelSize,
        strides: this.strides,
        seed: this.seed ?? null,
      };
    }
  }

  tf.serialization.registerClass(GroupedConv2D);
  tf.serialization.registerClass(BatchNorm);
  tf.serialization.registerClass(InputConv2D);
  return { GroupedConv2D, BatchNorm, InputConv2D };
}

/** The custom layer classes bound to the current tfjs instance. */
export function customLayers(): CustomLayerClasses {
  const tf = getTf();
  let classes = cache.get(tf);
  if (!classes) {
    classes = define(tf);
    cache.set(tf, classes);
  }
  return classes;
}
