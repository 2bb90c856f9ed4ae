// Shapes shared by the data pipeline's main-thread stream and its workers, and the one `Batch` type
// that training, validation and prediction all consume.
import type { CacheTicket } from '../decoded-cache';
import type { ChannelStats, Normalization } from '../normalize';

/** One site to batch (a training, validation or prediction sample). */
export interface PipelineSample {
  /** The 6 channel paths, relative to the dataset root. */
  relPaths: string[];
  /** Class index, or -1 when unknown (test wells). */
  label: number;
  siteKey: string;
  experiment: string;
  plate: number;
  /** Cell-type index (the model's optional second input). Default 0. */
  cellType?: number;
}

/** Precomputed stats, plain data so they can cross to the worker. */
export interface StatsTable {
  /** By experiment name (for 'per-experiment'). */
  experiments?: Record<string, ChannelStats>;
  /** By `${experiment}/${plate}` (for 'per-plate-controls'). */
  plateControls?: Record<string, ChannelStats>;
  /** Keys (as above) whose stats were unusable: their sites use their own, std floored (stats-fallback.ts). */
  perImage?: string[];
  /** Per-channel std floor of the table (stats-fallback.ts `stdFloor`). */
  stdFloor?: number[];
  /** One line per fallback taken (which plate or experiment, why, what instead). */
  warnings?: string[];
}

export interface BuilderConfig {
  root: string;
  samples: PipelineSample[];
  /** Sites are resized to imageSize × imageSize (and cached at that size). */
  imageSize: number;
  cropSize: number;
  normalization: Normalization;
  stats: StatsTable;
  /** Decoded-site cache data file, read and filled at the offsets of each batch's tickets. */
  cacheFile?: string;
  /** Sites decoded at once while building a batch. Default 4. */
  concurrency?: number;
}

/** What to do with one sample of a batch; drawn on the main thread from the seed. */
export interface SamplePlan {
  index: number;
  /** Top-left corner of the crop in the imageSize × imageSize site. */
  x0: number;
  y0: number;
  /** D4 transform 0..7 (0 = identity). */
  d4: number;
  /** Per-channel multiplier and offset applied after normalisation (1 and 0 = none). */
  scale: number[];
  shift: number[];
}

/** A batch's sample plans (see plans.ts), built by the pipeline; `id` orders the stream. */
export interface BatchPlan {
  id: number;
  epoch: number;
  samples: SamplePlan[];
}

/** A built batch: what the trainer steps on, validation scores and prediction infers from. */
export interface Batch {
  /** n × cropSize × cropSize × 6, channel-last, normalised (and jittered when planned). */
  x: Float32Array;
  /** Class per sample (-1 = unknown). */
  y: Int32Array;
  /** Cell-type index per sample. */
  cellType: Int32Array;
  n: number;
  /** Crop edge in pixels. */
  cropSize: number;
  /** Site key per sample. */
  keys: string[];
  epoch: number;
  /** Batch number within the stream. */
  index: number;
}

export type ToWorker =
  | { type: 'init'; config: BuilderConfig }
  | { type: 'batch'; plan: BatchPlan; tickets?: CacheTicket[] }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'batch'; id: number; batch: Batch }
  | { type: 'error'; id: number | null; error: { code: string; message: string } }
  | { type: 'closed' };
