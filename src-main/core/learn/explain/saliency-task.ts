// Saliency as a task of the prediction child (predict-child.ts serves it beside prediction): the
// plain-data input that crosses the process boundary, and the launcher the API uses to run it there.
import type { TaskControl } from '../../jobs/child-task-protocol';
import { runChildTask, type ChildSpawner } from '../../jobs/child-task';
import type { EntryRef } from '../../jobs/entries';
import type { SaliencyControl, SaliencyTaskInput } from './saliency';
import type { SaliencyMeta } from './saliency-cache';

/** The prediction child's input for a saliency map (prediction's own input has no `task`). */
export interface SaliencyChildInput {
  task: 'saliency';
  saliency: SaliencyTaskInput;
}

export function isSaliencyChildInput(input: unknown): input is SaliencyChildInput {
  return (
    typeof input === 'object' && input !== null && (input as { task?: unknown }).task === 'saliency'
  );
}

/** Child side: computes (or reads from the run's cache) the map; progress per gradient step. */
export async function saliencyTask(
  input: SaliencyChildInput,
  ctl: TaskControl,
): Promise<SaliencyMeta> {
  // Loaded on first use, so a prediction-only child never parses it.
  const { computeSaliency } = await import('./saliency');
  return computeSaliency(input.saliency, { signal: ctl.signal, onProgress: ctl.onProgress });
}

/** How the API computes a map (tests swap it). */
export type SaliencyLauncher = (
  input: SaliencyTaskInput,
  ctl: SaliencyControl,
) => Promise<SaliencyMeta>;

/**
 * Runs saliency in the prediction child (entries.ts 'predict-child'; Electron passes its
 * utilityProcess spawner, as for prediction). A missing entry fails with an error naming the file.
 */
export function childSaliencyLauncher(
  spawn?: ChildSpawner,
  entry: EntryRef = 'predict-child',
): SaliencyLauncher {
  return (input, ctl) =>
    runChildTask<SaliencyChildInput, SaliencyMeta>({
      entry,
      input: { task: 'saliency', saliency: input },
      label: 'saliency process',
      spawn,
      signal: ctl.signal,
      onProgress: ctl.onProgress,
    });
}
