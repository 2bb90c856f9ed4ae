// Finds a run's folder under the data folder's runs/ by id (the id is already checked by the
// contract's RunId pattern, so it cannot climb out of runs/).
import fs from 'node:fs';
import path from 'node:path';
import { notFound } from '../errors';
import { runPath } from '../learn/runs/run-folder';

export function runDirOf(runsDir: string, runId: string): string {
  const dir = path.join(runsDir, runId);
  if (!fs.existsSync(runPath(dir, 'run'))) throw notFound(`no run ${runId}`, { runId });
  return dir;
}
