// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019): per-weight step sizes from running
// first and second gradient moments, with bias correction. Both moments and the update count t are
// checkpointed (see optimizer.ts), so a resumed run continues with the same t and moments.
import type { Tensor, Variable } from '../backend/tf';
import { getTf } from '../backend/tf';
import { assignSlots, decays, zeroSlots, type Optimizer, type OptimizerState } from './optimizer';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Applies to kernels (rank ≥ 2) only; 0 = none. */
  weightDecay: number;
  /** true = AdamW's decoupled decay; false = L2 added to the gradient (PyTorch's Adam). */
  decoupled: boolean;
}

/**
 * One update at step t (counted from 1), per weight w with gradient g, as in Kingma & Ba (2015),
 * Algorithm 1, and Loshchilov & Hutter (2019), Algorithm 2 with PyTorch's scaling of the decay by lr:
 *   adam:  g ← g + wd·w (coupled L2)
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   m̂ = m / (1−β1^t);  v̂ = v / (1−β2^t)
 *   w ← w − lr·m̂ / (√v̂ + ε)  − lr·wd·w (adamw only, decoupled; w is the value before the update)
 * Slots: the m of every variable, then the v of every variable (2 × vars.length, same shapes).
 */
export class Adam implements Optimizer {
  readonly kind: 'adam' | 'adamw';
  readonly slots: Variable[];
  private readonly m: Variable[];
  private readonly v: Variable[];
  private t = 0;

  constructor(
    readonly vars: Variable[],
    private readonly opts: AdamOptions,
  ) {
    this.kind = opts.decoupled ? 'adamw' : 'adam';
    this.m = zeroSlots(vars);
    this.v = zeroSlots(vars);
    this.slots = [...this.m, ...this.v];
  }

  /** Applies one update; `grads[i]` belongs to `vars[i]`. Does not dispose the gradients. */
  apply(grads: Tensor[], lr: number): void {
    const tf = getTf();
    const { beta1, beta2, epsilon, weightDecay, decoupled } = this.opts;
    const t = this.t + 1;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2 = 1 - Math.pow(beta2, t);
    // One tidy per variable: a variable's temporaries are freed before the next one's are made.
    this.vars.forEach((w, i) =>
      tf.tidy(() => {
        const wd = weightDecay > 0 && decays(w) ? weightDecay : 0;
        let g = grads[i]!;
        if (wd > 0 && !decoupled) g = tf.add(g, tf.mul(w, wd));
        const m = tf.add(tf.mul(this.m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        let step = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), epsilon));
        if (wd > 0 && decoupled) step = tf.add(step, tf.mul(w, wd));
        const next = tf.sub(w, tf.mul(step, lr));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        w.assign(next);
      }),
    );
    this.t = t;
  }

  /** m slots then v slots, in variable order, and t. */
  async state(): Promise<OptimizerState> {
    // data(), not dataSync(): the WebGPU backend in Node has no synchronous read-back.
    const slots = await Promise.all(this.slots.map(async (s) => (await s.data()) as Float32Array));
    return { step: this.t, slots };
  }

  setState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new Error(`optimizer step count ${state.step} is not a whole number ≥ 0`);
    assignSlots(this.slots, state.slots);
    this.t = state.step;
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
  }
}
