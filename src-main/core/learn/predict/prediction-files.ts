// A prediction set's run-folder copy: predictions/<stem>-probs.f32 (well probabilities), optionally
// <stem>-embed.f32 (well embeddings) and <stem>.json (wells and provenance, naming both files'
// SHA-256), written and read back with the checks that catch a torn set or NaN/Inf values.
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
import type { PredictionSet, WellEmbedding } from './types';
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
  const embedding = set.embedding ? writeEmbedding(dir, stem, set) : undefined;
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
    embedding,
    warnings: set.warnings ?? [],
    wells: set.wells,
  });
}

/** Writes predictions/<stem>-embed.f32 (refusing NaN/Inf or a wrong size); returns its reference. */
function writeEmbedding(
  dir: string,
  stem: string,
  set: PredictionSet,
): { file: string; dims: number; sha256: string } {
  const { values, dims } = set.embedding!;
  if (dims <= 0 || values.length !== set.wells.length * dims)
    throw new Error(
      `well embeddings hold ${values.length} values, not ${set.wells.length} wells × ${dims}`,
    );
  const bad = countNonFiniteRows(values, dims);
  if (bad.rows > 0)
    throw inputError(
      `${bad.rows} of ${set.wells.length} well embedding(s) hold NaN/Inf (first: ${set.wells[bad.first]!.idCode}); the model's weights are damaged or diverged, nothing was saved`,
    );
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const file = `${stem}-embed.f32`;
  writeFileAtomicSync(path.join(dir, file), bytes);
  return { file, dims, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
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
): LoadedPredictionSet | null {
  const dir = runPath(runDir, 'predictions');
  const stem = dataset ? predictionStem(readRunInfo(runDir), split, dataset) : split;
  const file = path.join(dir, `${stem}.json`);
  if (!fs.existsSync(file)) return null;
  const {
    probsSha256,
    embedding: embeddingRef,
    ...meta
  } = readRunFile(file, PredictionSetFile, 'prediction set');
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
  return { ...meta, probs, embeddingRef: embeddingRef ?? null };
}

/** A set as loadPredictionSet reads it: the embedding is only referenced (loadSetEmbedding reads it). */
export type LoadedPredictionSet = PredictionSet & {
  accuracy: number | null;
  accuracyAssigned: number | null;
  /** The well embeddings' file, SHA-256 and width; null for a set stored without them. */
  embeddingRef?: { file: string; dims: number; sha256: string } | null;
};

/**
 * The set's well embeddings (wells × dims float32), checked against the SHA-256 and size its json
 * names and for NaN/Inf. Errors (input): the set has none (predicted before embeddings were stored,
 * or an ensemble, which stores none: its members' embeddings live in different feature spaces), the
 * file is missing, torn or holds non-finite values; each says to predict again.
 */
export function loadSetEmbedding(runDir: string, set: LoadedPredictionSet): WellEmbedding {
  const ref = set.embeddingRef;
  const again = `predict ${set.split} with run ${set.runId} again to get embeddings`;
  if (!ref) {
    if (fs.existsSync(runPath(runDir, 'ensemble')))
      throw inputError(
        `${set.runId} is an ensemble: it has no embedding of its own (its members' features are different spaces); open one of its member runs' embeddings instead`,
      );
    throw inputError(
      `run ${set.runId}'s ${set.split} predictions were made before embeddings were stored: ${again}`,
    );
  }
  const file = path.join(runPath(runDir, 'predictions'), path.basename(ref.file));
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    throw inputError(`${file}: missing; ${again}`);
  }
  if (
    buf.byteLength !== set.wells.length * ref.dims * 4 ||
    crypto.createHash('sha256').update(buf).digest('hex') !== ref.sha256
  )
    throw inputError(
      `${file}: does not belong to its prediction set (an interrupted predict or a changed file); ${again}`,
    );
  const values = new Float32Array(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
  );
  const bad = countNonFiniteRows(values, ref.dims);
  if (bad.rows > 0)
    throw inputError(`${file}: ${bad.rows} well embedding(s) hold NaN/Inf; ${again}`);
  return { values, dims: ref.dims };
}
