// SGD with momentum and coupled L2 weight decay, as PyTorch's SGD does it (g ← g + wd·w; v ← μv + g;
// w ← w − lr·v). Decay applies to kernels (rank ≥ 2) only, not to biases or batch-norm scales
// ("bag of tricks"). Momentum slots are plain variables so checkpoints can save and restore them.
import type { Tensor, Variable } from '../backend/tf';
import { getTf } from '../backend/tf';

export class SgdMomentum {
  readonly slots: Variable[];

  constructor(
    readonly vars: Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {
    const tf = getTf();
    // tidy frees the zeros each variable is copied from (variables themselves survive a tidy).
    this.slots = tf.tidy(() => vars.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** Applies one update; `grads[i]` belongs to `vars[i]`. Does not dispose the gradients. */
  apply(grads: Tensor[], lr: number): void {
    const tf = getTf();
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        let g = grads[i]!;
        if (this.weightDecay > 0 && w.shape.length >= 2) g = tf.add(g, tf.mul(w, this.weightDecay));
        const v = tf.add(tf.mul(this.slots[i]!, this.momentum), g);
        this.slots[i]!.assign(v);
        w.assign(tf.sub(w, tf.mul(v, lr)));
      });
    });
  }

  /** Momentum slot values, in variable order (read asynchronously: WebGPU has no sync read). */
  async state(): Promise<Float32Array[]> {
    return Promise.all(this.slots.map(async (s) => (await s.data()) as Float32Array));
  }

  setState(values: Float32Array[]): void {
    const tf = getTf();
    if (values.length !== this.slots.length)
      throw new Error(
        `optimizer state has ${values.length} slots, model needs ${this.slots.length}`,
      );
    values.forEach((v, i) => {
      const slot = this.slots[i]!;
      if (v.length !== slot.size)
        throw new Error(`optimizer slot ${i} has ${v.length} values, expected ${slot.size}`);
      tf.tidy(() => slot.assign(tf.tensor(v, slot.shape)));
    });
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
  }
}
