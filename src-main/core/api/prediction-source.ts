// Where per-well predictions of a run come from, behind one small interface so the plate/well calls
// do not depend on how the learning code stores them. The default has none (no predict module yet).
import type { z } from 'zod';
import type { WellPrediction } from '../../../src-shared/contract';

export type WellPredictionInfo = z.infer<typeof WellPrediction>;

export interface PredictionSource {
  /** Predictions of the given wells (absent wells have none). */
  forWells(runId: string, idCodes: string[]): Promise<Map<string, WellPredictionInfo>>;
  /** The k most probable labels of one well. */
  topK(runId: string, idCode: string, k: number): Promise<Array<{ label: string; prob: number }>>;
}

export const noPredictions: PredictionSource = {
  forWells: async () => new Map(),
  topK: async () => [],
};
