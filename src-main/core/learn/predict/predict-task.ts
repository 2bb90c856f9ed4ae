// Prediction as an off-thread task: plain-data input and result (they cross a process boundary),
// the same predictRun (or, for an ensemble, predictEnsemble) underneath. The catalog gets the set
// in one transaction at the very end.
import type { TaskControl } from '../../jobs/child-task-protocol';
import { predictEnsemble, type EnsembleWeighting } from './ensemble';
import { predictRun } from './predict';
import type { PredictionSplit } from '../../../../src-shared/contract';

export interface PredictTaskInput {
  runDir: string;
  split: PredictionSplit;
  tta?: boolean;
  assign?: boolean;
  dbFile?: string;
  backend?: string;
  allowOtherDataset?: boolean;
  allowIncomplete?: boolean;
  /** An ensemble of these runs written to `runDir` (the ensemble folder) instead of one run. */
  ensemble?: { runDirs: string[]; weighting: EnsembleWeighting };
}

export interface PredictTaskResult {
  wells: number;
  accuracy: number | null;
  accuracyAssigned: number | null;
  assigned: boolean;
  /** Normalisation fallbacks taken (flat or missing controls), one line each. */
  warnings: string[];
}

export async function predictTask(
  input: PredictTaskInput,
  ctl: TaskControl,
): Promise<PredictTaskResult> {
  if (input.ensemble) {
    const { ensemble, runDir, ...rest } = input;
    const e = await predictEnsemble({
      ...rest,
      ...ensemble,
      outDir: runDir,
      signal: ctl.signal,
      onProgress: ctl.onProgress,
    });
    return {
      wells: e.set.wells.length,
      accuracy: e.accuracy,
      accuracyAssigned: e.accuracyAssigned,
      assigned: e.accuracyAssigned !== null || e.set.wells.some((w) => w.assigned !== null),
      warnings: e.set.warnings ?? [],
    };
  }
  const r = await predictRun({ ...input, signal: ctl.signal, onProgress: ctl.onProgress });
  return {
    wells: r.set.wells.length,
    accuracy: r.accuracy,
    accuracyAssigned: r.accuracyAssigned,
    assigned: r.assignedApplied,
    warnings: r.warnings,
  };
}
