// Prediction as an off-thread task: plain-data input and result (they cross a process boundary),
// the same predictRun underneath. The catalog gets the set in one transaction at the very end.
import type { TaskControl } from '../../jobs/child-task-protocol';
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
  const r = await predictRun({ ...input, signal: ctl.signal, onProgress: ctl.onProgress });
  return {
    wells: r.set.wells.length,
    accuracy: r.accuracy,
    accuracyAssigned: r.accuracyAssigned,
    assigned: r.assignedApplied,
    warnings: r.warnings,
  };
}
