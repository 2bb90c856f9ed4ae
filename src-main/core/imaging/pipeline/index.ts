// The data pipeline of training, validation and prediction: batch plans (plans.ts), batch streams
// over worker threads (batch-stream.ts), D4 transforms, and the shared types (one `Batch`).
export {
  createBatchStream,
  type CacheStreamStats,
  evalStream,
  planStream,
  resolveStats,
  type BatchStreamOptions,
  type EvalStreamOptions,
  type PlanStreamOptions,
  type StreamOptions,
} from './batch-stream';
export {
  drawJitter,
  epochOrder,
  evalPlans,
  evalSamplePlan,
  trainSamplePlan,
  trainStepPlan,
  type AugmentOptions,
  type PlanGeometry,
} from './plans';
export { defaultDecodeWorkers, threadPoolEnv } from './threads';
export { applyD4, d4Compose, d4Inverse, d4Map, D4_COUNT } from './d4';
export type { Batch, BatchPlan, PipelineSample, SamplePlan, StatsTable } from './types';
