// Evaluates a run on its validation wells: uses stored predictions, or predicts them (with
// assignment for siRNA runs) when there are none or when asked to.
import { loadPredictionSet, predictRun, type PredictOptions } from '../predict/predict';
import { loadRunContext } from '../runs/run-context';
import { summarizePredictions, type EvaluationSummary } from './summary';

export interface EvaluateOptions {
  runDir: string;
  repredict?: boolean;
  tta?: boolean;
  backend?: string;
  /** Evaluate a run that did not complete (its newest checkpoint). */
  allowIncomplete?: boolean;
  onProgress?: PredictOptions['onProgress'];
  signal?: AbortSignal;
}

export async function evaluateRun(opts: EvaluateOptions): Promise<EvaluationSummary> {
  const ctx = loadRunContext(opts.runDir);
  let set = opts.repredict ? null : loadPredictionSet(opts.runDir, 'val');
  if (!set) {
    const r = await predictRun({
      runDir: opts.runDir,
      split: 'val',
      tta: opts.tta,
      assign: ctx.config.target === 'sirna',
      backend: opts.backend,
      allowIncomplete: opts.allowIncomplete,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    set = { ...r.set, accuracy: r.accuracy, accuracyAssigned: r.accuracyAssigned };
  }
  return summarizePredictions(set);
}
