// The training data pipeline: batch streams (train + eval), D4 transforms, shared types.
export {
  createBatchStream,
  type CacheStreamStats,
  evalStream,
  planStream,
  resolveStats,
  type BatchStreamOptions,
  type EvalStreamOptions,
  type PlanStreamOptions,
} from './batch-stream';
export { defaultDecodeWorkers, threadPoolEnv } from './threads';
export { applyD4, d4Compose, d4Inverse, d4Map, D4_COUNT } from './d4';
export type { Batch, BatchPlan, PipelineSample, SamplePlan, StatsTable } from './types';
