// Runs the embedding task (embed-task.ts) on a worker thread: progress and cancel cross the thread
// boundary; a crash there only fails the task (a missing entry too: never run on the calling thread).
import { runWorkerTask } from '../../jobs/worker-task';
import type { EmbedTaskInput, EmbedTaskResult } from './embed-task';

export function embedInWorker(
  input: EmbedTaskInput,
  ctl: { signal?: AbortSignal; onProgress?(done: number, total: number, message?: string): void },
): Promise<EmbedTaskResult> {
  return runWorkerTask<EmbedTaskInput, EmbedTaskResult>({
    entry: 'embed-worker',
    input,
    label: 'embedding worker',
    signal: ctl.signal,
    onProgress: ctl.onProgress,
  });
}
