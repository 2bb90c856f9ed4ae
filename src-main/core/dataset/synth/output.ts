// Output folder handling: refuses folders that hold something else, marks a synthetic dataset,
// stages each plate in a hidden folder and renames it into place whole, and writes files via
// temp + rename, so a killed run never leaves a truncated file under its final name.
import fs from 'node:fs';
import path from 'node:path';
import { inputError } from '../../errors';
import { writeFileAtomicSync } from '../../util/atomic-write';

export const MARKER_FILE = '.platelab-synth.json';
export const STAGING_DIR = '.synth-staging';
export const METADATA_FILES = [
  'train.csv',
  'test.csv',
  'train_controls.csv',
  'test_controls.csv',
  'pixel_stats.csv',
  'sample_submission.csv',
];

/**
 * Makes `outDir` ready: created if missing; if not empty it must carry our marker (an earlier or
 * killed synthetic run), whose generated entries are then removed. Writes an 'incomplete' marker.
 */
export function prepareOutDir(outDir: string, marker: Record<string, unknown>): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw inputError(`cannot create output folder ${outDir}: ${(err as Error).message}`);
  }
  const entries = fs.readdirSync(outDir);
  if (entries.length > 0) {
    if (!entries.includes(MARKER_FILE))
      throw inputError(
        `output folder ${outDir} is not empty and holds no ${MARKER_FILE}, so it is not a PlateLab ` +
          'synthetic dataset; choose an empty or new folder',
      );
    for (const name of ['train', 'test', STAGING_DIR, ...METADATA_FILES])
      fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
  writeFileAtomicSync(
    path.join(outDir, MARKER_FILE),
    JSON.stringify({ ...marker, status: 'incomplete' }, null, 2) + '\n',
  );
}

export function finishOutDir(outDir: string, marker: Record<string, unknown>): void {
  fs.rmSync(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  writeFileAtomicSync(
    path.join(outDir, MARKER_FILE),
    JSON.stringify({ ...marker, status: 'complete' }, null, 2) + '\n',
  );
}

/** Best-effort removal of the staging folder after a failure or cancel. */
export function discardStaging(outDir: string): void {
  try {
    fs.rmSync(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  } catch {
    // Left for the next run's prepareOutDir to remove.
  }
}

/** Staging folder of one plate (created empty). */
export function stagePlate(
  outDir: string,
  split: string,
  experiment: string,
  plate: number,
): string {
  const dir = path.join(outDir, STAGING_DIR, split, experiment, `Plate${plate}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Moves a finished staged plate to `{split}/{experiment}/Plate{p}` in one rename. */
export function commitPlate(
  outDir: string,
  split: string,
  experiment: string,
  plate: number,
): void {
  const from = path.join(outDir, STAGING_DIR, split, experiment, `Plate${plate}`);
  const to = path.join(outDir, split, experiment, `Plate${plate}`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.rmSync(to, { recursive: true, force: true });
  fs.renameSync(from, to);
}
