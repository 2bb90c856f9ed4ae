// Guards against degenerate model outputs: NaN or ±Inf class probabilities (damaged or diverged
// weights, a non-finite normalisation) become one clear input error instead of reaching the
// assignment, the catalog or a submission.
import path from 'node:path';
import { inputError } from '../../errors';
import { BestInfoFile, readRunFile } from '../runs/run-files';

/** Number of rows (of `width` values each) holding at least one NaN or ±Inf, and the first one. */
export function countNonFiniteRows(
  values: Float32Array,
  width: number,
): { rows: number; first: number } {
  let rows = 0;
  let first = -1;
  const n = width > 0 ? Math.floor(values.length / width) : 0;
  for (let r = 0; r < n; r++) {
    const off = r * width;
    for (let c = 0; c < width; c++) {
      if (!Number.isFinite(values[off + c]!)) {
        if (first < 0) first = r;
        rows++;
        break;
      }
    }
  }
  return { rows, first };
}

/** "best/ (epoch 3)" or "checkpoints/step-000000012": the checkpoint folder, relative to the run. */
export function describeCheckpoint(runDir: string, source: string): string {
  const rel = path.relative(runDir, source) || source;
  try {
    const info = readRunFile(path.join(source, 'info.json'), BestInfoFile, 'best-weights info');
    return `${rel} (epoch ${info.epoch + 1})`;
  } catch {
    // No info.json (a step checkpoint): the folder name carries the step.
  }
  return rel;
}

/**
 * Throws INVALID_INPUT when any site's class probabilities (sites × classes, row-major) hold NaN or
 * ±Inf, naming the run, the checkpoint and how many sites were affected (and the first one).
 */
export function assertFiniteSiteProbs(
  probs: Float32Array,
  numClasses: number,
  siteNames: readonly string[],
  where: { runDir: string; checkpoint: string },
): void {
  const { rows, first } = countNonFiniteRows(probs, numClasses);
  if (rows === 0) return;
  throw inputError(
    `${where.runDir}: checkpoint ${describeCheckpoint(where.runDir, where.checkpoint)} gives NaN/Inf outputs for ${rows} of ${siteNames.length} site(s) (first: ${siteNames[first] ?? `#${first}`}); its weights are damaged or training diverged — retrain (with a lower learning rate) or resume from an earlier checkpoint`,
    { runDir: where.runDir, checkpoint: where.checkpoint, sites: rows },
  );
}
