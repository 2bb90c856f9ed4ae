// Parent side of a task run on a worker thread: starts the task's entry (entries.ts, a module that
// calls serveTask), relays progress and events, cancels gracefully (terminating the thread after a
// grace period) and settles with the result or a readable error; an uncaught error in the thread
// fails the task, never the main thread.
import { cancelledError, PlateLabError, type ErrorCode } from '../errors';
import { startWorker, type EntryRef } from './entries';
import { isFromTask, type FromTask } from './child-task-protocol';

export interface WorkerTaskOptions<I> {
  /** The entry (entries.ts name, or a module file for tests); a missing one rejects (INTERNAL). */
  entry: EntryRef;
  input: I;
  /** Names the thread in errors: "indexing worker ended unexpectedly …". */
  label: string;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
  /** The task's own events (TaskControl.emit), in order. */
  onEvent?(event: unknown): void;
  /** After a cancel, the thread is terminated if it has not ended by then. Default 10 s. */
  killAfterMs?: number;
  /** Called with the worker's thread id once it has started (tests check it is not the main one). */
  onStart?(threadId: number): void;
}

/** Runs the task on a new worker thread; `signal` cancels it. */
export function runWorkerTask<I, R>(opts: WorkerTaskOptions<I>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const worker = startWorker(opts.entry);
    opts.onStart?.(worker.threadId);
    let final: FromTask<R> | null = null;
    let crash: Error | null = null;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | null = null;
    const armKill = (): void => {
      killTimer ??= setTimeout(() => void worker.terminate(), opts.killAfterMs ?? 10_000);
      killTimer.unref();
    };
    const onAbort = (): void => {
      if (cancelled || final) return;
      cancelled = true;
      worker.postMessage({ type: 'cancel' });
      armKill();
    };
    worker.on('message', (msg: unknown) => {
      if (!isFromTask(msg) || final) return;
      const m = msg as FromTask<R>;
      if (m.type === 'progress') opts.onProgress?.(m.done, m.total, m.message);
      else if (m.type === 'event') opts.onEvent?.(m.event);
      else {
        final = m;
        armKill();
      }
    });
    worker.on('error', (err) => {
      crash = err;
    });
    worker.on('exit', (code) => {
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const f = final as FromTask<R> | null;
      if (f?.type === 'result') return resolve(f.value);
      if (f?.type === 'error') {
        const e = f.error;
        return reject(
          e.code === 'CANCELLED'
            ? cancelledError(e.message)
            : new PlateLabError(e.code as ErrorCode, e.message, e.details),
        );
      }
      if (cancelled) return reject(cancelledError());
      const why = crash ? `: ${(crash as Error).message}` : '';
      reject(
        new PlateLabError('INTERNAL', `${opts.label} ended unexpectedly (exit code ${code})${why}`),
      );
    });
    worker.postMessage({ type: 'start', input: opts.input });
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
