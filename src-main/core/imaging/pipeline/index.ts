// The training data pipeline: batch streams (train + eval), D4 transforms, shared types.
export {
  createBatchStream,
  evalStream,
  resolveStats,
  type BatchStreamOptions,
  type EvalStreamOptions,
} from './batch-stream';
export { applyD4, d4Compose, d4Inverse, d4Map, D4_COUNT } from './d4';
export type { Batch, PipelineSample, StatsTable } from './types';
