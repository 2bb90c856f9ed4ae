// Inference-only evaluation of a trained LayersModel with every conv → batch norm (→ ReLU) chain
// folded into one tf.fused.conv2d (filter W·γ/√(σ²+ε), bias β − μ·γ/√(σ²+ε), activation 'relu'),
// so XNNPACK runs conv + bias + ReLU in one kernel instead of three passes over the activations.
// The same walk also hands out the pooled features (the embedding view's per-site vectors).
import {
  getTf,
  type LayersModel,
  type SymbolicTensor,
  type Tensor,
  type Tensor1D,
  type Tensor4D,
} from '../backend/tf';

type Layer = LayersModel['layers'][number];

/** The layer whose output is a site's embedding (build-model.ts names the global average pool so). */
export const FEATURES_LAYER = 'pool_features';
type LayerNode = Layer['inboundNodes'][number];
type Config = Record<string, unknown>;

export interface FoldedPredictor {
  /** Inference-mode output for [image] or [image, cellTypeOneHot]; the caller disposes it. */
  predict(inputs: Tensor | Tensor[]): Tensor;
  /**
   * The output and, from the same pass, the pooled features (batch × dims): the output of the
   * global average pooling layer `FEATURES_LAYER`, before any cell-type join, dropout or head. The
   * caller disposes both. Throws when the model has no such layer.
   */
  predictWithFeatures(inputs: Tensor | Tensor[]): { output: Tensor; features: Tensor };
  /** The pooled features' width, or null when the model has no `FEATURES_LAYER`. */
  readonly featureDims: number | null;
  /** Releases the folded filters and biases (the model itself is untouched). */
  dispose(): void;
  /** How many conv → BN pairs were folded. */
  readonly folded: number;
  /** How many of those also took the following ReLU as the fused activation. */
  readonly fusedRelu: number;
}

interface ConvSpec {
  kernel: Tensor4D;
  bias: Tensor1D | null;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

interface BnSpec {
  gamma: Tensor1D | null;
  beta: Tensor1D | null;
  mean: Tensor1D;
  variance: Tensor1D;
  epsilon: number;
}

type Step =
  | { kind: 'layer'; node: LayerNode; inputs: number[]; outputs: number[] }
  | {
      kind: 'folded';
      inputs: [number];
      outputs: [number];
      filter: Tensor4D;
      bias: Tensor1D;
      conv: ConvSpec;
      relu: boolean;
    };

function weight(layer: Layer, name: string): Tensor | null {
  const w = layer.weights.find((v) => v.originalName.split('/').pop() === name);
  return w ? w.read() : null;
}

function pair(v: unknown, fallback: number): [number, number] | null {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number'))
    return [v[0] as number, v[1] as number];
  return null;
}

/** The node that produced a symbolic tensor (Keras' coordinates: layer + node index). */
function producer(t: SymbolicTensor): LayerNode {
  return t.sourceLayer.inboundNodes[t.nodeIndex];
}

/** Conv layer classes whose config fully describes a plain NHWC convolution ('same' by default). */
const plainConvClasses = new Set(['Conv2D', 'PlateLabInputConv2D']);

/** A plain NHWC 2-D convolution we can rebuild with tf.fused.conv2d, or null. */
function convSpec(layer: Layer): ConvSpec | null {
  if (!plainConvClasses.has(layer.getClassName())) return null;
  const config = layer.getConfig() as Config;
  const kernel = weight(layer, 'kernel');
  const bias = config.useBias === true ? weight(layer, 'bias') : null;
  const expected = 1 + (bias ? 1 : 0);
  if (!kernel || kernel.rank !== 4 || layer.weights.length !== expected) return null;
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return null;
  if (config.activation !== undefined && config.activation !== 'linear') return null;
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  const pad = config.padding ?? 'same';
  if (!strides || !dilations || (pad !== 'same' && pad !== 'valid')) return null;
  return { kernel: kernel as Tensor4D, bias: bias as Tensor1D | null, strides, pad, dilations };
}

/** Inference-time batch norm over the last axis (PlateLab's or Keras'), or null. */
function bnSpec(layer: Layer, node: LayerNode): BnSpec | null {
  const className = layer.getClassName();
  if (className !== 'PlateLabBatchNorm' && className !== 'BatchNormalization') return null;
  const config = layer.getConfig() as Config;
  const rank = node.inputTensors[0]?.rank;
  if (config.axis !== undefined && config.axis !== -1 && config.axis !== (rank ?? 0) - 1)
    return null;
  const mean = weight(layer, 'moving_mean');
  const variance = weight(layer, 'moving_variance');
  if (!mean || !variance || typeof config.epsilon !== 'number') return null;
  return {
    gamma: weight(layer, 'gamma') as Tensor1D | null,
    beta: weight(layer, 'beta') as Tensor1D | null,
    mean: mean as Tensor1D,
    variance: variance as Tensor1D,
    epsilon: config.epsilon,
  };
}

function isPlainRelu(layer: Layer): boolean {
  const config = layer.getConfig() as Config;
  if (layer.getClassName() === 'ReLU') return config.maxValue == null;
  return layer.getClassName() === 'Activation' && config.activation === 'relu';
}

/** Folded filter and bias (kept until dispose), from the weights as they are now. */
function fold(conv: ConvSpec, bn: BnSpec): { filter: Tensor4D; bias: Tensor1D } {
  const tf = getTf();
  return tf.tidy(() => {
    let scale = tf.rsqrt(tf.add(bn.variance, bn.epsilon));
    if (bn.gamma) scale = tf.mul(scale, bn.gamma);
    const shift = conv.bias ? tf.sub(conv.bias, bn.mean) : tf.neg(bn.mean);
    let bias = tf.mul(shift, scale);
    if (bn.beta) bias = tf.add(bias, bn.beta);
    const filter = tf.mul(conv.kernel, scale);
    return { filter: tf.keep(filter) as Tensor4D, bias: tf.keep(bias) as Tensor1D };
  });
}

/** Nodes that feed the model's outputs, producers before consumers (depth-first post-order). */
function topologicalNodes(model: LayersModel): LayerNode[] {
  const inputIds = new Set(model.inputs.map((t) => t.id));
  const seen = new Set<LayerNode>();
  const order: LayerNode[] = [];
  const visit = (node: LayerNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const t of node.inputTensors) if (!inputIds.has(t.id)) visit(producer(t));
    order.push(node);
  };
  for (const t of model.outputs) if (!inputIds.has(t.id)) visit(producer(t));
  return order;
}

