// Provenance rules of predictions: which run may predict on which dataset (its own, another only
// when asked; a completed run unless asked), where a run folder keeps the set of each dataset, and
// the one-line description of a prediction set that exports and messages print.
import fs from 'node:fs';
import path from 'node:path';
import type { PredictionSetInfo, PredictionSplit } from '../../../../src-shared/contract';
import {
  describeDataset,
  matchDataset,
  type DatasetMatch,
  type DatasetRef,
} from '../../catalog/dataset-identity';
import { inputError } from '../../errors';
import { effectiveStatus } from '../runs/list-runs';
import { describeCheckpoint, runPath, type RunInfo, type RunStatus } from '../runs/run-folder';
import { PredictionSetFile, readRunFile } from '../runs/run-files';
import type { PredictionSet } from './types';

/** What a prediction from a run needs explicitly (API flags, CLI options, UI checkboxes). */
export interface RunChoices {
  /** Use a run trained on another (or an unrecorded) dataset. */
  allowOtherDataset?: boolean;
  /** Use a run that did not complete: its newest weights are a mid-run checkpoint. */
  allowIncomplete?: boolean;
}

/** How a run relates to a dataset ('same' also for an old run whose recorded catalog is this one). */
export function runDatasetMatch(info: RunInfo, dataset: DatasetRef): DatasetMatch {
  return matchDataset(info.dataset, dataset, info.dbFile);
}

/**
 * Refuses, with an input error that says why and how to ask for it, a run trained on another
 * dataset (unless allowOtherDataset) or one that is not 'done' (unless allowIncomplete).
 * `weights`: the checkpoint it would use, named in the message. Returns the run's status.
 */
export function checkRunChoices(
  info: RunInfo,
  dataset: DatasetRef,
  choices: RunChoices,
  weights: string,
): RunStatus {
  const match = runDatasetMatch(info, dataset);
  if ((match === 'other' || match === 'unknown') && !choices.allowOtherDataset)
    throw inputError(
      `run ${info.runId} was trained on ${describeDataset(info.dataset)}${match === 'unknown' ? ` (catalog ${info.dbFile})` : ''}, not on the open dataset ${describeDataset(dataset)}; using it on ${dataset.name} must be asked for explicitly (--allow-other-dataset; in the app: "Show runs of other datasets")`,
      { runId: info.runId, runDataset: info.dataset ?? null, dataset },
    );
  const status = effectiveStatus(info);
  if (status !== 'done' && !choices.allowIncomplete)
    throw inputError(
      `run ${info.runId} is ${status}, not completed: its weights would be ${weights}; use an incomplete run only when asked for explicitly (--allow-incomplete; in the app: "Use this incomplete run")`,
      { runId: info.runId, status },
    );
  return status;
}

/**
 * The run folder keeps one set per split and dataset: `predictions/{split}.json` for the run's
 * own dataset (and sets from before provenance), `predictions/{split}.{datasetId}.json` for
 * another, so predicting on new plates never overwrites the run's own results.
 */
export function predictionStem(
  info: RunInfo,
  split: PredictionSplit,
  dataset?: DatasetRef | null,
): string {
  const match = dataset ? runDatasetMatch(info, dataset) : 'same';
  return dataset && (match === 'other' || match === 'unknown') ? `${split}.${dataset.id}` : split;
}

/** Datasets of the sets of one split stored in a run folder (null: a set without provenance). */
export function storedSetDatasets(
  runDir: string,
  split: PredictionSplit,
): Array<DatasetRef | null> {
  const dir = runPath(runDir, 'predictions');
  if (!fs.existsSync(dir)) return [];
  const out: Array<DatasetRef | null> = [];
  const re = new RegExp(`^${split}(\\.[0-9a-f]+)?\\.json$`);
  for (const name of fs.readdirSync(dir).sort()) {
    if (!re.test(name)) continue;
    try {
      const j = readRunFile(path.join(dir, name), PredictionSetFile, 'prediction set');
      out.push(j.dataset ?? null);
    } catch {
      // A torn file is reported when that set is loaded.
    }
  }
  return out;
}

/** The description of a set the API returns and exports print. */
export function predictionSetInfo(set: PredictionSet): PredictionSetInfo {
  const assigned = set.wells.some((w) => w.assigned !== null);
  const flags = [set.tta ? 'TTA' : 'no TTA', assigned ? 'assigned' : 'not assigned'];
  const status = set.runStatus && set.runStatus !== 'done' ? `, run ${set.runStatus}` : '';
  return {
    runId: set.runId,
    split: set.split,
    dataset: set.dataset ?? null,
    checkpoint: set.checkpoint ?? null,
    runStatus: set.runStatus ?? null,
    tta: set.tta,
    assigned,
    wells: set.wells.length,
    createdAt: set.createdAt ?? null,
    label: `${set.split} predictions of run ${set.runId} (${describeCheckpoint(set.checkpoint)}${status}) on ${describeDataset(set.dataset)}, ${set.wells.length} wells, ${flags.join(', ')}${set.createdAt ? `, made ${set.createdAt}` : ''}`,
    warnings: set.warnings ?? [],
  };
}
