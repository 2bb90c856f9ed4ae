// Builds the network for a run through models/buildModel. No seed is passed on purpose: with one,
// the head's dropout layer would reuse a single mask every step; instead callers wrap this in
// withSeededRandom, which makes both the initial weights and each step's dropout mask reproducible.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { LayersModel } from '../backend/tf';
import { buildModel } from '../models/build-model';

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
