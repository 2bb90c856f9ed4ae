// Training's job, its live events (what the training child emits through the child-task protocol's
// 'event' message) and its summary; the shapes of metrics lines.
import type {
  ClassCoverage,
  EpochMetric,
  StepMetric,
  TrainConfig,
} from '../../../../src-shared/contract';

export type { EpochMetric, StepMetric };

export interface TrainStarted {
  runId: string;
  backend: string;
  trainWells: number;
  valWells: number;
  trainSites: number;
  classes: number;
  stepsPerEpoch: number;
  epochs: number;
  startEpoch: number;
  resumedFromStep: number | null;
  warnings: string[];
  /** Training-split wells left out by review decisions (review-exclusions.json; 0 when off). */
  reviewExcluded: number;
  /** Classes and wells class coverage left out (classes.json; null: a run from before it). */
  classCoverage: ClassCoverage | null;
}

export interface TrainSummary {
  runId: string;
  status: 'done' | 'cancelled' | 'failed';
  backend: string;
  epochsDone: number;
  bestValAccuracy: number | null;
  imagesPerSecond: number | null;
  warnings: string[];
  /** Training-split wells left out by review decisions (0 when none or switched off). */
  reviewExcluded?: number;
  /** Classes and wells class coverage left out (null or absent: a run from before it). */
  classCoverage?: ClassCoverage | null;
  error: string | null;
  /** PlateLabError code of the failure ('INVALID_INPUT', …) or 'INTERNAL'; null when not failed. */
  errorCode: string | null;
}

export interface TrainJob {
  dbFile: string;
  runDir: string;
  config?: TrainConfig;
  resume?: boolean;
  backend?: string;
  /** Split each batch into micro-batches of this size (gradient accumulation). */
  microBatch?: number;
  /** Decoded-site cache file; default `decoded-cache/<catalog>-<imageSize>.bin` beside the catalog. */
  cacheFile?: string;
  /** Disk budget of the decoded-site cache; default 20 GiB (settings: decodedCacheGiB). */
  cacheBudgetBytes?: number;
  /** Decode worker threads; default one per core but one (settings: decodeWorkers). */
  decodeWorkers?: number;
  /** Build batches on the trainer's thread instead of the pipeline worker (debugging only). */
  inProcessData?: boolean;
}

/** What the trainer emits while it runs (TaskControl.emit in the training child). */
export type TrainEvent =
  | { type: 'started'; info: TrainStarted }
  | { type: 'step'; metric: StepMetric }
  | { type: 'epoch'; metric: EpochMetric }
  | { type: 'checkpoint'; dir: string; epoch: number; globalStep: number };
