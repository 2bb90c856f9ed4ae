// Runs prediction in its own process (entries.ts 'predict-child') so TensorFlow.js never blocks the
// server / Electron main process and a crash there only fails the job. Electron passes a
// utilityProcess spawner; serve mode forks the entry. A missing entry fails the prediction with an
// error naming the file; it never predicts on the calling thread.
import { runChildTask, type ChildSpawner } from '../../jobs/child-task';
import type { EntryRef } from '../../jobs/entries';
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

/** `entry`: the predict-child entry by default (tests pass another file). */
export function childPredictLauncher(
  spawn?: ChildSpawner,
  entry: EntryRef = 'predict-child',
): PredictLauncher {
  return (input, ctl) =>
    runChildTask<PredictTaskInput, PredictTaskResult>({
      entry,
      input,
      label: 'prediction process',
      spawn,
      signal: ctl.signal,
      onProgress: ctl.onProgress,
    });
}
