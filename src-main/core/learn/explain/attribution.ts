// Pixel attribution of one class logit of a model to its input: integrated gradients (and plain
// gradient × input as its 1-step case), the per-stain shares and the completeness check. Pure
// tensor math on a FoldedPredictor; loading the run and the site is saliency.ts's job.
import { throwIfCancelled } from '../../errors';
import { getTf, type Scalar, type Tensor, type Tensor4D } from '../backend/tf';
import type { FoldedPredictor } from '../models/folded-inference';
import type { AttributionMethod } from './saliency-cache';

/** A relative completeness gap above this gets a warning (IG's sum should match the logit change). */
export const COMPLETENESS_WARN = 0.1;

export interface AttributionOptions {
  method: AttributionMethod;
  /** Riemann steps m of integrated gradients (ignored, i.e. 1, for gradient × input). */
  steps: number;
  signal?: AbortSignal;
  /** Called after each gradient evaluation: (done, total). */
  onProgress?(done: number, total: number): void;
}

export interface Attribution {
  /** Signed attribution per input value, H × W × C channel-last (same layout as the input). */
  values: Float32Array;
  height: number;
  width: number;
  channels: number;
  /** Gradient evaluations made (m for IG, 1 for gradient × input). */
  steps: number;
  /** The class logit at the input x and at the baseline x′ = 0. */
  logit: number;
  baselineLogit: number;
  /** Σᵢ aᵢ. */
  sum: number;
  /** |Σᵢ aᵢ − (F(x) − F(x′))| / max(|F(x) − F(x′)|, 1e-6): IG's completeness gap. */
  completenessGap: number;
}

/**
 * Attribution of logit `classIndex` of `net` at `x` (1 × H × W × C, the model's normalised input)
 * to each input value, from the baseline x′ = 0 (zero in normalised space):
 *
 *   integrated gradients  aᵢ = (xᵢ − x′ᵢ) · (1/m) Σₖ₌₁..ₘ ∂F(x′ + (k/m)(x − x′)) / ∂xᵢ
 *   (right Riemann sum of Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep
 *   Networks", eq. 3); gradient × input is the m = 1 case aᵢ = xᵢ · ∂F(x)/∂xᵢ (the gradient map of
 *   Simonyan, Vedaldi & Zisserman 2013, "Deep Inside Convolutional Networks", times the input).
 *
 * F is the class's logit, not its probability (softmax saturation would hide the gradient).
 * `extra` (the cell-type one-hot) is held fixed. Completeness: Σᵢ aᵢ → F(x) − F(x′) as m grows;
 * the relative gap is returned (gradient × input has no such guarantee). The maps pass Adebayo et
 * al. 2018's model-randomisation check ("Sanity Checks for Saliency Maps": re-initialised weights
 * must change the map; attribution.test.ts). Errors: CANCELLED
 * through `signal` between steps; a classIndex outside the logits is a plain Error.
 */
export async function attribute(
  net: FoldedPredictor,
  x: Tensor4D,
  extra: Tensor[],
  classIndex: number,
  opts: AttributionOptions,
): Promise<Attribution> {
  const tf = getTf();
  const [n, height, width, channels] = x.shape;
  if (n !== 1) throw new Error(`attribute: expected one site (batch 1), got ${n}`);
  const m = opts.method === 'gradient-x-input' ? 1 : Math.max(1, Math.floor(opts.steps));
  const logitOf = (input: Tensor): Scalar => {
    const out = net.predict([input, ...extra]);
    const k = out.shape[out.shape.length - 1]!;
    if (classIndex < 0 || classIndex >= k)
      throw new Error(`attribute: class ${classIndex} outside the model's ${k} outputs`);
    return tf.squeeze(tf.slice(out, [0, classIndex], [1, 1])) as Scalar;
  };
  const grad = tf.grad((input: Tensor) => logitOf(input));
  let total: Tensor = tf.zerosLike(x);
  try {
    for (let k = 1; k <= m; k++) {
      throwIfCancelled(opts.signal);
      const next = tf.tidy(() => tf.add(total, grad(tf.mul(x, k / m))));
      total.dispose();
      total = next;
      opts.onProgress?.(k, m);
      // Let a pending cancel message reach the signal between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const attr = tf.tidy(() => tf.mul(x, tf.div(total, m)));
    const values = (await attr.data()) as Float32Array;
    attr.dispose();
    const ends = tf.tidy(() => tf.stack([logitOf(x), logitOf(tf.zerosLike(x))]));
    const [logit, baselineLogit] = Array.from(await ends.data());
    ends.dispose();
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i]!;
    const delta = logit! - baselineLogit!;
    return {
      values: Float32Array.from(values),
      height,
      width,
      channels,
      steps: m,
      logit: logit!,
      baselineLogit: baselineLogit!,
      sum,
      completenessGap: Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-6),
    };
  } finally {
    total.dispose();
  }
}

/**
 * Each channel's share of the total absolute attribution: Σ_p |a(p, c)| / Σ_p,c |a(p, c)| over the
 * H × W × C channel-last `values`; the shares sum to 1 (all 0 when every attribution is 0).
 */
export function channelShares(values: Float32Array, channels: number): number[] {
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < values.length; i++) sums[i % channels]! += Math.abs(values[i]!);
  const total = sums.reduce((a, b) => a + b, 0);
  return sums.map((s) => (total > 0 ? s / total : 0));
}

/** Channel `c`'s H × W plane of |attribution| (row-major) from channel-last `values`. */
export function absPlane(values: Float32Array, channels: number, c: number): Float32Array {
  const out = new Float32Array(values.length / channels);
  for (let p = 0; p < out.length; p++) out[p] = Math.abs(values[p * channels + c]!);
  return out;
}
