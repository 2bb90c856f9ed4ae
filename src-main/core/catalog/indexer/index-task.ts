// Indexing as an off-thread task (run on a worker thread by index-in-worker.ts): plain-data input
// and result around the unchanged indexDataset, which opens its own catalog connection.
import type { TaskControl } from '../../jobs/child-task-protocol';
import { indexDataset, type IndexResult } from './index';

export interface IndexTaskInput {
  root: string;
  dbFile: string;
  threads?: number;
}

export function indexTask(input: IndexTaskInput, ctl: TaskControl): Promise<IndexResult> {
  return indexDataset({ ...input, signal: ctl.signal, onProgress: ctl.onProgress });
}
