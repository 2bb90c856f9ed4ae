// Checkpoint policy: when and what the trainer saves. A checkpoint (weights, optimiser slots,
// position) after every epoch and on a mid-epoch cancel; the best weights whenever validation
// accuracy improves (every epoch without validation). Weights with NaN/Inf are never saved: the run
// fails as diverged instead, so the last good checkpoint is kept.
import type { LayersModel } from '../backend/tf';
import { saveBestWeights, saveCheckpoint, type CheckpointState } from './checkpoint';
import { countNonFiniteWeights, divergedError } from './divergence';
import type { Optimizer } from './optimizer';
import { modelWeights } from './weights';

export interface CheckpointPolicyOptions {
  runDir: string;
  model: LayersModel;
  optimizer: Optimizer;
  seed: number;
  stepsPerEpoch: number;
  /** A checkpoint was written (its folder and the state it holds). */
  onSaved(dir: string, state: CheckpointState): void;
}

export interface CheckpointPolicy {
  /**
   * Saves a checkpoint of `state` (at an epoch boundary, `state.epoch` already counts the finished
   * epoch). `lr` is only for the divergence error's details.
   */
  save(state: CheckpointState, lr: number): Promise<void>;
  /**
   * After epoch `epoch`'s validation (`valAccuracy` null when there is none): saves the best weights
   * and records them in `state` when the accuracy improved, or always without validation.
   */
  keepBest(
    state: CheckpointState,
    epoch: number,
    valAccuracy: number | null,
    lr: number,
  ): Promise<void>;
}

export function checkpointPolicy(o: CheckpointPolicyOptions): CheckpointPolicy {
  /** The model's weights, or a divergence error when any is NaN/Inf (never saved over good ones). */
  const finiteWeights = async (epoch: number, step: number, lr: number) => {
    const weights = await modelWeights(o.model);
    const bad = countNonFiniteWeights(weights);
    if (bad > 0) throw divergedError(`${bad} weight(s) became NaN/Inf`, { epoch, step, lr });
    return weights;
  };
  return {
    async save(state, lr) {
      state.rng = { seed: o.seed, epoch: state.epoch, stepInEpoch: state.stepInEpoch };
      const weights =
        state.stepInEpoch === 0 && state.epoch > 0
          ? await finiteWeights(state.epoch - 1, o.stepsPerEpoch, lr)
          : await finiteWeights(state.epoch, state.stepInEpoch, lr);
      const opt = await o.optimizer.state();
      state.optimizer = { kind: o.optimizer.kind, step: opt.step };
      const dir = saveCheckpoint(o.runDir, {
        state,
        weights,
        slots: opt.slots.map((values, i) => ({ shape: [...o.optimizer.slots[i]!.shape], values })),
      });
      o.onSaved(dir, state);
    },
    async keepBest(state, epoch, valAccuracy, lr) {
      const improved =
        valAccuracy === null ||
        state.bestValAccuracy === null ||
        valAccuracy > state.bestValAccuracy;
      if (!improved) return;
      state.bestValAccuracy = valAccuracy;
      state.bestEpoch = epoch;
      saveBestWeights(o.runDir, await finiteWeights(epoch, o.stepsPerEpoch, lr), {
        epoch,
        valAccuracy,
      });
    },
  };
}
