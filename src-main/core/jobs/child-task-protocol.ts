// The small protocol every off-thread task speaks (child process or worker thread): the parent
// sends start/cancel, the task answers with progress and one final result or error.
import type { ErrorInfo } from '../../../src-shared/contract';

/** What a task module exports: long work with the core's usual signal + onProgress options. */
export type TaskFn<I, R> = (input: I, ctl: TaskControl) => Promise<R>;

export interface TaskControl {
  signal: AbortSignal;
  onProgress(done: number, total: number, message?: string): void;
}

export type ToTask<I = unknown> = { type: 'start'; input: I } | { type: 'cancel' };

export type FromTask<R = unknown> =
  | { type: 'progress'; done: number; total: number; message?: string }
  | { type: 'result'; value: R; threadId: number; pid: number }
  | { type: 'error'; error: ErrorInfo };

export function isFromTask(msg: unknown): msg is FromTask {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    ['progress', 'result', 'error'].includes((msg as { type?: unknown }).type as string)
  );
}
