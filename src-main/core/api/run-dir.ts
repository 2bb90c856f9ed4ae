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

/** A folder-name timestamp of now in UTC, e.g. 20261130-034512 (run and sweep ids start with it). */
export function idStamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
