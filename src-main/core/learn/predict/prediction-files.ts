// A prediction set's run-folder copy: predictions/<stem>-probs.f32 (well probabilities) and
// <stem>.json (wells and provenance, naming the probabilities' SHA-256), written and read back with
// the checks that catch a torn pair or NaN/Inf probabilities.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sameDataset, type DatasetRef } from '../../catalog/dataset-identity';
import { inputError } from '../../errors';
import { readRunInfo, runPath } from '../runs/run-folder';
import { PredictionSetFile, readRunFile } from '../runs/run-files';
import { writeFileAtomicSync, writeJsonAtomic } from '../../util/atomic-write';
import { countNonFiniteRows } from './finite-check';
import { predictionStem } from './provenance';
import type { PredictionSet } from './types';
import type { PredictionSplit } from '../../../../src-shared/contract';

/**
 * Run-folder copy: predictions/{split}-probs.f32 (site-averaged probabilities), then
 * {split}.json (wells) naming the probabilities' SHA-256, so a pair torn by a crash between the
 * two atomic writes is detected on load instead of being read as matching.
 */
export function savePredictionSet(
  runDir: string,
  set: PredictionSet,
  extra: { accuracy: number | null; accuracyAssigned: number | null },
): void {
  const dir = runPath(runDir, 'predictions');
  const stem = predictionStem(readRunInfo(runDir), set.split, set.dataset);
  const bytes = new Uint8Array(set.probs.buffer, set.probs.byteOffset, set.probs.byteLength);
  writeFileAtomicSync(path.join(dir, `${stem}-probs.f32`), bytes);
  writeJsonAtomic(path.join(dir, `${stem}.json`), {
    runId: set.runId,
    split: set.split,
    dataset: set.dataset ?? null,
    checkpoint: set.checkpoint ?? null,
    runStatus: set.runStatus ?? null,
    createdAt: set.createdAt ?? null,
    tta: set.tta,
    assigned: set.wells.some((w) => w.assigned !== null),
    labels: set.labels,
    accuracy: extra.accuracy,
    accuracyAssigned: extra.accuracyAssigned,
    probsSha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    warnings: set.warnings ?? [],
    wells: set.wells,
  });
}

/**
 * A stored set of the run folder. `dataset`: the set made on that dataset (another dataset's set
 * is never returned; a set stored before provenance was recorded loads with dataset null when the
 * run's own catalog is that dataset's); omitted: the run's own `{split}.json`.
 */
export function loadPredictionSet(
  runDir: string,
  split: PredictionSplit,
  dataset?: DatasetRef,
): (PredictionSet & { accuracy: number | null; accuracyAssigned: number | null }) | null {
  const dir = runPath(runDir, 'predictions');
  const stem = dataset ? predictionStem(readRunInfo(runDir), split, dataset) : split;
  const file = path.join(dir, `${stem}.json`);
  if (!fs.existsSync(file)) return null;
  const { probsSha256, ...meta } = readRunFile(file, PredictionSetFile, 'prediction set');
  if (dataset && meta.dataset && !sameDataset(meta.dataset, dataset)) return null;
  if (dataset && !meta.dataset && stem !== split) return null;
  const probsFile = path.join(dir, `${stem}-probs.f32`);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(probsFile);
  } catch {
    throw inputError(`${probsFile}: missing (run predict for ${split} again)`);
  }
  const expected = meta.wells.length * meta.labels.length * 4;
  const torn =
    buf.byteLength !== expected ||
    (probsSha256 !== undefined &&
      crypto.createHash('sha256').update(buf).digest('hex') !== probsSha256);
  if (torn)
    throw inputError(
      `${probsFile}: does not belong to ${stem}.json (a predict run was interrupted between the two files); run predict for ${split} again`,
    );
  const probs = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const bad = countNonFiniteRows(probs, meta.labels.length).rows;
  if (bad > 0)
    throw inputError(
      `${probsFile}: ${bad} of ${meta.wells.length} well(s) have NaN/Inf probabilities (saved before this was checked); run predict for ${split} again`,
    );
  return { ...meta, probs };
}
