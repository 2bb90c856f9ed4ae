// Builds the network for a run through models/buildModel. No seed is passed on purpose: with one,
// the head's dropout layer would reuse a single mask every step; instead this is wrapped in
// withSeededRandom (core/util/rng.ts), which makes the initial weights and each step's dropout mask
// reproducible. `buildRunModel` is the one builder of a run's model (training and prediction);
// `runPredictor` adds its inference weights and folds it, for prediction and saliency.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { LayersModel } from '../backend/tf';
import type { ClassList } from '../data/classes';
import { buildModel } from '../models/build-model';
import { foldedPredictor, type FoldedPredictor } from '../models/folded-inference';
import { inputError } from '../../errors';
import type { TensorBlob } from './checkpoint';
import { setModelWeights } from './weights';
import { rngFor, RngPurpose, withSeededRandom } from '../../util/rng';

export interface ModelSpec {
  arch: TrainConfig['arch'];
  inputSize: number;
  channels: number;
  numClasses: number;
  dropout: number;
  cellTypeInputs?: number;
}

export function createModel(spec: ModelSpec): LayersModel {
  return buildModel({
    arch: spec.arch,
    inputSize: spec.inputSize,
    channels: spec.channels,
    numClasses: spec.numClasses,
    dropout: spec.dropout,
    cellTypeInputs:
      spec.cellTypeInputs && spec.cellTypeInputs > 0 ? spec.cellTypeInputs : undefined,
  });
}

/**
 * The network of a run: its config's architecture, crop size and class list (plus the cell-type
 * input when configured), initialised from the run seed (RngPurpose.init), so training, resume and
 * prediction all build the same graph.
 */
export function buildRunModel(config: TrainConfig, classes: ClassList): LayersModel {
  return withSeededRandom(rngFor(config.seed, RngPurpose.init).stateValue, () =>
    createModel({
      arch: config.arch,
      inputSize: config.cropSize,
      channels: 6,
      numClasses: classes.labels.length,
      dropout: config.dropout,
      cellTypeInputs: config.cellTypeInput ? classes.cellTypes.length : undefined,
    }),
  );
}

/**
 * A run's model with its inference weights (`loadInferenceWeights`) set and its batch norms folded
 * into their convolutions: what prediction and saliency evaluate, so both see the same logits.
 * `dispose()` frees both. Error (input): weights that do not fit the run's model (nothing leaks).
 */
export function runPredictor(
  config: TrainConfig,
  classes: ClassList,
  weights: { weights: TensorBlob[]; source: string },
): { folded: FoldedPredictor; dispose: () => void } {
  const model = buildRunModel(config, classes);
  let folded: FoldedPredictor;
  try {
    try {
      setModelWeights(model, weights.weights, weights.source);
    } catch (err) {
      throw inputError(`cannot load the model weights: ${(err as Error).message}`);
    }
    folded = foldedPredictor(model);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return {
    folded,
    dispose: () => {
      folded.dispose();
      model.dispose();
    },
  };
}
