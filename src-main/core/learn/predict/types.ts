// Shapes of well-level predictions shared by predict/, assign/, evaluate/ and the store.
import type { CheckpointRef, DatasetRef } from '../../../../src-shared/contract';
import type { RunStatus } from '../runs/run-folder';

export interface WellPredictionRow {
  idCode: string;
  experiment: string;
  plate: number;
  well: string;
  cellType: string;
  wellType: string;
  /** True label (class name) where known (val), else null (test). */
  truth: string | null;
  /** Index of the arg-max class and its probability. */
  top: number;
  prob: number;
  /** Class index after plate-group assignment, or null when not assigned. */
  assigned: number | null;
  sites: number;
  sitesDisagree: boolean;
  topK: { label: number; prob: number }[];
}

export interface PredictionSet {
  runId: string;
  split: 'val' | 'test';
  tta: boolean;
  labels: string[];
  wells: WellPredictionRow[];
  /** wells.length × labels.length class probabilities (site-averaged). */
  probs: Float32Array;
  /** Normalisation fallbacks taken for these sites (flat or missing controls); absent before 2026-11-30. */
  warnings?: string[];
  /** Provenance; absent or null in sets stored before 2026-11-30 ('unknown dataset'). */
  dataset?: DatasetRef | null;
  checkpoint?: CheckpointRef | null;
  /** The run's status when it predicted (an incomplete run's weights are a mid-run checkpoint). */
  runStatus?: RunStatus | null;
  createdAt?: string | null;
  /**
   * Well embeddings from the same pass (wells × dims pooled features before the head, mean over
   * views and sites); absent in sets predicted before 2026-11-30 and in ensembles.
   */
  embedding?: WellEmbedding | null;
}

/** A prediction set's well embeddings: `values` is wells × dims float32, row i = wells[i]. */
export interface WellEmbedding {
  values: Float32Array;
  dims: number;
}
