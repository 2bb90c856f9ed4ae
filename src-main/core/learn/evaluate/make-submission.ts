// `submit`: the run's test predictions (assigned classes when present) as a Kaggle submission file.
// Predicts the test split first (with plate-group assignment) when the run has no test predictions.
import path from 'node:path';
import { openCatalog } from '../../catalog/db';
import { datasetLabelStyle } from '../../catalog/queries';
import { inputError } from '../../errors';
import { datasetRoot } from '../data/site-rows';
import { loadPredictionSet, predictRun, type PredictOptions } from '../predict/predict';
import { loadRunContext } from '../runs/run-context';
import {
  buildSubmission,
  readSampleSubmission,
  readTestIds,
  submissionLabel,
  writeSubmission,
} from './submission';

export interface SubmissionOptions {
  runDir: string;
  out: string;
  dbFile?: string;
  backend?: string;
  onProgress?: PredictOptions['onProgress'];
  signal?: AbortSignal;
}

export async function makeSubmission(
  opts: SubmissionOptions,
): Promise<{ path: string; rows: number; assigned: boolean }> {
  const ctx = loadRunContext(opts.runDir);
  if (ctx.config.target !== 'sirna')
    throw inputError(
      `${opts.runDir}: run predicts '${ctx.config.target}'; a Kaggle submission needs target 'sirna'`,
    );
  let set = loadPredictionSet(opts.runDir, 'test');
  if (!set) {
    const r = await predictRun({
      runDir: opts.runDir,
      split: 'test',
      assign: true,
      dbFile: opts.dbFile,
      backend: opts.backend,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    set = { ...r.set, accuracy: null, accuracyAssigned: null };
  }
  const dbFile = opts.dbFile ?? ctx.info.dbFile;
  const db = openCatalog(dbFile);
  let root: string;
  let style: ReturnType<typeof datasetLabelStyle>;
  try {
    root = datasetRoot(db, dbFile);
    style = datasetLabelStyle(db);
  } finally {
    db.close();
  }
  const ids = readTestIds(root);
  const byId = new Map<string, string>();
  const assigned = set.wells.some((w) => w.assigned !== null);
  // Labels in the dataset's own style: 2019 integer ids, or the re-release's strings.
  for (const w of set.wells) {
    const c = w.assigned ?? w.top;
    byId.set(w.idCode, submissionLabel(set.labels[c]!, ctx.classes.ids[c], style));
  }
  const csv = buildSubmission(ids, byId, path.join(opts.runDir, 'predictions', 'test.json'), {
    style,
    sample: readSampleSubmission(root),
  });
  const rows = writeSubmission(path.resolve(opts.out), csv);
  return { path: path.resolve(opts.out), rows, assigned };
}