/**
 * Folds the model's conv → BN (→ ReLU) chains once; the rest runs layer by layer, in inference
 * mode. The folded weights are a snapshot: after more training, dispose and build a new one.
 * predict() runs the whole input as one batch (model.predict splits it into batches of 32).
 */
export function foldedPredictor(model: LayersModel): FoldedPredictor {
  const tf = getTf();
  if (model.outputs.length !== 1)
    throw new Error(
      `foldedPredictor: model '${model.name}' has ${model.outputs.length} outputs, expected 1`,
    );
  const nodes = topologicalNodes(model);
  const consumers = new Map<number, LayerNode[]>();
  for (const node of nodes)
    for (const t of node.inputTensors) consumers.set(t.id, [...(consumers.get(t.id) ?? []), node]);
  const outputIds = new Set(model.outputs.map((t) => t.id));
  /** The one node that reads this node's single output, when nothing else (model output included) does. */
  const soleConsumer = (node: LayerNode): LayerNode | null => {
    if (node.outputTensors.length !== 1) return null;
    const id = node.outputTensors[0].id;
    const users = consumers.get(id) ?? [];
    return users.length === 1 && !outputIds.has(id) && users[0].inputTensors.length === 1
      ? users[0]
      : null;
  };

  const absorbed = new Set<LayerNode>();
  const steps: Step[] = [];
  let fusedRelu = 0;
  for (const node of nodes) {
    if (absorbed.has(node)) continue;
    const layer = node.outboundLayer;
    const ids = (ts: SymbolicTensor[]) => ts.map((t) => t.id);
    const bnNode = soleConsumer(node);
    const bn = bnNode && bnSpec(bnNode.outboundLayer, bnNode);
    const conv = bn && node.inputTensors.length === 1 ? convSpec(layer) : null;
    if (!bnNode || !bn || !conv) {
      if (layer.getClassName() !== 'InputLayer')
        steps.push({
          kind: 'layer',
          node,
          inputs: ids(node.inputTensors),
          outputs: ids(node.outputTensors),
        });
      continue;
    }
    absorbed.add(bnNode);
    let last = bnNode;
    const reluNode = soleConsumer(bnNode);
    if (reluNode && isPlainRelu(reluNode.outboundLayer)) {
      absorbed.add(reluNode);
      last = reluNode;
      fusedRelu++;
    }
    steps.push({
      kind: 'folded',
      inputs: [node.inputTensors[0].id],
      outputs: [last.outputTensors[0].id],
      conv,
      relu: last !== bnNode,
      ...fold(conv, bn),
    });
  }

  // Uses left of each value, so intermediates are freed as soon as their last reader has run.
  const uses = new Map<number, number>();
  for (const step of steps) for (const id of step.inputs) uses.set(id, (uses.get(id) ?? 0) + 1);
  const outputId = model.outputs[0].id;
  const folds = steps.filter((s) => s.kind === 'folded');
  let disposed = false;

  function run(step: Step, xs: Tensor[]): Tensor[] {
    if (step.kind === 'folded') {
      const { conv } = step;
      return [
        tf.fused.conv2d({
          x: xs[0] as Tensor4D,
          filter: step.filter,
          bias: step.bias,
          strides: conv.strides,
          pad: conv.pad,
          dilations: conv.dilations,
          activation: step.relu ? 'relu' : 'linear',
        }),
      ];
    }
    const kwargs = { ...step.node.callArgs, training: false };
    const out = step.node.outboundLayer.apply(xs.length === 1 ? xs[0] : xs, kwargs);
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => {
      if (!(t instanceof tf.Tensor))
        throw new Error('foldedPredictor: layer returned a symbolic tensor');
      return t;
    });
  }

  const featuresLayer = model.layers.find((l) => l.name === FEATURES_LAYER);
  const featuresTensor = featuresLayer?.inboundNodes[0]?.outputTensors[0];
  const featureDims = featuresTensor?.shape[featuresTensor.shape.length - 1] ?? null;

  /** Runs the steps once; returns the tensors of `keep` (value ids), in that order. */
  function evaluate(inputs: Tensor | Tensor[], keep: number[]): Tensor[] {
    if (disposed) throw new Error('foldedPredictor: predict after dispose');
    const given = Array.isArray(inputs) ? inputs : [inputs];
    if (given.length !== model.inputs.length)
      throw new Error(
        `foldedPredictor: model '${model.name}' takes ${model.inputs.length} inputs (${model.inputs.map((t) => t.name).join(', ')}), got ${given.length}`,
      );
    return tf.tidy(() => {
      const values = new Map<number, Tensor>(model.inputs.map((t, i) => [t.id, given[i]]));
      const left = new Map(uses);
      for (const step of steps) {
        const xs = step.inputs.map((id) => {
          const v = values.get(id);
          if (!v) throw new Error(`foldedPredictor: value ${id} missing (graph walk bug)`);
          return v;
        });
        run(step, xs).forEach((t, i) => values.set(step.outputs[i], t));
        for (const id of step.inputs) {
          const n = (left.get(id) ?? 0) - 1;
          left.set(id, n);
          if (n > 0 || keep.includes(id)) continue;
          const t = values.get(id);
          values.delete(id);
          // Layers may pass a tensor through (dropout at inference): free it only when unshared.
          if (t && !given.includes(t) && ![...values.values()].includes(t)) t.dispose();
        }
      }
      return keep.map((id) => {
        const out = values.get(id);
        if (!out) throw new Error(`foldedPredictor: value ${id} not computed`);
        return out;
      });
    });
  }

  return {
    folded: folds.length,
    fusedRelu,
    featureDims,
    predict(inputs) {
      return evaluate(inputs, [outputId])[0]!;
    },
    predictWithFeatures(inputs) {
      if (!featuresTensor)
        throw new Error(
          `foldedPredictor: model '${model.name}' has no '${FEATURES_LAYER}' layer, so no pooled features`,
        );
      const [output, features] = evaluate(inputs, [outputId, featuresTensor.id]);
      // A pooled tensor shared with the output (no head) is returned twice: the caller owns one copy.
      return { output: output!, features: features === output ? features!.clone() : features! };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of folds) {
        s.filter.dispose();
        s.bias.dispose();
      }
    },
  };
}
