// The small protocol every off-thread task speaks (child process or worker thread): the parent
// sends start/cancel, the task answers with progress, task-specific events and one final result
// or error.
import type { ErrorInfo } from '../../../src-shared/contract';

/** What a task entry serves: long work with the core's usual signal + onProgress options. */
export type TaskFn<I, R, E = unknown> = (input: I, ctl: TaskControl<E>) => Promise<R>;

export interface TaskControl<E = unknown> {
  signal: AbortSignal;
  onProgress(done: number, total: number, message?: string): void;
  /** A task-specific event (training's step/epoch metrics), relayed to the parent in order. */
  emit(event: E): void;
}

export type ToTask<I = unknown> = { type: 'start'; input: I } | { type: 'cancel' };

export type FromTask<R = unknown> =
  | { type: 'progress'; done: number; total: number; message?: string }
  | { type: 'event'; event: unknown }
  | { type: 'result'; value: R; threadId: number; pid: number }
  | { type: 'error'; error: ErrorInfo };

export function isFromTask(msg: unknown): msg is FromTask {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    ['progress', 'event', 'result', 'error'].includes((msg as { type?: unknown }).type as string)
  );
}
