// Runs prediction in its own process so TensorFlow.js never blocks the server / Electron main
// process and a crash there only fails the job. Electron passes a utilityProcess spawner and its
// bundled copy of predict-child; serve mode forks predict-child.ts through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChildTask, type ChildSpawner } from '../../jobs/child-task';
import type { PredictTaskInput, PredictTaskResult } from './predict-task';

export interface PredictControl {
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
}

/** How the API starts a prediction (tests and Electron swap it). */
export type PredictLauncher = (
  input: PredictTaskInput,
  ctl: PredictControl,
) => Promise<PredictTaskResult>;

export const predictChildEntry = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'predict-child.ts',
);

export function childPredictLauncher(
  spawn?: ChildSpawner,
  entry: string = predictChildEntry,
): PredictLauncher {
  return async (input, ctl) => {
    // A bundled build (Electron's out/main) has no predict-child.ts: until it passes its own
    // bundled entry, predict in-process as before rather than fail.
    if (!fs.existsSync(entry)) {
      const { predictTask } = await import('./predict-task');
      const noSignal = new AbortController().signal;
      return predictTask(input, {
        signal: ctl.signal ?? noSignal,
        onProgress: ctl.onProgress ?? (() => {}),
      });
    }
    return runChildTask<PredictTaskInput, PredictTaskResult>({
      entry,
      input,
      label: 'prediction',
      spawn,
      signal: ctl.signal,
      onProgress: ctl.onProgress,
    });
  };
}
