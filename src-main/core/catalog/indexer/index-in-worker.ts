// Indexes a dataset on a worker thread, so the server / Electron main process keeps answering
// while a catalog is built: progress and cancel cross the thread boundary, a crash there fails the
// index with the reason (a missing worker entry too: never indexed on the calling thread). The CLI
// calls indexDataset directly (it is its own process).
import { runWorkerTask } from '../../jobs/worker-task';
import type { IndexResult } from './index';
import type { IndexTaskInput } from './index-task';

export interface IndexInWorkerOptions extends IndexTaskInput {
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
  /** Called with the worker's thread id (tests check the work is off the main thread). */
  onStart?(threadId: number): void;
}

export function indexInWorker(opts: IndexInWorkerOptions): Promise<IndexResult> {
  const { signal, onProgress, onStart, ...input } = opts;
  return runWorkerTask<IndexTaskInput, IndexResult>({
    entry: 'index-worker',
    input,
    label: 'indexing worker',
    signal,
    onProgress,
    onStart,
  });
}
