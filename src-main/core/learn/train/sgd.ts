// SGD with momentum and coupled L2 weight decay, as PyTorch's SGD does it (g ← g + wd·w; v ← μv + g;
// w ← w − lr·v). Decay applies to kernels (rank ≥ 2) only, not to biases or batch-norm scales
// ("bag of tricks"). Momentum slots are plain variables so checkpoints can save and restore them.
import type { Tensor, Variable } from '../backend/tf';
import { getTf } from '../backend/tf';
import { assignSlots, decays, zeroSlots, type Optimizer, type OptimizerState } from './optimizer';

export class SgdMomentum implements Optimizer {
  readonly kind = 'sgd' as const;
  readonly slots: Variable[];
  private step = 0;

  constructor(
    readonly vars: Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {
    this.slots = zeroSlots(vars);
  }

  /** Applies one update; `grads[i]` belongs to `vars[i]`. Does not dispose the gradients. */
  apply(grads: Tensor[], lr: number): void {
    const tf = getTf();
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        let g = grads[i]!;
        if (this.weightDecay > 0 && decays(w)) g = tf.add(g, tf.mul(w, this.weightDecay));
        const v = tf.add(tf.mul(this.slots[i]!, this.momentum), g);
        this.slots[i]!.assign(v);
        w.assign(tf.sub(w, tf.mul(v, lr)));
      });
    });
    this.step++;
  }

  /** Momentum slot values, in variable order (read asynchronously: WebGPU has no sync read). */
  async state(): Promise<OptimizerState> {
    const slots = await Promise.all(this.slots.map(async (s) => (await s.data()) as Float32Array));
    return { step: this.step, slots };
  }

  setState(state: OptimizerState): void {
    assignSlots(this.slots, state.slots);
    this.step = state.step;
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
  }
}
