// The optimiser a run trains with, chosen by `config.optimizer`: one interface for SGD with momentum
// (sgd.ts) and Adam/AdamW (adam.ts). Slots are plain variables and the update count is explicit, so
// checkpoints can save and restore the whole optimiser state and resume stays exact.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { Tensor, Variable } from '../backend/tf';
import { getTf } from '../backend/tf';
import { Adam } from './adam';
import { SgdMomentum } from './sgd';

export type OptimizerKind = TrainConfig['optimizer'];

/** What a checkpoint keeps of an optimiser: its slot values (in `slots` order) and update count. */
export interface OptimizerState {
  /** Updates applied so far (Adam's t; counted by SGD too). */
  step: number;
  slots: Float32Array[];
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  /** The variables it updates; `grads[i]` in `apply` belongs to `vars[i]`. */
  readonly vars: Variable[];
  /** Its state variables, in the order `state()` returns their values (shapes for checkpoints). */
  readonly slots: Variable[];
  /** Applies one update with learning rate `lr`. Does not dispose the gradients. */
  apply(grads: Tensor[], lr: number): void;
  state(): Promise<OptimizerState>;
  /** Restores a `state()`; throws when the slot count or a slot's size does not match. */
  setState(state: OptimizerState): void;
  dispose(): void;
}

/** Adam's β1, β2, ε: the defaults Kingma & Ba (2015) suggest, also PyTorch's and Keras'. */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/**
 * The optimiser `config.optimizer` names, over `vars`: 'sgd' = momentum `config.momentum` with
 * coupled L2 decay; 'adam' = Adam with coupled L2 decay (PyTorch's Adam); 'adamw' = Adam with
 * decoupled decay. `config.weightDecay` applies to kernels (rank ≥ 2) only; Adam ignores `momentum`.
 */
export function createOptimizer(
  config: Pick<TrainConfig, 'optimizer' | 'momentum' | 'weightDecay'>,
  vars: Variable[],
): Optimizer {
  switch (config.optimizer) {
    case 'sgd':
      return new SgdMomentum(vars, config.momentum, config.weightDecay);
    case 'adam':
    case 'adamw':
      return new Adam(vars, {
        ...ADAM_DEFAULTS,
        weightDecay: config.weightDecay,
        decoupled: config.optimizer === 'adamw',
      });
  }
}

/** True when weight decay applies to this variable: kernels only, not biases or norm scales. */
export function decays(w: Variable): boolean {
  return w.shape.length >= 2;
}

/** Zero-filled slot variables shaped like `vars` (tidy frees the zeros they are copied from). */
export function zeroSlots(vars: Variable[]): Variable[] {
  const tf = getTf();
  return tf.tidy(() => vars.map((v) => tf.variable(tf.zerosLike(v), false)));
}

/** Assigns saved values to slots; throws naming the slot when the count or a size differs. */
export function assignSlots(slots: Variable[], values: Float32Array[]): void {
  const tf = getTf();
  if (values.length !== slots.length)
    throw new Error(`optimizer state has ${values.length} slots, model needs ${slots.length}`);
  values.forEach((v, i) => {
    const slot = slots[i]!;
    if (v.length !== slot.size)
      throw new Error(`optimizer slot ${i} has ${v.length} values, expected ${slot.size}`);
  });
  values.forEach((v, i) => tf.tidy(() => slots[i]!.assign(tf.tensor(v, slots[i]!.shape))));
}
