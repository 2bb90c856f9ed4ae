// Indexes a dataset on a worker thread, so the server / Electron main process keeps answering
// while a catalog is built: progress and cancel cross the thread boundary, a crash there fails the
// index with the reason. The CLI calls indexDataset directly (it is its own process).
import { runWorkerTask, workerTaskAvailable } from '../../jobs/worker-task';
import { indexDataset, type IndexResult } from './index';
import type { IndexTaskInput } from './index-task';

export interface IndexInWorkerOptions extends IndexTaskInput {
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
  /** Called with the worker's thread id (tests check the work is off the main thread). */
  onStart?(threadId: number): void;
}

export function indexInWorker(opts: IndexInWorkerOptions): Promise<IndexResult> {
  const { signal, onProgress, onStart, ...input } = opts;
  const module = new URL('./index-task.ts', import.meta.url);
  // A bundled build without the worker's sources indexes in-process, as before.
  if (!workerTaskAvailable(module)) return indexDataset({ ...input, signal, onProgress });
  return runWorkerTask<IndexTaskInput, IndexResult>({
    module,
    exportName: 'indexTask',
    input,
    label: 'indexing worker',
    signal,
    onProgress,
    onStart,
  });
}
